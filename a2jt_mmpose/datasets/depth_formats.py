# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""On-disk depth-image encodings of the depth datasets, both directions.

Arrays are in the channel order of ``cv2.imread(path,
cv2.IMREAD_UNCHANGED)`` / ``cv2.imwrite`` (BGR for 3 channels):

- ``'nyu_rgb'`` (NYU): an 8-bit 3-channel PNG, depth = ``G * 256 + B`` mm,
  ``R = 0``;
- ``'uint16'`` (HANDS 2017): a single-channel 16-bit PNG holding mm.

Both hold whole millimetres in ``[0, 65535]`` (0 = no reading).
:func:`encode_depth` writes them (the synthetic writers) and
:func:`decode_depth` reads them (:class:`LoadDepthImage`). numpy only.
"""
import numpy as np

__all__ = ['DEPTH_ENCODINGS', 'MAX_DEPTH_MM', 'encode_depth', 'decode_depth']

#: the encodings :func:`encode_depth` writes and :func:`decode_depth` reads
DEPTH_ENCODINGS = ('nyu_rgb', 'uint16')
#: the largest depth either encoding holds, mm
MAX_DEPTH_MM = 65535


def encode_depth(depth_mm: np.ndarray, encoding: str) -> np.ndarray:
    """Encode a depth map as the image array of a dataset's depth PNG.

    Args:
        depth_mm (np.ndarray): ``(H, W)`` depth in mm, 0 = no reading;
            non-uint16 values are rounded to the nearest mm (``np.rint``,
            halves to even) and must then lie in ``[0, MAX_DEPTH_MM]``.
        encoding (str): ``'nyu_rgb'`` or ``'uint16'``.

    Returns:
        np.ndarray: ``'nyu_rgb'``: ``(H, W, 3)`` uint8 BGR with
        ``B = d & 255``, ``G = d >> 8``, ``R = 0``; ``'uint16'``: ``(H, W)``
        uint16 mm. Write it with ``cv2.imwrite`` to a PNG.

    Raises:
        ValueError: an unknown encoding, a map that is not 2-D, or depth
            that is NaN / infinite, negative or above ``MAX_DEPTH_MM`` (it
            would not survive the round trip).
    """
    if encoding not in DEPTH_ENCODINGS:
        raise ValueError(f'encode_depth: unknown encoding "{encoding}" (use '
                         f'{" or ".join(map(repr, DEPTH_ENCODINGS))})')
    raw = np.asarray(depth_mm)
    if raw.ndim != 2:
        raise ValueError('encode_depth: a (H, W) depth map is expected, got '
                         f'shape {raw.shape}')
    depth = raw
    if depth.dtype != np.uint16:
        depth = np.rint(raw.astype(np.float64))
        bad = ~np.isfinite(depth) | (depth < 0) | (depth > MAX_DEPTH_MM)
        if bad.any():
            v, u = np.argwhere(bad)[0]
            raise ValueError(
                f'encode_depth: {int(bad.sum())} depth values outside '
                f'[0, {MAX_DEPTH_MM}] mm, the range of "{encoding}" (e.g. '
                f'{raw[v, u]} at row {v}, column {u})')
        depth = depth.astype(np.uint16)
    if encoding == 'uint16':
        return depth
    out = np.zeros(depth.shape + (3, ), np.uint8)
    out[..., 0] = depth & 255
    out[..., 1] = depth >> 8
    return out


def decode_depth(img: np.ndarray,
                 encoding: str = 'auto',
                 path: str = '<array>') -> np.ndarray:
    """Decode the image array of a depth PNG (as read by
    ``cv2.IMREAD_UNCHANGED``) to depth in mm.

    Args:
        img (np.ndarray): ``(H, W)`` uint16 or ``(H, W, C >= 3)`` uint8 BGR.
        encoding (str): ``'nyu_rgb'``, ``'uint16'`` or ``'auto'``
            (``'uint16'`` for 16-bit images, ``'nyu_rgb'`` for 8-bit
            3-channel ones).
        path (str): the file, named in errors.

    Returns:
        np.ndarray: ``(H, W)`` float32 depth in mm (0 = no reading).

    Raises:
        ValueError: an unknown encoding, an 8-bit single-channel image (a
            lossy / wrong conversion) in every mode, or an 8-bit image where
            ``'uint16'`` is asked for.
    """
    if encoding != 'auto' and encoding not in DEPTH_ENCODINGS:
        raise ValueError(f'decode_depth: unknown encoding "{encoding}" (use '
                         "'auto', 'nyu_rgb' or 'uint16')")
    is16 = img.dtype == np.uint16
    if encoding == 'uint16' or (encoding == 'auto' and is16):
        if not is16 or img.ndim != 2:
            raise ValueError(
                f'"{path}" is {img.dtype} with shape {img.shape}; a '
                '16-bit single-channel depth PNG (mm) is expected')
        return img.astype(np.float32)
    if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] < 3:
        raise ValueError(
            f'"{path}" is {img.dtype} with shape {img.shape}; NYU depth '
            'needs an 8-bit 3-channel PNG (depth = G * 256 + B) and '
            'HANDS 2017 a 16-bit one')
    return (img[..., 1].astype(np.float32) * 256. +
            img[..., 0].astype(np.float32))
