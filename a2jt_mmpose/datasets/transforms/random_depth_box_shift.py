# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomDepthBoxShift(BaseTransform):
    """Shift each edge of ``crop_box`` by its own random integer (training).

    Official: ``np.random.randint(-5, 5)``, i.e. integers in ``[-5, 4]``,
    added to the raw (unclipped) edges.

    Required / modified keys: ``crop_box`` ``(4,)`` px.

    Args:
        shift_range (tuple[int, int]): inclusive integer range.
            Default (-5, 4).
    """

    def __init__(self, shift_range: Tuple[int, int] = (-5, 4)) -> None:
        lo, hi = (int(v) for v in shift_range)
        if lo > hi:
            raise ValueError(f'shift_range {shift_range} is empty')
        self.shift_range = (lo, hi)

    def transform(self, results: dict) -> dict:
        lo, hi = self.shift_range
        shift = np.random.randint(lo, hi + 1, size=4)
        results['crop_box'] = np.asarray(results['crop_box'],
                                         np.float64) + shift
        results['crop_box_shift'] = shift
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(shift_range={self.shift_range})'
