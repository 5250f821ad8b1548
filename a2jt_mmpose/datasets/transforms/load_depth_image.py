# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Optional

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadDepthImage(BaseTransform):
    """Load a depth map in mm from ``results['img_path']``.

    Encodings:

    - ``'nyu_rgb'``: NYU's 8-bit 3-channel PNG, depth = ``G * 256 + B``
      (cv2 reads BGR, so ``img[..., 1] * 256 + img[..., 0]``);
    - ``'uint16'``: a single-channel 16-bit PNG holding mm (HANDS 2017);
    - ``'auto'``: ``'uint16'`` for 16-bit images, ``'nyu_rgb'`` for 8-bit
      3-channel ones.

    An 8-bit single-channel image (a lossy / wrong conversion) is an error
    in every mode, and so is an 8-bit image where ``'uint16'`` is asked for.

    Added keys: ``img`` ``(H, W)`` float32 depth in mm (0 = no reading),
    ``img_shape`` / ``ori_shape`` ``(H, W)``.

    Args:
        encoding (str): ``'auto'``, ``'nyu_rgb'`` or ``'uint16'``.
    """

    def __init__(self, encoding: str = 'auto') -> None:
        if encoding not in ('auto', 'nyu_rgb', 'uint16'):
            raise ValueError(f'LoadDepthImage: unknown encoding "{encoding}"'
                             " (use 'auto', 'nyu_rgb' or 'uint16')")
        self.encoding = encoding

    def transform(self, results: dict) -> Optional[dict]:
        path = results['img_path']
        img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        if img is None:
            raise FileNotFoundError(f'cannot read depth image "{path}"')
        results['img'] = self.decode(img, path, self.encoding)
        results['img_shape'] = results['img'].shape[:2]
        results['ori_shape'] = results['img'].shape[:2]
        return results

    @staticmethod
    def decode(img: np.ndarray, path: str = '<array>',
               encoding: str = 'auto') -> np.ndarray:
        """Decode an image array as read by ``cv2.IMREAD_UNCHANGED`` to an
        ``(H, W)`` float32 depth map in mm."""
        is16 = img.dtype == np.uint16
        if encoding == 'uint16' or (encoding == 'auto' and is16):
            if not is16 or img.ndim != 2:
                raise ValueError(
                    f'"{path}" is {img.dtype} with shape {img.shape}; a '
                    '16-bit single-channel depth PNG (mm) is expected')
            return img.astype(np.float32)
        if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] < 3:
            raise ValueError(
                f'"{path}" is {img.dtype} with shape {img.shape}; NYU depth '
                'needs an 8-bit 3-channel PNG (depth = G * 256 + B) and '
                'HANDS 2017 a 16-bit one')
        return (img[..., 1].astype(np.float32) * 256. +
                img[..., 0].astype(np.float32))

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(encoding={self.encoding!r})'
