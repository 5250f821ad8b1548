# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import json
import os
import os.path as osp
import pickle
import shutil
import tempfile
from unittest import TestCase

import cv2
import numpy as np
from mmpose.registry import DATASETS

from a2jt_mmpose.datasets.datasets.hand3d.rhd3d_dataset import (
    RHD42_TO_MODEL42, RHD_TO_MODEL)
from conftest import RHD_MINI

VAL_PIPELINE = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale', padding=1.25),
    dict(type='TopdownAffine', input_size=(256, 256)),
    dict(type='GenerateTarget', encoder=dict(type='A2JInterHandCodec')),
    dict(type='PackPoseInputs')
]


def build(**kwargs):
    cfg = dict(type='Rhd3DDataset', test_mode=True, pipeline=[])
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def build_json(data_root=RHD_MINI, **kwargs):
    return build(
        ann_file='test_rhd.json',
        data_root=data_root,
        data_prefix=dict(img=''),
        **kwargs)


def fake_hand(rng, wrist_uv, z, f=300., c=160.):
    """RHD-order joints (21, 3) in metres: wrist first, then each finger
    tip..base, spread around ``wrist_uv`` at depth ``z`` (m)."""
    uv = np.asarray(wrist_uv) + rng.uniform(-40, 40, (21, 2))
    zs = z + rng.uniform(-0.05, 0.05, 21)
    xyz = np.zeros((21, 3))
    xyz[:, :2] = (uv - c) / f * zs[:, None]
    xyz[:, 2] = zs
    return xyz


def write_fake_pickle(set_dir, annos):
    os.makedirs(osp.join(set_dir, 'color'), exist_ok=True)
    with open(osp.join(set_dir, 'anno_training.pickle'), 'wb') as f:
        pickle.dump(annos, f)


def fake_anno(rng, left_vis=21, right_vis=21):
    K = np.array([[300., 0., 160.], [0., 300., 160.], [0., 0., 1.]])
    xyz = np.concatenate(
        [fake_hand(rng, (110, 160), 0.5),
         fake_hand(rng, (210, 160), 0.6)])
    uv = xyz[:, :2] / xyz[:, 2:] * 300. + 160.
    vis = np.zeros(42)
    vis[:left_vis] = 1
    vis[21:21 + right_vis] = 1
    return dict(
        xyz=xyz.astype(np.float32),
        uv_vis=np.concatenate([uv, vis[:, None]], 1).astype(np.float32),
        K=K.astype(np.float32))


