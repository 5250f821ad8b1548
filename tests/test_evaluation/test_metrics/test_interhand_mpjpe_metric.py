# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import copy
from unittest import TestCase

import numpy as np
import pytest
from mmpose.codecs.utils import camera_to_pixel
from mmpose.evaluation.metrics import InterHandMetric
from mmpose.registry import DATASETS

from a2jt_mmpose.evaluation.metrics import InterHandMPJPEMetric
from conftest import interhand_mini_split


def real_samples():
    """Data samples of the 4 real InterHand2.6M images, as the evaluator
    hands them to a metric (after the val pipeline)."""
    dataset = DATASETS.build(
        dict(
            type='CheckedInterHand3DDataset',
            data_mode='topdown',
            test_mode=True,
            pipeline=[
                dict(type='LoadImage'),
                dict(type='GetBBoxCenterScale', padding=1.25),
                dict(type='TopdownAffine', input_size=(256, 256)),
                dict(
                    type='PackPoseInputs',
                    meta_keys=('id', 'img_id', 'img_path', 'focal',
                               'principal_pt', 'hand_type',
                               'hand_type_valid', 'abs_depth'))
            ],
            **interhand_mini_split()))
    out = []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        sample = dataset[i]['data_samples'].to_dict()
        sample['pred_instances'] = dict(
            keypoints=info['keypoints'].copy(),
            keypoint_scores=np.ones((1, 42), np.float32),
            hand_type=info['hand_type'].copy(),
            rel_root_depth=np.float32(info['rel_root_depth']),
            hand_type_predicted=np.ones(1, bool),
            rel_root_depth_predicted=np.ones(1, bool))
        out.append(sample)
    return out


def evaluate(metric, samples):
    metric.process([], copy.deepcopy(samples))
    return metric.compute_metrics(metric.results)


class TestInterHandMPJPEMetric(TestCase):

    def test_real_samples_perfect_and_equal_to_mmpose(self):
        samples = real_samples()
        self.assertEqual(len(samples), 4)
        self.assertEqual(
            sorted(bool(np.asarray(s['hand_type']).all()) for s in samples),
            [False, False, True, True])
        perfect = evaluate(InterHandMPJPEMetric(), samples)
        for key in ('all', 'single', 'interacting'):
            self.assertAlmostEqual(perfect[f'MPJPE_{key}'], 0., places=3)

        rng = np.random.default_rng(0)
        for s in samples:
            s['pred_instances']['keypoints'] = s['pred_instances'][
                'keypoints'] + rng.normal(0, 3, (1, 42, 3)).astype(np.float32)
        ours = evaluate(InterHandMPJPEMetric(), samples)
        ref = evaluate(InterHandMetric(modes=['MPJPE']), samples)
        for key in ('all', 'single', 'interacting'):
            self.assertAlmostEqual(
                ours[f'MPJPE_{key}_pooled'], ref[f'MPJPE_{key}'], places=3)
            self.assertGreater(ours[f'MPJPE_{key}'], 1.)
        # every joint is valid in 3 of the 4 samples (the absent hand of the
        # single-hand frames is invalid), so here both aggregations agree
        self.assertAlmostEqual(ours['MPJPE_all'], ours['MPJPE_all_pooled'],
                               places=6)

    def test_per_joint_first_differs_from_pooled(self):
        """Two samples; joint 0 valid in both, joint 1 only in the first.

        Errors (mm): sample A joint0 = 2, joint1 = 10; sample B joint0 = 4.
        per joint first: mean(mean(2, 4), 10) = (3 + 10) / 2 = 6.5
        pooled:          mean(2, 10, 4) = 16 / 3
        """
        focal, princpt = np.array([1000., 1000.]), np.array([100., 100.])

        def sample(errors, valid):
            gt = np.zeros((1, 42, 3))
            gt[0, :, 2] = 500.
            gt[0, :21, 0] = np.arange(21) * 5.
            gt[0, 21:, 0] = np.arange(21) * 5. + 200.
            pred_cam = gt.copy()
            for j, e in errors.items():
                pred_cam[0, j, 1] += e
            px = camera_to_pixel(pred_cam, focal[0], focal[1], princpt[0],
                                 princpt[1])
            kpts = np.concatenate([px[..., :2], pred_cam[..., 2:] - 500.], -1)
            vis = np.zeros((1, 42))
            vis[0, valid] = 1
            vis[0, [20, 41]] = 1  # roots (error 0 by construction)
            return dict(
                pred_instances=dict(keypoints=kpts),
                gt_instances=dict(keypoints_cam=gt, keypoints_visible=vis),
                abs_depth=[500., 500.],
                focal=focal,
                principal_pt=princpt,
                hand_type=np.array([[1, 0]]))

        samples = [sample({0: 2., 1: 10.}, [0, 1]), sample({0: 4.}, [0])]
        res = evaluate(InterHandMPJPEMetric(), samples)
        # roots are valid too (error 0): joints 0, 1, 20, 41 are counted
        self.assertAlmostEqual(res['MPJPE_all'], (3. + 10. + 0 + 0) / 4, 4)
        self.assertAlmostEqual(res['MPJPE_all_pooled'], 16. / 7, 4)
        self.assertAlmostEqual(res['MPJPE_single'], res['MPJPE_all'])
        self.assertTrue(np.isnan(res['MPJPE_interacting']))
        self.assertAlmostEqual(res['MPJPE_all_xy'], res['MPJPE_all'], 4)
        self.assertAlmostEqual(res['MPJPE_all_z'], 0., 4)


