# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Tuple

import numpy as np
import torch
import torch.nn as nn
from mmpose.models.heads.base_head import BaseHead
from mmpose.models.heads.transformer_heads.transformers.utils import \
    FFN as MLP
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.utils.typing import (ConfigType, OptConfigType, OptSampleList,
                                 Predictions)
from torch import Tensor

from ..utils.state_dict_check import check_state_dict


@MODELS.register_module()
class A2JHead(BaseHead):
    """Anchor offset-weight model of A2J-Transformer.

    For every decoder layer ``l``, anchor ``a`` and joint ``j`` the head
    predicts an offset ``O_j(a)`` (an MLP to ``K * 3``, multiplied by
    ``offset_scale``) and a weight logit (an MLP to ``K``). The weights are
    normalised with a softmax over the anchors and every layer gives::

        joint_j          = sum_a w_j(a) * (a + O_j(a))
        weighted_anchor_j = sum_a w_j(a) * a

    in the codec's target space (input pixels, depth bins / mm).
    :meth:`predict` uses the last layer; :meth:`loss` supervises all layers
    with equal weight (joint estimation loss on ``joint_j``, anchor
    surrounding loss on ``weighted_anchor_j``).

    Input:
        feats (tuple): the neck output ``(anchor_feats, anchors)`` with
            ``anchor_feats`` ``(L, B, A, C)`` and ``anchors`` ``(A, 3)``.

    Args:
        num_keypoints (int): K. 42 for InterHand2.6M.
        num_layers (int): L, the number of decoder layers (one offset and one
            weight MLP each).
        in_channels (int): C. Default 256.
        hidden_dims (int): hidden width of the MLPs. Default 256.
        num_mlp_layers (int): linear layers per MLP. Default 3.
        offset_scale (float): multiplier of the offset MLP output. Official:
            256 (the InterHand2.6M target size).
        uniform_weights (bool): ablation of paper Table 6: every anchor gets
            the same weight (no weight MLPs).
        loss_joint (dict): joint estimation loss config.
        loss_anchor (dict): anchor surrounding loss config.
        decoder (dict): the codec that decodes predictions.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 num_keypoints: int = 42,
                 num_layers: int = 6,
                 in_channels: int = 256,
                 hidden_dims: int = 256,
                 num_mlp_layers: int = 3,
                 offset_scale: float = 256.,
                 uniform_weights: bool = False,
                 loss_joint: ConfigType = dict(type='JointEstimationLoss'),
                 loss_anchor: ConfigType = dict(type='AnchorSurroundingLoss'),
                 decoder: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg)
        if num_keypoints < 1 or num_layers < 1:
            raise ValueError('model.head.num_keypoints and num_layers must be '
                             f'>= 1, got {num_keypoints}, {num_layers}')
        self.num_keypoints = num_keypoints
        self.num_layers = num_layers
        self.in_channels = in_channels
        self.offset_scale = offset_scale
        self.uniform_weights = uniform_weights
        self.offset_branches = nn.ModuleList([
            MLP(in_channels, hidden_dims, num_keypoints * 3, num_mlp_layers)
            for _ in range(num_layers)
        ])
        if uniform_weights:
            self.weight_branches = None
        else:
            self.weight_branches = nn.ModuleList([
                MLP(in_channels, hidden_dims, num_keypoints, num_mlp_layers)
                for _ in range(num_layers)
            ])
        self.loss_joint = MODELS.build(loss_joint)
        self.loss_anchor = MODELS.build(loss_anchor)
        self.decoder = KEYPOINT_CODECS.build(decoder) if decoder else None
        self._register_load_state_dict_pre_hook(self._check_checkpoint)

    def forward(self, feats: Tuple[Tensor, Tensor]) -> Tensor:
        """Fused joints of every decoder layer ``(L, B, K, 3)``."""
        return self.fuse(feats)[0]

    def fuse(self, feats: Tuple[Tensor, Tensor]
             ) -> Tuple[Tensor, Tensor, Tensor]:
        """Anchor-to-joint fusion of every decoder layer.

        Returns:
            tuple:
            - joints ``(L, B, K, 3)``,
            - weighted anchors ``(L, B, K, 3)``,
            - anchor weights ``(L, B, A, K)`` (softmax over A).
        """
        anchor_feats, anchors = feats
        num_layers, batch_size, num_anchors, _ = anchor_feats.shape
        if num_layers != self.num_layers:
            raise ValueError(
                f'model.head.num_layers={self.num_layers} but the neck '
                f'returns {num_layers} decoder layers')
        if anchors.shape != (num_anchors, 3):
            raise ValueError(
                f'the neck returns {num_anchors} anchor features but an '
                f'anchor table of shape {tuple(anchors.shape)}')
        joints, weighted_anchors, weights = [], [], []
        for layer in range(num_layers):
            feat = anchor_feats[layer]
            offsets = self.offset_branches[layer](feat).view(
                batch_size, num_anchors, self.num_keypoints, 3)
            if self.weight_branches is None:
                logits = feat.new_zeros(batch_size, num_anchors,
                                        self.num_keypoints)
            else:
                logits = self.weight_branches[layer](feat)
            w = logits.softmax(dim=1)  # (B, A, K)
            anchor_sum = torch.einsum('bak,ad->bkd', w, anchors)
            offset_sum = torch.einsum('bak,bakd->bkd', w, offsets)
            joints.append(anchor_sum + self.offset_scale * offset_sum)
            weighted_anchors.append(anchor_sum)
            weights.append(w)
        return (torch.stack(joints), torch.stack(weighted_anchors),
                torch.stack(weights))

    def predict(self,
                feats: Tuple[Tensor, Tensor],
                batch_data_samples: OptSampleList,
                test_cfg: ConfigType = {}) -> Predictions:
        """Decode the last layer's joints.

        Returns:
            list[InstanceData]: per sample ``keypoints`` ``(1, K, 3)`` (input
            pixels and root-relative depth in mm), ``keypoint_scores``
            ``(1, K)``. Also ``hand_type`` ``(1, 2)`` and ``rel_root_depth``
            ``(1,)``, which the official model does not predict:
            ``hand_type`` is ``[[1, 1]]`` (both hands assumed present, so no
            joint is hidden) and ``rel_root_depth`` is 0; metrics that need
            them (MRRPE, HandednessAcc) are not meaningful for this head.
        """
        if test_cfg.get('flip_test', False):
            raise NotImplementedError(
                'A2JHead has no flip test (the official model uses none); '
                'set model.test_cfg.flip_test=False')
        joints = self.forward(feats)[-1]
        preds = self.decode(joints)
        for pred in preds:
            num_instances = len(pred.keypoints)
            pred.hand_type = np.ones((num_instances, 2), dtype=np.float32)
            pred.rel_root_depth = np.zeros((num_instances, ), np.float32)
        return preds

    def loss(self,
             feats: Tuple[Tensor, Tensor],
             batch_data_samples: OptSampleList,
             train_cfg: ConfigType = {}) -> dict:
        """Joint estimation + anchor surrounding losses, averaged over all
        decoder layers."""
        joints, weighted_anchors, _ = self.fuse(feats)
        target = torch.cat([
            d.gt_instance_labels.keypoint_labels for d in batch_data_samples
        ]).to(joints)
        weight = torch.cat([
            d.gt_instance_labels.keypoint_weights for d in batch_data_samples
        ]).to(joints)
        if target.shape != joints.shape[1:]:
            raise ValueError(
                f'targets {tuple(target.shape)} do not match predictions '
                f'{tuple(joints.shape[1:])}: check model.head.num_keypoints '
                'and the dataset metainfo')
        loss_joint = sum(self.loss_joint(j, target, weight) for j in joints)
        loss_anchor = sum(
            self.loss_anchor(a, target, weight) for a in weighted_anchors)
        return dict(
            loss_joint=loss_joint / self.num_layers,
            loss_anchor=loss_anchor / self.num_layers)

    def _check_checkpoint(self, state_dict, prefix, *args, **kwargs):
        check_state_dict(self, state_dict, prefix, 'model.head')
