# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Multi-scale deformable attention core for CPU tensors.

mmcv computes the attention on the CPU with
``mmcv.ops.multi_scale_deformable_attn.multi_scale_deformable_attn_pytorch``:
one ``F.grid_sample`` per level into a ``(B*heads, C_h, Q, P)`` tensor, a
``stack`` of all levels (the ``L*P`` sampled values of every query and
channel, materialised and kept for the backward pass), a product with the
attention weights and a sum; autograd then runs the backward of each of
these steps.

:func:`multi_scale_deformable_attn_gather` computes the same output and
gradients with a hand-written autograd function:

- forward: one weighted gather. Each level of the value gets a zero
  border (one pixel before, two after, in both axes) and every pixel
  coordinate is clamped to ``[-1, W_l]`` (``[-1, H_l]``; NaN to -1): a
  corner outside its feature map then reads a zero of the border, as
  ``grid_sample``'s ``padding_mode='zeros'``, with no validity test per
  corner. Every sampling point contributes its four bilinear corners with
  weight ``attention * bilinear weight``; ``F.embedding_bag(mode='sum',
  per_sample_weights=...)`` sums the ``L*P*4`` weighted rows of the padded
  value, read in its ``(B, N, heads, C_h)`` layout (no transpose), per
  query and head, straight into the output layout ``(B, Q, heads*C_h)``,
  without materialising the sampled values.
- backward: the gradients w.r.t. the value and the sampling locations come
  from ATen's ``grid_sampler_2d_backward`` (the kernel behind mmcv's
  ``grid_sample`` backward, one call per level, with the output gradient
  times the attention weights as its output gradient), the gradient w.r.t.
  the attention weights from the per-corner dot products
  ``<grad_out[query, head], value[corner]>`` (a sampled dense-dense product,
  ``torch.sparse.sampled_addmm``) weighted by the bilinear weights.

