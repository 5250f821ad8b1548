# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Sequence

import torch.nn as nn
from mmpose.registry import MODELS
from torch import Tensor

from ..utils.anchor_outputs import AnchorFeatures
from ..utils.plain_attention_layers import (PlainAttentionDecoderLayer,
                                            PlainAttentionEncoder)
from .anchor_refinement_neck import AnchorRefinementNeck


@MODELS.register_module()
class PlainAttentionAnchorRefinementNeck(AnchorRefinementNeck):
    """Anchor refinement model with plain multi-head attention (paper
    Table 6, "w/o MSDAM").

    Everything is :class:`AnchorRefinementNeck` (input projections, sine +
    level positional encodings, DAB-style anchor positional embeddings,
    learned initial contents, post-norm layers, ``(L, B, A, C)`` output)
    except the two multi-scale deformable attentions:

    - encoder: full multi-head self-attention over all flattened tokens of
      all levels (query = key = token + positional encoding, value = token),
      i.e. mmpose's ``DetrTransformerEncoder``. At 256 x 256 that is
      ``N = 32^2 + 16^2 + 16^2 + 8^2 = 1600`` tokens, a ``(8, 1600, 1600)``
      attention map per image and layer (82 MB in float32). Nothing is
      restricted; with ``type='FusedMultiheadAttention'`` in the attention
      configs (the ablation config) the maps are not kept for backward;
    - decoder cross-attention: the anchor queries (content + anchor
      positional embedding) attend to all memory tokens (key = memory +
      its positional encoding, value = memory), i.e. mmpose's
      ``DetrTransformerDecoderLayer``. The anchors reach the cross-attention
      only through their positional embedding (there are no reference
      points to sample at).

    The layers are :class:`PlainAttentionEncoder` /
    :class:`PlainAttentionDecoderLayer`: mmpose's DETR layers whose
    attentions are built from the ``type`` their configs name (mmcv's
    ``MultiheadAttention`` when none), with mmpose's state-dict keys.

    Input / output: as :class:`AnchorRefinementNeck`.

    Args:
        encoder (dict): ``num_layers`` and ``layer_cfg`` (``self_attn_cfg``:
            the attention ``type`` (default ``'MultiheadAttention'``) and
            its arguments, ``ffn_cfg``).
        decoder (dict): ``num_layers`` and ``layer_cfg`` (``self_attn_cfg``,
            ``cross_attn_cfg``: as the encoder's ``self_attn_cfg``;
            ``ffn_cfg``).
        **kwargs: the other arguments of :class:`AnchorRefinementNeck`.
    """

    def _check_attention_levels(self, encoder: dict, decoder: dict) -> None:
        """Plain attention reads every token; nothing to check."""

    def _build_encoder(self, encoder: dict) -> nn.Module:
        return PlainAttentionEncoder(**encoder)

    def _build_decoder_layer(self, layer_cfg: dict) -> nn.Module:
        return PlainAttentionDecoderLayer(**layer_cfg)

    def forward(self, feats: Sequence[Tensor]) -> AnchorFeatures:
        """Refine every anchor.

        Args:
            feats (Sequence[Tensor]): backbone levels ``(B, C_l, H_l, W_l)``.

        Returns:
            AnchorFeatures: ``anchor_feats`` ``(num_decoder_layers, B, A, C)``
            and the anchor table ``anchors`` ``(A, 3)`` (input px, codec
            depth unit).
        """
        self._check_feats(feats)
        tokens, pos, spatial_shapes, _, _ = self.embed_levels(feats)
        memory = self.encoder(
            query=tokens, query_pos=pos, key_padding_mask=None)
        return self.interact_anchors(memory, spatial_shapes, key_pos=pos)

    def decode_layer(self, layer: nn.Module, query: Tensor, query_pos: Tensor,
                     reference_points: Tensor, memory: Tensor,
                     spatial_shapes: Tensor, key_pos: Tensor) -> Tensor:
        """One anchor interaction layer: plain cross-attention over every
        memory token (``key_pos`` ``(B, N, C)`` = their positional
        encodings); the reference points are not used."""
        return layer(
            query=query,
            key=memory,
            value=memory,
            query_pos=query_pos,
            key_pos=key_pos)
