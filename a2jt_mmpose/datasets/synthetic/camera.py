# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""Pinhole cameras in the InterHand2.6M convention.

InterHand2.6M stores, per capture and camera, the camera centre ``campos``
(world, mm), the world-to-camera rotation ``camrot`` (3x3), the focal lengths
``focal`` (fx, fy, px) and the principal point ``princpt`` (cx, cy, px).
A world point ``X`` (mm) maps to camera coordinates with
``X_cam = camrot @ (X - campos)``; the camera looks along ``+z`` with ``+x``
to the right of the image and ``+y`` down (OpenCV), and the pixel position is
``u = fx * x / z + cx``, ``v = fy * y / z + cy`` (integer ``u, v`` are pixel
centres, as in ``cv2`` drawing and mmpose's ``camera_to_pixel``).
"""
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import numpy as np

__all__ = [
    'PinholeCamera', 'look_at_rotation', 'sample_camera_on_sphere',
    'to_float32_precision'
]


def to_float32_precision(x) -> np.ndarray:
    """Round values to float32 precision and return them as float64.

    The official annotation files store float32 values; rounding before
    rendering keeps the written annotations and the images consistent.

    Args:
        x (array-like): Any numeric array.

    Returns:
        np.ndarray: float64 array holding float32-representable values.
    """
    return np.asarray(x, dtype=np.float32).astype(np.float64)


@dataclass
class PinholeCamera:
    """A pinhole camera in the InterHand2.6M convention.

    Attributes:
        campos (np.ndarray): Camera centre in world coordinates, shape (3,),
            mm.
        camrot (np.ndarray): World-to-camera rotation, shape (3, 3).
        focal (np.ndarray): Focal lengths (fx, fy), shape (2,), px.
        princpt (np.ndarray): Principal point (cx, cy), shape (2,), px.
    """
    campos: np.ndarray
    camrot: np.ndarray
    focal: np.ndarray
    princpt: np.ndarray

    def world_to_cam(self, points: np.ndarray) -> np.ndarray:
        """World (mm) to camera coordinates (mm).

        Args:
            points (np.ndarray): Shape (..., 3).

        Returns:
            np.ndarray: Shape (..., 3), ``camrot @ (X - campos)``.
        """
        points = np.asarray(points, dtype=np.float64)
        return (points - self.campos) @ self.camrot.T

    def cam_to_world(self, points: np.ndarray) -> np.ndarray:
        """Camera (mm) to world coordinates (mm); inverse of
        :meth:`world_to_cam`."""
        points = np.asarray(points, dtype=np.float64)
        return points @ self.camrot + self.campos

    def cam_to_pixel(self, points: np.ndarray) -> np.ndarray:
        """Project camera coordinates (mm, z > 0) to pixels.

        Args:
            points (np.ndarray): Shape (..., 3).

        Returns:
            np.ndarray: Shape (..., 2), (u, v) in px.
        """
        points = np.asarray(points, dtype=np.float64)
        z = points[..., 2:3]
        return points[..., :2] / z * self.focal + self.princpt

    def project(self, points: np.ndarray) -> np.ndarray:
        """Project world coordinates (mm) to pixels, shape (..., 3) ->
        (..., 2)."""
        return self.cam_to_pixel(self.world_to_cam(points))

    def to_interhand_dict(self) -> dict:
        """Per-camera values as stored in ``InterHand2.6M_*_camera.json``.

        Returns:
            dict: ``campos`` (list of 3 floats), ``camrot`` (3 lists of 3),
            ``focal`` (2 floats), ``princpt`` (2 floats), all float32-valued.
        """
        return dict(
            campos=[float(v) for v in np.float32(self.campos)],
            camrot=[[float(v) for v in row]
                    for row in np.float32(self.camrot)],
            focal=[float(v) for v in np.float32(self.focal)],
            princpt=[float(v) for v in np.float32(self.princpt)])

    @classmethod
    def from_interhand_dict(cls, cam_params: dict,
                            camera_name: str) -> 'PinholeCamera':
        """Build a camera from one capture's entry of a camera json.

        Args:
            cam_params (dict): ``{'campos': {name: [3]}, 'camrot': ...}``.
            camera_name (str): Camera id, e.g. ``'400026'``.
        """
        return cls(
            campos=np.array(cam_params['campos'][camera_name], np.float64),
            camrot=np.array(cam_params['camrot'][camera_name], np.float64),
            focal=np.array(cam_params['focal'][camera_name], np.float64),
            princpt=np.array(cam_params['princpt'][camera_name], np.float64))


def look_at_rotation(
    campos: np.ndarray,
    target: np.ndarray,
    up: Sequence[float] = (0., -1., 0.)) -> np.ndarray:
    """World-to-camera rotation of a camera at ``campos`` looking at
    ``target``.

    Args:
        campos (np.ndarray): Camera centre, shape (3,), mm.
        target (np.ndarray): Point on the optical axis, shape (3,), mm.
        up (Sequence[float]): World direction that appears upwards in the
            image (the camera's ``-y``). Default: ``(0, -1, 0)``.

    Returns:
        np.ndarray: Rotation matrix, shape (3, 3); its rows are the camera
        x (right), y (down) and z (forward) axes in world coordinates.
    """
    z = np.asarray(target, np.float64) - np.asarray(campos, np.float64)
    z /= np.linalg.norm(z)
    up = np.asarray(up, np.float64)
    x = np.cross(z, up)
    if np.linalg.norm(x) < 1e-6:  # looking along ``up``: pick any right
        x = np.cross(z, np.array([1., 0., 0.]))
        if np.linalg.norm(x) < 1e-6:
            x = np.cross(z, np.array([0., 0., 1.]))
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    return np.stack([x, y, z])


def sample_camera_on_sphere(
        rng: np.random.Generator,
        target: np.ndarray,
        img_size: Tuple[int, int],
        distance_range: Tuple[float, float] = (900., 1300.),
        focal_range: Tuple[float, float] = (1230., 1300.),
        focal_ref_size: float = 334.,
        min_elevation_deg: float = -50.,
        aim_jitter: float = 40.,
        princpt_jitter: float = 0.06,
        max_roll_deg: float = 20.,
        up: Optional[Sequence[float]] = None) -> PinholeCamera:
    """Sample a camera on a sphere around ``target`` that looks at it.

    Mirrors the InterHand2.6M capture dome: cameras about 1 m from the
    hands, focal lengths about 1260 px for 334 x 512 images.

    Args:
        rng (np.random.Generator): Random generator.
        target (np.ndarray): Centre of the capture volume, shape (3,), mm.
        img_size (tuple[int, int]): Image size (W, H), px.
        distance_range (tuple[float, float]): Camera-to-target distance, mm.
        focal_range (tuple[float, float]): Focal length for an image whose
            short side is ``focal_ref_size`` px; scaled by
            ``min(W, H) / focal_ref_size``.
        focal_ref_size (float): Short image side that ``focal_range`` refers
            to. Default: 334 (InterHand2.6M).
        min_elevation_deg (float): Lowest camera elevation above the
            target's horizontal plane (world ``-y`` is up), degrees.
        aim_jitter (float): Std of the aim point around ``target``, mm.
        princpt_jitter (float): Std of the principal point around the image
            centre, as a fraction of W and H.
        max_roll_deg (float): Max camera roll around the optical axis, deg.
        up (Sequence[float], optional): World up direction. Default:
            ``(0, -1, 0)``.

    Returns:
        PinholeCamera: The sampled camera (float32-representable values).
    """
    w, h = img_size
    up = np.array((0., -1., 0.) if up is None else up, np.float64)
    # direction with elevation above min_elevation (uniform on the cap)
    sin_min = np.sin(np.deg2rad(min_elevation_deg))
    sin_el = rng.uniform(sin_min, 1.0)
    az = rng.uniform(0, 2 * np.pi)
    cos_el = np.sqrt(max(0., 1. - sin_el**2))
    # world up is -y: elevation moves the camera towards -y
    direction = np.array([cos_el * np.cos(az), -sin_el, cos_el * np.sin(az)])
    dist = rng.uniform(*distance_range)
    campos = np.asarray(target, np.float64) + dist * direction
    aim = np.asarray(target, np.float64) + rng.normal(0., aim_jitter, 3)
    # roll: rotate the up vector around the optical axis
    fwd = aim - campos
    fwd /= np.linalg.norm(fwd)
    roll = np.deg2rad(rng.uniform(-max_roll_deg, max_roll_deg))
    up_roll = _rotate_about_axis(up, fwd, roll)
    camrot = look_at_rotation(campos, aim, up_roll)
    f = rng.uniform(*focal_range) * min(w, h) / focal_ref_size
    focal = np.array([f, f * rng.uniform(0.9995, 1.0005)])
    princpt = np.array([
        w / 2. + rng.normal(0., princpt_jitter * w),
        h / 2. + rng.normal(0., princpt_jitter * h)
    ])
    return PinholeCamera(
        campos=to_float32_precision(campos),
        camrot=to_float32_precision(camrot),
        focal=to_float32_precision(focal),
        princpt=to_float32_precision(princpt))


def _rotate_about_axis(v: np.ndarray, axis: np.ndarray,
                       angle: float) -> np.ndarray:
    """Rodrigues rotation of vector ``v`` (3,) about unit ``axis`` (3,)."""
    c, s = np.cos(angle), np.sin(angle)
    return v * c + np.cross(axis, v) * s + axis * np.dot(axis, v) * (1 - c)
