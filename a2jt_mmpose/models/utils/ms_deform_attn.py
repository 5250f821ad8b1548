# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Multi-scale deformable attention core for CPU tensors.

mmcv computes the attention on the CPU with
``mmcv.ops.multi_scale_deformable_attn.multi_scale_deformable_attn_pytorch``:
one ``F.grid_sample`` per level into a ``(B*heads, C_h, Q, P)`` tensor per
level, a ``stack`` of all levels (``L*P`` sampled values per query and
channel, materialised), a product with the attention weights and a sum.

:func:`multi_scale_deformable_attn_gather` computes the same output as one
weighted gather: every sampling point contributes its four bilinear corners,
each with weight ``attention * bilinear weight`` (zero for a corner outside
its feature map, as ``grid_sample``'s ``padding_mode='zeros'``); the
``L*P*4`` weighted rows of the flattened value are summed per query and head
by ``F.embedding_bag(mode='sum', per_sample_weights=...)``, which gathers
and accumulates without materialising the sampled values. The value tensor
is read in its ``(B, N, heads, C_h)`` layout (no transpose) and the result
comes out in the output layout ``(B, Q, heads*C_h)``. Autograd runs through
``embedding_bag`` (gradients w.r.t. the value and the per-sample weights) and
through the corner weights (gradients w.r.t. the sampling locations and the
attention weights).
"""
import torch
import torch.nn.functional as F
from torch import Tensor


def multi_scale_deformable_attn_gather(value: Tensor,
                                       value_spatial_shapes: Tensor,
                                       sampling_locations: Tensor,
                                       attention_weights: Tensor) -> Tensor:
    """Multi-scale deformable attention by one weighted gather.

    Same arguments and result as mmcv's
    ``multi_scale_deformable_attn_pytorch`` (bilinear sampling,
    ``align_corners=False``, zeros outside each feature map).

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
    bs, num_keys, num_heads, head_dims = value.shape
    _, num_queries, _, num_levels, num_points, _ = sampling_locations.shape
    dtype = value.dtype
    shapes = value_spatial_shapes.to(device=value.device, dtype=torch.long)
    heights, widths = shapes[:, 0], shapes[:, 1]
    level_start = torch.cat(
        (shapes.new_zeros(1), (heights * widths).cumsum(0)[:-1]))
    # (L, 1) so that they broadcast over (B, Q, heads, L, P)
    h_f = heights.to(dtype).view(num_levels, 1)
    w_f = widths.to(dtype).view(num_levels, 1)

    # grid_sample's unnormalisation for align_corners=False, written as in
    # ATen's CPU kernel on mmcv's grid (2 * loc - 1) so that the rounding
    # matches: pixel coordinates with pixel centres at integers
    grid = 2 * sampling_locations - 1
    x = (grid[..., 0] + 1) * (w_f * 0.5) - 0.5
    y = (grid[..., 1] + 1) * (h_f * 0.5) - 0.5
    x0 = x.floor()
    y0 = y.floor()
    # distances to the four sides (ATen: w, e, n, s)
    dx1 = x - x0
    dx0 = (x0 + 1) - x
    dy1 = y - y0
    dy0 = (y0 + 1) - y
    x0 = x0.detach()
    y0 = y0.detach()

    # corners in the order (y0, x0), (y0, x0+1), (y0+1, x0), (y0+1, x0+1)
    attn = attention_weights.to(dtype)
    wy0 = attn * dy0
    wy1 = attn * dy1
    weights = torch.stack(
        (wy0 * dx0, wy0 * dx1, wy1 * dx0, wy1 * dx1), dim=-1)
    # validity from the float coordinates (NaN / huge values are invalid
    # and never reach the integer conversion)
    vx0 = (x0 >= 0) & (x0 <= w_f - 1)
    vx1 = (x0 >= -1) & (x0 <= w_f - 2)
    vy0 = (y0 >= 0) & (y0 <= h_f - 1)
    vy1 = (y0 >= -1) & (y0 <= h_f - 2)
    valid = torch.stack((vy0 & vx0, vy0 & vx1, vy1 & vx0, vy1 & vx1), dim=-1)
    weights = weights * valid.to(dtype)

    # row of the (B * N * heads, C_h) value matrix of corner (y0, x0):
    # ((b * N + start_l + y0 * W_l + x0) * heads + head)
    x0l = torch.where(vx0 | vx1, x0, 0).long()
    y0l = torch.where(vy0 | vy1, y0, 0).long()
    widths_l = widths.view(num_levels, 1)
    pix = level_start.view(num_levels, 1) + y0l * widths_l + x0l
    b_off = (torch.arange(bs, device=value.device) * num_keys).view(
        bs, 1, 1, 1, 1)
    h_off = torch.arange(num_heads, device=value.device).view(
        1, 1, num_heads, 1, 1)
    row = (pix + b_off) * num_heads + h_off
    corner_step = torch.stack(
        (torch.zeros_like(widths_l), torch.ones_like(widths_l), widths_l,
         widths_l + 1), dim=-1) * num_heads  # (L, 1, 4)
    rows = row.unsqueeze(-1) + corner_step
    rows = torch.where(valid, rows, 0)

    per_bag = num_levels * num_points * 4
    output = F.embedding_bag(
        rows.view(-1, per_bag),
        value.reshape(-1, head_dims),
        mode='sum',
        per_sample_weights=weights.view(-1, per_bag))
    return output.view(bs, num_queries, num_heads * head_dims)
