# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""How a trained A2J model uses its anchors, per decoder layer.

    python tools/analysis_tools/anchor_weight_stats.py CONFIG CHECKPOINT
        [--num-images 96] [--batch-size 16] [--out stats.json]
        [--cfg-options KEY=VALUE ...]

Runs the config's test split (test pipeline plus the codec's targets) and
prints for every decoder layer, over the valid joints:

- ``joint_px``: in-plane error of the fused joints ``sum_a w (a + O)``
  (input pixels) and ``joint_bins``: their depth error (bins);
- ``anchor_px``: in-plane error of the weighted anchors ``sum_a w a`` alone.
  ``joint_px`` close to ``anchor_px`` means the offsets do not yet refine
  anything and the model localises by the weights only (a soft-argmax over
  the anchor grid);
- ``eff_anchors``: the effective number of anchors ``1 / sum_a w^2`` per
  joint (1 = one anchor, A = uniform weights) and ``max_weight``.

``CHECKPOINT`` ``none`` uses random weights (a smoke run).
"""
import argparse
import copy
import json
import os.path as osp
import sys

import numpy as np

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', help='checkpoint file or "none"')
    parser.add_argument('--num-images', type=int, default=96)
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--out', default=None, help='JSON file')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config, key=value')
    return parser.parse_args(argv)


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


def main(argv=None):
    args = parse_args(argv)
    if REPO_ROOT not in sys.path:
        sys.path.insert(0, REPO_ROOT)
    import torch
    from mmengine.config import Config
    from mmengine.runner import Runner
    from mmpose.apis import init_model
    from mmpose.utils import register_all_modules
    register_all_modules()
    import a2jt_mmpose  # noqa: F401
    from a2jt_mmpose.models.utils import stack_keypoint_targets

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    codec = cfg.model.head.get('decoder')
    if not codec:
        raise ValueError(f'{args.config}: model.head.decoder (the codec) is '
                         'needed for the targets')
    random_weights = args.checkpoint.lower() in ('none', 'random', '')
    if random_weights:
        cfg.model.backbone.init_cfg = None
    model = init_model(
        cfg, None if random_weights else args.checkpoint,
        device=args.device)
    if random_weights:
        model.init_weights()
    model.eval()

    loader_cfg = copy.deepcopy(cfg.test_dataloader)
    pipeline = list(loader_cfg.dataset.pipeline)
    pack = [i for i, t in enumerate(pipeline)
            if t['type'] == 'PackPoseInputs']
    if not pack:
        raise ValueError(f'{args.config}: test_dataloader.dataset.pipeline '
                         'has no PackPoseInputs')
    pipeline.insert(pack[0], dict(type='GenerateTarget', encoder=codec))
    loader_cfg.dataset.pipeline = pipeline
    loader_cfg.dataset.indices = args.num_images
    loader_cfg.batch_size = args.batch_size
    loader_cfg.num_workers = 0
    loader_cfg.persistent_workers = False
    loader = Runner.build_dataloader(loader_cfg)

    totals = None
    with torch.no_grad():
        for batch in loader:
            data = model.data_preprocessor(batch, False)
            feats = model.extract_feat(data['inputs'])
            joints, anchors, weights = model.head.fuse(feats)
            target, weight = stack_keypoint_targets(data['data_samples'],
                                                    joints)
            stats = anchor_statistics(joints.cpu().numpy(),
                                      anchors.cpu().numpy(),
                                      weights.cpu().numpy(),
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
                         f'{args.num_images} test images of {args.config}')
    num_anchors = weights.shape[2]
    summary = [{k: float(np.mean(v[layer])) for k, v in totals.items()}
               for layer in range(len(totals['joint_px']))]
    print(f'{len(totals["joint_px"][0])} valid joints, {num_anchors} '
          'anchors; means per decoder layer:')
    print(f'{"layer":>5s}' + ''.join(f'{k:>13s}' for k in summary[0]))
    for layer, row in enumerate(summary):
        print(f'{layer + 1:5d}' + ''.join(f'{v:13.2f}' for v in row.values()))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(num_anchors=num_anchors, layers=summary), f,
                      indent=2)
    return summary


if __name__ == '__main__':
    main()
