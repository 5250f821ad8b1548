# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Quickstart: train and evaluate a CPU-sized A2J-Transformer on synthetic
two-hand images written in the real InterHand2.6M layout.

    python tools/quickstart.py [--work-dir outputs/quickstart]

1. writes ``--data-root`` (train + held-out test split, skipped when it
   already holds a set made with the same settings): palms facing the
   camera (``--facing-camera-tilt``), one gesture per sequence and hand as
   InterHand2.6M is recorded (``--poses``);
2. trains the CPU-sized config (the paper model shrunk),
   with bfloat16 autocast where the CPU supports it (``--amp``);
3. evaluates MPJPE (root-aligned, mm, official per-joint-first aggregation)
   on the held-out images and prints it beside the mean-pose baseline (the
   mean root-relative pose of the training set predicted for every image);
4. saves ``<work-dir>/predictions.png``: predictions (red) against ground
   truth (green) on test images, and ``<work-dir>/quickstart_result.json``.
"""
import argparse
import os
import os.path as osp

import torch
from mmengine.config import DictAction

from a2jt_mmpose.apis.quickstart import run_quickstart

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'hand_3d_keypoint', 'a2j_transformer',
    'interhand3d', 'a2jt_res18-tiny_1xb16-3e_synthetic-interhand3d-128x128.py')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--work-dir', default='outputs/quickstart')
    parser.add_argument('--data-root', default='data/synthetic_interhand')
    parser.add_argument('--num-train', type=int, default=2400)
    parser.add_argument('--num-test', type=int, default=300)
    parser.add_argument('--img-size', type=int, nargs=2, default=(256, 256))
    parser.add_argument(
        '--epochs',
        type=int,
        default=None,
        help='default: the config\'s (3), or 4 with bfloat16 mixed precision '
        '(--amp), whose cheaper iterations fit one more epoch in about the '
        'same time')
    parser.add_argument(
        '--facing-camera-tilt',
        type=float,
        default=30.,
        help='render the palm towards the camera, tilted by at most this '
        '(degrees); a negative value gives the full dome distribution')
    parser.add_argument(
        '--poses',
        choices=('gestures', 'free'),
        default='gestures',
        help='articulations: one gesture per sequence and hand, as '
        'InterHand2.6M is recorded (default), or a new free articulation '
        'in every frame')
    parser.add_argument(
        '--amp',
        choices=('auto', 'on', 'off'),
        default='auto',
        help='bfloat16 mixed precision on the CPU (CPUAmpOptimWrapper); '
        'auto: on when training on a CPU with native bfloat16 support')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value')
    return parser.parse_args()


def main():
    args = parse_args()
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    run_quickstart(
        args.config,
        work_dir=args.work_dir,
        data_root=args.data_root,
        num_train=args.num_train,
        num_test=args.num_test,
        img_size=args.img_size,
        facing_camera_tilt=args.facing_camera_tilt,
        poses=args.poses,
        amp=args.amp,
        epochs=args.epochs,
        seed=args.seed,
        cfg_options=args.cfg_options)


if __name__ == '__main__':
    main()
