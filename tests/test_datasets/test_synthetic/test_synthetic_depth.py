# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Synthetic NYU / HANDS 2017 writers: layouts, determinism, noise."""
import filecmp
import os
import os.path as osp

import numpy as np
from scipy.io import loadmat

from a2jt_mmpose.datasets.synthetic.depth_sensor import (add_sensor_noise,
                                                         render_hand_depth)
from a2jt_mmpose.datasets.synthetic.hands2017_writer import \
    generate_hands2017
from a2jt_mmpose.datasets.synthetic.nyu_writer import (NYU36_NAMES,
                                                       generate_nyu,
                                                       nyu36_from_model)


def test_nyu_layout_and_determinism(tmp_path):
    a, b = str(tmp_path / 'a'), str(tmp_path / 'b')
    stats = generate_nyu(a, dict(train=2, test=1), seed=3)
    generate_nyu(b, dict(train=2, test=1), seed=3)
    assert stats['frames'] == 3 and stats['images_per_second'] > 0
    assert sorted(os.listdir(osp.join(a, 'train'))) == [
        'depth_1_0000001.png', 'depth_1_0000002.png', 'joint_data.mat'
    ]
    for name in ('depth_1_0000001.png', 'depth_1_0000002.png'):
        assert filecmp.cmp(
            osp.join(a, 'train', name), osp.join(b, 'train', name),
            shallow=False)
    mat = loadmat(osp.join(a, 'train', 'joint_data.mat'))
    assert mat['joint_uvd'].shape == (1, 2, 36, 3)
    np.testing.assert_array_equal(mat['joint_uvd'],
                                  loadmat(osp.join(b, 'train',
                                                   'joint_data.mat'))
                                  ['joint_uvd'])
    # xyz / uvd consistent with NYU's intrinsics (y up)
    xyz, uvd = mat['joint_xyz'][0], mat['joint_uvd'][0]
    np.testing.assert_allclose(uvd[..., 1],
                               xyz[..., 1] * -587.07 / xyz[..., 2] + 240)
    assert len(NYU36_NAMES) == 36


def test_nyu36_mapping():
    j = np.arange(63, dtype=float).reshape(21, 3)
    out = nyu36_from_model(j)
    assert out.shape == (36, 3)
    np.testing.assert_array_equal(out[0], j[16])  # F1 (pinky) tip
    np.testing.assert_array_equal(out[24], j[0])  # thumb tip
    np.testing.assert_array_equal(out[32], j[20])  # PALM_3 = wrist


def test_hands2017_layout(tmp_path):
    generate_hands2017(str(tmp_path), dict(training=2, frame=1), seed=0)
    assert sorted(os.listdir(tmp_path / 'training')) == [
        'Training_Annotation.txt', 'images'
    ]
    assert sorted(os.listdir(tmp_path / 'frame')) == [
        'BoundingBox.txt', 'center_uvd.txt', 'images'
    ]
    lines = (tmp_path / 'training' / 'Training_Annotation.txt').read_text(
    ).splitlines()
    assert [len(line.split('\t')) for line in lines] == [64, 64]


def test_sensor_noise_has_holes_and_noise():
    rng = np.random.default_rng(0)
    frame = render_hand_depth(rng, (475., 475.), (320., 240.),
                              background_prob=0.)
    assert frame.depth.dtype == np.uint16
    hand = frame.depth > 0
    assert 0.005 < hand.mean() < 0.5
    clean = np.full((50, 50), 600., np.float32)
    clean[20:30, 20:30] = 500.  # an edge
    noisy = add_sensor_noise(np.random.default_rng(1), clean, edge_drop=1.,
                             num_holes=(0, 0)).astype(float)
    assert (noisy[19:31, 19:31] == 0).any()  # pixels lost at the edge
    flat = noisy[:15, :15]
    assert 0.5 < flat.std() < 3 and abs(flat.mean() - 600) < 1
