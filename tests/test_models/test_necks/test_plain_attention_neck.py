# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from unittest import TestCase

import torch
from mmcv.cnn.bricks.transformer import MultiheadAttention
from mmengine.config import Config
from mmpose.registry import MODELS

from a2jt_mmpose.models.utils import AnchorFeatures, FusedMultiheadAttention

from conftest import PAPER_CONFIG, tiny_neck_cfg

ABLATION = PAPER_CONFIG.replace(
    'interhand3d-256x256.py',
    'interhand3d-256x256_plain-attention.py').replace(
        '/interhand3d/a2jt', '/interhand3d/ablations/a2jt')
#: tokens of the tiny neck's 4 levels: 16^2 + 8^2 + 8^2 + 4^2
NUM_TOKENS = 400


def tiny_plain_cfg(attn_type='FusedMultiheadAttention'):
    """The tiny neck with plain attention of ``attn_type`` everywhere."""
    cfg = tiny_neck_cfg()
    mha = dict(type=attn_type, embed_dims=128, num_heads=4, attn_drop=0.,
               proj_drop=0., batch_first=True)
    cfg.type = 'PlainAttentionAnchorRefinementNeck'
    cfg.encoder.layer_cfg.self_attn_cfg = mha
    cfg.decoder.layer_cfg.self_attn_cfg.type = attn_type
    cfg.decoder.layer_cfg.cross_attn_cfg = mha
    return cfg


def feats(batch=2):
    return (torch.rand(batch, 128, 16, 16), torch.rand(batch, 256, 8, 8),
            torch.rand(batch, 512, 8, 8))


def saved_square_maps(neck, x):
    """Shapes of the tensors that a training forward keeps for backward
    and that have two ``NUM_TOKENS`` axes (encoder attention maps)."""
    shapes = []

    def pack(t):
        if list(t.shape).count(NUM_TOKENS) >= 2:
            shapes.append(tuple(t.shape))
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        neck(x)
    return shapes


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

    def test_attention_type_comes_from_the_config(self):
        fused = MODELS.build(tiny_plain_cfg())
        plain = MODELS.build(tiny_plain_cfg('MultiheadAttention'))
        attns = [m for m in fused.modules()
                 if isinstance(m, MultiheadAttention)]
        # 2 encoder layers + 3 decoder layers x (self, cross)
        self.assertEqual(len(attns), 2 + 3 * 2)
        self.assertTrue(
            all(type(m) is FusedMultiheadAttention for m in attns))
        self.assertFalse(any(
            isinstance(m, FusedMultiheadAttention) for m in plain.modules()))
        # without a type: mmcv's MultiheadAttention
        cfg = tiny_plain_cfg('MultiheadAttention')
        del cfg.encoder.layer_cfg.self_attn_cfg['type']
        neck = MODELS.build(cfg)
        self.assertIs(type(neck.encoder.layers[0].self_attn),
                      MultiheadAttention)

    def test_fused_attention_is_the_same_function(self):
        torch.manual_seed(0)
        fused = MODELS.build(tiny_plain_cfg())
        fused.init_weights()
        plain = MODELS.build(tiny_plain_cfg('MultiheadAttention'))
        self.assertEqual(
            {k: v.shape for k, v in fused.state_dict().items()},
            {k: v.shape for k, v in plain.state_dict().items()})
        plain.load_state_dict(fused.state_dict())
        fused.eval()
        plain.eval()
        x = feats()
        torch.testing.assert_close(fused(x).anchor_feats,
                                   plain(x).anchor_feats)
        # and the same gradients
        grads = []
        for neck in (fused, plain):
            neck.zero_grad()
            neck(x).anchor_feats.square().mean().backward()
            grads.append(neck.encoder.layers[0].self_attn.attn.in_proj_weight
                         .grad)
        torch.testing.assert_close(grads[0], grads[1])

    def test_no_attention_maps_are_returned_or_kept(self):
        torch.manual_seed(0)
        fused = MODELS.build(tiny_plain_cfg())
        plain = MODELS.build(tiny_plain_cfg('MultiheadAttention'))
        plain.load_state_dict(fused.state_dict())
        q = torch.rand(NUM_TOKENS, 1, 128)
        for m in fused.modules():
            if isinstance(m, FusedMultiheadAttention):
                # even when asked for them
                self.assertIsNone(m.attn(q, q, q, need_weights=True)[1])
                # fused=False (the benchmark's reference): mmcv's maps
                m.fused = False
                self.assertEqual(m.attn(q, q, q)[1].shape,
                                 (1, NUM_TOKENS, NUM_TOKENS))
                m.fused = True
        self.assertEqual(
            plain.encoder.layers[0].self_attn.attn(q, q, q)[1].shape,
            (1, NUM_TOKENS, NUM_TOKENS))
        fused.train()
        plain.train()
        x = feats(1)
        self.assertEqual(saved_square_maps(fused, x), [])
        # mmcv's attention keeps a (heads, N, N) map per encoder layer
        self.assertGreaterEqual(
            saved_square_maps(plain, x).count((4, NUM_TOKENS, NUM_TOKENS)),
            2)

    def test_ablation_config_parameters(self):
        full = MODELS.build(Config.fromfile(PAPER_CONFIG).model.neck)
        plain = MODELS.build(Config.fromfile(ABLATION).model.neck)
        n_full = sum(p.numel() for p in full.parameters())
        n_plain = sum(p.numel() for p in plain.parameters())
        # MSDA (value 65,792 + output 65,792 + offsets 65,792 + attention
        # weights 32,896 = 230,272) -> MHA (in 197,376 + out 65,792 =
        # 263,168) in 6 encoder layers and 6 decoder cross-attentions
        self.assertEqual(n_plain - n_full, 12 * (263168 - 230272))
