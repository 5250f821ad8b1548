# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Name the file when mmpose's 3D hand inferencer is given one that does
not decode.

``MMPoseInferencer(pose3d=...)`` picks mmpose's ``Hand3DInferencer`` by the
config name; a plugin cannot register its own in its place. Given an image
path that does not decode (an empty file, a text file named ``.jpg``), that
inferencer fails with ``'NoneType' object has no attribute 'shape'`` (or
OpenCV's ``!buf.empty()``) and no file name. :func:`install_input_check`
wraps its ``preprocess_single`` so that such an input raises
:class:`UnreadableInputError` naming the file; every readable input goes
through unchanged.
"""
import functools

from .inputs import UnreadableInputError, decode_failure, input_kind


def install_input_check() -> None:
    """Wrap ``Hand3DInferencer.preprocess_single`` once (idempotent)."""
    from mmpose.apis.inferencers.hand3d_inferencer import Hand3DInferencer
    original = Hand3DInferencer.preprocess_single
    if getattr(original, '_a2jt_input_check', False):
        return

    @functools.wraps(original)
    def preprocess_single(self, input, index, *args, **kwargs):
        # video frames and arrays arrive decoded; only paths are checked
        if isinstance(input, str) and input_kind(input) == 'image':
            reason = decode_failure(input)
            if reason is not None:
                raise UnreadableInputError(
                    f'{type(self).__name__}: input {index} {reason} (an '
                    f'empty, truncated or non-image file); remove it, or '
                    f'use a2jt_mmpose.apis.readable_inputs to skip such '
                    f'files')
        return original(self, input, index, *args, **kwargs)

    preprocess_single._a2jt_input_check = True
    Hand3DInferencer.preprocess_single = preprocess_single
