# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import os.path as osp
import tempfile
from unittest import TestCase

import cv2
import numpy as np
import pytest
from mmpose.apis import MMPoseInferencer

from conftest import EXTENSION_CONFIG, INTERHAND_MINI


class TestHand3DInferencer(TestCase):

    def test_mmpose_inferencer_with_our_config(self):
        """MMPoseInferencer picks Hand3DInferencer for the InterHand config
        (its name holds 'hand3d'), works offline with random weights and
        returns 42 x 3 keypoints for the whole image and saves the
        visualisation."""
        inferencer = MMPoseInferencer(pose3d=EXTENSION_CONFIG, device='cpu')
        self.assertEqual(type(inferencer.inferencer).__name__,
                         'Hand3DInferencer')
        img = osp.join(INTERHAND_MINI, 'image29590.jpg')
        with tempfile.TemporaryDirectory() as tmp:
            result = next(inferencer(img, vis_out_dir=tmp))
            # 2-D overlay + 3-D plot side by side (Hand3DLocalVisualizer)
            vis = cv2.imread(osp.join(tmp, 'image29590.jpg'))
        src = cv2.imread(img)
        self.assertEqual(vis.shape[0], src.shape[0])
        self.assertGreater(vis.shape[1], src.shape[1])
        preds = result['predictions'][0]
        self.assertEqual(len(preds), 1)
        kpts = np.array(preds[0]['keypoints'])
        self.assertEqual(kpts.shape, (42, 3))
        self.assertTrue(np.isfinite(kpts).all())
        self.assertEqual(len(preds[0]['keypoint_scores']), 42)


class TestSingleHandInference(TestCase):

    @pytest.mark.slow
    def test_hand_type_head_hides_the_absent_hand(self):
        """The hand-type head's bias forces 'right hand only': the left
        hand's scores are 0 and neither the 2-D overlay nor the 3-D plot
        draws it (mmpose's Hand3DInferencer / Pose3dLocalVisualizer hide
        joints below kpt_thr)."""
        from unittest import mock

        import torch
        from mpl_toolkits.mplot3d import Axes3D

        inferencer = MMPoseInferencer(pose3d=EXTENSION_CONFIG, device='cpu')
        inner = inferencer.inferencer
        head = inner.model.head
        with torch.no_grad():
            last = head.hand_type_head.mlp.layers[-1]
            last.weight.zero_()
            last.bias.copy_(torch.tensor([8., -8.]))
        samples = []
        forward = inner.forward

        def keep(*args, **kwargs):
            samples[:] = forward(*args, **kwargs)
            return samples

        circles, scatter = [], Axes3D.scatter

        def count_circles(center, *args, **kwargs):
            circles.append(center)
            return type(inner.visualizer).draw_circles(
                inner.visualizer, center, *args, **kwargs)

        points = []

        def count_points(ax, xs, *args, **kwargs):
            points.append(len(xs))
            return scatter(ax, xs, *args, **kwargs)

        img = osp.join(INTERHAND_MINI, 'image29590.jpg')
        with tempfile.TemporaryDirectory() as tmp, \
                mock.patch.object(inner, 'forward', keep), \
                mock.patch.object(inner.visualizer, 'draw_circles',
                                  count_circles), \
                mock.patch.object(Axes3D, 'scatter', count_points):
            result = next(inferencer(img, vis_out_dir=tmp))
            self.assertTrue(osp.exists(osp.join(tmp, 'image29590.jpg')))
        pred = samples[0].pred_instances
        self.assertEqual(pred.hand_type.tolist(), [[1., 0.]])
        self.assertGreater(pred.hand_type_scores[0, 0], 0.99)
        self.assertLess(pred.hand_type_scores[0, 1], 0.01)
        self.assertTrue(pred.rel_root_depth_predicted.all())
        scores = np.array(result['predictions'][0][0]['keypoint_scores'])
        self.assertTrue((scores[:21] > 0).all())
        self.assertTrue((scores[21:] == 0).all())
        # only the 21 right-hand joints are drawn, in 2-D and in 3-D
        self.assertEqual(len(circles), 21)
        self.assertEqual(points, [21])


class TestGivenBoxes(TestCase):

    def test_a_given_box_equals_the_crop_as_a_whole_image(self):
        """With ``bboxes`` the inferencer crops that box: a hand image pasted
        at (64, 48) into a black canvas and given as the box must give the
        keypoints of the hand image on its own (whole image as the box),
        shifted by (64, 48) in x (the returned y is depth, the returned z
        the re-based image height, both shift-free)."""
        src = cv2.imread(osp.join(INTERHAND_MINI, 'image29590.jpg'))
        hand = cv2.resize(src[:min(src.shape[:2]), :min(src.shape[:2])],
                          (192, 192))
        canvas = np.zeros((320, 320, 3), np.uint8)
        x1, y1 = 64, 48
        canvas[y1:y1 + 192, x1:x1 + 192] = hand
        inferencer = MMPoseInferencer(pose3d=EXTENSION_CONFIG, device='cpu')
        alone = next(inferencer(hand))['predictions'][0][0]
        # one array of (x1, y1, x2, y2, score) rows per input
        box = np.array([[x1, y1, x1 + 192, y1 + 192, 1.]], np.float32)
        boxed = next(inferencer(canvas, bboxes=[box]))
        boxed = boxed['predictions'][0]
        self.assertEqual(len(boxed), 1)
        boxed = boxed[0]
        k_alone = np.array(alone['keypoints'])
        k_boxed = np.array(boxed['keypoints'])
        self.assertEqual(k_boxed.shape, (42, 3))
        np.testing.assert_allclose(k_boxed[:, 0], k_alone[:, 0] + x1,
                                   atol=1e-3)
        np.testing.assert_allclose(k_boxed[:, 1:], k_alone[:, 1:], atol=1e-3)
        np.testing.assert_allclose(
            np.array(boxed['bbox'][0]), [x1, y1, x1 + 192, y1 + 192])
