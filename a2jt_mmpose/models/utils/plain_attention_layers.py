# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""mmpose's DETR encoder / decoder layers whose multi-head attentions are
built from their config's ``type``.

mmpose's ``DetrTransformerEncoderLayer`` / ``DetrTransformerDecoderLayer``
always build mmcv's ``MultiheadAttention``. These subclasses build
``self_attn_cfg`` / ``cross_attn_cfg`` through the ``MODELS`` registry, with
``type='MultiheadAttention'`` when the config names none, so a config can
choose e.g. :class:`FusedMultiheadAttention` (no attention maps kept). The
modules, their attribute names and so the state-dict keys are those of
mmpose's classes.
"""
from mmcv.cnn import build_norm_layer
from mmcv.cnn.bricks.transformer import FFN
from mmengine.model import ModuleList
from mmpose.models.heads.transformer_heads.transformers import (
    DetrTransformerDecoderLayer, DetrTransformerEncoder,
    DetrTransformerEncoderLayer)
from mmpose.registry import MODELS
from torch import nn


def build_attention(cfg: dict) -> nn.Module:
    """A multi-head attention from its config; ``type`` defaults to mmcv's
    ``MultiheadAttention``."""
    cfg = dict(cfg)
    cfg.setdefault('type', 'MultiheadAttention')
    return MODELS.build(cfg)


class PlainAttentionEncoderLayer(DetrTransformerEncoderLayer):
    """``DetrTransformerEncoderLayer`` with a self-attention of the type its
    ``self_attn_cfg`` names."""

    def _init_layers(self) -> None:
        self.self_attn = build_attention(self.self_attn_cfg)
        self.embed_dims = self.self_attn.embed_dims
        self.ffn = FFN(**self.ffn_cfg)
        self.norms = ModuleList([
            build_norm_layer(self.norm_cfg, self.embed_dims)[1]
            for _ in range(2)
        ])


class PlainAttentionEncoder(DetrTransformerEncoder):
    """``DetrTransformerEncoder`` of :class:`PlainAttentionEncoderLayer`
    layers."""

    def _init_layers(self) -> None:
        self.layers = ModuleList([
            PlainAttentionEncoderLayer(**self.layer_cfg)
            for _ in range(self.num_layers)
        ])
        self.embed_dims = self.layers[0].embed_dims


class PlainAttentionDecoderLayer(DetrTransformerDecoderLayer):
    """``DetrTransformerDecoderLayer`` with self- and cross-attentions of the
    types their configs name."""

    def _init_layers(self) -> None:
        self.self_attn = build_attention(self.self_attn_cfg)
        self.cross_attn = build_attention(self.cross_attn_cfg)
        self.embed_dims = self.self_attn.embed_dims
        self.ffn = FFN(**self.ffn_cfg)
        self.norms = ModuleList([
            build_norm_layer(self.norm_cfg, self.embed_dims)[1]
            for _ in range(3)
        ])
