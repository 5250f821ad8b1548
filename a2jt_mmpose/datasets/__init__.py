# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .datasets import *  # noqa: F401,F403
from .sample_seeding import SampleKey, SeededSampleMixin, seeded_randomness
from .samplers import *  # noqa: F401,F403
from .transforms import *  # noqa: F401,F403

__all__ = ['SampleKey', 'SeededSampleMixin', 'seeded_randomness']
