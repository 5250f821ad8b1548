# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Parameters, FLOPs, latency, throughput and peak memory of a config's model
(:func:`run_benchmark`; ``tools/analysis_tools/benchmark.py`` is its command
line, whose docstring gives the conventions)."""
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
from typing import List, Optional, Sequence

import torch
from torch.utils.flop_counter import FlopCounterMode

from .models import build_pose_model, config_input_size

#: the fewest timed passes a median is taken over
MIN_RUNS = 10


def resolve_devices(names: Sequence[str]) -> List[str]:
    """``auto`` -> ``cpu`` (+ ``cuda`` when available); a CUDA device
    without CUDA is refused."""
    devices = []
    for name in names:
        if name == 'auto':
            devices.append('cpu')
            if torch.cuda.is_available():
                devices.append('cuda')
        else:
            if name.startswith('cuda') and not torch.cuda.is_available():
                raise ValueError(f'device {name}: CUDA is not available')
            devices.append(name)
    return list(dict.fromkeys(devices))


def cpu_name() -> str:
    """The CPU's model name."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_name(device: str) -> str:
    """The GPU's name, or the CPU's with its core count."""
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


def run_benchmark(config: str,
                  batch_sizes: Sequence[int] = (1, ),
                  runs: int = MIN_RUNS,
                  warmup: int = 3,
                  threads: int = 2,
                  devices: Sequence[str] = ('auto', ),
                  out: Optional[str] = None) -> dict:
    """Benchmark the model of ``config`` (random weights) and print the
    numbers with the settings.

    Args:
        config (str): config file.
        batch_sizes (Sequence[int]): batch sizes to time.
        runs (int): timed passes per batch size (>= :data:`MIN_RUNS`).
        warmup (int): untimed passes before them (>= 1).
        threads (int): CPU threads of PyTorch.
        devices (Sequence[str]): ``cpu``, ``cuda``, ``cuda:N`` or ``auto``.
        out (str, optional): json file for the result.

    Returns:
        dict: ``settings``, ``params``, ``trainable_params``, ``param_mb``,
        ``gflops_per_image`` and one entry per (device, batch size) in
        ``results`` (seconds, images/s, MB).
    """
    if runs < MIN_RUNS:
        raise ValueError(f'runs must be >= {MIN_RUNS} (the median of at '
                         f'least {MIN_RUNS} timed passes), got {runs}')
    if warmup < 1:
        raise ValueError(f'warmup must be >= 1, got {warmup}')
    torch.set_num_threads(threads)
    devices = resolve_devices(devices)
    model, cfg = build_pose_model(config)
    h, w = config_input_size(cfg)

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
        config=os.path.relpath(config),
        devices=[f'{d}: {device_name(d)}' for d in devices],
        threads=torch.get_num_threads(),
        input=f'{w}x{h}',
        dtype='float32',
        batch_sizes=list(batch_sizes),
        runs=runs,
        warmup=warmup,
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
        for bs in batch_sizes:
            r = benchmark(forward, device, bs, (w, h), runs,
                          warmup)
            r['gflops_per_s'] = flops * bs / r['median_s'] / 1e9
            result['results'].append(r)
            print(f'{device} batch {bs}: median {r["median_s"]:.4f} s '
                  f'(mean {r["mean_s"]:.4f}, min {r["min_s"]:.4f}, max '
                  f'{r["max_s"]:.4f}; {runs} runs after {warmup} '
                  f'warm-up) -> {r["images_per_s"]:.2f} images/s, '
                  f'{r["gflops_per_s"]:.1f} GFLOP/s, peak memory '
                  f'{r["peak_mem_mb"]:.0f} MB ({r["memory_method"]})')
    if out:
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        with open(out, 'w') as f:
            json.dump(result, f, indent=2)
    return result
