# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""3D two-hand pose with A2J-Transformer on images, folders or videos.

    python tools/demo.py INPUT [--config CONFIG] [--checkpoint CKPT]
        [--out-dir outputs/demo] [--device cpu] [--bboxes x1 y1 x2 y2]
        [--precision fp32|bf16]

``INPUT`` is an image, a folder of images or a video. Through mmpose's
``MMPoseInferencer`` (-> ``Hand3DInferencer``) every frame gets 42 x 3
keypoints; ``<out-dir>/visualizations`` holds the 2-D overlay + 3-D skeleton
pictures (videos for video input) and ``<out-dir>/predictions`` one json per
image. Without ``--checkpoint`` the model has random weights (a smoke run).
An input that does not decode (an empty or non-image file, a broken video)
is reported by name and skipped; the others are processed, and the exit
status is then non-zero.
The whole image is the hand box unless ``--bboxes`` gives one.
``--precision bf16`` runs the model in bfloat16 (autocast; float32 sampling
and anchor-to-joint fusion): faster on CPUs with AVX-512 BF16 / AMX, see
``docs/benchmark.md`` for its speed and accuracy.

The default config is the paper model (use it with checkpoints converted
from the official code): both hands are reported and the left root is placed
at the right root's depth. With the hand-type and root-depth heads
(``..._hand-type-root-depth.py``) every frame also prints which hands are
present with their probabilities; the joints of an absent hand get score 0
in the json and are not drawn.
"""
import argparse
import os.path as osp
import sys

from a2jt_mmpose.apis.demo import run_demo

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'hand_3d_keypoint', 'a2j_transformer',
    'interhand3d', 'a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('input', help='image, folder of images or video')
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--checkpoint', default=None)
    parser.add_argument('--out-dir', default='outputs/demo')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--bboxes',
        type=float,
        nargs=4,
        default=None,
        metavar=('X1', 'Y1', 'X2', 'Y2'),
        help='hand box in pixels (default: the whole image)')
    parser.add_argument(
        '--precision',
        default='fp32',
        choices=['fp32', 'bf16'],
        help='inference precision (model.test_cfg.precision)')
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress bar')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        _, failed = run_demo(args.input, args.config, args.checkpoint,
                             args.out_dir, args.device, args.bboxes,
                             not args.no_progress, args.precision)
    except (FileNotFoundError, ValueError) as e:
        sys.exit(str(e))
    if failed:
        sys.exit(f'{len(failed)} input(s) could not be read and were '
                 f'skipped: ' + '; '.join(failed))


if __name__ == '__main__':
    main()
