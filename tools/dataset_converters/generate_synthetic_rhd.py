# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Generate synthetic hands in the original RHD (Rendered Hand Pose) layout.

Example::

    python tools/dataset_converters/generate_synthetic_rhd.py \
        --out-dir data/synthetic_rhd --sets training evaluation \
        --num-images 2000 200 --seed 0 --workers 2

writes ``<out-dir>/<set>/{color,depth,mask}/%05d.png`` and
``<out-dir>/<set>/anno_<set>.pickle`` (the layout of ``RHD_published_v2``),
plus mmpose's converted json ``<out-dir>/annotations/rhd_<train|test>.json``
unless ``--no-json``; both load with ``Rhd3DDataset``. Same arguments and
seed give identical files.
"""
import argparse

from a2jt_mmpose.datasets.synthetic import generate_rhd
from a2jt_mmpose.datasets.synthetic.cli import Progress, counts_per_split


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate synthetic data in the RHD release layout')
    parser.add_argument('--out-dir', required=True, help='dataset root')
    parser.add_argument(
        '--sets',
        nargs='+',
        default=['training', 'evaluation'],
        choices=['training', 'evaluation'],
        help='sets to write')
    parser.add_argument(
        '--num-images',
        type=int,
        nargs='+',
        default=[1000],
        help='images per set (one value for all sets or one per set)')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument(
        '--img-size',
        type=int,
        nargs=2,
        default=[320, 320],
        metavar=('W', 'H'),
        help='image width and height (RHD: 320 320)')
    parser.add_argument(
        '--two-hand-ratio',
        type=float,
        default=0.4,
        help='fraction of images showing both hands')
    parser.add_argument(
        '--right-ratio',
        type=float,
        default=0.5,
        help='fraction of one-hand images showing the right hand')
    parser.add_argument(
        '--facing-camera-tilt',
        type=float,
        default=None,
        help='easier preset: the palm turned towards the camera within this '
        'tilt (degrees); default: random orientations')
    parser.add_argument(
        '--no-json', action='store_true', help="skip mmpose's json")
    parser.add_argument(
        '--workers', type=int, default=1, help='rendering processes')
    parser.add_argument(
        '--quiet', action='store_true', help='no progress line')
    args = parser.parse_args(argv)
    args.num_images = counts_per_split(
        parser, args.sets, args.num_images, what='set')
    return args


def main(argv=None):
    args = parse_args(argv)
    for set_name, num in zip(args.sets, args.num_images):
        res = generate_rhd(
            args.out_dir,
            set_name=set_name,
            num_images=num,
            seed=args.seed,
            img_size=tuple(args.img_size),
            two_hand_ratio=args.two_hand_ratio,
            right_ratio=args.right_ratio,
            facing_camera_tilt=args.facing_camera_tilt,
            write_json=not args.no_json,
            workers=args.workers,
            progress=Progress(set_name, args.quiet))
        print(f'[{set_name}] wrote {res["num_images"]} images in '
              f'{res["seconds"]:.2f} s: '
              f'{res["num_images"] / res["seconds"]:.1f} images/s with '
              f'{args.workers} worker(s); {res["num_hands"]} hands in the '
              'json')
        print(f'[{set_name}] annotations: {res["ann_file"]}')


if __name__ == '__main__':
    main()
