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
    valid joint reports NaN. Unlike ``InterHandMetric`` the MPJPE mode does
    not need ``hand_type`` / ``rel_root_depth`` predictions.

    Optional modes (as mmpose's ``InterHandMetric`` and InterNet compute
    them):

    - ``MRRPE`` (mm): on GT-interacting samples with both roots visible, the
      error of the left-root minus right-root vector in camera space; the
      predicted roots are the predicted pixels of joints 20 / 41 back-
      projected at depths ``abs_depth[0] + dz_20`` and
      ``abs_depth[0] + dz_41 + rel_root_depth`` (GT right-root depth, as
      ``trans_test='gt'``). NaN if no sample qualifies.
    - ``HandednessAcc``: over samples with ``hand_type_valid``, the fraction
      whose predicted ``hand_type`` (0/1 per hand) equals the GT.

    A mode is only reported if the model predicts its quantity, i.e. the
    prediction has ``rel_root_depth_predicted`` (``hand_type_predicted``)
    True, as ``A2JHead`` sets with its root-depth (hand-type) head. Other
    samples are skipped, and if no sample has it the key is left out with a
    log line: the placeholders of heads without these outputs (0 and
    ``[1, 1]``) would measure the ground truth or the share of interacting
    frames, not the model. Predictions without the flags (e.g.
    ``DirectRegressionHead``'s placeholders) count as not predicted.

    Args:
        modes (sequence[str]): any of ``'MPJPE'``, ``'MRRPE'``,
            ``'HandednessAcc'``. Default ``('MPJPE', )``.
        collect_device (str): 'cpu' or 'gpu'.
        prefix (str, optional): prefix of the metric names.
    """

    default_prefix: Optional[str] = None
    ALLOWED_MODES = ('MPJPE', 'MRRPE', 'HandednessAcc')

    def __init__(self,
                 modes: Sequence[str] = ('MPJPE', ),
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        modes = list(modes)
        bad = [m for m in modes if m not in self.ALLOWED_MODES]
        if bad or not modes:
            raise ValueError(f'{self.__class__.__name__}: modes must be some '
                             f'of {self.ALLOWED_MODES}, got {modes}')
        self.modes = modes

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
            check_finite(self, data_sample, pred=pred[0],
                         keypoints_cam=gt_cam[0],
                         abs_depth=abs_depth, focal=focal,
                         principal_pt=princpt, mask=mask[0])
            for (hand, root), depth in zip(_HANDS, abs_depth.reshape(-1)):
                pred[:, hand, 2] += depth
            pred_cam = pixel_to_camera(pred, focal[0], focal[1], princpt[0],
                                       princpt[1])
            gt_rel = gt_cam.copy()
            for hand, root in _HANDS:
                pred_cam[:, hand] -= pred_cam[:, root:root + 1].copy()
                gt_rel[:, hand] -= gt_cam[:, root:root + 1]
            diff = pred_cam[0] - gt_rel[0]
            gt_hand_type = np.asarray(data_sample['hand_type']).reshape(-1)
            interacting = bool(gt_hand_type.all())
            result = dict(
                error=np.linalg.norm(diff, axis=-1),
                error_xy=np.linalg.norm(diff[:, :2], axis=-1),
                error_z=np.abs(diff[:, 2]),
                mask=mask[0],
                interacting=interacting)
            pred_instances = data_sample['pred_instances']
            if 'MRRPE' in self.modes:
                result['mrrpe_predicted'] = _flag(pred_instances,
                                                  'rel_root_depth')
                result['mrrpe'] = None
                if result['mrrpe_predicted'] and interacting and mask[
                        0, 20] and mask[0, 41]:
                    raw = np.asarray(
                        pred_instances['keypoints'],
                        dtype=np.float64)[0, [20, 41]].copy()
                    raw[:, 2] += abs_depth.reshape(-1)[0]
                    raw[1, 2] += float(
                        np.asarray(pred_instances['rel_root_depth']).reshape(
                            -1)[0])
                    roots = pixel_to_camera(raw, focal[0], focal[1],
                                            princpt[0], princpt[1])
                    result['mrrpe'] = float(
                        np.linalg.norm((roots[1] - roots[0]) -
                                       (gt_cam[0, 41] - gt_cam[0, 20])))
            if 'HandednessAcc' in self.modes:
                result['hand_type_predicted'] = _flag(pred_instances,
                                                      'hand_type')
                result['hand_type_correct'] = None
                valid = np.asarray(data_sample['hand_type_valid']).reshape(-1)
                if result['hand_type_predicted'] and valid[0] > 0:
                    pred_type = np.asarray(
                        pred_instances['hand_type']).reshape(-1)
                    result['hand_type_correct'] = bool(
                        (pred_type == gt_hand_type).all())
            self.results.append(result)

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
        if 'MPJPE' not in self.modes:
            metrics = {}
        for mode, flag, value, what in (
                ('MRRPE', 'mrrpe_predicted', 'mrrpe',
                 'rel_root_depth (A2JHead without root_depth_head)'),
                ('HandednessAcc', 'hand_type_predicted', 'hand_type_correct',
                 'hand_type (A2JHead without hand_type_head)')):
            if mode not in self.modes:
                continue
            if not any(r[flag] for r in results):
                logger.info(f'{mode} not reported: the model does not '
                            f'predict {what}')
                continue
            values = [r[value] for r in results if r[value] is not None]
            metrics[mode] = float(np.mean(values)) if values else float(
                'nan')
        return metrics


def _flag(pred_instances: dict, key: str) -> bool:
    """Whether the model predicted ``key``: ``<key>_predicted`` is True (a
    prediction without the flag counts as not predicted)."""
    flag = pred_instances.get(f'{key}_predicted')
    return flag is not None and key in pred_instances and bool(
        np.asarray(flag).all())


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


def check_finite(metric, data_sample: dict, mask: np.ndarray,
                 **arrays) -> None:
    """Refuse NaN / inf in a sample's prediction or ground truth (at its
    scored joints ``mask`` ``(K,)`` for the ``(K, 3)`` arrays), naming the
    metric and the sample: a NaN would turn every MPJPE into ``nan``
    without a word."""
    for name, value in arrays.items():
        value = np.asarray(value, dtype=np.float64)
        if value.ndim == 2 and value.shape[0] == mask.shape[0]:
            bad = ~np.isfinite(value[mask]).all(-1)
            bad = np.flatnonzero(mask)[bad].tolist()
        else:
            bad = [] if np.isfinite(value).all() else ['all']
        if bad:
            raise ValueError(
                f'{type(metric).__name__}: {name} holds NaN/inf (joints {bad}) '
                f'for img_id {data_sample.get("img_id")} '
                f'"{data_sample.get("img_path")}"')
