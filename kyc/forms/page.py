"""Find the printed page in a photo or scan and rectify it to an upright A4 frame.

Pure functions on arrays (OpenCV). The page is the largest bright, unsaturated region
whose outline is close to a quadrilateral and lies on an edge of the photo all the way
round (a bright region that merged the page with a lit table is no page); candidates come
from two masks (a whiteness threshold and the edges of the photo) and the most page-like
wins. A scan whose page
fills the frame, or a page on a background of its own colour, falls back to the whole
image (its text lines then give the skew).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

BGRImage = npt.NDArray[np.uint8]
Quad = npt.NDArray[np.float32]

A4_RATIO = 297.0 / 210.0
# share of a candidate outline that must lie on an edge of the photo (tuned forms:
# page outlines 0.74-1.0; quads that merged the page with a lit background 0.03-0.55)
MIN_EDGE_SUPPORT = 0.65


@dataclass(frozen=True)
class PageFit:
    quad: Quad  # tl, tr, br, bl of the page in the photo (portrait order)
    found: bool  # False: the whole image was taken as the page
    score: float


def order_corners(quad: Quad) -> Quad:
    """Corners in clockwise order (image y down), starting so that the first side is a
    short one (the top or bottom of a portrait page)."""
    q = np.asarray(quad, dtype=np.float32).reshape(4, 2)
    c = q.mean(axis=0)
    ang = np.arctan2(q[:, 1] - c[1], q[:, 0] - c[0])
    q = q[np.argsort(ang)]
    # start at the corner nearest the image's top-left, for a stable order
    k = int(np.argmin(q.sum(axis=1)))
    q = np.roll(q, -k, axis=0)
    top = np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])
    side = np.linalg.norm(q[2] - q[1]) + np.linalg.norm(q[3] - q[0])
    if top > side:  # landscape as seen: turn the order a quarter so the page is portrait
        q = np.roll(q, -1, axis=0)
    return q


def _quad_of(contour: npt.NDArray[np.int32]) -> npt.NDArray[np.float32] | None:
    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    for eps in (0.01, 0.015, 0.02, 0.03, 0.04, 0.06):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return np.asarray(approx, dtype=np.float32).reshape(4, 2)
        if len(approx) < 4:
            break
    return None


def _score(quad: Quad, contour_area: float, small: BGRImage) -> float:
    """How page-like a candidate quad is: large, filled by its region, A4-ish, brighter
    inside than around. 0 when implausible."""
    h, w = small.shape[:2]
    area = float(cv2.contourArea(quad))
    if area < 0.12 * h * w or area <= 0:
        return 0.0
    fill = contour_area / area
    if fill < 0.85:
        return 0.0
    q = order_corners(quad)
    short = float(np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    long = float(np.linalg.norm(q[2] - q[1]) + np.linalg.norm(q[3] - q[0])) / 2
    ratio = long / max(short, 1.0)
    if not 1.05 <= ratio <= 2.2:
        return 0.0
    return float(area / (h * w) * fill * math.exp(-abs(math.log(ratio / A4_RATIO))))


def edge_support(quad: Quad, edges: npt.NDArray[np.uint8], step: float = 2.0) -> float:
    """Share of the quad's outline, sampled every ``step`` px, that lies on an edge of
    the photo (``edges``: a dilated edge map). Points on the frame's own border are left
    out: a page cut by the frame has no edge there, and neither has a quad that merely
    runs along it."""
    h, w = edges.shape[:2]
    q = np.asarray(quad, np.float64).reshape(4, 2)
    parts = []
    for a, b in zip(q, np.roll(q, -1, axis=0), strict=True):
        n = max(2, int(np.hypot(*(b - a)) / step))
        t = np.linspace(0.0, 1.0, n, endpoint=False)[:, None]
        parts.append(a + t * (b - a))
    pts = np.concatenate(parts)
    xi, yi = np.rint(pts).astype(np.int64).T
    inside = (xi > 3) & (yi > 3) & (xi < w - 4) & (yi < h - 4)
    if not inside.any():
        return 1.0
    return float((edges[yi[inside], xi[inside]] > 0).mean())


def find_page(image: BGRImage, work_side: int = 640) -> PageFit:
    """The page's quad in ``image`` (or the whole image when none is found)."""
    h, w = image.shape[:2]
    k = min(1.0, work_side / max(h, w))
    small = np.asarray(
        cv2.resize(image, None, fx=k, fy=k, interpolation=cv2.INTER_AREA), dtype=np.uint8
    )
    sh, sw = small.shape[:2]
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    white = cv2.subtract(hsv[:, :, 2], hsv[:, :, 1])
    white = cv2.GaussianBlur(white, (5, 5), 0)
    masks = []
    _, th = cv2.threshold(white, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    masks.append(th)
    gray = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (5, 5), 0)
    edges = cv2.Canny(gray, 30, 90)
    edge_map = np.asarray(cv2.dilate(edges, np.ones((3, 3), np.uint8)), np.uint8)
    masks.append(edge_map)
    best: tuple[float, Quad | None] = (0.0, None)
    close = np.ones((9, 9), np.uint8)
    for i, mask in enumerate(masks):
        if i == 0:
            mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, close)
            mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for c in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
            quad = _quad_of(np.asarray(c, np.int32))
            if quad is None:
                continue
            touches = (
                (quad[:, 0] <= 2).sum()
                + (quad[:, 0] >= sw - 3).sum()
                + (quad[:, 1] <= 2).sum()
                + (quad[:, 1] >= sh - 3).sum()
            )
            if touches >= 3:  # the frame itself, not a page in it
                continue
            hull_area = float(cv2.contourArea(cv2.convexHull(c)))
            # a page's outline is an edge of the photo all the way round; a bright
            # region that merged the page with lit table or floor is not
            support = edge_support(quad, edge_map)
            if support < MIN_EDGE_SUPPORT:
                continue
            s = _score(quad, hull_area, small) * support
            if s > best[0]:
                best = (s, quad)
    if best[1] is None:
        full = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
        return PageFit(order_corners(full), False, 0.0)
    return PageFit(order_corners(best[1] / k), True, best[0])


def rectify(image: BGRImage, quad: Quad, width: int) -> tuple[BGRImage, npt.NDArray[np.float64]]:
    """The page warped to ``width`` x A4 height, and the photo -> page homography."""
    height = round(width * A4_RATIO)
    dst = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    m = cv2.getPerspectiveTransform(np.asarray(quad, np.float32), dst)
    page = cv2.warpPerspective(
        image, m, (width, height), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(page, dtype=np.uint8), m.astype(np.float64)


def rotate_page(page: BGRImage, turns: int) -> BGRImage:
    """The page turned by ``turns`` quarter turns counter-clockwise."""
    return np.ascontiguousarray(np.rot90(page, turns % 4))
