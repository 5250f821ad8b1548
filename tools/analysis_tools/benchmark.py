# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Parameters, FLOPs, latency, throughput and peak memory of a config's model.

    python tools/analysis_tools/benchmark.py CONFIG [--batch-sizes 1 8]
        [--runs 10] [--warmup 3] [--threads 2] [--device auto|cpu|cuda ...]
        [--out f.json]

- Parameters: all and trainable.
- FLOPs are counted with ``torch.utils.flop_counter`` at batch 1 (matmul /
  conv / attention, 2 FLOPs per multiply-add; grid_sample and element-wise
  ops are not counted), the same convention as the official measurement
  (52.1 GFLOPs at 256 x 256).
- Latency: the median (also mean, std, min, max) of ``--runs`` (>= 10) timed
  forward passes in ``torch.inference_mode()`` after ``--warmup`` untimed
  ones, from the input tensor to the fused joints of the last decoder layer
  (data loading, preprocessing and decoding excluded); on CUDA each pass is
  bracketed by ``torch.cuda.synchronize()``. Throughput: batch / median.
- Peak memory per batch size:
  CPU: the peak resident set size (RSS) during one forward pass, minus the
  RSS just before it (``psutil``, sampled every 0.5 ms in a thread, in an
  extra untimed pass so that sampling does not disturb the timing; glibc's
  ``malloc_trim`` first returns the memory freed by earlier passes; without
  psutil, the growth of ``getrusage`` ``ru_maxrss``, which only sees a new
  process-wide high); plus the process's peak RSS so far.
  CUDA: ``torch.cuda.max_memory_allocated`` over the timed passes minus the
  memory allocated before them (activations and workspace; the weights are
  reported separately), and the peak reserved by the caching allocator.
- ``--device auto`` (the default) measures the CPU and, when
  ``torch.cuda.is_available()``, the GPU. On CUDA the deformable attention
  runs mmcv's compiled kernel, which needs mmcv built with CUDA.

The settings are printed with the numbers and stored in the JSON file
(``--out``): ``settings``, ``params``, ``trainable_params``,
``gflops_per_image`` and one entry per (device, batch size) in ``results``.
"""
import argparse
import ctypes
import gc
import json
import os
import platform
import resource
import statistics
import sys
import threading
import time

import torch
from mmengine.config import Config
from torch.utils.flop_counter import FlopCounterMode

MIN_RUNS = 10


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Benchmark a model')
    parser.add_argument('config')
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=[1])
    parser.add_argument(
        '--runs',
        type=int,
        default=10,
        help=f'timed passes per batch size (>= {MIN_RUNS})')
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument(
        '--threads', type=int, default=2, help='CPU threads of PyTorch')
    parser.add_argument(
        '--device',
        nargs='+',
        default=['auto'],
        help='cpu, cuda, cuda:N, or auto (cpu, plus cuda when available)')
    parser.add_argument('--out', help='write the results as json')
    args = parser.parse_args(argv)
    if args.runs < MIN_RUNS:
        parser.error(f'--runs must be >= {MIN_RUNS} (the median of at least '
                     f'{MIN_RUNS} timed passes), got {args.runs}')
    if args.warmup < 1:
        parser.error('--warmup must be >= 1')
    return args


def resolve_devices(names):
    devices = []
    for name in names:
        if name == 'auto':
            devices.append('cpu')
            if torch.cuda.is_available():
                devices.append('cuda')
        else:
            if name.startswith('cuda') and not torch.cuda.is_available():
                raise SystemExit(f'--device {name}: CUDA is not available')
            devices.append(name)
    return list(dict.fromkeys(devices))


def build_model(config):
    from mmengine.logging import MMLogger
    from mmpose.registry import MODELS
    from mmpose.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None  # no download; weights don't matter
    model = MODELS.build(cfg.model)
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel('WARNING')  # mmengine's per-parameter init log
    try:
        model.init_weights()
    finally:
        logger.setLevel(level)
    return model.eval(), cfg


def input_size(cfg):
    size = cfg.model.neck.get('input_size', None) or cfg.codec.input_size
    return tuple(size)


def cpu_name():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_name(device):
    if device.startswith('cuda'):
        return torch.cuda.get_device_name(torch.device(device))
    return f'{cpu_name()} ({os.cpu_count()} logical cores)'


def max_rss_mb():
    """Peak RSS of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def release_free_memory():
    """Give the heap's free pages back to the OS (glibc ``malloc_trim``),
    so that memory freed by earlier passes and reused by the next one does
    not hide its peak from the RSS."""
    gc.collect()
    try:
        ctypes.CDLL('libc.so.6').malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: the delta may under-count


