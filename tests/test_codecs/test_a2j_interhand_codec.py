# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from unittest import TestCase

import numpy as np

from a2jt_mmpose.codecs import A2JInterHandCodec


class TestA2JInterHandCodec(TestCase):

    def setUp(self):
        self.codec = A2JInterHandCodec(input_size=(256, 256))
        rng = np.random.default_rng(0)
        kpts = np.zeros((2, 42, 3), np.float32)
        kpts[..., :2] = rng.uniform(0, 255, (2, 42, 2))
        kpts[..., 2] = rng.uniform(-199, 199, (2, 42))
        self.keypoints = kpts

    def test_depth_bins(self):
        # official: bin = 128 + 0.64 * dz; 1 bin = 1.5625 mm
        enc = self.codec.encode(np.array([[[10., 20., 0.], [5., 5., 100.],
                                           [5., 5., -200.]]]))
        np.testing.assert_allclose(enc['keypoint_labels'][0, :, 2],
                                   [128., 192., 0.])
        np.testing.assert_allclose(self.codec.bins_to_mm(np.array([129.])),
                                   [1.5625])

    def test_round_trip_is_identity_on_valid_joints(self):
        enc = self.codec.encode(self.keypoints, np.ones((2, 42)))
        self.assertEqual(enc['keypoint_labels'].shape, (2, 42, 3))
        self.assertTrue((enc['keypoint_weights'] == 1).all())
        dec, scores = self.codec.decode(enc['keypoint_labels'])
        np.testing.assert_allclose(dec, self.keypoints, atol=1e-4)
        self.assertEqual(scores.shape, (2, 42))

    def test_out_of_volume_and_invisible_joints_are_invalid(self):
        kpts = self.keypoints.copy()
        kpts[0, 0, 0] = -1.  # left of the input
        kpts[0, 1, 1] = 256.  # below the input
        kpts[0, 2, 2] = 200.  # bin 256: outside [0, 256)
        kpts[0, 3, 2] = -200.5
        visible = np.ones((2, 42))
        visible[1, 7] = 0
        w = self.codec.encode(kpts, visible)['keypoint_weights']
        self.assertEqual(np.flatnonzero(w[0] == 0).tolist(), [0, 1, 2, 3])
        self.assertEqual(np.flatnonzero(w[1] == 0).tolist(), [7])

    def test_nan_joints(self):
        kpts = self.keypoints.copy()
        kpts[0, 5, 2] = np.nan
        visible = np.ones((2, 42))
        with self.assertRaisesRegex(ValueError, r'NaN/inf.*\[\[0, 5\]\]'):
            self.codec.encode(kpts, visible)
        # invisible NaN joints are fine and get zero weight and label
        visible[0, 5] = 0
        enc = self.codec.encode(kpts, visible)
        self.assertEqual(enc['keypoint_weights'][0, 5], 0)
        self.assertTrue(np.isfinite(enc['keypoint_labels']).all())

    def test_bad_settings(self):
        with self.assertRaisesRegex(ValueError, 'input_size'):
            A2JInterHandCodec(input_size=(0, 256))
        with self.assertRaisesRegex(ValueError, 'depth_size'):
            A2JInterHandCodec(depth_size=0)
        with self.assertRaisesRegex(ValueError, r'\(N, K, 3\)'):
            self.codec.encode(np.zeros((42, 3)))