The result equals mmcv's up to float rounding (the sums run in another
order). Double backward is not supported.
"""
import warnings
from typing import List, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.autograd.function import once_differentiable


#: zero border of each level in the padded value, in pixels before / after
#: (a clamped coordinate p in [-1, W] has corners floor(p) and floor(p) + 1,
#: at padded positions in [0, W + 2])
PAD_BEFORE, PAD_AFTER = 1, 2


def _level_constants(shapes: List[Tuple[int, int]], num_points: int,
                     device: torch.device) -> Tuple[Tensor, Tensor, Tensor]:
    """Per (level, point) constants.

    Returns:
        tuple: ``(L*P, 2)`` int64 map sizes ``(W_l, H_l)`` (the order of the
        sampling locations' last dimension), ``(L*P,)`` int64 padded widths
        ``W_l + 3`` and ``(L*P,)`` int64 level start offsets in the flattened
        padded value.
    """
    pad = PAD_BEFORE + PAD_AFTER
    sizes = torch.tensor([[w, h] for h, w in shapes], device=device)
    padded = sizes + pad
    starts = torch.cat((padded.new_zeros(1), padded.prod(1).cumsum(0)[:-1]))
    return (sizes.repeat_interleave(num_points, dim=0),
            padded[:, 0].repeat_interleave(num_points),
            starts.repeat_interleave(num_points))


def _pad_levels(value: Tensor, shapes: List[Tuple[int, int]]) -> Tensor:
    """The value ``(B, N, heads, C_h)`` with a zero border around each
    level: ``(B, sum_l (H_l + 3) * (W_l + 3), heads, C_h)``."""
    bs, _, num_heads, head_dims = value.shape
    pad = PAD_BEFORE + PAD_AFTER
    padded_sizes = [(h + pad) * (w + pad) for h, w in shapes]
    padded = value.new_zeros((bs, sum(padded_sizes), num_heads, head_dims))
    levels = value.split([h * w for h, w in shapes], 1)
    for level, (h, w), out in zip(levels, shapes,
                                  padded.split(padded_sizes, 1)):
        inside = out.view(bs, h + pad, w + pad, num_heads, head_dims)[
            :, PAD_BEFORE:h + PAD_BEFORE, PAD_BEFORE:w + PAD_BEFORE]
        inside.copy_(level.view(bs, h, w, num_heads, head_dims))
    return padded


def _bilinear_corners(loc: Tensor, size: Tensor, index_dtype: torch.dtype):
    """Bilinear corners of every sampling point, both axes at once.

    Args:
        loc (Tensor): ``(M, L*P*2)`` normalised ``(x, y)`` interleaved.
        size (Tensor): ``(L*P*2,)`` int64 map sizes ``(W_l, H_l)``
            interleaved the same way.
        index_dtype (torch.dtype): of the positions.

    Returns:
        tuple: weights of the corners ``p0 = floor(pixel coordinate)`` and
        ``p0 + 1``, and the padded position of ``p0`` (``p0 + 1``), each
        ``(M, L*P*2)``; the coordinate is first clamped to ``[-1, size]``
        (NaN to -1), where corners outside the map read the zero border.
    """
    size_f = size.to(loc.dtype)
    # grid_sample's unnormalisation for align_corners=False: pixel
    # coordinates with pixel centres at integers
    pix = loc * size_f - 0.5
    torch.nan_to_num_(pix, nan=-1.)
    torch.maximum(pix, pix.new_tensor(-1.), out=pix)
    torch.minimum(pix, size_f, out=pix)
    p0 = pix.floor()
    w1 = pix.sub_(p0)
    w0 = 1 - w1
    i0 = p0.to(index_dtype).add_(PAD_BEFORE)
    return w0, w1, i0


class MultiScaleDeformableAttnGather(torch.autograd.Function):
    """Autograd function of :func:`multi_scale_deformable_attn_gather`.

    Internally every tensor is laid out ``(M, ...)`` with ``M = B*Q*heads``
    and the ``L*P`` (level, point) pairs innermost, so that the element-wise
    work runs over long contiguous rows.
    """

    @staticmethod
    def forward(ctx, value: Tensor, value_spatial_shapes: Tensor,
                sampling_locations: Tensor,
                attention_weights: Tensor) -> Tensor:
        bs, num_keys, num_heads, head_dims = value.shape
        _, num_queries, _, num_levels, num_points, _ = \
            sampling_locations.shape
        shapes = [(int(h), int(w)) for h, w in value_spatial_shapes.tolist()]
        if len(shapes) != num_levels or sum(h * w for h, w in shapes) != \
                num_keys:
            raise ValueError(
                f'value_spatial_shapes {shapes} do not match the value '
                f'({num_keys} keys) and the sampling locations '
                f'({num_levels} levels)')
        dtype, device = value.dtype, value.device
        m, k = bs * num_queries * num_heads, num_levels * num_points
        sizes, padded_w, starts = _level_constants(shapes, num_points,
                                                   device)
        padded = _pad_levels(value, shapes)
        # row indices in int32 where they fit (int32 index arithmetic is
        # several times faster than int64's)
        index_dtype = torch.int32 if max(padded.shape[:3].numel(),
                                         m * 4 * k) < 2**31 else torch.int64
        # (M, L*P*2): x, y interleaved; the views [:, 0::2] / [:, 1::2] are
        # the x / y parts
        w0, w1, i0 = _bilinear_corners(
            sampling_locations.to(dtype).reshape(m, 2 * k), sizes.view(-1),
            index_dtype)
        wx0, wy0, wx1, wy1 = w0[:, 0::2], w0[:, 1::2], w1[:, 0::2], \
            w1[:, 1::2]
        attn = attention_weights.to(dtype).reshape(m, k)

        # row of padded corner (y, x) in the (B * N' * heads, C_h) padded
        # value: (b * N' + start_l + y * W'_l + x) * heads + head
        num_padded = padded.shape[1]
        base = ((torch.arange(bs, device=device) * num_padded).view(
            bs, 1, 1, 1) + starts) * num_heads + torch.arange(
                num_heads, device=device).view(1, 1, num_heads, 1)
        base = base.to(index_dtype).expand(bs, num_queries, num_heads,
                                           k).reshape(m, k)
        stride_y = (padded_w * num_heads).to(index_dtype)
        # bags of 4 * L * P weighted rows, corner-major: (y0, x0), (y0, x1),
        # (y1, x0), (y1, x1)
        rows = value.new_empty((m, 4, k), dtype=index_dtype)
        torch.addcmul(base, i0[:, 1::2], stride_y, out=rows[:, 0])
        rows[:, 0].add_(i0[:, 0::2] * num_heads)
        torch.add(rows[:, 0], num_heads, out=rows[:, 1])
        torch.add(rows[:, :2], stride_y, out=rows[:, 2:])
        ay0 = attn * wy0
        ay1 = attn * wy1
        corner_w = value.new_empty((m, 4, k))
        torch.mul(ay0, wx0, out=corner_w[:, 0])
        torch.mul(ay0, wx1, out=corner_w[:, 1])
        torch.mul(ay1, wx0, out=corner_w[:, 2])
        torch.mul(ay1, wx1, out=corner_w[:, 3])
        rows = rows.view(m, 4 * k)
        output = F.embedding_bag(
            rows,
            padded.view(-1, head_dims),
            mode='sum',
            per_sample_weights=corner_w.view(m, 4 * k))

        ctx.shapes = shapes
        ctx.num_points = num_points
        ctx.save_for_backward(value, sampling_locations, attention_weights,
                              rows, wx0, wx1, wy0, wy1)
        return output.view(bs, num_queries, num_heads * head_dims)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output: Tensor):
        (value, sampling_locations, attention_weights, rows, wx0, wx1, wy0,
         wy1) = ctx.saved_tensors
        shapes, num_points = ctx.shapes, ctx.num_points
        need_value, _, need_loc, need_attn = ctx.needs_input_grad
        bs, num_keys, num_heads, head_dims = value.shape
        num_queries = sampling_locations.shape[1]
        num_levels = len(shapes)
        dtype = value.dtype
        grad_output = grad_output.to(dtype)
        grad_value = grad_loc = grad_attn = None

        if need_value or need_loc:
            # ATen's grid_sample backward per level, the output laid out
            # (B*heads, C_h, P, Q) (queries innermost): output gradient
            # (B*heads, C_h, Q) times the attention (B*heads, P, Q)
            g_bh = grad_output.view(bs, num_queries, num_heads,
                                    head_dims).permute(0, 2, 3, 1).reshape(
                                        bs * num_heads, head_dims,
                                        num_queries).contiguous()
            attn_bh = attention_weights.to(dtype).permute(
                0, 2, 3, 4, 1).reshape(bs * num_heads, num_levels,
                                       num_points, num_queries)
            grid_bh = (2 * sampling_locations.to(dtype) - 1).permute(
                0, 2, 3, 4, 1, 5).reshape(bs * num_heads, num_levels,
                                          num_points, num_queries, 2)
            values = value.split([h * w for h, w in shapes], dim=1)
            grad_values, grad_grids = [], []
            for lvl, (h, w) in enumerate(shapes):
                value_l = values[lvl].flatten(2).transpose(1, 2).reshape(
                    bs * num_heads, head_dims, h, w)
                # one product per point: rows of Q contiguous elements
                grad_sampled = g_bh.new_empty(
                    (bs * num_heads, head_dims, num_points, num_queries))
                for pt in range(num_points):
                    torch.mul(
                        g_bh, attn_bh[:, lvl, pt:pt + 1],
                        out=grad_sampled[:, :, pt])
                grad_in, grad_grid = torch.ops.aten.grid_sampler_2d_backward(
                    grad_sampled, value_l, grid_bh[:, lvl], 0, 0, False,
                    [need_value, need_loc])
                if need_value:
                    grad_values.append(
                        grad_in.view(bs, num_heads, head_dims,
                                     h * w).permute(0, 3, 1, 2))
                if need_loc:
                    grad_grids.append(grad_grid)
            if need_value:
                grad_value = torch.cat(grad_values, dim=1)
            if need_loc:
                # (B*heads, L, P, Q, 2) -> (B, Q, heads, L, P, 2);
                # d grid / d loc = 2
                grad_loc = 2 * torch.stack(grad_grids, dim=1).view(
                    bs, num_heads, num_levels, num_points, num_queries,
                    2).permute(0, 4, 1, 2, 3, 5)

        if need_attn:
            # per-corner dot products <grad_out[b, q, head], value[row]> (the
            # rows of the padded value; its border gives 0)
            padded = _pad_levels(value, shapes)
            m, per_bag = rows.shape
            crow = torch.arange(0, m * per_bag + 1, per_bag,
                                dtype=rows.dtype, device=rows.device)
            with warnings.catch_warnings():
                # 'sparse CSR tensor support is in beta state'
                warnings.simplefilter('ignore', UserWarning)
                pattern = torch.sparse_csr_tensor(
                    crow,
                    rows.view(-1),
                    grad_output.new_zeros(m * per_bag),
                    size=(m, padded.shape[0] * padded.shape[1] * num_heads),
                    check_invariants=False)
                dots = torch.sparse.sampled_addmm(
                    pattern,
                    grad_output.reshape(m, head_dims),
                    padded.view(-1, head_dims).t(),
                    beta=0.).values()
            d = dots.view(m, 4, per_bag // 4)
            grad_attn = (d[:, 0] * wx0 + d[:, 1] * wx1) * wy0 + \
                (d[:, 2] * wx0 + d[:, 3] * wx1) * wy1
            grad_attn = grad_attn.view(attention_weights.shape)
        return grad_value, None, grad_loc, grad_attn


def multi_scale_deformable_attn_gather(value: Tensor,
                                       value_spatial_shapes: Tensor,
                                       sampling_locations: Tensor,
                                       attention_weights: Tensor) -> Tensor:
    """Multi-scale deformable attention by one weighted gather.

    Same arguments and result (forward and gradients) as mmcv's
    ``multi_scale_deformable_attn_pytorch``: bilinear sampling,
    ``align_corners=False``, zeros outside each feature map. Meant for CPU
    tensors (on CUDA mmcv's compiled kernel is faster).

    Args:
        value (Tensor): ``(B, N, heads, C_h)``, ``N = sum_l H_l * W_l``, the
            levels flattened row-major one after the other.
        value_spatial_shapes (Tensor): ``(L, 2)`` integer ``(H_l, W_l)``.
        sampling_locations (Tensor): ``(B, Q, heads, L, P, 2)`` normalised
            ``(x, y)``: 0 is the left / top edge of the feature map and 1 the
            right / bottom edge (pixel ``i`` has its centre at
            ``(i + 0.5) / W_l``).
        attention_weights (Tensor): ``(B, Q, heads, L, P)``.

    Returns:
        Tensor: ``(B, Q, heads * C_h)``.
    """
    return MultiScaleDeformableAttnGather.apply(value, value_spatial_shapes,
                                                sampling_locations,
                                                attention_weights)
