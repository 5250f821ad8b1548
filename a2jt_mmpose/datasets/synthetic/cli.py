# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Command-line pieces of ``tools/dataset_converters/generate_synthetic_*.py``.

The scripts parse their arguments and call the writers of this package;
what they share lives here: the progress line, the per-split image counts
and the whole command line of the depth writers (NYU, HANDS 2017).
"""
import argparse
import time
from typing import Callable, Dict, List, Optional, Sequence

__all__ = ['Progress', 'counts_per_split', 'run_depth_writer']


class Progress:
    """Progress callback ``progress(done, total)`` of the writers: prints
    ``[name] done/total images, rate images/s`` on one line, at most every
    0.5 s and always at the end.

    Args:
        name (str): split / set name shown in brackets.
        quiet (bool): print nothing.
    """

    def __init__(self, name: str, quiet: bool = False):
        self.name = name
        self.quiet = quiet
        self.t0 = time.perf_counter()
        self.last = 0.

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if self.quiet or (now - self.last < 0.5 and done < total):
            return
        self.last = now
        rate = done / max(now - self.t0, 1e-9)
        end = '\n' if done == total else ''
        print(
            f'\r[{self.name}] {done}/{total} images, {rate:.1f} images/s',
            end=end,
            flush=True)


def counts_per_split(parser: argparse.ArgumentParser,
                     names: Sequence[str],
                     counts: Sequence[int],
                     what: str = 'split') -> List[int]:
    """Images per split from ``--num-images``: one value for all splits or
    one per split; anything else is a usage error of ``parser``.

    Args:
        parser (argparse.ArgumentParser): reports the error (exits).
        names (Sequence[str]): split names.
        counts (Sequence[int]): the ``--num-images`` values.
        what (str): what a split is called in the message (``'set'``).

    Returns:
        list[int]: ``len(names)`` counts.
    """
    if len(counts) == 1:
        return list(counts) * len(names)
    if len(counts) != len(names):
        parser.error(f'--num-images takes one value or one per {what}')
    return list(counts)


def run_depth_writer(generate: Callable[..., dict], argv: Optional[List[str]],
                     description: str, default_splits: List[str],
                     default_num_images: List[int]) -> Dict[str, float]:
    """Command line of a synthetic depth-dataset writer: parse
    ``--out-dir``, ``--splits``, ``--num-images`` (one per split) and
    ``--seed``, call ``generate(out_dir, {split: num}, seed=seed)`` and
    print what it wrote.

    Args:
        generate (Callable): :func:`.nyu_writer.generate_nyu` or
            :func:`.hands2017_writer.generate_hands2017`.
        argv (list[str], optional): arguments (default: ``sys.argv``).
        description (str): help text.
        default_splits (list[str]): default ``--splits``.
        default_num_images (list[int]): default ``--num-images``.

    Returns:
        dict: what ``generate`` returns (``frames``, ``seconds``,
        ``images_per_second``).
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--out-dir', required=True, help='dataset root')
    parser.add_argument(
        '--splits', nargs='+', default=default_splits, help='split names')
    parser.add_argument(
        '--num-images',
        nargs='+',
        type=int,
        default=default_num_images,
        help='images per split, one value per split')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    args = parser.parse_args(argv)
    if len(args.splits) != len(args.num_images):
        parser.error('--splits and --num-images need the same length')
    stats = generate(
        args.out_dir, dict(zip(args.splits, args.num_images)), seed=args.seed)
    print(f"wrote {stats['frames']} frames to {args.out_dir} in "
          f"{stats['seconds']:.1f} s ({stats['images_per_second']:.1f} "
          'images/s)')
    return stats
