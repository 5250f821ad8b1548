# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Parameters, FLOPs, latency, throughput, peak memory and accuracy of a
config's model on its inference paths (:func:`run_benchmark`), and the time
of a training step (:func:`run_train_benchmark`);
``tools/analysis_tools/benchmark.py`` is their command line, whose docstring
gives the conventions."""
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
from contextlib import contextmanager, nullcontext
from typing import Callable, Dict, List, Optional, Sequence

import torch
from torch.utils.flop_counter import FlopCounterMode

from .models import build_pose_model, config_input_size

#: the fewest timed passes a median is taken over
MIN_RUNS = 10

#: inference paths: name -> (kernels on the CPU, ``model.test_cfg.precision``).
#: ``eager`` is the reference: float32 and the ``original`` kernels, the
#: model as it ran before the package's CPU speed-ups (the deformable
#: attention through mmcv's pure-PyTorch ``multi_scale_deformable_attn_pytorch``
#: on the CPU, mmcv's kernel on CUDA; the decoder self-attention with
#: explicit attention maps; a contiguous-format backbone). ``fast`` is the
#: default float32 path with the ``package`` kernels (the gather for the
#: deformable attention on the CPU, the self-attention without maps, a
#: channels-last backbone), ``bf16`` the reduced-precision path (bfloat16
#: autocast, float32 sampling and fusion). On CUDA the deformable attention
#: is mmcv's kernel on every path, and ``bf16`` is autocast mixed precision
#: (AMP).
INFERENCE_PATHS = dict(
    eager=('original', 'fp32'),
    fast=('package', 'fp32'),
    bf16=('package', 'bf16'))
DEFAULT_PATHS = ('eager', 'fast', 'bf16')


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


def check_paths(paths: Sequence[str]) -> List[str]:
    """The path names, checked against :data:`INFERENCE_PATHS`, without
    repeats."""
    if not paths:
        raise ValueError('give at least one path')
    for name in paths:
        if name not in INFERENCE_PATHS:
            raise ValueError(f'unknown path {name!r}: choose from '
                             f'{tuple(INFERENCE_PATHS)}')
    return list(dict.fromkeys(paths))


@contextmanager
def inference_path(model: torch.nn.Module, name: str):
    """Run ``model`` on path ``name`` (:data:`INFERENCE_PATHS`) inside the
    block: its kernels (``cpu_gather`` of every
    :class:`GatherMultiScaleDeformableAttention`, ``fused`` of every
    :class:`FusedMultiheadAttention`, ``channels_last`` of every module
    with ``set_channels_last``) and the estimator's ``test_cfg.precision``
    (:class:`A2JTPoseEstimator`); all restored after."""
    from ..models.utils import (FusedMultiheadAttention,
                                GatherMultiScaleDeformableAttention)
    kernels, precision = INFERENCE_PATHS[name]
    if not hasattr(model, 'set_precision'):
        raise ValueError(
            f'{type(model).__name__} has no precision switch: the benchmark '
            'needs model.type="A2JTPoseEstimator" (every config of the '
            'package sets it)')
    switches = [(m, 'cpu_gather') for m in model.modules()
                if isinstance(m, GatherMultiScaleDeformableAttention)]
    switches += [(m, 'fused') for m in model.modules()
                 if isinstance(m, FusedMultiheadAttention)]
    layouts = [m for m in model.modules() if hasattr(m, 'set_channels_last')]
    saved = ([getattr(m, attr) for m, attr in switches],
             [m.channels_last for m in layouts], model.precision)
    package = kernels == 'package'
    try:
        for m, attr in switches:
            setattr(m, attr, package)
        for m in layouts:
            if m.channels_last != package:
                m.set_channels_last(package)
        model.set_precision(precision)
        yield
    finally:
        for (m, attr), flag in zip(switches, saved[0]):
            setattr(m, attr, flag)
        for m, flag in zip(layouts, saved[1]):
            if m.channels_last != flag:
                m.set_channels_last(flag)
        model.set_precision(saved[2])


def _peak_memory(forward: Callable, x: torch.Tensor, device: str) -> dict:
    """Peak memory of one extra, untimed pass (see the tool's docstring)."""
    if device.startswith('cuda'):
        torch.cuda.synchronize(device)
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        forward(x)
        torch.cuda.synchronize(device)
        return dict(
            peak_mem_mb=(torch.cuda.max_memory_allocated(device) - before) /
            2**20,
            peak_allocated_mb=torch.cuda.max_memory_allocated(device) / 2**20,
            peak_reserved_mb=torch.cuda.max_memory_reserved(device) / 2**20,
            memory_method='torch.cuda.max_memory_allocated during one pass '
            'minus allocated before (inputs and weights excluded)')
    sampler = RssSampler()
    with sampler:
        forward(x)
    return dict(
        peak_mem_mb=sampler.delta_mb,
        process_peak_rss_mb=max_rss_mb(),
        memory_method=sampler.method)


def benchmark(forwards: Dict[str, Callable],
              device: str,
              batch_size: int,
              size,
              runs: int,
              warmup: int,
              seed: int = 0,
              contexts: Optional[Dict[str, Callable]] = None) -> List[dict]:
    """Latency, throughput, peak memory and output difference of several
    forward functions on one random input batch.

    The functions are timed interleaved, run by run (after ``warmup``
    rounds), so that a change in the machine's load affects them alike.

    Args:
        forwards (dict): name -> function of the input ``(B, 3, H, W)``
            returning the joints ``(L, B, K, 3)`` (or ``(B, K, 3)``); the
            first is the reference of ``ratio`` and the output differences.
        device (str): ``cpu``, ``cuda``, ``cuda:N``.
        batch_size (int): B.
        size (tuple): ``(w, h)`` in pixels.
        runs (int): timed passes per function.
        warmup (int): untimed rounds first.
        seed (int): seed of the random input (uniform in [0, 1)).
        contexts (dict, optional): name -> factory of a context manager
            that every pass of that function runs in, entered and left
            outside the timer (e.g. :func:`inference_path`, whose switch
            of the backbone's memory format is no part of a pass).

    Returns:
        list[dict]: one row per function, in order.
    """
    w, h = size
    is_cuda = device.startswith('cuda')
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(batch_size, 3, h, w, generator=g).to(device)

    def sync():
        if is_cuda:
            torch.cuda.synchronize(device)

    names = list(forwards)
    contexts = contexts or {}

    def context(name):
        return contexts[name]() if name in contexts else nullcontext()

    times = {name: [] for name in names}
    outputs, memory = {}, {}
    with torch.inference_mode():
        for name in names:
            with context(name):
                out = forwards[name](x)
            out = out[-1] if out.dim() == 4 else out
            outputs[name] = out.detach().float().cpu()
        for i in range(warmup + runs):
            for name in names:
                with context(name):
                    sync()
                    t0 = time.perf_counter()
                    forwards[name](x)
                    sync()
                    if i >= warmup:
                        times[name].append(time.perf_counter() - t0)
        for name in names:
            with context(name):
                memory[name] = _peak_memory(forwards[name], x, device)
    ref = names[0]
    ref_median = statistics.median(times[ref])
    rows = []
    for name in names:
        t = times[name]
        med = statistics.median(t)
        diff = (outputs[name] - outputs[ref]).abs()
        rows.append(
            dict(
                device=device,
                batch_size=batch_size,
                path=name,
                median_s=med,
                mean_s=statistics.mean(t),
                std_s=statistics.stdev(t),
                min_s=min(t),
                max_s=max(t),
                images_per_s=batch_size / med,
                reference=ref,
                ratio=med / ref_median,
                max_joint_diff_xy=float(diff[..., :2].max()),
                max_joint_diff_z=float(diff[..., 2].max()),
                **memory[name]))
    return rows


def run_benchmark(config: str,
                  batch_sizes: Sequence[int] = (1, ),
                  runs: int = MIN_RUNS,
                  warmup: int = 3,
                  threads: int = 2,
                  devices: Sequence[str] = ('auto', ),
                  paths: Sequence[str] = DEFAULT_PATHS,
                  checkpoint: Optional[str] = None,
                  out: Optional[str] = None) -> dict:
    """Benchmark the inference paths of the model of ``config`` and print
    the numbers with the settings.

    Args:
        config (str): config file.
        batch_sizes (Sequence[int]): batch sizes to time.
        runs (int): timed passes per batch size and path (>=
            :data:`MIN_RUNS`).
        warmup (int): untimed passes before them (>= 1).
        threads (int): CPU threads of PyTorch.
        devices (Sequence[str]): ``cpu``, ``cuda``, ``cuda:N`` or ``auto``.
        paths (Sequence[str]): names of :data:`INFERENCE_PATHS`; the first
            is the reference of the ratios and joint differences.
        checkpoint (str, optional): weights (random without).
        out (str, optional): json file for the result.

    Returns:
        dict: ``settings``, ``params``, ``trainable_params``, ``param_mb``,
        ``gflops_per_image`` and one entry per (device, batch size, path) in
        ``results`` (seconds, images/s, ratio to the reference path, max
        joint difference to it in px (x, y) and the codec's depth unit (z),
        MB).
    """
    if runs < MIN_RUNS:
        raise ValueError(f'runs must be >= {MIN_RUNS} (the median of at '
                         f'least {MIN_RUNS} timed passes), got {runs}')
    if warmup < 1:
        raise ValueError(f'warmup must be >= 1, got {warmup}')
    paths = check_paths(paths)
    torch.set_num_threads(threads)
    devices = resolve_devices(devices)
    model, cfg = build_pose_model(config, checkpoint)
    h, w = config_input_size(cfg)

    def forward(x):
        return model(x, None, mode='tensor')

    def path_of(name):
        return lambda: inference_path(model, name)

    n_params = sum(p.numel() for p in model.parameters())
    n_trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    param_mb = sum(p.numel() * p.element_size()
                   for p in model.parameters()) / 2**20
    with torch.inference_mode():
        counter = FlopCounterMode(display=False)
        with counter, inference_path(model, 'fast'):
            forward(torch.rand(1, 3, h, w))
        flops = counter.get_total_flops()

    import mmcv
    settings = dict(
        config=os.path.relpath(config),
        checkpoint=checkpoint,
        devices=[f'{d}: {device_name(d)}' for d in devices],
        threads=torch.get_num_threads(),
        input=f'{w}x{h}',
        paths={p: '/'.join(INFERENCE_PATHS[p])
               for p in paths},
        reference=paths[0],
        batch_sizes=list(batch_sizes),
        runs=runs,
        warmup=warmup,
        statistic='median, paths interleaved run by run',
        timed='backbone + neck + head forward, inference_mode',
        torch=torch.__version__,
        cuda=torch.version.cuda if any(d.startswith('cuda')
                                       for d in devices) else None,
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
            rows = benchmark(
                dict.fromkeys(paths, forward),
                device,
                bs, (w, h),
                runs,
                warmup,
                contexts={p: path_of(p)
                          for p in paths})
            for r in rows:
                r['gflops_per_s'] = flops * bs / r['median_s'] / 1e9
                result['results'].append(r)
                print(f'{device} batch {bs} {r["path"]}: median '
                      f'{r["median_s"]:.4f} s (mean {r["mean_s"]:.4f}, min '
                      f'{r["min_s"]:.4f}, max {r["max_s"]:.4f}; {runs} runs '
                      f'after {warmup} warm-up) -> {r["ratio"]:.3f} x '
                      f'{r["reference"]}, {r["images_per_s"]:.2f} images/s, '
                      f'{r["gflops_per_s"]:.1f} GFLOP/s; max joint '
                      f'difference to {r["reference"]}: '
                      f'{r["max_joint_diff_xy"]:.2e} px (x, y), '
                      f'{r["max_joint_diff_z"]:.2e} (z); peak memory '
                      f'{r["peak_mem_mb"]:.0f} MB ({r["memory_method"]})')
    _write_json(result, out)
    return result


def _write_json(result: dict, out: Optional[str]) -> None:
    if out:
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        with open(out, 'w') as f:
            json.dump(result, f, indent=2)


def synthetic_targets(model: torch.nn.Module,
                      batch_size: int,
                      seed: int = 0) -> list:
    """Data samples with random keypoint targets for a training step: K
    joints uniform within the box the anchor table spans (target space of
    the codec: input px, depth unit), every joint valid.

    Returns:
        list[PoseDataSample]: ``batch_size`` samples whose
        ``gt_instance_labels`` hold ``keypoint_labels`` ``(1, K, 3)`` and
        ``keypoint_weights`` ``(1, K)``.
    """
    from mmengine.structures import InstanceData
    from mmpose.structures import PoseDataSample
    g = torch.Generator().manual_seed(seed)
    anchors = model.neck.anchors.detach().float().cpu()
    low, high = anchors.min(0).values, anchors.max(0).values
    k = model.head.num_keypoints
    samples = []
    for _ in range(batch_size):
        joints = low + (high - low) * torch.rand(k, 3, generator=g)
        samples.append(
            PoseDataSample(
                gt_instance_labels=InstanceData(
                    keypoint_labels=joints[None],
                    keypoint_weights=torch.ones(1, k))))
    return samples


def run_train_benchmark(config: str,
                        batch_size: int = 4,
                        runs: int = MIN_RUNS,
                        warmup: int = 2,
                        threads: int = 2,
                        paths: Sequence[str] = DEFAULT_PATHS,
                        out: Optional[str] = None) -> dict:
    """Time a training step (forward with the losses, backward, the
    config's optimiser step) of the model of ``config`` on the CPU, per
    inference path (:data:`INFERENCE_PATHS`: the attention implementation,
    and bfloat16 autocast of the forward for ``bf16``, as
    ``CPUAmpOptimWrapper`` runs it), interleaved run by run.

    Args:
        config (str): config file.
        batch_size (int): images per step.
        runs (int): timed steps per path (>= :data:`MIN_RUNS`).
        warmup (int): untimed rounds first (>= 1).
        threads (int): CPU threads of PyTorch.
        paths (Sequence[str]): the first is the reference of the ratios.
        out (str, optional): json file for the result.

    Returns:
        dict: ``settings`` and ``results``, one entry per path (seconds per
        step, ratio to the reference).
    """
    if runs < MIN_RUNS:
        raise ValueError(f'runs must be >= {MIN_RUNS}, got {runs}')
    if warmup < 1:
        raise ValueError(f'warmup must be >= 1, got {warmup}')
    paths = check_paths(paths)
    from mmengine.optim import build_optim_wrapper
    torch.set_num_threads(threads)
    model, cfg = build_pose_model(config)
    model.train()
    optim_cfg = dict(cfg.optim_wrapper)
    optim_cfg['type'] = 'OptimWrapper'  # the autocast is the path's
    optim_cfg.pop('dtype', None)
    optimizer = build_optim_wrapper(model, optim_cfg)
    h, w = config_input_size(cfg)
    g = torch.Generator().manual_seed(0)
    x = torch.rand(batch_size, 3, h, w, generator=g)
    samples = synthetic_targets(model, batch_size)

    def step(name):
        _, precision = INFERENCE_PATHS[name]
        with torch.autocast(
                'cpu', dtype=torch.bfloat16, enabled=precision == 'bf16'):
            losses = model(x, samples, mode='loss')
        loss = sum(losses.values())
        optimizer.update_params(loss)
        if not torch.isfinite(loss):
            raise RuntimeError(f'path {name}: the loss is {float(loss)}')

    times = {p: [] for p in paths}
    for i in range(warmup + runs):
        for p in paths:
            # the path's switches (a backbone memory-format change) are no
            # part of the step
            with inference_path(model, p):
                t0 = time.perf_counter()
                step(p)
                if i >= warmup:
                    times[p].append(time.perf_counter() - t0)
    ref = statistics.median(times[paths[0]])
    settings = dict(
        config=os.path.relpath(config),
        device=device_name('cpu'),
        threads=torch.get_num_threads(),
        input=f'{w}x{h}',
        batch_size=batch_size,
        paths={p: '/'.join(INFERENCE_PATHS[p])
               for p in paths},
        reference=paths[0],
        runs=runs,
        warmup=warmup,
        timed='forward + losses + backward + optimiser step (config\'s '
        'optimiser), paths interleaved step by step, synthetic targets',
        torch=torch.__version__)
    result = dict(settings=settings, results=[])
    print('settings: ' + ', '.join(f'{k}={v}' for k, v in settings.items()))
    for p in paths:
        t = times[p]
        med = statistics.median(t)
        r = dict(
            path=p,
            batch_size=batch_size,
            median_s=med,
            min_s=min(t),
            max_s=max(t),
            ratio=med / ref,
            reference=paths[0])
        result['results'].append(r)
        print(f'train step batch {batch_size} {p}: median {med:.4f} s (min '
              f'{r["min_s"]:.4f}, max {r["max_s"]:.4f}; {runs} steps after '
              f'{warmup} warm-up) -> {r["ratio"]:.3f} x {paths[0]}')
    _write_json(result, out)
    return result
