# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""3D two-hand pose with A2J-Transformer on images, folders or videos.

    python tools/demo.py INPUT [--config CONFIG] [--checkpoint CKPT]
        [--out-dir outputs/demo] [--device cpu] [--bboxes x1 y1 x2 y2]

``INPUT`` is an image, a folder of images or a video. Through mmpose's
``MMPoseInferencer`` (-> ``Hand3DInferencer``) every frame gets 42 x 3
keypoints; ``<out-dir>/visualizations`` holds the 2-D overlay + 3-D skeleton
pictures (videos for video input) and ``<out-dir>/predictions`` one json per
image. Without ``--checkpoint`` the model has random weights (a smoke run).
An input that does not decode (an empty or non-image file, a broken video)
is reported by name and skipped; the others are processed, and the exit
status is then non-zero.
The whole image is the hand box unless ``--bboxes`` gives one.

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

from a2jt_mmpose.apis import (SameBoxForEveryInput, describe_hands,
                              keep_data_samples, readable_inputs)

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
        '--no-progress', action='store_true', help='no progress bar')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if not osp.exists(args.input):
        sys.exit(f'input "{args.input}" does not exist')
    if 'hand3d' not in osp.basename(args.config):
        sys.exit('MMPoseInferencer picks its 3D hand inferencer by "hand3d" '
                 f'in the config name; "{args.config}" has none')
    inputs, failed = readable_inputs(args.input)
    for reason in failed:
        print(f'skipped {reason}', file=sys.stderr)
    if not inputs:
        sys.exit(f'no readable image or video in "{args.input}": ' +
                 ('; '.join(failed) or 'none found'))
    from mmpose.apis import MMPoseInferencer
    inferencer = MMPoseInferencer(
        pose3d=args.config,
        pose3d_weights=args.checkpoint,
        device=args.device,
        show_progress=not args.no_progress)
    call_args = dict(out_dir=args.out_dir)
    if args.bboxes is not None:
        call_args['bboxes'] = SameBoxForEveryInput(args.bboxes)
    samples = keep_data_samples(inferencer.inferencer)
    count = 0
    for path in inputs:
        for _ in inferencer(path, **call_args):
            count += 1
            for sample in samples:
                print(f'frame {count}: '
                      f'{describe_hands(sample.pred_instances)}')
    print(f'{count} result(s) in {args.out_dir}/visualizations and '
          f'{args.out_dir}/predictions')
    if failed:
        sys.exit(f'{len(failed)} input(s) could not be read and were '
                 f'skipped: ' + '; '.join(failed))


if __name__ == '__main__':
    main()
