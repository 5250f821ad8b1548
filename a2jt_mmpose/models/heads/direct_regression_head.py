# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Sequence

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

from ..utils.anchor_outputs import AnchorFeatures
from ..utils.keypoint_targets import stack_keypoint_targets
from ..utils.state_dict_check import check_state_dict


@MODELS.register_module()
class DirectRegressionHead(BaseHead):
    """Direct joint regression from the anchor queries (paper Table 6,
    "w/o anchor-to-joint (A2J) module").

    The anchors are not used to form the joints: for every decoder layer
    ``l`` the ``A`` refined anchor query features are pooled into one
    vector and an MLP regresses all ``K x 3`` coordinates::

        joints_l = coord_offset + coord_scale * MLP_l(pool(feats_l))

    Pooling (``pooling``):

    - ``'mean'`` (default): the mean over the ``A`` queries, ``(B, C)``. The
      simplest reading of "regress from the queries"; where a query sits is
      only known through what its content has taken in from its anchor's
      positional embedding and the image.
    - ``'attention'``: ``K`` learned softmax pools over the queries (a
      linear layer ``C -> K`` per query, softmax over ``A``), giving a
      ``(B, K, C)`` feature per joint, and one MLP per layer to 3
      coordinates shared by the joints. The pools weight *features*; unlike
      A2J no anchor position or offset enters the output.

    Every layer is supervised with the joint estimation loss (equal weight,
    mean over layers, as :class:`A2JHead`); there is no anchor surrounding
    loss (there are no weighted anchors).

    Input:
        feats (AnchorFeatures): the neck output; ``anchor_feats``
            ``(L, B, A, C)`` is used, ``anchors`` ``(A, 3)`` is ignored.

    Output of :meth:`forward`: joints ``(L, B, K, 3)`` in target space
    (``x, y`` input pixels, ``z`` the codec's depth unit, e.g. bins).

    Args:
        num_keypoints (int): K. 42 for InterHand2.6M.
        num_layers (int): L, the number of decoder layers (one MLP each).
        in_channels (int): C. Default 256.
        hidden_dims (int): hidden width of the MLPs. Default 256.
        num_mlp_layers (int): linear layers per MLP. Default 3.
        pooling (str): ``'mean'`` or ``'attention'``.
        coord_scale (float): multiplier of the MLP output (target units).
            Default 256 (as the offsets of :class:`A2JHead`).
        coord_offset (Sequence[float]): ``(x, y, z)`` added to the scaled
            output, e.g. the input centre and the middle depth bin, so an
            untrained head predicts the centre. Default zeros.
        loss_joint (dict): joint estimation loss config.
        decoder (dict): the codec that decodes predictions.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 num_keypoints: int = 42,
                 num_layers: int = 6,
                 in_channels: int = 256,
                 hidden_dims: int = 256,
                 num_mlp_layers: int = 3,
                 pooling: str = 'mean',
                 coord_scale: float = 256.,
                 coord_offset: Sequence[float] = (0., 0., 0.),
                 loss_joint: ConfigType = dict(type='JointEstimationLoss'),
                 decoder: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg)
        if num_keypoints < 1 or num_layers < 1:
            raise ValueError('model.head.num_keypoints and num_layers must be '
                             f'>= 1, got {num_keypoints}, {num_layers}')
        if pooling not in ('mean', 'attention'):
            raise ValueError('model.head.pooling must be "mean" or '
                             f'"attention", got {pooling!r}')
        self.num_keypoints = num_keypoints
        self.num_layers = num_layers
        self.in_channels = in_channels
        self.pooling = pooling
        self.coord_scale = coord_scale
        self.register_buffer(
            'coord_offset',
            torch.tensor(coord_offset, dtype=torch.float32),
            persistent=False)  # a config value
        if self.coord_offset.shape != (3, ):
            raise ValueError('model.head.coord_offset needs 3 values, got '
                             f'{coord_offset}')
        out_dims = num_keypoints * 3 if pooling == 'mean' else 3
        self.reg_branches = nn.ModuleList([
            MLP(in_channels, hidden_dims, out_dims, num_mlp_layers)
            for _ in range(num_layers)
        ])
        if pooling == 'attention':
            self.pool_branches = nn.ModuleList([
                nn.Linear(in_channels, num_keypoints)
                for _ in range(num_layers)
            ])
        else:
            self.pool_branches = None
        self.loss_joint = MODELS.build(loss_joint)
        self.decoder = KEYPOINT_CODECS.build(decoder) if decoder else None
        self._register_load_state_dict_pre_hook(self._check_checkpoint)

    def forward(self, feats: AnchorFeatures) -> Tensor:
        """Joints of every decoder layer ``(L, B, K, 3)``."""
        anchor_feats = feats.anchor_feats
        num_layers, batch_size = anchor_feats.shape[:2]
        if num_layers != self.num_layers:
            raise ValueError(
                f'model.head.num_layers={self.num_layers} but the neck '
                f'returns {num_layers} decoder layers')
        joints = []
        for layer in range(num_layers):
            feat = anchor_feats[layer]  # (B, A, C)
            if self.pool_branches is None:
                out = self.reg_branches[layer](feat.mean(dim=1))
            else:
                w = self.pool_branches[layer](feat).softmax(dim=1)  # (B,A,K)
                pooled = torch.einsum('bak,bac->bkc', w, feat)
                out = self.reg_branches[layer](pooled)
            joints.append(
                out.view(batch_size, self.num_keypoints, 3) *
                self.coord_scale + self.coord_offset)
        return torch.stack(joints)

    def predict(self,
                feats: AnchorFeatures,
                batch_data_samples: OptSampleList,
                test_cfg: ConfigType = {}) -> Predictions:
        """Decode the last layer's joints.

        Returns:
            list[InstanceData]: per sample ``keypoints`` ``(1, K, 3)`` (input
            pixels and root-relative depth in mm), ``keypoint_scores``
            ``(1, K)``, ``hand_type`` ``[[1, 1]]`` and ``rel_root_depth``
            0 (not predicted, as :class:`A2JHead`).
        """
        if test_cfg.get('flip_test', False):
            raise NotImplementedError(
                'DirectRegressionHead has no flip test; set '
                'model.test_cfg.flip_test=False')
        preds = self.decode(self.forward(feats)[-1])
        for pred in preds:
            num_instances = len(pred.keypoints)
            pred.hand_type = np.ones((num_instances, 2), dtype=np.float32)
            pred.rel_root_depth = np.zeros((num_instances, ), np.float32)
        return preds

    def loss(self,
             feats: AnchorFeatures,
             batch_data_samples: OptSampleList,
             train_cfg: ConfigType = {}) -> dict:
        """Joint estimation loss averaged over all decoder layers."""
        joints = self.forward(feats)
        target, weight = stack_keypoint_targets(batch_data_samples, joints)
        loss_joint = sum(self.loss_joint(j, target, weight) for j in joints)
        return dict(loss_joint=loss_joint / self.num_layers)

    def _check_checkpoint(self, state_dict, prefix, *args, **kwargs):
        check_state_dict(self, state_dict, prefix, 'model.head')
