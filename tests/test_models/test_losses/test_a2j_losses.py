# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from unittest import TestCase

import torch

from a2jt_mmpose.models.losses import (AnchorSurroundingLoss,
                                       JointEstimationLoss)


def smooth_l1(d, tau):
    d = abs(d)
    return d * d / (2 * tau) if d <= tau else d - tau / 2


class TestA2JLosses(TestCase):

    def test_joint_estimation_hand_computed(self):
        loss = JointEstimationLoss(loss_weight=1.)
        pred = torch.zeros(1, 2, 3)
        target = torch.tensor([[[0.5, 2., 6.], [1., -3., 1.]]])
        weight = torch.ones(1, 2)
        # x, y: 0.5 * smoothL1(tau 1); z: smoothL1(tau 3)
        expected = (0.5 * (smooth_l1(0.5, 1) + smooth_l1(2, 1)) +
                    smooth_l1(6, 3) + 0.5 *
                    (smooth_l1(1, 1) + smooth_l1(3, 1)) + smooth_l1(1, 3)) / 6
        self.assertAlmostEqual(
            loss(pred, target, weight).item(), expected, places=5)
        # lambda1 = 3 by default
        self.assertAlmostEqual(
            JointEstimationLoss()(pred, target, weight).item(),
            3 * expected,
            places=5)

    def test_anchor_surrounding_hand_computed(self):
        pred = torch.zeros(1, 1, 3)
        target = torch.tensor([[[0.5, -2., 2.]]])
        weight = torch.ones(1, 1)
        official = (smooth_l1(0.5, 1) + smooth_l1(2, 1) + smooth_l1(2, 1)) / 3
        self.assertAlmostEqual(
            AnchorSurroundingLoss()(pred, target, weight).item(),
            official,
            places=5)
        paper = (smooth_l1(0.5, 1) + smooth_l1(2, 1) + smooth_l1(2, 3)) / 3
        self.assertAlmostEqual(
            AnchorSurroundingLoss(depth_tau=3.)(pred, target, weight).item(),
            paper,
            places=5)

    def test_validity_mask_and_normalisation(self):
        loss = AnchorSurroundingLoss()
        pred = torch.zeros(2, 3, 3)
        target = torch.full((2, 3, 3), 4.)
        target[0, 2] = float('nan')  # invalid joint: ignored even if NaN
        weight = torch.tensor([[1., 1., 0.], [0., 0., 0.]])
        # sample 0: 2 valid joints, each 3 * (4 - 0.5) -> / (3 * 2)
        # sample 1: no valid joint -> 0 (divided by 3, not by 0)
        value = loss(pred, target, weight)
        self.assertTrue(torch.isfinite(value))
        self.assertAlmostEqual(value.item(), (3.5 + 0.) / 2, places=5)

    def test_all_invalid_batch_gives_zero_and_finite_grad(self):
        pred = torch.randn(2, 4, 3, requires_grad=True)
        loss = JointEstimationLoss()(pred, torch.randn(2, 4, 3),
                                     torch.zeros(2, 4))
        loss.backward()
        self.assertEqual(loss.item(), 0.)
        self.assertTrue(torch.isfinite(pred.grad).all())

    def test_bad_tau(self):
        with self.assertRaisesRegex(ValueError, 'depth_tau'):
            JointEstimationLoss(depth_tau=0.)
