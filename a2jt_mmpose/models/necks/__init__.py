# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .a2j_conv_neck import A2JConvNeck
from .anchor_refinement_neck import AnchorRefinementNeck
from .plain_attention_neck import PlainAttentionAnchorRefinementNeck

__all__ = [
    'A2JConvNeck', 'AnchorRefinementNeck', 'PlainAttentionAnchorRefinementNeck'
]
