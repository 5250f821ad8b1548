# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import copy

import pytest
import torch
from mmcv.ops import MultiScaleDeformableAttention
from mmcv.ops.multi_scale_deform_attn import \
    multi_scale_deformable_attn_pytorch

from mmengine.config import Config
from mmpose.registry import MODELS

import a2jt_mmpose.models.utils.gather_ms_deform_attn as gather_module
from a2jt_mmpose.models.utils import (GatherMultiScaleDeformableAttention,
                                      multi_scale_deformable_attn_gather)
from conftest import TINY_CONFIG

torch.set_num_threads(2)

# (rtol, atol) of outputs and gradients against mmcv's function
TOL = {torch.float32: (1e-5, 1e-5), torch.float64: (1e-10, 1e-10)}


def _inputs(shapes, batch, queries, heads, dims, points, dtype, seed=0,
            low=-0.3, high=1.3):
    g = torch.Generator().manual_seed(seed)
    spatial_shapes = torch.tensor(shapes, dtype=torch.long)
    num_keys = int(spatial_shapes.prod(1).sum())
    levels = len(shapes)
    value = torch.randn(batch, num_keys, heads, dims, generator=g,
                        dtype=dtype)
    loc = low + (high - low) * torch.rand(
        batch, queries, heads, levels, points, 2, generator=g, dtype=dtype)
    attn = torch.rand(batch, queries, heads, levels, points, generator=g,
                      dtype=dtype)
    return value, spatial_shapes, loc, attn


def _compare(value, spatial_shapes, loc, attn):
    """Outputs and gradients of both functions; asserts they agree."""
    rtol, atol = TOL[value.dtype]
    results = []
    for fn in (multi_scale_deformable_attn_pytorch,
               multi_scale_deformable_attn_gather):
        leaves = [t.clone().requires_grad_() for t in (value, loc, attn)]
        out = fn(leaves[0], spatial_shapes, leaves[1], leaves[2])
        grad_out = torch.linspace(
            -1, 2, out.numel(), dtype=out.dtype).view_as(out)
        grads = torch.autograd.grad(out, leaves, grad_out)
        results.append((out, ) + grads)
    names = ('output', 'grad value', 'grad sampling_locations',
             'grad attention_weights')
    for name, ref, got in zip(names, *results):
        assert got.shape == ref.shape, name
        assert got.dtype == ref.dtype, name
        scale = ref.abs().max().item()
        assert scale > 0, name  # the case must exercise the quantity
        err = (got - ref).abs().max().item()
        assert err <= atol + rtol * scale, (name, err, scale)
    return results


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_random_points_inside_and_outside(dtype):
    # 4 levels of different sizes (non-square, a 1-pixel-wide one), batch 2,
    # about 40 % of the points partly or fully outside their map
    value, shapes, loc, attn = _inputs(
        [(6, 7), (3, 5), (2, 2), (1, 3)], batch=2, queries=13, heads=3,
        dims=4, points=5, dtype=dtype)
    _compare(value, shapes, loc, attn)


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_exact_borders_and_pixel_centres(dtype):
    # locations exactly on the map edges (0 and 1), on pixel centres and
    # on the half-pixel lines between them, and exactly one pixel outside
    shapes = [(4, 4), (2, 8)]
    value, spatial_shapes, _, attn = _inputs(
        shapes, batch=1, queries=1, heads=2, dims=3, points=1, dtype=dtype)
    grid = torch.tensor([0., 1., 0.125, 0.25, 0.5, 0.875, 1.125, -0.125],
                        dtype=dtype)
    xs, ys = torch.meshgrid(grid, grid, indexing='xy')
    pts = torch.stack((xs.flatten(), ys.flatten()), -1)  # (64, 2)
    q = pts.shape[0]
    loc = pts.view(1, q, 1, 1, 1, 2).expand(1, q, 2, 2, 1, 2).contiguous()
    attn = attn.expand(1, q, 2, 2, 1).contiguous()
    _compare(value, spatial_shapes, loc, attn)


