# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""3D anchors of A2J-Transformer.

An anchor is a point ``(x, y, z)`` in the target space of the codec: ``x, y``
in pixels of the network input and ``z`` in the codec's depth unit (depth bins
for InterHand2.6M, millimetres for the depth datasets). The anchors form a
regular grid of ``in_plane x in_plane`` in-plane positions times ``len(depths)``
depth values.
"""
import math
import warnings
from typing import List, Optional, Sequence, Union

import torch
from torch import Tensor


def generate_anchors(num_in_plane: Union[int, Sequence[int]] = 16,
                     stride: Optional[Union[float, Sequence[float]]] = 16.,
                     centre: Optional[Union[float, Sequence[float]]] = None,
                     depths: Optional[Sequence[float]] = None,
                     input_size: Optional[Sequence[int]] = None,
                     num_depths: Optional[int] = None,
                     depth_range: Sequence[float] = (-0.5, 255.5)) -> Tensor:
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
        depths (Sequence[float], optional): depth values (depth bins or
            mm), given explicitly. Leave ``None`` to use ``num_depths``.
        input_size (Sequence[int], optional): ``(w, h)`` of the network input.
            Required when ``stride`` or ``centre`` is ``None``; defaults to
            ``n * stride`` otherwise.
        num_depths (int, optional): that many depths spread evenly inside
            ``depth_range`` (see :func:`even_depths`); defaults to 3 when
            ``depths`` is ``None`` as well.
        depth_range (Sequence[float]): ``(low, high)`` ends of the depth axis
            for ``num_depths``: the edges of the codec's depth bins (bins
            ``0 .. 255`` have their centres at integers, so their edges are
            ``-0.5`` and ``255.5``: 3 depths give the official ``63.5, 127.5,
            191.5``), or millimetres for the depth codec.

    Returns:
        Tensor: anchors of shape ``(n_y * n_x * n_depth, 3)``, float32.

    Raises:
        ValueError: for a count below 1, a stride that is not a finite
            number > 0, a non-finite centre or depth, no depth, and, when
            ``input_size`` is given, any in-plane position outside the input
            (``0 <= x < w``, ``0 <= y < h``, the codec's valid range).
    """
    n_x, n_y = _pair(num_in_plane, 'num_in_plane')
    if n_x < 1 or n_y < 1:
        raise ValueError(f'num_in_plane must be >= 1, got {num_in_plane}')
    if depths is not None and num_depths is not None:
        raise ValueError(f'give depths or num_depths, not both (got depths='
                         f'{depths}, num_depths={num_depths})')
    if depths is None:
        depths = even_depths(3 if num_depths is None else num_depths,
                             depth_range)
    depths = [float(d) for d in depths]
    if len(depths) < 1:
        raise ValueError('depths must hold at least one depth value')
    if not all(math.isfinite(d) for d in depths):
        raise ValueError(f'depths must be finite numbers, got {depths}')
    if stride is not None:
        strides = _pair(stride, 'stride')
        if not all(math.isfinite(float(s)) and float(s) > 0
                   for s in strides):
            raise ValueError(f'stride must be > 0 (pixels), got {stride}')
    if centre is not None and not all(
            math.isfinite(float(c)) for c in _pair(centre, 'centre')):
        raise ValueError(f'centre must be finite, got {centre}')
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
    if input_size is not None:
        outside = ((anchors[:, 0] < 0) | (anchors[:, 0] >= in_w)
                   | (anchors[:, 1] < 0) | (anchors[:, 1] >= in_h))
        if outside.any():
            x, y = anchors[outside.nonzero()[0, 0], :2].tolist()
            raise ValueError(
                f'{int(outside.sum()) // len(depths)} of {n_x * n_y} '
                f'in-plane anchors lie outside the {in_w:g} x {in_h:g} input '
                f'(e.g. x={x:g}, y={y:g} px; in-plane positions span x '
                f'{xs.min().item():g}..{xs.max().item():g}, y '
                f'{ys.min().item():g}..{ys.max().item():g}): reduce stride '
                f'or num_in_plane, or move centre')
    return anchors.float()


