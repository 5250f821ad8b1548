# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""How a trained A2J model uses its anchors, per decoder layer
(``tools/analysis_tools/anchor_weight_stats.py`` is the command line; its
docstring explains the statistics)."""
import copy
from typing import Optional

import numpy as np


def anchor_statistics(joints, weighted_anchors, weights, target, valid):
    """Statistics of one batch (numpy arrays).

    Args:
        joints (np.ndarray): fused joints ``(L, B, K, 3)`` (px, px, bins).
        weighted_anchors (np.ndarray): ``(L, B, K, 3)``.
        weights (np.ndarray): anchor weights ``(L, B, A, K)``, softmax
            over A.
        target (np.ndarray): ``(B, K, 3)`` in the same space.
        valid (np.ndarray): ``(B, K)`` bool.

    Returns:
        dict: per statistic a list of ``L`` arrays of the valid joints'
        values (``joint_px``, ``joint_bins``, ``anchor_px``,
        ``eff_anchors``, ``max_weight``).
    """
    valid = np.asarray(valid, bool)
    stats = {k: [] for k in ('joint_px', 'joint_bins', 'anchor_px',
                             'eff_anchors', 'max_weight')}
    for layer in range(joints.shape[0]):
        w = weights[layer]  # (B, A, K)
        stats['joint_px'].append(
            np.linalg.norm(joints[layer, ..., :2] - target[..., :2],
                           axis=-1)[valid])
        stats['joint_bins'].append(
            np.abs(joints[layer, ..., 2] - target[..., 2])[valid])
        stats['anchor_px'].append(
            np.linalg.norm(weighted_anchors[layer, ..., :2] -
                           target[..., :2], axis=-1)[valid])
        stats['eff_anchors'].append((1. / (w**2).sum(1))[valid])
        stats['max_weight'].append(w.max(1)[valid])
    return stats


def collect_anchor_statistics(config: str,
                              checkpoint: Optional[str] = None,
                              num_images: int = 96,
                              batch_size: int = 16,
                              device: str = 'cpu',
                              cfg_options: Optional[dict] = None
                              ) -> dict:
    """Run the config's test split (test pipeline plus the codec's targets)
    and average :func:`anchor_statistics` over its valid joints.

    Args:
        config (str): config file.
        checkpoint (str, optional): checkpoint; ``None`` for random weights
            (a smoke run).
        num_images (int): the first that many test samples.
        batch_size (int): batch size.
        device (str): e.g. ``'cpu'``.
        cfg_options (dict, optional): merged into the config.

    Returns:
        dict: ``num_anchors``, ``num_joints`` (valid joints seen) and
        ``layers``: per decoder layer the means of ``joint_px``,
        ``joint_bins``, ``anchor_px``, ``eff_anchors`` and ``max_weight``
        (printed as a table as well).
    """
    import torch
    from mmengine.config import Config
    from mmengine.runner import Runner

    from ..models.utils import stack_keypoint_targets
    from .models import build_pose_model

    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    codec = cfg.model.head.get('decoder')
    if not codec:
        raise ValueError(f'{config}: model.head.decoder (the codec) is '
                         'needed for the targets')
    model, cfg = build_pose_model(cfg, checkpoint, device=device)

    loader_cfg = copy.deepcopy(cfg.test_dataloader)
    pipeline = list(loader_cfg.dataset.pipeline)
    pack = [i for i, t in enumerate(pipeline)
            if t['type'] == 'PackPoseInputs']
    if not pack:
        raise ValueError(f'{config}: test_dataloader.dataset.pipeline '
                         'has no PackPoseInputs')
    pipeline.insert(pack[0], dict(type='GenerateTarget', encoder=codec))
    loader_cfg.dataset.pipeline = pipeline
    loader_cfg.dataset.indices = num_images
    loader_cfg.batch_size = batch_size
    loader_cfg.num_workers = 0
    loader_cfg.persistent_workers = False
    loader = Runner.build_dataloader(loader_cfg)

    totals = None
    with torch.no_grad():
        for batch in loader:
            data = model.data_preprocessor(batch, False)
            feats = model.extract_feat(data['inputs'])
            fused = model.head.fuse(feats)
            target, weight = stack_keypoint_targets(data['data_samples'],
                                                    fused.joints)
            stats = anchor_statistics(fused.joints.cpu().numpy(),
                                      fused.weighted_anchors.cpu().numpy(),
                                      fused.weights.cpu().numpy(),
                                      target.cpu().numpy(),
                                      weight.cpu().numpy() > 0)
            if totals is None:
                totals = stats
            else:
                for k, v in stats.items():
                    totals[k] = [np.concatenate([a, b])
                                 for a, b in zip(totals[k], v)]
    if totals is None or not len(totals['joint_px'][0]):
        raise ValueError('no valid joint in the first '
                         f'{num_images} test images of {config}')
    num_anchors = fused.weights.shape[2]
    summary = [{k: float(np.mean(v[layer])) for k, v in totals.items()}
               for layer in range(len(totals['joint_px']))]
    print(f'{len(totals["joint_px"][0])} valid joints, {num_anchors} '
          'anchors; means per decoder layer:')
    print(f'{"layer":>5s}' + ''.join(f'{k:>13s}' for k in summary[0]))
    for layer, row in enumerate(summary):
        print(f'{layer + 1:5d}' + ''.join(f'{v:13.2f}' for v in row.values()))
    return dict(
        num_anchors=int(num_anchors),
        num_joints=len(totals['joint_px'][0]),
        layers=summary)
