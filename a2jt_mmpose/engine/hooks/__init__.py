# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .atomic_checkpoint_hook import AtomicCheckpointHook
from .seeded_randomness_hook import SeededRandomnessHook

__all__ = ['AtomicCheckpointHook', 'SeededRandomnessHook']
