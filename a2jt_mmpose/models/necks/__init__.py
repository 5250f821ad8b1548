# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .anchor_refinement_neck import AnchorRefinementNeck

__all__ = ['AnchorRefinementNeck']
