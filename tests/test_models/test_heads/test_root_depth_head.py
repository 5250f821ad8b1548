# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from unittest import TestCase

import torch
from mmpose.registry import MODELS


def build(**kwargs):
    cfg = dict(type='A2JRootDepthHead', in_channels=16, hidden_dims=8)
    cfg.update(kwargs)
    return MODELS.build(cfg)


class TestA2JRootDepthHead(TestCase):

    def test_shapes_range_and_gradients(self):
        head = build()
        feats = torch.randn(4, 10, 16, requires_grad=True)
        depth = head(feats)
        self.assertEqual(depth.shape, (4, ))
        self.assertTrue(((depth >= 0) & (depth <= 63)).all())
        loss = head.loss(depth, torch.full((4, ), 20.), torch.ones(4))
        loss.backward()
        self.assertGreater(feats.grad.abs().sum().item(), 0)
        for name, p in head.named_parameters():
            self.assertIsNotNone(p.grad, name)

    def test_soft_argmax(self):
        head = build(num_bins=8)
        last = head.mlp.layers[-1]
        with torch.no_grad():
            last.weight.zero_()
            last.bias.zero_()
        # uniform heatmap -> the middle of 0 .. 7
        self.assertAlmostEqual(head(torch.randn(1, 5, 16)).item(), 3.5, 5)
        with torch.no_grad():
            last.bias[6] = 50.
        self.assertAlmostEqual(head(torch.randn(1, 5, 16)).item(), 6., 4)

    def test_loss_is_internet_l1(self):
        """|pred - target| x valid, mean over the batch:
        (|10 - 12| + |40 - 30| + 0) / 3 = 4."""
        head = build()
        loss = head.loss(
            torch.tensor([10., 40., 33.]), torch.tensor([12., 30., 0.]),
            torch.tensor([1., 1., 0.]))
        self.assertAlmostEqual(loss.item(), 4., places=6)
