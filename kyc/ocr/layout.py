"""Pure geometry of recognised text lines: clustering into documents, reading direction,
the upright document frame, and rows.

Everything here works on plain numbers, so extraction can be tested without models.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

Quad = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Line:
    """A recognised text line in the upright frame of its document.

    Coordinates are in pixels of that frame (x right, y down); ``height`` is the text
    height. ``probs`` are the recogniser's per-character probabilities and ``alts`` the
    runner-up characters per position (for check-character repair).
    """

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    probs: tuple[float, ...] = ()
    alts: tuple[tuple[tuple[str, float], ...], ...] = ()
    source: int = -1  # index of the detected quad

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def confidence(self) -> float:
        return float(np.prod(self.probs)) if self.probs else 0.0

    def sub(self, start: int, end: int | None = None) -> Line:
        """The part of the line from character ``start`` to ``end`` (x interpolated)."""
        n = max(len(self.text), 1)
        stop = len(self.text) if end is None else end
        width = self.x1 - self.x0
        return replace(
            self,
            text=self.text[start:stop],
            x0=self.x0 + width * start / n,
            x1=self.x0 + width * stop / n,
            probs=self.probs[start:stop],
            alts=self.alts[start:stop],
        )


def join_lines(a: Line, b: Line) -> Line:
    """Two lines of one row read as one (``b`` right of ``a``)."""
    return replace(
        a,
        text=a.text + b.text,
        x1=b.x1,
        y0=min(a.y0, b.y0),
        y1=max(a.y1, b.y1),
        probs=a.probs + b.probs,
        alts=a.alts + b.alts,
    )


def long_axis_angle(quad: Quad) -> float:
    """Angle (radians) of the quad's long side, in (-pi/2, pi/2]."""
    q = np.asarray(quad, dtype=np.float64)
    a, b = q[1] - q[0], q[2] - q[1]
    v = a if np.hypot(*a) >= np.hypot(*b) else b
    ang = math.atan2(v[1], v[0])
    if ang <= -math.pi / 2:
        ang += math.pi
    elif ang > math.pi / 2:
        ang -= math.pi
    return ang


def to_upright(quad: Quad, angle: float) -> tuple[float, float, float, float]:
    """Bounding box of ``quad`` in a frame rotated so that text reading at ``angle`` reads
    left to right."""
    c, s = math.cos(-angle), math.sin(-angle)
    pts = np.asarray(quad, dtype=np.float64)
    xs = pts[:, 0] * c - pts[:, 1] * s
    ys = pts[:, 0] * s + pts[:, 1] * c
    return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())


# The window beside a label where its short value is looked for (beside_window), in
# label heights: from just after the label to BESIDE_REACH on, as tall as BESIDE_TALL
# (values are printed larger than their labels); something boxed within BESIDE_NEAR
# of the label is its value already.
BESIDE_REACH = 4.0
BESIDE_TALL = 1.6
BESIDE_NEAR = 1.0


def beside_window(
    label: tuple[float, float, float, float], others: Sequence[tuple[float, float, float, float]]
) -> tuple[float, float, float, float] | None:
    """Where a label's short value stands when nothing was boxed there (an ID card's 汉
    beside 民族, a single character the detector left out): the upright box right of
    ``label`` up to the next box of its row, or BESIDE_REACH label heights; None when a
    box of its row starts within BESIDE_NEAR heights of the label (that is the value),
    or when the room left is narrower than a character."""
    _x0, y0, x1, y1 = label
    h = y1 - y0
    cy = (y0 + y1) / 2
    end = x1 + BESIDE_REACH * h
    for ox0, oy0, ox1, oy1 in others:
        if not (oy0 < cy + 0.5 * h and oy1 > cy - 0.5 * h) or ox1 <= x1:
            continue  # not on the label's row, or not right of it
        if ox0 < x1 + BESIDE_NEAR * h:
            return None
        end = min(end, ox0 - 0.2 * h)
    start = x1 + 0.2 * h
    if end - start < 0.8 * h:
        return None
    return start, cy - BESIDE_TALL * h / 2, end, cy + BESIDE_TALL * h / 2


