# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""The generator scripts' shared command-line pieces and the depth CLIs."""
import argparse
import os
import os.path as osp
import subprocess
import sys

import pytest
from conftest import REPO_ROOT

from a2jt_mmpose.datasets.synthetic.cli import Progress, counts_per_split

SCRIPTS = osp.join(REPO_ROOT, 'tools', 'dataset_converters')


def test_counts_per_split():
    parser = argparse.ArgumentParser()
    assert counts_per_split(parser, ['a', 'b', 'c'], [4]) == [4, 4, 4]
    assert counts_per_split(parser, ['a', 'b'], [4, 2]) == [4, 2]
    with pytest.raises(SystemExit):
        counts_per_split(parser, ['a', 'b', 'c'], [4, 2], what='set')


def test_progress_prints_the_end_and_nothing_when_quiet(capsys):
    progress = Progress('train')
    progress(1, 3)  # the first call prints
    progress(2, 3)  # within 0.5 s: skipped
    progress(3, 3)  # the end always prints
    out = capsys.readouterr().out
    assert '[train] 1/3 images' in out and '2/3' not in out
    assert out.endswith('images/s\n') and '[train] 3/3 images' in out
    Progress('val', quiet=True)(3, 3)
    assert capsys.readouterr().out == ''


def _run(script, *args):
    return subprocess.run(
        [sys.executable, osp.join(SCRIPTS, script), *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=REPO_ROOT, OMP_NUM_THREADS='1'))


def test_depth_clis(tmp_path):
    nyu = str(tmp_path / 'nyu')
    proc = _run('generate_synthetic_nyu.py', '--out-dir', nyu, '--splits',
                'test', '--num-images', '2', '--seed', '4')
    assert proc.returncode == 0, proc.stderr
    assert f'wrote 2 frames to {nyu}' in proc.stdout
    assert sorted(os.listdir(osp.join(nyu, 'test'))) == [
        'depth_1_0000001.png', 'depth_1_0000002.png', 'joint_data.mat'
    ]
    h17 = str(tmp_path / 'h17')
    proc = _run('generate_synthetic_hands2017.py', '--out-dir', h17,
                '--splits', 'frame', '--num-images', '1')
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(osp.join(h17, 'frame'))) == [
        'BoundingBox.txt', 'center_uvd.txt', 'images'
    ]
    proc = _run('generate_synthetic_hands2017.py', '--out-dir', h17,
                '--splits', 'training', 'frame', '--num-images', '1')
    assert proc.returncode == 2
    assert '--splits and --num-images need the same length' in proc.stderr
