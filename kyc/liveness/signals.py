"""Per-frame signals from 68 facial landmarks (pure geometry, no models).

Landmarks follow the iBUG 300-W 68-point layout in image coordinates (x right, y down):
jaw 0-16 (0 at the image's left), eyes 36-41 and 42-47, nose tip 30, subnasale 33,
inner lips 60-67, chin 8. Eye and mouth openness are measured on whichever fit of the
face a frame has the finer lids and lips in: the 468-point face mesh (``MESH468``) where
it was run, else the 68 points (``DLIB68``); pose, yaw and the non-rigid residual always
come from the 68 points.

Every signal is made invariant to translation, scale and in-plane roll, and the eye and
mouth signals are divided by a rigid face aspect (eye line to subnasale over outer eye
corner distance): a flat photo tilted towards the camera squeezes both alike, so tilting
a print does not look like a blink.

Head pitch and yaw in degrees come from a 3-D pose fit (``cv2.solvePnP``) of the rigid
landmarks (eye corners and nose; never eyelids, brows, lips or jaw) to a generic 3-D face
(``HEAD_MODEL``): a head that looks down is a rotation of the whole rigid shape, which
drooping eyelids or an opening mouth are not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

Landmarks = npt.NDArray[np.float64]  # shape (68, 2)


@dataclass(frozen=True)
class FrameSignals:
    """What one analysed frame says; values are NaN where no face was seen."""

    t: float
    face: bool
    eye: float  # eye openness (EAR / face aspect)
    mouth: float  # mouth opening (inner-lip MAR / face aspect)
    yaw: float  # nose offset from the jaw centre / jaw width; + = nose toward image right
    pitch: float  # head pitch from the 3-D pose fit, degrees; + = looking down
    nonrigid: float  # deviation from a planar (homography) fit to the clip's mean shape
    head_yaw: float = float("nan")  # head yaw from the 3-D pose fit, degrees; + = nose right
    head_roll: float = float("nan")  # in-plane head roll from the pose fit, degrees
    eye_left: float = float("nan")  # openness of the eye on the image's left (as ``eye``)
    eye_right: float = float("nan")  # ... and on the image's right


NAN = float("nan")


def _dist(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> float:
    return float(np.hypot(*(a - b)))


@dataclass(frozen=True)
class Eye:
    """An eye's points: its two corners and pairs of upper and lower lid points."""

    outer: int
    inner: int
    upper: tuple[int, ...]
    lower: tuple[int, ...]

    @property
    def points(self) -> list[int]:
        return [self.outer, self.inner, *self.upper, *self.lower]


@dataclass(frozen=True)
class Topology:
    """Where a landmark layout keeps what the openness signals measure: the two eyes
    (the one on the image's left in a frontal, unmirrored view first), the inner lips
    (as an ``Eye``: corners, upper and lower points in pairs) and the subnasale."""

    eyes: tuple[Eye, Eye]
    lips: Eye
    subnasale: int


DLIB68 = Topology(
    eyes=(Eye(36, 39, (37, 38), (41, 40)), Eye(45, 42, (44, 43), (46, 47))),
    lips=Eye(60, 64, (61, 62, 63), (67, 66, 65)),
    subnasale=33,
)
# MediaPipe FaceMesh's topology (kyc.liveness.facemesh): the subject's right eye (33-133)
# is on the image's left, as dlib's 36-41.
MESH468 = Topology(
    eyes=(
        Eye(33, 133, (160, 159, 158), (144, 145, 153)),
        Eye(263, 362, (387, 386, 385), (373, 374, 380)),
    ),
    lips=Eye(78, 308, (82, 13, 312), (87, 14, 317)),
    subnasale=2,
)


def derolled(pts: Landmarks, topo: Topology = DLIB68) -> Landmarks:
    """Rotate landmarks about the eye midpoint so that the eye line is horizontal."""
    left = pts[topo.eyes[0].points].mean(axis=0)
    right = pts[topo.eyes[1].points].mean(axis=0)
    angle = math.atan2(right[1] - left[1], right[0] - left[0])
    c, s = math.cos(-angle), math.sin(-angle)
    rot = np.array([[c, -s], [s, c]])
    centre = (left + right) / 2
    out: Landmarks = (pts - centre) @ rot.T
    return out


