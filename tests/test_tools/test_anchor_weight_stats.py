# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import json

import numpy as np
import pytest

from conftest import (TINY_CONFIG, load_tool, options_to_argv,
                      real_data_options)


def stats_tool():
    return load_tool('analysis_tools', 'anchor_weight_stats.py')


def test_statistics_on_hand_made_weights():
    tool = stats_tool()
    anchors = np.array([[0., 0., 0.], [10., 0., 0.], [0., 10., 0.],
                        [10., 10., 0.]])
    # layer 1: uniform weights; layer 2: all weight on anchor 1
    w = np.zeros((2, 1, 4, 2))
    w[0] = 0.25
    w[1, 0, 1] = 1.
    weighted = np.einsum('lbak,ad->lbkd', w, anchors)
    offsets = np.array([0., 2., 1.])  # every anchor: +2 px in y, +1 bin
    joints = weighted + offsets
    target = np.array([[[10., 0., 0.], [5., 5., 0.]]])
    valid = np.array([[True, False]])
    stats = tool.anchor_statistics(joints, weighted, w, target, valid)
    np.testing.assert_allclose(stats['eff_anchors'][0], [4.])
    np.testing.assert_allclose(stats['eff_anchors'][1], [1.])
    np.testing.assert_allclose(stats['max_weight'][0], [0.25])
    # layer 1: weighted anchor (5, 5) vs (10, 0); joint (5, 7)
    np.testing.assert_allclose(stats['anchor_px'][0], [np.hypot(5, 5)])
    np.testing.assert_allclose(stats['joint_px'][0], [np.hypot(5, 7)])
    # layer 2: the anchor is the target, the offset adds 2 px and 1 bin
    np.testing.assert_allclose(stats['anchor_px'][1], [0.])
    np.testing.assert_allclose(stats['joint_px'][1], [2.])
    np.testing.assert_allclose(stats['joint_bins'][1], [1.])


@pytest.mark.slow
def test_random_model_on_real_samples(tmp_path):
    tool = stats_tool()
    out = str(tmp_path / 'stats.json')
    summary = tool.main([
        TINY_CONFIG, 'none', '--num-images', '4', '--batch-size', '2',
        '--out', out, '--cfg-options'
    ] + options_to_argv(real_data_options()))
    assert len(summary) == 3  # tiny config: 3 decoder layers
    with open(out) as f:
        saved = json.load(f)
    assert saved['num_anchors'] == 192
    for row in saved['layers']:
        # softmax weights: between one anchor and all of them
        assert 1. <= row['eff_anchors'] <= 192.
        assert 1. / 192 <= row['max_weight'] <= 1.
        assert np.isfinite(row['joint_px']) and row['joint_px'] > 0
