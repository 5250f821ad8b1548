# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Dict, List

import numpy as np
from mmengine.logging import MMLogger
from mmpose.registry import METRICS

from .interhand_mpjpe_metric import (InterHandMPJPEMetric, per_joint_mean,
                                     pooled_mean)


@METRICS.register_module()
class RhdEPEMetric(InterHandMPJPEMetric):
    """Root-aligned 3D end-point error (EPE, mm) on RHD ("RHP"), aggregated
    as InterNet's RHD evaluation (``data/RHD/dataset.py``), which the
    A2J-Transformer paper follows for its Table 3.

    Inputs per sample are those of :class:`InterHandMPJPEMetric` (42 joints
    in the model order: right hand 0-20, left 21-41, wrists 20 / 41):
    ``pred_instances.keypoints`` ``(1, 42, 3)`` (original-image px, depth
    relative to each hand's root in mm), ``gt_instances.keypoints_cam``
    ``(1, 42, 3)`` (camera mm), ``gt_instances.keypoints_visible``
    ``(1, 42)``, and the metainfo ``abs_depth`` (2,), ``focal`` (2,),
    ``principal_pt`` (2,), ``hand_type`` (1, 2).

    What is aligned: the predicted (u, v, dz) of each hand get the
    ground-truth camera depth of **that hand's** wrist (``abs_depth``, as
    InterNet's ``trans_test='gt'``) and are back-projected with the
    ground-truth intrinsics; then the prediction is translated so that its
    own predicted wrist is at the origin, and the ground truth so that its
    wrist is at the origin, separately for each hand. No scale (no
    ground-truth bone length) and no rotation is applied; the network gets
    no handedness input. The error of a joint is the Euclidean distance in
    mm. Which hands are scored is given by the ground truth:
    only joints with ``keypoints_visible > 0`` count, and the dataset marks
    the joints of an absent hand invalid (InterNet likewise selects the
    ground-truth hand's 21 joints).

    What is averaged:

    - ``EPE`` (InterNet's number): right and left hands are folded onto the
      21 joints of one hand (joint ``j`` and ``j + 21`` are the same joint);
      for each of the 21 joints the mean error over all (sample, hand) pairs
      where it is valid, then the mean of these 21 per-joint means
      ("per joint first"). The wrist is included, with error 0 by
      construction, as in InterNet.
    - ``EPE_pooled``: the mean over all valid (sample, joint) pairs (wrists
      included).
    - ``EPE_right`` / ``EPE_left``: per joint first over one hand's 21
      joints.

    A set without any valid joint gives NaN.

    Args:
        collect_device (str): 'cpu' or 'gpu'.
        prefix (str, optional): prefix of the metric names.
    """

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        logger = MMLogger.get_current_instance()
        logger.info(f'Evaluating {self.__class__.__name__}...')
        error = np.stack([r['error'] for r in results])  # (N, 42)
        mask = np.stack([r['mask'] for r in results])  # (N, 42)
        # fold the hands: (2N, 21), rows = (sample, hand) pairs
        folded_error = np.concatenate([error[:, :21], error[:, 21:]])
        folded_mask = np.concatenate([mask[:, :21], mask[:, 21:]])
        return dict(
            EPE=per_joint_mean(folded_error, folded_mask),
            EPE_pooled=pooled_mean(error, mask),
            EPE_right=per_joint_mean(error[:, :21], mask[:, :21]),
            EPE_left=per_joint_mean(error[:, 21:], mask[:, 21:]))
