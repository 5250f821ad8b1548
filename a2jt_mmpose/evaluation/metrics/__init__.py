# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .interhand_mpjpe_metric import InterHandMPJPEMetric
from .rhd_epe_metric import RhdEPEMetric
from .depth_hand_mpjpe_metric import DepthHandMPJPEMetric
from .hands2017_result_exporter import Hands2017ResultExporter

__all__ = [
    'InterHandMPJPEMetric', 'RhdEPEMetric', 'DepthHandMPJPEMetric',
    'Hands2017ResultExporter'
]
