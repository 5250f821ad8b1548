# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Generate synthetic two-hand data in the InterHand2.6M on-disk format.

Example::

    python tools/dataset_converters/generate_synthetic_interhand.py \
        --out-dir data/synthetic_interhand --splits train test \
        --num-images 2000 200 --seed 0 --img-size 256 256 --workers 2

writes ``<out-dir>/images/<split>/Capture*/...jpg`` and
``<out-dir>/annotations/<split>/InterHand2.6M_<split>_{data,camera,
joint_3d}.json`` for every split, loadable by mmpose's
``InterHand3DDataset``. Same arguments and seed give byte-identical files.
"""
import argparse

from a2jt_mmpose.datasets.synthetic import generate_interhand
from a2jt_mmpose.datasets.synthetic.cli import Progress, counts_per_split


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate synthetic InterHand2.6M-format data')
    parser.add_argument('--out-dir', required=True, help='dataset root')
    parser.add_argument(
        '--splits', nargs='+', default=['train', 'test'], help='split names')
    parser.add_argument(
        '--num-images',
        type=int,
        nargs='+',
        default=[1000],
        help='images per split (one value for all splits or one per split)')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument(
        '--img-size',
        type=int,
        nargs=2,
        default=[256, 256],
        metavar=('W', 'H'),
        help='image width and height (InterHand2.6M: 334 512)')
    parser.add_argument(
        '--workers', type=int, default=1, help='rendering processes')
    parser.add_argument(
        '--interacting-ratio',
        type=float,
        default=0.5,
        help='fraction of sequences showing both hands')
    parser.add_argument(
        '--right-ratio',
        type=float,
        default=0.5,
        help='fraction of single-hand sequences showing the right hand')
    parser.add_argument(
        '--num-captures',
        type=int,
        default=None,
        help='captures (subjects); default num_images // 250 in [2, 26]')
    parser.add_argument(
        '--jpeg-quality', type=int, default=95, help='JPEG quality')
    parser.add_argument(
        '--facing-camera-tilt',
        type=float,
        default=None,
        help='easier preset: one camera per frame, the palm turned towards '
        'it within this tilt (degrees); default: random orientations')
    parser.add_argument(
        '--poses',
        choices=('free', 'gestures'),
        default='free',
        help='free: a new articulation in every frame (default); gestures: '
        'one gesture per sequence and hand, as InterHand2.6M is recorded')
    parser.add_argument(
        '--quiet', action='store_true', help='no progress line')
    args = parser.parse_args(argv)
    args.num_images = counts_per_split(parser, args.splits, args.num_images)
    return args


def main(argv=None):
    args = parse_args(argv)
    for split, num in zip(args.splits, args.num_images):
        res = generate_interhand(
            args.out_dir,
            split=split,
            num_images=num,
            seed=args.seed,
            img_size=tuple(args.img_size),
            interacting_ratio=args.interacting_ratio,
            right_ratio=args.right_ratio,
            num_captures=args.num_captures,
            jpeg_quality=args.jpeg_quality,
            workers=args.workers,
            facing_camera_tilt=args.facing_camera_tilt,
            poses=args.poses,
            progress=Progress(split, args.quiet))
        w, h = args.img_size
        print(f'[{split}] wrote {res["num_images"]} images of {w}x{h} '
              f'({res["num_frames"]} frames) in {res["seconds"]:.2f} s: '
              f'{res["num_images"] / res["seconds"]:.1f} images/s with '
              f'{args.workers} worker(s)')
        print(f'[{split}] annotations: {res["ann_file"]}')


if __name__ == '__main__':
    main()
