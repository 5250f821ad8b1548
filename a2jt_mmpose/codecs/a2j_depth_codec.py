# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Optional, Tuple

import numpy as np
from mmpose.codecs.base import BaseKeypointCodec
from mmpose.registry import KEYPOINT_CODECS


@KEYPOINT_CODECS.register_module()
class A2JDepthCodec(BaseKeypointCodec):
    """Target space of A2J-Transformer on depth images (NYU, HANDS 2017).

    The depth pipeline (``GetDepthCubeBox`` ... ``RandomDepthRotateScale``)
    gives ``transformed_keypoints`` ``(N, K, 3)`` as ``(x, y, z)``: ``x, y``
    in pixels of the ``input_size`` crop (176 x 176 officially) and ``z`` =
    (joint depth - centre depth) * augmentation scale, in mm. That is already
    the official target space (no depth bins), so encoding only validates the
    values and computes the weights; the official validity rule is
    ``0 <= x < W`` and ``0 <= y < H`` (depth is not checked).

    Encoded items (to ``gt_instance_labels``):
        - keypoint_labels (np.ndarray): ``(N, K, 3)`` float32
          (x px, y px, z mm); invalid joints are zeroed.
        - keypoint_weights (np.ndarray): ``(N, K)`` float32 in {0, 1}.

    Decoding takes ``(N, K, 3)`` or ``(K, 3)`` network outputs and returns
    the same values ``(N, K, 3)`` plus scores ``(N, K)`` (ones). mmpose's
    ``TopdownPoseEstimator`` then maps ``x, y`` back to original pixels with
    the ``input_center`` / ``input_scale`` the crop transform stores (the
    un-augmented crop box at test time), which gives ``(u, v, dz)``;
    ``depth_prediction_to_xyz`` of ``DepthHandMPJPEMetric`` adds the centre
    depth and back-projects to camera mm (the official ``errorCompute``).

    Args:
        input_size (tuple[int, int]): crop ``(w, h)``. Default (176, 176).
    """

    label_mapping_table = dict(
        keypoint_labels='keypoint_labels',
        keypoint_weights='keypoint_weights')

    def __init__(self, input_size: Tuple[int, int] = (176, 176)) -> None:
        super().__init__()
        if len(input_size) != 2 or min(input_size) <= 0:
            raise ValueError(f'codec.input_size must be (w, h) > 0, got '
                             f'{input_size}')
        self.input_size = tuple(input_size)

    def encode(self,
               keypoints: np.ndarray,
               keypoints_visible: Optional[np.ndarray] = None) -> dict:
        """Encode ``(N, K, 3)`` crop-space keypoints (see the class doc)."""
        keypoints = np.asarray(keypoints, dtype=np.float32)
        if keypoints.ndim != 3 or keypoints.shape[-1] != 3:
            raise ValueError(f'{self.__class__.__name__} needs keypoints of '
                             f'shape (N, K, 3), got {keypoints.shape}')
        if keypoints_visible is None:
            keypoints_visible = np.ones(keypoints.shape[:2], np.float32)
        visible = np.asarray(keypoints_visible, dtype=np.float32)
        if visible.ndim == 3:
            visible = visible[..., 0]
        bad = ~np.isfinite(keypoints).all(-1) & (visible > 0)
        if bad.any():
            raise ValueError(
                'keypoints hold NaN/inf at visible joints (instance, joint) '
                f'{np.argwhere(bad)[:5].tolist()}')
        w, h = self.input_size
        with np.errstate(invalid='ignore'):
            inside = ((keypoints[..., 0] >= 0) & (keypoints[..., 0] < w)
                      & (keypoints[..., 1] >= 0) & (keypoints[..., 1] < h))
        weights = ((visible > 0) & inside).astype(np.float32)
        labels = keypoints.copy()
        labels[weights == 0] = 0.
        return dict(keypoint_labels=labels, keypoint_weights=weights)

    def decode(self, encoded: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Decode ``(N, K, 3)`` / ``(K, 3)`` outputs.

        Returns:
            tuple: keypoints ``(N, K, 3)`` (x px, y px, dz mm) and scores
            ``(N, K)``.
        """
        keypoints = np.asarray(encoded, dtype=np.float32)
        if keypoints.ndim == 2:
            keypoints = keypoints[None]
        keypoints = keypoints.copy()
        return keypoints, np.ones(keypoints.shape[:2], dtype=np.float32)