class RssSampler:
    """Peak RSS in a ``with`` block, sampled in a thread (psutil), or the
    growth of ``ru_maxrss`` without psutil."""

    def __init__(self, interval=5e-4):
        self.interval = interval
        try:
            import psutil
            self.process = psutil.Process()
            self.method = ('psutil RSS sampled every 0.5 ms, minus RSS '
                           'before (after malloc_trim)')
        except ImportError:
            self.process = None
            self.method = 'growth of getrusage ru_maxrss (new highs only)'

    def _rss(self):
        return self.process.memory_info().rss

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(self.interval)

    def __enter__(self):
        release_free_memory()
        if self.process is None:
            self.before = max_rss_mb()
            return self
        self.before = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        if self.process is None:
            self.delta_mb = max_rss_mb() - self.before
            return
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())
        self.delta_mb = (self.peak - self.before) / 2**20


def benchmark(forward, device, batch_size, size, runs, warmup):
    """Latency, throughput and peak memory of ``forward`` at one batch."""
    w, h = size
    is_cuda = device.startswith('cuda')
    x = torch.rand(batch_size, 3, h, w, device=device)
    times = []
    with torch.inference_mode():
        if is_cuda:
            torch.cuda.synchronize(device)
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats(device)
            allocated_before = torch.cuda.memory_allocated(device)
        for i in range(warmup + runs):
            if is_cuda:
                torch.cuda.synchronize(device)
            t0 = time.perf_counter()
            forward(x)
            if is_cuda:
                torch.cuda.synchronize(device)
            if i >= warmup:
                times.append(time.perf_counter() - t0)
        if is_cuda:
            memory = dict(
                peak_mem_mb=(torch.cuda.max_memory_allocated(device) -
                             allocated_before) / 2**20,
                peak_allocated_mb=torch.cuda.max_memory_allocated(device) /
                2**20,
                peak_reserved_mb=torch.cuda.max_memory_reserved(device) /
                2**20,
                memory_method='torch.cuda.max_memory_allocated minus '
                'allocated before (inputs and weights excluded)')
        else:
            sampler = RssSampler()
            with sampler:
                forward(x)
            memory = dict(
                peak_mem_mb=sampler.delta_mb,
                process_peak_rss_mb=max_rss_mb(),
                memory_method=sampler.method)
    med = statistics.median(times)
    return dict(
        device=device,
        batch_size=batch_size,
        median_s=med,
        mean_s=statistics.mean(times),
        std_s=statistics.stdev(times),
        min_s=min(times),
        max_s=max(times),
        images_per_s=batch_size / med,
        **memory)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    devices = resolve_devices(args.device)
    model, cfg = build_model(args.config)
    w, h = input_size(cfg)

    def forward(x):
        return model.head(model.neck(model.backbone(x)))

    n_params = sum(p.numel() for p in model.parameters())
    n_trainable = sum(p.numel() for p in model.parameters()
                      if p.requires_grad)
    param_mb = sum(p.numel() * p.element_size()
                   for p in model.parameters()) / 2**20
    with torch.inference_mode():
        counter = FlopCounterMode(display=False)
        with counter:
            forward(torch.rand(1, 3, h, w))
        flops = counter.get_total_flops()

    import mmcv
    settings = dict(
        config=os.path.relpath(args.config),
        devices=[f'{d}: {device_name(d)}' for d in devices],
        threads=torch.get_num_threads(),
        input=f'{w}x{h}',
        dtype='float32',
        batch_sizes=args.batch_sizes,
        runs=args.runs,
        warmup=args.warmup,
        statistic='median',
        timed='backbone + neck + head forward, inference_mode',
        torch=torch.__version__,
        cuda=torch.version.cuda if any(
            d.startswith('cuda') for d in devices) else None,
        mmcv=mmcv.__version__,
        python=sys.version.split()[0],
        platform=platform.platform())
    result = dict(
        settings=settings,
        params=n_params,
        trainable_params=n_trainable,
        param_mb=param_mb,
        gflops_per_image=flops / 1e9,
        results=[])
    print('settings: ' + ', '.join(f'{k}={v}' for k, v in settings.items()))
    print(f'params: {n_params / 1e6:.2f} M (trainable '
          f'{n_trainable / 1e6:.2f} M, {param_mb:.0f} MB float32), FLOPs: '
          f'{flops / 1e9:.1f} G / image')
    for device in devices:
        model.to(device)
        for bs in args.batch_sizes:
            r = benchmark(forward, device, bs, (w, h), args.runs,
                          args.warmup)
            r['gflops_per_s'] = flops * bs / r['median_s'] / 1e9
            result['results'].append(r)
            print(f'{device} batch {bs}: median {r["median_s"]:.4f} s '
                  f'(mean {r["mean_s"]:.4f}, min {r["min_s"]:.4f}, max '
                  f'{r["max_s"]:.4f}; {args.runs} runs after {args.warmup} '
                  f'warm-up) -> {r["images_per_s"]:.2f} images/s, '
                  f'{r["gflops_per_s"]:.1f} GFLOP/s, peak memory '
                  f'{r["peak_mem_mb"]:.0f} MB ({r["memory_method"]})')
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
