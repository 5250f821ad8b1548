# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Sequence, Tuple

import torch
from torch import Tensor


def stack_keypoint_targets(batch_data_samples: Sequence,
                           joints: Tensor) -> Tuple[Tensor, Tensor]:
    """The codec's keypoint targets of a batch, checked against the joints.

    Args:
        batch_data_samples (Sequence[PoseDataSample]): samples whose
            ``gt_instance_labels`` hold ``keypoint_labels`` ``(1, K, 3)`` and
            ``keypoint_weights`` ``(1, K)`` (target space of the codec).
        joints (Tensor): predictions ``(L, B, K, 3)`` of L decoder layers;
            the targets are cast to their dtype and device.

    Returns:
        tuple: ``target`` ``(B, K, 3)`` and ``weight`` ``(B, K)``.
    """
    target = torch.cat([
        d.gt_instance_labels.keypoint_labels for d in batch_data_samples
    ]).to(joints)
    weight = torch.cat([
        d.gt_instance_labels.keypoint_weights for d in batch_data_samples
    ]).to(joints)
    if target.shape != joints.shape[1:]:
        raise ValueError(
            f'targets {tuple(target.shape)} do not match predictions '
            f'{tuple(joints.shape[1:])}: check model.head.num_keypoints '
            'and the dataset metainfo')
    return target, weight