def aspect(p: Landmarks, part: Eye) -> float:
    """Opening over width: the mean distance of the upper-lower point pairs over the
    corners' distance (the classic eye aspect ratio for an eye, the inner-lip ratio for
    the lips)."""
    width = _dist(p[part.outer], p[part.inner])
    if width <= 1e-9:
        return NAN
    gaps = [_dist(p[u], p[lo]) for u, lo in zip(part.upper, part.lower, strict=True)]
    return sum(gaps) / (len(gaps) * width)


def face_aspect(p: Landmarks, topo: Topology = DLIB68) -> float:
    """Rigid vertical/horizontal ratio: eye line to subnasale over outer eye corners."""
    horizontal = abs(p[topo.eyes[1].outer, 0] - p[topo.eyes[0].outer, 0])
    vertical = abs(p[topo.subnasale, 1])  # p is derolled: eye midpoint at the origin
    if horizontal <= 1e-9:
        return NAN
    return float(vertical / horizontal)


# A generic adult head (millimetres; x to the image's right, y down, z away from the
# camera; frontal pose = identity rotation), rigid landmarks only: nose bridge 27-30,
# nose base 31/33/35, outer and inner eye corners 36/39/42/45. Rounded anthropometric
# means (biocular width 90 mm, intercanthal 32 mm, nose tip ~38 mm in front of the outer
# eye corners). Only pose *changes* against the subject's own baseline are used, so the
# model need not fit any one face exactly.
HEAD_POINTS = (27, 28, 29, 30, 31, 33, 35, 36, 39, 42, 45)
HEAD_MODEL: npt.NDArray[np.float64] = np.array(
    [
        (0.0, -5.0, -18.0),
        (0.0, 7.0, -24.0),
        (0.0, 19.0, -31.0),
        (0.0, 31.0, -38.0),
        (-16.0, 38.0, -17.0),
        (0.0, 43.0, -24.0),
        (16.0, 38.0, -17.0),
        (-45.0, 0.0, 0.0),
        (-16.0, 0.0, -12.0),
        (16.0, 0.0, -12.0),
        (45.0, 0.0, 0.0),
    ],
    dtype=np.float64,
)
_MODEL_SPAN_MM = 90.0  # outer eye corners of HEAD_MODEL
_FOCAL_PER_SPAN = 4.5  # focal length / eye-corner span in px: a face ~40 cm from the lens


@dataclass(frozen=True)
class HeadPose:
    yaw: float  # degrees; + = the nose turns toward the image's right edge
    pitch: float  # degrees; + = looking down
    roll: float  # degrees; in-plane


def head_pose(pts: Landmarks) -> HeadPose:
    """Head rotation from a perspective-n-point fit of the rigid landmarks to HEAD_MODEL.

    The camera is unknown: the focal length is set from the face's own size (a selfie at
    arm's length) and the principal point at the landmarks' centre; the solver starts at
    a frontal pose at the matching distance, so it cannot flip to the mirror solution."""
    import cv2

    p = np.ascontiguousarray(np.asarray(pts, dtype=np.float64)[list(HEAD_POINTS)])
    span = float(np.hypot(*(p[-1] - p[7])))
    if span <= 1e-6 or not np.all(np.isfinite(p)):
        return HeadPose(NAN, NAN, NAN)
    f = _FOCAL_PER_SPAN * span
    c = p.mean(axis=0)
    camera = np.array([[f, 0.0, c[0]], [0.0, f, c[1]], [0.0, 0.0, 1.0]])
    rvec0 = np.zeros((3, 1))
    tvec0 = np.array([[0.0], [0.0], [f * _MODEL_SPAN_MM / span]])
    ok, rvec, _ = cv2.solvePnP(
        HEAD_MODEL, p, camera, None, rvec0, tvec0, True, flags=cv2.SOLVEPNP_ITERATIVE
    )
    if not ok:
        return HeadPose(NAN, NAN, NAN)
    r = np.asarray(cv2.Rodrigues(rvec)[0], dtype=np.float64)
    # r = Rz(roll) @ Ry(yaw) @ Rx(pitch) in the model frame (y down, z away)
    pitch = math.degrees(math.atan2(r[2, 1], r[2, 2]))
    yaw = math.degrees(math.asin(max(-1.0, min(1.0, -float(r[2, 0])))))
    roll = math.degrees(math.atan2(r[1, 0], r[0, 0]))
    return HeadPose(-yaw, pitch, roll)