class TestInterHandMPJPEMetricModes(TestCase):
    """MRRPE and HandednessAcc, against mmpose's InterHandMetric."""

    def setUp(self):
        self.samples = real_samples()
        rng = np.random.default_rng(1)
        for s in self.samples:
            pred = s['pred_instances']
            pred['keypoints'] = pred['keypoints'] + rng.normal(
                0, 3, (1, 42, 3)).astype(np.float32)
            pred['rel_root_depth'] = np.array(
                [float(pred['rel_root_depth']) + rng.normal(0, 20)],
                np.float32)
        # one wrong hand type among the four
        self.samples[0]['pred_instances']['hand_type'] = 1 - np.asarray(
            self.samples[0]['hand_type'])

    def test_equal_to_mmpose_on_real_samples(self):
        modes = ['MPJPE', 'MRRPE', 'HandednessAcc']
        ours = evaluate(InterHandMPJPEMetric(modes=modes), self.samples)
        ref = evaluate(InterHandMetric(modes=modes), self.samples)
        self.assertAlmostEqual(ours['MRRPE'], ref['MRRPE'], places=3)
        self.assertGreater(ours['MRRPE'], 1.)
        self.assertAlmostEqual(ours['HandednessAcc'], ref['HandednessAcc'])
        self.assertAlmostEqual(ours['HandednessAcc'], 0.75)
        self.assertAlmostEqual(ours['MPJPE_all_pooled'], ref['MPJPE_all'],
                               places=3)

    def test_perfect_predictions(self):
        samples = real_samples()
        res = evaluate(
            InterHandMPJPEMetric(modes=['MRRPE', 'HandednessAcc']), samples)
        self.assertEqual(set(res), {'MRRPE', 'HandednessAcc'})
        self.assertAlmostEqual(res['MRRPE'], 0., places=3)
        self.assertEqual(res['HandednessAcc'], 1.)

    def test_fallback_predictions_are_not_scored(self):
        """A2JHead without the extra heads marks its placeholders; MRRPE and
        HandednessAcc are then left out (MPJPE stays)."""
        for s in self.samples:
            pred = s['pred_instances']
            pred['hand_type'] = np.ones((1, 2), np.float32)
            pred['hand_type_predicted'] = np.zeros(1, bool)
            pred['rel_root_depth'] = np.zeros(1, np.float32)
            pred['rel_root_depth_predicted'] = np.zeros(1, bool)
        res = evaluate(
            InterHandMPJPEMetric(modes=['MPJPE', 'MRRPE', 'HandednessAcc']),
            self.samples)
        self.assertNotIn('MRRPE', res)
        self.assertNotIn('HandednessAcc', res)
        self.assertIn('MPJPE_all', res)
        # only the root depth head present
        for s in self.samples:
            s['pred_instances']['rel_root_depth_predicted'][:] = True
        res = evaluate(
            InterHandMPJPEMetric(modes=['MPJPE', 'MRRPE', 'HandednessAcc']),
            self.samples)
        self.assertIn('MRRPE', res)
        self.assertNotIn('HandednessAcc', res)
        # placeholders without the flags are not scored either
        for s in self.samples:
            for key in ('hand_type_predicted', 'rel_root_depth_predicted'):
                s['pred_instances'].pop(key)
        res = evaluate(
            InterHandMPJPEMetric(modes=['MPJPE', 'MRRPE', 'HandednessAcc']),
            self.samples)
        self.assertNotIn('MRRPE', res)
        self.assertNotIn('HandednessAcc', res)

    def test_mrrpe_by_hand(self):
        """Roots 100 mm apart in x at 500 mm; the prediction puts the left
        root 30 mm too far: MRRPE = 30 mm (pixels exact)."""
        focal, princpt = np.array([1000., 1000.]), np.array([100., 100.])
        gt = np.zeros((1, 42, 3))
        gt[0, :, 2] = 500.
        gt[0, 21:, 0] = 100.
        gt[0, 41, 2] = 520.
        px = camera_to_pixel(gt, focal[0], focal[1], princpt[0], princpt[1])
        kpts = np.concatenate([px[..., :2], np.zeros((1, 42, 1))], -1)
        sample = dict(
            pred_instances=dict(
                keypoints=kpts, rel_root_depth=np.array([50.]),
                rel_root_depth_predicted=np.array([True]),
                hand_type=np.array([[1, 1]])),
            gt_instances=dict(keypoints_cam=gt,
                              keypoints_visible=np.ones((1, 42))),
            abs_depth=[500., 520.], focal=focal, principal_pt=princpt,
            hand_type=np.array([[1, 1]]), hand_type_valid=np.array([1]))
        res = evaluate(InterHandMPJPEMetric(modes=['MRRPE']), [sample])
        # left root predicted at (100 * 550 / 520, 0, 550) vs GT (100, 0, 520)
        expected = np.hypot(100. * 550. / 520. - 100., 30.)
        self.assertAlmostEqual(res['MRRPE'], expected, places=4)

    def test_bad_mode(self):
        with self.assertRaisesRegex(ValueError, 'modes'):
            InterHandMPJPEMetric(modes=['AUC'])


