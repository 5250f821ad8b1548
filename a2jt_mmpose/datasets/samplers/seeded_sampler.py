# Copyright (c) a2jt_mmpose contributors. All rights reserved.
from typing import Iterator

from mmengine.dataset import DefaultSampler
from mmpose.registry import DATA_SAMPLERS

from ..sample_seeding import SampleKey


@DATA_SAMPLERS.register_module()
class SeededSampler(DefaultSampler):
    """mmengine's ``DefaultSampler`` (the same order: shuffled by
    ``seed + epoch``) whose indices carry the seed and the epoch
    (:class:`~a2jt_mmpose.datasets.sample_seeding.SampleKey`), so that a
    dataset with :class:`~a2jt_mmpose.datasets.sample_seeding.SeededSampleMixin`
    (every dataset of this package) draws each sample's augmentation from
    ``(seed, epoch, index)`` alone: a resumed run then equals an
    uninterrupted one, for any ``num_workers`` and ``persistent_workers``.

    mmengine's ``DistSamplerSeedHook`` (a default hook) sets the epoch;
    :class:`~a2jt_mmpose.engine.hooks.SeededRandomnessHook` sets the seed to
    the runner's (also a resumed run's) seed.

    Args: as ``DefaultSampler`` (``dataset``, ``shuffle``, ``seed``,
        ``round_up``).
    """

    def __iter__(self) -> Iterator[int]:
        for index in super().__iter__():
            yield SampleKey(index, self.seed, self.epoch)
