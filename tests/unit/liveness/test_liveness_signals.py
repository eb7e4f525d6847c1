"""Landmark geometry: invariances, the left/right convention, planar-fit residuals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from liveness_synth import face3d, project

from kyc.liveness.signals import frame_signals, nonrigid_residuals, series


def test_signals_invariant_to_scale_shift_and_roll() -> None:
    a = frame_signals(0.0, project(face3d()))
    b = frame_signals(0.0, project(face3d(), scale=140.0, shift=(50.0, 400.0), roll_deg=25.0))
    for name in ("eye", "mouth", "yaw", "pitch"):
        assert getattr(a, name) == pytest.approx(getattr(b, name), abs=1e-9)


def test_closed_eyes_and_open_mouth_move_their_signals() -> None:
    neutral = frame_signals(0.0, project(face3d()))
    closed = frame_signals(0.0, project(face3d(eye_open=0.2)))
    opened = frame_signals(0.0, project(face3d(mouth_open=0.6)))
    assert closed.eye < 0.5 * neutral.eye
    assert opened.mouth > neutral.mouth + 0.5
    assert opened.eye == pytest.approx(neutral.eye, rel=0.05)  # chin drop is not a blink


def test_turn_to_own_left_moves_nose_to_image_right() -> None:
    neutral = frame_signals(0.0, project(face3d()))
    left = frame_signals(0.0, project(face3d(), yaw_deg=25.0))
    right = frame_signals(0.0, project(face3d(), yaw_deg=-25.0))
    assert left.yaw > neutral.yaw + 0.1
    assert right.yaw < neutral.yaw - 0.1


def test_looking_down_raises_pitch_but_opening_the_mouth_does_not() -> None:
    neutral = frame_signals(0.0, project(face3d()))
    down = frame_signals(0.0, project(face3d(), pitch_deg=20.0))
    assert down.pitch > neutral.pitch + 0.06
    opened = frame_signals(0.0, project(face3d(mouth_open=0.8)))
    assert opened.pitch == pytest.approx(neutral.pitch, abs=1e-9)


def test_tilted_flat_photo_does_not_look_like_a_blink() -> None:
    """A print tilted back squeezes the picture vertically; the eye signal is divided by a
    rigid face aspect, so it barely moves."""
    flat = project(face3d())
    squeezed = flat.copy()
    squeezed[:, 1] = 240 + (squeezed[:, 1] - 240) * math.cos(math.radians(45))
    a, b = frame_signals(0.0, flat), frame_signals(0.0, squeezed)
    assert b.eye == pytest.approx(a.eye, rel=0.02)


def _homography_image(pts: np.ndarray, k: float) -> np.ndarray:
    h = np.array([[1.0 + 0.1 * k, 0.2 * k, 5.0], [-0.1 * k, 1.0, 3.0], [1e-4 * k, 2e-4 * k, 1.0]])
    ones = np.ones((len(pts), 1))
    proj = np.hstack([pts, ones]) @ h.T
    out: np.ndarray = proj[:, :2] / proj[:, 2:3]
    return out


def test_planar_motion_has_no_nonrigid_residual_but_a_live_face_has() -> None:
    flat = project(face3d())
    photo = [_homography_image(flat, k) for k in np.linspace(-1, 1, 12)]
    res_photo = nonrigid_residuals(list(photo))
    assert max(res_photo) < 1e-3
    live = [project(face3d(eye_open=1.0 if k % 4 else 0.1), yaw_deg=3.0 * k) for k in range(12)]
    res_live = nonrigid_residuals(list(live))
    assert max(res_live) > 0.03


def test_series_marks_missing_faces() -> None:
    sig = series([0.0, 0.1], [project(face3d()), None])
    assert sig[0].face and not sig[1].face
    assert math.isnan(sig[1].eye)
