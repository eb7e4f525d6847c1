"""The face mesh's crops and the mapping of its points back (pure geometry, no model)."""

from __future__ import annotations

import numpy as np
import pytest
from liveness_synth import face3d, project

from kyc.liveness.facemesh import (
    CROP_SCALE,
    EYE_CONTOURS,
    EYE_SIDE,
    IRIS_POINTS,
    POINTS,
    SIDE,
    crop_transform,
    eye_inputs,
    eye_square,
    to_frame,
    with_eyelids,
)


def _apply(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.asarray(pts, np.float64) @ m[:, :2].T + m[:, 2]
    return out


def test_crop_levels_the_eyes_centres_the_face_and_maps_back() -> None:
    pts = project(face3d(), roll_deg=25.0, scale=80.0, shift=(400.0, 300.0))
    m = crop_transform(pts)
    inside = _apply(m, pts)
    eyes = inside[36:42].mean(axis=0), inside[42:48].mean(axis=0)
    assert eyes[0][1] == pytest.approx(eyes[1][1], abs=1e-9)  # the eye line is level
    assert eyes[0][0] < eyes[1][0]  # not mirrored
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    assert _apply(m, ((lo + hi) / 2)[None])[0] == pytest.approx([SIDE / 2, SIDE / 2])
    # the scale: the landmarks' larger side is 1/CROP_SCALE of the crop
    span = np.linalg.norm(m[:, 0]) * float(np.max(hi - lo))
    assert span == pytest.approx(SIDE / CROP_SCALE)
    back = to_frame(np.hstack([inside, np.zeros((68, 1))]), m)
    np.testing.assert_allclose(back, pts, atol=1e-9)


def _mesh_with_eyes() -> np.ndarray:
    mesh = np.zeros((POINTS, 3))
    mesh[EYE_CONTOURS[0][0], :2], mesh[EYE_CONTOURS[0][8], :2] = (60.0, 80.0), (90.0, 82.0)
    mesh[EYE_CONTOURS[1][0], :2], mesh[EYE_CONTOURS[1][8], :2] = (140.0, 80.0), (110.0, 80.0)
    return mesh


def test_eye_square_is_centred_between_the_corners() -> None:
    x0, y0, side = eye_square(_mesh_with_eyes(), 0)
    assert side == pytest.approx(2.3 * 30.0)
    assert (x0 + side / 2, y0 + side / 2) == pytest.approx((75.0, 81.0))


def test_iris_contours_replace_the_lids_and_the_left_eye_is_unmirrored() -> None:
    mesh = _mesh_with_eyes()
    iris = np.zeros((2, IRIS_POINTS, 3))
    iris[:, :, :2] = EYE_SIDE / 2  # every point at its crop's centre ...
    iris[:, 12, 0] = 16.0  # ... but the upper lid's middle, a quarter in from the left
    out = with_eyelids(mesh, iris)
    for eye in (0, 1):
        x0, y0, side = eye_square(mesh, eye)
        centre = (x0 + side / 2, y0 + side / 2)
        lower_mid = EYE_CONTOURS[eye][4]
        assert out[lower_mid] == pytest.approx(centre)
        upper_mid = EYE_CONTOURS[eye][12]
        # the right eye as the network saw it; the left eye mirrored back
        want_x = x0 + (16.0 if eye == 0 else EYE_SIDE - 16.0) * side / EYE_SIDE
        assert out[upper_mid][0] == pytest.approx(want_x)
    untouched = [i for i in range(POINTS) if i not in EYE_CONTOURS[0] + EYE_CONTOURS[1]]
    np.testing.assert_array_equal(out[untouched], mesh[untouched, :2])


def test_eye_crops_mirror_the_left_eye_only() -> None:
    mesh = _mesh_with_eyes()
    face = np.zeros((SIDE, SIDE, 3), np.float32)
    for eye in (0, 1):  # a bright column on the image-right side of each eye's centre
        x0, _, side = eye_square(mesh, eye)
        face[:, int(x0 + 0.75 * side)] = 1.0
    crops = eye_inputs(face, mesh)
    assert crops.shape == (2, EYE_SIDE, EYE_SIDE, 3)
    column = [int(np.argmax(c[EYE_SIDE // 2, :, 0])) for c in crops]
    assert column[0] > EYE_SIDE / 2  # right eye: as in the face
    assert column[1] < EYE_SIDE / 2  # left eye: mirrored