class TestA2JInterHandCodecHandTypeAndRootDepth(TestCase):
    """Targets and decoding of the optional hand-type / root-depth heads."""

    def setUp(self):
        self.codec = A2JInterHandCodec(input_size=(256, 256))
        self.kpts = np.full((1, 42, 3), 100., np.float32)
        self.kpts[..., 2] = 0.

    def test_root_bins(self):
        # InterNet: 64 bins over +-200 mm: bin = 32 + 0.16 * mm
        np.testing.assert_allclose(
            self.codec.mm_to_root_bins(np.array([0., 50., -200., 100.])),
            [32., 40., 0., 48.])
        np.testing.assert_allclose(
            self.codec.decode_root_depth(np.array([40., 0.])), [50., -200.])

    def test_encode_interacting(self):
        enc = self.codec.encode(
            self.kpts, np.ones((1, 42)), hand_type=np.array([[1., 1.]]),
            hand_type_valid=np.array([1.]), rel_root_depth=np.float32(50.),
            rel_root_valid=np.float32(1.))
        self.assertEqual(enc['hand_type_labels'].tolist(), [[1., 1.]])
        self.assertEqual(enc['hand_type_weights'].tolist(), [1.])
        self.assertEqual(enc['root_depth_labels'].tolist(), [40.])
        self.assertEqual(enc['root_depth_weights'].tolist(), [1.])
        for key in ('hand_type_labels', 'hand_type_weights',
                    'root_depth_labels', 'root_depth_weights'):
            self.assertEqual(enc[key].dtype, np.float32)
            self.assertIn(key, self.codec.label_mapping_table)

    def test_root_depth_validity(self):

        def weight(**kwargs):
            args = dict(
                keypoints_visible=np.ones((1, 42)),
                hand_type=np.array([[1., 1.]]),
                rel_root_depth=np.float32(50.),
                rel_root_valid=np.float32(1.))
            args.update(kwargs)
            return self.codec.encode(self.kpts,
                                     **args)['root_depth_weights'][0]

        self.assertEqual(weight(), 1.)
        # single hand (InterNet: only interacting frames)
        self.assertEqual(weight(hand_type=np.array([[0., 1.]])), 0.)
        # a root invisible, or outside the crop
        vis = np.ones((1, 42))
        vis[0, 41] = 0
        self.assertEqual(weight(keypoints_visible=vis), 0.)
        kpts = self.kpts.copy()
        kpts[0, 20, 0] = 300.
        enc = self.codec.encode(kpts, np.ones((1, 42)), np.array([[1., 1.]]),
                                None, np.float32(50.), np.float32(1.))
        self.assertEqual(enc['root_depth_weights'][0], 0.)
        # outside +-200 mm, or flagged invalid by the dataset
        self.assertEqual(weight(rel_root_depth=np.float32(200.)), 0.)
        self.assertEqual(weight(rel_root_depth=np.float32(-200.)), 1.)
        self.assertEqual(weight(rel_root_valid=np.float32(0.)), 0.)
        self.assertEqual(weight(rel_root_depth=np.float32(np.nan)), 0.)

    def test_without_dataset_fields_nothing_extra(self):
        enc = self.codec.encode(self.kpts, np.ones((1, 42)))
        self.assertEqual(set(enc), {'keypoint_labels', 'keypoint_weights'})

    def test_decode_hand_type(self):
        hand_type, prob = self.codec.decode_hand_type(
            np.array([[3., -3.], [-3., 3.], [2., 1.], [-2., -1.]]))
        self.assertEqual(hand_type.tolist(),
                         [[1., 0.], [0., 1.], [1., 1.], [0., 1.]])
        np.testing.assert_allclose(prob[0], [0.952574, 0.047426], atol=1e-6)

    def test_mask_absent_hands(self):
        # InterHand2.6M layout: joints 0-20 right hand, 21-41 left hand
        masks = self.codec.hand_joint_masks(42)
        self.assertEqual(masks.shape, (2, 42))
        self.assertEqual(np.flatnonzero(masks[0]).tolist(), list(range(21)))
        self.assertEqual(np.flatnonzero(masks[1]).tolist(),
                         list(range(21, 42)))
        scores = np.linspace(0.1, 1., 4 * 42, dtype=np.float32).reshape(4, 42)
        hand_type = np.array([[1., 1.], [1., 0.], [0., 1.], [0., 0.]])
        masked = self.codec.mask_absent_hands(scores, hand_type)
        self.assertEqual(masked.dtype, np.float32)
        np.testing.assert_array_equal(masked[0], scores[0])
        np.testing.assert_array_equal(masked[1, :21], scores[1, :21])
        self.assertFalse(masked[1, 21:].any())
        self.assertFalse(masked[2, :21].any())
        np.testing.assert_array_equal(masked[2, 21:], scores[2, 21:])
        self.assertFalse(masked[3].any())
        # one sample's (2,) hand type; the input is left as it was
        expected = scores[:1].copy()
        expected[:, :21] = 0.
        np.testing.assert_array_equal(
            self.codec.mask_absent_hands(scores[:1], np.array([0., 1.])),
            expected)
        self.assertTrue(scores.all())
        with self.assertRaisesRegex(ValueError, 'two hands.*K=5'):
            self.codec.mask_absent_hands(np.ones((1, 5)), hand_type[:1])

    def test_real_samples_through_the_train_pipeline(self):
        """The 4 real InterHand2.6M frames (2 interacting, 1 left, 1 right)
        through the InterHand config's pipeline without random transforms:
        the packed labels follow the dataset's data_info."""
        from mmpose.registry import DATASETS

        from conftest import interhand_mini_split
        codec = dict(type='A2JInterHandCodec', input_size=(256, 256))
        dataset = DATASETS.build(
            dict(
                type='CheckedInterHand3DDataset',
                data_mode='topdown',
                pipeline=[
                    dict(type='LoadImage'),
                    dict(type='GetBBoxCenterScale', padding=1.25),
                    dict(type='TopdownAffine', input_size=(256, 256)),
                    dict(type='GenerateTarget', encoder=codec),
                    dict(type='PackPoseInputs',
                         meta_keys=('id', 'hand_type', 'hand_type_valid'))
                ],
                **interhand_mini_split()))
        seen, weights = set(), []
        for i in range(len(dataset)):
            info = dataset.get_data_info(i)
            sample = dataset[i]['data_samples']
            labels = sample.gt_instance_labels
            hand_type = info['hand_type']
            np.testing.assert_array_equal(labels.hand_type_labels.numpy(),
                                          hand_type)
            np.testing.assert_array_equal(sample.hand_type, hand_type)
            self.assertEqual(labels.hand_type_weights.tolist(),
                             [float(info['hand_type_valid'][0] > 0)])
            interacting = bool(hand_type.all())
            seen.add(interacting)
            weight = labels.root_depth_weights.item()
            weights.append(weight)
            if interacting and info['rel_root_valid']:
                self.assertEqual(weight, 1.)
                self.assertAlmostEqual(
                    labels.root_depth_labels.item(),
                    32. + 0.16 * float(info['rel_root_depth']), places=3)
            else:
                self.assertEqual(weight, 0.)
        self.assertEqual(seen, {True, False})
        self.assertEqual(sorted(weights), [0., 0., 1., 1.])
