# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Which inputs of an inference run can be read, and boxes for them."""
import mimetypes
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import numpy as np


class UnreadableInputError(ValueError):
    """An inference input (image or video file) that does not decode."""


def input_kind(path: str) -> str:
    """``'image'``, ``'video'`` or ``''`` from the file name, as mmpose's
    inferencer decides it (``mimetypes``)."""
    return (mimetypes.guess_type(path)[0] or '').split('/')[0]


def decode_failure(path: str) -> Optional[str]:
    """Why ``path`` cannot be read as the image or video its name says, or
    ``None`` when it decodes (an image fully, a video's first frame).

    Returns:
        str | None: e.g. ``'"a.jpg": cannot be decoded as image'``.
    """
    import cv2
    kind = input_kind(path)
    if kind not in ('image', 'video'):
        return f'"{path}": neither an image nor a video'
    if not osp.isfile(path):
        return f'"{path}": no such file'
    if kind == 'image':
        ok = osp.getsize(path) > 0 and cv2.imread(path) is not None
    else:
        cap = cv2.VideoCapture(path)
        ok = cap.isOpened() and cap.read()[0]
        cap.release()
    return None if ok else f'"{path}": cannot be decoded as {kind}'


def readable_inputs(path: str) -> Tuple[List[str], List[str]]:
    """The images / videos of ``path`` that decode, and why the others do
    not.

    ``path`` is a file or a folder; a folder's files are taken in name
    order, as mmpose's inferencer lists them, and files of other types in
    it are left out silently (as mmpose does). An input that does not
    decode (an empty file, a text file named .jpg, a broken video) is
    reported instead of passed on: mmpose would stop at it without naming
    it and drop the files after it.

    Args:
        path (str): an image, a video or a folder.

    Returns:
        tuple: ``(inputs, failures)``: the readable files (list of str) and
        one message per unreadable one (list of str).
    """
    folder = osp.isdir(path)
    files = [osp.join(path, n) for n in sorted(os.listdir(path))] \
        if folder else [path]
    inputs, failures = [], []
    for file in files:
        if folder and input_kind(file) not in ('image', 'video'):
            continue
        reason = decode_failure(file)
        if reason is None:
            inputs.append(file)
        else:
            failures.append(reason)
    return inputs, failures


class SameBoxForEveryInput:
    """``bboxes`` for mmpose's inferencers: one hand box for every image of
    a folder or frame of a video.

    mmpose indexes ``bboxes`` by the input's position (``bboxes[i]``) and
    its 3D hand inferencer reads each box as ``(x1, y1, x2, y2, score)``
    rows of an array, so a plain ``[[x1, y1, x2, y2]]`` fails (a list has no
    ``[None, :4]``) and would cover the first input only.

    Args:
        box (Sequence[float]): ``(x1, y1, x2, y2)`` in pixels.
    """

    def __init__(self, box: Sequence[float]) -> None:
        box = np.asarray(box, np.float32).reshape(-1)
        if box.shape != (4, ) or not np.isfinite(box).all() or \
                box[2] <= box[0] or box[3] <= box[1]:
            raise ValueError(f'bboxes needs x1 y1 x2 y2 with x2 > x1 and '
                             f'y2 > y1, got {box.tolist()}')
        self.rows = np.concatenate([box, [1.]])[None].astype(np.float32)

    def __bool__(self) -> bool:
        return True

    def __getitem__(self, index: int) -> np.ndarray:
        return self.rows
