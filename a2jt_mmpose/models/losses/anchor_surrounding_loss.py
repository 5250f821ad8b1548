# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from mmpose.registry import MODELS

from .a2j_smooth_l1 import A2JSmoothL1


@MODELS.register_module()
class AnchorSurroundingLoss(A2JSmoothL1):
    """Anchor surrounding loss of A2J-Transformer (paper Eq. 10, lambda2).

    Smooth-L1 between the weighted anchor position ``sum_a w_j(a) a`` and the
    ground truth, which pulls the anchors with large weights around each
    joint. The official code uses ``tau = 1`` on all three coordinates (the
    default here); the paper writes ``tau2 = 3`` on depth, which is
    ``depth_tau=3.`` in the config. Inputs ``(B, K, 3)``, ``(B, K, 3)``,
    ``(B, K)``; see :class:`A2JSmoothL1`.

    Args:
        in_plane_tau (float): Default 1.
        depth_tau (float): Default 1 (official code).
        in_plane_factor (float): Default 1.
        depth_factor (float): Default 1.
        loss_weight (float): lambda2. Default 1.
    """

    def __init__(self,
                 in_plane_tau: float = 1.,
                 depth_tau: float = 1.,
                 in_plane_factor: float = 1.,
                 depth_factor: float = 1.,
                 loss_weight: float = 1.) -> None:
        super().__init__(in_plane_tau, depth_tau, in_plane_factor,
                         depth_factor, loss_weight)