def test_far_outside_and_nan_give_zero():
    value, shapes, loc, attn = _inputs(
        [(3, 3), (2, 2)], batch=2, queries=4, heads=2, dims=3, points=2,
        dtype=torch.float32)
    loc[:, 0] = 7.  # far right / below
    loc[:, 1] = -5.  # far left / above
    loc[:, 2] = 1e30
    loc[:, 3] = float('nan')
    out = multi_scale_deformable_attn_gather(value, shapes, loc, attn)
    assert torch.equal(out[:, :3], torch.zeros_like(out[:, :3]))
    ref = multi_scale_deformable_attn_pytorch(value, shapes, loc[:, :3],
                                              attn[:, :3])
    assert torch.equal(ref, torch.zeros_like(ref))
    assert torch.isfinite(out[:, 3]).all()


def test_model_shapes_decoder_batch3():
    # the tiny model's levels (16x16, 8x8, 8x8, 4x4), 4 heads x 32 channels,
    # locations around a reference point as the model makes them
    value, shapes, loc, attn = _inputs(
        [(16, 16), (8, 8), (8, 8), (4, 4)], batch=3, queries=50, heads=4,
        dims=32, points=4, dtype=torch.float32, low=-0.05, high=1.05)
    attn = attn.view(3, 50, 4, 16).softmax(-1).view(3, 50, 4, 4, 4)
    _compare(value, shapes, loc, attn)


def test_gradient_subsets():
    """Only some inputs need a gradient (e.g. a frozen value)."""
    value, shapes, loc, attn = _inputs(
        [(3, 4), (2, 2)], batch=2, queries=5, heads=2, dims=3, points=2,
        dtype=torch.float64)
    for needs in ((True, False, False), (False, True, False),
                  (False, False, True)):
        grads = []
        for fn in (multi_scale_deformable_attn_pytorch,
                   multi_scale_deformable_attn_gather):
            leaves = [
                t.clone().requires_grad_(n)
                for t, n in zip((value, loc, attn), needs)
            ]
            out = fn(leaves[0], shapes, leaves[1], leaves[2])
            wanted = [t for t in leaves if t.requires_grad]
            grads.append(torch.autograd.grad(out.sum(), wanted)[0])
        assert torch.allclose(grads[0], grads[1], rtol=1e-10, atol=1e-10)


def test_gradcheck_float64():
    value, shapes, loc, attn = _inputs(
        [(3, 4), (2, 3)], batch=1, queries=3, heads=2, dims=2, points=2,
        dtype=torch.float64, low=0.05, high=0.95)
    leaves = [t.clone().requires_grad_() for t in (value, loc, attn)]
    assert torch.autograd.gradcheck(
        lambda v, s, a: multi_scale_deformable_attn_gather(v, shapes, s, a),
        leaves)


def test_wrong_shapes_refused():
    value, shapes, loc, attn = _inputs(
        [(3, 4), (2, 3)], batch=1, queries=3, heads=2, dims=2, points=2,
        dtype=torch.float32)
    with pytest.raises(ValueError, match='value_spatial_shapes'):
        multi_scale_deformable_attn_gather(value, shapes[:1], loc, attn)


def _module_pair(**kwargs):
    torch.manual_seed(0)
    ref = MultiScaleDeformableAttention(**kwargs)
    ours = GatherMultiScaleDeformableAttention(**kwargs)
    for lin in (ref.sampling_offsets, ref.attention_weights):
        torch.nn.init.normal_(lin.weight, std=0.05)
    ours.load_state_dict(ref.state_dict())
    assert list(ours.state_dict()) == list(ref.state_dict())
    return ref.eval(), ours.eval()


