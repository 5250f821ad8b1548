# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from unittest import TestCase

import numpy as np
import torch
from mmengine.config import Config
from mmengine.structures import InstanceData
from mmpose.registry import MODELS
from mmpose.structures import PoseDataSample

from a2jt_mmpose.models.utils import AnchorFeatures

from conftest import EXTENSION_CONFIG, PAPER_CONFIG, TINY_CONFIG

# the paper model (no hand-type / root-depth extension heads)


def build(config):
    cfg = Config.fromfile(config).model
    cfg.backbone.init_cfg = None
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def packed(batch_size, size, num_keypoints=42):
    inputs = torch.randint(0, 256, (batch_size, 3, size, size)).float()
    samples = []
    for _ in range(batch_size):
        d = PoseDataSample()
        d.gt_instance_labels = InstanceData(
            keypoint_labels=torch.rand(1, num_keypoints, 3) * size,
            keypoint_weights=torch.ones(1, num_keypoints))
        d.gt_instances = InstanceData(
            bboxes=np.array([[0., 0., size, size]], np.float32),
            bbox_scores=np.ones(1, np.float32))
        d.set_metainfo(
            dict(
                input_size=(size, size),
                input_center=torch.tensor([size / 2., size / 2.]).numpy(),
                input_scale=torch.tensor([size * 1., size * 1.]).numpy()))
        samples.append(d)
    return dict(inputs=list(inputs), data_samples=samples)


class TestA2JTransformer(TestCase):

    def test_full_model_size_and_shapes(self):
        model = build(PAPER_CONFIG).eval()
        n_all = sum(p.numel() for p in model.parameters())
        # issue: 42.1 M +- 1% (official 42.66 M trainable incl. 0.79 M dead)
        self.assertLess(abs(n_all - 42.1e6) / 42.1e6, 0.01, n_all)
        n_trainable = sum(
            p.numel() for p in model.parameters() if p.requires_grad)
        self.assertEqual(n_trainable, 42662652 - 792588 - 2304)
        x = torch.rand(1, 3, 256, 256)
        with torch.no_grad():
            feats = model.backbone(x)
            self.assertEqual([tuple(f.shape) for f in feats],
                             [(1, 512, 32, 32), (1, 1024, 16, 16),
                              (1, 2048, 16, 16)])
            out = model.neck(feats)
            self.assertIsInstance(out, AnchorFeatures)
            self.assertEqual(out.anchor_feats.shape, (6, 1, 768, 256))
            self.assertEqual(out.anchors.shape, (768, 3))
            self.assertEqual(model.head(out).shape, (6, 1, 42, 3))
        # the extension heads of the InterHand config: 2 x (256 -> 256) +
        # (256 -> 2) + (256 -> 64) Linear layers
        extended = build(EXTENSION_CONFIG)
        n_extra = sum(p.numel() for p in extended.parameters()) - n_all
        self.assertEqual(n_extra, 2 * 256 * 257 + 257 * 2 + 257 * 64)

    def test_gradients_reach_every_trainable_part(self):
        torch.manual_seed(0)
        model = build(TINY_CONFIG)
        data = model.data_preprocessor(packed(2, 128), training=True)
        # At initialisation some gradients are exactly zero by design (zero
        # sampling-offset weights of the deformable attention, zero-init last
        # BN of residual blocks); after one update every part must learn.
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
        sum(model(**data, mode='loss').values()).backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses = model(**data, mode='loss')
        sum(losses.values()).backward()
        no_grad = [
            n for n, p in model.named_parameters()
            if p.requires_grad and (p.grad is None or not p.grad.abs().sum())
        ]
        self.maxDiff = None
        self.assertEqual(no_grad, [])
        self.assertTrue(all(torch.isfinite(v) for v in losses.values()))

    def test_predict_mode(self):
        model = build(TINY_CONFIG).eval()
        data = model.data_preprocessor(packed(2, 128), training=False)
        with torch.no_grad():
            results = model(**data, mode='predict')
        self.assertEqual(len(results), 2)
        pred = results[0].pred_instances
        self.assertEqual(pred.keypoints.shape, (1, 42, 3))
        self.assertEqual(pred.keypoint_scores.shape, (1, 42))

    def test_checkpoint_of_another_architecture_is_refused(self):
        model = build(TINY_CONFIG)
        other = MODELS.build(
            dict(
                type='TopdownPoseEstimator',
                backbone=dict(type='ResNet', depth=18),
                head=dict(
                    type='RegressionHead',
                    in_channels=512,
                    num_joints=42,
                    loss=dict(type='SmoothL1Loss'))))
        with self.assertRaisesRegex(ValueError,
                                    'does not fit model.neck.*missing'):
            model.load_state_dict(other.state_dict(), strict=False)
        # its own checkpoint loads
        model.load_state_dict(build(TINY_CONFIG).state_dict())


class TestNoUninitialisedParameters(TestCase):
    """mmpose's inferencers (and ``init_model`` without a checkpoint) build
    the model without ``init_weights()``: no parameter or buffer may then
    hold uninitialised memory. ``torch.empty`` is made to return NaN while
    the models are built, so any tensor that only ``init_weights()`` would
    fill shows up as non-finite."""

    def test_every_parameter_is_defined_at_construction(self):
        import glob
        import os.path as osp
        from unittest import mock

        real_empty = torch.empty

        def nan_empty(*args, **kwargs):
            t = real_empty(*args, **kwargs)
            return t.fill_(float('nan')) if t.is_floating_point() else t

        cfg_dir = osp.dirname(osp.dirname(PAPER_CONFIG))
        ablations = glob.glob(
            osp.join(osp.dirname(PAPER_CONFIG), 'ablations', '*.py'))
        configs = [PAPER_CONFIG, EXTENSION_CONFIG, TINY_CONFIG] + sorted(
            c for c in ablations
            if any(k in c for k in ('no-transformer', 'plain-attention',
                                    'direct-regression'))) + sorted(
            glob.glob(osp.join(cfg_dir, 'nyu', '*tiny*.py')))
        self.assertEqual(len(configs), 7)
        for config in configs:
            cfg = Config.fromfile(config).model
            cfg.backbone.init_cfg = None
            with mock.patch('torch.empty', nan_empty):
                model = MODELS.build(cfg)
            bad = [
                name for name, t in [*model.named_parameters(),
                                     *model.named_buffers()]
                if t.is_floating_point() and not torch.isfinite(t).all()
            ]
            self.assertEqual(bad, [], config)
