# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import filecmp
import json
import os
import os.path as osp
import pickle
import shutil
import subprocess
import sys
import tempfile
from unittest import TestCase

import cv2
import numpy as np
from mmpose.registry import DATASETS

from a2jt_mmpose.datasets.synthetic import HandRenderer
from a2jt_mmpose.datasets.synthetic.rhd_writer import (
    MODEL42_FROM_RHD42, decode_rhd_depth, encode_rhd_depth, generate_rhd,
    render_rhd_sample, rhd_mask_from_parts)
from conftest import REPO_ROOT

N = 6


class TestSyntheticRhd(TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.root = osp.join(cls.tmp, 'a')
        cls.res = generate_rhd(cls.root, 'training', num_images=N, seed=3)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_layout_and_pickle(self):
        for sub in ('color', 'depth', 'mask'):
            names = sorted(os.listdir(osp.join(self.root, 'training', sub)))
            self.assertEqual(names, [f'{i:05d}.png' for i in range(N)])
        with open(self.res['ann_file'], 'rb') as f:
            annos = pickle.load(f)
        self.assertEqual(sorted(annos), list(range(N)))
        for anno in annos.values():
            self.assertEqual(anno['xyz'].shape, (42, 3))
            self.assertEqual(anno['uv_vis'].shape, (42, 3))
            self.assertEqual(anno['K'].shape, (3, 3))
            # metres, in front of the camera
            self.assertTrue((anno['xyz'][:, 2] > 0.2).all())
            self.assertTrue((anno['xyz'][:, 2] < 2.).all())
            uv = anno['xyz'][:, :2] / anno['xyz'][:, 2:] * \
                anno['K'][[0, 1], [0, 1]] + anno['K'][[0, 1], [2, 2]]
            np.testing.assert_allclose(uv, anno['uv_vis'][:, :2], atol=1e-2)
            self.assertTrue(set(np.unique(anno['uv_vis'][:, 2])) <= {0, 1})
        img = cv2.imread(osp.join(self.root, 'training', 'color',
                                  '00000.png'))
        self.assertEqual(img.shape, (320, 320, 3))

    def test_deterministic(self):
        other = osp.join(self.tmp, 'b')
        generate_rhd(other, 'training', num_images=2, seed=3)
        for rel in ('color/00001.png', 'depth/00001.png', 'mask/00001.png'):
            self.assertTrue(
                filecmp.cmp(
                    osp.join(self.root, 'training', rel),
                    osp.join(other, 'training', rel),
                    shallow=False), rel)
        with open(self.res['ann_file'], 'rb') as f:
            a = pickle.load(f)
        with open(osp.join(other, 'training', 'anno_training.pickle'),
                  'rb') as f:
            b = pickle.load(f)
        for key in ('xyz', 'uv_vis', 'K'):
            np.testing.assert_array_equal(a[1][key], b[1][key])

    def test_depth_and_mask_match_the_render(self):
        renderer = HandRenderer((320, 320))
        out = render_rhd_sample(2, renderer, seed=3)
        depth_png = cv2.imread(
            osp.join(self.root, 'training', 'depth', '00002.png'))[..., ::-1]
        np.testing.assert_array_equal(depth_png, out['depth_rgb'])
        self.assertEqual(int(depth_png[..., 2].max()), 0)  # blue unused
        mask = cv2.imread(
            osp.join(self.root, 'training', 'mask', '00002.png'),
            cv2.IMREAD_UNCHANGED)
        np.testing.assert_array_equal(mask, out['mask'])
        self.assertLessEqual(int(mask.max()), 33)
        # hand pixels: the visible surface is near the annotated joints
        metres = decode_rhd_depth(depth_png)
        hand = mask >= 2
        self.assertTrue(hand.any())
        xyz = out['anno']['xyz']
        self.assertLess(abs(np.median(metres[hand]) - np.median(xyz[:, 2])),
                        0.1)
        self.assertTrue((metres[mask == 0] == 5.).all())  # background
        # visible keypoints lie on their own hand's mask labels
        uvv = out['anno']['uv_vis']
        for j in np.flatnonzero(uvv[:, 2] == 1):
            label = mask[int(uvv[j, 1]), int(uvv[j, 0])]
            lo, hi = (2, 17) if j < 21 else (18, 33)
            self.assertTrue(lo <= label <= hi, (j, label))

    def test_encoding_helpers(self):
        depth = np.array([[0., 400.], [1234.5, 4999.]])
        rgb = encode_rhd_depth(depth)
        back = decode_rhd_depth(rgb)
        np.testing.assert_allclose(back[depth > 0], depth[depth > 0] / 1000,
                                   atol=5 / 65535)
        self.assertEqual(back[0, 0], 5.)
        # top byte in red: 0.4 m = 5243 / 65535 * 5 -> R 20, G 123
        self.assertEqual(tuple(rgb[0, 1, :2]), (5243 >> 8, 5243 & 255))
        # part ids: right (0) index tip limb -> 18 + 3; left palm -> 17;
        # thenar (local 3) -> palm; forearm -> 1; background -> 0
        parts = np.array([[4, 23 + 20, 3, 21, -1, 23 + 18]])
        np.testing.assert_array_equal(
            rhd_mask_from_parts(parts), [[21, 17, 33, 1, 0, 2 + 3 * 4 + 2]])

    def test_loader_round_trip(self):
        renderer = HandRenderer((320, 320))
        common = dict(type='Rhd3DDataset', test_mode=True, pipeline=[],
                      data_root=self.root)
        from_pickle = DATASETS.build(
            dict(ann_file='training/anno_training.pickle', **common))
        from_json = DATASETS.build(
            dict(ann_file='annotations/rhd_train.json',
                 data_prefix=dict(img=''), **common))
        self.assertGreater(len(from_pickle), 0)
        self.assertEqual(len(from_pickle), len(from_json))
        self.assertEqual(len(from_json), self.res['num_hands'])
        for i in range(len(from_pickle)):
            a, b = from_pickle.get_data_info(i), from_json.get_data_info(i)
            self.assertEqual(a['img_path'], b['img_path'])
            np.testing.assert_array_equal(a['hand_type'], b['hand_type'])
            np.testing.assert_allclose(a['keypoints_cam'], b['keypoints_cam'],
                                       atol=1e-3)
            np.testing.assert_allclose(a['keypoints'], b['keypoints'],
                                       atol=1e-3)
            np.testing.assert_allclose(a['bbox'], b['bbox'], atol=1e-2)
            # the loaded joints are the renderer's (model order, mm)
            render = render_rhd_sample(a['img_id'], renderer, seed=3)
            xyz = render['anno']['xyz'][MODEL42_FROM_RHD42] * 1000.
            right = a['hand_type'][0, 0] == 1
            sl = slice(0, 21) if right else slice(21, 42)
            np.testing.assert_allclose(a['keypoints_cam'][0, sl], xyz[sl],
                                       rtol=1e-5)
            self.assertTrue(render['present'][0 if right else 1])

    def test_cli(self):
        out = osp.join(self.tmp, 'cli')
        proc = subprocess.run([
            sys.executable,
            osp.join(REPO_ROOT, 'tools', 'dataset_converters',
                     'generate_synthetic_rhd.py'), '--out-dir', out,
            '--sets', 'evaluation', '--num-images', '2', '--quiet'
        ], capture_output=True, text=True, env=dict(os.environ,
                                                    PYTHONPATH=REPO_ROOT,
                                                    OMP_NUM_THREADS='1'))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn('images/s', proc.stdout)
        self.assertTrue(
            osp.isfile(osp.join(out, 'evaluation',
                                'anno_evaluation.pickle')))
        with open(osp.join(out, 'annotations', 'rhd_test.json')) as f:
            self.assertEqual(len(json.load(f)['images']), 2)
