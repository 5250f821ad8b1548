# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""A z-buffered, shaded renderer of articulated hands (numpy + cv2 only).

Every surface is an *affine capsule*: the set of points ``x`` whose image
``A @ (x - c)`` lies within distance 1 of the segment from ``(0, 0, 0)`` to
``(0, h, 0)``. With a scaled rotation for ``A`` this is a capsule of radius
``r`` (finger limbs, knuckles, thenar, forearm with an elliptic section) and
with ``h = 0`` a sphere or an ellipsoid (the palm). Rays are cast in camera
coordinates (mm, camera centre at the origin) through the pixel centres of
each primitive's projected bounding box, the nearest hit per pixel wins
(z-buffer), so occlusions between fingers and between the two hands are
exact. Shading is Lambertian with an ambient term, a weak specular lobe and
a random light direction; backgrounds are random gradients, noise, blobs,
textures or InterHand2.6M-like dark domes with point lights.

Outputs per image: the BGR image (uint8), the depth map (camera z in mm,
0 = background), a mask (0 background, 1 right hand, 2 left hand,
3 right forearm, 4 left forearm) and a per-pixel part map.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .camera import PinholeCamera
from .hand_model import FINGER_CHAINS, HandShape, TwoHandSample

__all__ = [
    'PARTS_PER_HAND', 'PART_PALM', 'PART_FOREARM', 'PART_SLEEVE',
    'MASK_BACKGROUND', 'MASK_RIGHT_HAND', 'MASK_LEFT_HAND',
    'MASK_RIGHT_FOREARM', 'MASK_LEFT_FOREARM', 'Primitives', 'RenderResult',
    'build_hand_primitives', 'rasterize_primitives', 'random_background',
    'sample_skin_tone', 'shade', 'HandRenderer'
]

#: Part ids of one hand: 0-19 = the limb from ``HAND_PARENTS[j]`` to joint
#: ``j`` (3 is the thenar between wrist and thumb CMC; 7, 11, 15 and 19 are
#: inside the palm and unused), then palm, forearm (skin) and sleeve. The
#: part id of hand ``k`` (0 right, 1 left) is ``k * PARTS_PER_HAND + id``.
PART_PALM = 20
PART_FOREARM = 21
PART_SLEEVE = 22
PARTS_PER_HAND = 23

MASK_BACKGROUND = 0
MASK_RIGHT_HAND = 1
MASK_LEFT_HAND = 2
MASK_RIGHT_FOREARM = 3
MASK_LEFT_FOREARM = 4

# Skin tones (BGR, 0-255) from light to dark.
_SKIN_TONES = np.array(
    [[196, 224, 255], [170, 205, 241], [135, 180, 224], [105, 160, 214],
     [66, 134, 198], [50, 105, 160], [36, 85, 141], [30, 60, 100]], np.float64)


@dataclass
class Primitives:
    """A batch of affine capsules in camera coordinates.

    Attributes:
        A (np.ndarray): Shape (N, 3, 3); camera-to-canonical linear map
            (1/mm).
        center (np.ndarray): Shape (N, 3); segment start ``c``, mm.
        height (np.ndarray): Shape (N,); canonical segment length ``h``.
        end (np.ndarray): Shape (N, 3); segment end in camera space, mm.
        bound_radius (np.ndarray): Shape (N,); radius (mm) of a sphere swept
            along the segment that contains the primitive.
        part (np.ndarray): Shape (N,), int; global part id.
    """
    A: np.ndarray
    center: np.ndarray
    height: np.ndarray
    end: np.ndarray
    bound_radius: np.ndarray
    part: np.ndarray

    @staticmethod
    def concatenate(items: Sequence['Primitives']) -> 'Primitives':
        """Concatenate several batches."""
        return Primitives(*[
            np.concatenate([getattr(p, k) for p in items])
            for k in ('A', 'center', 'height', 'end', 'bound_radius', 'part')
        ])