class TestRhd3DDatasetJson(TestCase):
    """mmpose's converted RHD json, on the real 3-image sample."""

    def test_real_sample(self):
        dataset = build_json()
        self.assertEqual(len(dataset), 3)
        self.assertEqual(dataset.metainfo['num_keypoints'], 42)
        self.assertEqual(dataset.metainfo['dataset_name'], 'rhd3d')
        with open(osp.join(RHD_MINI, 'test_rhd.json')) as f:
            raw = json.load(f)
        for i, ann in enumerate(raw['annotations']):
            info = dataset.get_data_info(i)
            hand = ann['hand_type']
            sl = slice(0, 21) if hand == 'right' else slice(21, 42)
            other = slice(21, 42) if hand == 'right' else slice(0, 21)
            self.assertEqual(info['keypoints'].shape, (1, 42, 3))
            self.assertEqual(info['keypoints_cam'].shape, (1, 42, 3))
            self.assertEqual(info['keypoints_visible'].shape, (1, 42))
            cam = info['keypoints_cam'][0]
            # model order: thumb tip .. pinky base, wrist last (RHD: first)
            np.testing.assert_allclose(cam[sl][20], ann['joint_cam'][0])
            np.testing.assert_allclose(cam[sl][0], ann['joint_cam'][1])
            np.testing.assert_allclose(cam[sl][3], ann['joint_cam'][4])
            np.testing.assert_allclose(cam[sl][19], ann['joint_cam'][20])
            # mm: RHD hands are 0.3-1 m from the camera
            self.assertTrue(300 < cam[sl][20, 2] < 1500)
            # pixels agree with the annotated 2D keypoints
            np.testing.assert_allclose(
                info['keypoints'][0, sl, :2],
                np.asarray(ann['keypoints'])[RHD_TO_MODEL, :2],
                atol=0.2)
            # depth relative to the own wrist, mm
            self.assertEqual(info['keypoints'][0, sl][20, 2], 0)
            np.testing.assert_allclose(
                info['keypoints'][0, sl, 2],
                cam[sl, 2] - cam[sl][20, 2], atol=1e-3)
            self.assertTrue((info['keypoints_visible'][0, sl] == 1).all())
            self.assertTrue((info['keypoints_visible'][0, other] == 0).all())
            np.testing.assert_array_equal(
                info['hand_type'],
                [[hand == 'right', hand == 'left']])
            self.assertEqual(info['abs_depth'], [cam[sl][20, 2]] * 2)
            x, y, w, h = ann['bbox']
            np.testing.assert_allclose(info['bbox'], [[x, y, x + w, y + h]],
                                       rtol=1e-6)
            np.testing.assert_allclose(info['focal'],
                                       raw['images'][i]['cam_param']['focal'])
        hands = [raw['annotations'][i]['hand_type'] for i in range(3)]
        self.assertEqual(sorted(hands), ['left', 'left', 'right'])

    def test_real_sample_through_the_codec(self):
        dataset = build_json(pipeline=VAL_PIPELINE)
        for i in range(len(dataset)):
            out = dataset[i]
            self.assertEqual(tuple(out['inputs'].shape), (3, 256, 256))
            labels = out['data_samples'].gt_instance_labels
            # the 21 joints of the annotated hand are inside the crop
            self.assertEqual(float(labels.keypoint_weights.sum()), 21.)

    def test_bad_json(self):
        tmp = tempfile.mkdtemp()
        try:
            with open(osp.join(RHD_MINI, 'test_rhd.json')) as f:
                raw = json.load(f)
            path = osp.join(tmp, 'test_rhd.json')

            def write(data):
                with open(path, 'w') as f:
                    json.dump(data, f)

            with self.assertRaisesRegex(FileNotFoundError,
                                        'ann_file="test_rhd.json"'):
                build_json(data_root=tmp)
            bad = json.loads(json.dumps(raw))
            del bad['annotations'][1]['joint_cam']
            write(bad)
            with self.assertRaisesRegex(
                    KeyError, r'annotation 1111 .*test_rhd.json.* "joint_cam"'):
                build_json(data_root=tmp)
            bad = json.loads(json.dumps(raw))
            bad['annotations'][2]['joint_cam'][5][0] = float('nan')
            write(bad)
            with self.assertRaisesRegex(ValueError,
                                        r'annotation 11111 .*NaN.*\[4\]'):
                build_json(data_root=tmp)
            bad = json.loads(json.dumps(raw))
            del bad['images'][0]['cam_param']['focal']
            write(bad)
            with self.assertRaisesRegex(KeyError, 'cam_param.*"focal"'):
                build_json(data_root=tmp)
            with open(path, 'w') as f:
                f.write('{"images": [')
            with self.assertRaisesRegex(ValueError, 'not valid json'):
                build_json(data_root=tmp)
        finally:
            shutil.rmtree(tmp)

    def test_bad_numbers_and_empty_split(self):
        """A NaN or empty box, a NaN or zero focal length, a NaN principal
        point and an empty split are refused naming the annotation and the
        file (they used to give NaN joints or mmengine's "need at least one
        array to concatenate")."""
        tmp = tempfile.mkdtemp()
        try:
            with open(osp.join(RHD_MINI, 'test_rhd.json')) as f:
                raw = json.load(f)
            path = osp.join(tmp, 'test_rhd.json')
            nan = float('nan')
            cases = [
                (('annotations', 1, 'bbox'), [nan, 1., 2., 3.],
                 r'annotation 1111 .*test_rhd.json.*: bbox is \[nan'),
                (('annotations', 0, 'bbox'), [1., 1., 0., 5.],
                 r'annotation 111 .*bbox is \[1.0, 1.0, 0.0, 5.0\]'),
                (('images', 2, 'cam_param', 'focal'), [0., 0.],
                 r'annotation 11111 .*focal is \[0.0, 0.0\]: expected '
                 r'finite \(fx, fy\) > 0'),
                (('images', 0, 'cam_param', 'focal'), [nan, 300.],
                 r'annotation 111 .*focal is \[nan, 300.0\]'),
                (('images', 0, 'cam_param', 'princpt'), [nan, 1.],
                 r'annotation 111 .*princpt is \[nan, 1.0\]'),
            ]
            for keys, value, match in cases:
                bad = json.loads(json.dumps(raw))
                node = bad
                for key in keys[:-1]:
                    node = node[key]
                node[keys[-1]] = value
                with open(path, 'w') as f:
                    json.dump(bad, f)
                with self.assertRaisesRegex(ValueError, match):
                    build_json(data_root=tmp)
            bad = dict(raw, annotations=[])
            with open(path, 'w') as f:
                json.dump(bad, f)
            with self.assertRaisesRegex(
                    ValueError, r'Rhd3DDataset: no sample in ann_file '
                    r'".*test_rhd.json" \(3 images, 0 hands kept\): an empty '
                    r'split, or every hand filtered out$'):
                build_json(data_root=tmp)
        finally:
            shutil.rmtree(tmp)

    def test_corrupt_image_names_the_file(self):
        tmp = tempfile.mkdtemp()
        try:
            shutil.copy(osp.join(RHD_MINI, 'test_rhd.json'), tmp)
            for name in ('00111.png', '01111.png', '11111.png'):
                with open(osp.join(tmp, name), 'wb') as f:
                    f.write(b'not a png')
            dataset = build_json(data_root=tmp, pipeline=VAL_PIPELINE)
            with self.assertRaisesRegex(Exception, '00111.png'):
                dataset[0]
        finally:
            shutil.rmtree(tmp)


