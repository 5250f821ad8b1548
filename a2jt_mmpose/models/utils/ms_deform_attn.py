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

- forward: one weighted gather. Every sampling point contributes its four
  bilinear corners with weight ``attention * bilinear weight`` (zero for a
  corner outside its feature map, as ``grid_sample``'s
  ``padding_mode='zeros'``); ``F.embedding_bag(mode='sum',
  per_sample_weights=...)`` sums the ``L*P*4`` weighted rows of the value,
  read in its ``(B, N, heads, C_h)`` layout (no transpose), per query and
  head, straight into the output layout ``(B, Q, heads*C_h)``, without
  materialising the sampled values.
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


def _level_constants(shapes: List[Tuple[int, int]], num_points: int,
                     device: torch.device) -> Tuple[Tensor, Tensor]:
    """Per (level, point) constants.

    Returns:
        tuple: ``(L*P, 2)`` int64 map sizes ``(W_l, H_l)`` (the order of
        the sampling locations' last dimension) and ``(L*P,)`` int64 level
        start offsets in the flattened value.
    """
    sizes = torch.tensor([[w, h] for h, w in shapes], device=device)
    starts = torch.cat((sizes.new_zeros(1), sizes.prod(1).cumsum(0)[:-1]))
    return (sizes.repeat_interleave(num_points, dim=0),
            starts.repeat_interleave(num_points))


def _bilinear_corners(loc: Tensor, size: Tensor):
    """Bilinear corners of every sampling point, both axes at once.

    Args:
        loc (Tensor): ``(M, L*P*2)`` normalised ``(x, y)`` interleaved.
        size (Tensor): ``(L*P*2,)`` int64 map sizes ``(W_l, H_l)``
            interleaved the same way.

    Returns:
        tuple: weights of the corners ``p0 = floor(pixel coordinate)`` and
        ``p0 + 1`` (zero where the corner is outside the map) and their
        integer indices (0 where outside), each ``(M, L*P*2)``.
    """
    size_f = size.to(loc.dtype)
    # grid_sample's unnormalisation for align_corners=False: pixel
    # coordinates with pixel centres at integers
    pix = loc * size_f - 0.5
    p0 = pix.floor()
    w1 = pix - p0
    w0 = 1 - w1
    # validity from the float coordinates: NaN / huge values are invalid
    # (weight 0, index 0) and never reach the integer conversion
    last = size_f - 1
    valid0 = (p0 >= 0) & (p0 <= last)
    valid1 = (p0 >= -1) & (p0 < last)
    zero = pix.new_zeros(())
    w0 = torch.where(valid0, w0, zero)
    w1 = torch.where(valid1, w1, zero)
    i0 = torch.where(valid0, p0, zero).long()
    i1 = torch.where(valid1, p0 + 1, zero).long()
    return w0, w1, i0, i1


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
        sizes, starts = _level_constants(shapes, num_points, device)
        # (M, L*P*2): x, y interleaved; the views [:, 0::2] / [:, 1::2] are
        # the x / y parts
        w0, w1, i0, i1 = _bilinear_corners(
            sampling_locations.to(dtype).reshape(m, 2 * k), sizes.view(-1))
        wx0, wy0, wx1, wy1 = w0[:, 0::2], w0[:, 1::2], w1[:, 0::2], \
            w1[:, 1::2]
        attn = attention_weights.to(dtype).reshape(m, k)

        # row of corner (y, x) in the (B * N * heads, C_h) value matrix:
        # (b * N + start_l + y * W_l + x) * heads + head
        base = ((torch.arange(bs, device=device) * num_keys).view(
            bs, 1, 1, 1) + starts) * num_heads + torch.arange(
                num_heads, device=device).view(1, 1, num_heads, 1)
        base = base.expand(bs, num_queries, num_heads, k).reshape(m, k)
        stride_y = sizes[:, 0] * num_heads
        row_y0 = torch.addcmul(base, i0[:, 1::2], stride_y)
        row_y1 = torch.addcmul(base, i1[:, 1::2], stride_y)
        col_x0 = i0[:, 0::2] * num_heads
        col_x1 = i1[:, 0::2] * num_heads
        ay0 = attn * wy0
        ay1 = attn * wy1
        # bags of 4 * L * P weighted rows, corner-major
        rows = value.new_empty((m, 4, k), dtype=torch.long)
        corner_w = value.new_empty((m, 4, k))
        for c, (ry, cx, ay, wx) in enumerate(
            ((row_y0, col_x0, ay0, wx0), (row_y0, col_x1, ay0, wx1),
             (row_y1, col_x0, ay1, wx0), (row_y1, col_x1, ay1, wx1))):
            torch.add(ry, cx, out=rows[:, c])
            torch.mul(ay, wx, out=corner_w[:, c])
        rows = rows.view(m, 4 * k)
        output = F.embedding_bag(
            rows,
            value.reshape(-1, head_dims),
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
            # per-corner dot products <grad_out[b, q, head], value[row]>
            m, per_bag = rows.shape
            crow = torch.arange(0, m * per_bag + 1, per_bag,
                                device=rows.device)
            with warnings.catch_warnings():
                # 'sparse CSR tensor support is in beta state'
                warnings.simplefilter('ignore', UserWarning)
                pattern = torch.sparse_csr_tensor(
                    crow,
                    rows.view(-1),
                    grad_output.new_zeros(m * per_bag),
                    size=(m, bs * num_keys * num_heads),
                    check_invariants=False)
                dots = torch.sparse.sampled_addmm(
                    pattern,
                    grad_output.reshape(m, head_dims),
                    value.reshape(-1, head_dims).t(),
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
