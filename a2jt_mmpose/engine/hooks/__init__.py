# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .atomic_checkpoint_hook import AtomicCheckpointHook

__all__ = ['AtomicCheckpointHook']
