# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .internet_bbox_transform import InterNetBBoxTransform
from .random_color_gain import RandomColorGain

__all__ = ['InterNetBBoxTransform', 'RandomColorGain']
