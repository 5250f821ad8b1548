# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Convert an official A2J-Transformer InterHand2.6M snapshot to an mmengine
checkpoint for the paper-model config
(``a2jt_res50-dc5_1xb12-42e_interhand3d-256x256.py``; the official model has
no hand-type / root-depth heads).

    python tools/model_converters/a2jt_official_to_mmpose.py \
        snapshot_0.pth.tar a2jt_interhand3d_official.pth [--config CONFIG]

See :func:`a2jt_mmpose.models.utils.official_checkpoint.
convert_official_checkpoint`.
"""
import argparse
import os.path as osp

from a2jt_mmpose.models.utils.official_checkpoint import (
    PAPER_CONFIG, convert_official_checkpoint)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help='official snapshot_*.pth.tar')
    parser.add_argument('dst', help='output .pth')
    parser.add_argument('--config', default=osp.join(REPO_ROOT, PAPER_CONFIG))
    return parser.parse_args()


def main():
    args = parse_args()
    meta = convert_official_checkpoint(args.src, args.dst, args.config)
    print(f'wrote {args.dst} (official epoch {meta["official_epoch"]}, '
          f'{meta["dataset_meta"]["num_keypoints"]} keypoints)')


if __name__ == '__main__':
    main()
