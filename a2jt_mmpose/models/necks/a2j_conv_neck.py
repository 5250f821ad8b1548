# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmpose.registry import MODELS
from torch import Tensor

from ..utils.anchor_outputs import AnchorFeatures
from ..utils.anchors import build_anchor_table, check_checkpoint_anchors
from ..utils.state_dict_check import check_state_dict


@MODELS.register_module()
class A2JConvNeck(BaseModule):
    """Convolutional anchor features in place of the anchor refinement model
    (paper Table 6, "w/o anchor refinement model").

    The transformer (encoder + anchor decoder) is replaced by an A2J-style
    convolutional branch (Xiong et al., ICCV 2019): the selected backbone
    levels are resized to the first selected level's size and concatenated,
    then ``num_convs`` x (3x3 conv + BN + ReLU, ``feat_channels``) and a
    last 3x3 conv that outputs ``n_depth * C`` channels per feature cell,
    i.e. one ``C``-vector per depth anchor, as A2J's output convs give one
    prediction per anchor of a cell. Each anchor reads the output map at its
    in-plane position (bilinear; exact cell centres for the default 16 x 16
    anchors on the stride-16 map) in the channel block of its depth. The
    per-anchor MLPs of :class:`A2JHead` then play the role of A2J's
    offset / weight output layers, so only the anchor refinement model is
    swapped.

    Input:
        feats (Sequence[Tensor]): backbone levels ``(B, C_l, H_l, W_l)``;
            for ResNet-50 DC5 at 256x256: ``(B, 512, 32, 32)``,
            ``(B, 1024, 16, 16)``, ``(B, 2048, 16, 16)``.

    Output:
        AnchorFeatures:
        - anchor_feats (Tensor): ``(1, B, A, C)`` (one "layer").
        - anchors (Tensor): the anchor table ``(A, 3)`` in target space
          (``x, y`` input pixels, ``z`` depth unit of the codec).

    Args:
        in_channels (Sequence[int]): channels of all backbone levels.
        in_indices (Sequence[int]): the levels used. Default ``(1, 2)``:
            stride-16 layer3 and layer4 (A2J uses layer3 for its anchor
            weights and layer4 for its offsets).
        embed_dims (int): C, the anchor feature width. Default 256.
        feat_channels (int): width of the 3x3 convs. Default 256 (A2J).
        num_convs (int): 3x3 conv + BN + ReLU blocks. Default 4 (A2J).
        input_size (tuple[int, int]): network input ``(w, h)`` in pixels.
        anchor_cfg (dict): arguments of :func:`generate_anchors`.
        num_anchors (int, optional): if given, must equal the number of
            anchors ``anchor_cfg`` produces.
        norm_cfg (dict): norm layer of the conv blocks. Default BN.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 in_channels: Sequence[int] = (512, 1024, 2048),
                 in_indices: Sequence[int] = (1, 2),
                 embed_dims: int = 256,
                 feat_channels: int = 256,
                 num_convs: int = 4,
                 input_size: Tuple[int, int] = (256, 256),
                 anchor_cfg: dict = dict(
                     num_in_plane=16, stride=16.,
                     depths=(63.5, 127.5, 191.5)),
                 num_anchors: Optional[int] = None,
                 norm_cfg: dict = dict(type='BN'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = tuple(in_channels)
        self.in_indices = tuple(in_indices)
        if not self.in_indices or any(
                i < 0 or i >= len(self.in_channels) for i in self.in_indices):
            raise ValueError(
                f'model.neck.in_indices={in_indices} must index '
                f'in_channels={self.in_channels}')
        self.embed_dims = embed_dims
        self.input_size = tuple(input_size)
        anchors = build_anchor_table(anchor_cfg, self.input_size, num_anchors)
        self.num_anchors = len(anchors)
        self.num_depths = len(anchor_cfg.get('depths', (63.5, 127.5, 191.5)))
        self.register_buffer('anchors', anchors)

        c = sum(self.in_channels[i] for i in self.in_indices)
        convs = []
        for _ in range(num_convs):
            convs.append(
                ConvModule(
                    c,
                    feat_channels,
                    3,
                    padding=1,
                    norm_cfg=norm_cfg,
                    act_cfg=dict(type='ReLU')))
            c = feat_channels
        self.convs = nn.Sequential(*convs)
        self.anchor_conv = nn.Conv2d(
            c, self.num_depths * embed_dims, 3, padding=1)
        self._register_load_state_dict_pre_hook(self._check_checkpoint)

    def init_weights(self) -> None:
        """A2J's initialisation: Xavier-normal convs (zero bias), norm weight
        1 and bias 0."""
        if self.init_cfg is not None:
            return super().init_weights()
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.xavier_normal_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        self._is_init = True

    def forward(self, feats: Sequence[Tensor]) -> AnchorFeatures:
        """Per-anchor features; see the class docstring for shapes."""
        if len(feats) != len(self.in_channels):
            raise ValueError(
                f'{self.__class__.__name__} expects {len(self.in_channels)} '
                f'backbone levels (in_channels={self.in_channels}), got '
                f'{len(feats)}; check model.backbone.out_indices')
        size = feats[self.in_indices[0]].shape[-2:]
        x = torch.cat([
            f if f.shape[-2:] == size else F.interpolate(
                f, size=size, mode='bilinear', align_corners=False)
            for f in (feats[i] for i in self.in_indices)
        ], 1)
        x = self.anchor_conv(self.convs(x))  # (B, D*C, H, W)

        batch_size = x.shape[0]
        in_w, in_h = self.input_size
        # one in-plane position per D consecutive anchors (depth is fastest)
        xy = self.anchors[::self.num_depths, :2]
        # pixel centres at integer coordinates: the image spans
        # [-0.5, size - 0.5], which grid_sample maps to [-1, 1]
        grid = (xy + 0.5) / xy.new_tensor([in_w, in_h]) * 2 - 1
        grid = grid[None, :, None].expand(batch_size, -1, -1, -1)
        sampled = F.grid_sample(
            x, grid, mode='bilinear', align_corners=False)  # (B, D*C, P, 1)
        num_pos = xy.shape[0]
        sampled = sampled.view(batch_size, self.num_depths, self.embed_dims,
                               num_pos)
        anchor_feats = sampled.permute(0, 3, 1, 2).reshape(
            batch_size, num_pos * self.num_depths, self.embed_dims)
        return AnchorFeatures(
            anchor_feats=anchor_feats[None], anchors=self.anchors)

    def _check_checkpoint(self, state_dict, prefix, *args, **kwargs):
        check_state_dict(self, state_dict, prefix, 'model.neck')
        check_checkpoint_anchors(self.anchors, state_dict, prefix + 'anchors',
                                 'refuse')
