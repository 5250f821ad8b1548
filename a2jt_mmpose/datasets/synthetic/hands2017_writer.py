# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Synthetic HANDS 2017 challenge data in the challenge layout.

::

    <out_dir>/training/images/image_D%08d.png     # 16-bit depth, mm
                                                  # ('uint16' encoding)
    <out_dir>/training/Training_Annotation.txt    # name + 21 x (x, y, z)
    <out_dir>/validation/...                      # same layout (synthetic
                                                  # only: a labelled val set)
    <out_dir>/frame/images/image_D%08d.png        # test frames, no labels
    <out_dir>/frame/BoundingBox.txt               # name + x y w h
    <out_dir>/frame/center_uvd.txt                # name + u v d (see below)

Annotation lines are tab separated, the name followed by 63 numbers (camera
mm, ``y`` down, BigHand joint order: wrist, thumb/index/middle/ring/pinky
MCP, then PIP, DIP, TIP of each finger). The hand-model joints (InterHand
order: 0-3 thumb tip..CMC, 4-7 index tip..MCP, ..., 20 wrist) map as
:data:`HANDS2017_FROM_MODEL` (the thumb's CMC is BigHand's ``TMCP``).
Intrinsics: fx 475.065948, fy 475.065857, u0 315.944855, v0 245.287079.
The real test split has only bounding boxes; the writer also stores the
joint-mean centre of each test frame in ``center_uvd.txt`` (A2J used its own
precomputed centres). Deterministic by seed (``default_rng([seed, split,
i])``).
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

__all__ = ['HANDS2017_FOCAL', 'HANDS2017_PRINCIPAL_PT',
           'HANDS2017_FROM_MODEL', 'generate_hands2017']

HANDS2017_FOCAL = (475.065948, 475.065857)
HANDS2017_PRINCIPAL_PT = (315.944855, 245.287079)
HANDS2017_FROM_MODEL = (20, 3, 7, 11, 15, 19, 2, 1, 0, 6, 5, 4, 10, 9, 8,
                        14, 13, 12, 18, 17, 16)
_SPLIT_CODES = dict(training=0, validation=1, frame=2)


def _fmt(values) -> str:
    return '\t'.join(f'{v:.4f}' for v in values)


def generate_hands2017(out_dir: str,
                       splits: Dict[str, int] = dict(
                           training=16, validation=4, frame=4),
                       seed: int = 0,
                       img_size: Tuple[int, int] = (640, 480)) -> dict:
    """Write synthetic HANDS 2017 splits.

    Args:
        out_dir (str): root folder.
        splits (dict): frames per split; names ``training`` / ``validation``
            (labelled) and ``frame`` (unlabelled test layout).
        seed (int): base seed.
        img_size (tuple[int, int]): ``(W, H)``.

    Returns:
        dict: ``frames``, ``seconds``, ``images_per_second``.
    """
    start = time.perf_counter()
    total = 0
    for split, num in splits.items():
        if split not in _SPLIT_CODES:
            raise ValueError(f'unknown split "{split}" (use '
                             f'{sorted(_SPLIT_CODES)})')
        folder = osp.join(out_dir, split)
        os.makedirs(osp.join(folder, 'images'), exist_ok=True)
        ann, boxes, centers = [], [], []
        for i in range(num):
            rng = np.random.default_rng([seed, _SPLIT_CODES[split], i])
            frame = render_hand_depth(
                rng, HANDS2017_FOCAL, HANDS2017_PRINCIPAL_PT, img_size,
                depth_range=(380., 600.))
            xyz = frame.joints_cam[list(HANDS2017_FROM_MODEL)]
            name = f'image_D{i + 1:08d}.png'
            cv2.imwrite(
                osp.join(folder, 'images', name),
                encode_depth(frame.depth, 'uint16'))
            uv = xyz_to_uvd(xyz, HANDS2017_FOCAL,
                            HANDS2017_PRINCIPAL_PT)[:, :2]
            lo, hi = uv.min(0) - 10, uv.max(0) + 10
            ann.append(f'{name}\t{_fmt(xyz.reshape(-1))}\n')
            boxes.append(f'{name}\t{_fmt([*lo, *(hi - lo)])}\n')
            cen = xyz_to_uvd(xyz.mean(0), HANDS2017_FOCAL,
                             HANDS2017_PRINCIPAL_PT)
            centers.append(f'{name}\t{_fmt(cen)}\n')
        if split == 'frame':
            files = dict(zip(('BoundingBox.txt', 'center_uvd.txt'),
                             (boxes, centers)))
        else:
            files = {'Training_Annotation.txt': ann}
        for fname, lines in files.items():
            with open(osp.join(folder, fname), 'w') as fh:
                fh.writelines(lines)
        total += num
    seconds = time.perf_counter() - start
    return dict(frames=total, seconds=seconds,
                images_per_second=total / max(seconds, 1e-9))
