# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import numpy as np
import pytest

from a2jt_mmpose.codecs.depth_camera import xyz_to_uvd
from a2jt_mmpose.evaluation.metrics import (DepthHandMPJPEMetric,
                                            Hands2017ResultExporter)

FOCAL = np.array([588.03, -587.07])
PRINCPT = np.array([320., 240.])


def _sample(gt_xyz, offset, center_depth=600., visible=None, img_id=0):
    pred_uvd = xyz_to_uvd(gt_xyz + offset, FOCAL, PRINCPT)
    pred_uvd[..., 2] -= center_depth  # the model predicts relative depth
    k = gt_xyz.shape[0]
    return dict(
        img_id=img_id,
        img_path=f'/x/image_D{img_id + 1:08d}.png',
        frame_name=f'image_D{img_id + 1:08d}.png',
        pred_instances=dict(keypoints=pred_uvd[None]),
        gt_instances=dict(
            keypoints_cam=gt_xyz[None],
            keypoints_visible=np.ones((1, k)) if visible is None else
            visible[None]),
        depth_center_xyz=np.array([0., 0., center_depth]),
        focal=FOCAL,
        principal_pt=PRINCPT)


def test_mpjpe_after_back_projection():
    rng = np.random.default_rng(0)
    gt = rng.uniform([-50, -50, 550], [50, 50, 650], (14, 3))
    metric = DepthHandMPJPEMetric()
    metric.dataset_meta = dict(
        keypoint_id2name={k: f'joint{k}'
                          for k in range(14)})
    visible = np.ones(14)
    visible[13] = 0
    metric.process([], [
        _sample(gt, np.array([3., 4., 0.])),
        _sample(gt, np.array([0., 0., 10.]), visible=visible)
    ])
    out = metric.compute_metrics(metric.results)
    # 14 joints with error 5 and 13 with error 10
    assert out['MPJPE'] == pytest.approx((14 * 5 + 13 * 10) / 27)
    assert out['MPJPE_xy'] == pytest.approx(14 * 5 / 27)
    assert out['MPJPE_z'] == pytest.approx(13 * 10 / 27)
    assert out['MPJPE_joint0'] == pytest.approx(7.5)
    assert out['MPJPE_joint13'] == pytest.approx(5.)


def test_hands2017_export(tmp_path):
    rng = np.random.default_rng(1)
    gts = [rng.uniform([-50, -50, 550], [50, 50, 650], (21, 3))
           for _ in range(3)]
    path = str(tmp_path / 'sub' / 'results.txt')
    metric = Hands2017ResultExporter(outfile_path=path)
    # out of order on purpose: lines follow img_id
    metric.process([], [_sample(gts[i], 0., img_id=i) for i in (2, 0, 1)])
    out = metric.compute_metrics(metric.results)
    assert out == dict(num_exported=3)
    lines = open(path).read().splitlines()
    assert len(lines) == 3
    for i, line in enumerate(lines):
        parts = line.split('\t')
        assert parts[0] == f'image_D{i + 1:08d}.png'
        assert len(parts) == 64
        np.testing.assert_allclose(
            np.array(parts[1:], float).reshape(21, 3), gts[i], atol=1e-3)
