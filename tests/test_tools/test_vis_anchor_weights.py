# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import os.path as osp

import numpy as np
import pytest

from a2jt_mmpose.apis.models import build_pose_model
from a2jt_mmpose.visualization import visualize_anchor_weights
from conftest import INTERHAND_MINI, REPO_ROOT, TINY_CONFIG


@pytest.mark.slow
def test_vis_anchor_weights_random_model(tmp_path):
    model, _ = build_pose_model(TINY_CONFIG)
    img = osp.join(INTERHAND_MINI, 'image2017.jpg')
    for joint in ('right_wrist', '41'):
        out = str(tmp_path / f'{joint}.png')
        drawn = visualize_anchor_weights(model, img, joint, out)
        assert osp.getsize(out) > 0
        # tiny config: 8 x 8 x 3 anchors -> 3 panels of 64
        assert [len(p['weights']) for p in drawn['panels']] == [64] * 3
        total = sum(p['weights'].sum() for p in drawn['panels'])
        np.testing.assert_allclose(total, 1., rtol=1e-5)
    with pytest.raises(KeyError, match='nonsense'):
        visualize_anchor_weights(model, img, 'nonsense',
                                 str(tmp_path / 'x.png'))


@pytest.mark.slow
def test_command_line(tmp_path):
    import subprocess
    import sys
    out = tmp_path / 'w.png'
    proc = subprocess.run(
        [sys.executable,
         osp.join(REPO_ROOT, 'tools', 'analysis_tools',
                  'vis_anchor_weights.py'), TINY_CONFIG, 'none',
         osp.join(INTERHAND_MINI, 'image2017.jpg'), '--joint', 'left_wrist',
         '--out', str(out)],
        capture_output=True, text=True, cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert '3 depth panels, 192 anchors, weights sum 1.0000' in proc.stdout
    assert out.stat().st_size > 0
