# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import os.path as osp
import tempfile
from unittest import TestCase

import cv2
import numpy as np
from mmpose.apis import MMPoseInferencer

from conftest import FULL_CONFIG, INTERHAND_MINI


class TestHand3DInferencer(TestCase):

    def test_mmpose_inferencer_with_our_config(self):
        """MMPoseInferencer picks Hand3DInferencer for the InterHand config
        (its name holds 'hand3d'), works offline with random weights and
        returns 42 x 3 keypoints for the whole image and saves the
        visualisation."""
        inferencer = MMPoseInferencer(pose3d=FULL_CONFIG, device='cpu')
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
