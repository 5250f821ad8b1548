# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from unittest import TestCase

import torch
from mmengine.structures import InstanceData
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

from a2jt_mmpose.models.utils import AnchorFeatures


def build_head(**kwargs):
    cfg = dict(
        type='DirectRegressionHead',
        num_keypoints=4,
        num_layers=2,
        in_channels=32,
        hidden_dims=32,
        coord_scale=64.,
        coord_offset=(31.5, 31.5, 128.),
        decoder=dict(type='A2JInterHandCodec', input_size=(64, 64)))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def samples(batch, k=4):
    out = []
    for _ in range(batch):
        d = PoseDataSample()
        d.gt_instance_labels = InstanceData(
            keypoint_labels=torch.rand(1, k, 3) * 64,
            keypoint_weights=torch.ones(1, k))
        out.append(d)
    return out


class TestDirectRegressionHead(TestCase):

    def test_mean_pooling(self):
        head = build_head()
        feats = torch.randn(2, 3, 10, 32)
        joints = head(AnchorFeatures(feats, torch.rand(10, 3)))
        self.assertEqual(joints.shape, (2, 3, 4, 3))
        expected = head.reg_branches[1](feats[1, 2].mean(0)).view(4, 3)
        torch.testing.assert_close(
            joints[1, 2], expected * 64. + torch.tensor([31.5, 31.5, 128.]))
        # the anchors do not enter the prediction
        torch.testing.assert_close(joints,
                                   head(AnchorFeatures(
                                       feats, torch.rand(10, 3) * 99)))

    def test_attention_pooling(self):
        head = build_head(pooling='attention')
        feats = torch.randn(2, 3, 10, 32)
        joints = head(AnchorFeatures(feats, torch.rand(10, 3)))
        self.assertEqual(joints.shape, (2, 3, 4, 3))
        w = head.pool_branches[0](feats[0, 1]).softmax(0)  # (A, K)
        pooled = w.t() @ feats[0, 1]  # (K, C)
        torch.testing.assert_close(
            joints[0, 1],
            head.reg_branches[0](pooled) * 64. +
            torch.tensor([31.5, 31.5, 128.]))
        with self.assertRaisesRegex(ValueError, 'pooling'):
            build_head(pooling='max')

    def test_loss_and_gradients(self):
        for pooling in ('mean', 'attention'):
            head = build_head(pooling=pooling)
            feats = torch.randn(2, 3, 10, 32, requires_grad=True)
            data = samples(3)
            losses = head.loss(AnchorFeatures(feats, torch.rand(10, 3)), data)
            self.assertEqual(set(losses), {'loss_joint'})
            # mean over layers of the joint estimation loss of each layer
            joints = head(AnchorFeatures(feats, torch.rand(10, 3)))
            target = torch.cat(
                [d.gt_instance_labels.keypoint_labels for d in data])
            weight = torch.ones(3, 4)
            expected = sum(head.loss_joint(j, target, weight)
                           for j in joints) / 2
            torch.testing.assert_close(losses['loss_joint'], expected)
            losses['loss_joint'].backward()
            for name, p in head.named_parameters():
                self.assertIsNotNone(p.grad, f'{pooling}: {name}')
                self.assertGreater(p.grad.abs().sum().item(), 0, name)
            self.assertGreater(feats.grad[0].abs().sum().item(), 0)

    def test_predict_and_layer_check(self):
        head = build_head()
        preds = head.predict(
            AnchorFeatures(torch.randn(2, 2, 10, 32), None), samples(2))
        self.assertEqual(len(preds), 2)
        self.assertEqual(preds[0].keypoints.shape, (1, 4, 3))
        self.assertEqual(preds[0].hand_type.tolist(), [[1., 1.]])
        with self.assertRaisesRegex(ValueError, 'num_layers=2'):
            head(AnchorFeatures(torch.randn(3, 2, 10, 32), None))
