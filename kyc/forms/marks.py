"""What is drawn on the rectified page besides print: red seals, handwriting in blanks,
ticks in tick boxes. Pure functions on the page image (numpy / OpenCV).

Coordinates are page pixels; sizes are in ``u``, the median height of the printed text
lines, so the measures do not depend on the page's resolution.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

BGRImage = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.bool_]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class Seal:
    cx: float
    cy: float
    radius: float
    box: Box
    red_px: int


@dataclass(frozen=True)
class TickBox:
    box: Box
    ink: float  # share of the box's inside covered by ink


@dataclass(frozen=True)
class Ink:
    """Masks of one page: ``dark`` (pen and print, red excluded), ``red`` (seal ink),
    ``rules`` (long straight lines: table borders and underlines)."""

    dark: Mask
    red: Mask
    rules: Mask
    u: float


def ink_masks(page: BGRImage, u: float) -> Ink:
    """Dark ink relative to the local paper brightness (a shadow or a lighting gradient
    does not make paper ink), red seal ink by its colour, and ruled lines."""
    b, g, r = (page[:, :, i].astype(np.int16) for i in range(3))
    red = (r - np.maximum(g, b) > 45) & (r > 90)
    gray = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    k = max(9, int(u) | 1)
    paper = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    paper = cv2.GaussianBlur(paper, (0, 0), k / 2)
    ratio = gray.astype(np.float32) / np.maximum(paper.astype(np.float32), 1.0)
    dark = ratio < 0.7
    # ruled lines are looked for in fainter ink (a thin printed line is lighter than a
    # pen stroke along part of its length and comes out in pieces at the pen's
    # threshold) and before the seal ink is taken out (a seal stamped over an underline
    # cuts it into pieces shorter than a rule)
    faint = ratio < 0.85
    # a band along the page's edges may hold the table or the page's shadow
    band = max(2, int(0.025 * page.shape[1]))
    for m in (red, dark, faint):
        m[:band], m[-band:], m[:, :band], m[:, -band:] = False, False, False, False
    rules = ruled_lines(faint.astype(np.uint8), u)
    dark &= ~red
    # a dark pixel that is reddish (a pen stroke over a seal is not) is seal ink too, and
    # so are the seal strokes' edges (JPEG keeps colour at half resolution)
    dark &= ~((r - np.maximum(g, b) > 30) & (r > 60))
    dark &= ~(cv2.dilate(red.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)
    return Ink(dark, red, rules, u)


def ruled_lines(d8: npt.NDArray[np.uint8], u: float) -> Mask:
    """Long straight lines of the dark mask ``d8`` (3 u or longer), widened by a pixel.

    A rule tilted by a pixel over its length steps from one row to the next: the mask
    is joined one pixel across the line before a run is looked for along it."""
    run = max(15, int(3 * u))
    rules = np.zeros_like(d8)
    for across, along in (((3, 1), (1, run)), ((1, 3), (run, 1))):
        joined = cv2.dilate(d8, np.ones(across, np.uint8))
        rules |= np.asarray(
            cv2.morphologyEx(joined, cv2.MORPH_OPEN, np.ones(along, np.uint8)), np.uint8
        )
    return np.asarray(cv2.dilate(rules, np.ones((3, 3), np.uint8)), np.uint8) > 0


def find_seals(red: Mask, page_width: int, min_diameter: float, max_diameter: float) -> list[Seal]:
    """Round red seals: red ink joined into blobs whose enclosing circle has a seal's
    diameter (as a share of the page width) and which hold enough red ink."""
    m = red.astype(np.uint8)
    k = max(3, int(page_width * 0.012))
    joined = cv2.morphologyEx(
        m, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    )
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined)
    seals = []
    for i in range(1, n):
        x, y, w, h, _area = (int(v) for v in stats[i])
        if max(w, h) < min_diameter * page_width * 0.5:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        pts = np.stack([xs + x, ys + y], axis=1).astype(np.float32)
        (cx, cy), radius = cv2.minEnclosingCircle(pts)
        d = 2 * radius / page_width
        if d > max_diameter and max(w, h) <= 2 * max_diameter * page_width:
            # two seals stamped overlapping join into one blob: each is its own ring
            inked = m[y : y + h, x : x + w] > 0
            ring = (labels[y : y + h, x : x + w] == i) & inked
            seals += _rings(ring, inked, x, y, page_width, min_diameter, max_diameter)
            continue
        if not min_diameter <= d <= max_diameter:
            continue
        red_px = int(m[y : y + h, x : x + w].sum())
        if red_px < 0.04 * np.pi * radius * radius:  # a seal's ring, star and text
            continue
        seals.append(Seal(float(cx), float(cy), float(radius), (x, y, x + w, y + h), red_px))
    # a seal's ring and its inside can come apart into two blobs: one seal
    merged: list[Seal] = []
    for s in sorted(seals, key=lambda s: -s.radius):
        if all(math.hypot(s.cx - m.cx, s.cy - m.cy) > 0.6 * m.radius for m in merged):
            merged.append(s)
    return merged


def _rings(
    red: Mask,
    inked: Mask,
    x0: int,
    y0: int,
    page_width: int,
    min_diameter: float,
    max_diameter: float,
) -> list[Seal]:
    """Seal rings in a red blob too large for one seal (``red``, a window at x0, y0 of
    the page; ``inked``: all red ink there): circles of a seal's size whose
    circumference is red for at least half its length."""
    r_min = max(4, int(min_diameter * page_width / 2))
    r_max = int(max_diameter * page_width / 2)
    img = cv2.GaussianBlur(red.astype(np.uint8) * 255, (5, 5), 0)
    found = cv2.HoughCircles(
        img, cv2.HOUGH_GRADIENT, dp=1, minDist=r_min, param1=100, param2=30,
        minRadius=r_min, maxRadius=r_max,
    )  # fmt: skip
    if found is None:
        return []
    near = cv2.dilate(red.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    h, w = red.shape
    angles = np.linspace(0, 2 * np.pi, 180, endpoint=False)
    yy, xx = np.ogrid[:h, :w]
    out = []
    for cx, cy, r in found[0]:
        px = np.clip(np.round(cx + r * np.cos(angles)).astype(int), 0, w - 1)
        py = np.clip(np.round(cy + r * np.sin(angles)).astype(int), 0, h - 1)
        if near[py, px].mean() < 0.5:
            continue
        e = 1.1 * r  # the ring's own width around the circle found on one of its edges
        box = (float(x0 + cx - e), float(y0 + cy - e), float(x0 + cx + e), float(y0 + cy + e))
        inside = (xx - cx) ** 2 + (yy - cy) ** 2 <= r * r
        red_px = int((inked & inside).sum())
        out.append(Seal(float(x0 + cx), float(y0 + cy), float(r), box, red_px))
    return out


def red_marks(red: Mask, seals: Sequence[Seal], u: float) -> int:
    """Red ink outside every seal (a red pen tick or note), in pixels."""
    m = red.copy()
    for s in seals:
        x0, y0, x1, y1 = (int(v) for v in s.box)
        m[max(0, y0) : y1, max(0, x0) : x1] = False
    return _without_specks(m, u)


def _without_specks(mask: Mask, u: float) -> int:
    """Pixels of ``mask`` in components of at least a few pixels (noise dropped)."""
    m = mask.astype(np.uint8)
    _n, _labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    keep = stats[1:, cv2.CC_STAT_AREA] >= max(4, int(0.02 * u * u))
    return int(stats[1:, cv2.CC_STAT_AREA][keep].sum())


def zone_ink(ink: Ink, zone: Box, exclude: Sequence[Box] = ()) -> float:
    """Dark ink inside ``zone`` that is neither a ruled line nor inside an ``exclude``
    box (printed labels), in units of u**2."""
    h, w = ink.dark.shape
    x0, y0, x1, y1 = (int(round(v)) for v in zone)
    x0, y0 = max(0, x0), max(0, y0)
    x1, y1 = min(w, x1), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return 0.0
    m = ink.dark[y0:y1, x0:x1] & ~ink.rules[y0:y1, x0:x1]
    m = m.copy()
    pad = 2
    for bx0, by0, bx1, by1 in exclude:
        ex0, ey0 = max(0, int(bx0) - pad - x0), max(0, int(by0) - pad - y0)
        ex1, ey1 = int(bx1) + pad - x0, int(by1) + pad - y0
        if ex1 > 0 and ey1 > 0:
            m[ey0:ey1, ex0:ex1] = False
    return _without_specks(m, ink.u) / (ink.u * ink.u)


def _segments(mask: npt.NDArray[np.uint8], horizontal: bool) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x0, y0, x1, y1) of the straight strokes in ``mask``."""
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    out = []
    for i in range(1, n):
        x, y, w, h, _a = (int(v) for v in stats[i])
        if (w >= 3 * h) if horizontal else (h >= 3 * w):
            out.append((x, y, x + w, y + h))
    return out


