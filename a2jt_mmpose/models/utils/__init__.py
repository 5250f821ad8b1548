# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .anchor_outputs import AnchorFeatures, AnchorFusion
from .anchors import generate_anchors
from .fused_multihead_attention import FusedMultiheadAttention
from .gather_ms_deform_attn import GatherMultiScaleDeformableAttention
from .keypoint_targets import stack_keypoint_targets
from .ms_deform_attn import multi_scale_deformable_attn_gather
from .positional_encoding import anchor_sine_encoding
from .state_dict_check import check_state_dict

__all__ = [
    'AnchorFeatures', 'AnchorFusion', 'generate_anchors',
    'anchor_sine_encoding', 'check_state_dict',
    'stack_keypoint_targets',
    'FusedMultiheadAttention', 'GatherMultiScaleDeformableAttention',
    'multi_scale_deformable_attn_gather'
]
