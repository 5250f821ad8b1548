# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Hands2017Dataset on synthetic files in the challenge layout."""
import os.path as osp

import cv2
import numpy as np
import pytest

from a2jt_mmpose.codecs.depth_camera import xyz_to_uvd
from a2jt_mmpose.datasets.datasets.hand3d.hands2017_dataset import (
    HANDS2017_INTRINSICS, Hands2017Dataset)
from a2jt_mmpose.datasets.synthetic.hands2017_writer import \
    generate_hands2017
from a2jt_mmpose.datasets.transforms import LoadDepthImage


@pytest.fixture(scope='module')
def h17_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('h17'))
    generate_hands2017(root, dict(training=3, frame=2), seed=2)
    return root


def test_labelled_split(h17_root):
    root = osp.join(h17_root, 'training')
    ds = Hands2017Dataset(data_root=root)
    assert len(ds) == 3 and ds.metainfo['num_keypoints'] == 21
    assert ds.metainfo['keypoint_id2name'][0] == 'wrist'
    assert ds.metainfo['keypoint_id2name'][8] == 'thumb_tip'
    info = ds.get_data_info(2)
    assert info['img_path'] == osp.join(root, 'images',
                                        'image_D00000003.png')
    line = open(osp.join(root, 'Training_Annotation.txt')).read(
    ).splitlines()[2].split('\t')
    assert line[0] == 'image_D00000003.png' and len(line) == 64
    xyz = np.array(line[1:], float).reshape(21, 3)
    np.testing.assert_allclose(info['keypoints_cam'][0], xyz, atol=1e-3)
    np.testing.assert_allclose(
        info['keypoints'][0], xyz_to_uvd(xyz, **HANDS2017_INTRINSICS),
        atol=1e-3)
    assert info['keypoints_visible'].sum() == 21
    assert info['center_source'] == 'joints'
    # the 16-bit depth around the wrist is the hand's, in mm
    depth = LoadDepthImage('uint16')(dict(img_path=info['img_path']))['img']
    u, v, d = info['keypoints'][0, 0]
    patch = depth[int(v) - 3:int(v) + 4, int(u) - 3:int(u) + 4]
    assert np.abs(patch[patch > 0] - d).min() < 30


def test_unlabelled_test_frames(h17_root):
    root = osp.join(h17_root, 'frame')
    ds = Hands2017Dataset(
        data_root=root, ann_file='BoundingBox.txt',
        center_file='center_uvd.txt', test_mode=True)
    assert len(ds) == 2
    info = ds.get_data_info(0)
    assert info['keypoints_visible'].sum() == 0
    assert info['center_source'] == 'file'
    with pytest.raises(ValueError, match='need a center_file'):
        Hands2017Dataset(data_root=root, ann_file='BoundingBox.txt')


def test_bad_files(tmp_path):
    (tmp_path / 'empty.txt').write_text('\n')
    with pytest.raises(ValueError, match='empty.txt.*empty'):
        Hands2017Dataset(data_root=str(tmp_path), ann_file='empty.txt')
    (tmp_path / 'nan.txt').write_text(
        'image_D00000001.png\t' + '\t'.join(['nan'] + ['500'] * 62) + '\n')
    with pytest.raises(ValueError, match='NaN.*nan.txt.*line 1'):
        Hands2017Dataset(data_root=str(tmp_path), ann_file='nan.txt')
    (tmp_path / 'short.txt').write_text('image_D00000001.png 1 2 3\n')
    with pytest.raises(ValueError, match='short.txt.*3 numbers'):
        Hands2017Dataset(data_root=str(tmp_path), ann_file='short.txt')
    with pytest.raises(FileNotFoundError, match='missing.txt'):
        Hands2017Dataset(data_root=str(tmp_path), ann_file='missing.txt')


def test_8bit_image_is_rejected(h17_root, tmp_path):
    src = osp.join(h17_root, 'training', 'images', 'image_D00000001.png')
    img = cv2.imread(src, cv2.IMREAD_UNCHANGED)
    assert img.dtype == np.uint16 and img.ndim == 2
    bad = str(tmp_path / 'image_D00000001.png')
    cv2.imwrite(bad, (img // 8).astype(np.uint8))
    with pytest.raises(ValueError, match='16-bit'):
        LoadDepthImage('uint16')(dict(img_path=bad))
