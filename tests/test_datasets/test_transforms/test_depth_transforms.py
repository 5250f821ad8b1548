# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""The depth transforms against hand-computed crops and labels."""
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from mmengine.structures import InstanceData
from mmpose.models.pose_estimators import TopdownPoseEstimator
from mmpose.structures import PoseDataSample

from a2jt_mmpose.codecs import A2JDepthCodec
from a2jt_mmpose.codecs.depth_camera import uvd_to_xyz, xyz_to_uvd
from a2jt_mmpose.datasets.transforms import (
    DepthCropResize, DepthNormalize, DepthToChannels, DepthWindow,
    GetDepthCubeBox, LoadDepthImage, RandomDepthBoxShift,
    RandomDepthRotateScale, RandomErasingNoise)
from a2jt_mmpose.evaluation.metrics.depth_hand_mpjpe_metric import \
    depth_prediction_to_xyz

FOCAL = np.array([588.03, -587.07])
PRINCPT = np.array([320., 240.])


def _results(depth=None, uvd=None, center_uvd=(320., 240., 600.)):
    center_uvd = np.asarray(center_uvd, np.float64)
    if depth is None:
        depth = np.full((480, 640), 600., np.float32)
    if uvd is None:
        uvd = np.array([[[320., 240., 600.], [300., 250., 650.],
                         [350., 200., 560.]]])
    return dict(
        img=depth,
        img_path='x.png',
        keypoints=np.asarray(uvd, np.float32),
        keypoints_visible=np.ones(np.asarray(uvd).shape[:2], np.float32),
        depth_center_uvd=center_uvd,
        depth_center_xyz=uvd_to_xyz(center_uvd, FOCAL, PRINCPT),
        focal=FOCAL,
        principal_pt=PRINCPT)