@pytest.mark.parametrize('batch_first', [True, False])
def test_module_equals_mmcv(batch_first):
    ref, ours = _module_pair(
        embed_dims=16, num_heads=2, num_levels=2, num_points=3,
        batch_first=batch_first)
    shapes = torch.tensor([[4, 5], [2, 3]])
    g = torch.Generator().manual_seed(1)
    b, q, n = 2, 7, 26
    query = torch.randn(b, q, 16, generator=g)
    value = torch.randn(b, n, 16, generator=g)
    pos = torch.randn(b, q, 16, generator=g)
    mask = torch.zeros(b, n, dtype=torch.bool)
    mask[1, -4:] = True
    for ref_pts in (torch.rand(b, q, 2, 2, generator=g),
                    torch.rand(b, q, 2, 4, generator=g)):
        args = [query, value, pos]
        if not batch_first:
            args = [t.transpose(0, 1) for t in args]
        kw = dict(
            query=args[0], value=args[1], query_pos=args[2],
            key_padding_mask=mask, reference_points=ref_pts,
            spatial_shapes=shapes,
            level_start_index=torch.tensor([0, 20]))
        assert ours.uses_gather(args[1])
        torch.testing.assert_close(ours(**kw), ref(**kw), rtol=1e-5,
                                   atol=1e-5)


def test_module_falls_back_to_mmcv(monkeypatch):
    _, ours = _module_pair(embed_dims=16, num_heads=2, num_levels=1,
                           num_points=2, batch_first=True)
    calls = []
    monkeypatch.setattr(
        gather_module, 'multi_scale_deformable_attn_gather',
        lambda *a: calls.append(1) or multi_scale_deformable_attn_gather(*a))
    x = torch.randn(1, 6, 16)
    kw = dict(query=x, value=x, reference_points=torch.rand(1, 6, 1, 2),
              spatial_shapes=torch.tensor([[2, 3]]),
              level_start_index=torch.tensor([0]))
    ours(**kw)
    assert calls == [1]
    ours.cpu_gather = False
    assert not ours.uses_gather(x)
    ours(**kw)
    assert calls == [1]
    ours.cpu_gather = True
    assert ours.uses_gather(x.half()) and ours.uses_gather(x.bfloat16())
    assert not ours.uses_gather(torch.empty(0, device='meta'))
    assert not ours.uses_gather(torch.zeros(2, dtype=torch.long))


def test_module_under_bfloat16_autocast(monkeypatch):
    """Under bfloat16 autocast (the bf16 inference path, AMP training) the
    projections run in bfloat16 but the sampling is float32: the gather gets
    float32 value, attention weights and sampling locations that were not
    rounded to bfloat16, and returns bfloat16. The result is within
    bfloat16 rounding of the float32 module, and trains (gradients reach the
    sampling-offset and attention-weight projections)."""
    _, ours = _module_pair(embed_dims=32, num_heads=2, num_levels=2,
                           num_points=3, batch_first=True)
    seen = []
    monkeypatch.setattr(
        gather_module, 'multi_scale_deformable_attn_gather',
        lambda *a: seen.append(a) or multi_scale_deformable_attn_gather(*a))
    g = torch.Generator().manual_seed(2)
    shapes = torch.tensor([[6, 5], [3, 3]])
    query = torch.randn(2, 9, 32, generator=g)
    value = torch.randn(2, 39, 32, generator=g)
    kw = dict(query=query, value=value,
              reference_points=torch.rand(2, 9, 2, 2, generator=g),
              spatial_shapes=shapes, level_start_index=torch.tensor([0, 30]))
    ref = ours(**kw)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = ours(**kw)
        value_in, _, loc, attn = seen[-1]
        sampled = multi_scale_deformable_attn_gather(*seen[-1])
        expected = ours.output_proj(sampled.bfloat16()) + query
    assert value_in.dtype == loc.dtype == attn.dtype == torch.float32
    assert sampled.dtype == torch.float32
    # the residual stream keeps the query's float32
    assert out.dtype == ref.dtype == torch.float32
    torch.testing.assert_close(out, expected)
    # the locations keep float32 resolution (reference + bf16 offsets)
    assert (loc - loc.bfloat16().float()).abs().max() > 0
    err = (out.float() - ref).abs().max() / ref.abs().max()
    assert 0 < err < 2e-2, err
    ours.train()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        ours(**kw).float().square().sum().backward()
    for lin in (ours.sampling_offsets, ours.attention_weights,
                ours.value_proj):
        assert lin.weight.grad.abs().sum() > 0
        assert torch.isfinite(lin.weight.grad).all()


