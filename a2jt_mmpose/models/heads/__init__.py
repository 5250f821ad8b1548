# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .a2j_head import A2JHead
from .direct_regression_head import DirectRegressionHead

__all__ = ['A2JHead', 'DirectRegressionHead']
