# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Per-sample randomness: every random draw of a training sample's pipeline
is a function of ``(seed, epoch, sample index)``.

PyTorch seeds each data-loader worker once, when it starts. A persistent
worker then carries its random state from one epoch into the next, while the
fresh worker of a resumed run starts again from the seed, so a resumed run
augments its samples differently from an uninterrupted one, and the
augmentations also depend on ``num_workers``. Here the sampler
(:class:`~a2jt_mmpose.datasets.samplers.SeededSampler`) hands each index to
the dataset as a :class:`SampleKey` that carries the seed and the epoch, and
the dataset (:class:`SeededSampleMixin`) runs the pipeline under random
states drawn from them, restoring the process's own states afterwards.
"""
import random
from contextlib import contextmanager
from typing import Iterator, Sequence

import numpy as np
import torch


class SampleKey(int):
    """A dataset index that carries the seed and epoch it is drawn for.

    It is an ``int`` (the index) everywhere an index is expected.

    Args:
        index (int): the sample index.
        seed (int): the run's seed.
        epoch (int): the epoch (0-based).
    """

    def __new__(cls, index: int, seed: int, epoch: int) -> 'SampleKey':
        key = super().__new__(cls, index)
        key.seed = int(seed)
        key.epoch = int(epoch)
        return key

    def __reduce__(self):
        return SampleKey, (int(self), self.seed, self.epoch)

    def __repr__(self) -> str:
        return (f'SampleKey(index={int(self)}, seed={self.seed}, '
                f'epoch={self.epoch})')

    def entropy(self) -> Sequence[int]:
        """The non-negative words the sample's random states derive from."""
        return (self.seed & 0xFFFFFFFF, self.epoch, int(self))


@contextmanager
def seeded_randomness(entropy: Sequence[int]) -> Iterator[None]:
    """Run a block with Python's, numpy's and torch's (CPU) global random
    states drawn from ``entropy``, and restore the previous states after it.

    Args:
        entropy (Sequence[int]): non-negative integers, e.g.
            :meth:`SampleKey.entropy`.
    """
    words = np.random.SeedSequence(list(entropy)).generate_state(4)
    py_state, np_state = random.getstate(), np.random.get_state()
    torch_state = torch.get_rng_state()
    random.seed(int(words[0]))
    np.random.seed(int(words[1]))
    torch.default_generator.manual_seed(
        int(words[2]) << 32 | int(words[3]))
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
        torch.set_rng_state(torch_state)


class SeededSampleMixin:
    """Dataset mixin: a :class:`SampleKey` index runs the whole
    ``__getitem__`` (pipeline and re-fetches of a dropped sample) under
    :func:`seeded_randomness` of its ``(seed, epoch, index)``; a plain
    ``int`` index behaves as before.

    Put it before the dataset base class:
    ``class MyDataset(SeededSampleMixin, BaseCocoStyleDataset)``.
    """

    def __getitem__(self, idx: int) -> dict:
        if isinstance(idx, SampleKey):
            with seeded_randomness(idx.entropy()):
                return super().__getitem__(int(idx))
        return super().__getitem__(idx)
