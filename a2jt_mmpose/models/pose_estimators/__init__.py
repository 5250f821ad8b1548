# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .a2jt_pose_estimator import A2JTPoseEstimator

__all__ = ['A2JTPoseEstimator']
