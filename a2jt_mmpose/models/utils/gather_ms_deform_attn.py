# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Optional

import torch
from mmcv.ops import MultiScaleDeformableAttention
from mmpose.registry import MODELS
from torch import Tensor

from .ms_deform_attn import multi_scale_deformable_attn_gather


@MODELS.register_module()
class GatherMultiScaleDeformableAttention(MultiScaleDeformableAttention):
    """mmcv's ``MultiScaleDeformableAttention`` with a faster CPU path.

    Same arguments, parameters (state-dict keys) and results as mmcv's
    module. On floating-point CPU tensors the sampling runs
    :func:`~a2jt_mmpose.models.utils.ms_deform_attn.
    multi_scale_deformable_attn_gather` (one weighted ``embedding_bag``
    gather, hand-written backward) instead of mmcv's
    ``multi_scale_deformable_attn_pytorch``; CUDA / MLU tensors, TorchScript
    tracing and ONNX export keep mmcv's forward (its compiled kernel on the
    GPU; ``grid_sample``, which ONNX has, on the CPU).

    Under bfloat16 / float16 autocast (the reduced-precision inference path
    and AMP training) the projections run in the reduced dtype, while the
    sampling locations and the sampling itself stay in float32: a location
    rounded to bfloat16 (8 significant bits) would move a sample by up to
    1/512 of the feature map, and the weighted sum of 64 corner values per
    query and head is accumulated in float32. The output is returned in the
    value's dtype.

    Args:
        cpu_gather (bool): use the gather on the CPU. Default True; False
            gives mmcv's CPU path (kept as the plain attribute
            ``cpu_gather`` so that a benchmark can switch it per module).
        **kwargs: arguments of mmcv's ``MultiScaleDeformableAttention``
            (``embed_dims``, ``num_heads``, ``num_levels``, ``num_points``,
            ``im2col_step``, ``dropout``, ``batch_first``, ``norm_cfg``,
            ``init_cfg``, ``value_proj_ratio``).

    Shapes (``batch_first=True``): query ``(B, Q, C)``, value ``(B, N, C)``
    with ``N = sum_l H_l * W_l``, reference points ``(B, Q, L, 2)``
    normalised ``(x, y)`` in ``[0, 1]`` of each level (or ``(B, Q, L, 4)``
    boxes ``(x, y, w, h)``), spatial shapes ``(L, 2)`` as ``(H_l, W_l)``;
    output ``(B, Q, C)``. With ``batch_first=False`` the batch is the second
    dimension of query, value and output.
    """

    def __init__(self, cpu_gather: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cpu_gather = cpu_gather

    def uses_gather(self, value: Tensor) -> bool:
        """Whether a forward with this value tensor takes the gather."""
        return (self.cpu_gather and value.device.type == 'cpu'
                and value.dtype.is_floating_point
                and not torch.jit.is_tracing()
                and not torch.jit.is_scripting()
                and not torch.onnx.is_in_onnx_export())

    def forward(self,
                query: Tensor,
                key: Optional[Tensor] = None,
                value: Optional[Tensor] = None,
                identity: Optional[Tensor] = None,
                query_pos: Optional[Tensor] = None,
                key_padding_mask: Optional[Tensor] = None,
                reference_points: Optional[Tensor] = None,
                spatial_shapes: Optional[Tensor] = None,
                level_start_index: Optional[Tensor] = None,
                **kwargs) -> Tensor:
        """Deformable attention; see the class docstring for shapes."""
        if not self.uses_gather(query if value is None else value):
            return super().forward(
                query,
                key=key,
                value=value,
                identity=identity,
                query_pos=query_pos,
                key_padding_mask=key_padding_mask,
                reference_points=reference_points,
                spatial_shapes=spatial_shapes,
                level_start_index=level_start_index,
                **kwargs)
        # mmcv's forward (mmcv 2.1.0), the sampling replaced by the gather
        if value is None:
            value = query
        if identity is None:
            identity = query
        if query_pos is not None:
            query = query + query_pos
        if not self.batch_first:
            query = query.permute(1, 0, 2)
            value = value.permute(1, 0, 2)
        bs, num_query, _ = query.shape
        _, num_value, _ = value.shape
        if int((spatial_shapes[:, 0] * spatial_shapes[:, 1]).sum()) != \
                num_value:
            raise ValueError(
                f'spatial_shapes {spatial_shapes.tolist()} do not add up '
                f'to the {num_value} value tokens')

        value = self.value_proj(value)
        if key_padding_mask is not None:
            value = value.masked_fill(key_padding_mask[..., None], 0.0)
        value = value.view(bs, num_value, self.num_heads, -1)
        sampling_offsets = self.sampling_offsets(query).view(
            bs, num_query, self.num_heads, self.num_levels, self.num_points,
            2)
        attention_weights = self.attention_weights(query).view(
            bs, num_query, self.num_heads, self.num_levels * self.num_points)
        attention_weights = attention_weights.softmax(-1).view(
            bs, num_query, self.num_heads, self.num_levels, self.num_points)
        if reference_points.shape[-1] == 2:
            offset_normalizer = torch.stack(
                [spatial_shapes[..., 1], spatial_shapes[..., 0]], -1)
            sampling_locations = reference_points[:, :, None, :, None, :] \
                + sampling_offsets \
                / offset_normalizer[None, None, None, :, None, :]
        elif reference_points.shape[-1] == 4:
            sampling_locations = reference_points[:, :, None, :, None, :2] \
                + sampling_offsets / self.num_points \
                * reference_points[:, :, None, :, None, 2:] \
                * 0.5
        else:
            raise ValueError(
                f'Last dim of reference_points must be'
                f' 2 or 4, but get {reference_points.shape[-1]} instead.')
        # at least float32 (float64 stays float64)
        dtype = torch.promote_types(value.dtype, torch.float32)
        output = multi_scale_deformable_attn_gather(
            value.to(dtype), spatial_shapes, sampling_locations.to(dtype),
            attention_weights.to(dtype)).to(value.dtype)
        output = self.output_proj(output)
        if not self.batch_first:
            output = output.permute(1, 0, 2)
        return self.dropout(output) + identity
