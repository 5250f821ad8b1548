# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Inference helpers around mmpose's ``MMPoseInferencer``.

Importing the package installs :func:`install_input_check`: an image path
that does not decode, given to mmpose's 3D hand inferencer, raises
:class:`UnreadableInputError` naming the file.
"""
from .hand_report import describe_hands, keep_data_samples
from .inferencer_guard import install_input_check
from .inputs import (SameBoxForEveryInput, UnreadableInputError,
                     decode_failure, readable_inputs)
from .precision import set_inference_precision

install_input_check()

__all__ = [
    'SameBoxForEveryInput', 'UnreadableInputError', 'decode_failure',
    'describe_hands', 'install_input_check', 'keep_data_samples',
    'readable_inputs', 'set_inference_precision'
]
