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
import os
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


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
    if REPO_ROOT not in sys.path:
        sys.path.insert(0, REPO_ROOT)
    from mmpose.apis import init_model
    from mmpose.utils import register_all_modules
    register_all_modules()
    import a2jt_mmpose  # noqa: F401
    from a2jt_mmpose.visualization.anchor_weights import (
        anchor_weights_of_joint, draw_anchor_weights)

    random_weights = args.checkpoint.lower() in ('none', 'random', '')
    model = init_model(
        args.config,
        None if random_weights else args.checkpoint,
        device=args.device,
        cfg_options={'model.backbone.init_cfg': None}
        if random_weights else None)
    if random_weights:
        model.init_weights()
    res = anchor_weights_of_joint(
        model, args.img, args.joint, bbox=args.bbox, layer=args.layer)
    names = model.dataset_meta.get('keypoint_id2name', {})
    name = names.get(res['joint_index'], str(res['joint_index']))
    depth_unit = 'bins' if 'InterHand' in model.head.decoder.__class__.__name__ \
        else 'depth units'
    out_dir = osp.dirname(osp.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    drawn = draw_anchor_weights(
        res['crop'], res['anchors'], res['weights'], joint=res['joint'],
        title=f'{osp.basename(args.img)}: anchor weights of {name} '
        f'(joint {res["joint_index"]}, layer {args.layer})',
        depth_unit=depth_unit, out_file=args.out)
    total = sum(p['weights'].sum() for p in drawn['panels'])
    print(f'{args.out}: {len(drawn["panels"])} depth panels, '
          f'{len(res["weights"])} anchors, weights sum {total:.4f}')
    return drawn


if __name__ == '__main__':
    main()