@pytest.mark.slow
def test_runner_on_real_samples_with_and_without_heads(tmp_path):
    """Tiny model on the 4 real images: with the extension heads, one
    training epoch logs their losses and validation reports MRRPE and
    HandednessAcc; the paper model's validation leaves them out."""
    from mmengine.config import Config
    from mmengine.runner import Runner

    from conftest import TINY_CONFIG, real_data_options

    def runner(heads, name):
        cfg = Config.fromfile(TINY_CONFIG)
        cfg.merge_from_dict(real_data_options(batch_size=2))
        if heads:
            cfg.model.head.hand_type_head = dict(
                type='A2JHandTypeHead', in_channels=128, hidden_dims=64)
            cfg.model.head.root_depth_head = dict(
                type='A2JRootDepthHead', in_channels=128, hidden_dims=64)
        cfg.train_cfg = dict(by_epoch=True, max_epochs=1, val_interval=1)
        cfg.work_dir = str(tmp_path / name)
        cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                            interval=-1)
        return Runner.from_cfg(cfg)

    with_heads = runner(True, 'heads')
    with_heads.train()
    logged = with_heads.message_hub.log_scalars
    assert 'train/loss_hand_type' in logged
    assert 'train/loss_root_depth' in logged
    assert 'val/MRRPE' in logged and 'val/HandednessAcc' in logged
    assert 0. <= logged['val/HandednessAcc'].current() <= 1.
    paper = runner(False, 'paper').val()
    assert 'MPJPE_all' in paper
    assert 'MRRPE' not in paper and 'HandednessAcc' not in paper
