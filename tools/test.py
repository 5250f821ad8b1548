# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Evaluate a checkpoint on the test split of a config.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
                         [--cfg-options k=v ...] [--launcher pytorch]
    mim test a2jt_mmpose CONFIG -C CHECKPOINT [...]
"""
import argparse

import mmengine
from mmengine.config import Config
from mmengine.runner import Runner

from a2jt_mmpose.utils import (add_runner_args, apply_runner_args,
                               setup_cpu_distributed)


def parse_args():
    parser = argparse.ArgumentParser(description='Test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out', help='write the metrics to this .json/.yaml/.pkl file')
    add_runner_args(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    cfg = apply_runner_args(Config.fromfile(args.config), args)
    cfg.load_from = args.checkpoint
    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    if args.out:
        mmengine.dump(metrics, args.out)
    return metrics


if __name__ == '__main__':
    main()
