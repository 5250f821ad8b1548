# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .a2j_smooth_l1 import A2JSmoothL1
from .anchor_surrounding_loss import AnchorSurroundingLoss
from .joint_estimation_loss import JointEstimationLoss

__all__ = ['A2JSmoothL1', 'AnchorSurroundingLoss', 'JointEstimationLoss']