def read_span(
    window: tuple[float, float, float, float], at: Sequence[float], height: float
) -> tuple[float, float, float, float]:
    """The upright box of what was read in ``window``: from the first character's place
    to the last's (``at``: shares of the window's width), half a character (``height``
    wide) either side, ``height`` tall about the window's middle."""
    x0, y0, x1, y1 = window
    w = x1 - x0
    cy = (y0 + y1) / 2
    left = max(x0, x0 + min(at) * w - height / 2)
    right = min(x1, x0 + max(at) * w + height / 2)
    return left, cy - height / 2, right, cy + height / 2


def quad_height(quad: Quad) -> float:
    q = np.asarray(quad, dtype=np.float64)
    a = float(np.hypot(*(q[1] - q[0])))
    b = float(np.hypot(*(q[2] - q[1])))
    return min(a, b)


def quad_length(quad: Quad) -> float:
    """The length of a box's longer side."""
    q = np.asarray(quad, dtype=np.float64)
    return max(float(np.hypot(*(q[1] - q[0]))), float(np.hypot(*(q[2] - q[1]))))


def aspect(quad: Quad) -> float:
    """Length over height of a line's box."""
    q = np.asarray(quad, dtype=np.float64)
    a = float(np.hypot(*(q[1] - q[0])))
    b = float(np.hypot(*(q[2] - q[1])))
    return max(a, b) / max(min(a, b), 1.0)


def reading_angle(quad: Quad, upside_down: bool) -> float:
    """Direction in which the text of ``quad`` reads, as an image angle in radians.

    The long axis gives the direction up to 180 degrees; lines whose long axis is
    vertical are cropped reading downwards (see ``engine.order_along_long_side``).
    """
    ang = long_axis_angle(quad)
    if abs(abs(ang) - math.pi / 2) < 1e-6:
        ang = math.pi / 2
    return ang + math.pi if upside_down else ang


def _circular_mean(angles: Sequence[float], weights: Sequence[float]) -> float:
    s = sum(w * math.sin(a) for a, w in zip(angles, weights, strict=True))
    c = sum(w * math.cos(a) for a, w in zip(angles, weights, strict=True))
    return math.atan2(s, c)


# Lines within this angle of the document's direction count towards it: a watermark's
# diagonal rows (30-45 degrees) do not pull it off. Measured on generated pages with a
# watermark: its rows moved the plain weighted mean by 4-5 degrees.
ANGLE_BAND = math.radians(6.0)


def dominant_angle(angles: Sequence[float], weights: Sequence[float]) -> float:
    """The reading direction most of the weight agrees on (radians): the weighted mode
    of the angles (each scored by the weight within ``ANGLE_BAND`` of it), refined by
    the weighted circular mean of the angles within the band."""
    if not angles:
        return 0.0

    def near(a: float, b: float) -> bool:
        return abs(math.remainder(a - b, 2 * math.pi)) < ANGLE_BAND

    mode = max(
        angles,
        key=lambda a: sum(w for b, w in zip(angles, weights, strict=True) if near(a, b)),
    )
    kept = [(a, w) for a, w in zip(angles, weights, strict=True) if near(a, mode)]
    return _circular_mean([a for a, _ in kept], [w for _, w in kept])


# Lines of one document run within this angle of each other (perspective and a bent
# page included); a watermark or a stamp over it runs at another angle.
AXIS_TOLERANCE = math.radians(20.0)


def axes_agree(a: float, b: float, tolerance: float = AXIS_TOLERANCE) -> bool:
    """Whether two line directions (radians, either way along the line) lie within
    ``tolerance`` of each other."""
    return abs(math.sin(a - b)) <= math.sin(tolerance)


def _to_polygon(quad: Quad, point: tuple[float, float]) -> float:
    """Distance from ``point`` to the quad (0 inside it)."""
    import cv2

    inside = cv2.pointPolygonTest(np.asarray(quad, dtype=np.float32), point, True)
    return max(0.0, -float(inside))


