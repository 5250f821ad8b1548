# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import filecmp
import json
import os
import os.path as osp
import subprocess
import sys
import tempfile
import time
from unittest import TestCase

import cv2
import numpy as np

from a2jt_mmpose.datasets.synthetic import (
    BONE_LENGTH_RANGES, GESTURES, JOINT_LIMITS_DEG, SCALE_RANGE, HandRenderer,
    PinholeCamera, TwoHandSample, bone_lengths, forward_kinematics,
    generate_interhand, interhand_paths, plan_interhand, sample_hand_pose,
    sample_hand_shape, sample_hands)
from a2jt_mmpose.datasets.synthetic.hand_model import (HandPose,
                                                       mirror_to_left)
from a2jt_mmpose.datasets.synthetic.renderer import (MASK_LEFT_HAND,
                                                     MASK_RIGHT_HAND,
                                                     PARTS_PER_HAND)

REPO_ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
from conftest import INTERHAND_MINI  # noqa: E402
REAL_DIR = INTERHAND_MINI
REAL_FILES = dict(
    ann_file='test_interhand2.6m_data.json',
    camera_file='test_interhand2.6m_camera.json',
    joint_file='test_interhand2.6m_joint_3d.json')
TIP_JOINTS = (0, 4, 8, 12, 16)


def _schema(obj):
    """Structure of a json value: key sets of records, a placeholder for
    dicts keyed by ids (digit strings), element schema of lists and the type
    names of leaves."""
    if isinstance(obj, dict):
        if obj and all(isinstance(k, str) and k.isdigit() for k in obj):
            schemas = {
                json.dumps(_schema(v), sort_keys=True)
                for v in obj.values()
            }
            assert len(schemas) == 1, schemas
            return {'<id>': _schema(next(iter(obj.values())))}
        return {k: _schema(v) for k, v in obj.items()}
    if isinstance(obj, list):
        schemas = {json.dumps(_schema(v), sort_keys=True) for v in obj}
        assert len(schemas) <= 1, schemas
        return [_schema(obj[0])] if obj else []
    return type(obj).__name__


def _load(paths):
    out = {}
    for k in ('ann_file', 'camera_file', 'joint_file'):
        with open(paths[k]) as f:
            out[k] = json.load(f)
    return out


def _camera(cameras, image):
    return PinholeCamera.from_interhand_dict(cameras[str(image['capture'])],
                                             image['camera'])


def _open_hand():
    return HandPose(np.zeros((5, 4)), 0., np.zeros(2))


