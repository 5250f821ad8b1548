# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import logging
from typing import Tuple

import numpy as np
import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmpose.models.heads.base_head import BaseHead
from mmpose.models.heads.transformer_heads.transformers.utils import \
    FFN as MLP
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.utils.typing import (ConfigType, OptConfigType, OptSampleList,
                                 Predictions)
from torch import Tensor

from ..utils.anchor_outputs import AnchorFeatures, AnchorFusion
from ..utils.keypoint_targets import stack_keypoint_targets
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

    Optional extension (not in the paper or the official code): a hand-type
    head (:class:`A2JHandTypeHead`, logits ``(B, 2)``) and a relative root
    depth head (:class:`A2JRootDepthHead`, ``(B,)`` bins), both reading the
    last decoder layer's anchor features ``(B, A, C)``, trained with
    InterNet's losses (``loss_hand_type``, ``loss_root_depth``) and decoded
    by the codec. With ``hand_type_head=None`` and ``root_depth_head=None``
    (the default) the head, its state dict and its outputs are those of the
    paper model, so converted official checkpoints load strictly.

    Input:
        feats (AnchorFeatures): the neck output: ``anchor_feats``
            ``(L, B, A, C)`` and ``anchors`` ``(A, 3)``.

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
        hand_type_head (dict, optional): config of the hand-type head
            (e.g. ``dict(type='A2JHandTypeHead', in_channels=256)``). Needs
            a codec that knows which joints belong to which hand
            (``hand_joint_masks`` / ``mask_absent_hands``:
            :class:`A2JInterHandCodec`).
        root_depth_head (dict, optional): config of the relative root depth
            head (e.g. ``dict(type='A2JRootDepthHead', in_channels=256)``).
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
                 hand_type_head: OptConfigType = None,
                 root_depth_head: OptConfigType = None,
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
        # optional extension heads: None adds no module and no state dict key
        if hand_type_head is not None:
            if not hasattr(self.decoder, 'mask_absent_hands'):
                raise ValueError(
                    'model.head.hand_type_head needs a codec '
                    '(model.head.decoder) that knows which joints belong to '
                    f'which hand, e.g. A2JInterHandCodec; got {decoder}')
            # raises if the codec cannot split K joints into the two hands
            self.decoder.hand_joint_masks(num_keypoints)
        self.hand_type_head = MODELS.build(hand_type_head) \
            if hand_type_head else None
        self.root_depth_head = MODELS.build(root_depth_head) \
            if root_depth_head else None
        self._warned_missing = set()
        self._register_load_state_dict_pre_hook(self._check_checkpoint)

    def forward(self, feats: AnchorFeatures) -> Tensor:
        """Fused joints of every decoder layer ``(L, B, K, 3)``."""
        return self.fuse(feats).joints

    def fuse(self, feats: AnchorFeatures) -> AnchorFusion:
        """Anchor-to-joint fusion of every decoder layer.

        Returns:
            AnchorFusion:
            - joints ``(L, B, K, 3)``,
            - weighted_anchors ``(L, B, K, 3)``,
            - weights: anchor weights ``(L, B, A, K)`` (softmax over A).
        """
        anchor_feats, anchors = feats.anchor_feats, feats.anchors
        num_layers, batch_size, num_anchors, _ = anchor_feats.shape
        if num_layers != self.num_layers:
            raise ValueError(
                f'model.head.num_layers={self.num_layers} but the neck '
                f'returns {num_layers} decoder layers')
        if anchors.shape != (num_anchors, 3):
            raise ValueError(
                f'the neck returns {num_anchors} anchor features but an '
                f'anchor table of shape {tuple(anchors.shape)}')
        # the fusion runs in at least float32, also under bfloat16 / float16
        # autocast: joints are sums over A anchors of values up to the input
        # size (bfloat16 would round 250 px to 1 px steps)
        dtype = torch.promote_types(anchor_feats.dtype, torch.float32)
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
            # a trainable table learns from the first layer only (official)
            layer_anchors = anchors if layer == 0 else anchors.detach()
            with torch.autocast(feat.device.type, enabled=False):
                w = logits.to(dtype).softmax(dim=1)  # (B, A, K)
                anchor_sum = torch.einsum('bak,ad->bkd', w,
                                          layer_anchors.to(dtype))
                offset_sum = torch.einsum('bak,bakd->bkd', w,
                                          offsets.to(dtype))
            joints.append(anchor_sum + self.offset_scale * offset_sum)
            weighted_anchors.append(anchor_sum)
            weights.append(w)
        return AnchorFusion(
            joints=torch.stack(joints),
            weighted_anchors=torch.stack(weighted_anchors),
            weights=torch.stack(weights))

    def forward_extras(self, feats: AnchorFeatures) -> dict:
        """Outputs of the optional heads from the last decoder layer.

        Returns:
            dict: ``hand_type_logits`` ``(B, 2)`` if the hand-type head is
            on, ``root_depth`` ``(B,)`` (bins) if the root depth head is on.
        """
        anchor_feats = feats.anchor_feats[-1]
        out = {}
        if self.hand_type_head is not None:
            out['hand_type_logits'] = self.hand_type_head(anchor_feats)
        if self.root_depth_head is not None:
            out['root_depth'] = self.root_depth_head(anchor_feats)
        return out

    def predict(self,
                feats: AnchorFeatures,
                batch_data_samples: OptSampleList,
                test_cfg: ConfigType = {}) -> Predictions:
        """Decode the last layer's joints (and the optional heads).

        Returns:
            list[InstanceData]: per sample (one instance):

            - ``keypoints`` ``(1, K, 3)``: input pixels and root-relative
              depth in mm;
            - ``keypoint_scores`` ``(1, K)``: 1, or 0 for the joints of a hand
              the hand-type head reports absent (the codec's
              ``mask_absent_hands``);
            - ``hand_type`` ``(1, 2)`` float in {0, 1} (right, left present)
              and ``hand_type_predicted`` ``(1,)`` bool. With the hand-type
              head also ``hand_type_scores`` ``(1, 2)`` (probabilities).
              Without it (the paper model) ``hand_type`` is ``[[1, 1]]``
              (both hands assumed present, no joint hidden) and
              ``hand_type_predicted`` is False;
            - ``rel_root_depth`` ``(1,)`` mm (left root minus right root) and
              ``rel_root_depth_predicted`` ``(1,)`` bool. Without the root
              depth head it is 0 (the left hand is placed at the right
              root's depth) and ``rel_root_depth_predicted`` is False, so
              ``InterHandMPJPEMetric`` does not report MRRPE (and
              HandednessAcc without the hand-type head).
        """
        if test_cfg.get('flip_test', False):
            raise NotImplementedError(
                'A2JHead has no flip test (the official model uses none); '
                'set model.test_cfg.flip_test=False')
        joints = self.forward(feats)[-1]
        extras = self.forward_extras(feats)
        preds = self.decode(joints)
        hand_type = hand_prob = rel_root = None
        if 'hand_type_logits' in extras:
            hand_type, hand_prob = self.decoder.decode_hand_type(
                extras['hand_type_logits'].detach().float().cpu().numpy())
        if 'root_depth' in extras:
            rel_root = self.decoder.decode_root_depth(
                extras['root_depth'].detach().float().cpu().numpy())
        for i, pred in enumerate(preds):
            num_instances = len(pred.keypoints)
            if hand_type is None:
                pred.hand_type = np.ones((num_instances, 2), np.float32)
            else:
                pred.hand_type = hand_type[i:i + 1].copy()
                pred.hand_type_scores = hand_prob[i:i + 1].copy()
                pred.keypoint_scores = self.decoder.mask_absent_hands(
                    pred.keypoint_scores, pred.hand_type)
            pred.hand_type_predicted = np.full((num_instances, ),
                                               hand_type is not None)
            if rel_root is None:
                pred.rel_root_depth = np.zeros((num_instances, ), np.float32)
            else:
                pred.rel_root_depth = rel_root[i:i + 1].copy()
            pred.rel_root_depth_predicted = np.full((num_instances, ),
                                                    rel_root is not None)
        return preds

    def loss(self,
             feats: AnchorFeatures,
             batch_data_samples: OptSampleList,
             train_cfg: ConfigType = {}) -> dict:
        """Joint estimation + anchor surrounding losses, averaged over all
        decoder layers."""
        fused = self.fuse(feats)
        target, weight = stack_keypoint_targets(batch_data_samples,
                                                fused.joints)
        loss_joint = sum(
            self.loss_joint(j, target, weight) for j in fused.joints)
        loss_anchor = sum(
            self.loss_anchor(a, target, weight)
            for a in fused.weighted_anchors)
        losses = dict(
            loss_joint=loss_joint / self.num_layers,
            loss_anchor=loss_anchor / self.num_layers)
        extras = self.forward_extras(feats)
        if 'hand_type_logits' in extras:
            logits = extras['hand_type_logits']
            target, weight = self._extra_targets(batch_data_samples,
                                                 'hand_type', (2, ), logits)
            losses['loss_hand_type'] = self.hand_type_head.loss(
                logits, target, weight)
        if 'root_depth' in extras:
            pred = extras['root_depth']
            target, weight = self._extra_targets(batch_data_samples,
                                                 'root_depth', (), pred)
            losses['loss_root_depth'] = self.root_depth_head.loss(
                pred, target, weight)
        return losses

    def _extra_targets(self, batch_data_samples, name: str, shape: tuple,
                       like: Tensor) -> Tuple[Tensor, Tensor]:
        """``{name}_labels`` ``(B, *shape)`` and ``{name}_weights`` ``(B,)``
        of the codec. A sample without them (a dataset without hand type /
        root depth) gets weight 0, with a warning: the head then learns
        nothing from it, but the loss stays defined (every parameter gets a
        gradient, as DDP wants)."""
        targets, weights = [], []
        for d in batch_data_samples:
            labels = d.gt_instance_labels
            if f'{name}_labels' in labels and f'{name}_weights' in labels:
                targets.append(labels[f'{name}_labels'].reshape(-1, *shape))
                weights.append(labels[f'{name}_weights'].reshape(-1))
            else:
                if name not in self._warned_missing:
                    self._warned_missing.add(name)
                    print_log(
                        f'A2JHead: no {name}_labels in the data samples, so '
                        f'model.head.{name}_head gets no supervision; use a '
                        'dataset that has them (InterHand3DDataset) with '
                        f'A2JInterHandCodec, or set model.head.{name}_head='
                        'None', logger='current', level=logging.WARNING)
                targets.append(like.new_zeros(1, *shape))
                weights.append(like.new_zeros(1))
        return (torch.cat([t.to(like) for t in targets]),
                torch.cat([w.to(like) for w in weights]))

    def _check_checkpoint(self, state_dict, prefix, *args, **kwargs):
        check_state_dict(self, state_dict, prefix, 'model.head')
