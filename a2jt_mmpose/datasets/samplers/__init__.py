# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .seeded_sampler import SeededSampler

__all__ = ['SeededSampler']
