# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import copy
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmcv.ops import MultiScaleDeformableAttention
from mmdet.models.layers import SinePositionalEncoding
from mmengine.model import BaseModule
from mmpose.models.heads.transformer_heads.transformers.utils import \
    FFN as MLP
from mmpose.registry import MODELS
from torch import Tensor

from ..utils.anchor_outputs import AnchorFeatures
from ..utils.anchors import (CHECKPOINT_ANCHOR_POLICIES, build_anchor_table,
                             check_checkpoint_anchors)
from ..utils.gather_deformable_layers import (
    GatherDeformableDetrTransformerDecoderLayer,
    GatherDeformableDetrTransformerEncoder)
from ..utils.positional_encoding import anchor_sine_encoding
from ..utils.state_dict_check import check_state_dict


@MODELS.register_module()
class AnchorRefinementNeck(BaseModule):
    """Anchor refinement model of A2J-Transformer.

    The neck turns the backbone pyramid into one refined feature per 3D
    anchor and decoder layer:

    1. input projections: 1x1 conv + GroupNorm(32) on every backbone level,
       plus an extra level (3x3 stride-2 conv + GN) on the raw last level;
    2. 2-D sine positional encoding (mmdet's ``SinePositionalEncoding``
       with Deformable-DETR's normalisation: cell centres ``(i - 0.5) / H``
       times ``2 pi``) + a learned level embedding;
    3. feature enhancement module: a deformable encoder (mmcv's
       ``MultiScaleDeformableAttention`` self-attention, post-norm; built as
       :class:`GatherMultiScaleDeformableAttention`, which runs a faster
       gather on CPU tensors and mmcv's kernel on CUDA);
    4. anchor interaction module: decoder layers whose queries are the 3D
       anchors. Each layer runs self-attention over the anchor queries,
       deformable cross-attention sampled at each anchor's in-plane position,
       and an FFN (post-norm). The query positional embedding is the sine
       encoding of the anchor's three coordinates in the order ``(y, x, z)``
       through ``MLP(3F -> C -> C)``; from the second layer on it is scaled
       element-wise by ``MLP(C -> C -> C)`` of the current content (DAB).
       Initial contents are learned embeddings, one per anchor.

    Input:
        feats (Sequence[Tensor]): backbone levels ``(B, C_l, H_l, W_l)``;
            for ResNet-50 DC5 at 256x256: ``(B, 512, 32, 32)``,
            ``(B, 1024, 16, 16)``, ``(B, 2048, 16, 16)``.

    Output:
        AnchorFeatures:
        - anchor_feats (Tensor): decoder outputs of every layer,
          ``(num_decoder_layers, B, A, C)`` (A = number of anchors).
        - anchors (Tensor): the anchor table ``(A, 3)`` in target space
          (``x, y`` input pixels, ``z`` depth unit of the codec).

    Args:
        encoder (dict): config of mmpose's
            ``DeformableDetrTransformerEncoder``: ``num_layers`` and
            ``layer_cfg`` (``self_attn_cfg``: mmcv
            ``MultiScaleDeformableAttention`` arguments, ``ffn_cfg``). The
            official settings (6 layers, 256 channels, 8 heads, 4 levels x 4
            points, FFN 1024, dropout 0.1) are in
            ``configs/_base_/models/a2jt_res50-dc5.py``.
        decoder (dict): ``num_layers`` and ``layer_cfg`` of the anchor
            interaction decoder layers (mmpose's
            ``DeformableDetrTransformerDecoderLayer``: ``self_attn_cfg``,
            ``cross_attn_cfg``, ``ffn_cfg``).
        in_channels (Sequence[int]): channels of the backbone levels.
        embed_dims (int): transformer width C. Default 256.
        num_extra_levels (int): extra stride-2 levels built from the last
            backbone level. Default 1 (4 levels for 3 backbone outputs).
        input_size (tuple[int, int]): network input ``(w, h)`` in pixels;
            the in-plane anchor positions are divided by it to give the
            normalised sampling locations of the cross-attention.
        anchor_cfg (dict): arguments of :func:`generate_anchors`
            (``num_in_plane``, ``stride``, ``centre``, ``depths``).
        num_anchors (int, optional): if given, must equal the number of
            anchors that ``anchor_cfg`` produces (a guard for configs that
            change one and forget the other).
        anchor_position_scale (Sequence[float], optional): divisors of
            ``(x, y, z)`` before the sine encoding of the anchors. Defaults
            to ``(input_w, input_h, 256)``: the input size in pixels and the
            official 256 for z (InterHand2.6M: 256 for all three, as the
            official code).
        initial_content (str): initial content of the anchor queries.
            ``'learned'`` (official code): a learned embedding per anchor.
            ``'memory'`` (the paper's Fig. 4 text): the encoder output of the
            first level sampled (bilinear) at each anchor's in-plane
            position, so the queries start image-dependent.
        trainable_anchors (bool): keep the anchor table as a trainable
            parameter. The official code means it to be fixed (and says so)
            but leaves it trainable by accident; it moves by < 1e-3 px.
            As in the official code, its gradient comes from the first
            decoder layer only (that layer's query positional embedding,
            sampling locations and the head's layer-1 fusion); later layers
            use a detached copy. Default False (a persistent buffer, saved
            in checkpoints).
        checkpoint_anchors (str): what to do when a checkpoint's (fixed)
            anchor table differs from ``anchor_cfg`` by more than 1e-3:
            ``'refuse'`` (default) raises; ``'load'`` uses the checkpoint's
            table and warns with the difference (converted official
            checkpoints: the official table is trained and drifts). A
            trainable table is learned state and always loads.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 encoder: dict,
                 decoder: dict,
                 in_channels: Sequence[int] = (512, 1024, 2048),
                 embed_dims: int = 256,
                 num_extra_levels: int = 1,
                 input_size: Tuple[int, int] = (256, 256),
                 anchor_cfg: dict = dict(
                     num_in_plane=16, stride=16.,
                     depths=(63.5, 127.5, 191.5)),
                 num_anchors: Optional[int] = None,
                 anchor_position_scale: Optional[Sequence[float]] = None,
                 initial_content: str = 'learned',
                 trainable_anchors: bool = False,
                 checkpoint_anchors: str = 'refuse',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        # the layers may edit their configs; keep the caller's untouched
        encoder, decoder = copy.deepcopy(encoder), copy.deepcopy(decoder)
        self.in_channels = tuple(in_channels)
        self.embed_dims = embed_dims
        self.num_levels = len(self.in_channels) + num_extra_levels
        self.input_size = tuple(input_size)
        if len(self.input_size) != 2 or min(self.input_size) <= 0:
            raise ValueError(f'model.neck.input_size must be (w, h) > 0, got '
                             f'{input_size}')

        anchors = build_anchor_table(anchor_cfg, self.input_size, num_anchors)
        self.num_anchors = len(anchors)
        if checkpoint_anchors not in CHECKPOINT_ANCHOR_POLICIES:
            raise ValueError(
                f'model.neck.checkpoint_anchors must be one of '
                f'{CHECKPOINT_ANCHOR_POLICIES}, got {checkpoint_anchors!r}')
        self.checkpoint_anchors = checkpoint_anchors
        if trainable_anchors:
            self.anchors = nn.Parameter(anchors)
        else:
            self.register_buffer('anchors', anchors)
        if anchor_position_scale is None:
            anchor_position_scale = (float(input_size[0]),
                                     float(input_size[1]), 256.)
        self.register_buffer(
            'anchor_position_scale',
            torch.tensor(anchor_position_scale, dtype=torch.float32),
            persistent=False)  # a config value, not learned state
        if self.anchor_position_scale.shape != (3, ):
            raise ValueError('model.neck.anchor_position_scale needs 3 '
                             f'values (x, y, z), got {anchor_position_scale}')

        self._check_attention_levels(encoder, decoder)

        # 1. input projections
        self.input_proj = nn.ModuleList()
        for c in self.in_channels:
            self.input_proj.append(
                nn.Sequential(
                    nn.Conv2d(c, embed_dims, kernel_size=1),
                    build_norm_layer(dict(type='GN', num_groups=32),
                                     embed_dims)[1]))
        in_c = self.in_channels[-1]
        for _ in range(num_extra_levels):
            self.input_proj.append(
                nn.Sequential(
                    nn.Conv2d(
                        in_c, embed_dims, kernel_size=3, stride=2, padding=1),
                    build_norm_layer(dict(type='GN', num_groups=32),
                                     embed_dims)[1]))
            in_c = embed_dims
        # 2. sine encoding of the cells (no parameters, no state-dict key)
        # and learned level embedding, N(0, 1) already here, as
        # init_weights() draws it: a model built without init_weights()
        # (mmpose's inferencers and init_model with no checkpoint) must not
        # hold uninitialised memory (NaN / inf)
        self.positional_encoding = SinePositionalEncoding(
            num_feats=embed_dims // 2, normalize=True, offset=-0.5)
        self.level_embed = nn.Parameter(
            torch.randn(self.num_levels, embed_dims))
        # 3. feature enhancement module
        self.encoder = self._build_encoder(encoder)
        # 4. anchor interaction module
        self.num_decoder_layers = decoder['num_layers']
        self.decoder_layers = nn.ModuleList([
            self._build_decoder_layer(decoder['layer_cfg'])
            for _ in range(self.num_decoder_layers)
        ])
        if initial_content not in ('learned', 'memory'):
            raise ValueError('model.neck.initial_content must be "learned" '
                             f'or "memory", got {initial_content!r}')
        self.initial_content = initial_content
        self.content_embed = nn.Embedding(
            self.num_anchors,
            embed_dims) if initial_content == 'learned' else None
        self.anchor_pos_head = MLP(embed_dims * 3 // 2, embed_dims,
                                   embed_dims, 2)
        self.query_scale = MLP(embed_dims, embed_dims, embed_dims, 2)
        self._register_load_state_dict_pre_hook(self._check_checkpoint)

    def _check_attention_levels(self, encoder: dict, decoder: dict) -> None:
        """The deformable attentions must sample every feature level."""
        for name, cfg in (('encoder', encoder['layer_cfg']['self_attn_cfg']),
                          ('decoder',
                           decoder['layer_cfg']['cross_attn_cfg'])):
            if cfg.get('num_levels', 4) != self.num_levels:
                raise ValueError(
                    f'model.neck.{name} attention has num_levels='
                    f'{cfg.get("num_levels", 4)} but the neck builds '
                    f'{self.num_levels} feature levels')

    def _build_encoder(self, encoder: dict) -> nn.Module:
        """Feature enhancement module (deformable encoder): mmpose's
        ``DeformableDetrTransformerEncoder`` with
        :class:`GatherMultiScaleDeformableAttention` (mmcv's attention, a
        faster CPU path; same parameters)."""
        return GatherDeformableDetrTransformerEncoder(**encoder)

    def _build_decoder_layer(self, layer_cfg: dict) -> nn.Module:
        """One anchor interaction layer (deformable cross-attention): mmpose's
        ``DeformableDetrTransformerDecoderLayer`` with
        :class:`GatherMultiScaleDeformableAttention`."""
        return GatherDeformableDetrTransformerDecoderLayer(**layer_cfg)

    def init_weights(self) -> None:
        """Official initialisation: Xavier-uniform for every matrix of the
        transformer (encoder, decoder layers and the decoder's anchor
        positional MLPs ``anchor_pos_head`` = official ``ref_point_head``
        and ``query_scale``), then the Deformable-DETR init of each
        deformable attention; Xavier convs with zero bias for the input
        projections; N(0, 1) level embedding and content embeddings."""
        if self.init_cfg is not None:
            return super().init_weights()
        for p in (list(self.encoder.parameters()) +
                  list(self.decoder_layers.parameters()) +
                  list(self.anchor_pos_head.parameters()) +
                  list(self.query_scale.parameters())):
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
        for m in self.modules():
            if isinstance(m, MultiScaleDeformableAttention):
                m.init_weights()
        for proj in self.input_proj:
            nn.init.xavier_uniform_(proj[0].weight, gain=1)
            nn.init.zeros_(proj[0].bias)
        nn.init.normal_(self.level_embed)
        if self.content_embed is not None:
            nn.init.normal_(self.content_embed.weight)
        self._is_init = True

    def forward(self, feats: Sequence[Tensor]) -> AnchorFeatures:
        """Refine every anchor; see the class docstring for shapes."""
        self._check_feats(feats)
        memory, spatial_shapes, level_start_index, valid_ratios = \
            self.enhance_features(feats)
        return self.interact_anchors(
            memory,
            spatial_shapes,
            level_start_index=level_start_index,
            valid_ratios=valid_ratios)

    def _check_feats(self, feats: Sequence[Tensor]) -> None:
        if len(feats) != len(self.in_channels):
            raise ValueError(
                f'{self.__class__.__name__} expects {len(self.in_channels)} '
                f'backbone levels (in_channels={self.in_channels}), got '
                f'{len(feats)}; check model.backbone.out_indices')

    def enhance_features(self, feats: Sequence[Tensor]):
        """Input projections + positional encodings + deformable encoder.

        Returns:
            tuple: memory ``(B, sum(H_l*W_l), C)``, spatial shapes
            ``(L, 2)`` as (h, w), level start index ``(L,)`` and valid ratios
            ``(B, L, 2)`` (all ones: inputs are never padded).
        """
        tokens, pos, spatial_shapes, level_start_index, valid_ratios = \
            self.embed_levels(feats)
        memory = self.encoder(
            query=tokens,
            query_pos=pos,
            key_padding_mask=None,
            spatial_shapes=spatial_shapes,
            level_start_index=level_start_index,
            valid_ratios=valid_ratios)
        return memory, spatial_shapes, level_start_index, valid_ratios

    def embed_levels(self, feats: Sequence[Tensor]):
        """Input projections, flattening and positional encodings.

        Returns:
            tuple: tokens ``(B, N, C)`` with ``N = sum(H_l*W_l)``, their
            positional encodings ``(B, N, C)`` (sine + level embedding),
            spatial shapes ``(L, 2)`` as (h, w), level start index ``(L,)``
            and valid ratios ``(B, L, 2)`` (all ones).
        """
        levels = [proj(f) for proj, f in zip(self.input_proj, feats)]
        x = feats[-1]
        for proj in self.input_proj[len(feats):]:
            x = proj(x)
            levels.append(x)

        batch_size = levels[0].shape[0]
        tokens, pos, shapes = [], [], []
        for lvl, feat in enumerate(levels):
            h, w = feat.shape[-2:]
            shapes.append((h, w))
            tokens.append(feat.flatten(2).transpose(1, 2))
            # no padding: every cell is valid
            pe = self.positional_encoding(mask=None, input=feat)
            pos.append(
                pe.flatten(2).transpose(1, 2) +
                self.level_embed[lvl].view(1, 1, -1))
        tokens = torch.cat(tokens, 1)
        pos = torch.cat(pos, 1)
        spatial_shapes = torch.as_tensor(
            shapes, dtype=torch.long, device=tokens.device)
        level_start_index = torch.cat((spatial_shapes.new_zeros(
            (1, )), spatial_shapes.prod(1).cumsum(0)[:-1]))
        valid_ratios = tokens.new_ones(batch_size, self.num_levels, 2)
        return tokens, pos, spatial_shapes, level_start_index, valid_ratios

    def interact_anchors(self, memory: Tensor, spatial_shapes: Tensor,
                         **layer_kwargs) -> AnchorFeatures:
        """Run the anchor interaction decoder over the encoder memory.

        Args:
            memory (Tensor): encoder output ``(B, sum(H_l*W_l), C)``.
            spatial_shapes (Tensor): ``(L, 2)`` as (h, w).
            **layer_kwargs: passed on to :meth:`decode_layer` (e.g.
                ``level_start_index``, ``valid_ratios``).

        Returns:
            AnchorFeatures: ``anchor_feats`` ``(num_decoder_layers, B, A,
            C)`` and the anchor table ``anchors`` ``(A, 3)``.
        """
        batch_size = memory.shape[0]
        query = self.initial_queries(memory, spatial_shapes)
        anchor_pos, reference_points = self.anchor_positions(
            self.anchors, batch_size)
        outputs = []
        for i, layer in enumerate(self.decoder_layers):
            if i == 1 and self.anchors.requires_grad:
                # official: layers 2.. see a detached copy of the table (the
                # same values, no gradient): only layer 1 trains the anchors
                anchor_pos, reference_points = self.anchor_positions(
                    self.anchors.detach(), batch_size)
            query_pos = anchor_pos if i == 0 else \
                anchor_pos * self.query_scale(query)
            query = self.decode_layer(layer, query, query_pos,
                                      reference_points, memory,
                                      spatial_shapes, **layer_kwargs)
            outputs.append(query)
        return AnchorFeatures(
            anchor_feats=torch.stack(outputs), anchors=self.anchors)

    def decode_layer(self, layer: nn.Module, query: Tensor, query_pos: Tensor,
                     reference_points: Tensor, memory: Tensor,
                     spatial_shapes: Tensor, level_start_index: Tensor,
                     valid_ratios: Tensor) -> Tensor:
        """One anchor interaction layer: deformable cross-attention sampled
        at ``reference_points`` ``(B, A, L, 2)``; returns ``(B, A, C)``."""
        return layer(
            query=query,
            value=memory,
            query_pos=query_pos,
            key_padding_mask=None,
            reference_points=reference_points,
            spatial_shapes=spatial_shapes,
            level_start_index=level_start_index,
            valid_ratios=valid_ratios)

    def anchor_positions(self, anchors: Tensor,
                         batch_size: int) -> Tuple[Tensor, Tensor]:
        """Positional embeddings and sampling points of the anchor queries.

        Args:
            anchors (Tensor): the anchor table ``(A, 3)`` (or its detached
                copy).
            batch_size (int): B.

        Returns:
            tuple: anchor positional embeddings ``(B, A, C)`` and reference
            points ``(B, A, L, 2)`` (the anchors' in-plane positions
            normalised by the input size, the same point on every level).
        """
        in_w, in_h = self.input_size
        ref_xy = anchors[:, :2] / anchors.new_tensor([in_w, in_h])
        reference_points = ref_xy[None, :, None, :].expand(
            batch_size, -1, self.num_levels, -1)
        anchor_pos = self.anchor_pos_head(
            anchor_sine_encoding(anchors / self.anchor_position_scale,
                                 self.embed_dims // 2))
        return anchor_pos[None].expand(batch_size, -1, -1), reference_points

    def initial_queries(self, memory: Tensor,
                        spatial_shapes: Tensor) -> Tensor:
        """Initial contents ``(B, A, C)`` of the anchor queries: the learned
        embeddings, or the first memory level at each anchor
        (``initial_content='memory'``)."""
        if self.content_embed is not None:
            return self.content_embed.weight[None].expand(
                memory.shape[0], -1, -1)
        ref_xy = self.anchors[:, :2] / self.anchors.new_tensor(
            self.input_size)
        return self._sample_first_level(memory, spatial_shapes, ref_xy)

    def _sample_first_level(self, memory: Tensor, spatial_shapes: Tensor,
                            ref_xy: Tensor) -> Tensor:
        """Bilinear sample of the first memory level at ``ref_xy``.

        Args:
            memory (Tensor): ``(B, sum(H_l*W_l), C)``.
            ref_xy (Tensor): ``(A, 2)`` normalised (x, y).

        Returns:
            Tensor: ``(B, A, C)``.
        """
        h, w = (int(v) for v in spatial_shapes[0])
        level0 = memory[:, :h * w].transpose(1, 2).reshape(
            memory.shape[0], -1, h, w)
        grid = (ref_xy * 2 - 1)[None, :, None].expand(
            memory.shape[0], -1, -1, -1)
        sampled = F.grid_sample(level0, grid, align_corners=False)
        return sampled[..., 0].transpose(1, 2)

    def _check_checkpoint(self, state_dict, prefix, *args, **kwargs):
        """Refuse checkpoints of another architecture or anchor setting."""
        check_state_dict(self, state_dict, prefix, 'model.neck')
        if not self.anchors.requires_grad:
            check_checkpoint_anchors(self.anchors, state_dict,
                                     prefix + 'anchors',
                                     self.checkpoint_anchors)
