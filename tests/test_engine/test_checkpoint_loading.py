# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import os
import os.path as osp
import pickle
import tempfile
from unittest import TestCase

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader, load_checkpoint

from a2jt_mmpose.engine.checkpoint_loading import TRUST_ENV


class _Evil:

    def __reduce__(self):
        return (os.system, ('touch /tmp/a2jt_evil_marker', ))


class TestCheckpointLoading(TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.model = torch.nn.Linear(3, 2)
        self.ckpt = osp.join(self.tmp, 'epoch_1.pth')
        # what mmengine's CheckpointHook writes: numpy in meta, HistoryBuffer
        torch.save(
            dict(
                meta=dict(
                    epoch=1,
                    seed=np.int64(3),
                    dataset_meta=dict(
                        flip_indices=[1, 0],
                        sigmas=np.array([0.1, 0.2], np.float32),
                        skeleton_links=[(0, 1)])),
                state_dict=self.model.state_dict(),
                message_hub=dict(
                    log_scalars=dict(
                        loss=HistoryBuffer([1., 2.], [1, 1])))),
            self.ckpt)

    def test_torch_default_refuses_mmengine_checkpoints(self):
        # the problem this module solves (torch >= 2.6, mmengine 0.10.7)
        with self.assertRaises(pickle.UnpicklingError):
            torch.load(self.ckpt)

    def test_load_checkpoint_works_without_settings(self):
        os.environ.pop(TRUST_ENV, None)
        ckpt = CheckpointLoader.load_checkpoint(self.ckpt, 'cpu')
        self.assertIsInstance(ckpt['message_hub']['log_scalars']['loss'],
                              HistoryBuffer)
        model = torch.nn.Linear(3, 2)
        load_checkpoint(model, self.ckpt, map_location='cpu')
        torch.testing.assert_close(model.weight, self.model.weight)

    def test_missing_and_truncated_files(self):
        with self.assertRaisesRegex(FileNotFoundError, 'nope.pth'):
            CheckpointLoader.load_checkpoint(osp.join(self.tmp, 'nope.pth'))
        with open(self.ckpt, 'rb') as f:
            data = f.read()
        cut = osp.join(self.tmp, 'cut.pth')
        with open(cut, 'wb') as f:
            f.write(data[:len(data) // 2])
        with self.assertRaisesRegex(RuntimeError, 'cut.pth.*truncated'):
            CheckpointLoader.load_checkpoint(cut)

    def test_unsafe_objects_are_refused(self):
        marker = '/tmp/a2jt_evil_marker'
        if osp.exists(marker):
            os.remove(marker)
        evil = osp.join(self.tmp, 'evil.pth')
        torch.save(dict(state_dict={}, meta=_Evil()), evil)
        with self.assertRaisesRegex(pickle.UnpicklingError, TRUST_ENV):
            CheckpointLoader.load_checkpoint(evil)
        self.assertFalse(osp.exists(marker))
