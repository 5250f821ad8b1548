# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from unittest import TestCase

import torch
from mmengine.config import Config
from mmpose.registry import MODELS

from a2jt_mmpose.models.utils import AnchorFeatures

from conftest import PAPER_CONFIG, TINY_CONFIG, tiny_neck_cfg


class TestAnchorRefinementNeck(TestCase):

    def test_shapes(self):
        neck = MODELS.build(tiny_neck_cfg())
        neck.init_weights()
        feats = (torch.rand(2, 128, 16, 16), torch.rand(2, 256, 8, 8),
                 torch.rand(2, 512, 8, 8))
        out = neck(feats)
        self.assertIsInstance(out, AnchorFeatures)
        anchor_feats, anchors = out.anchor_feats, out.anchors
        self.assertEqual(anchor_feats.shape, (3, 2, 192, 128))
        self.assertEqual(anchors.shape, (192, 3))
        # 4 levels: 16^2 + 8^2 + 8^2 + 4^2 tokens
        memory, shapes, start, _ = neck.enhance_features(feats)
        self.assertEqual(memory.shape, (2, 400, 128))
        self.assertEqual(shapes.tolist(), [[16, 16], [8, 8], [8, 8], [4, 4]])
        self.assertEqual(start.tolist(), [0, 256, 320, 384])

    def test_full_neck_parameters(self):
        cfg = Config.fromfile(PAPER_CONFIG).model.neck
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
        anchor_feats = neck(feats).anchor_feats
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

    def test_anchor_settings_name_the_config_key(self):
        for change, pattern in (
                (dict(stride=0.), 'stride must be > 0'),
                (dict(stride=-8.), 'stride must be > 0'),
                (dict(depths=(63.5, float('nan')), num_depths=None),
                 'depths must be finite'),
                (dict(depths=(63.5, )), 'give depths or num_depths, not both'),
                (dict(num_depths=0), 'num_depths must be an integer >= 1'),
                (dict(stride=64.), 'outside the 128 x 128 input')):
            cfg = tiny_neck_cfg()
            cfg.anchor_cfg.update(change)
            with self.assertRaisesRegex(
                    ValueError, r'model\.neck\.anchor_cfg=.*' + pattern):
                MODELS.build(cfg)

    def test_official_xavier_init_of_the_anchor_mlps(self):
        neck = MODELS.build(tiny_neck_cfg())
        neck.init_weights()
        for mlp in (neck.anchor_pos_head, neck.query_scale):
            for layer in mlp.layers:
                fan_out, fan_in = layer.weight.shape
                bound = (6. / (fan_in + fan_out))**0.5
                w = layer.weight.detach()
                self.assertLessEqual(w.abs().max().item(), bound)
                # uniform(-b, b) has std b / sqrt(3); PyTorch's default
                # Linear init would give 0.53-0.58 of that
                self.assertAlmostEqual(
                    w.std().item() / (bound / 3**0.5), 1., delta=0.05)

    def test_trainable_anchors_learn_from_the_first_layer_only(self):
        # official: layers 2.. use a detached copy of the table for their
        # query positional embedding, sampling points and fusion; gradient
        # reaches the table only through layer 1's use of it (also via
        # layer 1's output, the content of the later layers)
        model_cfg = Config.fromfile(TINY_CONFIG).model
        model_cfg.neck.trainable_anchors = True
        neck = MODELS.build(model_cfg.neck)
        head = MODELS.build(model_cfg.head)
        neck.init_weights()
        torch.manual_seed(0)
        feats = (torch.rand(1, 128, 16, 16), torch.rand(1, 256, 8, 8),
                 torch.rand(1, 512, 8, 8))
        joints = head(neck(feats))  # (L, B, K, 3)
        grad, = torch.autograd.grad(joints.sum(), neck.anchors)

        def reference(detach_later):
            """The decoder and the A2J fusion written out, with the table
            used by layers 2.. given as a separate tensor."""
            table = neck.anchors
            later = table.detach().clone() if detach_later else table
            memory, shapes, start, ratios = neck.enhance_features(feats)
            query = neck.initial_queries(memory, shapes)
            out = []
            for i, layer in enumerate(neck.decoder_layers):
                anchors = table if i == 0 else later
                pos, points = neck.anchor_positions(anchors, 1)
                if i > 0:
                    pos = pos * neck.query_scale(query)
                query = neck.decode_layer(layer, query, pos, points, memory,
                                          shapes, start, ratios)
                w = head.weight_branches[i](query).softmax(1)  # (B, A, K)
                offsets = head.offset_branches[i](query).view(
                    1, len(table), head.num_keypoints, 3)
                out.append((w[..., None] * (anchors[None, :, None] +
                                            head.offset_scale * offsets)
                            ).sum(1))
            return torch.autograd.grad(torch.stack(out).sum(), table)[0]

        official = reference(detach_later=True)
        torch.testing.assert_close(grad, official, rtol=1e-4, atol=1e-6)
        # without the detach, the gradient is another one (several times
        # larger): the test can tell the two apart
        everywhere = reference(detach_later=False)
        self.assertGreater(
            (everywhere - official).abs().max().item(),
            100 * (grad - official).abs().max().item() + 1e-6)
        # the values are the same either way: a fixed table gives the
        # same joints
        fixed = MODELS.build(tiny_neck_cfg())
        fixed.load_state_dict(neck.state_dict())
        torch.testing.assert_close(head(fixed(feats)), joints.detach())

    def test_checkpoint_with_another_anchor_table(self):
        source = MODELS.build(tiny_neck_cfg())
        state = source.state_dict()
        state['anchors'] = state['anchors'] + 0.01
        neck = MODELS.build(tiny_neck_cfg())
        with self.assertRaisesRegex(
                ValueError, r'anchor table "anchors" differs from '
                r'model\.neck\.anchor_cfg by up to 0\.01.*'
                r'checkpoint_anchors="load"'):
            neck.load_state_dict(state)
        # within the tolerance: the same table
        close = source.state_dict()
        close['anchors'] = close['anchors'] + 5e-4
        neck.load_state_dict(close)
        # explicit choice: the checkpoint's table, with a warning
        cfg = tiny_neck_cfg()
        cfg.checkpoint_anchors = 'load'
        neck = MODELS.build(cfg)
        with self.assertWarnsRegex(UserWarning, 'differs.*using the'):
            neck.load_state_dict(state)
        torch.testing.assert_close(neck.anchors, state['anchors'])
        # a trainable table is learned state: it loads as it is
        cfg = tiny_neck_cfg()
        cfg.trainable_anchors = True
        neck = MODELS.build(cfg)
        neck.load_state_dict(state)
        torch.testing.assert_close(neck.anchors.detach(), state['anchors'])
        cfg = tiny_neck_cfg()
        cfg.checkpoint_anchors = 'ignore'
        with self.assertRaisesRegex(ValueError, 'checkpoint_anchors'):
            MODELS.build(cfg)
