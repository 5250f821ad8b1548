# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""NYUHandDataset on synthetic files in the original NYU layout."""
import os.path as osp

import cv2
import numpy as np
import pytest
from scipy.io import loadmat, savemat

from a2jt_mmpose.datasets.datasets.hand3d.nyu_hand_dataset import (
    NYU_EVAL_JOINTS, NYUHandDataset)
from a2jt_mmpose.datasets.synthetic.nyu_writer import generate_nyu


@pytest.fixture(scope='module')
def nyu_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('nyu'))
    generate_nyu(root, dict(train=3), seed=1)
    return root


def _build(root, **kwargs):
    kwargs.setdefault('ann_file', 'joint_data.mat')
    return NYUHandDataset(data_root=osp.join(root, 'train'), **kwargs)


def test_loads_the_original_layout(nyu_root):
    ds = _build(nyu_root)
    assert len(ds) == 3
    assert ds.metainfo['num_keypoints'] == 14
    assert ds.metainfo['dataset_name'] == 'nyu_hand'
    assert ds.metainfo['flip_pairs'] == []
    info = ds.get_data_info(1)
    assert info['img_path'].endswith(osp.join('train', 'depth_1_0000002.png'))
    assert info['keypoints'].shape == (1, 14, 3)
    assert info['keypoints_cam'].shape == (1, 14, 3)
    assert info['keypoints_visible'].tolist() == [[1.] * 14]
    assert info['center_source'] == 'joints'
    mat = loadmat(osp.join(nyu_root, 'train', 'joint_data.mat'))
    # joint order: the 14 evaluation joints of the 36, uvd in px / mm
    np.testing.assert_allclose(
        info['keypoints'][0], mat['joint_uvd'][0, 1][list(NYU_EVAL_JOINTS)],
        atol=1e-3)
    # camera mm (y up, negative fy) equal NYU's joint_xyz
    np.testing.assert_allclose(
        info['keypoints_cam'][0],
        mat['joint_xyz'][0, 1][list(NYU_EVAL_JOINTS)],
        atol=0.01)
    # units: depth of a hand in mm, centre = mean of the joints
    assert 400 < info['depth_center_xyz'][2] < 1000
    np.testing.assert_allclose(
        info['depth_center_xyz'], info['keypoints_cam'][0].mean(0),
        atol=1e-2)
    assert info['focal'].tolist() == pytest.approx([588.03, -587.07])


def test_center_file(nyu_root, tmp_path):
    centers = np.tile([[300., 250., 700.]], (3, 1))
    path = str(tmp_path / 'centers.npy')
    np.save(path, centers)
    info = _build(nyu_root, center_file=path).get_data_info(0)
    assert info['center_source'] == 'file'
    np.testing.assert_allclose(info['depth_center_uvd'], centers[0])


def test_center_outside_the_image(nyu_root, tmp_path):
    path = str(tmp_path / 'centers.txt')
    np.savetxt(path, np.tile([[700., 250., 700.]], (3, 1)))
    with pytest.raises(ValueError, match='outside the 640x480 image'):
        _build(nyu_root, center_file=path)


def test_missing_mat_key(tmp_path):
    savemat(str(tmp_path / 'joint_data.mat'), dict(joint_xyz=np.zeros(
        (1, 2, 36, 3))))
    with pytest.raises(KeyError, match='joint_uvd.*|.*joint_uvd'):
        NYUHandDataset(data_root=str(tmp_path), ann_file='joint_data.mat')


def test_nan_joints(nyu_root, tmp_path):
    mat = loadmat(osp.join(nyu_root, 'train', 'joint_data.mat'))
    mat['joint_uvd'][0, 2, 3, 0] = np.nan
    savemat(str(tmp_path / 'joint_data.mat'),
            dict(joint_uvd=mat['joint_uvd'], joint_xyz=mat['joint_xyz']))
    with pytest.raises(ValueError, match='NaN.*frame 2'):
        NYUHandDataset(data_root=str(tmp_path), ann_file='joint_data.mat')


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='joint_data.mat'):
        NYUHandDataset(data_root=str(tmp_path), ann_file='joint_data.mat')


def test_depth_png_packing(nyu_root):
    img = cv2.imread(osp.join(nyu_root, 'train', 'depth_1_0000001.png'),
                     cv2.IMREAD_UNCHANGED)
    assert img.dtype == np.uint8 and img.shape == (480, 640, 3)
    assert (img[..., 2] == 0).all()  # R unused; G high byte, B low byte


def test_a2j_mat_center_file(nyu_root, tmp_path):
    """A2J's centre files: ``.mat`` with ``centre_pixel`` of shape
    ``(frames, 1, 3)`` (uvd; A2J indexes it as ``[:, :, k]``)."""
    centers = np.array([[[300., 250., 700.]], [[310., 240., 710.]],
                        [[320., 230., 720.]]])
    path = str(tmp_path / 'nyu_center_train.mat')
    savemat(path, dict(centre_pixel=centers))
    ds = _build(nyu_root, center_file=path)
    for i in range(3):
        info = ds.get_data_info(i)
        assert info['center_source'] == 'file'
        np.testing.assert_allclose(info['depth_center_uvd'], centers[i, 0])
    savemat(path, dict(centre=centers, other=centers))
    with pytest.raises(KeyError, match='centre_pixel'):
        _build(nyu_root, center_file=path)


def test_truncated_mat_is_named(nyu_root, tmp_path):
    src = osp.join(nyu_root, 'train', 'joint_data.mat')
    with open(src, 'rb') as f:
        head = f.read(300)
    (tmp_path / 'joint_data.mat').write_bytes(head)
    # scipy alone says "OSError: could not read bytes"
    with pytest.raises(ValueError, match=r'NYUHandDataset: ann_file ".*'
                       r'joint_data.mat" is not a readable MATLAB file'):
        NYUHandDataset(data_root=str(tmp_path), ann_file='joint_data.mat')
