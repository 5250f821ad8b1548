# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile

import pytest

from a2jt_mmpose.apis import SameBoxForEveryInput, describe_hands
from a2jt_mmpose.apis.demo import run_demo
from conftest import EXTENSION_CONFIG, INTERHAND_MINI, PAPER_CONFIG, REPO_ROOT

DEMO = osp.join(REPO_ROOT, 'tools', 'demo.py')


@pytest.mark.slow
def test_demo_on_a_folder(capsys):
    with tempfile.TemporaryDirectory() as tmp:
        run_demo(INTERHAND_MINI, EXTENSION_CONFIG, out_dir=tmp,
                 show_progress=False)
        out = capsys.readouterr().out
        # the hand-type and root-depth heads of the extension config
        assert out.count('(p=') == 2 * 4 and 'frame 4: ' in out
        assert out.count('mm (depth vs right)') == 4
        vis = sorted(os.listdir(osp.join(tmp, 'visualizations')))
        preds = sorted(os.listdir(osp.join(tmp, 'predictions')))
        assert vis == [
            'image2017.jpg', 'image29590.jpg', 'image44669.jpg',
            'image69148.jpg'
        ]
        assert preds == [v.replace('.jpg', '.json') for v in vis]
        with open(osp.join(tmp, 'predictions', preds[0])) as f:
            instances = json.load(f)
        assert len(instances) == 1
        assert len(instances[0]['keypoints']) == 42
        assert all(len(k) == 3 for k in instances[0]['keypoints'])


