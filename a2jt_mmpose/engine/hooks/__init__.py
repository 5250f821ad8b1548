# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .seeded_randomness_hook import SeededRandomnessHook

__all__ = ['SeededRandomnessHook']