@dataclass
class RenderResult:
    """Output of :meth:`HandRenderer.render`.

    Attributes:
        image (np.ndarray): Shape (H, W, 3), uint8, BGR.
        depth (np.ndarray): Shape (H, W), float32; camera z of the visible
            surface in mm, 0 for background.
        mask (np.ndarray): Shape (H, W), uint8; ``MASK_*`` values.
        part (np.ndarray): Shape (H, W), int16; global part id, -1 for
            background.
        joints_cam (np.ndarray): Shape (42, 3); joints in camera coordinates
            (mm), NaN for absent hands.
        joints_img (np.ndarray): Shape (42, 2); projected joints (px).
    """
    image: np.ndarray
    depth: np.ndarray
    mask: np.ndarray
    part: np.ndarray
    joints_cam: np.ndarray
    joints_img: np.ndarray


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross product of two 3-vectors (faster than ``np.cross``)."""
    return np.array([
        a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0]
    ])


def _perpendicular(axis: np.ndarray) -> np.ndarray:
    """Any unit vector perpendicular to the unit ``axis`` (3,)."""
    helper = np.array([1., 0., 0.]) if abs(axis[0]) < 0.9 else np.array(
        [0., 1., 0.])
    return _unit(_cross(axis, helper))


def _capsules(starts: np.ndarray,
              ends: np.ndarray,
              radii: np.ndarray,
              parts: np.ndarray,
              side_dirs: Optional[np.ndarray] = None,
              side_radii: Optional[np.ndarray] = None) -> Primitives:
    """Capsules from ``starts`` (N, 3) to ``ends`` (N, 3) mm of radius
    ``radii`` (N,) mm. With ``side_dirs`` (N, 3) / ``side_radii`` (N,) the
    section is an ellipse with semi-axis ``side_radii`` along ``side_dirs``
    (and ``radii`` across)."""
    n = len(starts)
    A = np.empty((n, 3, 3))
    height = np.empty(n)
    bound = np.asarray(radii, np.float64).copy()
    for i in range(n):
        axis = ends[i] - starts[i]
        length = np.linalg.norm(axis)
        if length < 1e-6:
            y = np.array([0., 1., 0.])
            length = 0.
        else:
            y = axis / length
        if side_dirs is not None:
            u = side_dirs[i] - np.dot(side_dirs[i], y) * y
            u = _unit(u) if np.linalg.norm(u) > 1e-6 else _perpendicular(y)
            ru = side_radii[i]
            bound[i] = max(ru, radii[i])
        else:
            u = _perpendicular(y)
            ru = radii[i]
        w = _cross(u, y)
        A[i] = np.stack([u / ru, y / radii[i], w / radii[i]])
        height[i] = length / radii[i]
    return Primitives(
        A=A,
        center=np.asarray(starts, np.float64),
        height=height,
        end=np.asarray(ends, np.float64),
        bound_radius=bound,
        part=np.asarray(parts, np.int64))


def _ellipsoid(center: np.ndarray, axes: np.ndarray, semi: np.ndarray,
               part: int) -> Primitives:
    """An ellipsoid with orthonormal ``axes`` (3, 3, as rows) and semi-axes
    ``semi`` (3,) mm centred at ``center`` (3,) mm."""
    A = (axes / semi[:, None])[None]
    return Primitives(
        A=A,
        center=center[None].astype(np.float64),
        height=np.zeros(1),
        end=center[None].astype(np.float64),
        bound_radius=np.array([semi.max()]),
        part=np.array([part]))


def build_hand_primitives(joints: np.ndarray,
                          shape: HandShape,
                          hand_index: int,
                          forearm_dir: Optional[np.ndarray] = None,
                          forearm_length: float = 220.,
                          sleeve_start: Optional[float] = None) -> Primitives:
    """Volumetric primitives of one hand in camera coordinates.

    Fingers are capsules along the bones (the distal limb ends one radius
    before the tip joint so that the tip joint lies on the surface), the
    palm is an ellipsoid spanned by the wrist and the MCP joints plus a row
    of knuckle capsules, the thenar is a capsule from the wrist to the thumb
    CMC, and the forearm is a capsule with an elliptic section.

    Args:
        joints (np.ndarray): Shape (21, 3), camera coordinates (mm), one hand
            in InterHand2.6M order.
        shape (HandShape): Limb radii and palm/forearm thickness (mm).
        hand_index (int): 0 for the right hand, 1 for the left hand.
        forearm_dir (np.ndarray, optional): Unit vector (3,) from the wrist
            to the elbow; no forearm if None.
        forearm_length (float): Length of the visible forearm, mm.
        sleeve_start (float, optional): Distance (mm) from the wrist where a
            sleeve starts (drawn with part ``PART_SLEEVE``); no sleeve if
            None.

    Returns:
        Primitives: About 20 primitives.
    """
    J = np.asarray(joints, np.float64)
    radii = shape.bone_radii
    base = hand_index * PARTS_PER_HAND
    starts, ends, rads, parts = [], [], [], []
    for f, chain in enumerate(FINGER_CHAINS):
        for a, b in zip(chain[:-1], chain[1:]):
            pa, pb = J[a], J[b]
            r = radii[b]
            if b == chain[-1]:  # fingertip: the tip joint is on the skin
                d = pb - pa
                n = np.linalg.norm(d)
                pb = pa + d * max(n - r, 0.) / max(n, 1e-6)
            starts.append(pa)
            ends.append(pb)
            rads.append(r)
            parts.append(base + b)
    wrist = J[20]
    mcps = J[[7, 11, 15, 19]]
    # palm frame: y to the middle MCP, x to the thumb side, z volar
    y = J[11] - wrist
    palm_len = np.linalg.norm(y)
    y = y / palm_len
    x = J[7] - J[19]
    mcp_width = np.linalg.norm(x)
    x = _unit(x - np.dot(x, y) * y)
    z = np.cross(x, y) * (1. if hand_index == 0 else -1.)
    half = shape.palm_half_thickness
    # thenar: from inside the palm (volar) to the thumb CMC
    starts.append(wrist + 0.3 * palm_len * y + 0.15 * mcp_width * x +
                  0.3 * half * z)
    ends.append(J[3])
    rads.append(min(radii[3], 0.85 * half))
    parts.append(base + 3)
    # heel of the hand (hypothenar to thenar)
    starts.append(wrist + 0.3 * palm_len * y - 0.28 * mcp_width * x +
                  0.25 * half * z)
    ends.append(wrist + 0.22 * palm_len * y + 0.18 * mcp_width * x +
                0.25 * half * z)
    rads.append(0.75 * half)
    parts.append(base + PART_PALM)
    # knuckle row
    knuckle_r = 0.5 * (radii[[6, 10, 14, 18]] + half)
    for k in range(3):
        starts.append(mcps[k])
        ends.append(mcps[k + 1])
        rads.append(min(knuckle_r[k], knuckle_r[k + 1]))
        parts.append(base + PART_PALM)
    prims = [
        _capsules(
            np.array(starts), np.array(ends), np.array(rads), np.array(parts))
    ]
    # palm ellipsoid in the palm frame
    mcp_mid = 0.5 * (J[7] + J[19])
    center = wrist + 0.55 * (mcp_mid - wrist)
    semi = np.array(
        [0.5 * mcp_width + 0.75 * knuckle_r.mean(), 0.6 * palm_len, half])
    prims.append(
        _ellipsoid(center, np.stack([x, y, z]), semi, base + PART_PALM))
    if forearm_dir is not None and np.all(np.isfinite(forearm_dir)):
        fdir = _unit(np.asarray(forearm_dir, np.float64))
        rw, rt = shape.forearm_radii
        start = wrist + fdir * (0.6 * rt)
        stops = [forearm_length]
        fparts = [base + PART_FOREARM]
        if sleeve_start is not None and sleeve_start < forearm_length:
            stops = [sleeve_start, forearm_length]
            fparts.append(base + PART_SLEEVE)
        f_starts, f_ends, f_r, f_side, f_sr = [], [], [], [], []
        prev = start
        for k, stop in enumerate(stops):
            end = wrist + fdir * stop
            grow = 1.0 + 0.12 * stop / 200. + 0.1 * k  # sleeves are wider
            f_starts.append(prev)
            f_ends.append(end)
            f_r.append(rt * grow)
            f_side.append(x)
            f_sr.append(rw * grow)
            prev = end
        prims.append(
            _capsules(
                np.array(f_starts), np.array(f_ends), np.array(f_r),
                np.array(fparts), np.array(f_side), np.array(f_sr)))
    return Primitives.concatenate(prims)


def _screen_boxes(prims: Primitives, focal: np.ndarray, princpt: np.ndarray,
                  img_size: Tuple[int, int],
                  max_box: float) -> Tuple[np.ndarray, np.ndarray]:
    """Pixel boxes that cover the primitives' silhouettes.

    Long primitives are split into pieces along their axis (a capsule is the
    union of its sub-capsules) so the boxes stay tight.

    Returns:
        tuple: ``boxes`` (M, 4) int (x0, y0, x1, y1) inclusive, clipped to
        the image, and ``owner`` (M,) index of the primitive of each box.
    """
    w, h = img_size
    fx, fy = focal
    cx, cy = princpt
    R = prims.bound_radius
    P0, P1 = prims.center, prims.end
    zmin = np.minimum(P0[:, 2], P1[:, 2]) - R
    ok = zmin > 1.0
    zsafe = np.maximum(zmin, 1.0)
    pad = R * max(fx, fy) / zsafe + 1.0
    uv0 = P0[:, :2] / np.maximum(P0[:, 2:], 1.0) * focal + princpt
    uv1 = P1[:, :2] / np.maximum(P1[:, 2:], 1.0) * focal + princpt
    screen_len = np.linalg.norm(uv1 - uv0, axis=1)
    pieces = np.clip(
        np.ceil(screen_len / np.maximum(max_box, 2 * pad)), 1,
        32).astype(np.int64)
    pieces[~ok] = 0
    owner = np.repeat(np.arange(len(R)), pieces)
    k = np.arange(owner.size) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    n = pieces[owner]
    t0 = (k / n)[:, None]
    t1 = ((k + 1) / n)[:, None]
    a = P0[owner] + (P1[owner] - P0[owner]) * t0
    b = P0[owner] + (P1[owner] - P0[owner]) * t1
    ua = a[:, :2] / a[:, 2:] * focal + princpt
    ub = b[:, :2] / b[:, 2:] * focal + princpt
    p = pad[owner][:, None]
    lo = np.floor(np.minimum(ua, ub) - p)
    hi = np.ceil(np.maximum(ua, ub) + p)
    lo[:, 0] = np.clip(lo[:, 0], 0, w - 1)
    hi[:, 0] = np.clip(hi[:, 0], -1, w - 1)
    lo[:, 1] = np.clip(lo[:, 1], 0, h - 1)
    hi[:, 1] = np.clip(hi[:, 1], -1, h - 1)
    boxes = np.concatenate([lo, hi], axis=1).astype(np.int64)
    keep = (boxes[:, 2] >= boxes[:, 0]) & (boxes[:, 3] >= boxes[:, 1])
    return boxes[keep], owner[keep]


def rasterize_primitives(
        prims: Primitives,
        focal: Sequence[float],
        princpt: Sequence[float],
        img_size: Tuple[int, int],
        max_box: float = 24.) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ray-cast primitives (camera coordinates, mm) into a z-buffer.

    Args:
        prims (Primitives): The primitives.
        focal (Sequence[float]): (fx, fy), px.
        princpt (Sequence[float]): (cx, cy), px.
        img_size (tuple[int, int]): (W, H), px.
        max_box (float): Target side (px) of the boxes long primitives are
            split into.

    Returns:
        tuple:
        - depth (np.ndarray): (H, W) float32, camera z (mm), 0 = background.
        - part (np.ndarray): (H, W) int16, part id, -1 = background.
        - normal (np.ndarray): (H, W, 3) float32, unit surface normal in
          camera coordinates (zeros on the background).
    """
    w, h = img_size
    focal = np.asarray(focal, np.float64)
    princpt = np.asarray(princpt, np.float64)
    depth = np.zeros((h, w), np.float32)
    part_map = np.full((h, w), -1, np.int16)
    normal_map = np.zeros((h, w, 3), np.float32)
    if len(prims.part) == 0:
        return depth, part_map, normal_map
    boxes, owner = _screen_boxes(prims, focal, princpt, img_size, max_box)
    if len(owner) == 0:
        return depth, part_map, normal_map
    bw = boxes[:, 2] - boxes[:, 0] + 1
    counts = bw * (boxes[:, 3] - boxes[:, 1] + 1)
    total = int(counts.sum())
    box_id = np.repeat(np.arange(len(owner)), counts)
    local = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    bw_rep = bw[box_id]
    py = (boxes[box_id, 1] + local // bw_rep).astype(np.int32)
    px = (boxes[box_id, 0] + local % bw_rep).astype(np.int32)
    # per primitive: ray direction in canonical space d' = A d with
    # d = ((u - cx) / fx, (v - cy) / fy, 1) is affine in (u, v)
    A = prims.A
    coef_u = A[:, :, 0] / focal[0]
    coef_v = A[:, :, 1] / focal[1]
    coef_c = A[:, :, 2] - A[:, :, 0] * princpt[0] / focal[0] - \
        A[:, :, 1] * princpt[1] / focal[1]
    origin = -np.einsum('nij,nj->ni', A, prims.center)  # o' = A (0 - c)
    f32 = np.float32
    per_prim = np.concatenate(
        [coef_u, coef_v, coef_c, origin, prims.height[:, None]],
        axis=1).astype(f32)  # (N, 13)
    q = per_prim[owner][box_id]  # (P, 13)
    u = px.astype(f32)
    v = py.astype(f32)
    dx = q[:, 0] * u + q[:, 3] * v + q[:, 6]
    dy = q[:, 1] * u + q[:, 4] * v + q[:, 7]
    dz = q[:, 2] * u + q[:, 5] * v + q[:, 8]
    ox, oy, oz, hh = q[:, 9], q[:, 10], q[:, 11], q[:, 12]
    # infinite cylinder x^2 + z^2 = 1
    a = dx * dx + dz * dz
    b = ox * dx + oz * dz
    c = ox * ox + oz * oz - 1
    disc = b * b - a * c
    hit = disc >= 0
    sq = np.sqrt(np.maximum(disc, 0))
    t = (-b - sq) / np.maximum(a, 1e-12)
    y = oy + t * dy
    body = hit & (y >= 0) & (y <= hh)
    # end caps: unit spheres at y = 0 or y = h
    yc = np.where(y < 0, f32(0), hh)
    ocy = oy - yc
    a2 = dx * dx + dy * dy + dz * dz
    b2 = ox * dx + ocy * dy + oz * dz
    c2 = ox * ox + ocy * ocy + oz * oz - 1
    disc2 = b2 * b2 - a2 * c2
    t_cap = (-b2 - np.sqrt(np.maximum(disc2, 0))) / a2
    t = np.where(body, t, t_cap)
    hit &= (body | (disc2 >= 0)) & (t > 0)
    idx = np.flatnonzero(hit)
    t = t[idx]
    pix = py[idx].astype(np.int64) * w + px[idx]
    zbuf = np.full(h * w, np.inf, f32)
    np.minimum.at(zbuf, pix, t)
    win = t <= zbuf[pix]
    idx, t, pix = idx[win], t[win], pix[win]
    # normals of the winners: p' - closest point on the segment, then A^T
    px_ = ox[idx] + t * dx[idx]
    py_ = oy[idx] + t * dy[idx]
    pz_ = oz[idx] + t * dz[idx]
    py_ = py_ - np.clip(py_, 0, hh[idx])
    prim = owner[box_id[idx]]
    At = A[prim].astype(f32)
    n = (
        At[:, 0, :] * px_[:, None] + At[:, 1, :] * py_[:, None] +
        At[:, 2, :] * pz_[:, None])
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
    zbuf[~np.isfinite(zbuf)] = 0
    depth = zbuf.reshape(h, w)
    part_map.reshape(-1)[pix] = prims.part[prim]
    normal_map.reshape(-1, 3)[pix] = n
    return depth, part_map, normal_map


def sample_skin_tone(rng: np.random.Generator) -> np.ndarray:
    """A random skin albedo, shape (3,), BGR in [0, 1]."""
    k = rng.uniform(0, len(_SKIN_TONES) - 1)
    i = int(k)
    tone = _SKIN_TONES[i] + (k - i) * (
        _SKIN_TONES[min(i + 1, 7)] - _SKIN_TONES[i])
    tone = tone * rng.uniform(0.9, 1.1, 3)
    return np.clip(tone / 255., 0.05, 1.0)


def shade(
    depth: np.ndarray,
    part: np.ndarray,
    normal: np.ndarray,
    albedo: np.ndarray,
    background: np.ndarray,
    focal: Sequence[float],
    princpt: Sequence[float],
    light_dir: np.ndarray,
    ambient: float = 0.35,
    diffuse: float = 0.75,
    specular: float = 0.12,
    shininess: float = 12.,
    light_color: Sequence[float] = (1., 1., 1.)
) -> np.ndarray:
    """Lambertian + ambient (+ weak Blinn-Phong) shading over a background.

    Args:
        depth (np.ndarray): (H, W) mm, 0 = background.
        part (np.ndarray): (H, W) int part ids (-1 background).
        normal (np.ndarray): (H, W, 3) unit normals, camera coordinates.
        albedo (np.ndarray): (num_parts, 3) BGR albedo in [0, 1] indexed by
            part id.
        background (np.ndarray): (H, W, 3) uint8 BGR.
        focal (Sequence[float]): (fx, fy), px.
        princpt (Sequence[float]): (cx, cy), px.
        light_dir (np.ndarray): (3,) unit vector from the surface towards
            the light, camera coordinates.
        ambient (float): Ambient term.
        diffuse (float): Lambertian term.
        specular (float): Specular term.
        shininess (float): Blinn-Phong exponent.
        light_color (Sequence[float]): BGR light colour multipliers.

    Returns:
        np.ndarray: (H, W, 3) uint8 BGR image.
    """
    img = background.astype(np.float32)
    ys, xs = np.nonzero(depth > 0)
    if len(ys) == 0:
        return background.copy()
    n = normal[ys, xs]
    view = np.stack([(princpt[0] - xs) / focal[0],
                     (princpt[1] - ys) / focal[1], -np.ones(len(xs))],
                    axis=1)
    view /= np.linalg.norm(view, axis=1, keepdims=True)
    ln = np.asarray(light_dir, np.float64)
    lam = np.maximum(n @ ln, 0)
    nv = np.clip(np.sum(n * view, axis=1), 0, 1)
    half = view + ln[None]
    half /= np.maximum(np.linalg.norm(half, axis=1, keepdims=True), 1e-9)
    spec = specular * np.maximum(np.sum(n * half, axis=1), 0)**shininess
    # darker towards silhouettes (soft occlusion cue between same-tone hands)
    rim = 0.55 + 0.45 * nv
    col = albedo[part[ys, xs]] * ((ambient + diffuse * lam) * rim)[:, None]
    col = (col + spec[:, None]) * np.asarray(light_color)[None]
    img[ys, xs] = np.clip(col * 255., 0, 255)
    return img.astype(np.uint8)


def _low_freq_noise(rng: np.random.Generator, w: int, h: int,
                    cells: int) -> np.ndarray:
    """Smooth noise in [0, 1], shape (h, w)."""
    g = rng.random((cells, cells)).astype(np.float32)
    return cv2.resize(g, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def random_background(rng: np.random.Generator,
                      img_size: Tuple[int, int],
                      kind: Optional[str] = None) -> np.ndarray:
    """A random background image.

    Args:
        rng (np.random.Generator): Random generator.
        img_size (tuple[int, int]): (W, H), px.
        kind (str, optional): One of ``'gradient'``, ``'noise'``,
            ``'blobs'``, ``'texture'``, ``'dome'``; random if None.

    Returns:
        np.ndarray: (H, W, 3) uint8 BGR.
    """
    w, h = img_size
    kinds = ('gradient', 'noise', 'blobs', 'texture', 'dome')
    if kind is None:
        kind = kinds[rng.choice(5, p=[0.15, 0.2, 0.2, 0.15, 0.3])]
    c0 = rng.uniform(0, 255, 3)
    c1 = rng.uniform(0, 255, 3)
    if kind == 'gradient':
        ang = rng.uniform(0, 2 * np.pi)
        xs = np.linspace(-0.5, 0.5, w, dtype=np.float32)
        ys = np.linspace(-0.5, 0.5, h, dtype=np.float32)
        s = (np.cos(ang) * xs[None] + np.sin(ang) * ys[:, None]) + 0.5
        img = c0[None, None] + s[..., None] * (c1 - c0)[None, None]
    elif kind == 'noise':
        n = _low_freq_noise(rng, w, h, int(rng.integers(3, 24)))
        img = c0[None, None] + n[..., None] * (c1 - c0)[None, None]
        img += (_low_freq_noise(rng, w, h, int(rng.integers(24, 64))) -
                0.5)[..., None] * rng.uniform(0, 80)
    elif kind == 'blobs':
        img = np.empty((h, w, 3), np.float32)
        img[:] = c0
        for _ in range(int(rng.integers(3, 15))):
            center = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            axes = (int(rng.integers(5, max(6, w // 2))),
                    int(rng.integers(5, max(6, h // 2))))
            cv2.ellipse(img, center, axes, float(rng.uniform(0, 180)), 0, 360,
                        rng.uniform(0, 255, 3).tolist(), -1)
        img = cv2.GaussianBlur(img, (0, 0), float(rng.uniform(1, 6)))
    elif kind == 'texture':
        ang = rng.uniform(0, np.pi)
        period = rng.uniform(4, 40)
        xs = np.arange(w, dtype=np.float32)
        ys = np.arange(h, dtype=np.float32)
        p1 = np.cos(ang) * xs[None] + np.sin(ang) * ys[:, None]
        p2 = -np.sin(ang) * xs[None] + np.cos(ang) * ys[:, None]
        s = 0.5 + 0.5 * np.sin(2 * np.pi * p1 / period)
        if rng.random() < 0.6:  # plaid / checker
            s = 0.5 * s + 0.5 * (0.5 +
                                 0.5 * np.sin(2 * np.pi * p2 /
                                              (period * rng.uniform(0.5, 2))))
        if rng.random() < 0.5:
            s = (s > 0.5).astype(np.float32)
        img = c0[None, None] + s[..., None] * (c1 - c0)[None, None]
    else:  # dark capture dome with point lights, optionally a torso
        img = np.empty((h, w, 3), np.float32)
        img[:] = rng.uniform(0, 25, 3)
        if rng.random() < 0.6:
            shirt = rng.uniform(10, 160, 3)
            x0 = int(rng.uniform(-0.3, 0.6) * w)
            cv2.rectangle(img, (x0, int(rng.uniform(-0.2, 0.4) * h)),
                          (x0 + int(rng.uniform(0.4, 1.0) * w), h + 10),
                          shirt.tolist(), -1)
        lights = np.zeros((h, w), np.float32)
        for _ in range(int(rng.integers(3, 20))):
            cv2.circle(lights,
                       (int(rng.integers(0, w)), int(rng.integers(0, h))),
                       int(rng.integers(1, 4)), 1.0, -1)
        glow = cv2.GaussianBlur(lights, (0, 0), 2.5) * 3 + lights
        img += np.clip(glow, 0, 1)[..., None] * 255
    img += rng.normal(0, rng.uniform(0, 6), (1, 1, 1)).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


class HandRenderer:
    """Render one or two hands seen by a pinhole camera.

    Args:
        img_size (tuple[int, int]): (W, H) of the images, px.
        forearm_prob (float): Probability that a hand has a forearm.
        forearm_length (tuple[float, float]): Forearm length range, mm.
        sleeve_prob (float): Probability that a forearm wears a sleeve.
        gray_prob (float): Probability of a grayscale image (InterHand2.6M
            has monochrome cameras).
        noise_std (tuple[float, float]): Range of the std of additive
            Gaussian pixel noise.
        blur_sigma (tuple[float, float]): Range of a Gaussian blur sigma
            (px); values below 0.3 mean no blur.
    """

    def __init__(self,
                 img_size: Tuple[int, int] = (256, 256),
                 forearm_prob: float = 0.9,
                 forearm_length: Tuple[float, float] = (120., 300.),
                 sleeve_prob: float = 0.3,
                 gray_prob: float = 0.2,
                 noise_std: Tuple[float, float] = (0., 5.),
                 blur_sigma: Tuple[float, float] = (0., 0.9)):
        self.img_size = tuple(int(s) for s in img_size)
        self.forearm_prob = forearm_prob
        self.forearm_length = forearm_length
        self.sleeve_prob = sleeve_prob
        self.gray_prob = gray_prob
        self.noise_std = noise_std
        self.blur_sigma = blur_sigma

    def build_primitives(self, rng: np.random.Generator, sample: TwoHandSample,
                         camera: PinholeCamera) -> Primitives:
        """Primitives of all present hands in camera coordinates."""
        joints_cam = camera.world_to_cam(sample.joints)
        prims = []
        for k in range(2):
            if not sample.present[k]:
                continue
            fdir = None
            length = rng.uniform(*self.forearm_length)
            sleeve = None
            if rng.random() < self.forearm_prob:
                fdir = sample.forearm_dirs[k] @ camera.camrot.T
                if rng.random() < self.sleeve_prob:
                    sleeve = rng.uniform(40., 160.)
            prims.append(
                build_hand_primitives(joints_cam[21 * k:21 * k + 21],
                                      sample.shapes[k], k, fdir, length,
                                      sleeve))
        return Primitives.concatenate(prims)

    def render(self,
               rng: np.random.Generator,
               sample: TwoHandSample,
               camera: PinholeCamera,
               skin_tones: Optional[List[np.ndarray]] = None,
               background: Optional[np.ndarray] = None,
               light_dir: Optional[np.ndarray] = None,
               photometric: bool = True) -> RenderResult:
        """Render the hands of ``sample`` seen by ``camera``.

        Args:
            rng (np.random.Generator): Random generator (forearms, colours,
                light, background, noise).
            sample (TwoHandSample): Hands in world coordinates (mm).
            camera (PinholeCamera): The camera.
            skin_tones (list[np.ndarray], optional): (right, left) BGR albedo
                in [0, 1]; random if None.
            background (np.ndarray, optional): (H, W, 3) uint8 BGR; random
                if None.
            light_dir (np.ndarray, optional): (3,) unit vector towards the
                light in camera coordinates; random if None.
            photometric (bool): Apply random brightness/contrast, grayscale,
                blur and noise. Default: True.

        Returns:
            RenderResult: Image, depth (mm), mask, part map and joints.
        """
        w, h = self.img_size
        prims = self.build_primitives(rng, sample, camera)
        depth, part, normal = rasterize_primitives(prims, camera.focal,
                                                   camera.princpt,
                                                   self.img_size)
        if skin_tones is None:
            tone = sample_skin_tone(rng)
            skin_tones = [
                np.clip(tone * rng.uniform(0.93, 1.07, 3), 0, 1)
                for _ in range(2)
            ]
        albedo = np.zeros((2 * PARTS_PER_HAND, 3))
        for k in range(2):
            sl = slice(k * PARTS_PER_HAND, (k + 1) * PARTS_PER_HAND)
            albedo[sl] = skin_tones[k]
            albedo[k * PARTS_PER_HAND + PART_SLEEVE] = rng.uniform(
                0.05, 0.9, 3)
        if background is None:
            background = random_background(rng, self.img_size)
        if light_dir is None:
            light_dir = rng.normal(size=3)
            light_dir[2] = -abs(light_dir[2]) - 0.5  # from the camera side
            light_dir /= np.linalg.norm(light_dir)
        if photometric:
            ambient = rng.uniform(0.2, 0.5)
            diffuse = rng.uniform(0.5, 0.9)
            spec = rng.uniform(0.0, 0.2)
            light_color = rng.uniform(0.85, 1.15, 3)
        else:
            ambient, diffuse, spec, light_color = 0.35, 0.75, 0.1, (1, 1, 1)
        image = shade(
            depth,
            part,
            normal,
            albedo,
            background,
            camera.focal,
            camera.princpt,
            light_dir,
            ambient,
            diffuse,
            spec,
            light_color=light_color)
        if photometric:
            image = self._photometric(rng, image)
        mask = np.zeros((h, w), np.uint8)
        fg = part >= 0
        local = part % PARTS_PER_HAND
        hand = part // PARTS_PER_HAND
        arm = local >= PART_FOREARM
        mask[fg & ~arm] = (hand[fg & ~arm] + 1).astype(np.uint8)
        mask[fg & arm] = (hand[fg & arm] + 3).astype(np.uint8)
        joints_cam = camera.world_to_cam(sample.joints)
        with np.errstate(invalid='ignore'):
            joints_img = camera.cam_to_pixel(joints_cam)
        return RenderResult(
            image=image,
            depth=depth,
            mask=mask,
            part=part,
            joints_cam=joints_cam,
            joints_img=joints_img)

    def _photometric(self, rng: np.random.Generator,
                     image: np.ndarray) -> np.ndarray:
        """Brightness/contrast, grayscale, blur and noise."""
        img = image.astype(np.float32)
        gain = rng.uniform(0.7, 1.3)
        bias = rng.uniform(-20, 20)
        img = img * gain + bias
        if rng.random() < self.gray_prob:
            g = img @ np.array([0.114, 0.587, 0.299], np.float32)
            img = np.repeat(g[..., None], 3, axis=2)
        sigma = rng.uniform(*self.blur_sigma)
        if sigma >= 0.3:
            img = cv2.GaussianBlur(img, (0, 0), sigma)
        std = rng.uniform(*self.noise_std)
        if std > 0.5:
            img += rng.normal(0, std, img.shape[:2] + (1, )).astype(np.float32)
        return np.clip(img + 0.5, 0, 255).astype(np.uint8)