def test_demo_rejects_bad_input(tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        run_demo(str(tmp_path / 'missing.jpg'), PAPER_CONFIG)
    with pytest.raises(ValueError, match='hand3d'):
        run_demo(INTERHAND_MINI, 'some_config.py')


def test_describe_hands():
    import numpy as np
    from mmengine.structures import InstanceData
    pred = InstanceData(
        hand_type=np.array([[1., 0.]]),
        hand_type_scores=np.array([[0.97, 0.02]]),
        hand_type_predicted=np.array([True]),
        rel_root_depth=np.array([35.]),
        rel_root_depth_predicted=np.array([True]))
    assert describe_hands(pred) == (
        'right (p=0.97); left absent (p=0.02); left root +35 mm (depth vs '
        'right)')
    fallback = InstanceData(
        hand_type=np.ones((1, 2)),
        hand_type_predicted=np.array([False]),
        rel_root_depth=np.zeros(1),
        rel_root_depth_predicted=np.array([False]))
    assert describe_hands(fallback) == (
        'right, left (hand type not predicted: both assumed)')


@pytest.mark.slow
def test_demo_with_a_box_on_every_image_of_a_folder(capsys):
    """``--bboxes`` applies one box to every image (mmpose indexes the boxes
    by input position and wants (x1, y1, x2, y2, score) arrays)."""
    with tempfile.TemporaryDirectory() as tmp:
        run_demo(INTERHAND_MINI, PAPER_CONFIG, out_dir=tmp,
                 bboxes=(10, 20, 200, 230), show_progress=False)
        out = capsys.readouterr().out
        assert 'frame 4: ' in out and '4 result(s)' in out
        for name in sorted(os.listdir(osp.join(tmp, 'predictions'))):
            with open(osp.join(tmp, 'predictions', name)) as f:
                instances = json.load(f)
            assert len(instances) == 1
            assert instances[0]['bbox'][0] == [10., 20., 200., 230.]


def test_same_box_for_every_input():
    import numpy as np
    boxes = SameBoxForEveryInput([1, 2, 30, 40])
    assert bool(boxes)
    for i in (0, 7):
        np.testing.assert_array_equal(boxes[i], [[1, 2, 30, 40, 1]])
    with pytest.raises(ValueError, match='x2 > x1'):
        SameBoxForEveryInput([30, 2, 1, 40])
    with pytest.raises(ValueError, match='x1 y1 x2 y2'):
        SameBoxForEveryInput([1, 2, 3])


@pytest.mark.slow
def test_demo_on_a_video(capsys, tmp_path):
    """A 3-frame video: one result per frame, a video and one json of all
    frames written."""
    import cv2
    names = ['image2017.jpg', 'image29590.jpg', 'image44669.jpg']
    clip = str(tmp_path / 'clip.mp4')
    writer = cv2.VideoWriter(clip, cv2.VideoWriter_fourcc(*'mp4v'), 5,
                             (256, 256))
    for name in names:
        writer.write(
            cv2.resize(cv2.imread(osp.join(INTERHAND_MINI, name)),
                       (256, 256)))
    writer.release()
    out_dir = str(tmp_path / 'out')
    run_demo(clip, PAPER_CONFIG, out_dir=out_dir, bboxes=(0, 0, 200, 200),
             show_progress=False)
    out = capsys.readouterr().out
    assert 'frame 3: ' in out and '3 result(s)' in out
    assert os.listdir(osp.join(out_dir, 'visualizations')) == ['clip.mp4']
    with open(osp.join(out_dir, 'predictions', 'clip.json')) as f:
        frames = json.load(f)
    assert len(frames) == 3
    assert all(len(f['instances'][0]['keypoints']) == 42 for f in frames)


def test_demo_skips_undecodable_files_and_fails_at_the_end(
        undecodable_folder, tmp_path):
    # a text file named .jpg and an empty .png between two real images
    from conftest import TINY_CONFIG
    folder = undecodable_folder
    out_dir = tmp_path / 'out'
    # the command line: the readable files are processed, the exit status
    # is non-zero and the message lists the others
    proc = subprocess.run(
        [sys.executable, DEMO, str(folder), '--config', TINY_CONFIG,
         '--out-dir', str(out_dir), '--no-progress'],
        capture_output=True, text=True, cwd=REPO_ROOT)
    assert proc.returncode == 1, proc.stderr[-2000:]
    msg = proc.stderr.strip().splitlines()[-1]
    assert msg.startswith('2 input(s) could not be read')
    assert 'b.jpg": cannot be decoded as image' in msg
    assert 'c.png": cannot be decoded as image' in msg
    assert f'skipped "{folder / "b.jpg"}"' in proc.stderr
    # the files after the bad ones were processed
    assert sorted(os.listdir(out_dir / 'predictions')) == ['a.json', 'd.json']
    assert '2 result(s)' in proc.stdout


def test_demo_refuses_a_broken_video_before_writing(tmp_path):
    video = tmp_path / 'clip.mp4'
    video.write_bytes(b'\x00' * 1000)
    out_dir = tmp_path / 'out'
    with pytest.raises(ValueError, match=r'clip\.mp4": cannot be decoded as '
                       'video'):
        run_demo(str(video), PAPER_CONFIG, out_dir=str(out_dir))
    assert not out_dir.exists()


def test_demo_precision_switch(tmp_path, monkeypatch):
    """--precision reaches the model the inferencer runs; an unknown one is
    refused before anything is built."""
    from a2jt_mmpose.models.pose_estimators import A2JTPoseEstimator
    from conftest import TINY_CONFIG
    seen = []
    forward = A2JTPoseEstimator.forward

    def spy(self, inputs, data_samples, mode='tensor'):
        seen.append((mode, self.precision))
        return forward(self, inputs, data_samples, mode)

    monkeypatch.setattr(A2JTPoseEstimator, 'forward', spy)
    image = osp.join(INTERHAND_MINI, 'image29590.jpg')
    count, failed = run_demo(image, TINY_CONFIG, out_dir=str(tmp_path),
                             show_progress=False, precision='bf16')
    assert count == 1 and failed == []
    assert seen == [('predict', 'bf16')]
    assert os.listdir(tmp_path / 'predictions') == ['image29590.json']
    with pytest.raises(ValueError, match="precision must be one of"):
        run_demo(image, TINY_CONFIG, out_dir=str(tmp_path / 'x'),
                 precision='fp16')
    assert not (tmp_path / 'x').exists()
