# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Bad InterHand2.6M input (tampered copies of the real samples) is named
at load time: the file, the config key, the image id and path."""
import json
import os.path as osp
import shutil
import tempfile
from unittest import TestCase

import numpy as np
from mmpose.registry import DATASETS

from conftest import INTERHAND_MINI, interhand_mini_split

PREFIX = 'test_interhand2.6m'


class TestBadInterHandInput(TestCase):

    def setUp(self):
        interhand_mini_split()  # fails clearly without the samples
        self.tmp = tempfile.mkdtemp()
        shutil.copytree(INTERHAND_MINI, self.tmp, dirs_exist_ok=True)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def build(self, pipeline=()):
        kwargs = interhand_mini_split()
        kwargs['data_root'] = self.tmp
        return DATASETS.build(dict(
            type='CheckedInterHand3DDataset', pipeline=list(pipeline),
            use_gt_root_depth=True, rootnet_result_file=None,
            data_mode='topdown', test_mode=True, **kwargs))

    def path(self, kind):
        return osp.join(self.tmp, f'{PREFIX}_{kind}.json')

    def edit(self, kind, fn):
        with open(self.path(kind)) as f:
            data = json.load(f)
        fn(data)
        with open(self.path(kind), 'w') as f:
            json.dump(data, f)

    def test_truncated_json_names_file_and_key(self):
        for kind, key in (('data', 'ann_file'),
                          ('camera', 'camera_param_file'),
                          ('joint_3d', 'joint_file')):
            shutil.copy(osp.join(INTERHAND_MINI, f'{PREFIX}_{kind}.json'),
                        self.path(kind))
            with open(self.path(kind)) as f:
                text = f.read()
            with open(self.path(kind), 'w') as f:
                f.write(text[:len(text) // 2])
            with self.assertRaisesRegex(
                    ValueError, rf'{key} ".*{PREFIX}_{kind}\.json" is not valid '
                    r'JSON \(line \d+ column \d+'):
                self.build()
            shutil.copy(osp.join(INTERHAND_MINI, f'{PREFIX}_{kind}.json'),
                        self.path(kind))

    def test_nan_box_names_the_image(self):
        def nan_box(data):
            data['annotations'][1]['bbox'][2] = float('nan')
            self.culprit = data['annotations'][1]
        self.edit('data', nan_box)
        with self.assertRaisesRegex(
                ValueError, rf'bbox of annotation {self.culprit["id"]} '
                rf'\(image id {self.culprit["image_id"]} ".*"\).*nan'):
            self.build()

    def test_zero_box_side_is_refused(self):
        def zero_box(data):
            data['annotations'][0]['bbox'][3] = 0.
        self.edit('data', zero_box)
        with self.assertRaisesRegex(ValueError, r'bbox .* w, h > 0'):
            self.build()

    def test_nan_camera_names_file_and_image(self):
        for key, value in (('focal', [float('nan'), 1000.]),
                           ('princpt', [float('inf'), 200.]),
                           ('campos', [0., float('nan'), 0.]),
                           ('camrot', [[1., 0.], [0., 1.]]),
                           ('focal', [-5., 1000.])):
            shutil.copy(osp.join(INTERHAND_MINI, f'{PREFIX}_camera.json'),
                        self.path('camera'))

            def bad_camera(data):
                capture = next(iter(data))
                camera = next(iter(data[capture][key]))
                data[capture][key][camera] = value
            self.edit('camera', bad_camera)
            with self.assertRaisesRegex(
                    ValueError, rf'camera {key} of capture \d+ camera \d+ '
                    rf'\(image id \d+ ".*"\).*{PREFIX}_camera\.json'):
                self.build()

    def test_empty_split_names_the_ann_file(self):
        def empty(data):
            data['images'], data['annotations'] = [], []
        self.edit('data', empty)
        with self.assertRaisesRegex(
                ValueError, r'CheckedInterHand3DDataset: no sample in '
                rf'ann_file ".*{PREFIX}_data\.json" \(0 images, 0 annotations '
                r'read\): an empty split, or every annotation filtered out$'):
            self.build()

    def test_zero_byte_image_names_the_sample(self):
        from a2jt_mmpose.datasets.sample_errors import SampleError
        dataset = self.build([dict(type='LoadImage')])
        info = dataset.get_data_info(2)
        open(info['img_path'], 'w').close()
        with self.assertRaisesRegex(
                SampleError, rf'sample 2 \(img_id {info["img_id"]}, img_path '
                rf'"{info["img_path"]}"\) failed'):
            dataset[2]
        dataset[0]  # the other samples still load


class TestMetricRefusesNaN(TestCase):

    def test_nan_prediction_names_the_sample(self):
        from a2jt_mmpose.evaluation.metrics import (DepthHandMPJPEMetric,
                                                    InterHandMPJPEMetric)
        from a2jt_mmpose.evaluation.metrics.interhand_mpjpe_metric import \
            check_finite
        metric = InterHandMPJPEMetric()
        mask = np.ones(42, bool)
        mask[5] = False
        pred = np.zeros((42, 3))
        pred[5] = np.nan  # not scored: fine
        check_finite(metric, dict(img_id=7), mask, pred=pred)
        pred[9, 2] = np.inf
        with self.assertRaisesRegex(
                ValueError, r'InterHandMPJPEMetric: pred holds NaN/inf '
                r'\(joints \[9\]\) for img_id 7 "a\.jpg"'):
            check_finite(metric, dict(img_id=7, img_path='a.jpg'), mask,
                         pred=pred)
        with self.assertRaisesRegex(ValueError, r'focal holds NaN'):
            check_finite(metric, dict(img_id=7), mask,
                         focal=np.array([np.nan, 1.]))
        with self.assertRaisesRegex(ValueError, 'DepthHandMPJPEMetric'):
            check_finite(DepthHandMPJPEMetric(), dict(img_id=1), mask[:14],
                         pred=np.full((14, 3), np.nan))
