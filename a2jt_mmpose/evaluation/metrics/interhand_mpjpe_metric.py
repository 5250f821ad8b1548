# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmpose.registry import METRICS
from mmpose.codecs.utils import pixel_to_camera

# roots (wrists) of the right (0-20) and left (21-41) hand
_HANDS = ((slice(0, 21), 20), (slice(21, 42), 41))


@METRICS.register_module()
class InterHandMPJPEMetric(BaseMetric):
    """Root-aligned MPJPE on InterHand2.6M, aggregated as the official
    A2J-Transformer / InterNet evaluation does.

    Per sample (one instance, K = 42):

    1. prediction: ``keypoints`` ``(1, K, 3)`` = original-image pixels and
       depth relative to each hand's root in mm; the ground-truth camera depth
       of that hand's root (``abs_depth``) is added and the joints are
       back-projected with the ground-truth ``focal`` / ``principal_pt``;
    2. both prediction and ground truth (``keypoints_cam``, mm) are aligned at
       each hand's own root;
    3. the error of a joint is the Euclidean distance in mm; only joints with
       ``keypoints_visible`` count.

    Aggregation:

    - ``MPJPE_<split>`` (official): the mean error of each joint over the
      samples where it is valid, then the mean over the joints that are valid
      somewhere ("per joint first");
    - ``MPJPE_<split>_pooled`` (mmpose's ``InterHandMetric``): the mean over
      all valid (sample, joint) pairs.

    They differ when joints are valid in different numbers of samples.
    Splits: ``all``, ``single`` (GT hand type right or left) and
    ``interacting`` (GT hand type both), by the ``hand_type`` metainfo.
    Also reported (official): ``MPJPE_all_xy`` (camera x, y only) and
    ``MPJPE_all_z`` (depth only), both per joint first. A split without any
    valid joint reports NaN. Unlike ``InterHandMetric`` this metric does not
    need ``hand_type`` / ``rel_root_depth`` predictions.

    Args:
        collect_device (str): 'cpu' or 'gpu'.
        prefix (str, optional): prefix of the metric names.
    """

    default_prefix: Optional[str] = None

    def process(self, data_batch: Sequence[dict],
                data_samples: Sequence[dict]) -> None:
        for data_sample in data_samples:
            pred = np.asarray(
                data_sample['pred_instances']['keypoints'],
                dtype=np.float64)[:1].copy()
            gt = data_sample['gt_instances']
            gt_cam = np.asarray(gt['keypoints_cam'], dtype=np.float64)[:1]
            mask = np.asarray(gt['keypoints_visible']).reshape(1, -1) > 0
            abs_depth = np.asarray(data_sample['abs_depth'], dtype=np.float64)
            focal = np.asarray(data_sample['focal'], dtype=np.float64)
            princpt = np.asarray(
                data_sample['principal_pt'], dtype=np.float64)
            if pred.shape != (1, 42, 3) or gt_cam.shape != (1, 42, 3):
                raise ValueError(
                    f'{self.__class__.__name__} needs 42 x 3 keypoints, got '
                    f'prediction {pred.shape} and keypoints_cam '
                    f'{gt_cam.shape} (img_id {data_sample.get("img_id")})')
            for (hand, root), depth in zip(_HANDS, abs_depth.reshape(-1)):
                pred[:, hand, 2] += depth
            pred_cam = pixel_to_camera(pred, focal[0], focal[1], princpt[0],
                                       princpt[1])
            gt_rel = gt_cam.copy()
            for hand, root in _HANDS:
                pred_cam[:, hand] -= pred_cam[:, root:root + 1].copy()
                gt_rel[:, hand] -= gt_cam[:, root:root + 1]
            diff = pred_cam[0] - gt_rel[0]
            interacting = bool(np.asarray(data_sample['hand_type']).all())
            self.results.append(
                dict(
                    error=np.linalg.norm(diff, axis=-1),
                    error_xy=np.linalg.norm(diff[:, :2], axis=-1),
                    error_z=np.abs(diff[:, 2]),
                    mask=mask[0],
                    interacting=interacting))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        logger = MMLogger.get_current_instance()
        logger.info(f'Evaluating {self.__class__.__name__}...')
        error = np.stack([r['error'] for r in results])
        mask = np.stack([r['mask'] for r in results])
        interacting = np.array([r['interacting'] for r in results])
        splits = dict(
            all=np.ones_like(interacting),
            single=~interacting,
            interacting=interacting)
        metrics = {}
        for name, rows in splits.items():
            split_mask = mask & rows[:, None]
            metrics[f'MPJPE_{name}'] = per_joint_mean(error, split_mask)
            metrics[f'MPJPE_{name}_pooled'] = pooled_mean(error, split_mask)
        for key in ('xy', 'z'):
            err = np.stack([r[f'error_{key}'] for r in results])
            metrics[f'MPJPE_all_{key}'] = per_joint_mean(err, mask)
        return metrics


def per_joint_mean(error: np.ndarray, mask: np.ndarray) -> float:
    """Mean over joints of each joint's mean error over its valid samples.

    Args:
        error (np.ndarray): ``(N, K)`` errors.
        mask (np.ndarray): ``(N, K)`` validity.

    Returns:
        float: the per-joint-first mean (NaN if nothing is valid).
    """
    counts = mask.sum(0)
    if not counts.any():
        return float('nan')
    sums = np.where(mask, error, 0.).sum(0)
    return float(np.mean(sums[counts > 0] / counts[counts > 0]))


def pooled_mean(error: np.ndarray, mask: np.ndarray) -> float:
    """Mean over all valid (sample, joint) pairs (NaN if none)."""
    if not mask.any():
        return float('nan')
    return float(error[mask].mean())
