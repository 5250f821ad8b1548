# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import math
from unittest import TestCase

import torch
from mmpose.registry import MODELS


def build(**kwargs):
    cfg = dict(type='A2JHandTypeHead', in_channels=16, hidden_dims=8)
    cfg.update(kwargs)
    return MODELS.build(cfg)


class TestA2JHandTypeHead(TestCase):

    def test_shapes_and_gradients(self):
        head = build()
        feats = torch.randn(3, 10, 16, requires_grad=True)
        logits = head(feats)
        self.assertEqual(logits.shape, (3, 2))
        # the mean over anchors: a permutation of the anchors changes nothing
        torch.testing.assert_close(head(feats[:, torch.randperm(10)]),
                                   logits)
        loss = head.loss(logits, torch.tensor([[1., 0.], [0., 1.], [1., 1.]]),
                         torch.ones(3))
        loss.backward()
        self.assertGreater(feats.grad.abs().sum().item(), 0)
        for name, p in head.named_parameters():
            self.assertIsNotNone(p.grad, name)
        with self.assertRaisesRegex(ValueError, r'\(B, A, 16\)'):
            head(torch.randn(3, 10, 8))

    def test_loss_is_internet_bce(self):
        """InterNet: BCE per entry, mean over the 2 entries, x valid, mean
        over the batch (invalid samples count in the denominator).

        sample 1: p = (0.5, 0.5), GT (1, 0) -> (ln 2 + ln 2) / 2 = ln 2
        sample 2: p = (0.75, 0.25), GT (1, 1) -> (-ln .75 - ln .25) / 2
        sample 3: anything, invalid -> 0
        """
        head = build()
        logits = torch.tensor([[0., 0.], [math.log(3), -math.log(3)],
                               [5., -5.]])
        target = torch.tensor([[1., 0.], [1., 1.], [0., 1.]])
        s1 = math.log(2)
        s2 = (-math.log(.75) - math.log(.25)) / 2
        loss = head.loss(logits, target, torch.tensor([1., 1., 0.]))
        self.assertAlmostEqual(loss.item(), (s1 + s2) / 3, places=6)
        loss = head.loss(logits, target, torch.tensor([1., 0., 0.]))
        self.assertAlmostEqual(loss.item(), s1 / 3, places=6)
