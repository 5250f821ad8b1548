# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .checkpoint_loading import load_from_local, register_checkpoint_loader
from .hooks import AtomicCheckpointHook, SeededRandomnessHook
from .optim_wrappers import CPUAmpOptimWrapper

register_checkpoint_loader()

__all__ = [
    'load_from_local', 'register_checkpoint_loader', 'CPUAmpOptimWrapper',
    'AtomicCheckpointHook', 'SeededRandomnessHook'
]
