# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import numpy as np
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class DepthNormalize(BaseTransform):
    """``img = (img - mean) / std`` on the relative depth (mm).

    The official scripts use A2J's dataset mean/std files; their values are
    not published with the code, so the configs pick ``mean = 0`` and
    ``std = 75`` (about the spread of a hand inside the +-150 mm window).

    Modified keys: ``img`` ``(h, w)`` float32.

    Args:
        mean (float): mm.
        std (float): mm, > 0.
    """

    def __init__(self, mean: float = 0., std: float = 1.) -> None:
        if std <= 0:
            raise ValueError('DepthNormalize: std must be > 0')
        self.mean, self.std = float(mean), float(std)

    def transform(self, results: dict) -> dict:
        img = np.asarray(results['img'], np.float32)
        results['img'] = (img - np.float32(self.mean)) / np.float32(self.std)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(mean={self.mean}, std={self.std})'
