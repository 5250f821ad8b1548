# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""The mean-pose baseline on hand-computed cases."""
import numpy as np
import pytest

from a2jt_mmpose.evaluation.functional import mean_pose_baseline, root_relative


def test_root_relative_uses_each_hand_root():
    cam = np.zeros((1, 6, 3))
    cam[0, :, 0] = [1, 2, 3, 10, 20, 30]  # two hands of 3, roots 2 and 5
    rel = root_relative(cam, (2, 5))
    np.testing.assert_array_equal(rel[0, :, 0], [-2, -1, 0, -20, -10, 0])
    with pytest.raises(ValueError, match='root 4 is not a joint of hand 0'):
        root_relative(cam, (4, 5))
    with pytest.raises(ValueError, match='do not split'):
        root_relative(np.zeros((1, 5, 3)), (2, 4))


def test_baseline_by_hand():
    # one hand of 2 joints, root 1; training poses: joint 0 at +x 2 and 4 mm
    # from the root (mean 3), a third sample's joint 0 is not valid
    train = np.zeros((3, 2, 3))
    train[0, 0, 0], train[1, 0, 0], train[2, 0, 0] = 2., 4., 100.
    train_valid = np.array([[1, 1], [1, 1], [0, 1]], bool)
    # test: joint 0 at +x 7 (error 4) and at +y 3 (error sqrt(9 + 9))
    test = np.zeros((2, 2, 3)) + 50.  # the root's position does not matter
    test[0, 0] += [7., 0., 0.]
    test[1, 0] += [0., 3., 0.]
    test_valid = np.ones((2, 2), bool)
    res = mean_pose_baseline(train, train_valid, test, test_valid,
                             np.array([False, True]), root_indices=(1, ))
    # per joint first: joint 0 mean (4 + sqrt(18)) / 2, the root 0; then
    # the mean over the two joints
    j0 = (4. + np.sqrt(18.)) / 2
    assert res['MPJPE_all'] == pytest.approx(j0 / 2)
    assert res['MPJPE_single'] == pytest.approx(4. / 2)
    assert res['MPJPE_interacting'] == pytest.approx(np.sqrt(18.) / 2)
