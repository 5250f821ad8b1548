# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Write synthetic two-hand data in the official InterHand2.6M layout.

Layout under ``out_dir`` (identical to the released InterHand2.6M)::

    images/<split>/Capture<c>/<seq_name>/cam<camera>/image<frame_idx>.jpg
    annotations/<split>/InterHand2.6M_<split>_data.json
    annotations/<split>/InterHand2.6M_<split>_camera.json
    annotations/<split>/InterHand2.6M_<split>_joint_3d.json

``data.json`` is COCO style: ``{'images': [{'id', 'file_name' (relative to
images/<split>/), 'width', 'height', 'capture', 'subject', 'seq_name',
'camera' (str), 'frame_idx'}], 'annotations': [{'id', 'image_id', 'bbox'
(xywh px: the box of the valid projected joints enlarged 1.2 times, as in
the released files), 'joint_valid' ([[0/1]] * 42), 'hand_type' ('right',
'left' or 'interacting'), 'hand_type_valid' (1)}]}``, one annotation per
image with the same id. ``camera.json`` maps capture id (str) to
``campos``/``camrot``/``focal``/``princpt``, each a dict camera id (str) ->
values, with ``X_cam = camrot @ (X_world - campos)`` in mm. ``joint_3d.json``
maps capture id (str) -> frame_idx (str) -> ``{'world_coord': [[x, y, z]] *
42 (mm), 'joint_valid': [[bool]] * 42, 'hand_type', 'hand_type_valid'
(bool)}``. Joints of an absent hand are invalid with world coordinates
``[1.0, 1.0, 1.0]``, as in the released files.