class TestSyntheticInterHand(TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.root = osp.join(cls.tmp.name, 'synth')
        cls.num = 24
        t0 = time.perf_counter()
        cls.cfg = dict(
            seed=3,
            img_size=(256, 256),
            frames_per_seq=(1, 2),
            cams_per_frame=(1, 2))
        cls.res = generate_interhand(
            cls.root, 'test', num_images=cls.num, **cls.cfg)
        cls.files = _load(cls.res)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_layout(self):
        paths = interhand_paths(self.root, 'test')
        for k in ('ann_file', 'camera_file', 'joint_file'):
            self.assertTrue(osp.isfile(paths[k]))
            self.assertEqual(
                osp.relpath(paths[k], self.root), paths[k + '_rel'])
        self.assertEqual(
            osp.basename(paths['ann_file']), 'InterHand2.6M_test_data.json')
        data = self.files['ann_file']
        self.assertEqual(len(data['images']), self.num)
        self.assertEqual(len(data['annotations']), self.num)
        for img in data['images']:
            self.assertEqual(
                img['file_name'], f'Capture{img["capture"]}/{img["seq_name"]}'
                f'/cam{img["camera"]}/image{img["frame_idx"]}.jpg')
            im = cv2.imread(osp.join(self.res['img_dir'], img['file_name']))
            self.assertEqual(im.shape, (img['height'], img['width'], 3))
            # the frame exists in joint_3d and the camera in camera.json
            self.assertIn(
                str(img['frame_idx']),
                self.files['joint_file'][str(img['capture'])])
            self.assertIn(
                img['camera'],
                self.files['camera_file'][str(img['capture'])]['focal'])
        self.assertEqual([a['image_id'] for a in data['annotations']],
                         [i['id'] for i in data['images']])

    def test_schema_matches_real_files(self):
        if not osp.isdir(REAL_DIR):
            self.fail(f'the real InterHand2.6M samples are missing: '
                      f'{REAL_DIR}')
        for key, name in REAL_FILES.items():
            with open(osp.join(REAL_DIR, name)) as f:
                real = json.load(f)
            self.assertEqual(_schema(self.files[key]), _schema(real), msg=key)
        # hand types, absent hands and validity conventions
        joints = self.files['joint_file']
        types = set()
        for cap in joints.values():
            for fr in cap.values():
                types.add(fr['hand_type'])
                wc = np.array(fr['world_coord'])
                jv = np.array(fr['joint_valid'])[:, 0]
                self.assertEqual(wc.shape, (42, 3))
                if fr['hand_type'] == 'right':
                    self.assertFalse(jv[21:].any())
                    np.testing.assert_array_equal(wc[21:], 1.0)
                if fr['hand_type'] == 'left':
                    self.assertFalse(jv[:21].any())
                    np.testing.assert_array_equal(wc[:21], 1.0)
        self.assertEqual(types, {'right', 'left', 'interacting'})

    def test_determinism(self):
        with tempfile.TemporaryDirectory() as tmp:
            a = generate_interhand(
                osp.join(tmp, 'a'), 'test', self.num, workers=2, **self.cfg)
            cfg = dict(self.cfg, seed=4)
            b = generate_interhand(osp.join(tmp, 'b'), 'test', 6, **cfg)
            for k in ('ann_file', 'camera_file', 'joint_file'):
                self.assertTrue(
                    filecmp.cmp(self.res[k], a[k], shallow=False), msg=k)
                self.assertFalse(
                    filecmp.cmp(self.res[k], b[k], shallow=False), msg=k)
            for img in self.files['ann_file']['images']:
                self.assertTrue(
                    filecmp.cmp(
                        osp.join(self.res['img_dir'], img['file_name']),
                        osp.join(a['img_dir'], img['file_name']),
                        shallow=False))

    def test_projection_inside_bbox_and_image(self):
        data = self.files['ann_file']
        joints = self.files['joint_file']
        cams = self.files['camera_file']
        for img, ann in zip(data['images'], data['annotations']):
            cam = _camera(cams, img)
            world = np.array(joints[str(img['capture'])][str(
                img['frame_idx'])]['world_coord'])
            valid = np.array(ann['joint_valid'])[:, 0] > 0
            self.assertGreater(valid.sum(), 0)
            uv = cam.project(world[valid])
            self.assertTrue(np.all(cam.world_to_cam(world[valid])[:, 2] > 0))
            self.assertTrue(np.all(uv >= 0))
            self.assertTrue(np.all(uv[:, 0] <= img['width'] - 1))
            self.assertTrue(np.all(uv[:, 1] <= img['height'] - 1))
            x, y, w, h = ann['bbox']
            self.assertTrue(np.all(uv[:, 0] >= x) and np.all(uv[:, 1] >= y))
            self.assertTrue(
                np.all(uv[:, 0] <= x + w) and np.all(uv[:, 1] <= y + h))
            # the box is the joints' box enlarged 1.2 times (as released)
            np.testing.assert_allclose(
                w, 1.2 * np.ptp(uv[:, 0]), rtol=1e-4, atol=1e-3)
            np.testing.assert_allclose(
                h, 1.2 * np.ptp(uv[:, 1]), rtol=1e-4, atol=1e-3)

    def test_joints_on_rendered_hands(self):
        """Every joint lies inside (tips: on) the rendered volume, so the
        z-buffer at its pixel is in front of (or at) the joint."""
        rng = np.random.default_rng(0)
        renderer = HandRenderer((256, 256))
        center = np.array([0., 0., 1000.])
        cam = PinholeCamera(
            np.zeros(3), np.eye(3), np.array([900., 900.]),
            np.array([128., 128.]))
        checked = 0
        for i in range(6):
            sample = sample_hands(rng, ('interacting', 'right', 'left')[i % 3],
                                  sample_hand_shape(rng), center)
            res = renderer.render(rng, sample, cam)
            for k in np.flatnonzero(np.repeat(sample.present, 21)):
                u, v = np.round(res.joints_img[k]).astype(int)
                if not (1 <= u < 255 and 1 <= v < 255):
                    continue
                z = res.joints_cam[k, 2]
                win = res.depth[v - 1:v + 2, u - 1:u + 2]
                self.assertTrue((win > 0).any())
                if k % 21 not in TIP_JOINTS:
                    self.assertGreater(res.depth[v, u], 0)
                    self.assertLessEqual(res.depth[v, u], z + 1.0)
                checked += 1
            # outputs are consistent with each other
            fg = res.depth > 0
            np.testing.assert_array_equal(fg, res.mask > 0)
            np.testing.assert_array_equal(fg, res.part >= 0)
            self.assertEqual(res.depth.dtype, np.float32)
            self.assertEqual(res.image.dtype, np.uint8)
        self.assertGreater(checked, 100)

    def test_occlusion_is_real(self):
        """A left hand 80 mm behind a right hand: its occluded joints show
        the right hand's colour, depth and part."""
        rng = np.random.default_rng(1)
        shape = sample_hand_shape(rng)
        local = forward_kinematics(shape, _open_hand())
        # palm towards the camera (camera looks along +z): local +z -> -z
        R = np.diag([1., 1., -1.]) @ np.diag([-1., 1., 1.])  # rot about y
        right = local @ R.T + np.array([0., -40., 600.])
        left = mirror_to_left(local) @ R.T + np.array([15., -40., 680.])
        sample = TwoHandSample(
            joints=np.concatenate([right, left]),
            present=np.array([True, True]),
            forearm_dirs=np.full((2, 3), np.nan),
            hand_type='interacting',
            shapes=[shape, shape],
            mode='test')
        cam = PinholeCamera(
            np.zeros(3), np.eye(3), np.array([500., 500.]),
            np.array([128., 128.]))
        renderer = HandRenderer((256, 256), forearm_prob=0.)
        red, blue = np.array([0., 0., 1.]), np.array([1., 0., 0.])
        res = renderer.render(
            rng,
            sample,
            cam,
            skin_tones=[red, blue],
            background=np.zeros((256, 256, 3), np.uint8),
            light_dir=np.array([0., 0., -1.]),
            photometric=False)
        occluded = visible = 0
        for k in range(21, 42):
            u, v = np.round(res.joints_img[k]).astype(int)
            z = res.joints_cam[k, 2]
            b, g, r = res.image[v, u].astype(int)
            if res.mask[v, u] == MASK_RIGHT_HAND:
                occluded += 1
                self.assertLess(res.depth[v, u], z - 40)
                self.assertLess(res.part[v, u], PARTS_PER_HAND)
                self.assertGreater(r, b + 30)  # right hand's colour
            elif k - 21 not in TIP_JOINTS:  # tips lie on the silhouette
                visible += 1
                self.assertEqual(res.mask[v, u], MASK_LEFT_HAND)
                self.assertGreater(b, r + 30)
                self.assertLessEqual(res.depth[v, u], z + 1.0)
        self.assertGreaterEqual(occluded, 5)
        self.assertGreaterEqual(visible, 1)
        # all right-hand joints are visible and red
        for k in range(21):
            u, v = np.round(res.joints_img[k]).astype(int)
            if k not in TIP_JOINTS:
                self.assertEqual(res.mask[v, u], MASK_RIGHT_HAND)
        # and the same joints are fully visible without the occluder
        sample.present = np.array([False, True])
        alone = renderer.render(
            rng,
            sample,
            cam,
            skin_tones=[red, blue],
            background=np.zeros((256, 256, 3), np.uint8),
            light_dir=np.array([0., 0., -1.]),
            photometric=False)
        for k in range(21, 42):
            u, v = np.round(alone.joints_img[k]).astype(int)
            if k - 21 not in TIP_JOINTS:
                self.assertEqual(alone.mask[v, u], MASK_LEFT_HAND)

    def test_bone_lengths_and_limits(self):
        rng = np.random.default_rng(2)
        lo, hi = BONE_LENGTH_RANGES[:, 0], BONE_LENGTH_RANGES[:, 1]
        lim = np.deg2rad(JOINT_LIMITS_DEG)
        for _ in range(50):
            shape = sample_hand_shape(rng)
            pose = sample_hand_pose(rng)
            self.assertTrue(SCALE_RANGE[0] <= shape.scale <= SCALE_RANGE[1])
            self.assertTrue(np.all(pose.angles >= lim[..., 0] - 1e-9))
            self.assertTrue(np.all(pose.angles <= lim[..., 1] + 1e-9))
            lengths = bone_lengths(forward_kinematics(shape, pose))
            self.assertTrue(np.all(lengths / shape.scale >= lo - 1e-6))
            self.assertTrue(np.all(lengths / shape.scale <= hi + 1e-6))
        # the written world coordinates keep the lengths (float32 rounding)
        for cap in self.files['joint_file'].values():
            for fr in cap.values():
                lengths = bone_lengths(np.array(fr['world_coord']))
                for k, present in enumerate(
                        np.array(fr['joint_valid'])[[20, 41], 0]):
                    if present:
                        self.assertTrue(
                            np.all(lengths[k] >= lo * SCALE_RANGE[0] - 1e-3))
                        self.assertTrue(
                            np.all(lengths[k] <= hi * SCALE_RANGE[1] + 1e-3))

    def test_left_hand_is_mirrored(self):
        """Chirality: the (thumb, index, pinky) triple product flips sign
        between right and left hands, whatever the global rotation."""
        rng = np.random.default_rng(5)

        def chirality(h):
            a, b, c = h[3] - h[20], h[7] - h[20], h[19] - h[20]
            return np.sign(np.dot(np.cross(a, b), c))

        signs = set()
        for _ in range(10):
            s = sample_hands(rng, 'interacting', sample_hand_shape(rng),
                             np.zeros(3))
            r, lf = chirality(s.joints[:21]), chirality(s.joints[21:])
            self.assertEqual(r, -lf)
            signs.add(r)
        self.assertEqual(len(signs), 1)

    def test_mmpose_interhand3d_dataset(self):
        from mmpose.datasets import InterHand3DDataset
        ds = InterHand3DDataset(
            ann_file=self.res['ann_file_rel'],
            camera_param_file=self.res['camera_file_rel'],
            joint_file=self.res['joint_file_rel'],
            data_root=self.root,
            data_prefix=dict(img='images/test/'),
            metainfo=dict(from_file='configs/_base_/datasets/interhand3d.py'),
            data_mode='topdown',
            test_mode=True,
            pipeline=[])
        self.assertEqual(len(ds), self.num)
        data = self.files['ann_file']
        by_id = {
            im['id']: (im, an)
            for im, an in zip(data['images'], data['annotations'])
        }
        for i in range(len(ds)):
            info = ds[i]
            img, ann = by_id[info['img_id']]
            self.assertTrue(osp.isfile(info['img_path']))
            cam = _camera(self.files['camera_file'], img)
            world = np.array(self.files['joint_file'][str(img['capture'])][str(
                img['frame_idx'])]['world_coord'])
            np.testing.assert_allclose(
                info['keypoints_cam'][0],
                cam.world_to_cam(world),
                rtol=1e-5,
                atol=1e-2)
            valid = np.array(ann['joint_valid'])[:, 0] > 0
            np.testing.assert_allclose(
                info['keypoints'][0, valid, :2],
                cam.project(world[valid]),
                rtol=1e-5,
                atol=1e-2)
            expect = dict(right=[1, 0], left=[0, 1], interacting=[1, 1])
            np.testing.assert_array_equal(info['hand_type'][0],
                                          expect[ann['hand_type']])

    def test_cli(self):
        script = osp.join(REPO_ROOT, 'tools', 'dataset_converters',
                          'generate_synthetic_interhand.py')
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run([
                sys.executable, script, '--out-dir', tmp, '--splits', 'train',
                'val', '--num-images', '5', '3', '--seed', '1', '--img-size',
                '96', '128', '--poses', 'gestures', '--quiet'
            ],
                                 capture_output=True,
                                 text=True,
                                 check=True,
                                 env=dict(os.environ, PYTHONPATH=REPO_ROOT))
            self.assertIn('images/s', out.stdout)
            for split, n in (('train', 5), ('val', 3)):
                paths = interhand_paths(tmp, split)
                with open(paths['ann_file']) as f:
                    data = json.load(f)
                self.assertEqual(len(data['images']), n)
                self.assertEqual(
                    (data['images'][0]['width'], data['images'][0]['height']),
                    (96, 128))
                # --poses gestures: sequences are named after gestures
                for im in data['images']:
                    self.assertTrue(
                        any(g in im['seq_name'] for g in GESTURES),
                        im['seq_name'])


class TestFacingCameraPreset(TestCase):
    """``facing_camera_tilt``: one camera per frame, palm towards it."""

    def test_palm_faces_the_rendering_camera(self):
        with tempfile.TemporaryDirectory() as tmp:
            res = generate_interhand(
                tmp, 'train', num_images=16, seed=5, img_size=(128, 128),
                interacting_ratio=0., facing_camera_tilt=20.)
            files = _load(res)
        images = files['ann_file']['images']
        self.assertEqual(len(images), 16)
        frames = {(im['capture'], im['frame_idx']) for im in images}
        self.assertEqual(len(frames), 16)  # one image per frame
        for im, ann in zip(images, files['ann_file']['annotations']):
            cam = _camera(files['camera_file'], im)
            world = np.array(files['joint_file'][str(im['capture'])][str(
                im['frame_idx'])]['world_coord'])
            k = 0 if ann['hand_type'] == 'right' else 21
            joints = cam.world_to_cam(world[k:k + 21])
            wrist, index, pinky = joints[20], joints[7], joints[19]
            normal = np.cross(index - wrist, pinky - wrist)
            normal = normal / np.linalg.norm(normal)
            if k:  # mirrored hand: the cross product flips
                normal = -normal
            # palm normal (+z of the right hand frame = index x pinky side)
            # points towards the camera: negative camera z, up to the tilt
            # and the palm's own cup / spread
            self.assertLess(normal[2], -0.5, (im['file_name'], normal))
            # the wrist (root) of the hand is inside the image: valid
            self.assertEqual(ann['joint_valid'][20 + k][0], 1,
                             im['file_name'])

    def test_both_palms_face_the_camera_in_interacting_frames(self):
        with tempfile.TemporaryDirectory() as tmp:
            res = generate_interhand(
                tmp, 'train', num_images=12, seed=6, img_size=(128, 128),
                interacting_ratio=1., facing_camera_tilt=20.)
            files = _load(res)
        images = files['ann_file']['images']
        anns = files['ann_file']['annotations']
        self.assertTrue(all(a['hand_type'] == 'interacting' for a in anns))
        for im in images:
            cam = _camera(files['camera_file'], im)
            world = np.array(files['joint_file'][str(im['capture'])][str(
                im['frame_idx'])]['world_coord'])
            for k, sign in ((0, 1.), (21, -1.)):
                joints = cam.world_to_cam(world[k:k + 21])
                wrist, index, pinky = joints[20], joints[7], joints[19]
                normal = sign * np.cross(index - wrist, pinky - wrist)
                normal = normal / np.linalg.norm(normal)
                # 'side' turns the left hand by <= 40 + 25 degrees about the
                # fingers, 'stacked' only in the palm plane (+ <= 25 deg)
                self.assertLess(normal[2], -0.2, (im['file_name'], k))


class TestInteractionModes(TestCase):

    def test_modes_are_sampled_from_the_given_table(self):
        from a2jt_mmpose.datasets.synthetic.hand_model import (
            FACING_INTERACTION_MODES, sample_hand_shape, sample_hands)
        rng = np.random.default_rng(0)
        shape = sample_hand_shape(rng)
        modes = {
            sample_hands(rng, 'interacting', shape, np.zeros(3),
                         interaction_modes=FACING_INTERACTION_MODES).mode
            for _ in range(40)
        }
        self.assertEqual(modes, set(FACING_INTERACTION_MODES))
        only = {
            sample_hands(rng, 'interacting', shape, np.zeros(3),
                         interaction_modes=dict(crossed=1.)).mode
            for _ in range(5)
        }
        self.assertEqual(only, {'crossed'})
        with self.assertRaisesRegex(ValueError, 'unknown'):
            sample_hands(rng, 'interacting', shape, np.zeros(3),
                         interaction_modes=dict(twisted=1.))


class TestGestures(TestCase):
    """``poses='gestures'``: InterHand2.6M-like sequences of one gesture."""

    def test_gesture_articulation(self):
        rng = np.random.default_rng(3)
        lim = np.deg2rad(JOINT_LIMITS_DEG)
        flexion = {}
        for name in GESTURES:
            poses = [sample_hand_pose(rng, name) for _ in range(20)]
            for pose in poses:
                self.assertTrue(np.all(pose.angles >= lim[..., 0] - 1e-9))
                self.assertTrue(np.all(pose.angles <= lim[..., 1] + 1e-9))
            # PIP flexion of index..little, averaged over the draws
            flexion[name] = np.mean([p.angles[1:, 2] for p in poses], 0)
        self.assertTrue(np.all(flexion['fist'] > np.deg2rad(80)))
        self.assertTrue(np.all(flexion['five_spread'] < np.deg2rad(25)))
        # index straight, the others flexed
        self.assertLess(flexion['index_point'][0], np.deg2rad(25))
        self.assertTrue(np.all(flexion['index_point'][1:] > np.deg2rad(80)))
        # draws of one gesture vary much less than free articulations
        free = np.std([sample_hand_pose(rng).angles for _ in range(200)], 0)
        one = np.std([sample_hand_pose(rng, 'peace').angles
                      for _ in range(200)], 0)
        self.assertLess(one[1:, 1:3].mean(), 0.5 * free[1:, 1:3].mean())
        with self.assertRaisesRegex(ValueError, 'unknown gesture'):
            sample_hand_pose(rng, 'wave')

    def test_sequences_show_one_gesture(self):
        data, _, joints, _ = plan_interhand(
            'train', 60, seed=4, img_size=(128, 128),
            facing_camera_tilt=30., poses='gestures')
        by_seq = {}
        for im, ann in zip(data['images'], data['annotations']):
            by_seq.setdefault(im['seq_name'], []).append((im, ann))
        self.assertGreater(len(by_seq), 3)
        for seq_name, items in by_seq.items():
            hand_type = items[0][1]['hand_type']
            words = seq_name.split('_', 2)[2]
            if hand_type == 'interacting':
                self.assertTrue(
                    any(words == f'{a}_{b}' for a in GESTURES
                        for b in GESTURES), seq_name)
            else:
                self.assertIn(words, GESTURES, seq_name)
        with self.assertRaisesRegex(ValueError, 'poses'):
            plan_interhand('train', 4, seed=0, poses='random')
