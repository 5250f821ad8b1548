# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import pickle
import random
from types import SimpleNamespace
from unittest import TestCase

import numpy as np
import torch
from mmengine.dataset import DefaultSampler

from a2jt_mmpose.datasets import SampleKey, seeded_randomness
from a2jt_mmpose.datasets.samplers import SeededSampler
from a2jt_mmpose.engine.hooks import SeededRandomnessHook
from conftest import interhand_mini_split


def draws():
    return (random.random(), np.random.rand(), torch.rand(1).item())


class TestSampleKey(TestCase):

    def test_is_an_index_that_travels_to_workers(self):
        key = SampleKey(7, seed=3, epoch=2)
        self.assertEqual(key, 7)
        self.assertEqual([10, 11, 12, 13, 14, 15, 16, 17][key], 17)
        copy = pickle.loads(pickle.dumps(key))
        self.assertIsInstance(copy, SampleKey)
        self.assertEqual((int(copy), copy.seed, copy.epoch), (7, 3, 2))
        self.assertEqual(SampleKey(1, -1, 0).entropy(), (2**32 - 1, 0, 1))

    def test_seeded_randomness_is_a_function_of_the_key(self):
        with seeded_randomness(SampleKey(5, 0, 1).entropy()):
            a = draws()
        with seeded_randomness(SampleKey(5, 0, 1).entropy()):
            b = draws()
        with seeded_randomness(SampleKey(5, 0, 2).entropy()):
            c = draws()
        self.assertEqual(a, b)
        self.assertTrue(all(x != y for x, y in zip(a, c)))

    def test_outer_random_state_is_untouched(self):
        random.seed(1)
        np.random.seed(1)
        torch.manual_seed(1)
        expected = draws()
        random.seed(1)
        np.random.seed(1)
        torch.manual_seed(1)
        with seeded_randomness((1, 2, 3)):
            draws()
        self.assertEqual(draws(), expected)


class TestSeededSampler(TestCase):

    def test_same_order_as_default_sampler_with_keys(self):
        data = list(range(10))
        ours = SeededSampler(data, shuffle=True, seed=4)
        ref = DefaultSampler(data, shuffle=True, seed=4)
        for epoch in (0, 3):
            ours.set_epoch(epoch)
            ref.set_epoch(epoch)
            keys = list(ours)
            self.assertEqual([int(k) for k in keys], list(ref))
            self.assertTrue(all(isinstance(k, SampleKey) and k.seed == 4
                                and k.epoch == epoch for k in keys))

    def test_dataset_augments_by_seed_epoch_index(self):
        from mmpose.registry import DATASETS
        pipeline = [
            dict(type='LoadImage'),
            dict(type='GetBBoxCenterScale', padding=1.25),
            dict(type='HandRandomFlip', prob=0.5),
            dict(type='InterNetBBoxTransform', input_size=(64, 64)),
            dict(type='TopdownAffine', input_size=(64, 64)),
            dict(type='RandomColorGain'),
        ]
        dataset = DATASETS.build(
            dict(type='CheckedInterHand3DDataset', pipeline=pipeline,
                 use_gt_root_depth=True, rootnet_result_file=None,
                 data_mode='topdown', test_mode=False,
                 **interhand_mini_split()))

        def sample(key):
            out = dataset[key]
            return np.concatenate([out['img'].ravel(),
                                   out['keypoints'].ravel()])

        np.random.seed(0)
        first = sample(SampleKey(1, 0, 5))
        np.random.seed(123)  # the process's state does not matter
        np.testing.assert_array_equal(sample(SampleKey(1, 0, 5)), first)
        self.assertFalse(np.array_equal(sample(SampleKey(1, 0, 6)), first))
        self.assertFalse(np.array_equal(sample(SampleKey(1, 1, 5)), first))
        # a plain index still draws from the process's state
        np.random.seed(0)
        a = sample(1)
        np.random.seed(0)
        np.testing.assert_array_equal(sample(1), a)


class TestSeededRandomnessHook(TestCase):

    def test_main_process_randomness_follows_seed_and_iteration(self):
        hook = SeededRandomnessHook()
        runs = {}
        for seed, it in ((0, 5), (0, 5), (0, 6), (1, 5)):
            runner = SimpleNamespace(seed=seed, iter=it)
            draws()  # whatever happened before
            hook.before_train_iter(runner, 0)
            runs.setdefault((seed, it), []).append(draws())
        self.assertEqual(*runs[(0, 5)])
        self.assertNotEqual(runs[(0, 5)][0], runs[(0, 6)][0])
        self.assertNotEqual(runs[(0, 5)][0], runs[(1, 5)][0])

    def test_sampler_takes_the_runner_seed(self):
        sampler = SeededSampler(list(range(4)), seed=1)
        loader = SimpleNamespace(sampler=sampler, dataset=[])
        runner = SimpleNamespace(
            seed=77, train_loop=SimpleNamespace(dataloader=loader))
        SeededRandomnessHook().before_train(runner)
        self.assertEqual(sampler.seed, 77)
        self.assertEqual({k.seed for k in sampler}, {77})
