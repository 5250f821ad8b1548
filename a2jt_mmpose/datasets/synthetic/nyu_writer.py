# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Synthetic NYU Hand Pose data in the original layout.

::

    <out_dir>/<split>/joint_data.mat       # joint_uvd, joint_xyz, joint_names
    <out_dir>/<split>/depth_1_<frame:07d>.png

``joint_uvd`` / ``joint_xyz`` have shape ``(1, N, 36, 3)`` (one kinect;
the real files hold 3 kinects, of which A2J uses kinect 1), float64, in
``uvd`` (px, px, mm) and camera mm with NYU's ``y`` up; frames start at 1.
Depth PNGs pack mm as ``G * 256 + B`` (R = 0, encoding ``'nyu_rgb'`` of
:mod:`a2jt_mmpose.datasets.depth_formats`). Intrinsics are NYU's (fx
588.03, fy -587.07, u0 320, v0 240). Deterministic by seed: frame ``i`` of
split ``s`` uses ``np.random.default_rng([seed, s, i])``.

The 36 NYU joints from the hand model (InterHand order per hand: 0-3 thumb
tip..CMC, 4-7 index tip..MCP, 8-11 middle, 12-15 ring, 16-19 pinky, 20
wrist), see :data:`NYU36_FROM_MODEL`. Per finger F1 = pinky, F2 = ring, F3 =
middle, F4 = index and the thumb (TH), NYU's six points ``KNU3_A, KNU3_B,
KNU2_A, KNU2_B, KNU1_A, KNU1_B`` are: tip, DIP, mid(DIP, PIP), PIP,
mid(PIP, MCP), MCP (thumb: tip, IP, mid(IP, MCP), MCP, mid(MCP, CMC),
CMC). PALM_1..6 are: wrist moved 35 % of the index-pinky MCP distance to the
pinky side, the same to the thumb side, the wrist, mid(wrist, middle MCP),
mid(wrist, index MCP), mid(wrist, pinky MCP). The mapping is ours (NYU
publishes names, not definitions); the 14 evaluation joints are 0, 3, 6, 9,
12, 15, 18, 21, 24, 25, 27, 30, 31, 32.
"""
import os
import os.path as osp
import time
from typing import Dict, Tuple

import cv2
import numpy as np

from ...codecs.depth_camera import xyz_to_uvd
from ..depth_formats import encode_depth
from .depth_sensor import render_hand_depth

__all__ = ['NYU_FOCAL', 'NYU_PRINCIPAL_PT', 'NYU36_NAMES', 'nyu36_from_model',
           'generate_nyu']

NYU_FOCAL = (588.03, -587.07)
NYU_PRINCIPAL_PT = (320., 240.)

NYU36_NAMES = tuple(
    f'{f}_{k}' for f in ('F1', 'F2', 'F3', 'F4', 'TH')
    for k in ('KNU3_A', 'KNU3_B', 'KNU2_A', 'KNU2_B', 'KNU1_A', 'KNU1_B')) + \
    tuple(f'PALM_{i}' for i in range(1, 7))

# model chains (tip, DIP/IP, PIP/MCP, MCP/CMC) of pinky, ring, middle,
# index, thumb
_CHAINS = ((16, 17, 18, 19), (12, 13, 14, 15), (8, 9, 10, 11), (4, 5, 6, 7),
           (0, 1, 2, 3))


def nyu36_from_model(joints: np.ndarray) -> np.ndarray:
    """Hand-model joints ``(21, 3)`` -> NYU's 36 joints ``(36, 3)`` (same
    space; see the module doc for the mapping)."""
    j = np.asarray(joints, np.float64)
    out = []
    for tip, dip, pip, mcp in _CHAINS:
        out += [j[tip], j[dip], (j[dip] + j[pip]) / 2, j[pip],
                (j[pip] + j[mcp]) / 2, j[mcp]]
    wrist, side = j[20], j[19] - j[7]
    out += [wrist + 0.35 * side, wrist - 0.35 * side, wrist,
            (wrist + j[11]) / 2, (wrist + j[7]) / 2, (wrist + j[19]) / 2]
    return np.stack(out)


def generate_nyu(out_dir: str,
                 splits: Dict[str, int] = dict(train=16, test=8),
                 seed: int = 0,
                 img_size: Tuple[int, int] = (640, 480)) -> dict:
    """Write synthetic NYU splits.

    Args:
        out_dir (str): root folder (gets ``<split>/`` sub-folders).
        splits (dict): frames per split name.
        seed (int): base seed.
        img_size (tuple[int, int]): ``(W, H)``.

    Returns:
        dict: ``frames`` (total), ``seconds`` and ``images_per_second``.
    """
    from scipy.io import savemat
    start = time.perf_counter()
    total = 0
    # |fy|: render in a y-down camera, then flip y into NYU's y-up frame
    render_focal = (NYU_FOCAL[0], abs(NYU_FOCAL[1]))
    for s, (split, num) in enumerate(sorted(splits.items())):
        folder = osp.join(out_dir, split)
        os.makedirs(folder, exist_ok=True)
        uvd = np.zeros((1, num, 36, 3))
        xyz = np.zeros((1, num, 36, 3))
        for i in range(num):
            rng = np.random.default_rng([seed, s, i])
            frame = render_hand_depth(rng, render_focal, NYU_PRINCIPAL_PT,
                                      img_size)
            j36 = nyu36_from_model(frame.joints_cam)
            j36[:, 1] *= -1  # NYU: y up
            xyz[0, i] = j36
            uvd[0, i] = xyz_to_uvd(j36, NYU_FOCAL, NYU_PRINCIPAL_PT)
            cv2.imwrite(
                osp.join(folder, f'depth_1_{i + 1:07d}.png'),
                encode_depth(frame.depth, 'nyu_rgb'))
        names = np.empty((1, 36), dtype=object)
        names[0] = list(NYU36_NAMES)
        savemat(
            osp.join(folder, 'joint_data.mat'),
            dict(joint_uvd=uvd, joint_xyz=xyz, joint_names=names))
        total += num
    seconds = time.perf_counter() - start
    return dict(frames=total, seconds=seconds,
                images_per_second=total / max(seconds, 1e-9))
