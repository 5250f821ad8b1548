# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Speed, memory and accuracy of a config's inference paths; training step.

    python tools/analysis_tools/benchmark.py CONFIG [CHECKPOINT]
        [--batch-sizes 1 8] [--paths eager fast bf16] [--runs 10]
        [--warmup 3] [--threads 2] [--device auto|cpu|cuda ...] [--out f.json]
    python tools/analysis_tools/benchmark.py CONFIG --train [--batch-sizes 4]
        [--paths eager fast bf16] [--runs 10] [--warmup 2] [--threads 2]

Inference paths (``--paths``; the first is the reference):

- ``eager``: float32, mmcv's multi-scale deformable attention (on the CPU
  its pure-PyTorch ``multi_scale_deformable_attn_pytorch``: the model as it
  ran before the package's CPU attention path; on CUDA mmcv's kernel);
- ``fast``: float32, the package's CPU attention path (the default);
- ``bf16``: ``model.test_cfg.precision='bf16'``: bfloat16 autocast, float32
  sampling locations, sampling and anchor-to-joint fusion (on CUDA: AMP).

Per device, batch size and path:

- latency: the median (also mean, std, min, max) of ``--runs`` (>= 10)
  timed forward passes after ``--warmup`` untimed rounds, in
  ``torch.inference_mode()``, from the input tensor to the fused joints of
  every decoder layer (loading, preprocessing, decoding excluded); the paths
  are interleaved run by run on the same random input; on CUDA each pass is
  bracketed by ``torch.cuda.synchronize()``. Throughput: batch / median.
  ``ratio``: median / the reference path's median, in the same run.
- accuracy: the max difference of the last decoder layer's joints to the
  reference path's on that input, in input pixels (x, y) and the codec's
  depth unit (z: bins for InterHand2.6M / RHD, mm for the depth datasets).
  Meaningful with trained or converted weights (``CHECKPOINT``).
- FLOPs: counted once with ``torch.utils.flop_counter`` at batch 1 (matmul /
  conv / attention, 2 FLOPs per multiply-add; grid_sample and element-wise
  ops are not counted), the same convention as the official measurement
  (52.1 GFLOPs at 256 x 256).
- peak memory of one extra, untimed pass. CPU: the peak resident set size
  (RSS) during the pass minus the RSS just before it (``psutil``, sampled
  every 0.5 ms in a thread; glibc's ``malloc_trim`` first returns the memory
  freed by earlier passes; without psutil, the growth of ``getrusage``
  ``ru_maxrss``), plus the process's peak RSS so far. CUDA:
  ``torch.cuda.max_memory_allocated`` during the pass minus the memory
  allocated before it (activations and workspace), and the caching
  allocator's peak reserved.
- ``--device auto`` (the default) measures the CPU and, when
  ``torch.cuda.is_available()``, the GPU (mmcv must be built with CUDA).

``--train`` times training steps on the CPU instead (random weights,
synthetic targets, the config's optimiser; ``bf16`` autocasts the forward
as ``CPUAmpOptimWrapper`` does), the paths interleaved step by step.

The settings are printed with the numbers and stored in the JSON file
(``--out``).
"""
import argparse

from a2jt_mmpose.apis.benchmark import (DEFAULT_PATHS, INFERENCE_PATHS,
                                        MIN_RUNS, run_benchmark,
                                        run_train_benchmark)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark a model\'s inference paths or training step')
    parser.add_argument('config')
    parser.add_argument(
        'checkpoint', nargs='?', help='weights (random if absent)')
    parser.add_argument(
        '--batch-sizes',
        type=int,
        nargs='+',
        help='default: 1 (inference), 4 (--train)')
    parser.add_argument(
        '--paths',
        nargs='+',
        default=list(DEFAULT_PATHS),
        choices=list(INFERENCE_PATHS),
        help='inference paths; the first is the reference')
    parser.add_argument(
        '--runs',
        type=int,
        default=MIN_RUNS,
        help=f'timed passes per batch size and path (>= {MIN_RUNS})')
    parser.add_argument(
        '--warmup', type=int, help='untimed rounds (default 3; 2 --train)')
    parser.add_argument(
        '--threads', type=int, default=2, help='CPU threads of PyTorch')
    parser.add_argument(
        '--device',
        nargs='+',
        default=['auto'],
        help='cpu, cuda, cuda:N, or auto (cpu, plus cuda when available)')
    parser.add_argument(
        '--train', action='store_true', help='time training steps (CPU)')
    parser.add_argument('--out', help='write the results as json')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        if args.train:
            if args.checkpoint or args.device != ['auto']:
                raise ValueError('--train runs on the CPU from random '
                                 'weights: no CHECKPOINT or --device')
            return [
                run_train_benchmark(
                    args.config,
                    batch_size=bs,
                    runs=args.runs,
                    warmup=args.warmup or 2,
                    threads=args.threads,
                    paths=args.paths,
                    out=args.out) for bs in (args.batch_sizes or [4])
            ]
        return run_benchmark(
            args.config,
            batch_sizes=args.batch_sizes or [1],
            runs=args.runs,
            warmup=args.warmup or 3,
            threads=args.threads,
            devices=args.device,
            paths=args.paths,
            checkpoint=args.checkpoint,
            out=args.out)
    except ValueError as e:
        raise SystemExit(f'benchmark: {e}') from None


if __name__ == '__main__':
    main()
