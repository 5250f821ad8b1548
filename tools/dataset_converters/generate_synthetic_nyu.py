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
from a2jt_mmpose.datasets.synthetic.cli import run_depth_writer
from a2jt_mmpose.datasets.synthetic.nyu_writer import generate_nyu


def main(argv=None):
    run_depth_writer(generate_nyu, argv,
                     __doc__.split('\n')[0], ['train', 'test'], [200, 40])


if __name__ == '__main__':
    main()
