# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .resnet_dc5 import ResNetDC5

__all__ = ['ResNetDC5']
