# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Sine positional encodings of A2J-Transformer (DETR / DAB-DETR style)."""
import math

import torch
from torch import Tensor


def sine_encoding_2d(batch_size: int,
                     height: int,
                     width: int,
                     num_feats: int = 128,
                     temperature: float = 10000.,
                     device=None) -> Tensor:
    """2-D sine encoding of a feature map without padding.

    Cell coordinates are the cumulative sums ``1..H`` / ``1..W`` shifted by
    ``-0.5`` and normalised to ``[0, 2*pi)`` (Deformable-DETR's ``normalize``
    with ``offset=-0.5``); channels are ``(y features, x features)`` with sin
    and cos interleaved.

    Returns:
        Tensor: encoding of shape ``(B, 2 * num_feats, H, W)``.
    """
    scale = 2 * math.pi
    eps = 1e-6
    y = torch.arange(1, height + 1, dtype=torch.float32, device=device)
    x = torch.arange(1, width + 1, dtype=torch.float32, device=device)
    y = (y - 0.5) / (height + eps) * scale
    x = (x - 0.5) / (width + eps) * scale
    dim_t = _frequencies(num_feats, temperature, device)
    pos_y = _interleave(y[:, None] / dim_t)  # (H, F)
    pos_x = _interleave(x[:, None] / dim_t)  # (W, F)
    pos = torch.cat([
        pos_y[:, None, :].expand(height, width, num_feats),
        pos_x[None, :, :].expand(height, width, num_feats)
    ], dim=-1)
    return pos.permute(2, 0, 1)[None].expand(batch_size, -1, -1, -1)


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
