# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Generate synthetic hands2017 depth data in the real on-disk layout.

Example::

    python tools/dataset_converters/generate_synthetic_hands2017.py \
        --out-dir data/synthetic_hands2017 --splits training validation frame --num-images 200 40 40 --seed 0

writes the challenge layout ``<out-dir>/{training,validation}/images/`` +
``Training_Annotation.txt`` and ``<out-dir>/frame/images/`` + ``BoundingBox.txt``
(see ``a2jt_mmpose/datasets/synthetic/hands2017_writer.py``).
Same arguments and seed give identical files.
"""
import argparse
import importlib
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from generate_synthetic_interhand import _load_synthetic  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--splits', nargs='+', default=['training', 'validation', 'frame'])
    parser.add_argument('--num-images', nargs='+', type=int,
                        default=[200, 40, 40])
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    if len(args.splits) != len(args.num_images):
        parser.error('--splits and --num-images need the same length')
    synthetic = _load_synthetic()
    writer = importlib.import_module(synthetic.__name__ + '.hands2017_writer')
    stats = writer.generate_hands2017(args.out_dir,
                         dict(zip(args.splits, args.num_images)),
                         seed=args.seed)
    print(f"wrote {stats['frames']} frames to {args.out_dir} in "
          f"{stats['seconds']:.1f} s ({stats['images_per_second']:.1f} "
          'images/s)')


if __name__ == '__main__':
    main()
