# Copyright (c) a2jt_mmpose contributors. All rights reserved.
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmengine.fileio import exists, get_local_path
from mmpose.codecs.utils import camera_to_pixel
from mmpose.datasets.datasets.base import BaseCocoStyleDataset
from mmpose.registry import DATASETS

from ....utils.safe_pickle import UnsafePickleError, load_data_pickle
from ...sample_errors import NameSampleOnErrorMixin, check_split_not_empty
from ...sample_seeding import SeededSampleMixin

_PKG_DIR = osp.dirname(osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

#: Model joint ``k`` of one hand is RHD joint ``RHD_TO_MODEL[k]`` of that
#: hand. RHD (per hand): 0 wrist, 1-4 thumb tip..base, 5-8 index tip..base,
#: 9-12 middle, 13-16 ring, 17-20 pinky. Model (InterHand2.6M order, per
#: hand): 0-3 thumb tip..base, ..., 16-19 pinky tip..base, 20 wrist.
RHD_TO_MODEL = np.array(list(range(1, 21)) + [0])
#: The 42 joints of the original release: left hand 0-20, right hand 21-41.
#: The model's: right hand 0-20, left hand 21-41.
RHD42_TO_MODEL42 = np.concatenate([21 + RHD_TO_MODEL, RHD_TO_MODEL])
#: RHD mask labels of the hands (inclusive): left 2-17, right 18-33.
MASK_LABELS = dict(left=(2, 17), right=(18, 33))
_HAND_SLICES = dict(right=slice(0, 21), left=slice(21, 42))
_ROOTS = dict(right=20, left=41)
_HAND_TYPE = dict(right=(1., 0.), left=(0., 1.), interacting=(1., 1.))
#: The released bounding boxes (mmpose's json) are the box of the hand's 21
#: keypoints enlarged 1.2 times about its centre.
BBOX_ENLARGE = 1.2


@DATASETS.register_module()
class Rhd3DDataset(SeededSampleMixin, NameSampleOnErrorMixin,
                  BaseCocoStyleDataset):
    """Rendered Hand Pose dataset (RHD / "RHP") in 3D, for A2J-Transformer.

    Produces the samples of ``CheckedInterHand3DDataset`` (same keys, same
    42-joint order: right hand 0-20, left hand 21-41, per hand thumb tip ...
    pinky base, wrist = 20 / 41), so ``A2JInterHandCodec``, the InterHand
    transforms and ``InterHandMPJPEMetric`` / ``RhdEPEMetric`` work
    unchanged. Two on-disk layouts, chosen by the extension of ``ann_file``:

    - ``.json``: mmpose's converted RHD json (COCO style, e.g.
      ``annotations/rhd_test.json``): ``images`` with ``cam_param``
      (``focal``, ``princpt`` px) and one annotation per hand with
      ``keypoints`` (21 x (u, v, vis), RHD order), ``joint_cam`` (21 x 3,
      **mm**), ``hand_type`` ('left' / 'right') and ``bbox`` (xywh px).
      Images are ``data_prefix['img'] + file_name``. A joint is valid if its
      ``joint_valid`` entry (if present, InterNet's variant) or its third
      ``keypoints`` value is > 0. Each annotation is one sample.
    - ``.pickle`` / ``.pkl``: the original release
      ``RHD_published_v2/<set>/anno_<set>.pickle``: ``{sample_id: {'xyz':
      (42, 3) camera coordinates in **metres**, 'uv_vis': (42, 3) u, v px and
      visible (1 / 0), 'K': (3, 3) intrinsics}}``, left hand first. Images
      are ``<pickle dir>/color/<sample_id:05d>.png`` (masks in ``mask/``).

    Hand presence (original layout; the json lists its hands): a hand is
    present if at least ``min_visible_keypoints`` of its 21 keypoints are
    visible (``uv_vis[:, 2] == 1``) and project inside the image
    (``0 <= u < W``, ``0 <= v < H``, ``img_size``), and, if
    ``min_mask_pixels > 0``, its mask (labels 2-17 left, 18-33 right) covers
    at least that many pixels (reads every mask at start-up). An image
    without a present hand gives no sample. Joint validity of a present hand:
    ``joint_validity='all'`` (default; the rendered 3D annotation is exact
    for occluded joints too) or ``'visible'`` (the ``uv_vis`` flag).

    ``sample_mode='per_hand'`` (default; InterNet's RHD protocol, and the
    json layout always): one sample per present hand, ``hand_type`` right or
    left, the other hand's joints zero and invalid, bbox of that hand.
    ``'per_image'`` (original layout only): one sample per image with every
    present hand (``hand_type`` interacting if both), bbox over them.

    Sample fields (topdown, one instance):
        - keypoints (np.ndarray): ``(1, 42, 3)`` float32: u, v = projection
          of ``keypoints_cam`` with ``focal`` / ``principal_pt`` (px of the
          original image), z = depth relative to the root (wrist) of the
          joint's own hand in mm.
        - keypoints_cam (np.ndarray): ``(1, 42, 3)`` float32, camera mm.
        - keypoints_visible (np.ndarray): ``(1, 42)`` float32 in {0, 1}.
        - hand_type (np.ndarray): ``(1, 2)`` float32 (right, left).
        - hand_type_valid (np.ndarray): ``(1,)`` ones.
        - rel_root_depth (float): z(41) - z(20) in mm if both hands are
          present, else 0; rel_root_valid (float) 1 / 0 accordingly.
        - abs_depth (list[float]): camera z of the (right, left) wrists in
          mm; an absent hand gets the present hand's value.
        - focal, principal_pt (np.ndarray): ``(2,)`` float32 px.
        - bbox (np.ndarray): ``(1, 4)`` float32 xyxy px; bbox_score ``(1,)``.
        - img_id, img_path, id, rotation (0), iscrowd, num_keypoints (42).

    Bad input raises an error naming the file and the key: a missing
    ``ann_file`` (``FileNotFoundError``), a missing key (``KeyError``), NaN /
    inf or non-positive depth at a valid joint, a wrong array shape or a
    skewed ``K`` (``ValueError``), an unreadable mask. Unreadable images fail
    in ``LoadImage`` with the path.

    Args:
        ann_file (str): ``.json`` or ``.pickle`` / ``.pkl`` (see above).
        sample_mode (str): ``'per_hand'`` or ``'per_image'``.
        min_visible_keypoints (int): Presence threshold (original layout).
            Default 10.
        min_mask_pixels (int): Mask presence threshold; 0 = do not read
            masks. Default 0.
        joint_validity (str): ``'all'`` or ``'visible'`` (original layout).
        img_size (tuple[int, int]): (W, H) of the original layout's images.
            Default (320, 320), the size of every RHD image.
        **kwargs: ``BaseCocoStyleDataset`` arguments (``data_root``,
            ``data_prefix``, ``pipeline``, ``test_mode``, ...).
    """

    METAINFO: dict = dict(
        from_file=osp.join(_PKG_DIR, '.mim', 'configs', '_base_', 'datasets',
                           'rhd3d.py'))

    def __init__(self,
                 ann_file: str = '',
                 sample_mode: str = 'per_hand',
                 min_visible_keypoints: int = 10,
                 min_mask_pixels: int = 0,
                 joint_validity: str = 'all',
                 img_size: Tuple[int, int] = (320, 320),
                 data_root: Optional[str] = None,
                 **kwargs) -> None:
        full = ann_file if (data_root is None or osp.isabs(ann_file)) else \
            osp.join(data_root, ann_file)
        if not ann_file or not exists(full):
            raise FileNotFoundError(
                f'{self.__class__.__name__}: ann_file="{ann_file}" does not '
                f'exist (resolved to "{full}", data_root="{data_root}")')
        ext = osp.splitext(ann_file)[1].lower()
        if ext not in ('.json', '.pickle', '.pkl'):
            raise ValueError(f'{self.__class__.__name__}: ann_file='
                             f'"{ann_file}" must end in .json (mmpose layout)'
                             ' or .pickle / .pkl (original release)')
        if sample_mode not in ('per_hand', 'per_image'):
            raise ValueError(f'sample_mode must be per_hand or per_image, '
                             f'got {sample_mode!r}')
        if sample_mode == 'per_image' and ext == '.json':
            raise ValueError('sample_mode="per_image" needs the original '
                             'layout (.pickle): the json lists single hands')
        if joint_validity not in ('all', 'visible'):
            raise ValueError(f'joint_validity must be all or visible, got '
                             f'{joint_validity!r}')
        self.layout = 'json' if ext == '.json' else 'original'
        self.sample_mode = sample_mode
        self.min_visible_keypoints = int(min_visible_keypoints)
        self.min_mask_pixels = int(min_mask_pixels)
        self.joint_validity = joint_validity
        self.img_size = tuple(int(s) for s in img_size)
        super().__init__(ann_file=ann_file, data_root=data_root, **kwargs)

    # ------------------------------------------------------------ loading
    def _load_annotations(self) -> Tuple[List[dict], List[dict]]:
        instances, images = (self._load_json() if self.layout == 'json' else
                             self._load_pickle())
        self._num_read = (len(images), len(instances))
        return instances, images

    def load_data_list(self) -> List[dict]:
        return check_split_not_empty(self, super().load_data_list(),
                                     'hands kept', 'hand')

    def _load_json(self) -> Tuple[List[dict], List[dict]]:
        with get_local_path(self.ann_file) as path:
            try:
                with open(path) as f:
                    data = json.load(f)
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                raise ValueError(f'ann_file "{self.ann_file}" is not valid '
                                 f'json: {e}') from e
        for key in ('images', 'annotations'):
            if key not in data:
                raise KeyError(f'ann_file "{self.ann_file}" has no "{key}"')
        images = {}
        for img in data['images']:
            _require(img, ('id', 'file_name', 'cam_param'),
                     f'image of ann_file "{self.ann_file}"')
            _require(img['cam_param'], ('focal', 'princpt'),
                     f'cam_param of image {img["id"]} in "{self.ann_file}"')
            images[img['id']] = dict(
                img_id=img['id'],
                img_path=osp.join(self.data_prefix['img'], img['file_name']),
                cam=img['cam_param'])
        instances = []
        for ann in data['annotations']:
            where = (f'annotation {ann.get("id")} (image '
                     f'{ann.get("image_id")}) of ann_file "{self.ann_file}"')
            _require(ann, ('id', 'image_id', 'keypoints', 'joint_cam',
                           'hand_type', 'bbox'), where)
            if ann['image_id'] not in images:
                raise KeyError(f'{where}: image_id not in "images"')
            img = images[ann['image_id']]
            hand = ann['hand_type']
            if hand not in ('left', 'right'):
                raise ValueError(f'{where}: hand_type must be left or right, '
                                 f'got {hand!r}')
            kpts = _array(ann['keypoints'], (21, 3), 'keypoints', where)
            cam21 = _array(ann['joint_cam'], (21, 3), 'joint_cam', where)
            if 'joint_valid' in ann:
                valid21 = _array(ann['joint_valid'], (21, ), 'joint_valid',
                                 where) > 0
            else:
                valid21 = kpts[:, 2] > 0
            cam = np.zeros((42, 3))
            valid = np.zeros(42, bool)
            cam[_HAND_SLICES[hand]] = cam21[RHD_TO_MODEL]
            valid[_HAND_SLICES[hand]] = valid21[RHD_TO_MODEL]
            bbox = _array(ann['bbox'], (4, ), 'bbox', where)
            instances.append(
                self._make_instance(
                    img_id=img['img_id'],
                    img_path=img['img_path'],
                    inst_id=ann['id'],
                    cam=cam,
                    valid=valid,
                    present=(hand == 'right', hand == 'left'),
                    focal=_array(img['cam']['focal'], (2, ), 'focal', where),
                    princpt=_array(img['cam']['princpt'], (2, ), 'princpt',
                                   where),
                    bbox_xywh=bbox,
                    where=where,
                    iscrowd=ann.get('iscrowd', 0)))
        return instances, list(images.values())

    def _load_pickle(self) -> Tuple[List[dict], List[dict]]:
        with get_local_path(self.ann_file) as path:
            try:
                # plain data only: a pickle naming any other global is
                # refused before anything of it runs
                annos = load_data_pickle(path)
            except UnsafePickleError as e:
                raise UnsafePickleError(f'ann_file "{self.ann_file}": {e}') \
                    from None
            except Exception as e:  # truncated / not a pickle
                raise ValueError(f'ann_file "{self.ann_file}" is not a '
                                 f'readable pickle: {e!r}') from e
        if not isinstance(annos, dict):
            raise ValueError(f'ann_file "{self.ann_file}" must hold a dict '
                             f'sample_id -> annotation, got {type(annos)}')
        set_dir = osp.dirname(self.ann_file)
        w, h = self.img_size
        instances, images = [], []
        for sample_id in sorted(annos):
            anno = annos[sample_id]
            where = f'sample {sample_id} of ann_file "{self.ann_file}"'
            _require(anno, ('xyz', 'uv_vis', 'K'), where)
            xyz = _array(anno['xyz'], (42, 3), 'xyz', where)
            uv_vis = _array(anno['uv_vis'], (42, 3), 'uv_vis', where)
            K = _array(anno['K'], (3, 3), 'K', where)
            if abs(K[0, 1]) > 1e-6 or np.any(K[2] != (0, 0, 1)):
                raise ValueError(f'{where}: K must be [[fx, 0, cx], [0, fy, '
                                 f'cy], [0, 0, 1]], got {K.tolist()}')
            cam = xyz[RHD42_TO_MODEL42] * 1000.  # metres -> mm
            vis = uv_vis[RHD42_TO_MODEL42]
            img_name = f'{int(sample_id):05d}.png'
            img_path = osp.join(set_dir, 'color', img_name)
            images.append(dict(img_id=int(sample_id), img_path=img_path))
            present = []
            for hand in ('right', 'left'):
                sl = _HAND_SLICES[hand]
                seen = ((vis[sl, 2] == 1) & (vis[sl, 0] >= 0)
                        & (vis[sl, 0] < w) & (vis[sl, 1] >= 0)
                        & (vis[sl, 1] < h))
                present.append(int(seen.sum()) >= self.min_visible_keypoints)
            if self.min_mask_pixels > 0 and any(present):
                counts = self._mask_counts(
                    osp.join(set_dir, 'mask', img_name))
                present = [
                    p and counts[hand] >= self.min_mask_pixels
                    for p, hand in zip(present, ('right', 'left'))
                ]
            if self.joint_validity == 'all':
                valid = np.ones(42, bool)
            else:
                valid = vis[:, 2] == 1
            groups = ([(hand == 'right', hand == 'left')
                       for hand, p in zip(('right', 'left'), present) if p]
                      if self.sample_mode == 'per_hand' else
                      [tuple(present)] if any(present) else [])
            for pres in groups:
                keep = np.repeat(np.asarray(pres), 21)
                sel = np.where(keep[:, None], cam, 0.)
                instances.append(
                    self._make_instance(
                        img_id=int(sample_id),
                        img_path=img_path,
                        inst_id=int(sample_id) * 2 + int(not pres[0]),
                        cam=sel,
                        valid=valid & keep,
                        present=pres,
                        focal=K[[0, 1], [0, 1]],
                        princpt=K[[0, 1], [2, 2]],
                        bbox_xywh=None,
                        where=where))
        return instances, images

    def _mask_counts(self, path: str) -> Dict[str, int]:
        mask = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        if mask is None:
            raise ValueError(f'cannot read the mask "{path}" (needed by '
                             f'min_mask_pixels={self.min_mask_pixels})')
        if mask.ndim == 3:  # saved as colour: the label is in every channel
            mask = mask[..., 0]
        return {
            hand: int(((mask >= lo) & (mask <= hi)).sum())
            for hand, (lo, hi) in MASK_LABELS.items()
        }

    # ------------------------------------------------------------ samples
    def _make_instance(self, img_id: int, img_path: str, inst_id: int,
                       cam: np.ndarray, valid: np.ndarray,
                       present: Sequence[bool], focal: np.ndarray,
                       princpt: np.ndarray, bbox_xywh: Optional[np.ndarray],
                       where: str, iscrowd: int = 0) -> dict:
        """One topdown sample from camera-space joints (42, 3) in mm (model
        order), their validity (42,) and the hands present (right, left)."""
        _check_camera(focal, princpt, where)
        if bbox_xywh is not None and (not np.isfinite(bbox_xywh).all()
                                      or (bbox_xywh[2:] <= 0).any()):
            raise ValueError(f'{where}: bbox is {bbox_xywh.tolist()}: '
                             f'expected finite (x, y, w, h) with w, h > 0')
        bad = np.flatnonzero(valid & ~np.isfinite(cam).all(1))
        if len(bad):
            raise ValueError(f'{where}: NaN/inf coordinates at valid joints '
                             f'{bad.tolist()} (model order)')
        bad = np.flatnonzero(valid & (cam[:, 2] <= 0))
        if len(bad):
            raise ValueError(f'{where}: non-positive depth at valid joints '
                             f'{bad.tolist()} (model order)')
        hands = [h for h, p in zip(('right', 'left'), present) if p]
        roots = {h: cam[_ROOTS[h], 2] for h in hands}
        abs_depth = [float(roots.get(h, roots[hands[0]]))
                     for h in ('right', 'left')]
        with np.errstate(divide='ignore', invalid='ignore'):
            uv = camera_to_pixel(cam.copy(), focal[0], focal[1], princpt[0],
                                 princpt[1], shift=True)
        keypoints = np.zeros((42, 3))
        for h in hands:
            sl = _HAND_SLICES[h]
            keypoints[sl, :2] = uv[sl]
            keypoints[sl, 2] = cam[sl, 2] - roots[h]
        if bbox_xywh is None:  # box of the present hands' joints, x 1.2
            pts = keypoints[np.repeat(np.asarray(present), 21), :2]
            lo, hi = pts.min(0), pts.max(0)
            ctr, size = (lo + hi) / 2, (hi - lo) * BBOX_ENLARGE
            bbox_xywh = np.concatenate([ctr - size / 2, size])
        x, y, bw, bh = bbox_xywh
        both = len(hands) == 2
        hand_type = 'interacting' if both else hands[0]
        return dict(
            img_id=img_id,
            img_path=img_path,
            id=inst_id,
            rotation=0,
            keypoints=keypoints.astype(np.float32)[None],
            keypoints_cam=cam.astype(np.float32)[None],
            keypoints_visible=valid.astype(np.float32)[None],
            hand_type=np.array([_HAND_TYPE[hand_type]], np.float32),
            hand_type_valid=np.ones(1, np.float32),
            rel_root_depth=np.float32(
                roots['left'] - roots['right'] if both else 0.),
            rel_root_valid=np.float32(both),
            abs_depth=abs_depth,
            focal=np.asarray(focal, np.float32),
            principal_pt=np.asarray(princpt, np.float32),
            dataset=self.metainfo['dataset_name'],
            bbox=np.array([[x, y, x + bw, y + bh]], np.float32),
            bbox_score=np.ones(1, np.float32),
            num_keypoints=42,
            iscrowd=int(iscrowd))


def _check_camera(focal: np.ndarray, princpt: np.ndarray,
                  where: str) -> None:
    """Finite focal lengths > 0 and a finite principal point (pixels)."""
    if not np.isfinite(focal).all() or (focal <= 0).any():
        raise ValueError(f'{where}: focal is {np.asarray(focal).tolist()}: '
                         f'expected finite (fx, fy) > 0 (pixels)')
    if not np.isfinite(princpt).all():
        raise ValueError(f'{where}: princpt is '
                         f'{np.asarray(princpt).tolist()}: expected finite '
                         f'(cx, cy) (pixels)')


def _require(obj: dict, keys: Sequence[str], where: str) -> None:
    if not isinstance(obj, dict):
        raise ValueError(f'{where} must be a dict, got {type(obj)}')
    for key in keys:
        if key not in obj:
            raise KeyError(f'{where} has no "{key}"')


def _array(value, shape: tuple, key: str, where: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ValueError(f'{where}: "{key}" is not numeric: {e}') from e
    if arr.size == int(np.prod(shape)) and arr.shape != shape:
        arr = arr.reshape(shape)  # e.g. flat COCO keypoints
    if arr.shape != shape:
        raise ValueError(f'{where}: "{key}" has shape {arr.shape}, expected '
                         f'{shape}')
    return arr
