# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Crafted checkpoints, as an attacker would write them, are refused before
any of their code runs; every payload sits inside an otherwise valid
mmengine checkpoint (real weights, numpy meta, HistoryBuffer)."""
import os
import os.path as osp
import pickle
import shutil
import tempfile
import zipfile
from unittest import TestCase

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader, load_checkpoint

from a2jt_mmpose.engine.checkpoint_loading import TRUST_ENV
from a2jt_mmpose.utils import UnsafePickleError


def _global(module, name):
    return b'c' + module.encode() + b'\n' + name.encode() + b'\n'


def _str(s):
    data = s.encode()
    return b'X' + len(data).to_bytes(4, 'little') + data


def payload_reduce(marker):
    """os.system('touch marker'): the classic __reduce__ payload."""
    return _global('posix', 'system') + _str(f'touch {marker}') + b'\x85R'


def payload_getattr_chain(marker):
    """getattr(getattr(getattr, '__self__'), 'exec')(code): builtins.getattr
    reaches the builtins module, and from it exec."""
    return (_global('__builtin__', 'getattr') + b'q\x00'  # g
            + b'h\x00' + b'h\x00' + _str('__self__') + b'\x86R'  # builtins
            + _str('exec') + b'\x86R'  # g(builtins, 'exec') -> exec
            + _str(f"open({marker!r}, 'w').close()") + b'\x85R')


def payload_rebuild_from_type(marker):
    """torch._tensor._rebuild_from_type_v2(func, type, args, state) calls
    func(*args): here func = os.system."""
    return (_global('torch._tensor', '_rebuild_from_type_v2') + b'('
            + _global('posix', 'system') + _global('torch', 'Tensor')
            + _str(f'touch {marker}') + b'\x85' + b'}' + b'tR')


def payload_foreign_global(marker):
    """subprocess.check_call(['touch', marker]): a global of a module no
    checkpoint needs."""
    return (_global('subprocess', 'check_call') + b']' + b'('
            + _str('touch') + _str(marker) + b'e' + b'\x85R')


PAYLOADS = dict(
    reduce=(payload_reduce, 'posix.system'),
    getattr_chain=(payload_getattr_chain, 'builtins.getattr'),
    rebuild_from_type=(payload_rebuild_from_type,
                       'torch._tensor._rebuild_from_type_v2'),
    foreign_global=(payload_foreign_global, 'subprocess.check_call'),
)


def mmengine_checkpoint(path):
    """What mmengine's CheckpointHook writes (real weights, numpy meta,
    HistoryBuffer)."""
    torch.save(
        dict(
            meta=dict(epoch=1, seed=np.int64(3),
                      dataset_meta=dict(sigmas=np.array([0.1, 0.2]))),
            state_dict=torch.nn.Linear(3, 2).state_dict(),
            message_hub=dict(log_scalars=dict(
                loss=HistoryBuffer([1., 2.], [1, 1])))), path)


def inject(src, dst, payload):
    """Copy the torch zip ``src`` to ``dst`` with ``payload`` run (and its
    result popped) before the checkpoint's own pickle: the file still loads
    as the same checkpoint under a loader that runs it."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(
            dst, 'w', zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith('data.pkl'):
                assert data[:2] == b'\x80\x02'
                data = b'\x80\x02' + payload + b'0' + data[2:]
            zout.writestr(info, data)


class TestMaliciousCheckpoints(TestCase):

    def setUp(self):
        os.environ.pop(TRUST_ENV, None)
        self.tmp = tempfile.mkdtemp()
        self.clean = osp.join(self.tmp, 'epoch_1.pth')
        mmengine_checkpoint(self.clean)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_payloads_would_run_under_a_plain_loader(self):
        # the crafted payloads are real attacks: a plain unpickler runs them
        for name, (make, _) in PAYLOADS.items():
            marker = osp.join(self.tmp, f'plain_{name}')
            try:
                pickle.loads(b'\x80\x02' + make(marker) + b'.')
            except Exception:
                pass  # _rebuild_from_type_v2 fails after running func
            self.assertTrue(osp.exists(marker), name)

    def test_every_payload_is_refused_with_no_side_effect(self):
        model = torch.nn.Linear(3, 2)
        for name, (make, culprit) in PAYLOADS.items():
            marker = osp.join(self.tmp, f'ran_{name}')
            evil = osp.join(self.tmp, f'{name}.pth')
            inject(self.clean, evil, make(marker))
            for load in (lambda: CheckpointLoader.load_checkpoint(evil),
                         lambda: load_checkpoint(model, evil)):
                with self.assertRaises(UnsafePickleError) as cm:
                    load()
                msg = str(cm.exception)
                self.assertIn(evil, msg)
                self.assertIn(f'"{culprit}"', msg)
                self.assertIn(TRUST_ENV, msg)
                self.assertFalse(osp.exists(marker), name)

    def test_inferencer_refuses_the_getattr_chain(self):
        from mmpose.apis import init_model

        from conftest import TINY_CONFIG
        marker = osp.join(self.tmp, 'ran_init_model')
        model = init_model(TINY_CONFIG, device='cpu')
        real = osp.join(self.tmp, 'tiny.pth')
        torch.save(dict(state_dict=model.state_dict(),
                        meta=dict(seed=np.int64(0))), real)
        init_model(TINY_CONFIG, real, device='cpu')  # the clean file loads
        evil = osp.join(self.tmp, 'tiny_evil.pth')
        inject(real, evil, payload_getattr_chain(marker))
        with self.assertRaisesRegex(UnsafePickleError, 'builtins.getattr'):
            init_model(TINY_CONFIG, evil, device='cpu')
        self.assertFalse(osp.exists(marker))

    def test_getattr_is_only_history_buffer_statistics(self):
        from a2jt_mmpose.engine.checkpoint_loading import \
            _history_buffer_getattr
        self.assertIs(_history_buffer_getattr(HistoryBuffer, 'mean'),
                      HistoryBuffer.mean)
        for obj, name in ((HistoryBuffer, '__init__'), (getattr, '__self__'),
                          (os, 'system'), (HistoryBuffer, 1)):
            with self.assertRaises(UnsafePickleError):
                _history_buffer_getattr(obj, name)

    def test_clean_checkpoint_and_what_is_no_checkpoint(self):
        ckpt = CheckpointLoader.load_checkpoint(self.clean)
        self.assertEqual(ckpt['meta']['seed'], 3)
        self.assertEqual(ckpt['message_hub']['log_scalars']['loss'].mean(),
                         1.5)
        noise = osp.join(self.tmp, 'noise.pth')
        with open(noise, 'wb') as f:
            f.write(np.random.default_rng(0).bytes(4096))
        with self.assertRaisesRegex(
                RuntimeError, r'noise\.pth" \(4096 bytes\) is not a complete '
                r'PyTorch checkpoint'):
            CheckpointLoader.load_checkpoint(noise)
        # a plain pickle (torch's pre-1.6 format) is no zip archive either
        legacy = osp.join(self.tmp, 'legacy.pth')
        with open(legacy, 'wb') as f:
            pickle.dump({'state_dict': {}}, f)
        with self.assertRaisesRegex(RuntimeError, 'no zip archive'):
            CheckpointLoader.load_checkpoint(legacy)
