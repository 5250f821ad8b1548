# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Draw the anchor weights of one joint over the input crop (paper Fig. 6).

    python tools/analysis_tools/vis_anchor_weights.py CONFIG CHECKPOINT IMG
        --joint NAME_OR_INDEX --out PNG [--layer -1] [--bbox X1 Y1 X2 Y2]
        [--device cpu]

One panel per anchor depth value (3 for the 16 x 16 x 3 InterHand2.6M
anchors): every anchor is a disc whose size and colour grow with its softmax
weight for the chosen joint; the cross is the predicted joint. ``CHECKPOINT``
``none`` builds the model with random weights (a smoke run). The image goes
through the config's test pipeline; the whole image is the hand box unless
``--bbox`` gives one. Joint names are those of the config's dataset metainfo
(e.g. ``r_wrist``); an integer is an index.
"""
import argparse

from a2jt_mmpose.apis.models import build_pose_model
from a2jt_mmpose.visualization import visualize_anchor_weights


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', help='checkpoint file or "none"')
    parser.add_argument('img', help='image file')
    parser.add_argument('--joint', required=True,
                        help='joint name or index')
    parser.add_argument('--out', required=True, help='output PNG')
    parser.add_argument('--layer', type=int, default=-1,
                        help='decoder layer (default: the last)')
    parser.add_argument('--bbox', type=float, nargs=4, default=None,
                        metavar=('X1', 'Y1', 'X2', 'Y2'))
    parser.add_argument('--device', default='cpu')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    random_weights = args.checkpoint.lower() in ('none', 'random', '')
    model, _ = build_pose_model(
        args.config, None if random_weights else args.checkpoint,
        device=args.device)
    drawn = visualize_anchor_weights(model, args.img, args.joint, args.out,
                                     layer=args.layer, bbox=args.bbox)
    total = sum(p['weights'].sum() for p in drawn['panels'])
    print(f'{args.out}: {len(drawn["panels"])} depth panels, '
          f'{sum(len(p["weights"]) for p in drawn["panels"])} anchors, '
          f'weights sum {total:.4f}')
    return drawn


if __name__ == '__main__':
    main()