def test_neck_uses_gather_on_cpu(monkeypatch):
    """Every deformable attention of the neck takes the gather on CPU, and
    the neck's output and gradients equal those of mmcv's CPU path."""
    neck = MODELS.build(
        copy.deepcopy(Config.fromfile(TINY_CONFIG).model.neck))
    neck.init_weights()
    neck.eval()
    attns = [
        m for m in neck.modules()
        if isinstance(m, MultiScaleDeformableAttention)
    ]
    # encoder + decoder layers of the tiny model
    n_enc, n_dec = neck.encoder.num_layers, neck.num_decoder_layers
    assert len(attns) == n_enc + n_dec == 5
    assert all(type(m) is GatherMultiScaleDeformableAttention for m in attns)
    calls = []
    monkeypatch.setattr(
        gather_module, 'multi_scale_deformable_attn_gather',
        lambda *a: calls.append(a[0].shape) or
        multi_scale_deformable_attn_gather(*a))
    g = torch.Generator().manual_seed(0)
    feats = [
        torch.rand(2, c, s, s, generator=g)
        for c, s in ((128, 16), (256, 8), (512, 8))
    ]
    results = []
    for gather in (True, False):
        for m in attns:
            m.cpu_gather = gather
        leaves = [f.clone().requires_grad_() for f in feats]
        out, _ = neck(leaves)
        grads = torch.autograd.grad(out.square().sum(), leaves)
        results.append((out, ) + grads)
        if gather:
            # every layer: the 400 tokens (4 heads x 32 channels)
            assert len(calls) == n_enc + n_dec
            assert all(s == (2, 400, 4, 32) for s in calls)
    assert len(calls) == n_enc + n_dec  # mmcv's path did not call the gather
    for ours, ref in zip(*results):
        torch.testing.assert_close(ours, ref, rtol=1e-4, atol=1e-5)


def test_device_kernel_gets_float32_under_autocast(monkeypatch):
    """On CUDA / MLU tensors mmcv's kernel runs (it has no bfloat16): under
    bfloat16 autocast it gets float32 value, locations and weights with the
    level start index and im2col step, and its output returns to the value's
    dtype. (No GPU here: the kernel is replaced by mmcv's PyTorch function
    and the module told that the tensors are on a device.)"""
    _, ours = _module_pair(embed_dims=16, num_heads=2, num_levels=2,
                           num_points=2, batch_first=True)
    calls = []

    class FakeKernel:

        @staticmethod
        def apply(value, shapes, start, loc, attn, im2col_step):
            calls.append((value.dtype, loc.dtype, attn.dtype, start.tolist(),
                          im2col_step))
            return multi_scale_deformable_attn_pytorch(value, shapes, loc,
                                                       attn)

    monkeypatch.setattr(gather_module, 'MultiScaleDeformableAttnFunction',
                        FakeKernel)
    monkeypatch.setattr(GatherMultiScaleDeformableAttention, 'uses_gather',
                        lambda self, v: False)
    monkeypatch.setattr(GatherMultiScaleDeformableAttention,
                        'uses_device_kernel', lambda self, v: True)
    x = torch.randn(1, 26, 16)
    kw = dict(query=x, value=x, reference_points=torch.rand(1, 26, 2, 2),
              spatial_shapes=torch.tensor([[4, 5], [2, 3]]),
              level_start_index=torch.tensor([0, 20]))
    ref = ours(**kw)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = ours(**kw)
    assert calls == [(torch.float32, ) * 3 + ([0, 20], 64)] * 2
    assert out.dtype == torch.float32  # the float32 query's residual
    assert 0 < (out - ref).abs().max() < 0.05
