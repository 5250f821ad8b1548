# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .interhand_mpjpe_metric import InterHandMPJPEMetric
from .rhd_epe_metric import RhdEPEMetric

__all__ = ['InterHandMPJPEMetric', 'RhdEPEMetric']
