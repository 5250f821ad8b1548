# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import os.path as osp
from typing import List, Optional, Tuple

import numpy as np
from mmpose.registry import DATASETS

from ....codecs.depth_camera import xyz_to_uvd
from .base_depth_hand_dataset import BaseDepthHandDataset, metainfo_file

HANDS2017_INTRINSICS = dict(
    focal=(475.065948, 475.065857), principal_pt=(315.944855, 245.287079))


@DATASETS.register_module()
class Hands2017Dataset(BaseDepthHandDataset):
    """HANDS 2017 challenge (BigHand2.2M based), depth, one hand, 21 joints.

    Reads the challenge layout::

        <data_root>/Training_Annotation.txt   # ann_file (labelled split)
        <data_root>/images/image_D%08d.png    # 16-bit depth in mm

    Every line of a labelled ``ann_file`` is the frame name followed by
    ``21 x (x, y, z)`` camera mm (tab or space separated; BigHand order:
    wrist, 5 MCPs thumb..pinky, then PIP, DIP, TIP of thumb, index, middle,
    ring, pinky; metainfo ``configs/_base_/datasets/hands2017.py``). The
    joints are projected with ``fx, fy, u0, v0 = 475.065948, 475.065857,
    315.944855, 245.287079`` (``y`` down).

    The test frames (``frame/``) have no public labels: an ``ann_file``
    whose lines hold only a frame name, or a name plus a 4-number box
    (``BoundingBox.txt``), gives unlabelled samples (``keypoints_visible``
    zero); they need ``center_file``. Predictions are exported with
    ``Hands2017ResultExporter``.

    Crop centre: ``center_file`` in ``uvd`` if given (A2J used precomputed
    centres), else the mean of the 21 joints in camera space
    (``center_source`` in each data info). Crop cube +-100 mm.

    See :class:`BaseDepthHandDataset` for the data info keys.
    """

    METAINFO: dict = dict(from_file=metainfo_file('hands2017.py'))

    def __init__(self,
                 ann_file: str = 'Training_Annotation.txt',
                 center_file: Optional[str] = None,
                 cube_half_size: float = 100.,
                 **kwargs) -> None:
        kwargs.setdefault('focal', HANDS2017_INTRINSICS['focal'])
        kwargs.setdefault('principal_pt',
                          HANDS2017_INTRINSICS['principal_pt'])
        kwargs.setdefault('img_size', (640, 480))
        kwargs.setdefault('data_prefix', dict(img='images/'))
        super().__init__(
            ann_file=ann_file,
            center_file=center_file,
            cube_half_size=cube_half_size,
            **kwargs)

    def _read_frames(self) -> Tuple[List[str], List[Optional[np.ndarray]],
                                    List[str]]:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'{self.__class__.__name__}: ann_file "{self.ann_file}" '
                'does not exist')
        num_k = self.metainfo['num_keypoints']
        img_dir = self.data_prefix.get('img', '')
        paths, joints, names = [], [], []
        with open(self.ann_file) as f:
            for line_no, line in enumerate(f, 1):
                parts = line.split()
                if not parts:
                    continue
                name, values = parts[0], parts[1:]
                if len(values) == num_k * 3:
                    try:
                        xyz = np.asarray(values, np.float64).reshape(
                            num_k, 3)
                    except ValueError as e:
                        raise ValueError(f'"{self.ann_file}" line {line_no}:'
                                         f' {e}') from None
                    if not np.isfinite(xyz).all():
                        raise ValueError(f'NaN/inf joints in "{self.ann_file}"'
                                         f' line {line_no} ({name})')
                    if (xyz[:, 2] <= 0).any():
                        raise ValueError(f'non-positive depth in '
                                         f'"{self.ann_file}" line {line_no}')
                    uvd = xyz_to_uvd(xyz, self.focal, self.principal_pt)
                elif len(values) in (0, 4):
                    uvd = None
                else:
                    raise ValueError(
                        f'"{self.ann_file}" line {line_no} ({name}) has '
                        f'{len(values)} numbers; expected {num_k * 3} (labels)'
                        ', 4 (bounding box) or 0')
                paths.append(osp.join(img_dir, name))
                joints.append(uvd)
                names.append(name)
        if not paths:
            raise ValueError(f'annotation file "{self.ann_file}" is empty')
        return paths, joints, names
