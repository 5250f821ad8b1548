# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Pinhole geometry of the depth datasets (NYU, HANDS 2017).

Conventions (the ones of A2J / A2J-Transformer's ``pixel2world`` /
``world2pixel``):

- ``uvd``: ``u, v`` pixels of the original depth image, ``d`` depth in mm;
- ``xyz``: camera-space mm, ``x = (u - u0) * d / fx``,
  ``y = (v - v0) * d / fy``, ``z = d``.

The focal lengths are signed. NYU uses ``fy = -587.07`` so that its ``y``
axis points *up* (as in its ``joint_xyz``); HANDS 2017 uses a positive ``fy``
(``y`` down). The formulas are the same for both.
"""
from typing import Sequence

import numpy as np

__all__ = ['uvd_to_xyz', 'xyz_to_uvd', 'cube_box']


def uvd_to_xyz(uvd: np.ndarray, focal: Sequence[float],
               principal_pt: Sequence[float]) -> np.ndarray:
    """Back-project pixels + depth to camera mm.

    Args:
        uvd (np.ndarray): ``(..., 3)`` = (u px, v px, d mm).
        focal (Sequence[float]): signed ``(fx, fy)`` in px.
        principal_pt (Sequence[float]): ``(u0, v0)`` in px.

    Returns:
        np.ndarray: ``(..., 3)`` float64 (x, y, z) in mm.
    """
    uvd = np.asarray(uvd, dtype=np.float64)
    fx, fy = (float(v) for v in np.asarray(focal).reshape(-1)[:2])
    u0, v0 = (float(v) for v in np.asarray(principal_pt).reshape(-1)[:2])
    xyz = np.empty_like(uvd)
    xyz[..., 0] = (uvd[..., 0] - u0) * uvd[..., 2] / fx
    xyz[..., 1] = (uvd[..., 1] - v0) * uvd[..., 2] / fy
    xyz[..., 2] = uvd[..., 2]
    return xyz


def xyz_to_uvd(xyz: np.ndarray, focal: Sequence[float],
               principal_pt: Sequence[float]) -> np.ndarray:
    """Project camera mm to pixels + depth (inverse of :func:`uvd_to_xyz`).

    Args:
        xyz (np.ndarray): ``(..., 3)`` in mm, ``z > 0``.
        focal (Sequence[float]): signed ``(fx, fy)`` in px.
        principal_pt (Sequence[float]): ``(u0, v0)`` in px.

    Returns:
        np.ndarray: ``(..., 3)`` float64 (u px, v px, d mm).
    """
    xyz = np.asarray(xyz, dtype=np.float64)
    fx, fy = (float(v) for v in np.asarray(focal).reshape(-1)[:2])
    u0, v0 = (float(v) for v in np.asarray(principal_pt).reshape(-1)[:2])
    uvd = np.empty_like(xyz)
    uvd[..., 0] = xyz[..., 0] * fx / xyz[..., 2] + u0
    uvd[..., 1] = xyz[..., 1] * fy / xyz[..., 2] + v0
    uvd[..., 2] = xyz[..., 2]
    return uvd


def cube_box(center_xyz: Sequence[float], half_size: float,
             focal: Sequence[float],
             principal_pt: Sequence[float]) -> np.ndarray:
    """In-plane box of a cube around a centre, as A2J computes it.

    The corners ``centre +- half_size`` mm in camera x and y (at the centre's
    depth) are projected to pixels; the box is ``(x_min, y_min, x_max,
    y_max)`` of the two projections (so a negative ``fy`` only swaps which
    corner is the top). The box is not clipped to the image.

    Args:
        center_xyz (Sequence[float]): ``(3,)`` centre in camera mm.
        half_size (float): half side of the cube in mm (NYU 110, HANDS 100).
        focal (Sequence[float]): signed ``(fx, fy)``.
        principal_pt (Sequence[float]): ``(u0, v0)``.

    Returns:
        np.ndarray: ``(4,)`` float64 box in px.
    """
    c = np.asarray(center_xyz, dtype=np.float64).reshape(3)
    corners = np.array([[c[0] - half_size, c[1] + half_size, c[2]],
                        [c[0] + half_size, c[1] - half_size, c[2]]])
    uv = xyz_to_uvd(corners, focal, principal_pt)[:, :2]
    return np.concatenate([uv.min(0), uv.max(0)])
