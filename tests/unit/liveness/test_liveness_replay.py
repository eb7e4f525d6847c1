"""Screen-replay signals on synthetic images and brightness series (no models)."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from kyc.liveness.replay import flicker_peak, framing_sides, moire_peak, screen_framed


def _skin(seed: int, size: int = 96) -> np.ndarray:
    """A smooth, face-like texture: shading, isotropically blurred noise at a few scales
    (a 1/f-like spectrum) and sensor noise."""
    import cv2

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / size
    img = 140 + 40 * np.sin(2.5 * xx + 1.0) * np.cos(1.5 * yy)
    for sigma in (1.0, 2.0, 4.0):
        noise = rng.normal(0, 1, (size, size)).astype(np.float32)
        img = img + 8 * sigma * np.asarray(cv2.GaussianBlur(noise, (0, 0), sigma))
    img = img + rng.normal(0, 1.5, (size, size))
    return np.asarray(np.clip(img, 0, 255), dtype=np.uint8)


def _grating(size: int, fx: float, fy: float, amp: float) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size]
    return np.asarray(amp * np.sin(2 * math.pi * (fx * xx + fy * yy) + 0.3), dtype=np.float64)


def test_interlace_lines_are_not_a_screen() -> None:
    """Alternating rows near Nyquist (interlaced or line-doubled genuine footage) are left
    out; the same fine pattern at a slant (a screen grid's beat) is not."""
    for seed in range(3):
        face = _skin(seed)
        lines = np.clip(face + _grating(96, 0.0, 0.47, 6.0), 0, 255).astype(np.uint8)
        slanted = np.clip(face + _grating(96, 0.2, 0.42, 6.0), 0, 255).astype(np.uint8)
        assert moire_peak(lines) < 60.0
        assert moire_peak(slanted) > 5 * moire_peak(face)


def test_a_screen_pattern_stands_out_of_a_face_spectrum() -> None:
    for seed in range(5):
        face = _skin(seed)
        screen = np.clip(face + _grating(96, 0.14, 0.06, 8.0), 0, 255).astype(np.uint8)
        natural, replayed = moire_peak(face), moire_peak(screen)
        assert natural < 60.0
        assert replayed > 5 * natural


def test_moire_needs_a_large_enough_crop() -> None:
    assert math.isnan(moire_peak(_skin(0, size=40)))


def test_moire_ignores_exposure_and_contrast() -> None:
    face = _skin(3).astype(np.float64)
    a = moire_peak(face.astype(np.uint8))
    b = moire_peak(np.clip(0.5 * face + 60, 0, 255).astype(np.uint8))
    assert b == pytest.approx(a, rel=0.25)  # rounding to uint8 only


def _brightness(n: int, fps: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean frame brightness of a live recording: slow drift (exposure, head motion)
    plus sensor noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fps
    drift = 120 + np.cumsum(rng.normal(0, 0.3, n))
    return t, drift + rng.normal(0, 0.4, n)


def test_refresh_flicker_is_a_peak_and_slow_drift_is_not() -> None:
    for seed in range(5):
        t, b = _brightness(150, 30.0, seed)
        ratio, amp = flicker_peak(t, b)
        flick = b * (1 + 0.03 * np.sin(2 * math.pi * 7.0 * t))
        f_ratio, f_amp = flicker_peak(t, flick)
        assert f_ratio > 4 * ratio
        assert f_amp == pytest.approx(0.03, rel=0.35)
        assert amp < 0.01


def test_flicker_needs_two_seconds() -> None:
    t, b = _brightness(40, 30.0, 0)
    assert flicker_peak(t, b) == (0.0, 0.0)


def _profiles(n: int, bands: float, amp: float, seed: int = 0) -> np.ndarray:
    """Row profiles of a still scene (fixed random rows) with drifting horizontal bands."""
    rng = np.random.default_rng(seed)
    scene = 120 + 30 * rng.standard_normal(128)
    rows = np.arange(128) / 128
    out = []
    for i in range(n):
        drift = 0.37 * i  # the band phase moves between frames (PWM vs frame rate)
        light = 1 + amp * np.sin(2 * math.pi * (bands * rows + drift))
        out.append(scene * light + rng.normal(0, 0.5, 128))
    return np.asarray(out, dtype=np.float32)


def test_drifting_backlight_bands_stand_out_of_a_still_scene() -> None:
    from kyc.liveness.replay import banding_peak

    still = banding_peak(_profiles(45, 9.0, 0.0))
    banded = banding_peak(_profiles(45, 9.0, 0.05))
    assert still < 20.0
    assert banded > 5 * still
    # mains-lamp banding (3-4 bands per height) lies below the band that is measured
    assert banding_peak(_profiles(45, 3.0, 0.05)) < 20.0


def _scene(seed: int) -> np.ndarray:
    """A soft room: blurred noise, no straight edges."""
    rng = np.random.default_rng(seed)
    img = rng.normal(120, 20, (60, 80)).astype(np.float32)
    big = cv2.resize(img, (640, 480), interpolation=cv2.INTER_CUBIC)
    return np.asarray(np.clip(big, 0, 255), np.uint8)


FACE = (270.0, 170.0, 370.0, 290.0)


def test_a_screen_held_before_the_camera_frames_the_face() -> None:
    room = _scene(1)
    screen = room.copy()
    cv2.rectangle(screen, (90, 60), (550, 420), 8, 14)  # a dark bezel around the picture
    assert framing_sides(screen, FACE) == 4
    assert framing_sides(room, FACE) == 0


def test_a_door_behind_a_person_closes_no_ring() -> None:
    door = _scene(2)
    cv2.rectangle(door, (150, 40), (490, 470), 30, 10)  # a door frame behind the head
    # the person's head and body in front of it hide its top above the head and run
    # down to the frame's bottom: the door's bottom is out of sight
    cv2.ellipse(door, (320, 230), (80, 100), 0, 0, 360, 150, -1)
    cv2.rectangle(door, (200, 300), (440, 480), 120, -1)
    assert framing_sides(door, FACE) == 3  # left, right and above; the body hides below
    # nor does a collar line under the chin that meets no side
    collar = door.copy()
    cv2.line(collar, (250, 310), (390, 310), 20, 3)
    assert framing_sides(collar, FACE) == 3


def test_framing_counts_only_measured_frames_and_needs_a_share() -> None:
    assert screen_framed([4, 4, 4, -1, -1, 0, 0, 0], 0.15)
    assert not screen_framed([4, 4, -1, 0, 0, 0], 0.15)  # two frames only
    assert not screen_framed([4, 4, 4] + [0] * 30, 0.15)  # under a seventh of them
    assert not screen_framed([-1, -1, 3, 3, 3], 0.15)  # three sides are no ring
