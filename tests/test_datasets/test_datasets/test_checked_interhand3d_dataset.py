# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import json
import os
import os.path as osp
import shutil
import tempfile
from unittest import TestCase

import numpy as np
from mmpose.datasets import InterHand3DDataset
from mmpose.registry import DATASETS

from conftest import INTERHAND_MINI, interhand_mini_split

PREFIX = 'test_interhand2.6m'


def build(pipeline=(), **kwargs):
    cfg = dict(
        type='CheckedInterHand3DDataset',
        data_mode='topdown',
        test_mode=True,
        pipeline=list(pipeline),
        **interhand_mini_split())
    cfg.update(kwargs)
    return DATASETS.build(cfg)


class TestCheckedInterHand3DDataset(TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        for name in os.listdir(INTERHAND_MINI):
            shutil.copy(osp.join(INTERHAND_MINI, name), self.tmp)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_same_samples_as_mmpose(self):
        ours = build()
        ref = InterHand3DDataset(
            data_mode='topdown', test_mode=True, **interhand_mini_split())
        self.assertEqual(len(ours), 4)
        self.assertEqual(ours.metainfo['num_keypoints'], 42)
        for i in range(4):
            a, b = ours.get_data_info(i), ref.get_data_info(i)
            self.assertEqual(a['img_path'], b['img_path'])
            for key in ('keypoints', 'keypoints_cam', 'keypoints_visible',
                        'hand_type', 'bbox'):
                np.testing.assert_array_equal(a[key], b[key])
            self.assertEqual(a['keypoints'].shape, (1, 42, 3))
            # z is relative to each hand's own root (mm)
            self.assertEqual(a['keypoints'][0, 20, 2], 0)
            self.assertEqual(a['keypoints'][0, 41, 2], 0)

    def test_missing_annotation_file(self):
        os.remove(osp.join(self.tmp, f'{PREFIX}_joint_3d.json'))
        with self.assertRaisesRegex(FileNotFoundError,
                                    f'joint_file="{PREFIX}_joint_3d.json"'):
            build(data_root=self.tmp)

    def test_nan_joints_name_the_file_and_frame(self):
        path = osp.join(self.tmp, f'{PREFIX}_joint_3d.json')
        with open(path) as f:
            joints = json.load(f)
        capture = next(iter(joints))
        frame = next(iter(joints[capture]))
        joints[capture][frame]['world_coord'][3][1] = float('nan')
        with open(path, 'w') as f:
            json.dump(joints, f)
        with self.assertRaisesRegex(
                ValueError, rf'joints \[3\].*capture {capture}, frame '
                rf'{frame}.*{PREFIX}_joint_3d.json'):
            build(data_root=self.tmp)

    def test_missing_camera(self):
        path = osp.join(self.tmp, f'{PREFIX}_camera.json')
        with open(path) as f:
            cams = json.load(f)
        cams.pop(next(iter(cams)))
        with open(path, 'w') as f:
            json.dump(cams, f)
        with self.assertRaisesRegex(KeyError, 'camera_param_file'):
            build(data_root=self.tmp)

    def test_unreadable_image_names_the_file(self):
        with open(osp.join(self.tmp, 'image2017.jpg'), 'wb') as f:
            f.write(b'this is not a jpeg')
        dataset = build(data_root=self.tmp, pipeline=[dict(type='LoadImage')])
        idx = [
            i for i in range(len(dataset))
            if dataset.get_data_info(i)['img_path'].endswith('image2017.jpg')
        ][0]
        with self.assertRaisesRegex(Exception, 'image2017.jpg'):
            dataset[idx]
