# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Write synthetic hands in the layout of the original RHD release.

Layout under ``out_dir`` (``RHD_published_v2`` of the release)::

    <set>/color/%05d.png        RGB image (uint8)
    <set>/depth/%05d.png        depth, RHD's encoding (below)
    <set>/mask/%05d.png         per-pixel labels (uint8, one channel)
    <set>/anno_<set>.pickle     {sample_id: {'xyz', 'uv_vis', 'K'}}
    annotations/rhd_<train|test>.json   (optional) mmpose's converted json

with ``<set>`` = ``training`` or ``evaluation``. The pickle holds per
sample ``'xyz'`` ``(42, 3)`` float32 camera coordinates in **metres**,
``'uv_vis'`` ``(42, 3)`` float32 (u px, v px, visible 1 / 0) and ``'K'``
``(3, 3)`` float32 intrinsics; the 42 keypoints are in RHD's order: left
hand 0-20, right hand 21-41, per hand wrist, then thumb, index, middle, ring
and pinky, each from the tip to the palm (the renderer's order, right hand
first and wrist last, is permuted).

Depth png: ``d = (R * 256 + G) / (2**16 - 1) * 5`` metres (top byte in the
red channel, bottom byte in green, blue 0), the surface depth of the
rendered hands; the background (no surface) is written as the largest
value (5 m).

Mask png: 0 background, 1 "person" (forearm, sleeve), 2-4 left thumb
(distal, middle, proximal segment), 5-7 left index, ..., 14-16 left pinky,
17 left palm (including the thenar), 18-33 the same for the right hand.

Visibility (``uv_vis[:, 2]``): a keypoint is visible if it projects inside
the image and the rendered surface at its pixel belongs to its own hand
and is not more than ``VISIBILITY_TOLERANCE`` mm in front of the joint
(joints lie inside the finger volumes, about one radius below the skin).

Images show one hand or both hands. RHD annotates both hands of a character
in every image; for a one-hand image the other hand is placed 700 mm beside
the rendered one, outside the field of view, with every keypoint invisible.

