# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import logging
import random
from typing import Optional

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmpose.registry import HOOKS

from ...datasets.sample_seeding import SeededSampleMixin
from ...datasets.samplers import SeededSampler


@HOOKS.register_module()
class SeededRandomnessHook(Hook):
    """Make a training run's randomness a function of its seed and position,
    so that a run resumed from a checkpoint equals an uninterrupted one.

    - Before training, the train sampler (a
      :class:`~a2jt_mmpose.datasets.samplers.SeededSampler`) takes the
      runner's seed. A resumed run takes the seed stored in its checkpoint
      (mmengine restores it after the data loader is built), so a run with
      ``randomness.seed=None`` resumes exactly too.
    - Before every training iteration, the main process's Python, numpy and
      torch random states (e.g. dropout) are drawn from
      ``(seed, iteration)``: mmengine does not save them in checkpoints.

    The data side (each sample's augmentation from ``(seed, epoch, index)``,
    for any ``num_workers`` and ``persistent_workers``) is done by the
    sampler and :class:`~a2jt_mmpose.datasets.sample_seeding.SeededSampleMixin`;
    a warning names a train sampler or dataset that cannot do it.
    """

    priority = 'NORMAL'

    def before_train(self, runner) -> None:
        loader = runner.train_loop.dataloader
        sampler = getattr(loader, 'sampler', None)
        if isinstance(sampler, SeededSampler):
            sampler.seed = runner.seed
        else:
            print_log(
                f'SeededRandomnessHook: train_dataloader.sampler is '
                f'{type(sampler).__name__}, not SeededSampler: the data '
                f'augmentation of a resumed run will differ from an '
                f'uninterrupted one', logger='current', level=logging.WARNING)
        dataset = getattr(loader, 'dataset', None)
        if not isinstance(dataset, SeededSampleMixin):
            print_log(
                f'SeededRandomnessHook: train_dataloader.dataset '
                f'{type(dataset).__name__} does not draw its augmentation '
                f'from (seed, epoch, index) (SeededSampleMixin): a resumed '
                f'run will differ from an uninterrupted one',
                logger='current', level=logging.WARNING)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        words = np.random.SeedSequence(
            [runner.seed & 0xFFFFFFFF, 1, runner.iter]).generate_state(4)
        random.seed(int(words[0]))
        np.random.seed(int(words[1]))
        torch.manual_seed(int(words[2]) << 32 | int(words[3]))
