# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""The quickstart end to end at a toy size: render, train one epoch, test
through the config's evaluator, baseline, picture and result json."""
import json

import cv2
import pytest

from conftest import TINY_CONFIG


@pytest.mark.slow
def test_quickstart_at_toy_size(tmp_path):
    from a2jt_mmpose.apis.quickstart import run_quickstart
    work_dir, data_root = tmp_path / 'work', tmp_path / 'data'
    result = run_quickstart(
        TINY_CONFIG,
        work_dir=str(work_dir),
        data_root=str(data_root),
        num_train=16,
        num_test=8,
        img_size=(128, 128),
        amp='off',
        epochs=1,
        cfg_options={
            'train_dataloader.batch_size': 8,
            'train_dataloader.num_workers': 0,
            'train_dataloader.persistent_workers': False,
            'test_dataloader.num_workers': 0,
            'test_dataloader.persistent_workers': False,
        })
    saved = json.loads((work_dir / 'quickstart_result.json').read_text())
    assert saved['epochs'] == 1 and saved['num_test'] == 8
    # the model's numbers come from the config's InterHandMPJPEMetric
    assert set(result['model']) >= {'MPJPE_all', 'MPJPE_single',
                                    'MPJPE_interacting'}
    assert saved['ratio'] == pytest.approx(
        saved['model']['MPJPE_all'] /
        saved['mean_pose_baseline']['MPJPE_all'])
    # mean pose of 16 random synthetic poses: tens of mm from the test ones
    assert 10 < saved['mean_pose_baseline']['MPJPE_all'] < 200
    picture = cv2.imread(str(work_dir / 'predictions.png'))
    assert picture is not None and picture.shape[1] == 4 * 256
    # a second run reuses the rendered set
    marker = data_root / 'quickstart_settings.json'
    assert marker.is_file()
