# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomDepthRotateScale(BaseTransform):
    """Random in-plane rotation and scale of the crop; depth scaled too.

    Official: rotation ``np.random.randint(-180, 180)`` degrees (integers in
    ``[-180, 179]``), scale ``uniform [0.5, 1.5)``, about the crop centre
    ``(w / 2, h / 2)`` (``cv2.getRotationMatrix2D``); the relative depth is
    multiplied by the same scale; nearest-neighbour warp with a constant
    border. The official code warps the *normalised* image with border 0;
    this transform runs before ``DepthNormalize``, so ``border_value``
    (relative mm) should be the normalisation mean to match.

    Required keys: ``img`` ``(h, w)`` relative depth (mm),
    ``transformed_keypoints`` ``(1, K, 3)`` (optional).
    Modified keys: ``img``, ``transformed_keypoints`` (x, y through the
    affine matrix, z times the scale).
    Added keys: ``rotation`` (deg), ``depth_scale``, ``depth_affine``
    ``(2, 3)``.

    Args:
        rotate_range (tuple[int, int]): inclusive integer degrees.
        scale_range (tuple[float, float]): ``[lo, hi)``.
        border_value (float): value outside the rotated crop.
    """

    def __init__(self,
                 rotate_range: Tuple[int, int] = (-180, 179),
                 scale_range: Tuple[float, float] = (0.5, 1.5),
                 border_value: float = 0.) -> None:
        self.rotate_range = tuple(int(v) for v in rotate_range)
        self.scale_range = tuple(float(v) for v in scale_range)
        self.border_value = float(border_value)

    def transform(self, results: dict) -> dict:
        rot = np.random.randint(self.rotate_range[0],
                                self.rotate_range[1] + 1)
        lo, hi = self.scale_range
        scale = np.random.rand() * (hi - lo) + lo
        return self.apply(results, float(rot), float(scale))

    def apply(self, results: dict, rotation: float, scale: float) -> dict:
        """Apply a given rotation (deg) and scale (used by tests)."""
        img = np.asarray(results['img'], np.float32)
        h, w = img.shape[:2]
        mat = cv2.getRotationMatrix2D((w / 2, h / 2), rotation, scale)
        results['img'] = cv2.warpAffine(
            img * np.float32(scale),
            mat, (w, h),
            flags=cv2.INTER_NEAREST,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=self.border_value)
        if results.get('transformed_keypoints') is not None:
            kpt = np.array(results['transformed_keypoints'], np.float32)
            xy1 = np.concatenate([kpt[..., :2], np.ones_like(kpt[..., :1])],
                                 -1)
            kpt[..., :2] = xy1 @ mat.T.astype(np.float32)
            kpt[..., 2] *= scale
            results['transformed_keypoints'] = kpt
        results['rotation'] = rotation
        results['depth_scale'] = scale
        results['depth_affine'] = mat
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(rotate_range={self.rotate_range}'
                f', scale_range={self.scale_range}, '
                f'border_value={self.border_value})')