def find_tick_boxes(ink: Ink) -> list[TickBox]:
    """Printed tick boxes (small hollow squares) and how much ink is inside each.

    Boxes are built from straight strokes only, so a tick or a cross (diagonal) does not
    hide its box: a top and a bottom stroke of the same span 0.45-1.3 u long, one span
    apart, joined by a stroke down each end, and no stroke across the inside (which
    rules out characters such as 日 or 目)."""
    u = ink.u
    d8 = ink.dark.astype(np.uint8)
    run = max(3, int(0.35 * u))
    hmask = np.asarray(cv2.morphologyEx(d8, cv2.MORPH_OPEN, np.ones((1, run), np.uint8)), np.uint8)
    vmask = np.asarray(cv2.morphologyEx(d8, cv2.MORPH_OPEN, np.ones((run, 1), np.uint8)), np.uint8)
    hs = [h for h in _segments(hmask, True) if 0.5 * u <= h[2] - h[0] <= 1.3 * u]
    hs.sort(key=lambda h: (h[0], h[1]))
    starts = [h[0] for h in hs]
    out: list[TickBox] = []
    for top in hs:
        span = top[2] - top[0]
        tol = max(2.0, 0.15 * span)
        # the bottom stroke may start a little left of the top one (a cross's arm
        # lengthens it): look from tol left of the top's start, not from the top on
        for bot in hs[bisect_left(starts, top[0] - tol) :]:
            if bot[0] - top[0] > tol:
                break
            if bot[1] <= top[1]:
                continue
            height = bot[3] - top[1]
            if abs(bot[2] - top[2]) > tol or not 0.75 * span <= height <= 1.3 * span:
                continue
            # the narrower of the two strokes: a tick's overshoot may lengthen one of them
            x0, y0, x1, y1 = max(top[0], bot[0]), top[1], min(top[2], bot[2]), bot[3]
            # each side is looked for in a band a fifth of the box wide, from 2 px
            # outside the strokes' ends: a tick through the top corner lengthens the top
            # and bottom strokes past the side; a slightly turned box shifts its sides
            t = max(3, int(0.2 * span))
            left = vmask[y0:y1, max(0, x0 - 2) : x0 + t].any(axis=1).mean()
            right = vmask[y0:y1, x1 - t : x1 + 2].any(axis=1).mean()
            if min(left, right) < 0.7:
                continue
            # a box's sides stop at its top and bottom; the lower half of 日, 目 or 由
            # has sides that run on above its "top"
            ext = max(2, int(0.3 * span))
            above = (
                vmask[max(0, y0 - ext) : max(0, y0 - 1), x0 : x0 + t].any(axis=1).mean()
                if y0 > 2
                else 0.0
            )
            above_r = (
                vmask[max(0, y0 - ext) : max(0, y0 - 1), x1 - t : x1].any(axis=1).mean()
                if y0 > 2
                else 0.0
            )
            below = (
                vmask[y1 + 1 : y1 + ext, x0 : x0 + t].any(axis=1).mean()
                if y1 + 2 < vmask.shape[0]
                else 0.0
            )
            below_r = (
                vmask[y1 + 1 : y1 + ext, x1 - t : x1].any(axis=1).mean()
                if y1 + 2 < vmask.shape[0]
                else 0.0
            )
            if min(above, above_r) > 0.6 or min(below, below_r) > 0.6:
                continue
            inset = max(2, int(0.22 * span))
            inner = ink.dark[y0 + inset : y1 - inset, x0 + inset : x1 - inset]
            if inner.size == 0:
                continue
            # a printed box stands apart from its words; a box-shaped part of a character
            # (国, 四, 马) touches its neighbours within a word
            my0, my1 = y0 + int(0.3 * (y1 - y0)), y1 - int(0.3 * (y1 - y0))
            # two pixels off either side: a tick crossing a side thickens it by one
            left = ink.dark[my0:my1, max(0, x0 - int(0.25 * u)) : max(0, x0 - 2)]
            right = ink.dark[my0:my1, x1 + 2 : x1 + 2 + int(0.12 * u)]
            if (left.size and left.mean() > 0.05) or (right.size and right.mean() > 0.05):
                continue
            # a bar from side to side is a character's stroke (日, 田, 由), not a tick: a
            # tick or a cross never joins two opposite sides along a row or a column
            rows = ink.dark[y0 + inset : y1 - inset, x0:x1]
            cols = ink.dark[y0:y1, x0 + inset : x1 - inset]
            if rows.all(axis=1).any() or cols.all(axis=0).any():
                continue
            out.append(TickBox((x0, y0, x1, y1), float(inner.mean())))
            break
    return out


def in_line_with_others(boxes: Sequence[TickBox], u: float) -> list[TickBox]:
    """The boxes that stand in a column or a row with another one (left or top edges
    within 0.4 u): a form prints its tick boxes as a list. A lone box-shaped blob (a bold
    handwritten character) is none; with fewer than two boxes there is nothing to tell."""
    if len(boxes) < 2:
        return list(boxes)
    tol = 0.4 * u
    return [
        b
        for b in boxes
        if any(
            o is not b and (abs(o.box[0] - b.box[0]) <= tol or abs(o.box[1] - b.box[1]) <= tol)
            for o in boxes
        )
    ]
