"""Landmark geometry: invariances, the left/right convention, planar-fit residuals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from liveness_synth import face3d, project

from kyc.liveness.signals import (
    HEAD_MODEL,
    HEAD_POINTS,
    frame_signals,
    head_pose,
    nonrigid_residuals,
    series,
)


def test_signals_invariant_to_scale_shift_and_roll() -> None:
    a = frame_signals(0.0, project(face3d()))
    b = frame_signals(0.0, project(face3d(), scale=140.0, shift=(50.0, 400.0), roll_deg=25.0))
    for name in ("eye", "mouth", "yaw"):
        assert getattr(a, name) == pytest.approx(getattr(b, name), abs=1e-9)
    for name in ("pitch", "head_yaw"):  # an iterative pose fit: to a fraction of a degree
        assert getattr(a, name) == pytest.approx(getattr(b, name), abs=0.2)


def _perspective(pts3: np.ndarray, yaw: float, pitch: float, roll: float) -> np.ndarray:
    """A pinhole image of 3-D points (model frame: x right, y down, z away) rotated by
    Rz(roll) Ry(yaw) Rx(pitch), 405 mm in front of a camera with a 1000 px focal length
    (the geometry head_pose assumes: a selfie at arm's length, face near the centre)."""
    y, p, r = (math.radians(v) for v in (yaw, pitch, roll))
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    cam = pts3 @ (rz @ ry @ rx).T + np.array([0.0, -20.0, 405.0])
    return np.asarray(1000.0 * cam[:, :2] / cam[:, 2:3] + np.array([640.0, 360.0]))


@pytest.mark.parametrize(
    ("yaw", "pitch", "roll"), [(0, 0, 0), (20, 0, 0), (0, 20, 0), (0, -15, 10), (-25, 12, -8)]
)
def test_head_pose_recovers_the_rotation_of_the_model_head(
    yaw: float, pitch: float, roll: float
) -> None:
    pts = np.zeros((68, 2))
    pts[list(HEAD_POINTS)] = _perspective(HEAD_MODEL, yaw, pitch, roll)
    pose = head_pose(pts)
    # head_yaw counts the nose moving toward the image's right edge as positive, which is
    # a negative rotation about the model's downward y axis
    assert pose.yaw == pytest.approx(-yaw, abs=2.0)
    assert pose.pitch == pytest.approx(pitch, abs=2.0)
    assert pose.roll == pytest.approx(roll, abs=2.0)


def test_head_pitch_tracks_a_nod_of_a_different_face() -> None:
    """The synthetic face is not the model head: absolute angles are off, changes are not
    (pitch + = looking down; the turn convention of the yaw signal holds for head_yaw)."""
    neutral = frame_signals(0.0, project(face3d()))
    down = frame_signals(0.0, project(face3d(), pitch_deg=20.0))
    up = frame_signals(0.0, project(face3d(), pitch_deg=-20.0))
    left = frame_signals(0.0, project(face3d(), yaw_deg=25.0))
    assert 14.0 <= down.pitch - neutral.pitch <= 26.0
    assert 14.0 <= neutral.pitch - up.pitch <= 26.0
    assert abs(down.head_yaw - neutral.head_yaw) < 1.0
    assert left.head_yaw > neutral.head_yaw + 12.0
    assert abs(left.pitch - neutral.pitch) < 0.5 * (left.head_yaw - neutral.head_yaw)


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
    assert down.pitch > neutral.pitch + 12.0
    opened = frame_signals(0.0, project(face3d(mouth_open=0.8)))
    closed_eyes = frame_signals(0.0, project(face3d(eye_open=0.1)))
    assert opened.pitch == pytest.approx(neutral.pitch, abs=1e-6)  # lips/chin are not used
    assert closed_eyes.pitch == pytest.approx(neutral.pitch, abs=1e-6)  # nor are eyelids


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


def test_eyes_and_lips_come_from_the_mesh_when_a_frame_has_one() -> None:
    """The 68 points' eyes open, the mesh's closed (and its mouth open): eye and mouth
    follow the mesh, yaw and pitch the 68 points."""
    from liveness_synth import mesh_of

    pts = project(face3d(), yaw_deg=10.0)
    other = project(face3d(eye_open=0.2, mouth_open=0.6), yaw_deg=10.0)
    f = frame_signals(0.0, pts, mesh=mesh_of(other))
    want = frame_signals(0.0, other)
    plain = frame_signals(0.0, pts)
    assert f.eye == pytest.approx(want.eye, rel=1e-9)
    assert f.mouth == pytest.approx(want.mouth, rel=1e-9)
    assert f.eye < 0.5 * plain.eye and f.mouth > plain.mouth + 0.3
    assert (f.yaw, f.pitch, f.head_yaw) == (plain.yaw, plain.pitch, plain.head_yaw)


def test_a_frame_without_its_mesh_has_no_eye_value_rather_than_the_68_points() -> None:
    from liveness_synth import mesh_of

    pts = project(face3d())
    sig = series([0.0, 0.1, 0.2], [pts, pts, None], [mesh_of(pts), None, None])
    assert math.isfinite(sig[0].eye) and math.isfinite(sig[0].mouth)
    assert sig[1].face and math.isnan(sig[1].eye) and math.isnan(sig[1].mouth)
    assert math.isnan(sig[1].eye_left) and math.isfinite(sig[1].yaw)
    assert not sig[2].face
