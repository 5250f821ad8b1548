# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Optional

import cv2
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS

from ..depth_formats import DEPTH_ENCODINGS, decode_depth


@TRANSFORMS.register_module()
class LoadDepthImage(BaseTransform):
    """Load a depth map in mm from ``results['img_path']``.

    Encodings (:mod:`a2jt_mmpose.datasets.depth_formats`, which also
    writes them):

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
        if encoding != 'auto' and encoding not in DEPTH_ENCODINGS:
            raise ValueError(f'LoadDepthImage: unknown encoding "{encoding}"'
                             " (use 'auto', 'nyu_rgb' or 'uint16')")
        self.encoding = encoding

    def transform(self, results: dict) -> Optional[dict]:
        path = results['img_path']
        img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        if img is None:
            raise FileNotFoundError(f'cannot read depth image "{path}"')
        results['img'] = decode_depth(img, self.encoding, path)
        results['img_shape'] = results['img'].shape[:2]
        results['ori_shape'] = results['img'].shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(encoding={self.encoding!r})'
