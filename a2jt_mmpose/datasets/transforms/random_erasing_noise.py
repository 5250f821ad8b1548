# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomErasingNoise(BaseTransform):
    """A2J-Transformer's random erasing: it *adds* unit Gaussian noise to a
    random rectangle instead of blanking it.

    With probability ``prob``: up to 100 attempts draw an area fraction in
    ``area_range`` and an aspect ratio ``h / w`` in ``aspect_range``; the
    first rectangle that fits gets ``N(0, noise_std)`` added. Runs after
    ``DepthNormalize`` (the noise is in normalised units, as officially).

    Modified keys: ``img`` ``(h, w)`` or ``(h, w, c)`` float32 (the same
    noise on every channel).
    Added keys: ``erased_box`` ``(4,)`` (x0, y0, x1, y1) or None.

    Args:
        prob (float): Default 0.5.
        area_range (tuple[float, float]): Default (0.02, 0.4).
        aspect_range (tuple[float, float]): Default (0.3, 1 / 0.3).
        noise_std (float): Default 1.
    """

    def __init__(self,
                 prob: float = 0.5,
                 area_range: Tuple[float, float] = (0.02, 0.4),
                 aspect_range: Tuple[float, float] = (0.3, 1 / 0.3),
                 noise_std: float = 1.) -> None:
        self.prob = prob
        self.area_range = tuple(area_range)
        self.aspect_range = tuple(aspect_range)
        self.noise_std = noise_std

    def transform(self, results: dict) -> dict:
        results['erased_box'] = None
        if np.random.rand() >= self.prob:
            return results
        img = np.array(results['img'], np.float32)
        h, w = img.shape[:2]
        for _ in range(100):
            area = np.random.uniform(*self.area_range) * h * w
            aspect = np.random.uniform(*self.aspect_range)
            eh = int(round(np.sqrt(area * aspect)))
            ew = int(round(np.sqrt(area / aspect)))
            if 0 < eh < h and 0 < ew < w:
                y0 = np.random.randint(0, h - eh)
                x0 = np.random.randint(0, w - ew)
                noise = np.random.randn(eh, ew).astype(np.float32)
                noise *= np.float32(self.noise_std)
                if img.ndim == 3:
                    noise = noise[..., None]
                img[y0:y0 + eh, x0:x0 + ew] += noise
                results['img'] = img
                results['erased_box'] = np.array([x0, y0, x0 + ew, y0 + eh])
                return results
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(prob={self.prob}, '
                f'area_range={self.area_range}, '
                f'aspect_range={self.aspect_range})')
