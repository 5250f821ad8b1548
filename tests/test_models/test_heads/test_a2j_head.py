# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from unittest import TestCase

import numpy as np
import torch
from mmengine.structures import InstanceData
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

from a2jt_mmpose.models.utils import AnchorFeatures, AnchorFusion


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
        fused = head.fuse(AnchorFeatures(feats, anchors))
        self.assertIsInstance(fused, AnchorFusion)
        joints, weighted, weights = (fused.joints, fused.weighted_anchors,
                                     fused.weights)
        self.assertEqual(joints.shape, (2, 3, 4, 3))
        self.assertEqual(weighted.shape, (2, 3, 4, 3))
        self.assertEqual(weights.shape, (2, 3, 10, 4))
        torch.testing.assert_close(weights.sum(2), torch.ones(2, 3, 4))
        # recompute layer 1, sample 2, joint 3 by hand
        offsets = head.offset_branches[1](feats[1, 2]).view(10, 4, 3)
        w = head.weight_branches[1](feats[1, 2]).softmax(0)[:, 3]
        expected = (w[:, None] * (anchors + 64. * offsets[:, 3])).sum(0)
        torch.testing.assert_close(joints[1, 2, 3], expected)
        torch.testing.assert_close(weighted[1, 2, 3],
                                   (w[:, None] * anchors).sum(0))

    def test_fusion_stays_float32_under_bfloat16_autocast(self):
        """Under bfloat16 autocast the MLPs run in bfloat16 but the softmax
        and the weighted sums are float32 (bfloat16 would round joints near
        250 px to 1 px steps): the joints equal a float32 fusion of the
        bfloat16 MLP outputs."""
        head = build_head(offset_scale=256., num_layers=1)
        feats = torch.randn(1, 1, 10, 32)
        anchors = 200. + torch.rand(10, 3) * 50.
        with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
            joints, weighted, weights = head.fuse(
                AnchorFeatures(feats, anchors))
            offsets = head.offset_branches[0](feats[0, 0]).view(10, 4, 3)
            logits = head.weight_branches[0](feats[0, 0])
        self.assertEqual(offsets.dtype, torch.bfloat16)
        for t in (joints, weighted, weights):
            self.assertEqual(t.dtype, torch.float32)
        w = logits.float().softmax(0)
        expected = torch.einsum('ak,akd->kd', w,
                                anchors[:, None] + 256. * offsets.float())
        torch.testing.assert_close(joints[0, 0], expected)
        # a bfloat16 sum could not hold these values: steps of 1 px
        self.assertGreater(
            (joints - joints.bfloat16().float()).abs().max().item(), 0.01)

    def test_uniform_weights_ablation(self):
        head = build_head(uniform_weights=True)
        self.assertIsNone(head.weight_branches)
        weights = head.fuse(
            AnchorFeatures(torch.randn(2, 1, 10, 32),
                           torch.rand(10, 3))).weights
        torch.testing.assert_close(weights, torch.full_like(weights, 0.1))

    def test_loss_supervises_every_layer(self):
        head = build_head()
        feats = torch.randn(2, 2, 10, 32, requires_grad=True)
        anchors = torch.rand(10, 3) * 64
        target = torch.rand(2, 4, 3) * 64
        losses = head.loss(AnchorFeatures(feats, anchors),
                           samples(target, torch.ones(2, 4)))
        self.assertEqual(set(losses), {'loss_joint', 'loss_anchor'})
        (losses['loss_joint'] + losses['loss_anchor']).backward()
        for layer in range(2):
            self.assertGreater(feats.grad[layer].abs().sum().item(), 0)
        for name, p in head.named_parameters():
            self.assertIsNotNone(p.grad, name)
        # equal-weight mean over layers of the per-layer losses
        joints = head.fuse(AnchorFeatures(feats.detach(), anchors)).joints
        manual = sum(
            head.loss_joint(j, target, torch.ones(2, 4))
            for j in joints) / 2
        torch.testing.assert_close(losses['loss_joint'], manual)

    def test_predict_decodes_last_layer(self):
        head = build_head()
        feats = torch.randn(2, 2, 10, 32)
        anchors = torch.rand(10, 3) * 64
        preds = head.predict(AnchorFeatures(feats, anchors), samples(
            torch.zeros(2, 4, 3), torch.ones(2, 4)))
        self.assertEqual(len(preds), 2)
        joints = head(AnchorFeatures(feats, anchors))[-1]
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
            head.fuse(
                AnchorFeatures(torch.randn(3, 1, 10, 32), torch.rand(10, 3)))
        with self.assertRaisesRegex(ValueError, 'anchor table'):
            head.fuse(
                AnchorFeatures(torch.randn(2, 1, 10, 32), torch.rand(12, 3)))
        with self.assertRaisesRegex(ValueError, 'num_keypoints'):
            head.loss(
                AnchorFeatures(torch.randn(2, 1, 10, 32), torch.rand(10, 3)),
                      samples(torch.zeros(1, 5, 3), torch.ones(1, 5)))


