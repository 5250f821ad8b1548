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
