# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import os.path as osp

import numpy as np
import torch
from mmpose.registry import MODELS

from a2jt_mmpose.models.utils import AnchorFeatures, generate_anchors
from a2jt_mmpose.visualization.anchor_weights import (draw_anchor_weights,
                                                      joint_index)


def test_draw_one_panel_per_depth(tmp_path):
    anchors = generate_anchors(num_in_plane=16, stride=16.,
                               depths=(63.5, 127.5, 191.5))
    head = MODELS.build(
        dict(type='A2JHead', num_keypoints=42, num_layers=1,
             in_channels=16, hidden_dims=16))
    with torch.no_grad():
        fused = head.fuse(AnchorFeatures(torch.randn(1, 1, 768, 16), anchors))
    joints, weights = fused.joints, fused.weights
    crop = np.random.randint(0, 255, (256, 256, 3), dtype=np.uint8)
    out = str(tmp_path / 'w.png')
    for k in (0, 41):
        drawn = draw_anchor_weights(
            crop, anchors, weights[0, 0, :, k], joint=joints[0, 0, k].numpy(),
            out_file=out)
        assert drawn['depths'].tolist() == [63.5, 127.5, 191.5]
        assert [len(p['weights']) for p in drawn['panels']] == [256] * 3
        # every anchor drawn exactly once, the weights of a joint sum to 1
        total = sum(p['weights'].sum() for p in drawn['panels'])
        np.testing.assert_allclose(total, 1., rtol=1e-5)
        # the panel of depth 127.5 holds anchors 1, 4, 7, ... in table order
        np.testing.assert_allclose(drawn['panels'][1]['weights'],
                                   weights[0, 0, 1::3, k].numpy())
    assert drawn['image'].ndim == 3 and drawn['image'].dtype == np.uint8
    assert osp.getsize(out) > 0
    with open(out, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'


def test_joint_index():
    meta = dict(keypoint_name2id={'right_wrist': 20})
    assert joint_index('right_wrist', meta) == 20
    assert joint_index('7', meta) == 7
    assert joint_index(3, None) == 3
    try:
        joint_index('r_wrist', meta)
    except KeyError as e:
        assert 'r_wrist' in str(e)
    else:
        raise AssertionError('unknown name accepted')