EXTRA_HEADS = dict(
    hand_type_head=dict(type='A2JHandTypeHead', in_channels=32,
                        hidden_dims=16),
    root_depth_head=dict(type='A2JRootDepthHead', in_channels=32,
                         hidden_dims=16))


def extra_samples(target, weight, hand_type, root_bins, root_valid):
    out = samples(target, weight)
    for d, t, r, v in zip(out, hand_type, root_bins, root_valid):
        d.gt_instance_labels.hand_type_labels = t[None]
        d.gt_instance_labels.hand_type_weights = torch.ones(1)
        d.gt_instance_labels.root_depth_labels = r.reshape(1)
        d.gt_instance_labels.root_depth_weights = v.reshape(1)
    return out


class TestA2JHeadExtensionHeads(TestCase):
    """Optional hand-type and relative-root-depth heads."""

    def test_off_by_default_state_dict_unchanged(self):
        plain = build_head()
        self.assertIsNone(plain.hand_type_head)
        self.assertIsNone(plain.root_depth_head)
        self.assertFalse(any('hand_type' in k or 'root_depth' in k
                             for k in plain.state_dict()))
        ext = build_head(**EXTRA_HEADS)
        extra = set(ext.state_dict()) - set(plain.state_dict())
        self.assertTrue(extra)
        self.assertTrue(all(k.startswith(('hand_type_head.',
                                          'root_depth_head.'))
                            for k in extra))
        self.assertEqual(set(plain.state_dict()) - set(ext.state_dict()),
                         set())
        # a paper-model checkpoint does not fit the extended head
        with self.assertRaisesRegex(ValueError, 'keys missing'):
            ext.load_state_dict(plain.state_dict())
        with self.assertRaisesRegex(ValueError, 'two hands.*K=5'):
            build_head(num_keypoints=5, **EXTRA_HEADS)
        # the codec splits the joints into the hands; a codec that cannot
        # (or none) is refused
        for codec in (None, dict(type='A2JDepthCodec', input_size=(64, 64))):
            with self.assertRaisesRegex(ValueError,
                                        'which joints belong to which hand'):
                build_head(decoder=codec, **EXTRA_HEADS)

    def test_losses_and_gradients(self):
        torch.manual_seed(0)
        head = build_head(**EXTRA_HEADS)
        feats = torch.randn(2, 2, 10, 32, requires_grad=True)
        anchors = torch.rand(10, 3) * 64
        data = extra_samples(
            torch.rand(2, 4, 3) * 64, torch.ones(2, 4),
            torch.tensor([[1., 1.], [1., 0.]]), torch.tensor([30., 0.]),
            torch.tensor([1., 0.]))
        losses = head.loss(AnchorFeatures(feats, anchors), data)
        self.assertEqual(
            set(losses),
            {'loss_joint', 'loss_anchor', 'loss_hand_type',
             'loss_root_depth'})
        # the extra losses equal the sub-heads' losses on the last layer
        extras = head.forward_extras(AnchorFeatures(feats, anchors))
        torch.testing.assert_close(
            losses['loss_hand_type'],
            head.hand_type_head.loss(extras['hand_type_logits'],
                                     torch.tensor([[1., 1.], [1., 0.]]),
                                     torch.ones(2)))
        torch.testing.assert_close(
            losses['loss_root_depth'],
            (extras['root_depth'][0] - 30.).abs() / 2)
        (losses['loss_hand_type'] + losses['loss_root_depth']).backward()
        # they read the last decoder layer only
        self.assertEqual(feats.grad[0].abs().sum().item(), 0)
        self.assertGreater(feats.grad[1].abs().sum().item(), 0)
        for name, p in head.named_parameters():
            if name.startswith(('hand_type_head', 'root_depth_head')):
                self.assertIsNotNone(p.grad, name)

    def test_missing_targets_give_zero_weight(self):
        head = build_head(**EXTRA_HEADS)
        feats = torch.randn(2, 2, 10, 32)
        losses = head.loss(AnchorFeatures(feats, torch.rand(10, 3)),
                           samples(torch.rand(2, 4, 3), torch.ones(2, 4)))
        self.assertEqual(losses['loss_hand_type'].item(), 0.)
        self.assertEqual(losses['loss_root_depth'].item(), 0.)
        sum(losses.values()).backward()
        for name, p in head.hand_type_head.named_parameters():
            self.assertIsNotNone(p.grad, name)

    def test_predict_single_hand(self):
        """The hand-type bias forces 'right only'; the root depth bias
        forces bin 40 = (40 / 64 * 2 - 1) * 200 = +50 mm."""
        head = build_head(**EXTRA_HEADS)
        with torch.no_grad():
            last = head.hand_type_head.mlp.layers[-1]
            last.weight.zero_()
            last.bias.copy_(torch.tensor([10., -10.]))
            last = head.root_depth_head.mlp.layers[-1]
            last.weight.zero_()
            last.bias.zero_()
            last.bias[40] = 100.
        feats = torch.randn(2, 2, 10, 32)
        preds = head.predict(
            AnchorFeatures(feats, torch.rand(10, 3) * 64),
            samples(torch.zeros(2, 4, 3), torch.ones(2, 4)))
        for pred in preds:
            self.assertEqual(pred.hand_type.tolist(), [[1., 0.]])
            np.testing.assert_allclose(pred.hand_type_scores,
                                       [[1., 0.]], atol=1e-4)
            self.assertEqual(pred.keypoint_scores.tolist(),
                             [[1., 1., 0., 0.]])
            np.testing.assert_allclose(pred.rel_root_depth, [50.],
                                       atol=1e-3)
            self.assertTrue(pred.hand_type_predicted.all())
            self.assertTrue(pred.rel_root_depth_predicted.all())
        # both logits low: the more probable hand is reported present
        with torch.no_grad():
            head.hand_type_head.mlp.layers[-1].bias.copy_(
                torch.tensor([-3., -2.]))
        pred = head.predict(AnchorFeatures(feats, torch.rand(10, 3)), samples(
            torch.zeros(2, 4, 3), torch.ones(2, 4)))[0]
        self.assertEqual(pred.hand_type.tolist(), [[0., 1.]])
        self.assertEqual(pred.keypoint_scores.tolist(), [[0., 0., 1., 1.]])

    def test_predict_fallback_without_heads(self):
        pred = build_head().predict(
            AnchorFeatures(torch.randn(2, 1, 10, 32), torch.rand(10, 3)),
            samples(torch.zeros(1, 4, 3), torch.ones(1, 4)))[0]
        self.assertEqual(pred.hand_type.tolist(), [[1., 1.]])
        self.assertNotIn('hand_type_scores', pred)
        self.assertEqual(pred.rel_root_depth.tolist(), [0.])
        self.assertFalse(pred.hand_type_predicted.any())
        self.assertFalse(pred.rel_root_depth_predicted.any())
        self.assertEqual(pred.keypoint_scores.tolist(), [[1.] * 4])
