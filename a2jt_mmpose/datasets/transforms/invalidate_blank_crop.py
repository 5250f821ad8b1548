# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class InvalidateBlankCrop(BaseTransform):
    """Zero every validity of a sample whose crop is blank, as the official
    A2J-Transformer (InterHand2.6M) dataset does: it sets the joint, root
    and hand-type validities to 0 when the cropped image, divided by 255,
    sums to less than ``1e-4`` (a black frame or a crop entirely outside
    the image), so such a sample adds nothing to the losses.

    Place it after the crop (``TopdownAffine``) and the colour augmentation,
    before ``GenerateTarget``.

    Required keys: ``img`` ``(H, W, C)`` (0-255). Modified keys:
    ``keypoints_visible`` ``(N, K)`` and, where present,
    ``hand_type_valid`` and ``rel_root_valid`` (set to 0).

    Args:
        threshold (float): a crop whose ``sum(img / 255)`` is below this is
            blank. Default 1e-4 (official).
    """

    def __init__(self, threshold: float = 1e-4) -> None:
        super().__init__()
        if not threshold >= 0:
            raise ValueError('InvalidateBlankCrop.threshold must be >= 0, '
                             f'got {threshold}')
        self.threshold = float(threshold)

    def transform(self, results: Dict) -> Dict:
        img = np.asarray(results['img'])
        if img.astype(np.float64).sum() / 255. >= self.threshold:
            return results
        for key in ('keypoints_visible', 'hand_type_valid', 'rel_root_valid'):
            if results.get(key) is not None:
                results[key] = np.zeros_like(np.asarray(results[key]))
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(threshold={self.threshold})'