class TestRhd3DDatasetOriginal(TestCase):
    """The original release layout, on a hand-made pickle."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.set_dir = osp.join(self.tmp, 'training')
        rng = np.random.default_rng(0)
        self.annos = {
            0: fake_anno(rng),  # both hands
            1: fake_anno(rng, left_vis=21, right_vis=3),  # left only
            7: fake_anno(rng, left_vis=0, right_vis=15),  # right only
            9: fake_anno(rng, left_vis=2, right_vis=2),  # none
        }
        write_fake_pickle(self.set_dir, self.annos)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def build(self, **kwargs):
        return build(
            ann_file='training/anno_training.pickle',
            data_root=self.tmp,
            **kwargs)

    def test_per_hand_order_units_presence(self):
        dataset = self.build()
        infos = [dataset.get_data_info(i) for i in range(len(dataset))]
        got = [(d['img_id'], tuple(d['hand_type'][0])) for d in infos]
        self.assertEqual(got, [(0, (1., 0.)), (0, (0., 1.)), (1, (0., 1.)),
                               (7, (1., 0.))])
        for d in infos:
            anno = self.annos[d['img_id']]
            mm = anno['xyz'].astype(np.float64) * 1000.
            right = d['hand_type'][0, 0] == 1
            sl = slice(0, 21) if right else slice(21, 42)
            rhd = slice(21, 42) if right else slice(0, 21)
            cam = d['keypoints_cam'][0]
            # model joint k of the hand = RHD joint RHD_TO_MODEL[k]; m -> mm
            np.testing.assert_allclose(cam[sl], mm[rhd][RHD_TO_MODEL],
                                       rtol=1e-5)
            np.testing.assert_allclose(cam[sl][20], mm[rhd][0], rtol=1e-5)
            self.assertTrue((d['keypoints_visible'][0, sl] == 1).all())
            self.assertEqual(d['keypoints_visible'][0].sum(), 21)
            np.testing.assert_allclose(
                d['keypoints'][0, sl, :2],
                anno['uv_vis'][rhd][RHD_TO_MODEL, :2], atol=1e-2)
            self.assertEqual(d['keypoints'][0, sl][20, 2], 0.)
            self.assertTrue(d['img_path'].endswith(
                osp.join('training', 'color', f'{d["img_id"]:05d}.png')))
            np.testing.assert_allclose(d['focal'], [300., 300.])
            # bbox: the hand's keypoints' box enlarged 1.2 times
            uv = d['keypoints'][0, sl, :2]
            lo, hi = uv.min(0), uv.max(0)
            np.testing.assert_allclose(
                d['bbox'][0, 2:] - d['bbox'][0, :2], 1.2 * (hi - lo),
                rtol=1e-4)

    def test_global_permutation(self):
        self.assertEqual(sorted(RHD42_TO_MODEL42.tolist()), list(range(42)))
        self.assertEqual(RHD42_TO_MODEL42[20], 21)  # right wrist
        self.assertEqual(RHD42_TO_MODEL42[41], 0)  # left wrist
        self.assertEqual(RHD42_TO_MODEL42[0], 22)  # right thumb tip

    def test_per_image_and_options(self):
        dataset = self.build(sample_mode='per_image')
        self.assertEqual(len(dataset), 3)
        both = dataset.get_data_info(0)
        np.testing.assert_array_equal(both['hand_type'], [[1., 1.]])
        self.assertEqual(both['keypoints_visible'].sum(), 42)
        cam = both['keypoints_cam'][0]
        self.assertAlmostEqual(
            float(both['rel_root_depth']), cam[41, 2] - cam[20, 2], places=3)
        self.assertEqual(both['abs_depth'], [cam[20, 2], cam[41, 2]])
        # a lower threshold makes the 3-visible-keypoint right hand present
        self.assertEqual(len(self.build(min_visible_keypoints=3)), 5)
        # joint validity from the visibility flags
        dataset = self.build(joint_validity='visible')
        right7 = [dataset.get_data_info(i) for i in range(len(dataset))][-1]
        self.assertEqual(right7['keypoints_visible'].sum(), 15)

    def test_mask_rule(self):
        mask_dir = osp.join(self.set_dir, 'mask')
        os.makedirs(mask_dir)
        for sid in self.annos:
            mask = np.zeros((320, 320), np.uint8)
            mask[:50, :50] = 5  # left index: 2500 px
            mask[100:105, :10] = 20  # right thumb: 50 px
            cv2.imwrite(osp.join(mask_dir, f'{sid:05d}.png'), mask)
        dataset = self.build(min_mask_pixels=100)
        got = [(dataset.get_data_info(i)['img_id'],
                tuple(dataset.get_data_info(i)['hand_type'][0]))
               for i in range(len(dataset))]
        self.assertEqual(got, [(0, (0., 1.)), (1, (0., 1.))])
        with open(osp.join(mask_dir, '00001.png'), 'wb') as f:
            f.write(b'broken')
        with self.assertRaisesRegex(ValueError, '00001.png'):
            self.build(min_mask_pixels=100)

    def test_bad_pickle(self):
        path = osp.join(self.set_dir, 'anno_training.pickle')
        with self.assertRaisesRegex(FileNotFoundError,
                                    'anno_evaluation.pickle'):
            build(ann_file='evaluation/anno_evaluation.pickle',
                  data_root=self.tmp)
        bad = dict(self.annos)
        bad[7] = dict(bad[7])
        del bad[7]['K']
        write_fake_pickle(self.set_dir, bad)
        with self.assertRaisesRegex(KeyError,
                                    r'sample 7 .*anno_training.pickle.*"K"'):
            self.build()
        bad[7] = dict(self.annos[7])
        bad[7]['xyz'] = bad[7]['xyz'].copy()
        bad[7]['xyz'][23, 1] = np.nan  # RHD right thumb 2nd -> model 1
        write_fake_pickle(self.set_dir, bad)
        with self.assertRaisesRegex(ValueError, r'sample 7 .*NaN.*\[1\]'):
            self.build()
        bad[7]['xyz'] = bad[7]['xyz'][:21]
        write_fake_pickle(self.set_dir, bad)
        with self.assertRaisesRegex(ValueError, r'"xyz" has shape \(21, 3\)'):
            self.build()
        with open(path, 'wb') as f:
            f.write(b'\x80\x04truncated')
        with self.assertRaisesRegex(ValueError, 'not a readable pickle'):
            self.build()
        with self.assertRaisesRegex(ValueError, 'per_image'):
            build_json(sample_mode='per_image')

    def test_code_in_the_annotation_pickle_is_refused(self):
        from a2jt_mmpose.utils import UnsafePickleError
        marker = osp.join(self.tmp, 'ran')

        class Payload:

            def __reduce__(self):
                return (os.system, (f'touch {marker}', ))

        bad = dict(self.annos)
        bad[1] = dict(bad[1], K=Payload())
        write_fake_pickle(self.set_dir, bad)
        with self.assertRaisesRegex(
                UnsafePickleError,
                r'ann_file ".*anno_training\.pickle".*global "posix\.system"'):
            self.build()
        self.assertFalse(osp.exists(marker))
        # the real layout (numpy arrays in dicts) still loads
        write_fake_pickle(self.set_dir, self.annos)
        self.assertEqual(len(self.build()), 4)
