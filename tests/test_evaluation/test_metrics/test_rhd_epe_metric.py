# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import copy
from unittest import TestCase

import numpy as np
from mmpose.codecs.utils import camera_to_pixel
from mmpose.registry import DATASETS, METRICS

from a2jt_mmpose.evaluation.metrics import RhdEPEMetric
from conftest import RHD_MINI

FOCAL, PRINCPT = np.array([300., 280.]), np.array([160., 150.])


def gt_hand(seed):
    """21 camera-space joints (mm) of one hand, wrist (model index 20)
    last, about 500 mm in front of the camera."""
    rng = np.random.default_rng(seed)
    joints = rng.uniform(-60, 60, (21, 3)) + [20., -10., 500.]
    return joints


def make_sample(hand, gt21, pred21, valid21=None):
    """A data sample as the evaluator hands it to the metric: the
    prediction is given in camera mm and converted to the model output
    (original px, depth relative to the predicted wrist)."""
    sl = slice(0, 21) if hand == 'right' else slice(21, 42)
    gt = np.zeros((42, 3))
    gt[sl] = gt21
    valid = np.zeros(42)
    valid[sl] = 1 if valid21 is None else valid21
    pred = np.zeros((42, 3))
    pred[sl, :2] = camera_to_pixel(pred21.copy(), *FOCAL, *PRINCPT)
    pred[sl, 2] = pred21[:, 2] - pred21[20, 2]
    root_z = gt21[20, 2]
    return dict(
        pred_instances=dict(keypoints=pred[None]),
        gt_instances=dict(keypoints_cam=gt[None], keypoints_visible=valid[None]),
        abs_depth=[root_z, root_z],
        focal=FOCAL,
        principal_pt=PRINCPT,
        hand_type=np.array([[hand == 'right', hand == 'left']], float))


def evaluate(samples):
    metric = RhdEPEMetric()
    metric.process([], copy.deepcopy(samples))
    return metric.compute_metrics(metric.results)


class TestRhdEPEMetric(TestCase):

    def test_hand_computed(self):
        # A: right hand, joint 0 off by (3, 4, 0) -> 5 mm
        a = gt_hand(0)
        pa = a.copy()
        pa[0] += [3., 4., 0.]
        # B: left hand, joint 0 off by 12 mm in depth, joint 5 by (6, 8, 0)
        b = gt_hand(1)
        pb = b.copy()
        pb[0] += [0., 0., 12.]
        pb[5] += [6., 8., 0.]
        # C: left hand translated as a whole in x (root alignment removes
        # it), joint 3 wrong but invalid (not counted)
        c = gt_hand(2)
        pc = c + [10., 0., 0.]
        pc[3] += [50., 0., 0.]
        valid_c = np.ones(21)
        valid_c[3] = 0
        res = evaluate([
            make_sample('right', a, pa),
            make_sample('left', b, pb),
            make_sample('left', c, pc, valid_c)
        ])
        # folded per joint: joint 0 (5 + 12 + 0) / 3, joint 5 (0 + 10 + 0)
        # / 3, 19 joints 0 (wrist included) -> mean over 21 joints
        self.assertAlmostEqual(res['EPE'], (17 / 3 + 10 / 3) / 21, places=4)
        # pooled: 27 mm over 21 + 21 + 20 valid joints
        self.assertAlmostEqual(res['EPE_pooled'], 27 / 62, places=4)
        self.assertAlmostEqual(res['EPE_right'], 5 / 21, places=4)
        self.assertAlmostEqual(res['EPE_left'], (12 / 2 + 10 / 2) / 21,
                               places=4)

    def test_no_valid_joint_is_nan(self):
        a = gt_hand(0)
        res = evaluate([make_sample('right', a, a, np.zeros(21))])
        self.assertTrue(np.isnan(res['EPE']))

    def test_real_json_samples_perfect(self):
        dataset = DATASETS.build(
            dict(
                type='Rhd3DDataset',
                ann_file='test_rhd.json',
                data_root=RHD_MINI,
                data_prefix=dict(img=''),
                test_mode=True,
                pipeline=[
                    dict(type='LoadImage'),
                    dict(type='GetBBoxCenterScale', padding=1.25),
                    dict(type='TopdownAffine', input_size=(256, 256)),
                    dict(
                        type='PackPoseInputs',
                        meta_keys=('id', 'img_id', 'focal', 'principal_pt',
                                   'hand_type', 'abs_depth'))
                ]))
        samples = []
        for i in range(len(dataset)):
            sample = dataset[i]['data_samples'].to_dict()
            sample['pred_instances'] = dict(
                keypoints=dataset.get_data_info(i)['keypoints'].copy())
            samples.append(sample)
        res = evaluate(samples)
        self.assertLess(res['EPE'], 1e-3)
        # a 10 mm error in x at every non-root joint of every hand
        for s in samples:
            kpts = s['pred_instances']['keypoints']
            valid = s['gt_instances']['keypoints_visible'][0] > 0
            gt = s['gt_instances']['keypoints_cam'][0]
            for j in np.flatnonzero(valid):
                if j not in (20, 41):
                    kpts[0, j, 0] += 10. * s['focal'][0] / gt[j, 2]
        self.assertAlmostEqual(evaluate(samples)['EPE'], 10 * 20 / 21,
                               places=2)

    def test_registered(self):
        self.assertIsInstance(
            METRICS.build(dict(type='RhdEPEMetric')), RhdEPEMetric)
