# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .a2j_head import A2JHead

__all__ = ['A2JHead']
