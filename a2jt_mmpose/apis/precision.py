# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Switch the inference precision of a built model or an mmpose
inferencer (``model.test_cfg.precision``, see
:class:`~a2jt_mmpose.models.A2JTPoseEstimator`)."""
from typing import Any

from ..models.utils.precision import check_precision


def set_inference_precision(target: Any, precision: str) -> None:
    """Run ``target``'s inference at ``precision`` (``'fp32'`` or
    ``'bf16'``).

    Args:
        target: an :class:`A2JTPoseEstimator`, an mmpose inferencer holding
            one (``Hand3DInferencer``, ``.model``) or ``MMPoseInferencer``
            (``.inferencer.model``).
        precision (str): ``'fp32'`` or ``'bf16'`` (bfloat16 autocast of the
            backbone, transformer and head MLPs; float32 sampling and
            anchor-to-joint fusion).

    Example:
        >>> from mmpose.apis import MMPoseInferencer
        >>> inferencer = MMPoseInferencer(pose3d=CONFIG, pose3d_weights=CKPT)
        >>> set_inference_precision(inferencer, 'bf16')
    """
    check_precision(precision, 'precision')
    model = target
    for attr in ('inferencer', 'model'):
        if not hasattr(model, 'set_precision') and hasattr(model, attr):
            model = getattr(model, attr)
    if not hasattr(model, 'set_precision'):
        raise TypeError(
            f'{type(target).__name__} holds no A2JTPoseEstimator (the '
            'model type of every config of the package, with '
            'model.test_cfg.precision); got a model of type '
            f'{type(model).__name__}')
    model.set_precision(precision)
