# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Optional

import torch
from mmcv.ops import MultiScaleDeformableAttention
from mmcv.ops.multi_scale_deform_attn import MultiScaleDeformableAttnFunction
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
    ``multi_scale_deformable_attn_pytorch``; CUDA / MLU tensors run mmcv's
    compiled kernel (``MultiScaleDeformableAttnFunction``), as mmcv's
    module does. TorchScript tracing, ONNX export and ``cpu_gather=False``
    on the CPU run mmcv's own forward (``grid_sample``, which ONNX has, on
    the CPU).

    Under bfloat16 / float16 autocast (the reduced-precision inference path
    and AMP training) the projections run in the reduced dtype, while the
    sampling locations and the sampling itself stay in float32: a location
    rounded to bfloat16 (8 significant bits) would move a sample by up to
    1/512 of the feature map, and the weighted sum of 64 corner values per
    query and head is accumulated in float32. The output is returned in the
    value's dtype. (mmcv's forward would cast the locations to the value's
    dtype, and its CUDA kernel has no bfloat16.)

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

    @staticmethod
    def _exporting() -> bool:
        return (torch.jit.is_tracing() or torch.jit.is_scripting()
                or torch.onnx.is_in_onnx_export())

    def uses_gather(self, value: Tensor) -> bool:
        """Whether a forward with this value tensor takes the gather."""
        return (self.cpu_gather and value.device.type == 'cpu'
                and value.dtype.is_floating_point and not self._exporting())

    def uses_device_kernel(self, value: Tensor) -> bool:
        """Whether a forward with this value tensor runs mmcv's compiled
        kernel (CUDA / MLU tensors)."""
        return value.device.type in ('cuda', 'mlu') and not self._exporting()

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
        v = query if value is None else value
        if not (self.uses_gather(v) or self.uses_device_kernel(v)):
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
        # mmcv's forward (mmcv 2.1.0); the sampling in at least float32
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
            bs, num_query, self.num_heads, self.num_levels, self.num_points, 2)
        attention_weights = self.attention_weights(query).view(
            bs, num_query, self.num_heads, self.num_levels * self.num_points)
        attention_weights = attention_weights.softmax(-1).view(
            bs, num_query, self.num_heads, self.num_levels, self.num_points)
        if reference_points.shape[-1] == 2:
            # reference + offset / (W_l, H_l), as one fused multiply-add with
            # the reciprocal sizes (exact for powers of two)
            inv_size = 1. / spatial_shapes.flip(-1).to(reference_points.dtype)
            sampling_locations = torch.addcmul(
                reference_points[:, :, None, :, None, :], sampling_offsets,
                inv_size[None, None, None, :, None, :])
        elif reference_points.shape[-1] == 4:
            sampling_locations = reference_points[:, :, None, :, None, :2] \
                + sampling_offsets / self.num_points \
                * reference_points[:, :, None, :, None, 2:] \
                * 0.5
        else:
            raise ValueError(
                f'Last dim of reference_points must be'
                f' 2 or 4, but get {reference_points.shape[-1]} instead.')
        output = self._sample(value, spatial_shapes, level_start_index,
                              sampling_locations, attention_weights)
        output = self.output_proj(output)
        if not self.batch_first:
            output = output.permute(1, 0, 2)
        return self.dropout(output) + identity

    def _sample(self, value: Tensor, spatial_shapes: Tensor,
                level_start_index: Tensor, sampling_locations: Tensor,
                attention_weights: Tensor) -> Tensor:
        """The gather on the CPU, mmcv's kernel on CUDA / MLU, in at least
        float32 (float64 stays float64); ``(B, Q, C)`` in the value's
        dtype."""
        dtype = torch.promote_types(value.dtype, torch.float32)
        value_ = value.to(dtype)
        locations = sampling_locations.to(dtype)
        weights = attention_weights.to(dtype)
        if self.uses_gather(value):
            output = multi_scale_deformable_attn_gather(
                value_, spatial_shapes, locations, weights)
        else:
            output = MultiScaleDeformableAttnFunction.apply(
                value_, spatial_shapes, level_start_index, locations, weights,
                self.im2col_step)
        return output.to(value.dtype)
