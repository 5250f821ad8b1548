# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import numpy as np
import pytest

from a2jt_mmpose.apis import anchor_statistics as tool
from conftest import TINY_CONFIG, real_data_options


def test_statistics_on_hand_made_weights():
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
    saved = tool.collect_anchor_statistics(
        TINY_CONFIG, None, num_images=4, batch_size=2,
        cfg_options=real_data_options())
    assert len(saved['layers']) == 3  # tiny config: 3 decoder layers
    assert saved['num_anchors'] == 192 and saved['num_joints'] > 0
    for row in saved['layers']:
        # softmax weights: between one anchor and all of them
        assert 1. <= row['eff_anchors'] <= 192.
        assert 1. / 192 <= row['max_weight'] <= 1.
        assert np.isfinite(row['joint_px']) and row['joint_px'] > 0


@pytest.mark.slow
def test_command_line_writes_the_json(tmp_path):
    import json
    import os.path as osp
    import subprocess
    import sys

    from conftest import REPO_ROOT, options_to_argv
    out = tmp_path / 'stats.json'
    proc = subprocess.run(
        [sys.executable,
         osp.join(REPO_ROOT, 'tools', 'analysis_tools',
                  'anchor_weight_stats.py'), TINY_CONFIG, 'none',
         '--num-images', '2', '--batch-size', '2', '--out', str(out),
         '--cfg-options'] + options_to_argv(real_data_options()),
        capture_output=True, text=True, cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'means per decoder layer' in proc.stdout
    saved = json.loads(out.read_text())
    assert saved['num_anchors'] == 192 and len(saved['layers']) == 3
