# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .interhand_mpjpe_metric import InterHandMPJPEMetric

__all__ = ['InterHandMPJPEMetric']
