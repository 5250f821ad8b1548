# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import copy
from unittest import TestCase

import torch
from mmcv.cnn.bricks.transformer import MultiheadAttention
from mmengine.config import Config
from mmpose.registry import MODELS

from a2jt_mmpose.models.utils import AnchorFeatures

from conftest import PAPER_CONFIG, TINY_CONFIG

ABLATION = PAPER_CONFIG.replace(
    'interhand3d-256x256.py',
    'interhand3d-256x256_plain-attention.py').replace(
        '/interhand3d/a2jt', '/interhand3d/ablations/a2jt')


def tiny_plain_cfg(**kwargs):
    cfg = copy.deepcopy(Config.fromfile(TINY_CONFIG).model.neck)
    mha = dict(embed_dims=128, num_heads=4, attn_drop=0., proj_drop=0.,
               batch_first=True)
    cfg.type = 'PlainAttentionAnchorRefinementNeck'
    cfg.encoder.layer_cfg.self_attn_cfg = mha
    cfg.decoder.layer_cfg.cross_attn_cfg = mha
    cfg.update(kwargs)
    return cfg


def feats(batch=2):
    return (torch.rand(batch, 128, 16, 16), torch.rand(batch, 256, 8, 8),
            torch.rand(batch, 512, 8, 8))


class TestPlainAttentionNeck(TestCase):

    def test_shapes(self):
        neck = MODELS.build(tiny_plain_cfg())
        neck.init_weights()
        self.assertFalse(any(
            'MultiScaleDeformable' in type(m).__name__
            for m in neck.modules()))
        out = neck(feats())
        self.assertIsInstance(out, AnchorFeatures)
        anchor_feats, anchors = out.anchor_feats, out.anchors
        self.assertEqual(anchor_feats.shape, (3, 2, 192, 128))
        self.assertEqual(anchors.shape, (192, 3))

    def test_gradients_reach_every_trainable_parameter(self):
        neck = MODELS.build(tiny_plain_cfg())
        neck.init_weights()
        neck.train()
        anchor_feats = neck(feats(1)).anchor_feats
        anchor_feats.square().mean().backward()
        for name, p in neck.named_parameters():
            self.assertIsNotNone(p.grad, name)
            self.assertGreater(p.grad.abs().sum().item(), 0, name)

    def test_fused_attention_is_the_same_function(self):
        torch.manual_seed(0)
        fused = MODELS.build(tiny_plain_cfg())
        fused.init_weights()
        plain = MODELS.build(tiny_plain_cfg(fused_attention=False))
        self.assertEqual(fused.state_dict().keys(), plain.state_dict().keys())
        plain.load_state_dict(fused.state_dict())
        fused.eval()
        plain.eval()
        x = feats()
        torch.testing.assert_close(fused(x)[0], plain(x)[0])
        n = sum(isinstance(m, MultiheadAttention) for m in fused.modules())
        self.assertEqual(n, 2 + 3 * 2)  # 2 encoder + 3 decoder layers x 2

    def test_ablation_config_parameters(self):
        full = MODELS.build(Config.fromfile(PAPER_CONFIG).model.neck)
        plain = MODELS.build(Config.fromfile(ABLATION).model.neck)
        n_full = sum(p.numel() for p in full.parameters())
        n_plain = sum(p.numel() for p in plain.parameters())
        # MSDA (value 65,792 + output 65,792 + offsets 65,792 + attention
        # weights 32,896 = 230,272) -> MHA (in 197,376 + out 65,792 =
        # 263,168) in 6 encoder layers and 6 decoder cross-attentions
        self.assertEqual(n_plain - n_full, 12 * (263168 - 230272))
