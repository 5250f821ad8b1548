# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .hand3d_local_visualizer import Hand3DLocalVisualizer

__all__ = ['Hand3DLocalVisualizer']
