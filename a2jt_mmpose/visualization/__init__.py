# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from .anchor_weights import (anchor_weights_of_joint, draw_anchor_weights,
                             visualize_anchor_weights)
from .hand3d_local_visualizer import Hand3DLocalVisualizer

__all__ = [
    'Hand3DLocalVisualizer', 'anchor_weights_of_joint', 'draw_anchor_weights', 'visualize_anchor_weights'
]
