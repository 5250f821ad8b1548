# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import numpy as np
from mmcv.transforms import BaseTransform
from mmpose.registry import TRANSFORMS

from ...codecs.depth_camera import cube_box


@TRANSFORMS.register_module()
class GetDepthCubeBox(BaseTransform):
    """Crop box of a cube around the depth centre (A2J's crop).

    The points ``centre +- cube_half_size`` mm in camera x and y, at the
    centre depth, are projected with the sample's ``focal`` (signed) and
    ``principal_pt``; the box is their pixel extent. It is *not* clipped
    here: ``RandomDepthBoxShift`` shifts the raw edges and
    ``DepthCropResize`` clips, as the official code does.

    Required keys: ``depth_center_xyz`` ``(3,)`` mm, ``focal`` ``(2,)``,
    ``principal_pt`` ``(2,)``.
    Added keys: ``crop_box`` ``(4,)`` float64 ``(x0, y0, x1, y1)`` px.

    Args:
        cube_half_size (float): half side in mm: NYU 110, HANDS 2017 100.
    """

    def __init__(self, cube_half_size: float = 110.) -> None:
        if cube_half_size <= 0:
            raise ValueError('cube_half_size must be > 0')
        self.cube_half_size = float(cube_half_size)

    def transform(self, results: dict) -> dict:
        results['crop_box'] = cube_box(results['depth_center_xyz'],
                                       self.cube_half_size, results['focal'],
                                       results['principal_pt'])
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'cube_half_size={self.cube_half_size})')
