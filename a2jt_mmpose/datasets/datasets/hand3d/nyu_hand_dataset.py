# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import numpy as np
from mmpose.registry import DATASETS

from .base_depth_hand_dataset import BaseDepthHandDataset, metainfo_file

#: The 14 of NYU's 36 joints used for evaluation by Tompson et al., A2J,
#: V2V-PoseNet and A2J-Transformer (DeepPrior++'s ``restrictedJointsEval``).
NYU_EVAL_JOINTS = (0, 3, 6, 9, 12, 15, 18, 21, 24, 25, 27, 30, 31, 32)
NYU_INTRINSICS = dict(focal=(588.03, -587.07), principal_pt=(320., 240.))


@DATASETS.register_module()
class NYUHandDataset(BaseDepthHandDataset):
    """NYU Hand Pose dataset (Tompson et al. 2014), depth, one right hand.

    Reads the original layout of a split directory (``train/`` or
    ``test/``)::

        <data_root>/joint_data.mat            # ann_file
        <data_root>/depth_<kinect>_<frame:07d>.png

    ``joint_data.mat`` holds ``joint_uvd`` and ``joint_xyz`` of shape
    ``(kinects, frames, 36, 3)`` (px, px, mm / mm). The depth PNGs pack the
    depth in mm as ``G * 256 + B`` (see ``LoadDepthImage``). A2J and
    A2J-Transformer use kinect 1 only (72,757 train / 8,252 test frames) and
    the 14 joints :data:`NYU_EVAL_JOINTS` (metainfo
    ``configs/_base_/datasets/nyu_hand.py``); ``keypoints`` are
    ``joint_uvd`` at those joints, ``keypoints_cam`` their back-projection
    with ``fx, fy, u0, v0 = 588.03, -587.07, 320, 240`` (A2J's
    ``pixel2world``; ``y`` up). ``joint_xyz`` is read and checked for NaN
    only. Frame numbers in file names start at 1; the images are read from
    the folder of ``ann_file`` (``data_prefix`` is not used).

    Crop centre: ``center_file`` (A2J used precomputed centres) in ``uvd``;
    without it the mean of the 14 joints in camera space (recorded as
    ``center_source='joints'`` in each data info).

    See :class:`BaseDepthHandDataset` for the data info keys.

    Args:
        ann_file (str): ``joint_data.mat``.
        kinects (Sequence[int]): 1-based kinect ids to read. Default (1, ).
        joint_indices (Sequence[int]): joints kept of the 36.
        center_file (str, optional): per-frame centres ``(frames, 3)`` uvd.
    """

    METAINFO: dict = dict(from_file=metainfo_file('nyu_hand.py'))

    def __init__(self,
                 ann_file: str = 'joint_data.mat',
                 kinects: Sequence[int] = (1, ),
                 joint_indices: Sequence[int] = NYU_EVAL_JOINTS,
                 center_file: Optional[str] = None,
                 cube_half_size: float = 110.,
                 **kwargs) -> None:
        self.kinects = tuple(int(k) for k in kinects)
        self.joint_indices = list(joint_indices)
        kwargs.setdefault('focal', NYU_INTRINSICS['focal'])
        kwargs.setdefault('principal_pt', NYU_INTRINSICS['principal_pt'])
        kwargs.setdefault('img_size', (640, 480))
        super().__init__(
            ann_file=ann_file,
            center_file=center_file,
            cube_half_size=cube_half_size,
            **kwargs)

    def _read_frames(self) -> Tuple[List[str], List[np.ndarray], List[str]]:
        from scipy.io import loadmat
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'{self.__class__.__name__}: ann_file "{self.ann_file}" '
                'does not exist')
        try:
            mat = loadmat(self.ann_file)
        except Exception as e:  # truncated, corrupt, not a .mat
            raise ValueError(
                f'{self.__class__.__name__}: ann_file "{self.ann_file}" is '
                f'not a readable MATLAB file ({type(e).__name__}: {e}): '
                f'truncated or corrupt?') from e
        arrays = {}
        for key in ('joint_uvd', 'joint_xyz'):
            if key not in mat:
                raise KeyError(
                    f'"{self.ann_file}" has no "{key}" array (keys: '
                    f'{sorted(k for k in mat if not k.startswith("__"))})')
            arr = np.asarray(mat[key], dtype=np.float64)
            if arr.ndim != 4 or arr.shape[-2:] != (36, 3):
                raise ValueError(f'"{key}" in "{self.ann_file}" has shape '
                                 f'{arr.shape}, expected (kinects, frames, '
                                 '36, 3)')
            arrays[key] = arr
        uvd_all, xyz_all = arrays['joint_uvd'], arrays['joint_xyz']
        img_dir = osp.dirname(self.ann_file)  # the real layout
        paths, joints, names = [], [], []
        for kinect in self.kinects:
            if not 1 <= kinect <= uvd_all.shape[0]:
                raise ValueError(f'kinect {kinect} not in "{self.ann_file}"'
                                 f' ({uvd_all.shape[0]} kinects)')
            xyz = xyz_all[kinect - 1][:, self.joint_indices]
            bad = np.argwhere(~np.isfinite(xyz).all(-1))
            if len(bad):
                raise ValueError(
                    f'NaN/inf joint_xyz in "{self.ann_file}" (kinect '
                    f'{kinect}, frame, joint) {bad[:5].tolist()}')
            for f, uvd in enumerate(uvd_all[kinect - 1]):
                name = f'depth_{kinect}_{f + 1:07d}.png'
                paths.append(osp.join(img_dir, name))
                joints.append(uvd[self.joint_indices])
                names.append(name)
        return paths, joints, names