def even_depths(num_depths: int, depth_range: Sequence[float]) -> List[float]:
    """``num_depths`` values that split ``depth_range`` into equal parts,
    the ends excluded: ``low + (high - low) * k / (num_depths + 1)`` for
    ``k = 1 .. num_depths``.

    Args:
        num_depths (int): number of anchor depths (>= 1).
        depth_range (Sequence[float]): ``(low, high)``, depth bins or mm.

    Returns:
        list[float]: e.g. 3 over ``(-0.5, 255.5)`` -> ``[63.5, 127.5, 191.5]``;
        5 -> ``[42.17, 84.83, 127.5, 170.17, 212.83]`` (paper Table 7).
    """
    if not isinstance(num_depths, int) or num_depths < 1:
        raise ValueError(f'num_depths must be an integer >= 1, got '
                         f'{num_depths!r}')
    low, high = (float(v) for v in _pair(depth_range, 'depth_range'))
    if not (math.isfinite(low) and math.isfinite(high) and high > low):
        raise ValueError(f'depth_range must be finite (low, high) with high '
                         f'> low, got {depth_range}')
    return [
        low + (high - low) * k / (num_depths + 1)
        for k in range(1, num_depths + 1)
    ]


def _pair(value, name):
    if isinstance(value, (int, float)):
        return value, value
    value = tuple(value)
    if len(value) != 2:
        raise ValueError(f'{name} must be a number or a pair, got {value}')
    return value


def build_anchor_table(anchor_cfg: dict,
                       input_size: Sequence[int],
                       num_anchors: Optional[int] = None,
                       cfg_key: str = 'model.neck') -> Tensor:
    """:func:`generate_anchors` for a neck, with errors that name the config.

    Args:
        anchor_cfg (dict): arguments of :func:`generate_anchors` (all but
            ``input_size``).
        input_size (Sequence[int]): network input ``(w, h)`` in pixels; the
            in-plane anchors must lie inside it.
        num_anchors (int, optional): if given, must equal the number of
            anchors ``anchor_cfg`` produces (a guard for configs that change
            one and forget the other).
        cfg_key (str): the config key of the module, for the messages.

    Returns:
        Tensor: the anchor table ``(A, 3)``, float32 (see
        :func:`generate_anchors`).
    """
    try:
        anchors = generate_anchors(input_size=input_size, **anchor_cfg)
    except (TypeError, ValueError) as e:
        raise ValueError(f'{cfg_key}.anchor_cfg={anchor_cfg}: {e}') from e
    if num_anchors is not None and num_anchors != len(anchors):
        raise ValueError(
            f'{cfg_key}.num_anchors={num_anchors} does not match '
            f'{cfg_key}.anchor_cfg={anchor_cfg}, which gives '
            f'{len(anchors)} anchors')
    return anchors


#: largest difference (pixels / depth unit) between a checkpoint's anchor
#: table and the configured one that still counts as the same table
ANCHOR_TOLERANCE = 1e-3
CHECKPOINT_ANCHOR_POLICIES = ('refuse', 'load')


def check_checkpoint_anchors(configured: Tensor, state_dict: dict, key: str,
                             policy: str, cfg_key: str = 'model.neck'
                             ) -> None:
    """Compare a checkpoint's anchor table with the configured one.

    A fixed anchor table is configuration, not learned state: a checkpoint
    whose table differs from ``anchor_cfg`` would otherwise replace the
    configured anchors without a word.

    Args:
        configured (Tensor): the module's table ``(A, 3)``.
        state_dict (dict): the state dict being loaded.
        key (str): the table's key in ``state_dict``.
        policy (str): ``'refuse'``: raise if the tables differ by more than
            :data:`ANCHOR_TOLERANCE`; ``'load'``: load the checkpoint's table
            and warn with the difference (e.g. converted official checkpoints,
            whose trained table drifted from the grid).
        cfg_key (str): the config key of the module, for the messages.
    """
    loaded = state_dict.get(key)
    if loaded is None or tuple(loaded.shape) != tuple(configured.shape):
        return  # missing keys and shapes are check_state_dict's
    if not torch.isfinite(loaded).all():
        raise ValueError(f'checkpoint anchor table "{key}" holds NaN/inf')
    diff = (loaded.detach().float().cpu() -
            configured.detach().float().cpu()).abs().max().item()
    if diff <= ANCHOR_TOLERANCE:
        return
    msg = (f'the checkpoint\'s anchor table "{key}" differs from '
           f'{cfg_key}.anchor_cfg by up to {diff:.4g} (px / depth unit)')
    if policy == 'refuse':
        raise ValueError(
            f'{msg}. Fix {cfg_key}.anchor_cfg, or set '
            f'{cfg_key}.checkpoint_anchors="load" to use the checkpoint\'s '
            f'table instead')
    warnings.warn(f'{msg}; {cfg_key}.checkpoint_anchors="load": using the '
                  f'checkpoint\'s table')
