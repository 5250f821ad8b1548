# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import os.path as osp
from unittest import TestCase

import numpy as np
from mmpose.apis import MMPoseInferencer

from conftest import FULL_CONFIG, INTERHAND_MINI


class TestHand3DInferencer(TestCase):

    def test_mmpose_inferencer_with_our_config(self):
        """MMPoseInferencer picks Hand3DInferencer for the InterHand config
        (its name holds 'hand3d'), works offline with random weights and
        returns 42 x 3 keypoints for the whole image."""
        inferencer = MMPoseInferencer(pose3d=FULL_CONFIG, device='cpu')
        self.assertEqual(type(inferencer.inferencer).__name__,
                         'Hand3DInferencer')
        img = osp.join(INTERHAND_MINI, 'image29590.jpg')
        result = next(inferencer(img))
        preds = result['predictions'][0]
        self.assertEqual(len(preds), 1)
        kpts = np.array(preds[0]['keypoints'])
        self.assertEqual(kpts.shape, (42, 3))
        self.assertTrue(np.isfinite(kpts).all())
        self.assertEqual(len(preds[0]['keypoint_scores']), 42)
