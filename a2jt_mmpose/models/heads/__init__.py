# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .a2j_head import A2JHead
from .direct_regression_head import DirectRegressionHead
from .hand_type_head import A2JHandTypeHead
from .root_depth_head import A2JRootDepthHead

__all__ = [
    'A2JHead', 'DirectRegressionHead', 'A2JHandTypeHead', 'A2JRootDepthHead'
]
