# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""mmpose's Deformable-DETR encoder / decoder layers built with
:class:`GatherMultiScaleDeformableAttention` (the faster CPU path) instead of
mmcv's ``MultiScaleDeformableAttention``, and a decoder self-attention of the
type its config names (mmcv's ``MultiheadAttention`` when none; the paper
model's configs choose :class:`FusedMultiheadAttention`).

The modules, their attribute names and so the state-dict keys are those of
mmpose's classes; only the classes of the attentions differ (subclasses of
mmcv's with the same parameters).
"""
from mmcv.cnn import build_norm_layer
from mmcv.cnn.bricks.transformer import FFN
from mmengine.model import ModuleList
from mmpose.models.heads.transformer_heads.transformers import \
    DeformableDetrTransformerEncoder
from mmpose.models.heads.transformer_heads.transformers.deformable_detr_layers import (  # noqa: E501
    DeformableDetrTransformerDecoderLayer,
    DeformableDetrTransformerEncoderLayer)

from .gather_ms_deform_attn import GatherMultiScaleDeformableAttention
from .plain_attention_layers import build_attention


class GatherDeformableDetrTransformerEncoderLayer(
        DeformableDetrTransformerEncoderLayer):
    """``DeformableDetrTransformerEncoderLayer`` with the gather attention."""

    def _init_layers(self) -> None:
        self.self_attn = GatherMultiScaleDeformableAttention(
            **self.self_attn_cfg)
        self.embed_dims = self.self_attn.embed_dims
        self.ffn = FFN(**self.ffn_cfg)
        self.norms = ModuleList([
            build_norm_layer(self.norm_cfg, self.embed_dims)[1]
            for _ in range(2)
        ])


class GatherDeformableDetrTransformerEncoder(
        DeformableDetrTransformerEncoder):
    """``DeformableDetrTransformerEncoder`` of
    :class:`GatherDeformableDetrTransformerEncoderLayer` layers."""

    def _init_layers(self) -> None:
        self.layers = ModuleList([
            GatherDeformableDetrTransformerEncoderLayer(**self.layer_cfg)
            for _ in range(self.num_layers)
        ])
        self.embed_dims = self.layers[0].embed_dims


class GatherDeformableDetrTransformerDecoderLayer(
        DeformableDetrTransformerDecoderLayer):
    """``DeformableDetrTransformerDecoderLayer`` with the gather
    cross-attention and a self-attention of the type ``self_attn_cfg``
    names."""

    def _init_layers(self) -> None:
        self.self_attn = build_attention(self.self_attn_cfg)
        self.cross_attn = GatherMultiScaleDeformableAttention(
            **self.cross_attn_cfg)
        self.embed_dims = self.self_attn.embed_dims
        self.ffn = FFN(**self.ffn_cfg)
        self.norms = ModuleList([
            build_norm_layer(self.norm_cfg, self.embed_dims)[1]
            for _ in range(3)
        ])
