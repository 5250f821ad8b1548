# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""End-to-end runs of the tiny config on the 4 real InterHand2.6M images:
training lowers the loss, checkpoints resume on torch 2.14, ``mim train`` /
``mim test`` and ``--launcher pytorch`` (2 gloo processes) work."""
import os
import os.path as osp
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from unittest import TestCase

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from conftest import (REPO_ROOT, TINY_CONFIG, options_to_argv,
                      real_data_options)

# no random augmentation, so that the same images give the same loss
DETERMINISTIC_TRAIN_PIPELINE = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='TopdownAffine', input_size=(128, 128)),
    dict(type='GenerateTarget', encoder=dict(
        type='A2JInterHandCodec', input_size=(128, 128))),
    dict(type='PackPoseInputs')
]


def tiny_cfg(work_dir, **extra):
    cfg = Config.fromfile(TINY_CONFIG)
    cfg.merge_from_dict(real_data_options())
    cfg.merge_from_dict(extra)
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=0)
    cfg.default_hooks.logger.interval = 1
    return cfg


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run(cmd, **kwargs):
    env = dict(os.environ, PYTHONPATH=REPO_ROOT, OMP_NUM_THREADS='1')
    proc = subprocess.run(
        cmd, cwd=kwargs.pop('cwd', REPO_ROOT), env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs)
    if proc.returncode != 0:
        raise AssertionError(f'{cmd} failed:\n{proc.stdout[-4000:]}')
    return proc.stdout


@pytest.mark.slow
class TestTrainAndResume(TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_training_lowers_the_loss_and_resumes(self):
        cfg = tiny_cfg(
            self.tmp, **{
                'train_cfg.max_epochs': 12,
                'train_cfg.val_interval': 100,
                'train_dataloader.dataset.pipeline':
                DETERMINISTIC_TRAIN_PIPELINE,
                'default_hooks.checkpoint.interval': 6,
                'default_hooks.checkpoint.max_keep_ckpts': 2,
                'optim_wrapper.optimizer.lr': 2e-3,
            })
        cfg.param_scheduler = []
        runner = Runner.from_cfg(cfg)
        runner.train()
        losses = runner.message_hub.get_scalar('train/loss').data[0]
        self.assertEqual(len(losses), 12)
        self.assertLess(losses[-3:].mean(), 0.7 * losses[:3].mean(), losses)

        # resume from epoch 6 in a fresh runner: same weights, then goes on
        ckpt = osp.join(self.tmp, 'epoch_6.pth')
        saved = torch.load(ckpt, map_location='cpu', weights_only=False)
        cfg2 = tiny_cfg(
            osp.join(self.tmp, 'resumed'), **{
                'train_cfg.max_epochs': 7,
                'train_cfg.val_interval': 100,
                'train_dataloader.dataset.pipeline':
                DETERMINISTIC_TRAIN_PIPELINE,
            })
        cfg2.resume = True
        cfg2.load_from = ckpt
        runner2 = Runner.from_cfg(cfg2)
        runner2.load_or_resume()
        self.assertEqual(runner2.epoch, 6)
        for key, value in saved['state_dict'].items():
            torch.testing.assert_close(
                runner2.model.state_dict()[key], value, msg=key)
        runner2.train()
        self.assertEqual(runner2.epoch, 7)


@pytest.mark.slow
class TestCommandLine(TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_mim_train_and_mim_test(self):
        mim = shutil.which('mim', path=osp.dirname(sys.executable))
        self.assertIsNotNone(mim, 'mim is not installed beside python')
        opts = options_to_argv(real_data_options(batch_size=2))
        cfg_name = osp.basename(TINY_CONFIG)
        out = run([
            mim, 'train', 'a2jt_mmpose', cfg_name, '--work-dir', self.tmp,
            '--cfg-options', 'train_cfg.max_epochs=1', *opts
        ], cwd=self.tmp)
        self.assertIn('a2jt_mmpose/.mim/tools/train.py', out)
        self.assertIn('Epoch(train) [1][2/2]', out)
        ckpt = osp.join(self.tmp, 'epoch_1.pth')
        self.assertTrue(osp.isfile(ckpt))
        out = run([
            mim, 'test', 'a2jt_mmpose', cfg_name, '-C', ckpt, '--work-dir',
            self.tmp, '--cfg-options', *opts
        ], cwd=self.tmp)
        match = re.search(r'MPJPE_all: ([0-9.]+)', out)
        self.assertIsNotNone(match, out[-2000:])
        # mim test evaluates the trained checkpoint: the same number as the
        # library's own runner.test on that checkpoint, in this process
        cfg = Config.fromfile(TINY_CONFIG)
        cfg.merge_from_dict(real_data_options(batch_size=2))
        cfg.work_dir = osp.join(self.tmp, 'in_process')
        cfg.load_from = ckpt
        metrics = Runner.from_cfg(cfg).test()
        self.assertAlmostEqual(
            float(match.group(1)), metrics['MPJPE_all'], places=2)

    def test_two_gloo_processes_equal_one_with_double_batch(self):
        """One SGD step: 2 ranks x batch 2 == 1 process x batch 4."""

        def write_config(batch_size, lr=0.01):
            path = osp.join(self.tmp, f'dist_b{batch_size}_lr{lr}.py')
            opts = real_data_options(batch_size=batch_size)
            opts.update({
                'train_cfg': dict(max_epochs=1, val_interval=100),
                'optim_wrapper': dict(
                    optimizer=dict(_delete_=True, type='SGD', lr=lr)),
                'model': dict(backbone=dict(norm_eval=True)),  # BN stats
                'train_dataloader.sampler.shuffle': False,
                'train_dataloader.dataset.pipeline':
                DETERMINISTIC_TRAIN_PIPELINE,
                'randomness': dict(seed=0),
                'env_cfg': dict(dist_cfg=dict(backend='gloo')),
            })
            with open(path, 'w') as f:
                f.write(f'_base_ = [{TINY_CONFIG!r}]\n'
                        'param_scheduler = []\n')
                cfg = Config(dict(_base_=None))
                cfg.merge_from_dict(opts)
                for key, value in cfg.to_dict().items():
                    if key != '_base_':
                        f.write(f'{key} = {value!r}\n')
            return path

        single = osp.join(self.tmp, 'single')
        run([
            sys.executable, 'tools/train.py',
            write_config(4), '--work-dir', single
        ])
        dist = osp.join(self.tmp, 'dist')
        run([
            sys.executable, '-m', 'torch.distributed.run',
            '--nproc_per_node=2', f'--master_port={free_port()}',
            'tools/train.py',
            write_config(2), '--launcher', 'pytorch', '--work-dir', dist
        ])
        # the same run with lr 0 keeps the initial weights (same seed)
        frozen = osp.join(self.tmp, 'frozen')
        run([
            sys.executable, 'tools/train.py',
            write_config(4, lr=0.), '--work-dir', frozen
        ])
        a, b, init = (torch.load(
            osp.join(d, 'epoch_1.pth'), weights_only=False)['state_dict']
                      for d in (single, dist, frozen))
        step = max((a[k] - init[k]).abs().max().item() for k in a)
        self.assertGreater(step, 1e-4)  # one SGD step did move the weights
        for key, value in a.items():
            # the two-rank step equals the doubled-batch step to < 1% of it
            torch.testing.assert_close(
                b[key], value, rtol=0, atol=1e-2 * step, msg=key)
