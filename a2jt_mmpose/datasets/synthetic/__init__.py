# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Synthetic hand data in the on-disk formats of InterHand2.6M, RHD, NYU
and HANDS 2017.

The renderers and writers compute with numpy + cv2 only (scipy for NYU's
``.mat``) and register nothing; camera maths comes from
:mod:`a2jt_mmpose.codecs.depth_camera` and the depth PNG encodings from
:mod:`a2jt_mmpose.datasets.depth_formats`. The command-line pieces of
``tools/dataset_converters/generate_synthetic_*.py`` are in :mod:`.cli`.
"""
from .camera import (PinholeCamera, look_at_rotation, sample_camera_on_sphere,
                     to_float32_precision)
from .hand_model import (BONE_LENGTH_RANGES, GESTURES, HAND_PARENTS,
                         INTERHAND_JOINT_NAMES, JOINT_LIMITS_DEG, NUM_JOINTS,
                         ROOT_JOINTS, SCALE_RANGE, HandPose, HandShape,
                         TwoHandSample, bone_lengths, facing_rotation,
                         forward_kinematics, sample_hand_pose,
                         sample_hand_shape, sample_hands)
from .interhand_writer import (generate_interhand, interhand_paths,
                               plan_interhand, render_interhand_image)
from .rhd_writer import generate_rhd, render_rhd_sample, rhd_paths
from .renderer import (HandRenderer, RenderResult, build_hand_primitives,
                       random_background, rasterize_primitives,
                       sample_skin_tone)

__all__ = [
    'PinholeCamera', 'look_at_rotation', 'sample_camera_on_sphere',
    'to_float32_precision', 'BONE_LENGTH_RANGES', 'GESTURES', 'HAND_PARENTS',
    'INTERHAND_JOINT_NAMES', 'JOINT_LIMITS_DEG', 'NUM_JOINTS', 'ROOT_JOINTS',
    'SCALE_RANGE', 'HandPose', 'HandShape', 'TwoHandSample', 'bone_lengths',
    'forward_kinematics', 'facing_rotation', 'sample_hand_pose',
    'sample_hand_shape', 'sample_hands', 'HandRenderer', 'RenderResult',
    'build_hand_primitives', 'random_background', 'rasterize_primitives',
    'sample_skin_tone',
    'generate_interhand', 'interhand_paths', 'plan_interhand',
    'render_interhand_image', 'generate_rhd', 'render_rhd_sample',
    'rhd_paths'
]
