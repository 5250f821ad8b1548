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

    def _forced(self, offset, input_size=(256, 256)):
        """The transform with its random draw forced: shift ``offset``
        (fractions), scale 1, no rotation."""
        t = InterNetBBoxTransform(input_size=input_size)
        t._get_transform_params = lambda n: (
            np.array([offset], np.float32), np.ones((1, 1), np.float32),
            np.zeros(1, np.float32))
        return t

    def test_shift_uses_the_squared_box_side(self):
        # a 2:1 padded box, 80 x 40 px: the official code squares it to
        # 80 x 80 before shifting, so a draw of (+0.1, -0.1) moves the centre
        # by (+8, -8) px (mmpose's RandomBBoxTransform: (+8, -4))
        res = self._forced((0.1, -0.1))(
            dict(bbox_center=np.array([[100., 100.]], np.float32),
                 bbox_scale=np.array([[80., 40.]], np.float32)))
        np.testing.assert_allclose(res['bbox_center'], [[108., 92.]])
        # the box keeps its own shape; TopdownAffine squares it later
        np.testing.assert_allclose(res['bbox_scale'], [[80., 40.]])
        # a tall box: 30 x 60 -> 60 x 60
        res = self._forced((0.1, 0.1))(
            dict(bbox_center=np.array([[50., 50.]], np.float32),
                 bbox_scale=np.array([[30., 60.]], np.float32)))
        np.testing.assert_allclose(res['bbox_center'], [[56., 56.]])

    def test_shift_follows_the_input_aspect_ratio(self):
        # a 2:1 input (256 x 128): a 40 x 40 box is cropped as 80 x 40
        res = self._forced((0.1, 0.1), input_size=(256, 128))(
            dict(bbox_center=np.array([[100., 100.]], np.float32),
                 bbox_scale=np.array([[40., 40.]], np.float32)))
        np.testing.assert_allclose(res['bbox_center'], [[108., 104.]])
        with self.assertRaisesRegex(ValueError, 'input_size'):
            InterNetBBoxTransform(input_size=(0, 256))


class TestInvalidateBlankCrop(TestCase):

    def _sample(self, img):
        return dict(
            img=img,
            keypoints_visible=np.ones((1, 42), np.float32),
            hand_type_valid=np.ones(1, np.float32),
            rel_root_valid=np.ones(1, np.float32))

    def test_blank_crop_loses_every_validity(self):
        from a2jt_mmpose.datasets.transforms import InvalidateBlankCrop
        out = InvalidateBlankCrop()(
            self._sample(np.zeros((8, 8, 3), np.uint8)))
        for key in ('keypoints_visible', 'hand_type_valid',
                    'rel_root_valid'):
            self.assertEqual(out[key].sum(), 0, key)
        self.assertEqual(out['keypoints_visible'].shape, (1, 42))

    def test_threshold_is_on_the_sum_over_255(self):
        from a2jt_mmpose.datasets.transforms import InvalidateBlankCrop
        # one pixel of value 1: sum / 255 = 3.9e-3 >= 1e-4: not blank
        img = np.zeros((8, 8, 3), np.uint8)
        img[3, 4, 1] = 1
        out = InvalidateBlankCrop()(self._sample(img))
        self.assertEqual(out['keypoints_visible'].sum(), 42)
        # float image (after RandomColorGain): 0.02 in total -> 7.8e-5 < 1e-4
        img = np.zeros((8, 8, 3), np.float32)
        img[0, 0] = (0.01, 0.01, 0.)
        out = InvalidateBlankCrop()(self._sample(img))
        self.assertEqual(out['keypoints_visible'].sum(), 0)
        with self.assertRaisesRegex(ValueError, 'threshold'):
            InvalidateBlankCrop(threshold=float('nan'))