def frame_signals(
    t: float, pts: Landmarks | None, nonrigid: float = NAN, mesh: Landmarks | None = None
) -> FrameSignals:
    """Signals of one frame from its landmarks (None: no face in this frame); eye and
    mouth openness from ``mesh`` (the face mesh's 468 points) when given."""
    if pts is None:
        return FrameSignals(t, False, NAN, NAN, NAN, NAN, NAN)
    pose = head_pose(pts)
    p = derolled(np.asarray(pts, dtype=np.float64))
    jaw_w = p[16, 0] - p[0, 0]
    yaw = (p[30, 0] - (p[0, 0] + p[16, 0]) / 2.0) / jaw_w if abs(jaw_w) > 1e-9 else NAN
    topo, q = (DLIB68, p) if mesh is None else (MESH468, derolled(mesh, MESH468))
    face = face_aspect(q, topo)
    if not face or math.isnan(face):
        return FrameSignals(t, True, NAN, NAN, yaw, pose.pitch, nonrigid, pose.yaw, pose.roll)
    left, right = (aspect(q, e) / face for e in topo.eyes)
    return FrameSignals(
        t,
        True,
        (left + right) / 2.0,
        aspect(q, topo.lips) / face,
        yaw,
        pose.pitch,
        nonrigid,
        pose.yaw,
        pose.roll,
        left,
        right,
    )


def _normalise(pts: Landmarks) -> Landmarks:
    """Similarity-normalise a shape: eye midpoint at 0, inter-ocular distance 1, no roll."""
    p = derolled(pts)
    iod = abs(p[42:48, 0].mean() - p[36:42, 0].mean())
    out: Landmarks = p / max(iod, 1e-9)
    return out


def _homography(src: Landmarks, dst: Landmarks) -> npt.NDArray[np.float64]:
    """Least-squares homography src -> dst (direct linear transform).

    The solution is the right singular vector of the DLT matrix A with the smallest
    singular value, i.e. the eigenvector of the 9x9 matrix A^T A with the smallest
    eigenvalue: the same vector, without a LAPACK SVD of the 136x9 matrix (which a
    threaded BLAS makes ~100x slower on a busy machine)."""
    x, y = src[:, 0], src[:, 1]
    u, v = dst[:, 0], dst[:, 1]
    zero, one = np.zeros_like(x), np.ones_like(x)
    a = np.empty((2 * len(src), 9))
    a[0::2] = np.stack([-x, -y, -one, zero, zero, zero, u * x, u * y, u], axis=1)
    a[1::2] = np.stack([zero, zero, zero, -x, -y, -one, v * x, v * y, v], axis=1)
    _, vecs = np.linalg.eigh(a.T @ a)
    h: npt.NDArray[np.float64] = vecs[:, 0].reshape(3, 3)
    return h / h[2, 2] if abs(h[2, 2]) > 1e-12 else h


def nonrigid_residuals(shapes: list[Landmarks | None]) -> list[float]:
    """Per frame, the RMS residual (in inter-ocular distances) of the best homography that
    maps the clip's median shape onto the frame's shape.

    A flat photo, however it is moved, tilted or rotated, maps onto itself by a homography:
    its residual stays at landmark noise. A live face (blinks, mouth, 3-D head turns) does not.
    """
    norm = [None if s is None else _normalise(np.asarray(s, dtype=np.float64)) for s in shapes]
    present = [s for s in norm if s is not None]
    if not present:
        return [NAN] * len(shapes)
    ref = np.median(np.stack(present), axis=0)
    out: list[float] = []
    for s in norm:
        if s is None:
            out.append(NAN)
            continue
        h = _homography(ref, s)
        ones = np.ones((ref.shape[0], 1))
        proj = np.hstack([ref, ones]) @ h.T
        proj = proj[:, :2] / proj[:, 2:3]
        out.append(float(np.sqrt(np.mean(np.sum((proj - s) ** 2, axis=1)))))
    return out


def series(
    times: list[float],
    shapes: list[Landmarks | None],
    meshes: list[Landmarks | None] | None = None,
) -> list[FrameSignals]:
    """Signals of a whole clip from its per-frame landmarks (None where no face) and,
    when given, its per-frame meshes: then a frame whose mesh is None (not trusted) has
    no eye or mouth value, never one of the 68 points' (another scale)."""
    residuals = nonrigid_residuals(shapes)
    if meshes is None:
        return [frame_signals(t, s, r) for t, s, r in zip(times, shapes, residuals, strict=True)]
    out = []
    for t, s, r, m in zip(times, shapes, residuals, meshes, strict=True):
        f = frame_signals(t, s, r, m)
        if m is None and f.face:
            f = replace(f, eye=NAN, mouth=NAN, eye_left=NAN, eye_right=NAN)
        out.append(f)
    return out