The optional json (``write_json``) follows mmpose's converted RHD files:
COCO style, ``images`` with ``cam_param`` (``focal``, ``princpt``) and
``file_name`` relative to ``out_dir``, one annotation per hand that has at
least ``min_visible_keypoints`` visible keypoints inside the image (the
default presence rule of ``Rhd3DDataset``), with ``keypoints`` (21 x (u, v,
vis), RHD order), ``joint_cam`` (21 x 3, **mm**), ``hand_type``, ``bbox``
(xywh, the keypoints' box enlarged 1.2 times) and ``area``.

Everything is a deterministic function of ``(seed, set_name, sample_id)``.
"""
import json
import os
import os.path as osp
import pickle
import time
import zlib
from multiprocessing import get_context
from typing import Callable, Dict, Optional, Tuple

import cv2
import numpy as np

from .camera import sample_camera_on_sphere
from .hand_model import facing_rotation, sample_hand_shape, sample_hands
from .renderer import (PART_FOREARM, PART_PALM, PARTS_PER_HAND, HandRenderer,
                       sample_skin_tone)

__all__ = [
    'RHD_TO_MODEL', 'MODEL42_FROM_RHD42', 'rhd_paths', 'encode_rhd_depth',
    'decode_rhd_depth', 'rhd_mask_from_parts', 'render_rhd_sample',
    'generate_rhd'
]

#: Per hand: model joint k (thumb tip .. pinky base, wrist = 20) is RHD
#: joint RHD_TO_MODEL[k] (wrist = 0, then each finger tip .. base).
RHD_TO_MODEL = np.array(list(range(1, 21)) + [0])
#: model42[k] = rhd42[MODEL42_FROM_RHD42[k]] (model: right hand first).
MODEL42_FROM_RHD42 = np.concatenate([21 + RHD_TO_MODEL, RHD_TO_MODEL])
#: Max distance (mm) of the visible surface in front of a visible joint.
VISIBILITY_TOLERANCE = 20.
#: Depth (m) encoded by the largest 16-bit value.
DEPTH_RANGE_M = 5.
#: Lateral offset (mm, camera x) of the hand that a one-hand image lacks.
ABSENT_OFFSET = 700.
_SETS = dict(training='train', evaluation='test')


def rhd_paths(out_dir: str, set_name: str) -> Dict[str, str]:
    """Directories and files of one set (``training`` / ``evaluation``):
    ``color_dir``, ``depth_dir``, ``mask_dir``, ``ann_file`` (pickle) and
    ``json_file`` (``annotations/rhd_<train|test>.json``), and the pickle
    relative to ``out_dir`` as ``ann_file_rel``."""
    if set_name not in _SETS:
        raise ValueError(f'set_name must be training or evaluation, got '
                         f'{set_name!r}')
    set_dir = osp.join(out_dir, set_name)
    rel = osp.join(set_name, f'anno_{set_name}.pickle')
    return dict(
        color_dir=osp.join(set_dir, 'color'),
        depth_dir=osp.join(set_dir, 'depth'),
        mask_dir=osp.join(set_dir, 'mask'),
        ann_file=osp.join(out_dir, rel),
        ann_file_rel=rel,
        json_file=osp.join(out_dir, 'annotations',
                           f'rhd_{_SETS[set_name]}.json'))


def encode_rhd_depth(depth_mm: np.ndarray) -> np.ndarray:
    """Depth (H, W) in mm (0 = background) -> (H, W, 3) uint8 **RGB** image
    in RHD's encoding (background = the largest value)."""
    metres = np.where(depth_mm > 0, depth_mm / 1000., DEPTH_RANGE_M)
    value = np.clip(
        np.round(metres / DEPTH_RANGE_M * (2**16 - 1)), 0,
        2**16 - 1).astype(np.uint32)
    rgb = np.zeros(depth_mm.shape + (3, ), np.uint8)
    rgb[..., 0] = value >> 8
    rgb[..., 1] = value & 255
    return rgb


def decode_rhd_depth(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB image in RHD's encoding -> depth (H, W) in m."""
    value = rgb[..., 0].astype(np.float64) * 256 + rgb[..., 1]
    return value / (2**16 - 1) * DEPTH_RANGE_M


def rhd_mask_from_parts(part: np.ndarray) -> np.ndarray:
    """Renderer part map (H, W) int (-1 background, hand ``k`` = ``k *
    PARTS_PER_HAND + local``, k 0 right / 1 left) -> RHD mask labels."""
    mask = np.zeros(part.shape, np.uint8)
    fg = part >= 0
    hand = part // PARTS_PER_HAND
    local = part % PARTS_PER_HAND
    # local 0-19: limb ending at joint ``local`` (finger f: joints 4f tip ..
    # 4f + 3 base); 4f + 3 (thenar / inside the palm) and the palm -> palm
    finger, seg = local // 4, local % 4
    base = np.where(hand == 1, 2, 18)  # left 2-17, right 18-33
    label = np.where(seg < 3, base + 3 * finger + seg, base + 15)
    label = np.where(local == PART_PALM, base + 15, label)
    label = np.where(local >= PART_FOREARM, 1, label)
    mask[fg] = label[fg].astype(np.uint8)
    return mask


def _sample_scene(seed: int, code: int, sample_id: int,
                  img_size: Tuple[int, int], two_hand_ratio: float,
                  right_ratio: float, facing_camera_tilt: Optional[float]):
    rng = np.random.default_rng([seed, code, sample_id])
    if rng.random() < two_hand_ratio:
        hand_type = 'interacting'
    else:
        hand_type = 'right' if rng.random() < right_ratio else 'left'
    target = rng.normal(0., 30., 3)
    camera = sample_camera_on_sphere(
        rng,
        target,
        img_size,
        distance_range=(380., 750.),
        focal_range=(260., 310.),
        focal_ref_size=320.,
        min_elevation_deg=-60.,
        aim_jitter=25.,
        princpt_jitter=0.,
        max_roll_deg=30.)
    rotation = None
    if facing_camera_tilt is not None:
        rotation = facing_rotation(rng, camera.camrot, facing_camera_tilt)
    sample = sample_hands(
        rng, hand_type, sample_hand_shape(rng), target, rotation=rotation)
    tone = sample_skin_tone(rng)
    tones = [np.clip(tone * rng.uniform(0.93, 1.07, 3), 0, 1)
             for _ in range(2)]
    return rng, sample, camera, tones


def render_rhd_sample(sample_id: int,
                      renderer: HandRenderer,
                      seed: int = 0,
                      set_name: str = 'training',
                      two_hand_ratio: float = 0.4,
                      right_ratio: float = 0.5,
                      facing_camera_tilt: Optional[float] = None) -> dict:
    """Render one sample.

    Returns:
        dict: ``color`` (H, W, 3) uint8 BGR, ``depth_rgb`` (H, W, 3) uint8
        RGB-encoded depth, ``mask`` (H, W) uint8, ``anno`` (the pickle entry:
        ``xyz`` (42, 3) m, ``uv_vis`` (42, 3), ``K`` (3, 3), RHD order),
        ``present`` (right, left) rendered hands.
    """
    code = zlib.crc32(set_name.encode('utf-8'))
    rng, sample, camera, tones = _sample_scene(
        seed, code, sample_id, renderer.img_size, two_hand_ratio,
        right_ratio, facing_camera_tilt)
    res = renderer.render(rng, sample, camera, skin_tones=tones)
    w, h = renderer.img_size
    cam = res.joints_cam.copy()  # (42, 3) mm, model order, NaN if absent
    for k in range(2):
        if not sample.present[k]:
            other = cam[21 * (1 - k):21 * (1 - k) + 21]
            side = 1. if other[:, 0].mean() >= 0 else -1.
            cam[21 * k:21 * k + 21] = other + [side * ABSENT_OFFSET, 0, 0]
    cam = cam.astype(np.float32).astype(np.float64)
    uv = camera.cam_to_pixel(cam)
    vis = np.zeros(42, bool)
    ui, vi = np.floor(uv[:, 0]).astype(int), np.floor(uv[:, 1]).astype(int)
    inside = (cam[:, 2] > 0) & (ui >= 0) & (ui < w) & (vi >= 0) & (vi < h)
    for j in np.flatnonzero(inside):
        k = j // 21
        part = res.part[vi[j], ui[j]]
        vis[j] = (sample.present[k] and part >= 0
                  and part // PARTS_PER_HAND == k
                  and res.depth[vi[j], ui[j]]
                  >= cam[j, 2] - VISIBILITY_TOLERANCE)
    K = np.array([[camera.focal[0], 0., camera.princpt[0]],
                  [0., camera.focal[1], camera.princpt[1]], [0., 0., 1.]])
    rhd_xyz = np.empty((42, 3))
    rhd_uvv = np.empty((42, 3))
    rhd_xyz[MODEL42_FROM_RHD42] = cam / 1000.
    rhd_uvv[MODEL42_FROM_RHD42] = np.concatenate([uv, vis[:, None]], 1)
    return dict(
        color=res.image,
        depth_rgb=encode_rhd_depth(res.depth),
        mask=rhd_mask_from_parts(res.part),
        anno=dict(
            xyz=rhd_xyz.astype(np.float32),
            uv_vis=rhd_uvv.astype(np.float32),
            K=K.astype(np.float32)),
        present=tuple(bool(p) for p in sample.present))


_WORKER: dict = {}


def _init_worker(img_size, renderer_cfg, kwargs, paths):
    _WORKER.update(
        renderer=HandRenderer(img_size, **renderer_cfg),
        kwargs=kwargs,
        paths=paths)


def _write_one(sample_id: int, renderer=None, kwargs=None,
               paths=None) -> Tuple[int, dict]:
    renderer = renderer or _WORKER['renderer']
    kwargs = _WORKER['kwargs'] if kwargs is None else kwargs
    paths = _WORKER['paths'] if paths is None else paths
    out = render_rhd_sample(sample_id, renderer, **kwargs)
    name = f'{sample_id:05d}.png'
    for key, img in (('color_dir', out['color']),
                     ('depth_dir', out['depth_rgb'][..., ::-1]),
                     ('mask_dir', out['mask'])):
        ok = cv2.imwrite(osp.join(paths[key], name), img)
        assert ok, f'could not write {osp.join(paths[key], name)}'
    return sample_id, out['anno']


def _json_entry(sample_id: int, anno: dict, set_name: str,
                img_size: Tuple[int, int],
                min_visible_keypoints: int) -> Tuple[dict, list]:
    w, h = img_size
    K = anno['K'].astype(np.float64)
    image = dict(
        file_name=f'{set_name}/color/{sample_id:05d}.png',
        height=int(h),
        width=int(w),
        id=int(sample_id),
        cam_param=dict(
            focal=[float(K[0, 0]), float(K[1, 1])],
            princpt=[float(K[0, 2]), float(K[1, 2])]))
    anns = []
    # right hand first (as Rhd3DDataset lists them); RHD: left hand 0-20
    for k, hand in ((1, 'right'), (0, 'left')):
        uvv = anno['uv_vis'][21 * k:21 * k + 21].astype(np.float64)
        inside = ((uvv[:, 0] >= 0) & (uvv[:, 0] < w) & (uvv[:, 1] >= 0)
                  & (uvv[:, 1] < h) & (uvv[:, 2] == 1))
        if inside.sum() < min_visible_keypoints:
            continue
        lo, hi = uvv[:, :2].min(0), uvv[:, :2].max(0)
        ctr, size = (lo + hi) / 2, (hi - lo) * 1.2
        anns.append(
            dict(
                id=int(sample_id) * 2 + (hand == 'left'),
                image_id=int(sample_id),
                category_id=1,
                iscrowd=0,
                bbox=[float(v) for v in np.concatenate([ctr - size / 2,
                                                        size])],
                area=float(size[0] * size[1]),
                keypoints=uvv.tolist(),
                joint_cam=(anno['xyz'][21 * k:21 * k + 21].astype(
                    np.float64) * 1000.).tolist(),
                hand_type=hand))
    return image, anns


def generate_rhd(out_dir: str,
                 set_name: str = 'training',
                 num_images: int = 100,
                 seed: int = 0,
                 img_size: Tuple[int, int] = (320, 320),
                 two_hand_ratio: float = 0.4,
                 right_ratio: float = 0.5,
                 facing_camera_tilt: Optional[float] = None,
                 write_json: bool = True,
                 min_visible_keypoints: int = 10,
                 workers: int = 1,
                 renderer_cfg: Optional[dict] = None,
                 progress: Optional[Callable[[int, int], None]] = None
                 ) -> dict:
    """Render ``num_images`` samples of one set in the original RHD layout.

    Args:
        out_dir (str): Root (``RHD_published_v2`` of the release).
        set_name (str): ``'training'`` or ``'evaluation'``.
        num_images (int): Number of samples (ids 0 .. num_images - 1).
        seed (int): Random seed; same arguments give identical files.
        img_size (tuple[int, int]): (W, H), px; RHD: (320, 320).
        two_hand_ratio (float): Fraction of images showing both hands.
        right_ratio (float): Fraction of one-hand images showing the right
            hand.
        facing_camera_tilt (float, optional): Turn the (right / single)
            palm towards the camera within this tilt (degrees): an easier
            distribution for short CPU runs. Default: random orientations.
        write_json (bool): Also write mmpose's converted json.
        min_visible_keypoints (int): Presence rule of the json.
        workers (int): Rendering processes (1 = in process).
        renderer_cfg (dict, optional): :class:`HandRenderer` arguments.
        progress (callable, optional): ``progress(done, total)``.

    Returns:
        dict: :func:`rhd_paths` plus ``num_images``, ``num_hands`` (json
        annotations) and ``seconds``.
    """
    t0 = time.perf_counter()
    img_size = (int(img_size[0]), int(img_size[1]))
    paths = rhd_paths(out_dir, set_name)
    for key in ('color_dir', 'depth_dir', 'mask_dir'):
        os.makedirs(paths[key], exist_ok=True)
    kwargs = dict(
        seed=seed,
        set_name=set_name,
        two_hand_ratio=two_hand_ratio,
        right_ratio=right_ratio,
        facing_camera_tilt=facing_camera_tilt)
    renderer_cfg = dict(renderer_cfg or {})
    annos = {}
    ids = range(num_images)
    if workers <= 1:
        renderer = HandRenderer(img_size, **renderer_cfg)
        for i in ids:
            sid, anno = _write_one(i, renderer, kwargs, paths)
            annos[sid] = anno
            if progress is not None:
                progress(len(annos), num_images)
    else:
        ctx = get_context('fork')
        with ctx.Pool(workers, _init_worker,
                      (img_size, renderer_cfg, kwargs, paths)) as pool:
            for sid, anno in pool.imap_unordered(_write_one, ids,
                                                 chunksize=4):
                annos[sid] = anno
                if progress is not None:
                    progress(len(annos), num_images)
    annos = {sid: annos[sid] for sid in sorted(annos)}
    with open(paths['ann_file'], 'wb') as f:
        pickle.dump(annos, f, protocol=4)
    num_hands = 0
    if write_json:
        images, anns = [], []
        for sid, anno in annos.items():
            image, hands = _json_entry(sid, anno, set_name, img_size,
                                       min_visible_keypoints)
            images.append(image)
            anns.extend(hands)
        num_hands = len(anns)
        os.makedirs(osp.dirname(paths['json_file']), exist_ok=True)
        with open(paths['json_file'], 'w') as f:
            json.dump(
                dict(
                    info=dict(description='synthetic RHD (a2jt_mmpose)'),
                    images=images,
                    annotations=anns,
                    categories=[dict(id=1, name='hand', supercategory='hand')
                                ]), f)
    out = dict(paths)
    out.update(
        num_images=len(annos),
        num_hands=num_hands,
        seconds=time.perf_counter() - t0)
    return out

