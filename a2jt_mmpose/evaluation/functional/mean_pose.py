# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""The mean-pose baseline: the mean root-relative training pose predicted
for every test sample, scored as the MPJPE metric scores a model."""
from typing import Dict, Sequence

import numpy as np

from ..metrics.interhand_mpjpe_metric import per_joint_mean


def root_relative(cam: np.ndarray, root_indices: Sequence[int]) -> np.ndarray:
    """Each hand's joints relative to its root.

    The ``K`` joints form ``len(root_indices)`` equal consecutive blocks,
    one per hand, as the codecs order them (InterHand2.6M: right hand
    0-20 with root 20, left hand 21-41 with root 41).

    Args:
        cam (np.ndarray): ``(N, K, 3)`` camera coordinates in mm.
        root_indices (Sequence[int]): each hand's root joint (the codec's
            ``root_indices``).

    Returns:
        np.ndarray: ``(N, K, 3)`` in mm.
    """
    cam = np.asarray(cam, dtype=np.float64)
    num_joints = cam.shape[1]
    if not root_indices or num_joints % len(root_indices):
        raise ValueError(f'{num_joints} joints do not split into '
                         f'{len(root_indices)} hands of equal size')
    size = num_joints // len(root_indices)
    rel = cam.copy()
    for hand, root in enumerate(root_indices):
        block = slice(hand * size, (hand + 1) * size)
        if not block.start <= root < block.stop:
            raise ValueError(f'root {root} is not a joint of hand {hand} '
                             f'(joints {block.start}..{block.stop - 1})')
        rel[:, block] -= cam[:, root:root + 1]
    return rel


def mean_pose_baseline(train_cam: np.ndarray, train_valid: np.ndarray,
                       test_cam: np.ndarray, test_valid: np.ndarray,
                       test_interacting: np.ndarray,
                       root_indices: Sequence[int]) -> Dict[str, float]:
    """MPJPE (mm, official per-joint-first aggregation) of predicting the
    mean root-relative training pose for every test sample.

    Args:
        train_cam (np.ndarray): ``(N, K, 3)`` training joints, camera mm.
        train_valid (np.ndarray): ``(N, K)`` bool, joints in the mean.
        test_cam (np.ndarray): ``(M, K, 3)`` test joints, camera mm.
        test_valid (np.ndarray): ``(M, K)`` bool, joints scored.
        test_interacting (np.ndarray): ``(M,)`` bool, two-hand samples.
        root_indices (Sequence[int]): each hand's root joint.

    Returns:
        dict: ``MPJPE_all``, ``MPJPE_single``, ``MPJPE_interacting`` (mm).
    """
    train_rel = root_relative(train_cam, root_indices)
    train_valid = np.asarray(train_valid, bool)
    counts = np.maximum(train_valid.sum(0), 1)[:, None]
    mean_pose = np.where(train_valid[..., None], train_rel, 0).sum(0) / counts
    error = np.linalg.norm(
        root_relative(test_cam, root_indices) - mean_pose[None], axis=-1)
    test_valid = np.asarray(test_valid, bool)
    inter = np.asarray(test_interacting, bool)[:, None]
    return {
        'MPJPE_all': per_joint_mean(error, test_valid),
        'MPJPE_single': per_joint_mean(error, test_valid & ~inter),
        'MPJPE_interacting': per_joint_mean(error, test_valid & inter),
    }
