# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmpose.registry import METRICS

from ...codecs.depth_camera import uvd_to_xyz
from .interhand_mpjpe_metric import check_finite


def depth_prediction_to_xyz(data_sample: dict) -> np.ndarray:
    """Predicted ``(1, K, 3)`` camera mm of one depth-dataset sample.

    The prediction is ``(u, v, dz)``: original pixels (mmpose's
    ``TopdownPoseEstimator`` already undid the crop with ``input_center`` /
    ``input_scale``) and depth relative to the crop centre; ``d = dz +
    depth_center_xyz[2]`` and the back-projection uses the sample's signed
    ``focal`` and ``principal_pt`` (A2J's ``errorCompute``).
    """
    pred = np.asarray(data_sample['pred_instances']['keypoints'],
                      dtype=np.float64)[:1].copy()
    pred[..., 2] += float(np.asarray(data_sample['depth_center_xyz'])[2])
    return uvd_to_xyz(pred, data_sample['focal'],
                      data_sample['principal_pt'])


@METRICS.register_module()
class DepthHandMPJPEMetric(BaseMetric):
    """Mean 3D joint error (mm) on NYU / HANDS 2017, as A2J evaluates it.

    Per sample the prediction is back-projected to camera mm (see
    :func:`depth_prediction_to_xyz`) and compared with ``keypoints_cam``
    ``(1, K, 3)`` (the ground-truth ``uvd`` back-projected with the same
    intrinsics); joints with ``keypoints_visible == 0`` do not count, so
    unlabelled samples contribute nothing.

    Metrics:

    - ``MPJPE``: mean Euclidean error over all valid (sample, joint) pairs
      (the official mean over all joints and frames);
    - ``MPJPE_<joint name>``: per-joint means (names from the dataset
      metainfo; ``MPJPE_j<k>`` without metainfo);
    - ``MPJPE_xy`` / ``MPJPE_z``: the same over camera x, y / z only.

    Args:
        per_joint (bool): report the per-joint errors. Default True.
        collect_device (str): 'cpu' or 'gpu'.
        prefix (str, optional): prefix of the metric names.
    """

    default_prefix: Optional[str] = None

    def __init__(self, per_joint: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.per_joint = per_joint

    def process(self, data_batch: Sequence[dict],
                data_samples: Sequence[dict]) -> None:
        for data_sample in data_samples:
            pred = depth_prediction_to_xyz(data_sample)
            gt = data_sample['gt_instances']
            gt_cam = np.asarray(gt['keypoints_cam'], np.float64)[:1]
            if pred.shape != gt_cam.shape:
                raise ValueError(
                    f'prediction {pred.shape} and keypoints_cam '
                    f'{gt_cam.shape} differ (img_id '
                    f'{data_sample.get("img_id")})')
            mask = np.asarray(gt['keypoints_visible']).reshape(-1) > 0
            check_finite(self, data_sample, mask, pred=pred[0],
                         keypoints_cam=gt_cam[0])
            diff = pred[0] - gt_cam[0]
            self.results.append(
                dict(
                    error=np.linalg.norm(diff, axis=-1),
                    error_xy=np.linalg.norm(diff[:, :2], axis=-1),
                    error_z=np.abs(diff[:, 2]),
                    mask=mask))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        logger = MMLogger.get_current_instance()
        mask = np.stack([r['mask'] for r in results])
        metrics = {}
        for key, name in (('error', 'MPJPE'), ('error_xy', 'MPJPE_xy'),
                          ('error_z', 'MPJPE_z')):
            err = np.stack([r[key] for r in results])
            metrics[name] = float(err[mask].mean()) if mask.any() else \
                float('nan')
        if self.per_joint:
            err = np.stack([r['error'] for r in results])
            names = (self.dataset_meta or {}).get('keypoint_id2name', {})
            counts = mask.sum(0)
            sums = np.where(mask, err, 0.).sum(0)
            for k in range(err.shape[1]):
                metrics[f'MPJPE_{names.get(k, f"j{k}")}'] = float(
                    sums[k] / counts[k]) if counts[k] else float('nan')
        logger.info(f'{self.__class__.__name__}: {int(mask.sum())} valid '
                    f'joints in {len(results)} samples')
        return metrics
