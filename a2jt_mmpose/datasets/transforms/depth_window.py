# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import numpy as np
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class DepthWindow(BaseTransform):
    """Keep depths within +-``half_depth`` of the centre, relative to it.

    Official: pixels with ``d >= c + 150`` or ``d <= c - 150`` (including
    the 0 = no-reading background) are set to the centre depth ``c``, then
    ``c`` is subtracted. The keypoints' depth becomes ``d - c`` (mm).

    Required keys: ``img`` ``(h, w)`` mm, ``depth_center_xyz`` (its z is
    ``c``), ``transformed_keypoints`` (optional).
    Modified keys: ``img`` -> relative depth in mm (0 outside the window),
    ``transformed_keypoints[..., 2]``.
    Added keys: ``center_depth`` (float, mm).

    Args:
        half_depth (float): mm. Default 150.
    """

    def __init__(self, half_depth: float = 150.) -> None:
        self.half_depth = float(half_depth)

    def transform(self, results: dict) -> dict:
        c = float(results['depth_center_xyz'][2])
        img = np.asarray(results['img'], np.float32)
        outside = (img >= c + self.half_depth) | (img <= c - self.half_depth)
        results['img'] = np.where(outside, np.float32(c), img) - np.float32(c)
        results['center_depth'] = c
        if results.get('transformed_keypoints') is not None:
            kpt = np.array(results['transformed_keypoints'], np.float32)
            kpt[..., 2] -= c
            results['transformed_keypoints'] = kpt
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(half_depth={self.half_depth})'