def cluster_quads(
    quads: Sequence[Quad],
    gap: float,
    angles: Sequence[float | None] | None = None,
    axes: Sequence[float | None] | None = None,
) -> list[list[int]]:
    """Group quads whose bounding boxes lie within ``gap`` pixels of each other. With
    ``angles`` (reading directions, None where unknown), lines reading in clearly
    different directions are never linked: two cards side by side may face different
    ways. With ``axes`` (the direction of each line's long side, None for lines too
    short to have one), lines more than ``AXIS_TOLERANCE`` apart are never linked: a
    diagonal watermark over a document is not part of it."""
    n = len(quads)
    boxes = [
        (float(q[:, 0].min()), float(q[:, 1].min()), float(q[:, 0].max()), float(q[:, 1].max()))
        for q in quads
    ]
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def apart(i: int, j: int) -> float:
        a, b = boxes[i], boxes[j]
        dx = max(0.0, max(a[0], b[0]) - min(a[2], b[2]))
        dy = max(0.0, max(a[1], b[1]) - min(a[3], b[3]))
        return max(dx, dy)

    def axis(i: int) -> float | None:
        return axes[i] if axes is not None else None

    def alike(i: int, j: int) -> bool:
        """Whether two lines may be one document's: they read the same way (where both
        directions are known) and run along one axis (where both have one)."""
        ai = angles[i] if angles is not None else None
        aj = angles[j] if angles is not None else None
        if ai is not None and aj is not None and math.cos(ai - aj) < 0.5:
            return False
        xi, xj = axis(i), axis(j)
        return xi is None or xj is None or axes_agree(xi, xj)

    for i in range(n):
        for j in range(i + 1, n):
            if apart(i, j) > gap or not alike(i, j):
                continue
            if axes is not None and (axis(i) is None or axis(j) is None):
                continue  # a short line joins its nearest long one below, not every one
            parent[find(i)] = find(j)
    if axes is not None:
        # A line too short to have a direction (one or two characters) joins the group of
        # the nearest line that has one: linked to all of them, it would chain a
        # watermark to the document under it. Short lines with no long one near them
        # group among themselves.
        longs = [j for j in range(n) if axes[j] is not None]
        shorts = [i for i in range(n) if axes[i] is None]
        alone = []
        for i in shorts:
            # by the distance to the long line itself, not to its bounding box (a diagonal
            # watermark's box covers much of the document under it)
            centre = (float(quads[i][:, 0].mean()), float(quads[i][:, 1].mean()))
            near = [(_to_polygon(quads[k], centre), k) for k in longs if apart(i, k) <= gap]
            if near:
                nearest = min(near)[1]
                parent[find(i)] = find(nearest)
                # A short line between two runs of long lines that read the same way
                # bridges them: a stacked layout's label and short value (姓名 over 谢正)
                # fill the gap between a permit's title and its fields that no two long
                # lines span. Lines of another direction (a watermark) are not bridged.
                for _, k in near:
                    if find(k) != find(nearest) and alike(k, nearest):
                        parent[find(k)] = find(nearest)
            else:
                alone.append(i)
        for a, i in enumerate(alone):
            for j in alone[a + 1 :]:
                if apart(i, j) <= gap:
                    parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: -len(g))


def rows(lines: Sequence[Line], tolerance: float = 0.5) -> list[list[Line]]:
    """Lines grouped into rows (top to bottom), each row sorted left to right.

    A line joins the row whose mean vertical centre is nearest to its own, when they
    differ by less than ``tolerance`` times the smaller of its height and the row's
    (nearest, not first: a line between two rows must not chain them together).
    """
    out: list[list[Line]] = []
    for line in sorted(lines, key=lambda ln: ln.cy):
        best: tuple[float, list[Line]] | None = None
        for row in out:
            cy = sum(ln.cy for ln in row) / len(row)
            height = min(line.height, *(ln.height for ln in row))
            diff = abs(cy - line.cy)
            if diff < tolerance * height and (best is None or diff < best[0]):
                best = (diff, row)
        if best is None:
            out.append([line])
        else:
            best[1].append(line)
    return [sorted(r, key=lambda ln: ln.x0) for r in out]
