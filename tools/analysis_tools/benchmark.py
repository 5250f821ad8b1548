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

from a2jt_mmpose.apis.benchmark import MIN_RUNS, run_benchmark


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
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        return run_benchmark(args.config, args.batch_sizes, args.runs,
                             args.warmup, args.threads, args.device,
                             args.out)
    except ValueError as e:
        raise SystemExit(f'benchmark: {e}') from None


if __name__ == '__main__':
    main()
