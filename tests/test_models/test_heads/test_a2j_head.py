# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from unittest import TestCase

import numpy as np
import torch
from mmengine.structures import InstanceData
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample


def build_head(**kwargs):
    cfg = dict(
        type='A2JHead',
        num_keypoints=4,
        num_layers=2,
        in_channels=32,
        hidden_dims=32,
        offset_scale=64.,
        decoder=dict(type='A2JInterHandCodec', input_size=(64, 64)))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def samples(target, weight):
    out = []
    for t, w in zip(target, weight):
        d = PoseDataSample()
        d.gt_instance_labels = InstanceData(
            keypoint_labels=t[None], keypoint_weights=w[None])
        out.append(d)
    return out


class TestA2JHead(TestCase):

    def test_fusion_is_softmax_weighted_sum(self):
        head = build_head()
        feats = torch.randn(2, 3, 10, 32)
        anchors = torch.rand(10, 3) * 64
        joints, weighted, weights = head.fuse((feats, anchors))
        self.assertEqual(joints.shape, (2, 3, 4, 3))
        self.assertEqual(weights.shape, (2, 3, 10, 4))
        torch.testing.assert_close(weights.sum(2), torch.ones(2, 3, 4))
        # recompute layer 1, sample 2, joint 3 by hand
        offsets = head.offset_branches[1](feats[1, 2]).view(10, 4, 3)
        w = head.weight_branches[1](feats[1, 2]).softmax(0)[:, 3]
        expected = (w[:, None] * (anchors + 64. * offsets[:, 3])).sum(0)
        torch.testing.assert_close(joints[1, 2, 3], expected)
        torch.testing.assert_close(weighted[1, 2, 3],
                                   (w[:, None] * anchors).sum(0))

    def test_uniform_weights_ablation(self):
        head = build_head(uniform_weights=True)
        self.assertIsNone(head.weight_branches)
        _, weighted, weights = head.fuse(
            (torch.randn(2, 1, 10, 32), torch.rand(10, 3)))
        torch.testing.assert_close(weights, torch.full_like(weights, 0.1))

    def test_loss_supervises_every_layer(self):
        head = build_head()
        feats = torch.randn(2, 2, 10, 32, requires_grad=True)
        anchors = torch.rand(10, 3) * 64
        target = torch.rand(2, 4, 3) * 64
        losses = head.loss((feats, anchors),
                           samples(target, torch.ones(2, 4)))
        self.assertEqual(set(losses), {'loss_joint', 'loss_anchor'})
        (losses['loss_joint'] + losses['loss_anchor']).backward()
        for layer in range(2):
            self.assertGreater(feats.grad[layer].abs().sum().item(), 0)
        for name, p in head.named_parameters():
            self.assertIsNotNone(p.grad, name)
        # equal-weight mean over layers of the per-layer losses
        joints, weighted, _ = head.fuse((feats.detach(), anchors))
        manual = sum(
            head.loss_joint(j, target, torch.ones(2, 4))
            for j in joints) / 2
        torch.testing.assert_close(losses['loss_joint'], manual)

    def test_predict_decodes_last_layer(self):
        head = build_head()
        feats = torch.randn(2, 2, 10, 32)
        anchors = torch.rand(10, 3) * 64
        preds = head.predict((feats, anchors), samples(
            torch.zeros(2, 4, 3), torch.ones(2, 4)))
        self.assertEqual(len(preds), 2)
        joints = head((feats, anchors))[-1]
        self.assertEqual(preds[0].keypoints.shape, (1, 4, 3))
        np.testing.assert_allclose(preds[1].keypoints[0, :, :2],
                                   joints[1, :, :2].detach().numpy(),
                                   rtol=1e-5)
        np.testing.assert_allclose(
            preds[1].keypoints[0, :, 2],
            ((joints[1, :, 2] / 256 * 2 - 1) * 200).detach().numpy(),
            rtol=1e-4, atol=1e-3)
        self.assertEqual(preds[0].hand_type.tolist(), [[1., 1.]])
        self.assertEqual(preds[0].rel_root_depth.tolist(), [0.])

    def test_mismatches_are_reported(self):
        head = build_head()
        with self.assertRaisesRegex(ValueError, 'num_layers=2'):
            head.fuse((torch.randn(3, 1, 10, 32), torch.rand(10, 3)))
        with self.assertRaisesRegex(ValueError, 'anchor table'):
            head.fuse((torch.randn(2, 1, 10, 32), torch.rand(12, 3)))
        with self.assertRaisesRegex(ValueError, 'num_keypoints'):
            head.loss((torch.randn(2, 1, 10, 32), torch.rand(10, 3)),
                      samples(torch.zeros(1, 5, 3), torch.ones(1, 5)))
