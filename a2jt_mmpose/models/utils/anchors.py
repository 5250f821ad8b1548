# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""3D anchors of A2J-Transformer.

An anchor is a point ``(x, y, z)`` in the target space of the codec: ``x, y``
in pixels of the network input and ``z`` in the codec's depth unit (depth bins
for InterHand2.6M, millimetres for the depth datasets). The anchors form a
regular grid of ``in_plane x in_plane`` in-plane positions times ``len(depths)``
depth values.
"""
from typing import Optional, Sequence, Union

import torch
from torch import Tensor


def generate_anchors(num_in_plane: Union[int, Sequence[int]] = 16,
                     stride: Optional[Union[float, Sequence[float]]] = 16.,
                     centre: Optional[Union[float, Sequence[float]]] = None,
                     depths: Sequence[float] = (63.5, 127.5, 191.5),
                     input_size: Optional[Sequence[int]] = None) -> Tensor:
    """Build the 3D anchor table.

    The in-plane positions along each axis are ``start + stride * k`` for
    ``k = 0 .. n-1``. By default the grid is centred in the input:
    ``start = (input_size - stride * n) / 2 + (stride - 1) / 2`` so that the
    official InterHand2.6M grid (16 positions, stride 16, 256 px) is
    ``7.5, 23.5, ..., 247.5``. ``centre`` moves the grid centre instead.

    The table order is the official one: y-major, then x, then depth, i.e.
    anchor ``i = (iy * n_x + ix) * n_depth + id``.

    Args:
        num_in_plane (int | Sequence[int]): anchors along x and y
            (``n`` or ``(n_x, n_y)``). The number of in-plane anchors is
            ``n_x * n_y`` (e.g. 4, 16, 64, 256 in the paper's Table 7).
        stride (float | Sequence[float], optional): spacing in input pixels
            (``s`` or ``(s_x, s_y)``). ``None`` spreads the anchors evenly
            over ``input_size`` (``stride = input_size / n``).
        centre (float | Sequence[float], optional): grid centre in input
            pixels. Defaults to the input centre ``(input_size - 1) / 2``.
        depths (Sequence[float]): depth values (depth bins or mm).
        input_size (Sequence[int], optional): ``(w, h)`` of the network input.
            Required when ``stride`` or ``centre`` is ``None``; defaults to
            ``n * stride`` otherwise.

    Returns:
        Tensor: anchors of shape ``(n_y * n_x * n_depth, 3)``, float32.
    """
    n_x, n_y = _pair(num_in_plane, 'num_in_plane')
    if n_x < 1 or n_y < 1:
        raise ValueError(f'num_in_plane must be >= 1, got {num_in_plane}')
    depths = [float(d) for d in depths]
    if len(depths) < 1:
        raise ValueError('depths must hold at least one depth value')
    if stride is None and input_size is None:
        raise ValueError('stride=None needs input_size to spread the anchors')
    if input_size is not None:
        in_w, in_h = (float(v) for v in _pair(input_size, 'input_size'))
    if stride is None:
        s_x, s_y = in_w / n_x, in_h / n_y
    else:
        s_x, s_y = (float(v) for v in _pair(stride, 'stride'))
        if input_size is None:
            in_w, in_h = s_x * n_x, s_y * n_y
    if centre is None:
        c_x, c_y = (in_w - 1) / 2, (in_h - 1) / 2
    else:
        c_x, c_y = (float(v) for v in _pair(centre, 'centre'))

    xs = c_x + s_x * (torch.arange(n_x, dtype=torch.float64) - (n_x - 1) / 2)
    ys = c_y + s_y * (torch.arange(n_y, dtype=torch.float64) - (n_y - 1) / 2)
    zs = torch.tensor(depths, dtype=torch.float64)
    grid_y, grid_x, grid_z = torch.meshgrid(ys, xs, zs, indexing='ij')
    anchors = torch.stack([grid_x, grid_y, grid_z], dim=-1).reshape(-1, 3)
    return anchors.float()


def _pair(value, name):
    if isinstance(value, (int, float)):
        return value, value
    value = tuple(value)
    if len(value) != 2:
        raise ValueError(f'{name} must be a number or a pair, got {value}')
    return value
