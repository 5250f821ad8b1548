# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .cpu_distributed import setup_cpu_distributed

__all__ = ['setup_cpu_distributed']
