# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from unittest import TestCase

import torch
from mmpose.registry import MODELS

from a2jt_mmpose.models.utils import AnchorFeatures


def build_neck(**kwargs):
    cfg = dict(
        type='A2JConvNeck',
        in_channels=(16, 32, 64),
        in_indices=(1, 2),
        embed_dims=8,
        feat_channels=16,
        num_convs=2,
        input_size=(64, 64),
        anchor_cfg=dict(num_in_plane=4, stride=16., depths=(1., 2., 3.)))
    cfg.update(kwargs)
    neck = MODELS.build(cfg)
    neck.init_weights()
    return neck


def feats(batch=2):
    # strides 8, 16, 16 of a 64 x 64 input
    return (torch.rand(batch, 16, 8, 8), torch.rand(batch, 32, 4, 4),
            torch.rand(batch, 64, 4, 4))


class TestA2JConvNeck(TestCase):

    def test_shapes_and_anchor_order(self):
        neck = build_neck()
        conv_out = {}
        neck.anchor_conv.register_forward_hook(
            lambda m, i, o: conv_out.__setitem__('map', o))
        out = neck(feats())
        self.assertIsInstance(out, AnchorFeatures)
        anchor_feats, anchors = out.anchor_feats, out.anchors
        self.assertEqual(anchor_feats.shape, (1, 2, 48, 8))
        self.assertEqual(anchors.shape, (48, 3))
        # anchors 7.5 + 16 k sit on the cell centres of the stride-16 map:
        # anchor (iy, ix, id) reads cell (iy, ix), channel block id, exactly
        fmap = conv_out['map']  # (B, 3 * 8, 4, 4)
        for iy, ix, d in ((0, 0, 0), (1, 3, 2), (3, 2, 1)):
            i = (iy * 4 + ix) * 3 + d
            self.assertEqual(anchors[i].tolist(),
                             [7.5 + 16 * ix, 7.5 + 16 * iy, d + 1.])
            torch.testing.assert_close(anchor_feats[0, :, i],
                                       fmap[:, d * 8:(d + 1) * 8, iy, ix])

    def test_gradients_reach_every_parameter(self):
        neck = build_neck()
        neck.train()
        anchor_feats = neck(feats()).anchor_feats
        anchor_feats.square().mean().backward()
        for name, p in neck.named_parameters():
            self.assertIsNotNone(p.grad, name)
            self.assertGreater(p.grad.abs().sum().item(), 0, name)

    def test_other_layouts_and_levels(self):
        # 2 x 2 in-plane anchors spread over the input, 1 depth, all levels
        neck = build_neck(
            in_indices=(0, 1, 2),
            anchor_cfg=dict(num_in_plane=2, stride=None, depths=(5., )))
        out = neck(feats(1))
        self.assertIsInstance(out, AnchorFeatures)
        anchor_feats, anchors = out.anchor_feats, out.anchors
        self.assertEqual(anchor_feats.shape, (1, 1, 4, 8))
        self.assertEqual(anchors[:, 2].tolist(), [5.] * 4)
        with self.assertRaisesRegex(ValueError, 'num_anchors=7'):
            build_neck(num_anchors=7)
        with self.assertRaisesRegex(ValueError, 'in_indices'):
            build_neck(in_indices=(3, ))

    def test_feeds_the_a2j_head(self):
        neck = build_neck()
        head = MODELS.build(
            dict(type='A2JHead', num_keypoints=5, num_layers=1,
                 in_channels=8, hidden_dims=8))
        fused = head.fuse(neck(feats()))
        self.assertEqual(fused.joints.shape, (1, 2, 5, 3))
        torch.testing.assert_close(fused.weights.sum(2), torch.ones(1, 2, 5))
