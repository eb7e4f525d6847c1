"""Synthetic 68-point faces and signal sequences for the pure core's tests (no models)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from kyc.liveness.signals import FrameSignals

Points3 = npt.NDArray[np.float64]


def face3d(eye_open: float = 1.0, mouth_open: float = 0.0) -> Points3:
    """A 68-point face in 3-D (x to the image's right, y down, z toward the camera),
    inter-ocular distance ~1, iBUG 300-W point order."""
    p = np.zeros((68, 3))
    for i, phi in enumerate(np.linspace(0, math.pi, 17)):
        p[i] = (-math.cos(phi), 0.1 + 1.2 * math.sin(phi), -0.5 + 0.5 * math.sin(phi))
    p[8, 1] += 0.5 * mouth_open  # the chin drops when the mouth opens
    for k, x in enumerate(np.linspace(-0.8, -0.2, 5)):
        p[17 + k] = (x, -0.45, 0.1)
        p[22 + k] = (-x if k == 0 else 0.2 + 0.15 * k, -0.45, 0.1)
    for k, (y, z) in enumerate(
        zip(np.linspace(-0.3, 0.35, 4), np.linspace(0.2, 0.6, 4), strict=True)
    ):
        p[27 + k] = (0.0, y, z)
    for k, x in enumerate(np.linspace(-0.25, 0.25, 5)):
        p[31 + k] = (x, 0.45, 0.35)
    h = 0.08 * eye_open
    for base, cx in ((36, -0.5), (42, 0.5)):
        pts = [(-0.2, 0), (-0.07, -h), (0.07, -h), (0.2, 0), (0.07, h), (-0.07, h)]
        for k, (dx, dy) in enumerate(pts):
            p[base + k] = (cx + dx, dy, 0.0)
    for k, a in enumerate(np.linspace(0, 2 * math.pi, 12, endpoint=False)):
        p[48 + k] = (-0.45 * math.cos(a), 0.8 - (0.12 + mouth_open / 2) * math.sin(a), 0.2)
    m = mouth_open / 2
    inner = [(-0.35, 0), (-0.15, -m), (0, -m), (0.15, -m), (0.35, 0), (0.15, m), (0, m), (-0.15, m)]
    for k, (x, dy) in enumerate(inner):
        p[60 + k] = (x, 0.8 + dy, 0.2)
    return p


def project(
    p: Points3,
    yaw_deg: float = 0.0,
    pitch_deg: float = 0.0,
    roll_deg: float = 0.0,
    scale: float = 60.0,
    shift: tuple[float, float] = (320.0, 240.0),
) -> npt.NDArray[np.float64]:
    """Orthographic image of the face. ``yaw_deg`` > 0: the subject turns to their own
    left, so the nose moves toward the image's right edge (un-mirrored camera)."""
    y, pi, r = (math.radians(v) for v in (yaw_deg, pitch_deg, roll_deg))
    x1 = p[:, 0] * math.cos(y) + p[:, 2] * math.sin(y)
    z1 = -p[:, 0] * math.sin(y) + p[:, 2] * math.cos(y)
    y1 = p[:, 1] * math.cos(pi) + z1 * math.sin(pi)
    x2 = x1 * math.cos(r) - y1 * math.sin(r)
    y2 = x1 * math.sin(r) + y1 * math.cos(r)
    return np.stack([x2 * scale + shift[0], y2 * scale + shift[1]], axis=1)


def frames(
    n: int,
    fps: float = 15.0,
    *,
    eye: float = 1.0,
    mouth: float = 0.05,
    yaw: float = 0.0,
    pitch: float = 5.0,
    nonrigid: float = 0.05,
    head_yaw: float = 0.0,
    head_roll: float = 0.0,
) -> list[FrameSignals]:
    """A neutral, steady signal sequence (pitch, head_yaw and head_roll in degrees)."""
    return [
        FrameSignals(i / fps, True, eye, mouth, yaw, pitch, nonrigid, head_yaw, head_roll)
        for i in range(n)
    ]


def with_values(
    seq: list[FrameSignals], t0: float, t1: float, **values: float
) -> list[FrameSignals]:
    """Replace fields of the frames with t0 <= t <= t1."""
    out = []
    for f in seq:
        if t0 <= f.t <= t1:
            d = f.__dict__ | values
            out.append(FrameSignals(**d))
        else:
            out.append(f)
    return out


def absent(seq: list[FrameSignals], t0: float, t1: float) -> list[FrameSignals]:
    nan = float("nan")
    return [
        FrameSignals(f.t, False, nan, nan, nan, nan, nan) if t0 <= f.t <= t1 else f for f in seq
    ]


def mesh_of(pts68: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """A 468-point mesh (MediaPipe topology) whose eyes, inner lips and subnasale are
    the 68-point face's own (the middle lid and lip points halfway between dlib's); the
    other points at the face's centre."""
    from kyc.liveness.signals import DLIB68, MESH468

    p = np.asarray(pts68, np.float64)[:, :2]
    mesh = np.tile(p.mean(axis=0), (468, 1))
    for src, dst in zip((*DLIB68.eyes, DLIB68.lips), (*MESH468.eyes, MESH468.lips), strict=True):
        mesh[dst.outer], mesh[dst.inner] = p[src.outer], p[src.inner]
        for ours, theirs in ((dst.upper, src.upper), (dst.lower, src.lower)):
            pts = [p[i] for i in theirs]
            if len(ours) == 3 and len(pts) == 2:
                pts = [pts[0], (pts[0] + pts[1]) / 2, pts[1]]
            for i, xy in zip(ours, pts, strict=True):
                mesh[i] = xy
    mesh[MESH468.subnasale] = p[DLIB68.subnasale]
    return mesh
