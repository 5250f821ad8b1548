# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Dict, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomColorGain(BaseTransform):
    """Multiply every colour channel by its own random gain (InterNet /
    A2J-Transformer colour augmentation), then clip to ``[0, 255]``.

    Required keys: ``img`` ``(H, W, C)``. Modified keys: ``img`` (float32).

    Args:
        gain_range (tuple[float, float]): uniform range of each channel's
            gain. Default (0.8, 1.2).
    """

    def __init__(self, gain_range: Tuple[float, float] = (0.8, 1.2)) -> None:
        super().__init__()
        low, high = gain_range
        if not 0 <= low <= high:
            raise ValueError(f'RandomColorGain.gain_range must satisfy '
                             f'0 <= low <= high, got {gain_range}')
        self.gain_range = (float(low), float(high))

    @cache_randomness
    def _sample_gain(self, num_channels: int) -> np.ndarray:
        return np.random.uniform(*self.gain_range, size=num_channels)

    def transform(self, results: Dict) -> Dict:
        img = results['img']
        gain = self._sample_gain(img.shape[-1]).astype(np.float32)
        results['img'] = np.clip(img.astype(np.float32) * gain, 0., 255.)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(gain_range={self.gain_range})'
