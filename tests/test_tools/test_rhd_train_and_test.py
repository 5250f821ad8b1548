# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""End-to-end RHD runs on synthetic original-layout data: a few training
iterations of the CPU config with tools/train.py, then tools/test.py prints
the RHD EPE; and 10 iterations without augmentation lower the loss."""
import os
import os.path as osp
import re
import shutil
import subprocess
import sys
import tempfile
from unittest import TestCase

import pytest

from conftest import REPO_ROOT

RHD_TINY_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'hand_3d_keypoint', 'a2j_transformer', 'rhd3d',
    'a2jt_res18-tiny_1xb16-3e_synthetic-rhd3d-128x128.py')


def run(cmd):
    env = dict(os.environ, PYTHONPATH=REPO_ROOT, OMP_NUM_THREADS='1')
    proc = subprocess.run(
        cmd, cwd=REPO_ROOT, env=env, text=True, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise AssertionError(f'{cmd} failed:\n{proc.stdout[-4000:]}')
    return proc.stdout


@pytest.mark.slow
class TestRhdTrainAndTest(TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_train_then_test_prints_epe(self):
        data = osp.join(self.tmp, 'rhd')
        run([
            sys.executable,
            osp.join('tools', 'dataset_converters',
                     'generate_synthetic_rhd.py'), '--out-dir', data,
            '--num-images', '24', '8', '--facing-camera-tilt', '30',
            '--quiet'
        ])
        opts = [f'train_dataloader.dataset.data_root={data}',
                f'val_dataloader.dataset.data_root={data}',
                f'test_dataloader.dataset.data_root={data}']
        for split in ('train', 'val', 'test'):
            opts += [f'{split}_dataloader.num_workers=0',
                     f'{split}_dataloader.persistent_workers=False',
                     f'{split}_dataloader.batch_size=8']
        work = osp.join(self.tmp, 'work')
        out = run([
            sys.executable, 'tools/train.py', RHD_TINY_CONFIG, '--work-dir',
            work, '--cfg-options', 'train_cfg.max_epochs=1',
            'default_hooks.logger.interval=1', 'randomness.seed=0', *opts
        ])
        self.assertIn('Epoch(train) [1]', out)
        ckpt = osp.join(work, 'epoch_1.pth')
        self.assertTrue(osp.isfile(ckpt), out[-2000:])
        out = run([
            sys.executable, 'tools/test.py', RHD_TINY_CONFIG, ckpt,
            '--work-dir', work, '--cfg-options', *opts
        ])
        match = re.search(r'EPE: ([0-9.]+)', out)
        self.assertIsNotNone(match, out[-2000:])
        epe = float(match.group(1))
        print(f'RHD EPE after 1 short epoch: {epe:.2f} mm')
        self.assertTrue(0. < epe < 1000., epe)


@pytest.mark.slow
class TestRhdTrainingLowersTheLoss(TestCase):
    """10 iterations on 4 synthetic RHD-layout images, no augmentation."""

    def test_loss_goes_down(self):
        import numpy as np
        from mmengine.config import Config
        from mmengine.runner import Runner

        from a2jt_mmpose.datasets.synthetic.rhd_writer import generate_rhd
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp, True)
        data = osp.join(tmp, 'rhd')
        generate_rhd(data, 'training', 4, seed=0, img_size=(160, 160),
                     facing_camera_tilt=30.)
        cfg = Config.fromfile(RHD_TINY_CONFIG)
        random_ops = ('HandRandomFlip', 'InterNetBBoxTransform',
                      'RandomColorGain')
        cfg.train_dataloader.dataset.pipeline = [
            t for t in cfg.train_dataloader.dataset.pipeline
            if t['type'] not in random_ops
        ]
        cfg.train_dataloader.update(
            batch_size=4, num_workers=0, persistent_workers=False)
        cfg.train_dataloader.dataset.data_root = data
        cfg.train_dataloader.sampler.shuffle = False
        cfg.train_cfg = dict(by_epoch=True, max_epochs=10, val_interval=100)
        cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
        cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
        cfg.param_scheduler = []
        cfg.optim_wrapper.optimizer.lr = 1e-3
        cfg.default_hooks.logger.interval = 1
        cfg.default_hooks.checkpoint.interval = 100
        cfg.visualizer.name = f'visualizer_rhd_loss_{id(cfg)}'
        cfg.randomness = dict(seed=0)
        cfg.work_dir = osp.join(tmp, 'work')
        runner = Runner.from_cfg(cfg)
        runner.train()
        losses = runner.message_hub.get_scalar('train/loss').data[0]
        self.assertEqual(len(losses), 10)
        print('RHD losses', np.round(losses, 2).tolist())
        self.assertLess(losses[-2:].mean(), 0.8 * losses[:2].mean(), losses)
