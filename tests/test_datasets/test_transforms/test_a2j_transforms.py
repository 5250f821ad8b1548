# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from unittest import TestCase

import numpy as np

from a2jt_mmpose.datasets.transforms import (InterNetBBoxTransform,
                                             RandomColorGain)


class TestRandomColorGain(TestCase):

    def test_per_channel_gain_and_clip(self):
        np.random.seed(0)
        img = np.full((4, 4, 3), 250, np.uint8)
        img[0, 0] = (10, 100, 200)
        out = RandomColorGain((0.8, 1.2))(dict(img=img.copy()))['img']
        self.assertEqual(out.dtype, np.float32)
        self.assertLessEqual(out.max(), 255.)
        gains = out[0, 0] / np.array([10., 100., 200.])
        self.assertTrue(((gains >= 0.8) & (gains <= 1.2)).all())
        self.assertGreater(np.ptp(gains), 0)  # independent per channel

    def test_bad_range(self):
        with self.assertRaisesRegex(ValueError, 'gain_range'):
            RandomColorGain((1.2, 0.8))


class TestInterNetBBoxTransform(TestCase):

    def test_distributions(self):
        np.random.seed(0)
        t = InterNetBBoxTransform()
        offsets, scales, rotations = [], [], []
        for _ in range(4000):
            o, s, r = t._get_transform_params(1)
            offsets.append(o[0])
            scales.append(s[0, 0])
            rotations.append(r[0])
        offsets, scales, rotations = map(np.array,
                                         (offsets, scales, rotations))
        # shift: uniform +-0.15 (std 0.15 / sqrt(3))
        self.assertLessEqual(np.abs(offsets).max(), 0.15)
        self.assertAlmostEqual(offsets.std(), 0.15 / np.sqrt(3), delta=0.005)
        # scale: 1 + 0.25 * clip(N, -1, 1), with mass at the bounds
        self.assertAlmostEqual(scales.min(), 0.75, places=5)
        self.assertAlmostEqual(scales.max(), 1.25, places=5)
        self.assertGreater(np.mean(np.isclose(scales, 1.25)), 0.1)
        # rotation: 0 with p 0.4, else 45 * clip(N, -2, 2)
        self.assertAlmostEqual(np.mean(rotations == 0), 0.4, delta=0.03)
        self.assertLessEqual(np.abs(rotations).max(), 90.)
        nonzero = rotations[rotations != 0]
        # std of clip(N(0, 1), -2, 2) is 0.9595
        self.assertAlmostEqual(nonzero.std(), 45 * 0.9595, delta=2.)

    def test_transform_moves_box(self):
        np.random.seed(1)
        res = InterNetBBoxTransform()(
            dict(
                bbox_center=np.array([[100., 100.]], np.float32),
                bbox_scale=np.array([[50., 50.]], np.float32)))
        self.assertEqual(res['bbox_center'].shape, (1, 2))
        self.assertLessEqual(
            np.abs(res['bbox_center'] - 100.).max(), 0.15 * 50 + 1e-4)
        self.assertIn('bbox_rotation', res)
