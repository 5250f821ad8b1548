# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""An input that does not decode is named, through mmpose's own
``MMPoseInferencer`` and through :func:`readable_inputs`."""
import pytest

from conftest import TINY_CONFIG


def test_readable_inputs(undecodable_folder):
    folder = undecodable_folder
    from a2jt_mmpose.apis import readable_inputs
    inputs, failures = readable_inputs(str(folder))
    assert inputs == [str(folder / 'a.jpg'), str(folder / 'd.jpg')]
    assert failures == [
        f'"{folder / "b.jpg"}": cannot be decoded as image',
        f'"{folder / "c.png"}": cannot be decoded as image'
    ]
    inputs, failures = readable_inputs(str(folder / 'notes.txt'))
    assert inputs == [] and 'neither an image nor a video' in failures[0]


def test_mmpose_inferencer_names_the_undecodable_file(undecodable_folder,
                                                     tmp_path):
    folder = undecodable_folder
    from mmpose.apis import MMPoseInferencer

    from a2jt_mmpose.apis import UnreadableInputError
    inferencer = MMPoseInferencer(pose3d=TINY_CONFIG, device='cpu')
    # without the check mmpose fails inside Hand3DInferencer with
    # "'NoneType' object has no attribute 'shape'" (text) or OpenCV's
    # "!buf.empty()" (empty file), naming neither
    for name in ('b.jpg', 'c.png'):
        with pytest.raises(UnreadableInputError,
                           match=rf'input 0 "{tmp_path}/in/{name}": cannot be '
                           'decoded as image'):
            next(inferencer(str(folder / name)))
    # a folder: the first bad file in name order is named
    with pytest.raises(UnreadableInputError, match=r'in/b\.jpg": cannot'):
        list(inferencer(str(folder)))
    # readable images go through unchanged
    result = next(inferencer(str(folder / 'a.jpg')))
    assert len(result['predictions'][0][0]['keypoints']) == 42


def test_the_check_is_installed_once():
    from mmpose.apis.inferencers.hand3d_inferencer import Hand3DInferencer

    from a2jt_mmpose.apis import install_input_check
    wrapped = Hand3DInferencer.preprocess_single
    install_input_check()
    assert Hand3DInferencer.preprocess_single is wrapped
    assert wrapped._a2jt_input_check
