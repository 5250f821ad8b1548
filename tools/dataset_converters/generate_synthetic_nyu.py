# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Generate synthetic nyu depth data in the real on-disk layout.

Example::

    python tools/dataset_converters/generate_synthetic_nyu.py \
        --out-dir data/synthetic_nyu --splits train test \
        --num-images 200 40 --seed 0

writes ``<out-dir>/{train,test}/joint_data.mat`` and
``depth_1_<frame:07d>.png`` (NYU's original layout, see
``a2jt_mmpose/datasets/synthetic/nyu_writer.py``).
Same arguments and seed give identical files.
"""
import argparse
import importlib
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from generate_synthetic_interhand import _load_synthetic  # noqa: E402


def run_depth_writer(argv, description, writer, default_splits,
                     default_num_images):
    """Command line of a synthetic depth-dataset writer (this one and
    ``generate_synthetic_hands2017.py``): parse ``--out-dir``, ``--splits``,
    ``--num-images`` and ``--seed``, then call
    ``<writer module>.generate_<name>(out_dir, {split: num}, seed=seed)``.

    Args:
        argv (list[str], optional): arguments (default: ``sys.argv``).
        description (str): help text.
        writer (str): module of ``a2jt_mmpose.datasets.synthetic``, e.g.
            ``'nyu_writer'``; its function is ``generate_<name>``.
        default_splits (list[str]): default ``--splits``.
        default_num_images (list[int]): default ``--num-images``.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--splits', nargs='+', default=default_splits)
    parser.add_argument('--num-images', nargs='+', type=int,
                        default=default_num_images)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    if len(args.splits) != len(args.num_images):
        parser.error('--splits and --num-images need the same length')
    synthetic = _load_synthetic()
    module = importlib.import_module(f'{synthetic.__name__}.{writer}')
    generate = getattr(module, 'generate_' + writer[:-len('_writer')])
    stats = generate(args.out_dir, dict(zip(args.splits, args.num_images)),
                     seed=args.seed)
    print(f"wrote {stats['frames']} frames to {args.out_dir} in "
          f"{stats['seconds']:.1f} s ({stats['images_per_second']:.1f} "
          'images/s)')


def main(argv=None):
    run_depth_writer(argv, __doc__.split('\n')[0], 'nyu_writer',
                     ['train', 'test'], [200, 40])


if __name__ == '__main__':
    main()
