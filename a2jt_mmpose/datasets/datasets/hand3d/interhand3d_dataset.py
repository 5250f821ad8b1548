# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import json
import os.path as osp
from typing import List, Optional

import numpy as np
from mmengine.fileio import exists, get_local_path
from mmpose.datasets import InterHand3DDataset
from mmpose.registry import DATASETS

from ...sample_errors import NameSampleOnErrorMixin, check_split_not_empty
from ...sample_seeding import SeededSampleMixin


@DATASETS.register_module()
class CheckedInterHand3DDataset(SeededSampleMixin, NameSampleOnErrorMixin,
                                InterHand3DDataset):
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
      with the joint file, capture, frame and joint indices);
    - NaN / inf in a camera (``campos``, ``camrot``, ``focal``, ``princpt``)
      or a box, a focal length or box side <= 0, wrong shapes
      (``ValueError`` with the file, the image id and path);
    - a file that is no valid JSON (``ValueError`` with the config key,
      the file and the position);
    - a split with no sample (``ValueError`` with the ann_file).
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

    def _load_annotations(self):
        try:
            instances, images = super()._load_annotations()
            self._num_read = (len(images), len(instances))
            return instances, images
        except json.JSONDecodeError as e:
            error = e
        # find the culprit (only on this error path: the files are large)
        for key, path in (('ann_file', self.ann_file),
                          ('camera_param_file', self.camera_param_file),
                          ('joint_file', self.joint_file)):
            with get_local_path(path) as local_path:
                with open(local_path) as f:
                    try:
                        json.load(f)
                    except json.JSONDecodeError as e:
                        raise ValueError(
                            f'{self.__class__.__name__}: {key} "{path}" is '
                            f'not valid JSON (line {e.lineno} column '
                            f'{e.colno}: {e.msg}): truncated or corrupt?'
                        ) from None
        raise error  # from another file (e.g. a RootNet result)

    def load_data_list(self) -> List[dict]:
        return check_split_not_empty(self, super().load_data_list(),
                                     'annotations read', 'annotation')

    def _check_numbers(self, img: dict, where: str) -> None:
        """The camera of one image: finite values of the right shapes, focal
        lengths > 0."""
        capture, camera = str(img.get('capture')), img.get('camera')
        cams = self.cameras[capture]
        for key, shape in (('campos', (3, )), ('camrot', (3, 3)),
                           ('focal', (2, )), ('princpt', (2, ))):
            value = np.asarray(cams[key][camera], dtype=np.float64)
            if value.shape != shape or not np.isfinite(value).all():
                raise ValueError(
                    f'camera {key} of capture {capture} camera {camera} '
                    f'({where}) in camera_param_file '
                    f'"{self._files["camera_param_file"]}" is {value.tolist()}'
                    f': expected {shape} finite numbers')
            if key == 'focal' and (value <= 0).any():
                raise ValueError(
                    f'camera focal of capture {capture} camera {camera} '
                    f'({where}) in "{self._files["camera_param_file"]}" is '
                    f'{value.tolist()}: must be > 0')

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
        where = f'image id {img.get("id")} "{img.get("file_name")}"'
        self._check_numbers(img, where)
        bbox = np.asarray(ann.get('bbox', ()), dtype=np.float64).reshape(-1)
        if self.use_gt_root_depth and (
                bbox.shape != (4, ) or not np.isfinite(bbox).all()
                or (bbox[2:] <= 0).any()):
            raise ValueError(
                f'bbox of annotation {ann.get("id")} ({where}) in ann_file '
                f'"{self.ann_file}" is {bbox.tolist()}: expected finite '
                f'(x, y, w, h) with w, h > 0')
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
