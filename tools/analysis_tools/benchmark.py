# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Parameters, FLOPs, latency and throughput of a config's model.

    python tools/analysis_tools/benchmark.py CONFIG [--batch-sizes 1 8]
        [--runs 10] [--warmup 3] [--threads 2] [--device cpu] [--out f.json]

FLOPs are counted with ``torch.utils.flop_counter`` (matmul / conv /
attention, 2 FLOPs per multiply-add; grid_sample and element-wise ops are not
counted), the same convention as the official measurement (52.1 GFLOPs at
256 x 256). Latency is the median of ``--runs`` timed forward passes in
``torch.inference_mode()`` after ``--warmup`` untimed ones, from the input
tensor to the fused joints (data loading and decoding excluded).
"""
import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time

import torch
from mmengine.config import Config
from torch.utils.flop_counter import FlopCounterMode


def parse_args():
    parser = argparse.ArgumentParser(description='Benchmark a model')
    parser.add_argument('config')
    parser.add_argument('--batch-sizes', type=int, nargs='+', default=[1])
    parser.add_argument('--runs', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out', help='write the results as json')
    return parser.parse_args()


def build_model(config, device):
    from mmpose.registry import MODELS
    from mmpose.utils import register_all_modules
    register_all_modules()
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None  # no download; weights don't matter
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model.to(device).eval(), cfg


def input_size(cfg):
    size = cfg.model.neck.get('input_size', None) or cfg.codec.input_size
    return tuple(size)


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    model, cfg = build_model(args.config, args.device)
    w, h = input_size(cfg)

    def forward(x):
        return model.head(model.neck(model.backbone(x)))

    n_params = sum(p.numel() for p in model.parameters())
    n_trainable = sum(p.numel() for p in model.parameters()
                      if p.requires_grad)
    with torch.inference_mode():
        counter = FlopCounterMode(display=False)
        with counter:
            forward(torch.rand(1, 3, h, w, device=args.device))
        flops = counter.get_total_flops()

    settings = dict(
        config=os.path.relpath(args.config),
        device=args.device,
        threads=torch.get_num_threads(),
        input=f'{w}x{h}',
        runs=args.runs,
        warmup=args.warmup,
        torch=torch.__version__,
        cpu=platform.processor() or platform.machine(),
        python=sys.version.split()[0])
    result = dict(
        settings=settings,
        params=n_params,
        trainable_params=n_trainable,
        gflops_per_image=flops / 1e9,
        latency={})
    print('settings: ' + ', '.join(f'{k}={v}' for k, v in settings.items()))
    print(f'params: {n_params / 1e6:.2f} M (trainable '
          f'{n_trainable / 1e6:.2f} M), FLOPs: {flops / 1e9:.1f} G / image')
    for bs in args.batch_sizes:
        x = torch.rand(bs, 3, h, w, device=args.device)
        times = []
        with torch.inference_mode():
            for i in range(args.warmup + args.runs):
                if args.device.startswith('cuda'):
                    torch.cuda.synchronize()
                t0 = time.perf_counter()
                forward(x)
                if args.device.startswith('cuda'):
                    torch.cuda.synchronize()
                if i >= args.warmup:
                    times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result['latency'][bs] = dict(
            median_s=med,
            min_s=min(times),
            max_s=max(times),
            images_per_s=bs / med,
            gflops_per_s=flops * bs / med / 1e9,
            peak_rss_mb=peak_mb)
        print(f'batch {bs}: median {med:.3f} s (min {min(times):.3f}, max '
              f'{max(times):.3f}) -> {bs / med:.2f} images/s, '
              f'{flops * bs / med / 1e9:.1f} GFLOP/s, peak RSS {peak_mb:.0f} '
              'MB')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)


if __name__ == '__main__':
    main()