Everything is a deterministic function of ``(seed, split)``: every frame and
every image draws from its own seeded generator, so the output does not
depend on the number of worker processes.
"""
import json
import os
import os.path as osp
import time
import zlib
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Callable, Dict, List, Optional, Tuple

import cv2
import numpy as np

from .camera import PinholeCamera, sample_camera_on_sphere
from .hand_model import (FACING_INTERACTION_MODES, GESTURES, NUM_JOINTS,
                         ROOT_JOINTS, HandShape, TwoHandSample,
                         facing_rotation, sample_hand_shape, sample_hands)
from .renderer import HandRenderer, sample_skin_tone

__all__ = [
    'interhand_paths', 'generate_interhand', 'plan_interhand',
    'InterHandImageTask', 'render_interhand_image', 'BBOX_SCALE'
]

#: The released bounding boxes are the joints' box enlarged by this factor.
BBOX_SCALE = 1.2
#: World coordinates written for the joints of an absent hand.
ABSENT_COORD = 1.0

_MOTIONS = ('rom', 'pose', 'grasp', 'touch', 'fist', 'spread', 'point',
            'pinch', 'count', 'wave')
_GESTURE_NAMES = tuple(GESTURES)


def interhand_paths(out_dir: str, split: str) -> Dict[str, str]:
    """Paths of the files of one split.

    Args:
        out_dir (str): Dataset root.
        split (str): Split name, e.g. ``'train'``.

    Returns:
        dict: ``img_dir`` (``images/<split>``), ``ann_file``,
        ``camera_file``, ``joint_file`` (absolute or relative to the
        cwd, like ``out_dir``) and the same three relative to ``out_dir``
        as ``ann_file_rel``, ``camera_file_rel``, ``joint_file_rel``.
    """
    ann_dir = osp.join('annotations', split)
    rel = dict(
        ann_file_rel=osp.join(ann_dir, f'InterHand2.6M_{split}_data.json'),
        camera_file_rel=osp.join(ann_dir,
                                 f'InterHand2.6M_{split}_camera.json'),
        joint_file_rel=osp.join(ann_dir,
                                f'InterHand2.6M_{split}_joint_3d.json'))
    paths = dict(img_dir=osp.join(out_dir, 'images', split))
    for k, v in rel.items():
        paths[k[:-4]] = osp.join(out_dir, v)
    paths.update(rel)
    return paths


@dataclass
class InterHandImageTask:
    """Everything needed to render one image (picklable).

    Attributes:
        image_id (int): Image (and annotation) id.
        path (str): Output jpg path.
        camera (PinholeCamera): The camera.
        sample (TwoHandSample): The frame's hands (world mm).
        skin_tones (list[np.ndarray]): (right, left) BGR albedo in [0, 1].
        seed (Sequence[int]): Entropy of the image's random generator.
    """
    image_id: int
    path: str
    camera: PinholeCamera
    sample: TwoHandSample
    skin_tones: List[np.ndarray]
    seed: Tuple[int, ...]


@dataclass
class _Capture:
    capture_id: int
    subject: int
    shape: HandShape
    center: np.ndarray
    cameras: Dict[str, PinholeCamera]
    next_frame: int


def _f32(values) -> list:
    """Nested lists of float32-valued python floats."""
    return np.asarray(values, np.float32).astype(np.float64).tolist()


def _split_code(split: str) -> int:
    return zlib.crc32(split.encode('utf-8'))


def _project_valid(camera: PinholeCamera, joints: np.ndarray,
                   valid: np.ndarray,
                   img_size: Tuple[int, int]) -> Tuple[np.ndarray, np.ndarray]:
    """Pixels (42, 2) of the joints and whether each valid joint is in
    front of the camera and inside the image."""
    w, h = img_size
    cam = camera.world_to_cam(np.where(valid[:, None], joints, 0.))
    z = cam[:, 2]
    uv = cam[:, :2] / np.maximum(z, 1e-6)[:, None] * camera.focal + \
        camera.princpt
    inside = valid & (z > 10.) & (uv[:, 0] >= 0) & (uv[:, 0] <= w - 1) & \
        (uv[:, 1] >= 0) & (uv[:, 1] <= h - 1)
    return uv, inside


def plan_interhand(split: str,
                   num_images: int,
                   seed: int,
                   img_size: Tuple[int, int] = (256, 256),
                   interacting_ratio: float = 0.5,
                   right_ratio: float = 0.5,
                   num_captures: Optional[int] = None,
                   num_cameras: int = 8,
                   cams_per_frame: Tuple[int, int] = (1, 4),
                   frames_per_seq: Tuple[int, int] = (4, 16),
                   joint_dropout_prob: float = 0.05,
                   invalidate_truncated: bool = True,
                   min_visible_ratio: float = 0.6,
                   img_root: str = '',
                   facing_camera_tilt: Optional[float] = None,
                   poses: str = 'free'
                   ) -> Tuple[dict, dict, dict, list]:
    """Sample captures, cameras, sequences, frames and hands of one split.

    Args:
        split (str): Split name (part of the random seed and the paths).
        num_images (int): Number of images.
        seed (int): Random seed.
        img_size (tuple[int, int]): (W, H), px.
        interacting_ratio (float): Fraction of sequences with both hands
            (``hand_type='interacting'``); the others show one hand.
        right_ratio (float): Fraction of the single-hand sequences that show
            the right hand.
        num_captures (int, optional): Number of captures (one subject each,
            with its own camera rig). Default: ``num_images // 250`` clipped
            to [2, 26].
        num_cameras (int): Cameras per capture.
        cams_per_frame (tuple[int, int]): Range (inclusive) of the number of
            images rendered per frame (different cameras).
        frames_per_seq (tuple[int, int]): Range (inclusive) of frames per
            sequence.
        joint_dropout_prob (float): Probability that a frame has 1-3
            non-root joints of a present hand annotated as invalid (as
            failed annotations in the real data).
        invalidate_truncated (bool): Mark joints projecting outside the
            image invalid in the image's ``joint_valid`` (data.json only).
        min_visible_ratio (float): A camera renders a frame only if at least
            this fraction of the valid joints projects inside its image.
        img_root (str): Directory the task paths are joined to
            (``images/<split>`` of the output).
        facing_camera_tilt (float, optional): An easier distribution for
            short CPU experiments: each frame is rendered by one camera only
            (and only if every present wrist projects inside its image)
            and its hands are turned so that the (right or single) palm faces
            that camera, tilted by at most this many degrees and rolled by
            at most 90 degrees in the image plane; two hands are arranged
            with both palms facing it (side by side, or one in front of the
            other, :data:`FACING_INTERACTION_MODES`). Default None: uniformly
            random hand orientations and all two-hand arrangements, seen by
            several cameras (the dome).
        poses (str): ``'free'`` (default): every frame draws a new
            articulation (:func:`sample_hand_pose`); ``'gestures'``: as
            InterHand2.6M is recorded, every sequence shows one gesture of
            :data:`GESTURES` per hand (named in ``seq_name``, e.g.
            ``0007_rh_thumb_up``) and its frames vary around it.

    Returns:
        tuple: ``data`` (the data.json dict), ``cameras`` (camera.json
        dict), ``joints`` (joint_3d.json dict) and ``tasks``
        (list[InterHandImageTask]).
    """
    if poses not in ('free', 'gestures'):
        raise ValueError(
            f"poses must be 'free' or 'gestures', got {poses!r}")
    w, h = img_size
    code = _split_code(split)
    rng = np.random.default_rng([seed, code, 0])
    if num_captures is None:
        num_captures = int(np.clip(num_images // 250, 2, 26))
    cam_ids = np.concatenate(
        [np.arange(400001, 400100),
         np.arange(410001, 410100)])
    subjects = rng.permutation(27)
    captures = []
    for ci in range(num_captures):
        center = np.array([
            rng.uniform(-150, 150),
            rng.uniform(-150, 150),
            rng.uniform(900, 1100)
        ])
        names = sorted(
            str(c) for c in rng.choice(cam_ids, num_cameras, replace=False))
        cams = {
            name: sample_camera_on_sphere(rng, center, img_size)
            for name in names
        }
        captures.append(
            _Capture(
                capture_id=ci,
                subject=int(subjects[ci % 27]),
                shape=sample_hand_shape(rng),
                center=center,
                cameras=cams,
                next_frame=int(rng.integers(0, 2000))))

    images, annotations, tasks = [], [], []
    joints_json: Dict[str, Dict[str, dict]] = {}
    seq_counter = 0
    while len(images) < num_images:
        cap = captures[seq_counter % num_captures]
        u = rng.random()
        if u < interacting_ratio:
            hand_type = 'interacting'
            tag = 'dh'
        else:
            single = rng.random() < right_ratio
            hand_type = 'right' if single else 'left'
            tag = 'rh' if single else 'lh'
        motion = _MOTIONS[int(rng.integers(len(_MOTIONS)))]
        gestures = None
        if poses == 'gestures':
            gestures = tuple(
                _GESTURE_NAMES[int(i)]
                for i in rng.integers(len(_GESTURE_NAMES), size=2))
            motion = {
                'right': gestures[0],
                'left': gestures[1]
            }.get(hand_type, '_'.join(gestures))
        seq_name = f'{seq_counter:04d}_{tag}_{motion}'
        seq_counter += 1
        n_frames = int(rng.integers(frames_per_seq[0], frames_per_seq[1] + 1))
        for _ in range(n_frames):
            if len(images) >= num_images:
                break
            frame_idx = cap.next_frame
            cap.next_frame += int(rng.integers(1, 6))
            frng = np.random.default_rng(
                [seed, code, 1, cap.capture_id, frame_idx])
            order = frng.permutation(sorted(cap.cameras))
            rotation = None
            if facing_camera_tilt is not None:
                rotation = facing_rotation(
                    frng, cap.cameras[str(order[0])].camrot,
                    facing_camera_tilt)
            sample = sample_hands(
                frng,
                hand_type,
                cap.shape,
                cap.center + frng.normal(0., 40., 3),
                rotation=rotation,
                interaction_modes=None if facing_camera_tilt is None else
                FACING_INTERACTION_MODES,
                gestures=gestures)
            tone = sample_skin_tone(frng)
            tones = [
                np.clip(tone * frng.uniform(0.93, 1.07, 3), 0, 1)
                for _ in range(2)
            ]
            valid = np.repeat(sample.present, 21)
            if frng.random() < joint_dropout_prob:
                k = int(frng.choice(np.flatnonzero(sample.present)))
                drop = frng.choice(20, int(frng.integers(1, 4)), replace=False)
                valid[21 * k + drop] = False
            world = np.where(
                np.repeat(sample.present, 21)[:, None],
                np.float32(np.nan_to_num(sample.joints)), ABSENT_COORD)
            world = world.astype(np.float32).astype(np.float64)
            sample.joints = np.where(
                np.repeat(sample.present, 21)[:, None], world, np.nan)
            n_cams = 1 if facing_camera_tilt is not None else int(
                frng.integers(cams_per_frame[0], cams_per_frame[1] + 1))
            if facing_camera_tilt is not None:
                order = order[:1]
            used = 0
            for cam_name in order:
                if used >= n_cams or len(images) >= num_images:
                    break
                camera = cap.cameras[str(cam_name)]
                uv, inside = _project_valid(camera, world, valid, img_size)
                if inside.sum() < max(1, min_visible_ratio * valid.sum()):
                    continue
                if facing_camera_tilt is not None and not all(
                        inside[root] for root, present in zip(
                            ROOT_JOINTS, sample.present) if present):
                    # the preset's single view must show every present
                    # wrist: a root cut by the border invalidates its whole
                    # hand in InterHand3DDataset (no root-relative depth)
                    continue
                used += 1
                img_valid = inside if invalidate_truncated else valid
                box_pts = uv[img_valid]
                lo, hi = box_pts.min(0), box_pts.max(0)
                ctr, size = (lo + hi) / 2, (hi - lo) * BBOX_SCALE
                bbox = [
                    ctr[0] - size[0] / 2, ctr[1] - size[1] / 2, size[0],
                    size[1]
                ]
                image_id = len(images) + 1
                file_name = (f'Capture{cap.capture_id}/{seq_name}/'
                             f'cam{cam_name}/image{frame_idx}.jpg')
                images.append(
                    dict(
                        id=image_id,
                        file_name=file_name,
                        width=int(w),
                        height=int(h),
                        capture=cap.capture_id,
                        subject=cap.subject,
                        seq_name=seq_name,
                        camera=str(cam_name),
                        frame_idx=int(frame_idx)))
                annotations.append(
                    dict(
                        id=image_id,
                        image_id=image_id,
                        bbox=_f32(bbox),
                        joint_valid=[[int(v)] for v in img_valid],
                        hand_type=hand_type,
                        hand_type_valid=1))
                tasks.append(
                    InterHandImageTask(
                        image_id=image_id,
                        path=osp.join(img_root, file_name),
                        camera=camera,
                        sample=sample,
                        skin_tones=tones,
                        seed=(seed, code, 2, image_id)))
            if used:
                joints_json.setdefault(str(cap.capture_id),
                                       {})[str(frame_idx)] = dict(
                                           world_coord=_f32(world),
                                           joint_valid=[[bool(v)]
                                                        for v in valid],
                                           hand_type=hand_type,
                                           hand_type_valid=True)
    used_caps = sorted({im['capture'] for im in images})
    cameras_json = {}
    for ci in used_caps:
        cams = captures[ci].cameras
        entry = dict(campos={}, camrot={}, focal={}, princpt={})
        for name, cam in cams.items():
            d = cam.to_interhand_dict()
            for k in entry:
                entry[k][name] = d[k]
        cameras_json[str(ci)] = entry
    data = dict(images=images, annotations=annotations)
    assert len(joints_json) and NUM_JOINTS == 42
    return data, cameras_json, joints_json, tasks


_RENDERER: Optional[HandRenderer] = None
_JPEG_QUALITY = 95


def _init_worker(img_size: Tuple[int, int], renderer_cfg: dict,
                 jpeg_quality: int) -> None:
    global _RENDERER, _JPEG_QUALITY
    _RENDERER = HandRenderer(img_size, **renderer_cfg)
    _JPEG_QUALITY = jpeg_quality


def render_interhand_image(task: InterHandImageTask,
                           renderer: Optional[HandRenderer] = None,
                           jpeg_quality: Optional[int] = None) -> int:
    """Render one planned image and write it as jpg.

    Args:
        task (InterHandImageTask): The planned image.
        renderer (HandRenderer, optional): Renderer; the worker's if None.
        jpeg_quality (int, optional): JPEG quality; the worker's if None.

    Returns:
        int: The image id.
    """
    renderer = renderer or _RENDERER
    quality = _JPEG_QUALITY if jpeg_quality is None else jpeg_quality
    rng = np.random.default_rng(list(task.seed))
    res = renderer.render(
        rng, task.sample, task.camera, skin_tones=task.skin_tones)
    ok, buf = cv2.imencode('.jpg', res.image,
                           [int(cv2.IMWRITE_JPEG_QUALITY),
                            int(quality)])
    assert ok, f'JPEG encoding failed for {task.path}'
    os.makedirs(osp.dirname(task.path), exist_ok=True)
    with open(task.path, 'wb') as f:
        f.write(buf.tobytes())
    return task.image_id


def generate_interhand(
        out_dir: str,
        split: str = 'train',
        num_images: int = 1000,
        seed: int = 0,
        img_size: Tuple[int, int] = (256, 256),
        interacting_ratio: float = 0.5,
        right_ratio: float = 0.5,
        num_captures: Optional[int] = None,
        num_cameras: int = 8,
        cams_per_frame: Tuple[int, int] = (1, 4),
        frames_per_seq: Tuple[int, int] = (4, 16),
        joint_dropout_prob: float = 0.05,
        invalidate_truncated: bool = True,
        jpeg_quality: int = 95,
        workers: int = 1,
        renderer_cfg: Optional[dict] = None,
        facing_camera_tilt: Optional[float] = None,
        poses: str = 'free',
        progress: Optional[Callable[[int, int], None]] = None) -> dict:
    """Generate one split of synthetic InterHand2.6M-format data.

    Args:
        out_dir (str): Dataset root (``images/`` and ``annotations/`` are
            created below it).
        split (str): Split name, e.g. ``'train'``, ``'val'``, ``'test'``.
        num_images (int): Number of images (= annotations).
        seed (int): Random seed; the same ``(seed, split)`` and arguments
            give byte-identical files.
        img_size (tuple[int, int]): (W, H) of the images, px. The released
            InterHand2.6M images are (334, 512) or (512, 334).
        interacting_ratio (float): Fraction of sequences showing both hands.
        right_ratio (float): Fraction of single-hand sequences showing the
            right hand (the rest show the left hand).
        num_captures (int, optional): Number of captures (subjects).
        num_cameras (int): Cameras per capture.
        cams_per_frame (tuple[int, int]): Images per frame (inclusive range).
        frames_per_seq (tuple[int, int]): Frames per sequence (inclusive).
        joint_dropout_prob (float): Probability of a frame with a few
            invalid joint annotations.
        invalidate_truncated (bool): Joints outside the image are invalid in
            ``data.json``.
        jpeg_quality (int): JPEG quality.
        workers (int): Number of rendering processes (1 = in process).
        renderer_cfg (dict, optional): Keyword arguments of
            :class:`HandRenderer` (besides ``img_size``).
        facing_camera_tilt (float, optional): See :func:`plan_interhand`.
        poses (str): ``'free'`` or ``'gestures'``, see
            :func:`plan_interhand`.
        progress (callable, optional): Called as ``progress(done, total)``
            after each rendered image.

    Returns:
        dict: The paths of :func:`interhand_paths` plus ``num_images``,
        ``num_frames`` and ``seconds`` (wall time of the whole call).
    """
    t0 = time.perf_counter()
    img_size = (int(img_size[0]), int(img_size[1]))
    paths = interhand_paths(out_dir, split)
    data, cameras, joints, tasks = plan_interhand(
        split,
        num_images,
        seed,
        img_size=img_size,
        interacting_ratio=interacting_ratio,
        right_ratio=right_ratio,
        num_captures=num_captures,
        num_cameras=num_cameras,
        cams_per_frame=cams_per_frame,
        frames_per_seq=frames_per_seq,
        joint_dropout_prob=joint_dropout_prob,
        invalidate_truncated=invalidate_truncated,
        img_root=paths['img_dir'],
        facing_camera_tilt=facing_camera_tilt,
        poses=poses)
    renderer_cfg = dict(renderer_cfg or {})
    total = len(tasks)
    if workers <= 1:
        renderer = HandRenderer(img_size, **renderer_cfg)
        for i, task in enumerate(tasks):
            render_interhand_image(task, renderer, jpeg_quality)
            if progress is not None:
                progress(i + 1, total)
    else:
        ctx = get_context('fork')
        with ctx.Pool(workers, _init_worker,
                      (img_size, renderer_cfg, jpeg_quality)) as pool:
            for i, _ in enumerate(
                    pool.imap_unordered(
                        render_interhand_image, tasks, chunksize=4)):
                if progress is not None:
                    progress(i + 1, total)
    os.makedirs(osp.dirname(paths['ann_file']), exist_ok=True)
    for key, obj in (('ann_file', data), ('camera_file', cameras),
                     ('joint_file', joints)):
        with open(paths[key], 'w') as f:
            json.dump(obj, f)
    out = dict(paths)
    out.update(
        num_images=total,
        num_frames=sum(len(v) for v in joints.values()),
        seconds=time.perf_counter() - t0)
    return out
