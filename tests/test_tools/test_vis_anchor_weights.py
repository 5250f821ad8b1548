# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import os.path as osp

import numpy as np
import pytest

from conftest import INTERHAND_MINI, TINY_CONFIG, load_tool


@pytest.mark.slow
def test_vis_anchor_weights_random_model(tmp_path):
    tool = load_tool('analysis_tools', 'vis_anchor_weights.py')
    img = osp.join(INTERHAND_MINI, 'image2017.jpg')
    for joint in ('right_wrist', '41'):
        out = str(tmp_path / f'{joint}.png')
        drawn = tool.main([TINY_CONFIG, 'none', img, '--joint', joint,
                           '--out', out])
        assert osp.getsize(out) > 0
        # tiny config: 8 x 8 x 3 anchors -> 3 panels of 64
        assert [len(p['weights']) for p in drawn['panels']] == [64] * 3
        total = sum(p['weights'].sum() for p in drawn['panels'])
        np.testing.assert_allclose(total, 1., rtol=1e-5)
    with pytest.raises(KeyError, match='nonsense'):
        tool.main([TINY_CONFIG, 'none', img, '--joint', 'nonsense', '--out',
                   str(tmp_path / 'x.png')])
