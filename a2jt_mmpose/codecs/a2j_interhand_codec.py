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

    Optional targets of the hand-type and relative-root-depth heads (an
    extension; encoded only when the dataset gives them, e.g.
    ``InterHand3DDataset``'s ``hand_type``, ``hand_type_valid``,
    ``rel_root_depth``, ``rel_root_valid``):

        - hand_type_labels (np.ndarray): ``(N, 2)`` float32, (right, left)
          presence in {0, 1} (after ``HandRandomFlip``'s swap).
        - hand_type_weights (np.ndarray): ``(N,)`` float32,
          ``hand_type_valid``.
        - root_depth_labels (np.ndarray): ``(N,)`` float32, left-root minus
          right-root depth in InterNet's normalised space::

              root_bin = (rel_mm / (root_depth_bound / 2) + 1) / 2
                         * root_depth_size
                       = 32 + 0.16 * rel_mm   (defaults: 64 bins, +-200 mm)

        - root_depth_weights (np.ndarray): ``(N,)`` float32 in {0, 1}: 1 only
          if both roots are valid training joints (``keypoint_weights``, so
          visible and inside the crop), the GT hand type is interacting, the
          dataset's ``rel_root_valid`` is set and ``0 <= root_bin <
          root_depth_size`` (InterNet's ``root_valid``).

    Decoding takes ``(N, K, 3)`` (or ``(K, 3)``) network outputs in the same
    space and returns keypoints ``(N, K, 3)`` as ``(x px, y px, dz mm)`` and
    scores ``(N, K)`` (ones: A2J-Transformer has no confidence output).
    :meth:`decode_hand_type` and :meth:`decode_root_depth` decode the
    outputs of the optional heads; :meth:`mask_absent_hands` zeroes the
    scores of the joints of a hand the hand type reports absent (the joint
    layout of InterHand2.6M: the first ``K/2`` joints are the right hand,
    the rest the left hand).

    Args:
        input_size (tuple[int, int]): network input ``(w, h)``. Default
            (256, 256).
        depth_size (int): number of depth bins. Default 256.
        depth_bound (float): depth range in mm covered by the bins, centred
            on the hand root. Default 400 (+-200 mm).
        root_depth_size (int): bins of the relative root depth. Default 64
            (InterNet's ``output_root_hm_shape``).
        root_depth_bound (float): range in mm of the relative root depth,
            centred on 0. Default 400 (InterNet's ``bbox_3d_size_root``).
        root_indices (tuple[int, int]): the (right, left) root joints.
            Default (20, 41), InterHand2.6M's wrists.
    """

    auxiliary_encode_keys = {
        'hand_type', 'hand_type_valid', 'rel_root_depth', 'rel_root_valid'
    }

    label_mapping_table = dict(
        keypoint_labels='keypoint_labels',
        keypoint_weights='keypoint_weights',
        hand_type_labels='hand_type_labels',
        hand_type_weights='hand_type_weights',
        root_depth_labels='root_depth_labels',
        root_depth_weights='root_depth_weights')

    def __init__(self,
                 input_size: Tuple[int, int] = (256, 256),
                 depth_size: int = 256,
                 depth_bound: float = 400.,
                 root_depth_size: int = 64,
                 root_depth_bound: float = 400.,
                 root_indices: Tuple[int, int] = (20, 41)) -> None:
        super().__init__()
        if len(input_size) != 2 or min(input_size) <= 0:
            raise ValueError(f'codec.input_size must be (w, h) > 0, got '
                             f'{input_size}')
        if depth_size <= 0 or depth_bound <= 0:
            raise ValueError('codec.depth_size and codec.depth_bound must be '
                             f'> 0, got {depth_size}, {depth_bound}')
        if root_depth_size <= 0 or root_depth_bound <= 0:
            raise ValueError('codec.root_depth_size and root_depth_bound '
                             f'must be > 0, got {root_depth_size}, '
                             f'{root_depth_bound}')
        self.input_size = tuple(input_size)
        self.depth_size = depth_size
        self.depth_bound = float(depth_bound)
        self.root_depth_size = root_depth_size
        self.root_depth_bound = float(root_depth_bound)
        self.root_indices = tuple(root_indices)

    def mm_to_bins(self, dz: np.ndarray) -> np.ndarray:
        """Root-relative depth in mm to depth bins."""
        return (dz / (self.depth_bound / 2) + 1) / 2 * self.depth_size

    def bins_to_mm(self, bins: np.ndarray) -> np.ndarray:
        """Depth bins to root-relative depth in mm."""
        return (bins / self.depth_size * 2 - 1) * (self.depth_bound / 2)

    def mm_to_root_bins(self, rel_mm: np.ndarray) -> np.ndarray:
        """Relative root depth in mm to InterNet's normalised bins."""
        return (np.asarray(rel_mm, dtype=np.float32) /
                (self.root_depth_bound / 2) + 1) / 2 * self.root_depth_size

    def root_bins_to_mm(self, bins: np.ndarray) -> np.ndarray:
        """InterNet's normalised relative root depth bins to mm."""
        return (np.asarray(bins, dtype=np.float32) / self.root_depth_size *
                2 - 1) * (self.root_depth_bound / 2)

    def encode(self,
               keypoints: np.ndarray,
               keypoints_visible: Optional[np.ndarray] = None,
               hand_type: Optional[np.ndarray] = None,
               hand_type_valid: Optional[np.ndarray] = None,
               rel_root_depth: Optional[np.ndarray] = None,
               rel_root_valid: Optional[np.ndarray] = None) -> dict:
        """Encode ``(N, K, 3)`` input-space keypoints and, when given, the
        hand type ``(N, 2)`` / ``(2,)`` (+ validity ``(N,)``) and the
        relative root depth in mm (scalar or ``(N,)``, + validity); see the
        class doc."""
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
        encoded = dict(keypoint_labels=labels, keypoint_weights=weights)
        num = len(labels)
        interacting = None
        if hand_type is not None:
            hand_type = np.asarray(hand_type, dtype=np.float32).reshape(-1, 2)
            hand_type = np.broadcast_to(hand_type, (num, 2)).copy()
            valid = np.ones(num, np.float32) if hand_type_valid is None \
                else np.broadcast_to(np.asarray(
                    hand_type_valid, np.float32).reshape(-1), (num, )).copy()
            encoded['hand_type_labels'] = hand_type
            encoded['hand_type_weights'] = (valid > 0).astype(np.float32)
            interacting = (hand_type > 0).all(-1)
        if rel_root_depth is not None:
            rel = np.broadcast_to(
                np.asarray(rel_root_depth, np.float32).reshape(-1),
                (num, )).copy()
            bins = self.mm_to_root_bins(rel)
            right, left = self.root_indices
            valid = (weights[:, right] > 0) & (weights[:, left] > 0)
            if rel_root_valid is not None:
                valid &= np.broadcast_to(
                    np.asarray(rel_root_valid, np.float32).reshape(-1),
                    (num, )) > 0
            if interacting is not None:
                valid &= interacting
            with np.errstate(invalid='ignore'):
                valid &= np.isfinite(bins) & (bins >= 0) & (
                    bins < self.root_depth_size)
            encoded['root_depth_labels'] = np.where(valid, bins,
                                                    0.).astype(np.float32)
            encoded['root_depth_weights'] = valid.astype(np.float32)
        return encoded

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

    def decode_hand_type(self, logits: np.ndarray,
                         threshold: float = 0.5
                         ) -> Tuple[np.ndarray, np.ndarray]:
        """Decode hand-type logits ``(N, 2)`` (or ``(2,)``).

        A hand is present if its probability (sigmoid of the logit) exceeds
        ``threshold`` (InterNet's rule). The crop shows at least one hand, so
        if neither exceeds it, the more probable hand is reported present.

        Returns:
            tuple: ``hand_type`` ``(N, 2)`` float32 in {0, 1} (right, left),
            as mmpose's ``InterHandMetric`` / ``Hand3DInferencer`` read it,
            and the probabilities ``(N, 2)``.
        """
        logits = np.asarray(logits, dtype=np.float64).reshape(-1, 2)
        prob = 1. / (1. + np.exp(-logits))
        present = prob > threshold
        none = ~present.any(-1)
        present[none, np.argmax(prob[none], axis=-1)] = True
        return present.astype(np.float32), prob.astype(np.float32)

    @staticmethod
    def hand_joint_masks(num_keypoints: int) -> np.ndarray:
        """Which joints belong to which hand, in InterHand2.6M's order:
        joints ``0 .. K/2-1`` are the right hand, ``K/2 .. K-1`` the left
        hand (K = 42: right 0-20, left 21-41).

        Args:
            num_keypoints (int): K, even.

        Returns:
            np.ndarray: ``(2, K)`` bool, rows (right, left).
        """
        if num_keypoints < 2 or num_keypoints % 2:
            raise ValueError(
                'A2JInterHandCodec: hand types need two hands of K/2 joints '
                f'each (right hand first), got K={num_keypoints}')
        half = num_keypoints // 2
        masks = np.zeros((2, num_keypoints), dtype=bool)
        masks[0, :half] = True
        masks[1, half:] = True
        return masks

    def mask_absent_hands(self, keypoint_scores: np.ndarray,
                          hand_type: np.ndarray) -> np.ndarray:
        """Keypoint scores with the joints of an absent hand set to 0.

        Args:
            keypoint_scores (np.ndarray): ``(N, K)``.
            hand_type (np.ndarray): ``(N, 2)`` (or ``(2,)``) in {0, 1},
                (right, left) present, as :meth:`decode_hand_type` gives.

        Returns:
            np.ndarray: ``(N, K)`` float32, each joint's score times the
            presence of its hand (:meth:`hand_joint_masks`).
        """
        scores = np.asarray(keypoint_scores, dtype=np.float32)
        hand_type = np.asarray(hand_type, dtype=np.float32).reshape(-1, 2)
        masks = self.hand_joint_masks(scores.shape[-1]).astype(np.float32)
        return scores * (hand_type @ masks)

    def decode_root_depth(self, bins: np.ndarray) -> np.ndarray:
        """Decode the relative root depth ``(N,)`` bins to mm (left root
        minus right root camera depth), as mmpose reads ``rel_root_depth``.
        """
        return self.root_bins_to_mm(np.asarray(bins).reshape(-1))
