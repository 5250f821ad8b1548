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
import json

from mmengine.config import DictAction

from a2jt_mmpose.apis.anchor_statistics import collect_anchor_statistics


def parse_args(argv=None):
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


def main(argv=None):
    args = parse_args(argv)
    random_weights = args.checkpoint.lower() in ('none', 'random', '')
    result = collect_anchor_statistics(
        args.config, None if random_weights else args.checkpoint,
        args.num_images, args.batch_size, args.device, args.cfg_options)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
