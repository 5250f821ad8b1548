# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import os.path as osp
from typing import Optional

import numpy as np
from mmengine.fileio import exists
from mmpose.datasets import InterHand3DDataset
from mmpose.registry import DATASETS

from ...sample_seeding import SeededSampleMixin


@DATASETS.register_module()
class CheckedInterHand3DDataset(SeededSampleMixin, InterHand3DDataset):
    """mmpose's ``InterHand3DDataset`` with input validation.

    Reads the official InterHand2.6M layout unchanged
    (``InterHand2.6M_<split>_{data,camera,joint_3d}.json`` + images) and
    produces exactly the samples of mmpose's class (see its docstring:
    ``keypoints`` ``(1, 42, 3)`` = pixels + depth relative to each hand's root
    in mm, ``keypoints_cam`` ``(1, 42, 3)`` in mm, ...). On bad input it
    raises an error that names the file and the key instead of an anonymous
    assertion:

    - a missing annotation / camera / joint file (``FileNotFoundError`` with
      the config key and the resolved path);
    - an image whose capture, camera or frame is absent from the camera or
      joint file (``KeyError``);
    - NaN / inf world coordinates of a joint marked valid (``ValueError``
      with the joint file, capture, frame and joint indices).
    """

    def __init__(self,
                 ann_file: str = '',
                 camera_param_file: str = '',
                 joint_file: str = '',
                 data_root: Optional[str] = None,
                 **kwargs) -> None:
        for key, path in (('ann_file', ann_file),
                          ('camera_param_file', camera_param_file),
                          ('joint_file', joint_file)):
            full = path if (data_root is None or osp.isabs(path)) else \
                osp.join(data_root, path)
            if not path or not exists(full):
                raise FileNotFoundError(
                    f'{self.__class__.__name__}: {key}="{path}" does not exist'
                    f' (resolved to "{full}", data_root="{data_root}")')
        self._files = dict(
            camera_param_file=camera_param_file, joint_file=joint_file)
        super().__init__(
            ann_file=ann_file,
            camera_param_file=camera_param_file,
            joint_file=joint_file,
            data_root=data_root,
            **kwargs)

    def parse_data_info(self, raw_data_info: dict) -> Optional[dict]:
        img = raw_data_info['raw_img_info']
        ann = raw_data_info['raw_ann_info']
        capture, camera, frame = (str(img.get('capture')), img.get('camera'),
                                  str(img.get('frame_idx')))
        cameras = self.cameras.get(capture)
        if cameras is None or any(camera not in cameras.get(k, {})
                                  for k in ('campos', 'camrot', 'focal',
                                            'princpt')):
            raise KeyError(
                f'camera {camera} of capture {capture} (image '
                f'{img.get("file_name")}) is missing from camera_param_file '
                f'"{self._files["camera_param_file"]}"')
        joints = self.joints.get(capture, {}).get(frame)
        if joints is None or 'world_coord' not in joints:
            raise KeyError(
                f'frame {frame} of capture {capture} (image '
                f'{img.get("file_name")}) has no world_coord in joint_file '
                f'"{self._files["joint_file"]}"')
        world = np.asarray(joints['world_coord'], dtype=np.float64)
        valid = np.asarray(ann['joint_valid'], dtype=np.float64).reshape(-1)
        if world.shape != (len(valid), 3):
            raise ValueError(
                f'world_coord of capture {capture} frame {frame} in '
                f'"{self._files["joint_file"]}" has shape {world.shape}, '
                f'expected ({len(valid)}, 3)')
        bad = np.flatnonzero(~np.isfinite(world).all(1) & (valid > 0))
        if len(bad):
            raise ValueError(
                f'NaN/inf world_coord for joints {bad.tolist()} marked valid '
                f'(capture {capture}, frame {frame}, image '
                f'{img.get("file_name")}) in "{self._files["joint_file"]}"')
        return super().parse_data_info(raw_data_info)