def test_load_depth_both_encodings(tmp_path):
    depth = np.array([[0, 1, 255, 256], [700, 1234, 4095, 65535]],
                     np.uint16)
    rgb = np.zeros((2, 4, 3), np.uint8)
    rgb[..., 0] = depth & 255  # B
    rgb[..., 1] = depth >> 8  # G
    cv2.imwrite(str(tmp_path / 'nyu.png'), rgb)
    cv2.imwrite(str(tmp_path / 'h17.png'), depth)
    for name, enc in (('nyu.png', 'nyu_rgb'), ('h17.png', 'uint16'),
                      ('nyu.png', 'auto'), ('h17.png', 'auto')):
        out = LoadDepthImage(enc)(dict(img_path=str(tmp_path / name)))
        np.testing.assert_array_equal(out['img'], depth.astype(np.float32))
        assert out['img'].dtype == np.float32 and out['img_shape'] == (2, 4)
    # an 8-bit image where 16-bit is expected
    cv2.imwrite(str(tmp_path / 'gray8.png'), (depth // 256).astype(np.uint8))
    for enc, name in (('uint16', 'nyu.png'), ('uint16', 'gray8.png'),
                      ('auto', 'gray8.png')):
        with pytest.raises(ValueError, match=name):
            LoadDepthImage(enc)(dict(img_path=str(tmp_path / name)))


def test_cube_box_and_crop_by_hand():
    res = GetDepthCubeBox(110.)(_results())
    # centre (0, 0, 600): +-110 mm -> +-110 * 588.03 / 600 px in u and
    # +-110 * 587.07 / 600 in v
    du, dv = 110 * 588.03 / 600, 110 * 587.07 / 600
    np.testing.assert_allclose(res['crop_box'],
                               [320 - du, 240 - dv, 320 + du, 240 + dv])
    # crop a ramp image and compare with the hand-made nearest resize
    ramp = (np.arange(480)[:, None] * 1000 + np.arange(640)[None]).astype(
        np.float32)
    res['img'] = ramp
    out = DepthCropResize((176, 176))(res)
    x0, y0 = int(320 - du), int(240 - dv)
    x1, y1 = int(320 + du), int(240 + dv)
    assert out['crop_box'].tolist() == [x0, y0, x1, y1]
    expect = cv2.resize(ramp[y0:y1, x0:x1], (176, 176),
                        interpolation=cv2.INTER_NEAREST)
    np.testing.assert_array_equal(out['img'], expect)
    kpt = out['transformed_keypoints'][0]
    np.testing.assert_allclose(kpt[1, 0], (300 - x0) * 176 / (x1 - x0),
                               rtol=1e-6)
    np.testing.assert_allclose(kpt[1, 1], (250 - y0) * 176 / (y1 - y0),
                               rtol=1e-6)
    assert kpt[1, 2] == pytest.approx(650.)
    np.testing.assert_allclose(out['input_center'],
                               [(x0 + x1) / 2, (y0 + y1) / 2])
    np.testing.assert_allclose(out['input_scale'], [x1 - x0, y1 - y0])


def test_crop_clips_to_the_image_and_rejects_outside_centres():
    res = _results(center_uvd=(5., 5., 600.))
    out = DepthCropResize()(GetDepthCubeBox(110.)(res))
    assert out['crop_box'][:2].tolist() == [0, 0]
    res = _results()
    res['crop_box'] = np.array([700., 100., 800., 200.])
    with pytest.raises(ValueError, match='outside'):
        DepthCropResize()(res)


def test_box_shift_range():
    np.random.seed(0)
    shifts = np.stack([
        RandomDepthBoxShift((-5, 4))(dict(crop_box=np.zeros(4)))['crop_box']
        for _ in range(300)
    ])
    assert shifts.min() == -5 and shifts.max() == 4
    assert np.all(shifts == np.round(shifts))


def test_depth_window():
    img = np.array([[0., 449., 451., 600.], [749., 750., 800., 1000.]],
                   np.float32)
    res = dict(img=img, depth_center_xyz=np.array([0., 0., 600.]),
               transformed_keypoints=np.array([[[1., 2., 650.]]],
                                              np.float32))
    out = DepthWindow(150.)(res)
    # |d - c| >= 150 -> c, then relative to c
    np.testing.assert_array_equal(
        out['img'], [[0., 0., -149., 0.], [149., 0., 0., 0.]])
    assert out['transformed_keypoints'][0, 0].tolist() == [1., 2., 50.]
    assert out['center_depth'] == 600.


def test_rotate_scale_by_hand():
    img = np.zeros((176, 176), np.float32)
    img[88, 120] = 10.  # one pixel at (x 120, y 88)
    res = dict(img=img, transformed_keypoints=np.array(
        [[[120., 88., 10.]]], np.float32))
    out = RandomDepthRotateScale(border_value=-7.).apply(res, 90., 0.5)
    # +90 deg (counter-clockwise on screen) about (88, 88), scale 0.5:
    # (120, 88) -> (88, 88 - 16)
    np.testing.assert_allclose(out['transformed_keypoints'][0, 0],
                               [88., 72., 5.], atol=1e-4)
    assert out['img'][72, 88] == pytest.approx(5.)  # depth scaled too
    assert out['img'][0, 0] == -7.  # border
    np.random.seed(1)
    out = RandomDepthRotateScale()(dict(img=img.copy()))
    assert out['rotation'] == int(out['rotation'])
    assert 0.5 <= out['depth_scale'] < 1.5


def test_normalize_channels_and_erasing_adds_noise():
    img = np.full((176, 176), 30., np.float32)
    out = DepthNormalize(mean=10., std=20.)(dict(img=img))
    assert np.all(out['img'] == 1.)
    out = DepthToChannels(3)(out)
    assert out['img'].shape == (176, 176, 3)
    np.random.seed(3)
    before = out['img'].copy()
    out = RandomErasingNoise(prob=1.)(out)
    x0, y0, x1, y1 = out['erased_box']
    area = (x1 - x0) * (y1 - y0) / 176**2
    assert 0.015 <= area <= 0.41
    patch = out['img'][y0:y1, x0:x1] - before[y0:y1, x0:x1]
    # added (not replaced) unit Gaussian noise, the same on all channels
    assert abs(patch.std() - 1.) < 0.15 and abs(patch.mean()) < 0.2
    np.testing.assert_array_equal(patch[..., 0], patch[..., 2])
    outside = out['img'].copy()
    outside[y0:y1, x0:x1] = 1.
    assert np.all(outside == 1.)
    assert RandomErasingNoise(prob=0.)(dict(img=img))['erased_box'] is None


def test_round_trip_crop_uvd_xyz():
    """crop -> codec -> mmpose's ``TopdownPoseEstimator`` back to original
    pixels -> the metric's back-projection to camera mm recovers the joints
    (< 0.5 mm)."""
    rng = np.random.default_rng(0)
    xyz = rng.uniform([-60, -60, 550], [60, 60, 700], (1, 14, 3))
    uvd = xyz_to_uvd(xyz, FOCAL, PRINCPT)
    center = xyz_to_uvd(xyz[0].mean(0), FOCAL, PRINCPT)
    res = _results(uvd=uvd, center_uvd=center)
    for t in (GetDepthCubeBox(110.), DepthCropResize(), DepthWindow(150.)):
        res = t(res)
    codec = A2JDepthCodec((176, 176))
    enc = codec.encode(res['transformed_keypoints'],
                       res['keypoints_visible'])
    assert enc['keypoint_weights'].all()
    keypoints, scores = codec.decode(enc['keypoint_labels'])
    sample = PoseDataSample(metainfo=dict(
        input_center=res['input_center'], input_scale=res['input_scale'],
        input_size=res['input_size']))
    sample.gt_instances = InstanceData(bboxes=np.zeros((1, 4)),
                                       bbox_scores=np.ones(1))
    TopdownPoseEstimator.add_pred_to_datasample(
        SimpleNamespace(test_cfg={}),
        [InstanceData(keypoints=keypoints, keypoint_scores=scores)], None,
        [sample])
    rec = depth_prediction_to_xyz(
        dict(pred_instances=dict(keypoints=sample.pred_instances.keypoints),
             depth_center_xyz=res['depth_center_xyz'], focal=FOCAL,
             principal_pt=PRINCPT))
    assert rec.shape == xyz.shape
    assert np.abs(rec - xyz).max() < 0.5
