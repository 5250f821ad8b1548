# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .internet_bbox_transform import InterNetBBoxTransform
from .invalidate_blank_crop import InvalidateBlankCrop
from .random_color_gain import RandomColorGain
from .depth_crop_resize import DepthCropResize
from .depth_normalize import DepthNormalize
from .depth_to_channels import DepthToChannels
from .depth_window import DepthWindow
from .get_depth_cube_box import GetDepthCubeBox
from .load_depth_image import LoadDepthImage
from .random_depth_box_shift import RandomDepthBoxShift
from .random_depth_rotate_scale import RandomDepthRotateScale
from .random_erasing_noise import RandomErasingNoise

__all__ = [
    'InterNetBBoxTransform', 'InvalidateBlankCrop', 'RandomColorGain', 'DepthCropResize',
    'DepthNormalize', 'DepthToChannels', 'DepthWindow', 'GetDepthCubeBox',
    'LoadDepthImage', 'RandomDepthBoxShift', 'RandomDepthRotateScale',
    'RandomErasingNoise'
]
