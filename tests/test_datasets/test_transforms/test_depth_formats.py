# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Depth PNG encodings: what the writers encode, LoadDepthImage decodes."""
import cv2
import numpy as np
import pytest

from a2jt_mmpose.datasets.depth_formats import (DEPTH_ENCODINGS,
                                                MAX_DEPTH_MM, decode_depth,
                                                encode_depth)
from a2jt_mmpose.datasets.transforms import LoadDepthImage

#: the range limits, the byte boundaries and typical hand depths, mm
EDGE_DEPTHS = np.array([[0, 1, 255, 256, 257, 511],
                        [512, 700, 1234, 4095, MAX_DEPTH_MM - 1,
                         MAX_DEPTH_MM]], np.uint16)


def _random_depth(seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, MAX_DEPTH_MM + 1, (24, 32)).astype(np.uint16)


@pytest.mark.parametrize('encoding', DEPTH_ENCODINGS)
@pytest.mark.parametrize('depth', [EDGE_DEPTHS, _random_depth()])
def test_round_trip_through_png(tmp_path, encoding, depth):
    path = str(tmp_path / 'depth.png')
    assert cv2.imwrite(path, encode_depth(depth, encoding))
    for mode in (encoding, 'auto'):
        out = LoadDepthImage(mode)(dict(img_path=path))
        np.testing.assert_array_equal(out['img'], depth.astype(np.float32))
        assert out['img'].dtype == np.float32
        assert out['img_shape'] == depth.shape
    # in memory too
    np.testing.assert_array_equal(
        decode_depth(encode_depth(depth, encoding), encoding), depth)


def test_nyu_rgb_byte_layout():
    """NYU: depth = G * 256 + B, R = 0, in cv2's BGR order."""
    img = encode_depth(np.array([[258, MAX_DEPTH_MM, 0]]), 'nyu_rgb')
    assert img.dtype == np.uint8 and img.shape == (1, 3, 3)
    np.testing.assert_array_equal(img[0],
                                  [[2, 1, 0], [255, 255, 0], [0, 0, 0]])
    img16 = encode_depth(np.array([[258, MAX_DEPTH_MM]]), 'uint16')
    assert img16.dtype == np.uint16
    np.testing.assert_array_equal(img16, [[258, MAX_DEPTH_MM]])


@pytest.mark.parametrize('encoding', DEPTH_ENCODINGS)
def test_non_integer_depth_rounds_to_nearest_mm(encoding):
    depth = np.array([[0.4, 0.6, 2.5, 699.5, -0.4, MAX_DEPTH_MM + 0.4]])
    back = decode_depth(encode_depth(depth, encoding), encoding)
    np.testing.assert_array_equal(back, [[0, 1, 2, 700, 0, MAX_DEPTH_MM]])


@pytest.mark.parametrize('encoding', DEPTH_ENCODINGS)
@pytest.mark.parametrize('bad', [-1, MAX_DEPTH_MM + 1, 70000.,
                                 MAX_DEPTH_MM + 0.5, np.nan, np.inf])
def test_out_of_range_depth_is_refused(encoding, bad):
    """Depth the PNG cannot hold is an error, not wrapped or clipped."""
    depth = np.array([[600., bad], [600., 600.]])
    if float(bad).is_integer():
        depth = depth.astype(np.int64)
    with pytest.raises(ValueError, match=r'outside \[0, 65535\] mm'):
        encode_depth(depth, encoding)


def test_bad_arguments():
    with pytest.raises(ValueError, match='unknown encoding'):
        encode_depth(EDGE_DEPTHS, 'auto')
    with pytest.raises(ValueError, match='unknown encoding'):
        decode_depth(encode_depth(EDGE_DEPTHS, 'uint16'), 'png16')
    with pytest.raises(ValueError, match=r'\(H, W\)'):
        encode_depth(np.zeros((2, 2, 1)), 'uint16')
    # an 8-bit image where 16-bit is expected, and a single-channel one
    with pytest.raises(ValueError, match='16-bit single-channel'):
        decode_depth(encode_depth(EDGE_DEPTHS, 'nyu_rgb'), 'uint16', 'a.png')
    with pytest.raises(ValueError, match='b.png'):
        decode_depth(np.zeros((2, 2), np.uint8), 'auto', 'b.png')
