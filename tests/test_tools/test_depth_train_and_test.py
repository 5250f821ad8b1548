# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Short end-to-end runs of the tiny NYU and HANDS 2017 configs on
synthetic data in the real layouts: training lowers the loss, testing
prints the metric (NYU) / writes the challenge file (HANDS 2017)."""
import os.path as osp
import shutil
import tempfile
from unittest import TestCase

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from conftest import REPO_ROOT

CFG_DIR = osp.join(REPO_ROOT, 'configs', 'hand_3d_keypoint',
                   'a2j_transformer')
NYU_TINY = osp.join(CFG_DIR, 'nyu',
                    'a2jt_res18-tiny_1xb8-3e_synthetic-nyu-176x176.py')
H17_TINY = osp.join(
    CFG_DIR, 'hands2017',
    'a2jt_res18-tiny_1xb8-3e_synthetic-hands2017-176x176.py')


def _no_aug(pipeline):
    """The training pipeline without its random transforms."""
    return [t for t in pipeline if not t['type'].startswith('Random')]


def _tiny(cfg_file, work_dir, roots, epochs):
    cfg = Config.fromfile(cfg_file)
    for split, root in roots.items():
        loader = cfg[f'{split}_dataloader']
        loader.dataset.data_root = root
        loader.num_workers = 0
        loader.persistent_workers = False
        loader.batch_size = 4
    cfg.train_dataloader.sampler.shuffle = False
    cfg.train_dataloader.dataset.pipeline = _no_aug(
        cfg.train_dataloader.dataset.pipeline)
    cfg.train_cfg.max_epochs = epochs
    cfg.train_cfg.val_interval = epochs
    cfg.param_scheduler = []
    cfg.optim_wrapper.optimizer.lr = 1e-3
    cfg.work_dir = work_dir
    # mmengine keeps visualizers by name across runners: one per run
    cfg.visualizer.name = f'visualizer_{osp.basename(work_dir)}_{id(cfg)}'
    cfg.randomness = dict(seed=0)
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint.interval = epochs
    return cfg


@pytest.mark.slow
class TestDepthTrainAndTest(TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _check_loss(self, runner, epochs):
        losses = runner.message_hub.get_scalar('train/loss').data[0]
        self.assertEqual(len(losses), epochs)
        print('losses', np.round(losses, 2).tolist())
        self.assertLess(losses[-2:].mean(), 0.8 * losses[:2].mean(), losses)

    def test_nyu(self):
        from a2jt_mmpose.datasets.synthetic.nyu_writer import generate_nyu
        data = osp.join(self.tmp, 'nyu')
        generate_nyu(data, dict(train=4, test=4), seed=0)
        cfg = _tiny(NYU_TINY, osp.join(self.tmp, 'work'),
                    dict(train=data, val=data, test=data), epochs=10)
        runner = Runner.from_cfg(cfg)
        runner.train()
        self._check_loss(runner, 10)
        metrics = runner.test()
        print('NYU synthetic test', {k: round(v, 2)
                                     for k, v in metrics.items()
                                     if k in ('MPJPE', 'MPJPE_xy',
                                              'MPJPE_z')})
        self.assertTrue(np.isfinite(metrics['MPJPE']))
        self.assertIn('MPJPE_palm', metrics)

    def test_hands2017(self):
        from a2jt_mmpose.datasets.synthetic.hands2017_writer import \
            generate_hands2017
        data = osp.join(self.tmp, 'h17')
        generate_hands2017(
            data, dict(training=4, validation=4, frame=3), seed=0)
        out = osp.join(self.tmp, 'results.txt')
        cfg = _tiny(
            H17_TINY, osp.join(self.tmp, 'work'),
            dict(
                train=osp.join(data, 'training'),
                val=osp.join(data, 'validation'),
                test=osp.join(data, 'frame')), epochs=10)
        cfg.test_evaluator.outfile_path = out
        runner = Runner.from_cfg(cfg)
        runner.train()
        self._check_loss(runner, 10)
        metrics = runner.val()
        print('HANDS 2017 synthetic val', round(metrics['MPJPE'], 2))
        self.assertTrue(np.isfinite(metrics['MPJPE']))
        self.assertEqual(runner.test(), dict(num_exported=3))
        lines = open(out).read().splitlines()
        self.assertEqual(len(lines), 3)
        for i, line in enumerate(lines):
            parts = line.split('\t')
            self.assertEqual(parts[0], f'image_D{i + 1:08d}.png')
            self.assertEqual(len(parts), 64)
            self.assertTrue(np.isfinite(np.array(parts[1:], float)).all())
