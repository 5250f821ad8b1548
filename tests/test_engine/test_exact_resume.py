# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""A run killed (SIGKILL) in the middle of an epoch and resumed equals the
uninterrupted run bit for bit, for num_workers 0, 1 (persistent, as the tiny
config ships) and 2; the same seed gives the same run for all three."""
import json
import os
import os.path as osp
import subprocess
import tempfile
from unittest import TestCase

import pytest
import torch

from conftest import real_data_options, tiny_train_command, train_environment

# before tools/train.py: a hook that SIGKILLs the process right after the
# given training iteration (1-based) when KILL_AFTER_ITER is set
PATCHES = '''
import os, signal
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmpose.registry import HOOKS

kill_after = int(os.environ.get('KILL_AFTER_ITER', '0'))


@HOOKS.register_module()
class KillAfterIter(Hook):
    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter + 1 == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)


from_cfg = Runner.from_cfg.__func__


def patched(cls, cfg):
    if kill_after:
        cfg.custom_hooks = list(cfg.custom_hooks) + [
            dict(type='KillAfterIter')]
    return from_cfg(cls, cfg)


Runner.from_cfg = classmethod(patched)
'''


def train(work_dir, num_workers, kill_after=0, resume=False):
    """Train the tiny config for 3 epochs of 2 iterations on the 4 real
    InterHand2.6M images (batch 2, the shipped random augmentation)."""
    opts = real_data_options(batch_size=2)
    opts.update({
        'train_dataloader.num_workers': num_workers,
        'train_dataloader.persistent_workers': num_workers > 0,
        'randomness.seed': 0,
        'randomness.deterministic': True,
        'train_cfg.max_epochs': 3,
        'train_cfg.val_interval': 100,
        'default_hooks.checkpoint.interval': 1,
        'default_hooks.checkpoint.max_keep_ckpts': 3,
        'default_hooks.logger.interval': 1,
    })
    cmd = tiny_train_command(work_dir, PATCHES, opts, resume=resume)
    env = train_environment(KILL_AFTER_ITER=str(kill_after))
    proc = subprocess.run(cmd, cwd=work_dir, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return proc


def losses(work_dir):
    """{iteration: loss} from every scalars.json of the work dir's runs."""
    out = {}
    for root, _, files in os.walk(work_dir):
        if 'scalars.json' in files:
            with open(osp.join(root, 'scalars.json')) as f:
                for line in f:
                    rec = json.loads(line)
                    if 'loss' in rec:
                        out[rec['step']] = rec['loss']
    return out


def final_state(work_dir):
    ckpt = torch.load(osp.join(work_dir, 'epoch_3.pth'), map_location='cpu',
                      weights_only=False)
    return ckpt['state_dict']


@pytest.mark.slow
class TestExactResume(TestCase):

    def test_killed_and_resumed_equals_uninterrupted(self):
        tmp = tempfile.mkdtemp()
        states = {}
        for num_workers in (0, 1, 2):
            full = osp.join(tmp, f'full_{num_workers}')
            proc = train(full, num_workers)
            self.assertEqual(proc.returncode, 0, proc.stdout[-3000:])
            cut = osp.join(tmp, f'cut_{num_workers}')
            # killed after iteration 3: in epoch 2, after its first step
            proc = train(cut, num_workers, kill_after=3)
            self.assertEqual(proc.returncode, -9, proc.stdout[-3000:])
            self.assertFalse(osp.exists(osp.join(cut, 'epoch_2.pth')))
            with open(osp.join(cut, 'last_checkpoint')) as f:
                self.assertTrue(f.read().strip().endswith('epoch_1.pth'))
            proc = train(cut, num_workers, resume=True)
            self.assertEqual(proc.returncode, 0, proc.stdout[-3000:])
            self.assertIn('resumed epoch: 1', proc.stdout)

            full_loss, cut_loss = losses(full), losses(cut)
            self.assertEqual(sorted(full_loss), list(range(1, 7)))
            # the resumed run's iterations 3..6 (and the killed run's 1..3)
            for step, loss in cut_loss.items():
                self.assertEqual(loss, full_loss[step],
                                 f'num_workers={num_workers} step {step}')
            self.assertEqual(sorted(cut_loss), list(range(1, 7)))
            a, b = final_state(full), final_state(cut)
            self.assertEqual(a.keys(), b.keys())
            for key in a:
                self.assertTrue(torch.equal(a[key], b[key]),
                                f'num_workers={num_workers}: {key}')
            states[num_workers] = a
        # the same seed, the same run, whatever num_workers is
        for num_workers in (1, 2):
            for key, value in states[0].items():
                self.assertTrue(torch.equal(value, states[num_workers][key]),
                                f'num_workers 0 vs {num_workers}: {key}')
