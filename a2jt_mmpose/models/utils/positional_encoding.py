# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Sine encoding of the 3D anchors (DAB-DETR style query positions).

The 2-D encoding of the feature maps is mmdet's ``SinePositionalEncoding``
(``normalize=True, offset=-0.5``), built by the neck.
"""
import math

import torch
from torch import Tensor


def anchor_sine_encoding(anchors: Tensor,
                         num_feats: int = 128,
                         temperature: float = 10000.) -> Tensor:
    """Sine encoding of normalised 3D anchors (the DAB query position input).

    Args:
        anchors (Tensor): normalised anchors ``(..., 3)`` as ``(x, y, z)``.

    Returns:
        Tensor: ``(..., 3 * num_feats)`` in the official order
        ``(y, x, z)``.
    """
    scale = 2 * math.pi
    dim_t = _frequencies(num_feats, temperature, anchors.device)
    coords = anchors * scale
    pos_x = _interleave(coords[..., 0, None] / dim_t)
    pos_y = _interleave(coords[..., 1, None] / dim_t)
    pos_z = _interleave(coords[..., 2, None] / dim_t)
    return torch.cat([pos_y, pos_x, pos_z], dim=-1)


def _frequencies(num_feats: int, temperature: float, device) -> Tensor:
    dim_t = torch.arange(num_feats, dtype=torch.float32, device=device)
    return temperature**(2 * torch.div(dim_t, 2, rounding_mode='floor') /
                         num_feats)


def _interleave(pos: Tensor) -> Tensor:
    """sin on even, cos on odd channels, interleaved: ``(..., F) -> (..., F)``.
    """
    return torch.stack([pos[..., 0::2].sin(), pos[..., 1::2].cos()],
                       dim=-1).flatten(-2)
