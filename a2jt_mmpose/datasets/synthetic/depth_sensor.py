# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Single-hand depth frames with structured-light-like sensor artefacts.

Shared by the NYU and HANDS 2017 writers. A right hand of the kinematic
model (:mod:`.hand_model`, InterHand2.6M per-hand joint order) is posed in
front of the camera, its volumetric primitives (with a forearm) are ray-cast
by :func:`.renderer.rasterize_primitives`, a background plane is added and
then :func:`add_sensor_noise` imitates a Kinect / RealSense: depth-dependent
Gaussian noise, 1 mm quantisation, missing pixels along depth edges and a
few hole blobs. numpy + cv2 only.
"""
from dataclasses import dataclass
from typing import Sequence, Tuple

import cv2
import numpy as np

from ...codecs.depth_camera import uvd_to_xyz
from .camera import PinholeCamera
from .hand_model import (facing_rotation, sample_hand_shape, sample_hands)
from .renderer import HandRenderer, rasterize_primitives

__all__ = ['DepthFrame', 'add_sensor_noise', 'render_hand_depth']


@dataclass
class DepthFrame:
    """One rendered frame.

    Attributes:
        depth (np.ndarray): ``(H, W)`` uint16, mm, 0 = no reading.
        joints_cam (np.ndarray): ``(21, 3)`` camera mm (y down),
            InterHand2.6M per-hand order (0 thumb tip ... 20 wrist).
    """
    depth: np.ndarray
    joints_cam: np.ndarray


def add_sensor_noise(rng: np.random.Generator, depth: np.ndarray,
                     edge_drop: float = 0.5,
                     num_holes: Tuple[int, int] = (0, 4)) -> np.ndarray:
    """Sensor-like artefacts on a clean float depth map.

    Args:
        rng (np.random.Generator): random generator.
        depth (np.ndarray): ``(H, W)`` float mm, 0 = nothing.
        edge_drop (float): probability of losing a pixel next to a depth
            jump > 25 mm (shadow / flying pixels).
        num_holes (tuple[int, int]): range of elliptic hole blobs.

    Returns:
        np.ndarray: ``(H, W)`` uint16 mm.
    """
    d = depth.astype(np.float32)
    valid = d > 0
    sigma = 0.8 + 1.4e-6 * d * d  # about 1.7 mm at 800 mm
    d = d + rng.normal(0., 1., d.shape).astype(np.float32) * sigma
    # depth edges: max neighbour difference
    dil = cv2.dilate(d, np.ones((3, 3), np.uint8))
    ero = cv2.erode(np.where(valid, d, 1e5).astype(np.float32),
                    np.ones((3, 3), np.uint8))
    edge = valid & ((dil - d > 25) | (d - ero > 25))
    drop = edge & (rng.random(d.shape) < edge_drop)
    h, w = d.shape
    holes = np.zeros((h, w), np.uint8)
    ys, xs = np.nonzero(valid)
    for _ in range(int(rng.integers(num_holes[0], num_holes[1] + 1))):
        if len(ys) == 0:
            break
        k = int(rng.integers(len(ys)))
        axes = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        cv2.ellipse(holes, (int(xs[k]), int(ys[k])), axes,
                    float(rng.uniform(0, 180)), 0, 360, 1, -1)
    keep = valid & ~drop & (holes == 0)
    out = np.where(keep, np.round(d), 0)
    return np.clip(out, 0, 65535).astype(np.uint16)


def render_hand_depth(rng: np.random.Generator,
                      focal: Sequence[float],
                      principal_pt: Sequence[float],
                      img_size: Tuple[int, int] = (640, 480),
                      depth_range: Tuple[float, float] = (500., 850.),
                      max_tilt_deg: float = 60.,
                      max_roll_deg: float = 70.,
                      background_prob: float = 0.7) -> DepthFrame:
    """Render one right hand as a noisy depth map.

    Args:
        rng (np.random.Generator): random generator (all randomness).
        focal (Sequence[float]): ``(fx, fy)`` with ``fy > 0`` (y down).
        principal_pt (Sequence[float]): ``(u0, v0)``.
        img_size (tuple[int, int]): ``(W, H)``.
        depth_range (tuple[float, float]): hand centre depth range, mm.
        max_tilt_deg (float): out-of-plane tilt of the palm (facing the
            camera at 0).
        max_roll_deg (float): in-plane roll.
        background_prob (float): probability of a background plane.

    Returns:
        DepthFrame: the depth map and the 21 joints.
    """
    w, h = img_size
    fx, fy = (float(v) for v in focal)
    u0, v0 = (float(v) for v in principal_pt)
    z = rng.uniform(*depth_range)
    # keep the hand well inside the image (+-110 mm cube and margin)
    ux = rng.uniform(0.3 * w, 0.7 * w)
    vy = rng.uniform(0.3 * h, 0.7 * h)
    center = uvd_to_xyz(np.array([ux, vy, z]), (fx, fy), (u0, v0))
    shape = sample_hand_shape(rng)
    rot = facing_rotation(rng, np.eye(3), max_tilt_deg, max_roll_deg)
    sample = sample_hands(rng, 'right', shape, center, rotation=rot)
    camera = PinholeCamera(
        campos=np.zeros(3), camrot=np.eye(3), focal=np.array([fx, fy]),
        princpt=np.array([u0, v0]))
    renderer = HandRenderer(img_size=img_size, forearm_prob=0.9,
                            sleeve_prob=0.)
    prims = renderer.build_primitives(rng, sample, camera)
    depth, _, _ = rasterize_primitives(prims, camera.focal, camera.princpt,
                                       img_size)
    if rng.random() < background_prob:
        # a tilted wall / body plane behind the hand
        plane_z = z + rng.uniform(250., 900.)
        gx, gy = rng.uniform(-0.4, 0.4, 2)
        uu, vv = np.meshgrid(np.arange(w, dtype=np.float32),
                             np.arange(h, dtype=np.float32))
        back = plane_z * (1 + gx * (uu - u0) / w + gy * (vv - v0) / h)
        depth = np.where(depth > 0, depth, back.astype(np.float32))
    return DepthFrame(
        depth=add_sensor_noise(rng, depth), joints_cam=sample.joints[:21])
