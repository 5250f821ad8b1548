# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import numpy as np
from mmpose.datasets.datasets.base import BaseCocoStyleDataset

from ....codecs.depth_camera import cube_box, uvd_to_xyz, xyz_to_uvd
from ...sample_errors import NameSampleOnErrorMixin
from ...sample_seeding import SeededSampleMixin

_REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.dirname(osp.abspath(__file__))))))


def metainfo_file(name: str) -> str:
    """Path of ``configs/_base_/datasets/<name>`` in the source checkout, or
    in ``a2jt_mmpose/.mim/configs`` of a non-editable install."""
    pkg = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))))
    for root in (osp.join(_REPO_ROOT, 'configs'),
                 osp.join(pkg, '.mim', 'configs')):
        path = osp.join(root, '_base_', 'datasets', name)
        if osp.isfile(path):
            return path
    return osp.join(_REPO_ROOT, 'configs', '_base_', 'datasets', name)


def load_center_file(path: str, num: int,
                     names: Optional[Sequence[str]] = None) -> np.ndarray:
    """Read per-frame centres ``(num, 3)`` as ``uvd`` (px, px, mm).

    Accepted formats: ``.npy`` ``(num, 3)``; ``.mat`` with one ``(num, 3)``
    array (A2J's ``centre_pixel`` key first, else the only array);
    ``.txt`` with one line per frame, either ``u v d`` or ``<frame name> u v
    d`` (then the names must match ``names``, in order).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'center_file "{path}" does not exist')
    if path.endswith('.npy'):
        centers = np.load(path, allow_pickle=False)  # data, never code
    elif path.endswith('.mat'):
        from scipy.io import loadmat
        mat = {k: v for k, v in loadmat(path).items()
               if not k.startswith('__')}
        key = 'centre_pixel' if 'centre_pixel' in mat else None
        if key is None and len(mat) == 1:
            key = next(iter(mat))
        if key is None:
            raise KeyError(f'center_file "{path}" has no "centre_pixel" '
                           f'array (keys: {sorted(mat)})')
        centers = mat[key]
    else:
        rows, row_names = [], []
        with open(path) as f:
            for line in f:
                parts = line.split()
                if not parts:
                    continue
                if len(parts) == 4:
                    row_names.append(parts[0])
                    parts = parts[1:]
                rows.append([float(v) for v in parts])
        centers = np.asarray(rows, dtype=np.float64)
        if names is not None and row_names and list(row_names) != list(
                names):
            raise ValueError(f'center_file "{path}": frame names do not '
                             'match the annotation file order')
    centers = np.asarray(centers, dtype=np.float64).reshape(-1, 3)
    if len(centers) != num:
        raise ValueError(f'center_file "{path}" holds {len(centers)} '
                         f'centres for {num} frames')
    return centers


class BaseDepthHandDataset(SeededSampleMixin, NameSampleOnErrorMixin,
                           BaseCocoStyleDataset):
    """Common part of the single-hand depth datasets (not registered).

    Subclasses implement :meth:`_read_frames` and return, for every frame,
    the image path, the joints in ``uvd`` ``(K, 3)`` (or None for frames
    without labels) and a name. This class adds the crop centre, checks the
    values and builds mmpose data infos (one instance per image):

    - ``img_path`` (str), ``img_id`` / ``id`` (int), ``frame_name`` (str);
    - ``keypoints`` ``(1, K, 3)`` float32: ``u, v`` original px, ``d`` mm;
    - ``keypoints_cam`` ``(1, K, 3)`` float32: camera mm, back-projected from
      ``keypoints`` with the dataset intrinsics (as A2J's evaluation);
    - ``keypoints_visible`` ``(1, K)`` float32 (zeros for unlabelled frames);
    - ``depth_center_uvd`` / ``depth_center_xyz`` ``(3,)`` float32: crop
      centre (px, px, mm / camera mm); ``center_source`` ``'file'`` or
      ``'joints'`` (mean of the K joints in camera space);
    - ``focal`` ``(2,)`` (signed fx, fy), ``principal_pt`` ``(2,)``;
    - ``bbox`` ``(1, 4)`` the un-augmented cube box clipped to the image,
      ``bbox_score`` ``(1,)``.

    Args:
        center_file (str, optional): per-frame centres (see
            :func:`load_center_file`), relative to ``data_root``. Default:
            centres from the joints.
        cube_half_size (float): half cube (mm) for ``bbox``.
        img_size (tuple[int, int]): ``(W, H)`` of the depth images.
        focal, principal_pt: intrinsics (px).
    """

    def __init__(self,
                 ann_file: str = '',
                 center_file: Optional[str] = None,
                 cube_half_size: float = 110.,
                 img_size: Tuple[int, int] = (640, 480),
                 focal: Sequence[float] = (588.03, -587.07),
                 principal_pt: Sequence[float] = (320., 240.),
                 data_root: Optional[str] = None,
                 **kwargs) -> None:
        self.center_file = center_file
        self.cube_half_size = float(cube_half_size)
        self.img_size = tuple(int(v) for v in img_size)
        self.focal = np.asarray(focal, dtype=np.float64)
        self.principal_pt = np.asarray(principal_pt, dtype=np.float64)
        if center_file and data_root and not osp.isabs(center_file):
            self.center_file = osp.join(data_root, center_file)
        super().__init__(ann_file=ann_file, data_root=data_root, **kwargs)

    def _read_frames(self) -> Tuple[List[str], List[Optional[np.ndarray]],
                                    List[str]]:
        raise NotImplementedError

    def load_data_list(self) -> List[dict]:
        paths, joints, names = self._read_frames()
        if not paths:
            raise ValueError(f'{self.__class__.__name__}: no frame in '
                             f'"{self.ann_file}"')
        centers = None
        if self.center_file:
            centers = load_center_file(self.center_file, len(paths), names)
        w, h = self.img_size
        data_list = []
        for i, (path, uvd, name) in enumerate(zip(paths, joints, names)):
            where = f'frame {i} ("{name}") of "{self.ann_file}"'
            if uvd is not None:
                uvd = np.asarray(uvd, dtype=np.float64)
                if not np.isfinite(uvd).all():
                    bad = np.flatnonzero(~np.isfinite(uvd).all(-1))
                    raise ValueError(f'NaN/inf joints {bad.tolist()} in '
                                     f'{where}')
            if centers is not None:
                c_uvd = centers[i]
                source = 'file'
            elif uvd is not None:
                c_uvd = xyz_to_uvd(
                    uvd_to_xyz(uvd, self.focal, self.principal_pt).mean(0),
                    self.focal, self.principal_pt)
                source = 'joints'
            else:
                raise ValueError(f'{where} has no joints: unlabelled frames '
                                 'need a center_file')
            if not (np.isfinite(c_uvd).all() and 0 <= c_uvd[0] < w
                    and 0 <= c_uvd[1] < h and c_uvd[2] > 0):
                raise ValueError(
                    f'crop centre (u, v, d) = {np.round(c_uvd, 2).tolist()} '
                    f'of {where} is outside the {w}x{h} image or has no '
                    f'depth (centre from '
                    f'{self.center_file if centers is not None else "joints"}'
                    ')')
            c_xyz = uvd_to_xyz(c_uvd, self.focal, self.principal_pt)
            box = cube_box(c_xyz, self.cube_half_size, self.focal,
                           self.principal_pt)
            box = np.clip(box, 0, [w - 1, h - 1, w - 1, h - 1])
            num_k = self.metainfo['num_keypoints']
            if uvd is None:
                kpts = np.zeros((num_k, 3))
                visible = np.zeros(num_k)
                cam = np.zeros((num_k, 3))
            else:
                if uvd.shape != (num_k, 3):
                    raise ValueError(f'{where}: joints of shape {uvd.shape},'
                                     f' expected ({num_k}, 3)')
                kpts, visible = uvd, np.ones(num_k)
                cam = uvd_to_xyz(uvd, self.focal, self.principal_pt)
            data_list.append(
                dict(
                    id=i,
                    img_id=i,
                    img_path=path,
                    frame_name=name,
                    keypoints=kpts[None].astype(np.float32),
                    keypoints_cam=cam[None].astype(np.float32),
                    keypoints_visible=visible[None].astype(np.float32),
                    depth_center_uvd=np.asarray(c_uvd, np.float32),
                    depth_center_xyz=c_xyz.astype(np.float32),
                    center_source=source,
                    focal=self.focal.astype(np.float32),
                    principal_pt=self.principal_pt.astype(np.float32),
                    bbox=box[None].astype(np.float32),
                    bbox_score=np.ones(1, dtype=np.float32),
                    num_keypoints=num_k,
                    iscrowd=0,
                    category_id=1))
        return data_list
