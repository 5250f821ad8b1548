# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from unittest import TestCase

import torch
import torch.nn as nn
from mmengine.optim import build_optim_wrapper

import a2jt_mmpose  # noqa: F401
from a2jt_mmpose.engine import CPUAmpOptimWrapper


class TestCPUAmpOptimWrapper(TestCase):

    def _build(self, **kwargs):
        model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
        cfg = dict(
            type='CPUAmpOptimWrapper',
            optimizer=dict(type='Adam', lr=1e-2),
            **kwargs)
        return model, build_optim_wrapper(model, cfg)

    def test_autocast_inside_the_context_only(self):
        model, wrapper = self._build()
        self.assertIsInstance(wrapper, CPUAmpOptimWrapper)
        x = torch.randn(4, 8)
        with wrapper.optim_context(model):
            self.assertEqual(model(x).dtype, torch.bfloat16)
        self.assertEqual(model(x).dtype, torch.float32)

    def test_training_keeps_float32_state_and_learns(self):
        torch.manual_seed(0)
        model, wrapper = self._build()
        x = torch.randn(64, 8)
        y = x[:, :1] * 2 - x[:, 1:2]
        losses = []
        for _ in range(150):
            with wrapper.optim_context(model):
                loss = nn.functional.mse_loss(model(x).float(), y)
            wrapper.update_params(loss)
            losses.append(float(loss.detach()))
        self.assertLess(losses[-1], 0.2 * losses[0])
        for p in model.parameters():
            self.assertEqual(p.dtype, torch.float32)
        state = wrapper.optimizer.state[next(model.parameters())]
        self.assertEqual(state['exp_avg'].dtype, torch.float32)

    def test_bad_dtype_and_device(self):
        for dtype in ('int8', 'float16'):
            with self.assertRaisesRegex(ValueError, 'optim_wrapper.dtype'):
                self._build(dtype=dtype)
        model, wrapper = self._build(dtype=torch.bfloat16)
        self.assertEqual(wrapper.cast_dtype, torch.bfloat16)
        model.to('meta')
        with self.assertRaisesRegex(RuntimeError, 'AmpOptimWrapper'):
            with wrapper.optim_context(model):
                pass
