# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .mean_pose import mean_pose_baseline, root_relative

__all__ = ['mean_pose_baseline', 'root_relative']
