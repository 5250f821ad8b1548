# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import copy
from unittest import TestCase

import torch
from mmengine.config import Config
from mmpose.registry import MODELS

from conftest import FULL_CONFIG, TINY_CONFIG


def tiny_neck_cfg():
    return copy.deepcopy(Config.fromfile(TINY_CONFIG).model.neck)


class TestAnchorRefinementNeck(TestCase):

    def test_shapes(self):
        neck = MODELS.build(tiny_neck_cfg())
        neck.init_weights()
        feats = (torch.rand(2, 128, 16, 16), torch.rand(2, 256, 8, 8),
                 torch.rand(2, 512, 8, 8))
        anchor_feats, anchors = neck(feats)
        self.assertEqual(anchor_feats.shape, (3, 2, 192, 128))
        self.assertEqual(anchors.shape, (192, 3))
        # 4 levels: 16^2 + 8^2 + 8^2 + 4^2 tokens
        memory, shapes, start, _ = neck.enhance_features(feats)
        self.assertEqual(memory.shape, (2, 400, 128))
        self.assertEqual(shapes.tolist(), [[16, 16], [8, 8], [8, 8], [4, 4]])
        self.assertEqual(start.tolist(), [0, 256, 320, 384])

    def test_full_neck_parameters(self):
        cfg = Config.fromfile(FULL_CONFIG).model.neck
        neck = MODELS.build(cfg)
        n = sum(p.numel() for p in neck.parameters())
        # official: input proj 5,639,168 + transformer 11,753,996 - dead box
        # MLPs 792,588 + tgt_embed 196,608 (anchors are a buffer here)
        self.assertEqual(n, 5639168 + 11753996 - 792588 + 196608)
        self.assertEqual(neck.anchors.shape, (768, 3))

    def test_anchor_settings_are_checked(self):
        cfg = tiny_neck_cfg()
        cfg.num_anchors = 768
        with self.assertRaisesRegex(ValueError, 'num_anchors=768.*192'):
            MODELS.build(cfg)
        cfg = tiny_neck_cfg()
        cfg.encoder.layer_cfg.self_attn_cfg.num_levels = 3
        with self.assertRaisesRegex(ValueError, 'num_levels=3'):
            MODELS.build(cfg)
        cfg = tiny_neck_cfg()
        cfg.anchor_cfg.num_in_plane = 0
        with self.assertRaisesRegex(ValueError, 'num_in_plane'):
            MODELS.build(cfg)

    def test_initial_content_from_memory(self):
        cfg = tiny_neck_cfg()
        cfg.initial_content = 'memory'
        neck = MODELS.build(cfg)
        neck.init_weights()
        self.assertIsNone(neck.content_embed)
        feats = (torch.rand(2, 128, 16, 16), torch.rand(2, 256, 8, 8),
                 torch.rand(2, 512, 8, 8))
        memory, shapes, _, _ = neck.enhance_features(feats)
        ref_xy = neck.anchors[:, :2] / 128.
        content = neck._sample_first_level(memory, shapes, ref_xy)
        self.assertEqual(content.shape, (2, 192, 128))
        # anchor 0 at (7.5, 7.5) px reads level 0 (stride 8) at cell
        # coordinate 7.5 / 8 - 0.5 = 0.4375: bilinear between cells 0 and 1
        level0 = memory[:, :256].reshape(2, 16, 16, 128)
        w1 = 0.4375
        expected = sum(wy * wx * level0[:, y, x]
                       for y, wy in ((0, 1 - w1), (1, w1))
                       for x, wx in ((0, 1 - w1), (1, w1)))
        torch.testing.assert_close(content[:, 0], expected)
        anchor_feats, _ = neck(feats)
        self.assertEqual(anchor_feats.shape, (3, 2, 192, 128))
        cfg.initial_content = 'encoder'
        with self.assertRaisesRegex(ValueError, 'initial_content'):
            MODELS.build(cfg)

    def test_trainable_anchors_option(self):
        cfg = tiny_neck_cfg()
        self.assertNotIn('anchors',
                         dict(MODELS.build(cfg).named_parameters()))
        cfg.trainable_anchors = True
        self.assertIn('anchors', dict(MODELS.build(cfg).named_parameters()))

    def test_checkpoint_with_other_anchor_setting_is_refused(self):
        neck = MODELS.build(tiny_neck_cfg())
        cfg = tiny_neck_cfg()
        cfg.anchor_cfg.num_in_plane = 4
        other = MODELS.build(cfg)
        with self.assertRaisesRegex(ValueError, r'anchors.*\(48, 3\)'):
            neck.load_state_dict(other.state_dict(), strict=False)
        # the same setting loads
        neck.load_state_dict(MODELS.build(tiny_neck_cfg()).state_dict())
