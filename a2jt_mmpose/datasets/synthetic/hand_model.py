# Copyright (c) a2jt_mmpose contributors. All rights reserved.
"""An articulated kinematic hand model in the InterHand2.6M joint order.

Per hand, 21 joints (InterHand2.6M / mmpose ``interhand3d`` order)::

    0 thumb4 (tip)   1 thumb3 (IP)    2 thumb2 (MCP)   3 thumb1 (CMC)
    4 index4 (tip)   5 index3 (DIP)   6 index2 (PIP)   7 index1 (MCP)
    8 middle4 ...   11 middle1        12 ring4 ...    15 ring1
   16 pinky4 ...    19 pinky1         20 wrist

A two-hand array is the right hand (0-20) followed by the left hand (21-41);
the roots (wrists) are 20 and 41.

Hand-local frame of a right hand: origin at the wrist, ``+y`` towards the
middle-finger MCP, ``+x`` towards the thumb (radial side), ``+z`` out of the
palm (volar side). Flexion bends fingers towards ``+z``. A left hand is the
mirror image (``x -> -x``) of a right hand. All lengths are in mm, all angles
in radians unless a name says ``_deg``.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np

__all__ = [
    'NUM_HAND_JOINTS', 'NUM_JOINTS', 'ROOT_JOINTS', 'HAND_JOINT_NAMES',
    'INTERHAND_JOINT_NAMES', 'HAND_PARENTS', 'FINGER_CHAINS',
    'BONE_LENGTH_RANGES', 'BONE_RADII', 'JOINT_LIMITS_DEG', 'SCALE_RANGE',
    'HandShape', 'HandPose', 'TwoHandSample', 'sample_hand_shape',
    'sample_hand_pose', 'forward_kinematics', 'mirror_to_left',
    'random_rotation', 'sample_hands', 'bone_lengths', 'forearm_direction',
    'INTERACTION_MODES', 'FACING_INTERACTION_MODES', 'GESTURES'
]

NUM_HAND_JOINTS = 21
NUM_JOINTS = 42
ROOT_JOINTS = (20, 41)

HAND_JOINT_NAMES = (
    'thumb4', 'thumb3', 'thumb2', 'thumb1',
    'forefinger4', 'forefinger3', 'forefinger2', 'forefinger1',
    'middle_finger4', 'middle_finger3', 'middle_finger2', 'middle_finger1',
    'ring_finger4', 'ring_finger3', 'ring_finger2', 'ring_finger1',
    'pinky_finger4', 'pinky_finger3', 'pinky_finger2', 'pinky_finger1',
    'wrist')  # yapf: disable
# Same names as mmpose's configs/_base_/datasets/interhand3d.py
INTERHAND_JOINT_NAMES = tuple(f'right_{n}' for n in HAND_JOINT_NAMES) + \
    tuple(f'left_{n}' for n in HAND_JOINT_NAMES)

#: Joints of each finger from the base (CMC / MCP) to the tip;
#: order thumb, index, middle, ring, pinky.
FINGER_CHAINS = ((3, 2, 1, 0), (7, 6, 5, 4), (11, 10, 9, 8), (15, 14, 13, 12),
                 (19, 18, 17, 16))

#: Parent of each joint of one hand (-1 for the wrist).
HAND_PARENTS = np.array(
    [1, 2, 3, 20, 5, 6, 7, 20, 9, 10, 11, 20, 13, 14, 15, 20, 17, 18, 19, 20,
     -1])  # yapf: disable

#: Length (mm) of the bone from ``HAND_PARENTS[j]`` to joint ``j`` for a hand
#: of scale 1, shape (20, 2) = (min, max). Adult ranges (InterHand2.6M
#: annotations measure e.g. wrist->index MCP 86-92 mm, index proximal
#: phalanx 39-44 mm); a subject's lengths are further multiplied by its
#: scale in ``SCALE_RANGE``.
BONE_LENGTH_RANGES = np.array([
    [24., 31.],
    [27., 34.],
    [35., 44.],
    [32., 42.],  # thumb tip..CMC
    [19., 24.],
    [22., 27.],
    [38., 45.],
    [80., 90.],  # index
    [20., 25.],
    [25., 31.],
    [40., 48.],
    [79., 89.],  # middle
    [20., 25.],
    [24., 30.],
    [37., 45.],
    [76., 86.],  # ring
    [17., 22.],
    [17., 22.],
    [28., 36.],
    [70., 82.],  # pinky
])

#: Radius (mm, scale 1) of the limb from ``HAND_PARENTS[j]`` to ``j``; the
#: wrist->MCP entries (7, 11, 15, 19) are unused (the palm is a volume).
BONE_RADII = np.array([
    8.8, 9.8, 11.2, 12.0,
    7.6, 8.4, 9.5, 0.,
    7.8, 8.7, 9.9, 0.,
    7.4, 8.3, 9.4, 0.,
    6.6, 7.3, 8.3, 0.,
])  # yapf: disable

#: Per-subject scale of all lengths and radii.
SCALE_RANGE = (0.85, 1.15)

#: Joint limits in degrees, shape (5 fingers, 4 DOF, 2 = (min, max)).
#: Fingers (index..pinky): [MCP abduction (+ = towards the thumb),
#: MCP flexion, PIP flexion, DIP flexion]. Thumb: [CMC abduction
#: (+ = away from the index), CMC flexion (across the palm), MCP flexion,
#: IP flexion]. Negative flexion is hyper-extension.
JOINT_LIMITS_DEG = np.array([
    [[-20., 30.], [-20., 55.], [-5., 60.], [-15., 80.]],  # thumb
    [[-12., 20.], [-20., 90.], [0., 110.], [-5., 80.]],  # index
    [[-10., 10.], [-20., 90.], [0., 110.], [-5., 80.]],  # middle
    [[-12., 8.], [-20., 90.], [0., 110.], [-5., 80.]],  # ring
    [[-25., 8.], [-20., 90.], [0., 110.], [-5., 80.]],  # pinky
])

# Rest layout of one right hand at scale 1 (directions, unit-free).
# Angle of each wrist->MCP ray in the palm plane, from +y towards +x (deg),
# and its out-of-plane component (+ = volar, the palm's transverse arch).
_MCP_ANGLES_DEG = np.array([16., 3., -9., -21.])
_MCP_ARCH = np.array([0.04, 0.0, 0.03, 0.08])
# wrist -> thumb CMC direction
_THUMB_CMC_DIR = np.array([0.72, 0.58, 0.38])
# thumb metacarpal rest direction and its flexion direction (across palm)
_THUMB_FWD = np.array([0.62, 0.70, 0.36])
_THUMB_FLEX = np.array([-0.45, 0.05, 0.89])


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


@dataclass
class HandShape:
    """Subject-specific hand shape (shared by both hands of a subject).

    Attributes:
        scale (float): Overall scale, in ``SCALE_RANGE``.
        bone_lengths (np.ndarray): Shape (20,), mm; entry ``j`` is the length
            from ``HAND_PARENTS[j]`` to joint ``j`` (scale included).
        bone_radii (np.ndarray): Shape (20,), mm; limb radius of bone ``j``.
        palm_half_thickness (float): Half thickness of the palm, mm.
        forearm_radii (tuple[float, float]): Forearm half width and half
            thickness at the wrist, mm.
    """
    scale: float
    bone_lengths: np.ndarray
    bone_radii: np.ndarray
    palm_half_thickness: float
    forearm_radii: Tuple[float, float]


@dataclass
class HandPose:
    """Articulation of one hand (as a right hand; mirrored for the left).

    Attributes:
        angles (np.ndarray): Shape (5, 4), radians; rows thumb, index,
            middle, ring, pinky; columns as in ``JOINT_LIMITS_DEG``.
        palm_cup (float): Flexion of the ring/pinky metacarpals that cups
            the palm, radians (0 = flat).
        wrist_angles (np.ndarray): Shape (2,), radians; wrist flexion and
            radial deviation of the hand relative to the forearm.
    """
    angles: np.ndarray
    palm_cup: float = 0.
    wrist_angles: np.ndarray = None


@dataclass
class TwoHandSample:
    """Joint positions of the hands in one frame.

    Attributes:
        joints (np.ndarray): Shape (42, 3), world mm; right hand 0-20, left
            hand 21-41. Rows of absent hands are NaN.
        present (np.ndarray): Shape (2,), bool; (right, left) present.
        forearm_dirs (np.ndarray): Shape (2, 3); unit direction from each
            wrist towards its elbow (world), NaN for absent hands.
        hand_type (str): ``'right'``, ``'left'`` or ``'interacting'``.
        shapes (list[HandShape]): (right, left) shapes.
        mode (str): How the hands were arranged (``'single'``, ``'side'``,
            ``'palm_to_palm'``, ``'stacked'``, ``'crossed'``, ``'random'``).
    """
    joints: np.ndarray
    present: np.ndarray
    forearm_dirs: np.ndarray
    hand_type: str
    shapes: List[HandShape]
    mode: str


def sample_hand_shape(
        rng: np.random.Generator,
        scale_range: Tuple[float, float] = SCALE_RANGE) -> HandShape:
    """Sample a subject's hand shape.

    Bone lengths are drawn inside ``BONE_LENGTH_RANGES`` around a common
    per-subject proportion, then multiplied by the subject scale.

    Args:
        rng (np.random.Generator): Random generator.
        scale_range (tuple[float, float]): Range of the overall scale.

    Returns:
        HandShape: The sampled shape.
    """
    scale = rng.uniform(*scale_range)
    u = np.clip(rng.uniform(0.2, 0.8) + rng.normal(0., 0.18, 20), 0., 1.)
    lo, hi = BONE_LENGTH_RANGES[:, 0], BONE_LENGTH_RANGES[:, 1]
    lengths = (lo + u * (hi - lo)) * scale
    radii = BONE_RADII * rng.uniform(0.92, 1.08) * scale
    palm = rng.uniform(11.5, 14.0) * scale
    forearm = (rng.uniform(25., 30.) * scale, rng.uniform(17., 20.) * scale)
    return HandShape(
        scale=float(scale),
        bone_lengths=lengths,
        bone_radii=radii,
        palm_half_thickness=float(palm),
        forearm_radii=forearm)


#: Gestures of the kind InterHand2.6M is recorded as (its sequences are
#: named after them: ``fake_gun``, ``thumb_up``, ``okay``, ``four_count``,
#: ...). Each is ``(curls, spread, thumb_abduction, thumb_flexion)``:
#: the flexion level of the thumb, index, middle, ring and little finger in
#: [0, 1] (0 straight, 1 the flexion limits), the spread of the fingers in
#: [-0.3, 1] (negative: pressed together) and the thumb's CMC abduction and
#: flexion as fractions of their ranges in :data:`JOINT_LIMITS_DEG`.
GESTURES: Dict[str, tuple] = {
    'neutral_relaxed': ((0.2, 0.25, 0.3, 0.35, 0.4), 0.3, 0.6, 0.3),
    'five_spread': ((0.0, 0.0, 0.0, 0.0, 0.0), 0.9, 0.9, 0.1),
    'flat_closed': ((0.05, 0.0, 0.0, 0.0, 0.0), -0.2, 0.3, 0.2),
    'fist': ((0.7, 1.0, 1.0, 1.0, 1.0), 0.0, 0.3, 0.9),
    'index_point': ((0.8, 0.0, 1.0, 1.0, 1.0), 0.2, 0.3, 0.8),
    'peace': ((0.8, 0.0, 0.0, 1.0, 1.0), 0.9, 0.3, 0.8),
    'three_count': ((0.8, 0.0, 0.0, 0.0, 1.0), 0.6, 0.3, 0.8),
    'four_count': ((0.9, 0.0, 0.0, 0.0, 0.0), 0.6, 0.1, 0.9),
    'thumb_up': ((0.0, 1.0, 1.0, 1.0, 1.0), 0.0, 0.8, 0.0),
    'okay': ((0.5, 0.6, 0.0, 0.0, 0.0), 0.5, 0.6, 0.6),
    'pinch': ((0.5, 0.55, 0.9, 1.0, 1.0), 0.0, 0.6, 0.6),
    'claw': ((0.5, 0.55, 0.55, 0.55, 0.55), 0.8, 0.7, 0.4),
    'rocker': ((0.8, 0.0, 1.0, 1.0, 0.0), 0.7, 0.3, 0.8),
    'call_me': ((0.0, 1.0, 1.0, 1.0, 0.0), 0.5, 0.9, 0.0),
    'fake_gun': ((0.0, 0.0, 0.0, 1.0, 1.0), 0.2, 0.9, 0.0),
    'cup': ((0.3, 0.35, 0.35, 0.35, 0.35), -0.1, 0.5, 0.5),
}


def sample_hand_pose(rng: np.random.Generator,
                     gesture: Optional[str] = None,
                     gesture_jitter: float = 0.08) -> HandPose:
    """Sample an articulation inside ``JOINT_LIMITS_DEG``.

    Without ``gesture``: a per-hand curl level is shared by the fingers
    (open hands, fists and everything in between), each finger deviates from
    it or is set independently (pointing, pinching, counting gestures).
    With ``gesture`` (a key of :data:`GESTURES`): that gesture's finger
    curls, spread and thumb setting, each perturbed by ``N(0,
    gesture_jitter)`` (the variation of one gesture across frames and
    subjects). In both cases DIP flexion is coupled to PIP flexion and
    abduction decreases as fingers flex.

    Args:
        rng (np.random.Generator): Random generator.
        gesture (str, optional): Name of a gesture of :data:`GESTURES`.
        gesture_jitter (float): Std of the perturbation of a gesture's
            curls, spread and thumb fractions (units of their [0, 1] ranges).

    Returns:
        HandPose: Angles within the limits.
    """
    lim = np.deg2rad(JOINT_LIMITS_DEG)
    lo, hi = lim[..., 0], lim[..., 1]
    if gesture is None:
        curl = rng.choice([0.0, rng.uniform(0, 1), 1.0], p=[0.2, 0.65, 0.15])
        finger_curl = np.clip(curl + rng.normal(0, 0.2, 5), 0, 1)
        indep = rng.random(5) < 0.3
        finger_curl[indep] = rng.random(indep.sum())
    else:
        if gesture not in GESTURES:
            raise ValueError(f'unknown gesture {gesture!r}; known: '
                             f'{sorted(GESTURES)}')
        curls, g_spread, g_thumb_abd, g_thumb_flex = GESTURES[gesture]
        finger_curl = np.clip(
            np.asarray(curls) + rng.normal(0, gesture_jitter, 5), 0, 1)
        curl = float(np.mean(finger_curl[1:]))
    angles = np.empty((5, 4))
    # flexion DOF: map curl in [0, 1] to [0, max] (+ some hyper-extension)
    jitter_std = 0.12 if gesture is None else gesture_jitter / 2
    for k in range(1, 4):
        jitter = rng.normal(0, jitter_std, 5)
        c = np.clip(finger_curl + jitter, -0.15, 1.0)
        angles[:, k] = np.where(c >= 0, c * hi[:, k], -c / 0.15 * lo[:, k])
    # DIP follows PIP (about 2/3 of it)
    angles[1:, 3] = np.clip(
        angles[1:, 2] * rng.uniform(0.5, 0.85, 4) + rng.normal(0, 0.08, 4),
        lo[1:, 3], hi[1:, 3])
    # abduction: spread shared by fingers, reduced with flexion
    if gesture is None:
        spread = rng.uniform(-0.3, 1.0)
    else:
        spread = float(
            np.clip(g_spread + rng.normal(0, gesture_jitter), -0.3, 1.0))
    abd = np.where(spread >= 0, spread * hi[:, 0], -spread * lo[:, 0])
    abd[[3, 4]] = np.where(spread >= 0, spread * lo[[3, 4], 0],
                           -spread * hi[[3, 4], 0])
    abd[2] = rng.uniform(lo[2, 0], hi[2, 0]) * 0.5
    abd += rng.normal(0, np.deg2rad(3), 5)
    abd[1:] *= 1.0 - 0.6 * np.clip(finger_curl[1:], 0, 1)
    angles[:, 0] = abd
    # thumb: abduction / flexion of the CMC joint
    if gesture is None:
        angles[0, 0] = rng.uniform(lo[0, 0], hi[0, 0])
        angles[0, 1] = rng.uniform(lo[0, 1], hi[0, 1])
    else:
        frac = np.clip(
            np.array([g_thumb_abd, g_thumb_flex]) +
            rng.normal(0, gesture_jitter, 2), 0, 1)
        angles[0, :2] = lo[0, :2] + frac * (hi[0, :2] - lo[0, :2])
    angles = np.clip(angles, lo, hi)
    cup = rng.uniform(0, np.deg2rad(12)) * (0.5 + curl)
    wrist = np.deg2rad(np.array([rng.uniform(-45, 45), rng.uniform(-15, 20)]))
    return HandPose(angles=angles, palm_cup=float(cup), wrist_angles=wrist)


def forward_kinematics(shape: HandShape, pose: HandPose) -> np.ndarray:
    """Joint positions of a right hand in its hand-local frame.

    Each finger is a planar chain: the base joint has abduction and flexion,
    the two distal joints flex in the same plane.

    Args:
        shape (HandShape): Bone lengths (mm).
        pose (HandPose): Joint angles.

    Returns:
        np.ndarray: Shape (21, 3), mm, InterHand2.6M per-hand order, wrist at
        the origin.
    """
    L = shape.bone_lengths
    joints = np.zeros((NUM_HAND_JOINTS, 3))
    z_axis = np.array([0., 0., 1.])
    for f, chain in enumerate(FINGER_CHAINS):
        base, j1, j2, tip = chain
        if f == 0:
            base_pos = _unit(_THUMB_CMC_DIR) * L[base]
            fwd = _unit(_THUMB_FWD)
            flex = _unit(_THUMB_FLEX - np.dot(_THUMB_FLEX, fwd) * fwd)
            side = np.cross(fwd, flex)  # abduction direction
            # + abduction moves the thumb away from the index (radially)
            if side[0] < 0:
                side = -side
        else:
            ang = np.deg2rad(_MCP_ANGLES_DEG[f - 1])
            d = _unit(np.array([np.sin(ang), np.cos(ang), _MCP_ARCH[f - 1]]))
            if f >= 3:  # ring / pinky metacarpals cup the palm
                cup = pose.palm_cup * (0.5 if f == 3 else 1.0)
                d = _unit(d * np.cos(cup) + z_axis * np.sin(cup))
            base_pos = d * L[base]
            fwd = _unit(np.array([d[0] * 0.85, d[1], 0.]))
            flex = z_axis
            side = np.cross(fwd, flex)  # points to +x (radial)
        a_abd, t1, t2, t3 = pose.angles[f]
        fwd0 = np.cos(a_abd) * fwd + np.sin(a_abd) * side
        phis = np.cumsum([t1, t2, t3])
        dirs = (
            np.cos(phis)[:, None] * fwd0[None] +
            np.sin(phis)[:, None] * flex[None])
        seg = dirs * L[[j1, j2, tip]][:, None]
        joints[base] = base_pos
        joints[[j1, j2, tip]] = base_pos + np.cumsum(seg, axis=0)
    return joints


def forearm_direction(pose: HandPose) -> np.ndarray:
    """Unit direction from the wrist towards the elbow in the right-hand
    local frame, shape (3,)."""
    flex, dev = pose.wrist_angles
    d = np.array([0., -1., 0.])
    # hand flexion towards the palm = forearm direction rotates towards +z
    d = np.array([0., -np.cos(flex), np.sin(flex)])
    d = np.array([
        d[0] * np.cos(dev) - d[1] * np.sin(dev),
        d[0] * np.sin(dev) + d[1] * np.cos(dev), d[2]
    ])
    return _unit(d)


def mirror_to_left(points: np.ndarray) -> np.ndarray:
    """Mirror right-hand local points (..., 3) into a left hand (x -> -x)."""
    out = np.array(points, dtype=np.float64, copy=True)
    out[..., 0] *= -1
    return out


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    """Uniformly distributed random rotation matrix, shape (3, 3)."""
    q = rng.normal(size=4)
    q /= np.linalg.norm(q)
    return _quat_to_mat(q)


def _quat_to_mat(q: np.ndarray) -> np.ndarray:
    w, x, y, z = q
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


def _axis_angle(axis, angle: float) -> np.ndarray:
    axis = _unit(np.asarray(axis, np.float64))
    x, y, z = axis
    c, s = np.cos(angle), np.sin(angle)
    K = np.array([[0, -z, y], [z, 0, -x], [-y, x, 0]])
    return np.eye(3) + s * K + (1 - c) * K @ K


def facing_rotation(rng: np.random.Generator, camrot: np.ndarray,
                    max_tilt_deg: float,
                    max_roll_deg: float = 90.) -> np.ndarray:
    """A hand rotation whose palm faces a camera.

    In the camera frame the hand-local axes go to: fingers -> image up
    (rolled uniformly by +-``max_roll_deg`` about the optical axis), palm
    normal -> towards the camera; then a tilt of up to ``max_tilt_deg``
    about a random axis.

    Args:
        rng (np.random.Generator): Random generator.
        camrot (np.ndarray): World-to-camera rotation (3, 3).
        max_tilt_deg (float): Largest out-of-plane tilt, degrees.
        max_roll_deg (float): Largest in-plane roll, degrees.

    Returns:
        np.ndarray: Rotation (3, 3) from the hand-local frame to the world.
    """
    base = np.diag([1., -1., -1.])
    roll = _axis_angle([0, 0, 1],
                       np.deg2rad(rng.uniform(-max_roll_deg, max_roll_deg)))
    in_cam = _small_rotation(rng, max_tilt_deg) @ roll @ base
    return np.asarray(camrot, np.float64).T @ in_cam


def _small_rotation(rng: np.random.Generator, max_deg: float) -> np.ndarray:
    return _axis_angle(rng.normal(size=3), np.deg2rad(rng.uniform(0, max_deg)))


def _skeleton_points(joints: np.ndarray) -> np.ndarray:
    """Joints plus bone mid-points of one hand, shape (41, 3)."""
    child = np.arange(20)
    mids = 0.5 * (joints[child] + joints[HAND_PARENTS[child]])
    return np.concatenate([joints, mids])


#: Probabilities of the two-hand arrangements of interacting frames.
INTERACTION_MODES: Dict[str, float] = dict(
    side=0.2, palm_to_palm=0.2, stacked=0.25, crossed=0.2, random=0.15)

#: The arrangements that keep both palms facing the same way (side by side,
#: or one hand in front of the other turned in the palm plane): with
#: :func:`facing_rotation` both palms then face the camera.
FACING_INTERACTION_MODES: Dict[str, float] = dict(side=0.5, stacked=0.5)


def sample_hands(rng: np.random.Generator,
                 hand_type: str,
                 shape: HandShape,
                 center: np.ndarray,
                 shape_left: Optional[HandShape] = None,
                 min_separation: float = 18.,
                 rotation: Optional[np.ndarray] = None,
                 interaction_modes: Optional[Dict[str, float]] = None,
                 gestures: Optional[Tuple[Optional[str],
                                          Optional[str]]] = None
                 ) -> TwoHandSample:
    """Sample the hand(s) of one frame in world coordinates.

    Args:
        rng (np.random.Generator): Random generator.
        hand_type (str): ``'right'``, ``'left'`` or ``'interacting'``
            (both hands, arranged close to each other).
        shape (HandShape): Subject hand shape (right hand, and left hand
            unless ``shape_left`` is given).
        center (np.ndarray): World position (mm) of the mean of the present
            joints, shape (3,).
        shape_left (HandShape, optional): Shape of the left hand.
        min_separation (float): For interacting hands, the left hand is
            pushed away until its skeleton is at least this far (mm) from
            the right hand's skeleton (or 20 steps were taken).
        rotation (np.ndarray, optional): Global rotation (3, 3) from the
            hand-local frame (fingers +y, palm normal +z) of the right hand
            (of the single hand) to the world. Default: uniformly random.
        interaction_modes (dict, optional): Probabilities of the two-hand
            arrangements (keys of :data:`INTERACTION_MODES`). Default:
            :data:`INTERACTION_MODES`.
        gestures (tuple, optional): ``(right, left)`` gesture names of
            :data:`GESTURES` (or None for a free articulation) for
            :func:`sample_hand_pose`. Default: both free.

    Returns:
        TwoHandSample: Joints (42, 3) with NaN rows for an absent hand.
    """
    assert hand_type in ('right', 'left', 'interacting'), hand_type
    gestures = (None, None) if gestures is None else tuple(gestures)
    shape_left = shape if shape_left is None else shape_left
    present = np.array([hand_type != 'left', hand_type != 'right'])
    joints = np.full((NUM_JOINTS, 3), np.nan)
    forearms = np.full((2, 3), np.nan)
    center = np.asarray(center, np.float64)
    mode = 'single'
    if hand_type != 'interacting':
        is_left = hand_type == 'left'
        pose = sample_hand_pose(rng, gestures[int(is_left)])
        local = forward_kinematics(shape_left if is_left else shape, pose)
        fdir = forearm_direction(pose)
        if is_left:
            local, fdir = mirror_to_left(local), mirror_to_left(fdir)
        R = random_rotation(rng) if rotation is None else rotation
        world = local @ R.T
        world += center - world.mean(0)
        joints[21 * is_left:21 * is_left + 21] = world
        forearms[int(is_left)] = R @ fdir
    else:
        pose_r = sample_hand_pose(rng, gestures[0])
        pose_l = sample_hand_pose(rng, gestures[1])
        loc_r = forward_kinematics(shape, pose_r)
        loc_l = mirror_to_left(forward_kinematics(shape_left, pose_l))
        fd_r = forearm_direction(pose_r)
        fd_l = mirror_to_left(forearm_direction(pose_l))
        modes = INTERACTION_MODES if interaction_modes is None \
            else interaction_modes
        unknown = set(modes) - set(INTERACTION_MODES)
        if unknown or not modes:
            raise ValueError(f'interaction_modes: unknown {sorted(unknown)}'
                             f' (known: {list(INTERACTION_MODES)})')
        names = list(modes)
        probs = np.array([float(modes[n]) for n in names])
        mode = names[rng.choice(len(names), p=probs / probs.sum())]
        sign = rng.choice([-1., 1.])
        if mode == 'side':
            R_rel = _axis_angle([0, 1, 0], np.deg2rad(rng.uniform(
                -40, 40))) @ _small_rotation(rng, 25)
            off = np.array([
                sign * rng.uniform(50, 90),
                rng.uniform(-30, 30),
                rng.uniform(-20, 40)
            ])
        elif mode == 'palm_to_palm':
            R_rel = _axis_angle([0, 1, 0], np.pi) @ _axis_angle(
                [0, 0, 1], np.deg2rad(rng.uniform(-45, 45))) \
                @ _small_rotation(rng, 20)
            off = np.array([
                rng.uniform(-30, 30),
                rng.uniform(-30, 30),
                rng.uniform(20, 45)
            ])
        elif mode == 'stacked':
            R_rel = _axis_angle([0, 0, 1], np.deg2rad(rng.uniform(
                -100, 100))) @ _small_rotation(rng, 25)
            off = np.array([
                rng.uniform(-40, 40),
                rng.uniform(-20, 50), sign * rng.uniform(25, 60)
            ])
        elif mode == 'crossed':
            R_rel = _axis_angle([0, 0, 1], sign * np.deg2rad(
                rng.uniform(60, 120))) @ _axis_angle(
                    [0, 1, 0], rng.uniform(0, np.pi)) \
                @ _small_rotation(rng, 20)
            off = _unit(rng.normal(size=3)) * rng.uniform(30, 80)
        else:
            R_rel = random_rotation(rng)
            off = _unit(rng.normal(size=3)) * rng.uniform(50, 130)
        # the left hand's wrist goes to ``off`` in the right hand's frame,
        # shifted so the two palms (not the wrists) are close
        palm_r = loc_r[[7, 11, 15, 19, 20]].mean(0)
        palm_l = (loc_l[[7, 11, 15, 19, 20]].mean(0)) @ R_rel.T
        left = loc_l @ R_rel.T + (palm_r + off - palm_l)
        skel_r = _skeleton_points(loc_r)
        step = _unit(off) * 6.
        for _ in range(20):
            d = np.linalg.norm(
                skel_r[:, None] - _skeleton_points(left)[None], axis=-1)
            if d.min() >= min_separation:
                break
            left = left + step
        R = random_rotation(rng) if rotation is None else rotation
        both = np.concatenate([loc_r, left]) @ R.T
        both += center - both.mean(0)
        joints[:] = both
        forearms[0] = R @ fd_r
        forearms[1] = R @ (R_rel @ fd_l)
    return TwoHandSample(
        joints=joints,
        present=present,
        forearm_dirs=forearms,
        hand_type=hand_type,
        shapes=[shape, shape_left],
        mode=mode)


def bone_lengths(joints: np.ndarray) -> np.ndarray:
    """Bone lengths of one or two hands.

    Args:
        joints (np.ndarray): Shape (21, 3) or (42, 3), mm.

    Returns:
        np.ndarray: Shape (20,) or (2, 20): length of the bone from
        ``HAND_PARENTS[j]`` to joint ``j``.
    """
    joints = np.asarray(joints, np.float64)
    hands = joints.reshape(-1, NUM_HAND_JOINTS, 3)
    child = np.arange(20)
    out = np.linalg.norm(
        hands[:, child] - hands[:, HAND_PARENTS[child]], axis=-1)
    return out[0] if joints.shape[0] == NUM_HAND_JOINTS else out
