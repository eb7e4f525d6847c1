"""Presentation-attack videos for the benchmark and the tests (not used by the product).

Every generator is a physical model of the attack, so that a detector is measured on
what the camera would see, not on a pattern drawn to be found:

* ``hand_held`` - a flat picture (photo, print, ID card) in front of the camera: it
  shifts, rotates, scales and tilts (perspective), with camera noise and blur;
* ``screen_replay`` - a video shown on a screen and filmed by the phone: the frame is
  drawn in the screen's RGB sub-pixel stripes (each screen pixel = three coloured
  stripes), with the screen's tone curve (raised black, compressed contrast, a bluish
  white point), its backlight PWM seen through the camera's rolling shutter (horizontal
  bands drifting from frame to frame), a dark bezel on a room background, at a distance
  (the screen's size in the picture) and an angle (perspective), shaken by hand, then
  resampled by the camera with its lens blur and noise: the moiré is whatever the
  sub-pixel grid aliases to at that scale, not a drawn sine;
* ``splice``, ``two_faces``, ``looped`` - edits of genuine clips.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

BGR = npt.NDArray[Any]  # cv2 returns loosely typed arrays


def read_frames(path: Path, max_s: float = 1e9) -> tuple[list[BGR], float]:
    """BGR frames of a video (up to ``max_s`` seconds) and its average frame rate."""
    import av

    frames: list[BGR] = []
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        fps = float(stream.average_rate or 25)
        first = None
        for f in c.decode(stream):
            if f.time is None:
                continue
            first = f.time if first is None else first
            if f.time - first > max_s:
                break
            frames.append(f.to_ndarray(format="bgr24"))
    return frames, fps


def write_video(path: Path, frames: Iterable[BGR], fps: float, crf: int = 23) -> Path:
    """H.264 (libx264, yuv420p) at ``fps``, as a phone would upload it."""
    import av

    it = iter(frames)
    first = next(it)
    h, w = first.shape[:2]
    w2, h2 = w - w % 2, h - h % 2
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=round(fps))
        s.width, s.height, s.pix_fmt = w2, h2, "yuv420p"
        s.options = {"crf": str(crf), "preset": "veryfast"}
        for img in itertools.chain([first], it):
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(img[:h2, :w2]), format="bgr24")
            for pkt in s.encode(vf):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    return path


def _smooth(rng: random.Random, n: int, fps: float, amp: float) -> npt.NDArray[np.float64]:
    """Hand-like wobble: a few random low-frequency sines."""
    t = np.arange(n) / fps
    out = np.zeros(n)
    for _ in range(3):
        f = rng.uniform(0.2, 1.2)
        out += rng.uniform(0.3, 1.0) * np.sin(2 * math.pi * f * t + rng.uniform(0, 6.3))
    return amp * out / 2.0


def _quad(
    iw: float, ih: float, scale: float, rot_deg: float, kx: float, ky: float, cx: float, cy: float
) -> npt.NDArray[np.float32]:
    """Corners of a w x h rectangle seen at ``scale``, rotated, with one side nearer the
    camera than the other (``kx``: about the horizontal axis, ``ky``: the vertical)."""
    cw, ch = iw * scale / 2, ih * scale / 2
    quad = np.array(
        [
            [-cw * (1 - ky), -ch * (1 - kx)],
            [cw * (1 + ky), -ch * (1 + kx)],
            [cw * (1 + ky), ch * (1 + kx)],
            [-cw * (1 - ky), ch * (1 - kx)],
        ],
        dtype=np.float64,
    )
    a = math.radians(rot_deg)
    r = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    out: npt.NDArray[np.float32] = (quad @ r.T + np.array([cx, cy])).astype(np.float32)
    return out


def hand_held(
    img: BGR, seconds: float, fps: float, rng: random.Random, size: tuple[int, int] = (640, 480)
) -> Iterator[BGR]:
    """A flat picture held in front of the camera: it shifts, rotates, scales and tilts
    (a perspective warp about both axes), with camera noise and slight blur."""
    import cv2

    w, h = size
    n = int(seconds * fps)
    ih, iw = img.shape[:2]
    base = min(w / iw, h / ih) * 0.9
    tx, ty = _smooth(rng, n, fps, 0.08 * w), _smooth(rng, n, fps, 0.06 * h)
    rot = _smooth(rng, n, fps, 8.0)
    sc = 1.0 + _smooth(rng, n, fps, 0.08)
    tilt_x, tilt_y = _smooth(rng, n, fps, 0.25), _smooth(rng, n, fps, 0.25)
    src = np.array([[0, 0], [iw, 0], [iw, ih], [0, ih]], dtype=np.float32)
    bg = np.full((h, w, 3), (90, 100, 110), np.uint8)
    for i in range(n):
        quad = _quad(
            iw, ih, base * sc[i], rot[i], tilt_x[i], tilt_y[i], w / 2 + tx[i], h / 2 + ty[i]
        )
        m = cv2.getPerspectiveTransform(src, quad)
        frame = cv2.warpPerspective(
            img, m, (w, h), dst=bg.copy(), borderMode=cv2.BORDER_TRANSPARENT
        )
        noise = np.random.default_rng(i).normal(0, 3, frame.shape)
        frame = np.clip(frame.astype(np.float32) + noise, 0, 255).astype(np.uint8)
        yield cv2.GaussianBlur(frame, (3, 3), 0.8)


@dataclass(frozen=True)
class ScreenGeometry:
    """How the replaying screen sits in front of the camera."""

    name: str
    fill: float  # the screen's width as a share of the camera frame's width (distance)
    tilt_x: float  # perspective about the horizontal axis (-0.3 .. 0.3 ~ +/-25 degrees)
    tilt_y: float  # ... about the vertical axis
    rot_deg: float  # in-plane rotation
    screen_px: int  # the screen's horizontal resolution used for the video (pixel pitch)


# near and square-on, mid-distance at an angle, far and tilted (screen pitch in camera
# pixels: ~1.3, ~0.9, ~0.6: magnified grid, near-Nyquist beat, fine grid blurred away)
GEOMETRIES = (
    ScreenGeometry("near", 0.95, 0.02, 0.05, 1.0, 360),
    ScreenGeometry("angled", 0.8, 0.15, -0.2, -4.0, 480),
    ScreenGeometry("far", 0.6, -0.1, 0.25, 6.0, 600),
)


def _subpixels(img: BGR) -> BGR:
    """The image as an LCD draws it: each pixel three vertical stripes, R, G, B (BGR
    order in memory), each lit with its own channel, a thin dark gap between pixels."""
    h, w = img.shape[:2]
    out = np.zeros((h * 3, w * 3, 3), np.float32)
    lit = np.repeat(img.astype(np.float32), 3, axis=0)  # rows x3
    for k, ch in enumerate((2, 1, 0)):  # R, G, B stripes from left to right
        out[:, k::3, ch] = lit[:, :, ch]
    out[2::3, :, :] *= 0.55  # the black matrix between pixel rows
    # the camera's auto-exposure: a third of the area emits each colour
    out *= 3.0 / (1.0 - 0.45 / 3.0)
    return out


def screen_replay(
    frames: Iterable[BGR],
    fps: float,
    geometry: ScreenGeometry,
    rng: random.Random,
    size: tuple[int, int] = (640, 480),
) -> Iterator[BGR]:
    """A genuine clip replayed on a screen and filmed (see the module docstring)."""
    import cv2

    w, h = size
    pwm_hz = rng.uniform(180.0, 480.0)  # backlight PWM
    line_s = 1.0 / (fps * h) * 0.9  # rolling shutter: rows read out over ~90% of a frame
    band_amp = rng.uniform(0.04, 0.08)
    gamma = rng.uniform(0.85, 0.95)  # the screen's tone curve against the camera's
    black = rng.uniform(14.0, 24.0)  # raised black (backlight leak + room reflection)
    white = np.array([255.0, 246.0, 236.0])  # bluish white point (BGR)
    room = np.full((h, w, 3), (70, 78, 86), np.float32)
    room += np.linspace(-20, 20, w, dtype=np.float32)[None, :, None]
    it = iter(frames)
    first = next(it)
    fh, fw = first.shape[:2]
    sw = geometry.screen_px
    sh = max(2, round(sw * fh / fw))
    bezel = max(4, sw // 25)
    n_guess = 10_000
    tx, ty = _smooth(rng, n_guess, fps, 0.02 * w), _smooth(rng, n_guess, fps, 0.02 * h)
    rot = _smooth(rng, n_guess, fps, 1.5)
    rows = np.arange(h, dtype=np.float32)[:, None, None]
    for i, f in enumerate(itertools.chain([first], it)):
        shown = cv2.resize(f, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
        shown = black + (white - black) * np.power(shown, 1.0 / gamma)
        panel = np.full((sh + 2 * bezel, sw + 2 * bezel, 3), 8.0, np.float32)
        panel[bezel:-bezel, bezel:-bezel] = shown
        sub = _subpixels(panel)
        ph, pw = sub.shape[:2]
        scale = geometry.fill * w / pw
        quad = _quad(
            pw,
            ph,
            scale,
            geometry.rot_deg + rot[i % n_guess],
            geometry.tilt_x,
            geometry.tilt_y,
            w / 2 + tx[i % n_guess],
            h / 2 + ty[i % n_guess],
        )
        src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float32)
        m = cv2.getPerspectiveTransform(src, quad)
        # the screen's diffuser (0.6 sub-pixel) and the camera's lens (~0.5 camera pixels)
        # blur before the sensor samples (bilinear): the grid aliases into moiré
        lens = 0.5 / scale
        sub = cv2.GaussianBlur(sub, (0, 0), math.hypot(0.6, lens))
        cam = cv2.warpPerspective(
            sub,
            m,
            (w, h),
            dst=room.copy(),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_TRANSPARENT,
        )
        t = i / fps
        # PWM banding: the backlight, hence only the screen, flickers (the room does not)
        band = band_amp * np.sin(2 * math.pi * pwm_hz * (t + rows * line_s))
        lit = cv2.warpPerspective(np.ones((ph, pw), np.float32), m, (w, h), flags=cv2.INTER_LINEAR)[
            :, :, None
        ]
        cam = cam * (1.0 + band * lit)
        noise = np.random.default_rng(i).normal(0, 2.5, cam.shape)
        yield np.clip(cam + noise, 0, 255).astype(np.uint8)


def splice(a: list[BGR], b: list[BGR]) -> list[BGR]:
    """First half of one clip, then another person's clip at the same size."""
    import cv2

    h, w = a[0].shape[:2]
    half = len(a) // 2
    tail = [cv2.resize(f, (w, h)) for f in b[: len(a) - half]]
    return a[:half] + tail


def two_faces(a: list[BGR], other: BGR) -> Iterator[BGR]:
    """The live clip with a second person's photo held up beside the face."""
    import cv2

    for f in a:
        h, w = f.shape[:2]
        canvas = np.full((h, int(w * 1.7), 3), 60, np.uint8)
        canvas[:, :w] = f
        o = cv2.resize(other, (int(w * 0.65), int(w * 0.65 * other.shape[0] / other.shape[1])))
        oh = min(o.shape[0], h)
        canvas[:oh, w : w + o.shape[1]][:, : canvas.shape[1] - w] = o[:oh, : canvas.shape[1] - w]
        yield canvas


def looped(a: list[BGR], fps: float, seconds: float = 1.2, times: int = 4) -> list[BGR]:
    """A short segment of a clip repeated."""
    seg = a[: int(seconds * fps)]
    return seg * times
