# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Generate synthetic hands2017 depth data in the real on-disk layout.

Example::

    python tools/dataset_converters/generate_synthetic_hands2017.py \
        --out-dir data/synthetic_hands2017 \
        --splits training validation frame --num-images 200 40 40 --seed 0

writes the challenge layout ``<out-dir>/{training,validation}/images/`` +
``Training_Annotation.txt`` and ``<out-dir>/frame/images/`` +
``BoundingBox.txt`` (see
``a2jt_mmpose/datasets/synthetic/hands2017_writer.py``).
Same arguments and seed give identical files.
"""
from a2jt_mmpose.datasets.synthetic.cli import run_depth_writer
from a2jt_mmpose.datasets.synthetic.hands2017_writer import \
    generate_hands2017


def main(argv=None):
    run_depth_writer(generate_hands2017, argv,
                     __doc__.split('\n')[0],
                     ['training', 'validation', 'frame'], [200, 40, 40])


if __name__ == '__main__':
    main()
