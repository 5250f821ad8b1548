# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import numpy as np
import pytest

from a2jt_mmpose.codecs import A2JDepthCodec
from a2jt_mmpose.codecs.depth_camera import cube_box, uvd_to_xyz, xyz_to_uvd


def test_encode_weights_and_decode():
    codec = A2JDepthCodec((176, 176))
    kpt = np.array([[[10., 20., -30.], [175.9, 0., 200.], [176., 5., 0.],
                     [-0.1, 5., 0.], [5., 5., 0.]]])
    enc = codec.encode(kpt, np.array([[1, 1, 1, 1, 0]]))
    # validity: x, y inside the crop (z unchecked), and visible
    assert enc['keypoint_weights'].tolist() == [[1, 1, 0, 0, 0]]
    np.testing.assert_allclose(enc['keypoint_labels'][0, :2], kpt[0, :2])
    assert (enc['keypoint_labels'][0, 2:] == 0).all()
    dec, scores = codec.decode(kpt[0])
    assert dec.shape == (1, 5, 3) and scores.shape == (1, 5)
    np.testing.assert_allclose(dec, kpt)
    with pytest.raises(ValueError, match='NaN'):
        codec.encode(np.full((1, 2, 3), np.nan))


def test_uvd_to_xyz_negative_fy_and_back():
    # NYU's negative fy: v above the centre -> positive y (up)
    xyz = uvd_to_xyz(np.array([[320., 140., 587.07]]), (588.03, -587.07),
                     (320., 240.))
    np.testing.assert_allclose(xyz, [[0., 100., 587.07]])
    uvd = np.array([[110., 70., 595.], [400., 300., 650.]])
    back = xyz_to_uvd(uvd_to_xyz(uvd, (588.03, -587.07), (320., 240.)),
                      (588.03, -587.07), (320., 240.))
    np.testing.assert_allclose(back, uvd)


def test_cube_box_negative_fy_is_ordered():
    box = cube_box((0., 0., 500.), 100., (500., -500.), (320., 240.))
    np.testing.assert_allclose(box, [220., 140., 420., 340.])
