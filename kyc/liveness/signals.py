"""Per-frame signals from 68 facial landmarks (pure geometry, no models).

Landmarks follow the iBUG 300-W 68-point layout in image coordinates (x right, y down):
jaw 0-16 (0 at the image's left), eyes 36-41 and 42-47, nose tip 30, subnasale 33,
inner lips 60-67, chin 8.

Every signal is made invariant to translation, scale and in-plane roll, and the eye and
mouth signals are divided by a rigid face aspect (eye line to subnasale over outer eye
corner distance): a flat photo tilted towards the camera squeezes both alike, so tilting
a print does not look like a blink.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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
    pitch: float  # (eye line -> nose tip) / outer eye corners; grows when looking down
    nonrigid: float  # deviation from a planar (homography) fit to the clip's mean shape


NAN = float("nan")


def _dist(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> float:
    return float(np.hypot(*(a - b)))


def derolled(pts: Landmarks) -> Landmarks:
    """Rotate landmarks about the eye midpoint so that the eye line is horizontal."""
    left = pts[36:42].mean(axis=0)
    right = pts[42:48].mean(axis=0)
    angle = math.atan2(right[1] - left[1], right[0] - left[0])
    c, s = math.cos(-angle), math.sin(-angle)
    rot = np.array([[c, -s], [s, c]])
    centre = (left + right) / 2
    out: Landmarks = (pts - centre) @ rot.T
    return out


def eye_aspect(eye: Landmarks) -> float:
    """Classic eye aspect ratio of a 6-point eye contour."""
    width = _dist(eye[0], eye[3])
    if width <= 1e-9:
        return NAN
    return (_dist(eye[1], eye[5]) + _dist(eye[2], eye[4])) / (2.0 * width)


def mouth_aspect(inner: Landmarks) -> float:
    """Inner-lip opening over mouth width (8 inner-lip points 60-67)."""
    width = _dist(inner[0], inner[4])
    if width <= 1e-9:
        return NAN
    return (_dist(inner[1], inner[7]) + _dist(inner[2], inner[6]) + _dist(inner[3], inner[5])) / (
        3.0 * width
    )


def face_aspect(p: Landmarks) -> float:
    """Rigid vertical/horizontal ratio: eye line to subnasale over outer eye corners."""
    horizontal = abs(p[45, 0] - p[36, 0])
    vertical = abs(p[33, 1])  # p is derolled: eye midpoint at the origin
    if horizontal <= 1e-9:
        return NAN
    return float(vertical / horizontal)


def frame_signals(t: float, pts: Landmarks | None, nonrigid: float = NAN) -> FrameSignals:
    """Signals of one frame from its landmarks (None: no face in this frame)."""
    if pts is None:
        return FrameSignals(t, False, NAN, NAN, NAN, NAN, NAN)
    p = derolled(np.asarray(pts, dtype=np.float64))
    aspect = face_aspect(p)
    ear = (eye_aspect(p[36:42]) + eye_aspect(p[42:48])) / 2.0
    mar = mouth_aspect(p[60:68])
    jaw_w = p[16, 0] - p[0, 0]
    yaw = (p[30, 0] - (p[0, 0] + p[16, 0]) / 2.0) / jaw_w if abs(jaw_w) > 1e-9 else NAN
    # vertical drop of the nose tip below the eye line over the rigid eye-corner span:
    # rigid points only, so opening the mouth (the chin drops) does not look like a nod
    corners = abs(p[45, 0] - p[36, 0])
    pitch = p[30, 1] / corners if corners > 1e-9 else NAN
    if not aspect or math.isnan(aspect):
        return FrameSignals(t, True, NAN, NAN, yaw, pitch, nonrigid)
    return FrameSignals(t, True, ear / aspect, mar / aspect, yaw, pitch, nonrigid)


def _normalise(pts: Landmarks) -> Landmarks:
    """Similarity-normalise a shape: eye midpoint at 0, inter-ocular distance 1, no roll."""
    p = derolled(pts)
    iod = abs(p[42:48, 0].mean() - p[36:42, 0].mean())
    out: Landmarks = p / max(iod, 1e-9)
    return out


def _homography(src: Landmarks, dst: Landmarks) -> npt.NDArray[np.float64]:
    """Least-squares homography src -> dst (direct linear transform)."""
    rows = []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        rows.append([-x, -y, -1.0, 0.0, 0.0, 0.0, u * x, u * y, u])
        rows.append([0.0, 0.0, 0.0, -x, -y, -1.0, v * x, v * y, v])
    _, _, vt = np.linalg.svd(np.asarray(rows))
    h: npt.NDArray[np.float64] = vt[-1].reshape(3, 3)
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


def series(times: list[float], shapes: list[Landmarks | None]) -> list[FrameSignals]:
    """Signals of a whole clip from its per-frame landmarks (None where no face)."""
    residuals = nonrigid_residuals(shapes)
    return [frame_signals(t, s, r) for t, s, r in zip(times, shapes, residuals, strict=True)]
