# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from mmpose.registry import MODELS

from .a2j_smooth_l1 import A2JSmoothL1


@MODELS.register_module()
class JointEstimationLoss(A2JSmoothL1):
    """Joint estimation loss of A2J-Transformer (paper Eq. 9, lambda1).

    Smooth-L1 between the fused joints ``sum_a w_j(a) (a + O_j(a))`` and the
    ground truth: in-plane ``tau1 = 1`` (pixels) scaled by ``alpha = 0.5``,
    depth ``tau = 3`` (bins). See :class:`A2JSmoothL1` for the masking and
    normalisation. Inputs ``(B, K, 3)``, ``(B, K, 3)``, ``(B, K)``.

    Args:
        in_plane_tau (float): Default 1.
        depth_tau (float): Default 3.
        in_plane_factor (float): alpha. Default 0.5.
        depth_factor (float): Default 1.
        loss_weight (float): lambda1. Default 3.
    """

    def __init__(self,
                 in_plane_tau: float = 1.,
                 depth_tau: float = 3.,
                 in_plane_factor: float = 0.5,
                 depth_factor: float = 1.,
                 loss_weight: float = 3.) -> None:
        super().__init__(in_plane_tau, depth_tau, in_plane_factor,
                         depth_factor, loss_weight)
