"""Screen-replay signals without a trained model (pure numpy on plain arrays).

A video replayed on a screen and filmed again carries traces of the screen:

* **moiré / pixel grid** - the screen's pixel lattice beats against the camera's sensor
  grid and shows as a strong, narrow peak in the spatial spectrum of the face region,
  where a real face's spectrum falls off smoothly (``moire_peak``);
* **flicker** - the screen's refresh / backlight PWM beats against the camera's frame
  rate and modulates the picture's brightness periodically (``flicker_peak``);
* **a frame around the face** - a screen or a print held before the camera shows its
  edges (a bezel, the paper's border) as long straight lines that close a ring around
  the face; a live face is in front of what is behind it, and its body breaks any line
  below it (``framing_sides``).

Both are measured as a peak over the local spectral level (a ratio, so independent of
exposure and contrast), per frame for moiré and over the clip for flicker; the decision
(``screen_replay``) needs the trace to persist through the clip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

GrayImage = npt.NDArray[np.uint8]
Series = Sequence[float] | npt.NDArray[np.float64]


def _radial_index(
    n: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Radius (cycles/px), ring index and the interlace-line region of an n x n rfft2."""
    fy = np.fft.fftfreq(n)[:, None] * np.ones((1, n // 2 + 1))
    fx = np.fft.rfftfreq(n)[None, :] * np.ones((n, 1))
    r = np.hypot(fy, fx)  # cycles per pixel, 0 .. 0.707
    ring = np.minimum((r * n).astype(np.int64), n // 2)
    lines = (np.abs(fy) > 0.4) & (np.abs(fx) < 0.04)
    return r, ring, lines


def moire_peak(face: GrayImage, size: int = 64) -> float:
    """Strongest narrow spectral peak of a face crop, relative to the median power of
    its own frequency ring, among frequencies 0.12-0.5 cycles/px (finer than facial
    features). Natural faces stay near the statistical maximum of a smooth spectrum
    (~10-35); a periodic screen pattern stands far out.

    Left out: purely horizontal lines near Nyquist (vertical frequency > 0.4 cycles/px
    with a horizontal one < 0.04): the line structure that interlaced or line-doubled
    footage leaves in genuine video (the 1080p studio clips of the benchmark peak there,
    at ratios 60-150, and at 18-34 elsewhere).

    The crop is the central ``size`` x ``size`` pixels (no resampling: resampling would
    itself alias a fine pattern); NaN when the crop is smaller."""
    h, w = face.shape[:2]
    if h < size or w < size:
        return float("nan")
    y0, x0 = (h - size) // 2, (w - size) // 2
    patch = face[y0 : y0 + size, x0 : x0 + size].astype(np.float64)
    patch -= patch.mean()
    win = np.hanning(size)
    power = np.abs(np.fft.rfft2(patch * np.outer(win, win))) ** 2
    r, ring, lines = _radial_index(size)
    band = (r >= 0.12) & (r <= 0.5) & ~lines
    if not band.any():
        return float("nan")
    rings = np.unique(ring[band])
    ratios = []
    for k in rings:
        sel = band & (ring == k)
        level = float(np.median(power[sel]))
        if level > 0:
            ratios.append(float(power[sel].max()) / level)
    return max(ratios) if ratios else float("nan")


def flicker_peak(times: Series, brightness: Series, min_hz: float = 2.0) -> tuple[float, float]:
    """(peak ratio, relative amplitude) of the strongest periodic brightness change at or
    above ``min_hz`` (slower changes are exposure and motion), from the mean brightness
    of every decoded frame. The series is resampled to its median frame interval and
    detrended by a 0.5 s moving average; ratio = peak power / median power of the band;
    amplitude = the peak's sine amplitude / mean brightness. (0, 0) when too short."""
    t = np.asarray(times, dtype=np.float64)
    b = np.asarray(brightness, dtype=np.float64)
    ok = np.isfinite(t) & np.isfinite(b)
    t, b = t[ok], b[ok]
    if t.size < 32 or t[-1] - t[0] < 2.0:
        return 0.0, 0.0
    dt = float(np.median(np.diff(t)))
    if dt <= 0:
        return 0.0, 0.0
    grid = np.arange(t[0], t[-1], dt)
    y = np.interp(grid, t, b)
    mean = float(y.mean())
    k = max(3, int(round(0.5 / dt)) | 1)
    trend = np.convolve(np.pad(y, k // 2, mode="edge"), np.ones(k) / k, mode="valid")
    y = (y - trend[: y.size]) * np.hanning(y.size)
    spec = np.abs(np.fft.rfft(y)) ** 2
    freqs = np.fft.rfftfreq(y.size, dt)
    band = freqs >= min_hz
    if band.sum() < 8 or mean <= 0:
        return 0.0, 0.0
    level = float(np.median(spec[band]))
    i = int(np.argmax(np.where(band, spec, -1.0)))
    ratio = float(spec[i]) / level if level > 0 else 0.0
    # a Hann-windowed sine of amplitude A has a peak |X| of about A * N / 4
    amplitude = 4.0 * float(np.sqrt(spec[i])) / y.size / mean
    return ratio, amplitude


ROW_BINS = 128  # a frame's row profile is resampled to this many rows


def row_profile(gray: GrayImage) -> npt.NDArray[np.float32]:
    """Mean grey level of each row of the frame's central 60% of columns, resampled to
    ``ROW_BINS`` rows (area): the input of ``banding_peak``."""
    import cv2

    w = gray.shape[1]
    cols = gray[:, w // 5 : w - w // 5]
    prof = cols.mean(axis=1, dtype=np.float32)[:, None]
    out = cv2.resize(prof, (1, ROW_BINS), interpolation=cv2.INTER_AREA)
    return np.asarray(out, dtype=np.float32).reshape(-1)


def banding_peak(
    profiles: npt.NDArray[np.float32], min_cycles: int = 5, max_cycles: int = 40
) -> float:
    """Rolling-shutter banding of a pulsed light source: a screen's backlight (PWM,
    200-1000 Hz) read out row by row makes horizontal bands that drift from frame to
    frame. From the row profiles of consecutive frames (N x ``ROW_BINS``), each divided
    by its mean: the frame-to-frame change of the profile (still content cancels, drifting
    bands do not), its spectrum along the rows, the median spectrum over the clip (bands
    keep their spacing; motion does not), and the strongest peak between ``min_cycles``
    and ``max_cycles`` cycles per frame height over the median of that band. 0 when too
    short. (Mains-powered lamps at 100/120 Hz make 3-5 bands per height at 25-30 fps, and
    head motion mostly 1-4: both below ``min_cycles``.)"""
    p = np.asarray(profiles, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] < 8 or p.shape[1] < 2 * max_cycles + 2:
        return 0.0
    p = p / np.maximum(p.mean(axis=1, keepdims=True), 1.0)
    d = np.diff(p, axis=0)
    d -= d.mean(axis=1, keepdims=True)
    spec = np.abs(np.fft.rfft(d * np.hanning(p.shape[1]), axis=1)) ** 2
    typical = np.median(spec, axis=0)[min_cycles : max_cycles + 1]
    level = float(np.median(typical))
    return float(typical.max()) / level if level > 0 else 0.0


def screen_moire(moire: Series, min_peak: float, min_frames: int = 5) -> bool:
    """A screen's pixel pattern persists on the face: the median of the per-frame moiré
    peaks (frames with a face large enough) reaches ``min_peak``."""
    m = np.asarray(moire, dtype=np.float64)
    m = m[np.isfinite(m)]
    return bool(m.size >= min_frames and float(np.median(m)) >= min_peak)


def screen_flicker(ratio: float, amplitude: float, min_ratio: float, min_amplitude: float) -> bool:
    """A periodic brightness change that stands out of the spectrum and is large."""
    return ratio >= min_ratio and amplitude >= min_amplitude


FRAMING_SIDE = 480  # framing_sides works on the frame scaled to this short side (px)
Segment = tuple[float, float, float]  # position across the side, start, end along it


def framing_sides(
    gray: GrayImage, face: tuple[float, float, float, float], min_len_rel: float = 0.2
) -> int:
    """How the face is framed by long straight edges (at least ``min_len_rel`` of the
    frame's short side): 4 when four of them close a ring around it - a line within 20
    degrees of vertical on each side of the face and one within 20 degrees of horizontal
    above and below it, each spanning the face's centre and reaching the two lines it
    meets (to within a quarter of the ring's size: a screen's bezel, a print's border);
    otherwise how many of the four sides such a line closes (0-3). ``face`` is (left,
    top, right, bottom) in ``gray``'s pixels."""
    import cv2

    h, w = gray.shape[:2]
    k = min(1.0, FRAMING_SIDE / min(h, w))
    g = gray if k == 1.0 else cv2.resize(gray, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
    gh, gw = g.shape[:2]
    left, top, right, bottom = (v * k for v in face)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    edges = cv2.Canny(cv2.GaussianBlur(g, (0, 0), 1.2), 40, 100)
    # thickened: an edge that steps a pixel sideways is still one line
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    lines = cv2.HoughLinesP(
        edges,
        1,
        np.pi / 180,
        threshold=60,
        minLineLength=int(min_len_rel * min(gh, gw)),
        maxLineGap=8,
    )
    sides: list[list[Segment]] = [[], [], [], []]  # left, right, above, below
    for x0, y0, x1, y1 in [] if lines is None else lines.reshape(-1, 4).tolist():
        angle = abs(math.degrees(math.atan2(y1 - y0, x1 - x0))) % 180
        if abs(angle - 90) < 20 and min(y0, y1) < cy < max(y0, y1):
            seg = ((x0 + x1) / 2, min(y0, y1), max(y0, y1))
            if max(x0, x1) < left:
                sides[0].append(seg)
            elif min(x0, x1) > right:
                sides[1].append(seg)
        if (angle < 20 or angle > 160) and min(x0, x1) < cx < max(x0, x1):
            seg = ((y0 + y1) / 2, min(x0, x1), max(x0, x1))
            if max(y0, y1) < top:
                sides[2].append(seg)
            elif min(y0, y1) > bottom:
                sides[3].append(seg)
    if all(sides) and _ring(*sides):
        return 4
    return min(3, sum(1 for s in sides if s))


def _ring(
    lefts: list[Segment], rights: list[Segment], tops: list[Segment], bottoms: list[Segment]
) -> bool:
    """Some left, right, top and bottom line meet at four corners: each reaches the two
    lines across it to within a quarter of the ring's size on that axis."""
    for lx, ly0, ly1 in lefts:
        for rx, ry0, ry1 in rights:
            tol_x = 0.25 * (rx - lx)
            for ty, tx0, tx1 in tops:
                for by, bx0, bx1 in bottoms:
                    tol_y = 0.25 * (by - ty)
                    if (
                        ly0 <= ty + tol_y
                        and ly1 >= by - tol_y
                        and ry0 <= ty + tol_y
                        and ry1 >= by - tol_y
                        and tx0 <= lx + tol_x
                        and tx1 >= rx - tol_x
                        and bx0 <= lx + tol_x
                        and bx1 >= rx - tol_x
                    ):
                        return True
    return False


def screen_framed(sides: Sequence[int], min_share: float, min_frames: int = 3) -> bool:
    """A ring closes around the face (``framing_sides`` 4) in at least ``min_share`` of
    the frames measured (-1 where none was), and in ``min_frames`` of them."""
    s = np.asarray(sides, dtype=np.int64)
    s = s[s >= 0]
    framed = int((s >= 4).sum())
    return bool(s.size and framed >= min_frames and framed >= min_share * s.size)
