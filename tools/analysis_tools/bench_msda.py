# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""CPU timings of multi-scale deformable attention implementations.

    python tools/analysis_tools/bench_msda.py [--batch-sizes 1 8 12]
        [--runs 5] [--threads 2] [--compile] [--variants mmcv gather ...]

Side by side, in one process, at the paper model's shapes (256 x 256 input:
levels 32x32, 16x16, 16x16, 8x8 = 1600 tokens; 8 heads x 32 channels,
4 levels x 4 points; encoder: 1600 queries, decoder: 768 anchor queries):

- ``mmcv``: ``mmcv.ops.multi_scale_deformable_attn_pytorch`` (reference:
  what mmcv's ``MultiScaleDeformableAttention`` runs on CPU tensors);
- ``gather``: :func:`a2jt_mmpose.models.utils.multi_scale_deformable_attn_gather`
  (one ``embedding_bag`` weighted gather);
- ``levelsum``: ``grid_sample`` per level, accumulating the weighted sum of
  each level instead of stacking all levels;
- ``compile_mmcv`` / ``compile_gather`` (with ``--compile``):
  ``torch.compile`` (inductor) of mmcv's function / of the gather; the first
  call per shape (compilation) is reported separately.

Each entry: median (and min) seconds of ``--runs`` calls after one warm-up
(the variants interleaved run by run), forward
(``no_grad``) and forward + backward (gradients w.r.t. value, sampling
locations and attention weights), and the ratio to ``mmcv``. The max abs
difference of each output to mmcv's is printed as a sanity check.
"""
import argparse
import statistics
import time

import torch
import torch.nn.functional as F
from mmcv.ops.multi_scale_deform_attn import \
    multi_scale_deformable_attn_pytorch

from a2jt_mmpose.models.utils.ms_deform_attn import \
    multi_scale_deformable_attn_gather

SHAPES = ((32, 32), (16, 16), (16, 16), (8, 8))
CALLS = dict(encoder=1600, decoder=768)


def levelsum(value, value_spatial_shapes, sampling_locations,
             attention_weights):
    """grid_sample per level, weighted sum per level (no stack / cat)."""
    bs, _, num_heads, dims = value.shape
    _, nq, _, num_levels, num_points, _ = sampling_locations.shape
    sizes = [int(h) * int(w) for h, w in value_spatial_shapes]
    value_list = value.split(sizes, dim=1)
    grids = 2 * sampling_locations - 1
    attn = attention_weights.transpose(1, 2).reshape(bs * num_heads, 1, nq,
                                                     num_levels, num_points)
    out = None
    for lvl, (h, w) in enumerate(value_spatial_shapes):
        v = value_list[lvl].flatten(2).transpose(1, 2).reshape(
            bs * num_heads, dims, int(h), int(w))
        g = grids[:, :, :, lvl].transpose(1, 2).flatten(0, 1)
        s = F.grid_sample(
            v, g, mode='bilinear', padding_mode='zeros', align_corners=False)
        s = (s * attn[..., lvl, :]).sum(-1)
        out = s if out is None else out + s
    return out.view(bs, num_heads * dims, nq).transpose(1, 2).contiguous()


def make_inputs(batch, num_queries, dtype=torch.float32, seed=0):
    g = torch.Generator().manual_seed(seed)
    shapes = torch.tensor(SHAPES, dtype=torch.long)
    n = int(shapes.prod(1).sum())
    value = torch.randn(batch, n, 8, 32, generator=g, dtype=dtype)
    # reference points in the map, offsets of a few pixels: a few points
    # fall outside (zero padding)
    loc = torch.rand(batch, num_queries, 8, 4, 4, 2, generator=g,
                     dtype=dtype) * 1.1 - 0.05
    attn = torch.randn(batch, num_queries, 8, 16, generator=g,
                       dtype=dtype).softmax(-1).view(
                           batch, num_queries, 8, 4, 4)
    return value, shapes, loc, attn


def timed(fn, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 8, 12])
    p.add_argument('--runs', type=int, default=5)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--compile', action='store_true')
    p.add_argument('--variants', nargs='+', default=None)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)

    variants = dict(
        mmcv=multi_scale_deformable_attn_pytorch,
        gather=multi_scale_deformable_attn_gather,
        levelsum=levelsum)
    if args.compile:
        variants['compile_mmcv'] = torch.compile(
            multi_scale_deformable_attn_pytorch)
        variants['compile_gather'] = torch.compile(
            multi_scale_deformable_attn_gather)
    if args.variants:
        variants = {k: variants[k] for k in ['mmcv'] + [
            v for v in args.variants if v != 'mmcv']}
    print(f'torch {torch.__version__}, threads {torch.get_num_threads()}, '
          f'median of {args.runs}')
    print(f'{"call":8s} {"B":>3s} {"variant":15s} {"fwd s":>9s} '
          f'{"ratio":>6s} {"fwd+bwd s":>10s} {"ratio":>6s} {"min fwd":>9s} '
          f'{"min f+b":>9s} {"1st s":>9s} {"max|d|":>9s}')
    for call, nq in CALLS.items():
        for b in args.batch_sizes:
            value, shapes, loc, attn = make_inputs(b, nq)
            leaves = [t.clone().requires_grad_() for t in (value, loc, attn)]
            funcs, first, diff = {}, {}, {}
            ref_out = None
            for name, fn in variants.items():

                def fwd(fn=fn):
                    with torch.no_grad():
                        return fn(value, shapes, loc, attn)

                def fwd_bwd(fn=fn):
                    o = fn(leaves[0], shapes, leaves[1], leaves[2])
                    return torch.autograd.grad(o, leaves, torch.ones_like(o))

                t0 = time.perf_counter()
                out = fwd()
                fwd_bwd()  # also compiles the backward graph
                first[name] = time.perf_counter() - t0
                ref_out = out if ref_out is None else ref_out
                diff[name] = (out - ref_out).abs().max().item()
                funcs[name] = (fwd, fwd_bwd)
            # interleaved: every run times each variant once, so that a
            # load change on the machine hits all of them alike
            times = {name: ([], []) for name in funcs}
            for _ in range(args.runs):
                for name, (fwd, fwd_bwd) in funcs.items():
                    for i, f in enumerate((fwd, fwd_bwd)):
                        t0 = time.perf_counter()
                        f()
                        times[name][i].append(time.perf_counter() - t0)
            med = {n: [statistics.median(t) for t in ts]
                   for n, ts in times.items()}
            mins = {n: [min(t) for t in ts] for n, ts in times.items()}
            for name in funcs:
                (tf, tb), (mf, mb) = med[name], mins[name]
                print(f'{call:8s} {b:3d} {name:15s} {tf:9.4f} '
                      f'{med["mmcv"][0] / tf:6.2f} {tb:10.4f} '
                      f'{med["mmcv"][1] / tb:6.2f} {mf:9.4f} {mb:9.4f} '
                      f'{first[name]:9.2f} {diff[name]:9.2e}',
                      flush=True)


if __name__ == '__main__':
    main()
