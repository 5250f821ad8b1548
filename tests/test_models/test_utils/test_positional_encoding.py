# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""The sine positional encodings against the formulas written out: the
feature-map encoding of the neck (mmdet's ``SinePositionalEncoding`` with
Deformable-DETR's normalisation) and the anchor encoding."""
import math

import torch
from mmpose.registry import MODELS

from a2jt_mmpose.models.utils.positional_encoding import anchor_sine_encoding

from conftest import tiny_neck_cfg


def sine_features(v, num_feats, temperature=10000.):
    """``num_feats`` values: sin on even, cos on odd channels of
    ``v / temperature^(2 floor(i/2) / num_feats)``."""
    out = []
    for i in range(num_feats):
        arg = v / temperature**(2 * (i // 2) / num_feats)
        out.append(math.sin(arg) if i % 2 == 0 else math.cos(arg))
    return out


def test_feature_map_encoding_of_the_neck():
    """Cell ``(i, j)`` of an ``H x W`` level: ``(y, x)`` features of
    ``(i + 0.5) / H * 2 pi`` and ``(j + 0.5) / W * 2 pi`` (Deformable-DETR's
    ``normalize`` with offset -0.5), plus the level embedding."""
    neck = MODELS.build(tiny_neck_cfg())
    neck.init_weights()
    # no parameters: the state dict is that of the official model
    assert not any('positional_encoding' in k for k in neck.state_dict())
    feats = (torch.rand(2, 128, 16, 16), torch.rand(2, 256, 8, 8),
             torch.rand(2, 512, 8, 8))
    _, pos, shapes, start, _ = neck.embed_levels(feats)
    assert pos.shape == (2, 400, 128)
    for lvl, i, j in ((0, 0, 0), (0, 15, 3), (1, 3, 5), (3, 2, 1)):
        h, w = shapes[lvl].tolist()
        token = int(start[lvl]) + i * w + j
        y = (i + 0.5) / (h + 1e-6) * 2 * math.pi
        x = (j + 0.5) / (w + 1e-6) * 2 * math.pi
        expected = torch.tensor(sine_features(y, 64) + sine_features(x, 64))
        for b in range(2):
            torch.testing.assert_close(
                pos[b, token] - neck.level_embed[lvl].detach(), expected,
                rtol=0, atol=1e-5)


def test_anchor_encoding_by_hand():
    num_feats, temperature = 4, 10000.
    anchor = torch.tensor([[0.25, 0.5, 0.75]])  # (x, y, z), normalised
    got = anchor_sine_encoding(anchor, num_feats, temperature)
    assert got.shape == (1, 3 * num_feats)

    def one(v):
        return sine_features(v * 2 * math.pi, num_feats, temperature)

    # official order: y, x, z
    expected = torch.tensor([one(0.5) + one(0.25) + one(0.75)])
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-6)
