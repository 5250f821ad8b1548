# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Optional, Tuple

import numpy as np
from mmpose.codecs.base import BaseKeypointCodec
from mmpose.registry import KEYPOINT_CODECS


@KEYPOINT_CODECS.register_module()
class A2JInterHandCodec(BaseKeypointCodec):
    """Target space of A2J-Transformer on InterHand2.6M (2.5D).

    ``InterHand3DDataset`` gives keypoints as ``(u, v, dz)``: pixels of the
    original image and the depth of each joint relative to the root (wrist)
    of **its own** hand in mm (joints 0-20 relative to joint 20, 21-41
    relative to joint 41). After ``TopdownAffine`` the pixels are those of the
    network input. The codec maps ``dz`` to depth bins::

        bin = (dz / (depth_bound / 2) + 1) / 2 * depth_size
            = 128 + 0.64 * dz         (defaults: 256 bins over +-200 mm)

    A joint is valid for training only if it is visible and lies inside the
    target volume ``0 <= x < W``, ``0 <= y < H``, ``0 <= bin < depth_size``
    (the official rule). Non-finite coordinates raise an error.

    Encoded items (to ``gt_instance_labels``):
        - keypoint_labels (np.ndarray): ``(N, K, 3)`` float32
          ``(x px, y px, z bin)``.
        - keypoint_weights (np.ndarray): ``(N, K)`` float32 in {0, 1}.

    Decoding takes ``(N, K, 3)`` (or ``(K, 3)``) network outputs in the same
    space and returns keypoints ``(N, K, 3)`` as ``(x px, y px, dz mm)`` and
    scores ``(N, K)`` (ones: A2J-Transformer has no confidence output).

    Args:
        input_size (tuple[int, int]): network input ``(w, h)``. Default
            (256, 256).
        depth_size (int): number of depth bins. Default 256.
        depth_bound (float): depth range in mm covered by the bins, centred
            on the hand root. Default 400 (+-200 mm).
    """

    label_mapping_table = dict(
        keypoint_labels='keypoint_labels',
        keypoint_weights='keypoint_weights')

    def __init__(self,
                 input_size: Tuple[int, int] = (256, 256),
                 depth_size: int = 256,
                 depth_bound: float = 400.) -> None:
        super().__init__()
        if len(input_size) != 2 or min(input_size) <= 0:
            raise ValueError(f'codec.input_size must be (w, h) > 0, got '
                             f'{input_size}')
        if depth_size <= 0 or depth_bound <= 0:
            raise ValueError('codec.depth_size and codec.depth_bound must be '
                             f'> 0, got {depth_size}, {depth_bound}')
        self.input_size = tuple(input_size)
        self.depth_size = depth_size
        self.depth_bound = float(depth_bound)

    def mm_to_bins(self, dz: np.ndarray) -> np.ndarray:
        """Root-relative depth in mm to depth bins."""
        return (dz / (self.depth_bound / 2) + 1) / 2 * self.depth_size

    def bins_to_mm(self, bins: np.ndarray) -> np.ndarray:
        """Depth bins to root-relative depth in mm."""
        return (bins / self.depth_size * 2 - 1) * (self.depth_bound / 2)

    def encode(self,
               keypoints: np.ndarray,
               keypoints_visible: Optional[np.ndarray] = None) -> dict:
        """Encode ``(N, K, 3)`` input-space keypoints; see the class doc."""
        keypoints = np.asarray(keypoints, dtype=np.float32)
        if keypoints.ndim != 3 or keypoints.shape[-1] != 3:
            raise ValueError(f'{self.__class__.__name__} needs keypoints of '
                             f'shape (N, K, 3), got {keypoints.shape}')
        if keypoints_visible is None:
            keypoints_visible = np.ones(keypoints.shape[:2], dtype=np.float32)
        visible = np.asarray(keypoints_visible, dtype=np.float32)
        if visible.ndim == 3:
            visible = visible[..., 0]
        if not np.isfinite(keypoints[visible > 0]).all():
            bad = np.argwhere(~np.isfinite(keypoints).all(-1)
                              & (visible > 0))
            raise ValueError(
                'keypoints hold NaN/inf at visible joints (instance, joint) '
                f'{bad[:5].tolist()}: fix the annotation (or mark the joints '
                'invalid in joint_valid)')

        labels = keypoints.copy()
        labels[..., 2] = self.mm_to_bins(keypoints[..., 2])
        w, h = self.input_size
        with np.errstate(invalid='ignore'):
            inside = ((labels[..., 0] >= 0) & (labels[..., 0] < w)
                      & (labels[..., 1] >= 0) & (labels[..., 1] < h)
                      & (labels[..., 2] >= 0)
                      & (labels[..., 2] < self.depth_size))
        weights = ((visible > 0) & inside).astype(np.float32)
        labels[weights == 0] = 0.
        return dict(keypoint_labels=labels, keypoint_weights=weights)

    def decode(self, encoded: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Decode network outputs ``(N, K, 3)`` or ``(K, 3)``.

        Returns:
            tuple: keypoints ``(N, K, 3)`` (x px, y px, dz mm) and scores
            ``(N, K)``.
        """
        encoded = np.asarray(encoded, dtype=np.float32)
        if encoded.ndim == 2:
            encoded = encoded[None]
        keypoints = encoded.copy()
        keypoints[..., 2] = self.bins_to_mm(encoded[..., 2])
        scores = np.ones(keypoints.shape[:2], dtype=np.float32)
        return keypoints, scores

