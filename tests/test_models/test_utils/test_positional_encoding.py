# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""The sine positional encodings against independent references: mmdet's
``SinePositionalEncoding`` for the feature maps and the formula written out
for the anchors."""
import math

import torch
from mmdet.models.layers import SinePositionalEncoding

from a2jt_mmpose.models.utils.positional_encoding import (
    anchor_sine_encoding, sine_encoding_2d)


def test_feature_map_encoding_equals_mmdet():
    # Deformable DETR's setting: normalise with offset -0.5, 2 * pi scale
    reference = SinePositionalEncoding(
        num_feats=16, normalize=True, offset=-0.5)
    for h, w in ((5, 7), (1, 3), (16, 16)):
        mask = torch.zeros(2, h, w, dtype=torch.bool)  # no padding
        expected = reference(mask)
        got = sine_encoding_2d(2, h, w, num_feats=16)
        assert got.shape == (2, 32, h, w)
        torch.testing.assert_close(got, expected, rtol=0, atol=1e-6)


def test_anchor_encoding_by_hand():
    num_feats, temperature = 4, 10000.
    anchor = torch.tensor([[0.25, 0.5, 0.75]])  # (x, y, z), normalised
    got = anchor_sine_encoding(anchor, num_feats, temperature)
    assert got.shape == (1, 3 * num_feats)

    def one(v):
        out = []
        for i in range(num_feats):
            freq = temperature**(2 * (i // 2) / num_feats)
            arg = v * 2 * math.pi / freq
            out.append(math.sin(arg) if i % 2 == 0 else math.cos(arg))
        return out

    # official order: y, x, z
    expected = torch.tensor([one(0.5) + one(0.25) + one(0.75)])
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-6)
