# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class DepthCropResize(BaseTransform):
    """Crop ``crop_box`` from the depth map and resize it (nearest).

    As the official code: ``x0 = int(max(box_x0, 0))``, ``x1 =
    int(min(box_x1, W - 1))`` (likewise y), ``crop = img[y0:y1, x0:x1]``
    resized to ``input_size`` with ``cv2.INTER_NEAREST``. Keypoints map as
    ``x = (u - x0) * w_in / (x1 - x0)`` (likewise ``y``); the depth is kept.
    (The official code truncates the box for the crop but maps the labels
    with the float box; here both use the integer box, so crop and labels
    agree exactly.)

    Required keys: ``img`` ``(H, W)`` mm, ``crop_box``, ``keypoints``
    ``(1, K, 3)`` uvd (optional).
    Modified keys: ``img`` -> ``(h_in, w_in)`` float32 mm, ``crop_box`` ->
    the integer box, ``img_shape``.
    Added keys: ``transformed_keypoints`` ``(1, K, 3)`` (crop px, crop px,
    mm), ``input_size``, ``input_center`` ``(2,)`` and ``input_scale``
    ``(2,)`` (box centre and size, so that mmpose's
    ``TopdownPoseEstimator`` maps predictions back to original pixels).

    Args:
        input_size (tuple[int, int]): ``(w, h)``. Default (176, 176).
    """

    def __init__(self, input_size: Tuple[int, int] = (176, 176)) -> None:
        self.input_size = tuple(int(v) for v in input_size)

    def transform(self, results: dict) -> dict:
        img = results['img']
        h, w = img.shape[:2]
        bx0, by0, bx1, by1 = (float(v) for v in results['crop_box'])
        x0, y0 = int(max(bx0, 0)), int(max(by0, 0))
        x1, y1 = int(min(bx1, w - 1)), int(min(by1, h - 1))
        if x1 - x0 < 1 or y1 - y0 < 1:
            raise ValueError(
                f'empty crop box {[x0, y0, x1, y1]} for '
                f'"{results.get("img_path")}": the crop centre '
                f'{results.get("depth_center_uvd")} is outside the {w}x{h} '
                'image')
        w_in, h_in = self.input_size
        crop = cv2.resize(img[y0:y1, x0:x1], (w_in, h_in),
                          interpolation=cv2.INTER_NEAREST)
        results['img'] = crop.astype(np.float32)
        results['img_shape'] = crop.shape[:2]
        results['crop_box'] = np.array([x0, y0, x1, y1], np.float32)
        results['input_size'] = self.input_size
        results['input_center'] = np.array([(x0 + x1) / 2, (y0 + y1) / 2],
                                           np.float32)
        results['input_scale'] = np.array([x1 - x0, y1 - y0], np.float32)
        if results.get('keypoints') is not None:
            kpt = np.array(results['keypoints'], dtype=np.float32)
            kpt[..., 0] = (kpt[..., 0] - x0) * w_in / (x1 - x0)
            kpt[..., 1] = (kpt[..., 1] - y0) * h_in / (y1 - y0)
            results['transformed_keypoints'] = kpt
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(input_size={self.input_size})'
