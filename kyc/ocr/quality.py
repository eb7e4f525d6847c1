"""Image-quality and fraud signals, the document's outline, rectification, the ID portrait
and the filing-ready JPEG.

The signals are simple measurements with thresholds in ``QualityThresholds``; the
benchmark (scripts/bench_ocr.py) reports their recall and precision on generated photos.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kyc.imageio import BGRImage, encode_jpeg
from kyc.ocr.engine import Quad

CARD_SIZE = (856, 540)  # ISO/IEC 7810 ID-1 at 10 px/mm
THUMB_MM = 16.0  # width of a thumb over a document
LICENSE_WIDTH = 1600


@dataclass(frozen=True)
class Region:
    quads: list[Quad]
    angle: float  # reading direction of the text (radians)
    kind: str


@dataclass(frozen=True)
class QualityThresholds:
    # Set from scripts/calibrate_quality.py on generated photos (see the README).
    # Pixels per millimetre of the document (its width in the photo over its printed
    # width): below this its characters are too few pixels for a filing copy. The limit
    # itself is 4.0 for a card and 2.7 for a license (kyc.synth.LOW_RESOLUTION_PX_PER_MM,
    # text ~11 px high); the outline found from the text measures 0.64-1.11 of the true
    # density (median 0.84 for cards, 0.94 for licenses, 30 tuned photos), so each floor
    # is the limit times that median. Photos within ~15% of the limit fall either way.
    min_px_per_mm_card: float = 3.4
    min_px_per_mm_license: float = 2.5
    # A page measured by its paper's edges (``page_px_per_mm``): 0.92-1.04 of the true
    # density, median 0.95 on 34 tuned photos (seeds 379, 383): the limit times that.
    min_px_per_mm_page_paper: float = 2.56
    blur_sharpness: float = 0.61  # gradient energy per unit contrast on text lines
    glare_fraction: float = 0.003  # share of the document under a highlight blob
    # Share of clearly coloured pixels in the text block, below which it is a photocopy.
    # A license's block is mostly black on white (its colour is the seal): measured (seed
    # 99) 0.0005-0.02 on colour photos, 0 on greyscale copies.
    photocopy_colour: float = 0.001
    photocopy_colour_license: float = 0.0002
    moire_ratio: float = 2.3  # log-spectrum spike above its neighbourhood
    # Skin-toned blobs in the text block, in thumb-tips (16 mm squares at the document's
    # resolution). Measured (seed 99, 5 photos per kind and condition): 0.31-3.5 under a
    # thumb, at most 0.06 otherwise (licenses' skin-toned print is opened away).
    skin_thumbs: float = 0.15
    border_margin: float = 3.0  # px: text this close to the photo's edge is cut off
    # The document's own paper, grown from its text block at 1/4 scale (neighbour steps
    # of at most paper_step per channel), reaching the photo's edge also means cut off;
    # a region grown past paper_max_area x the expected document has leaked into a
    # background of the same colour and says nothing.
    paper_step: float = 4.0
    paper_max_area: float = 1.1


@dataclass(frozen=True)
class QualityReport:
    warnings: tuple[str, ...]
    score: float
    outline: npt.NDArray[np.float32]  # 4x2 corners, reading order: tl, tr, br, bl
    rectified: BGRImage | None
    kind: str
    measures: dict[str, float]
    # What may hide each document's text (one per region assessed, in their order)
    occluders: tuple[Occluders, ...] = ()


def _rotate(points: npt.NDArray[np.float64], angle: float) -> npt.NDArray[np.float64]:
    c, s = math.cos(angle), math.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    out: npt.NDArray[np.float64] = points @ rot.T
    return out


def outline_from_text(region: Region) -> npt.NDArray[np.float32]:
    """The document's corners estimated from its text block (tl, tr, br, bl)."""
    pts = np.concatenate([np.asarray(q, dtype=np.float64) for q in region.quads])
    up = _rotate(pts, -region.angle)
    x0, y0 = up.min(axis=0)
    x1, y1 = up.max(axis=0)
    w, h = x1 - x0, y1 - y0
    if region.kind == "id_card_front":
        box = (x0 - 0.07 * w, y0 - 0.16 * h, x1 + 0.06 * w, y1 + 0.16 * h)
    elif region.kind == "id_card_back":
        box = (x0 - 0.09 * w, y0 - 0.22 * h, x1 + 0.09 * w, y1 + 0.15 * h)
    else:
        box = (x0 - 0.05 * w, y0 - 0.06 * h, x1 + 0.05 * w, y1 + 0.06 * h)
    corners = np.array([[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]])
    return _rotate(corners, region.angle).astype(np.float32)


# Printed width of each document in mm: the ID-1 card, and the longer side of a business
# license copy (副本, A4-sized in portrait or landscape); a passport data page.
PRINTED_WIDTH_MM = {"id_card": 85.6, "business_license": 297.0, "passport": 125.0}
# The other certificates (issue 17): the residents' permits are ID-1 cards, unit
# certificates pages like a license; passports and permits print a portrait beside text.
CARD_KINDS = ("hk_macao_permit", "taiwan_permit")
PAGE_KINDS = (
    "business_license",
    "institution_certificate",
    "social_group_certificate",
    "private_non_enterprise_certificate",
)
PORTRAIT_KINDS = ("passport", *CARD_KINDS)


def is_card(kind: str) -> bool:
    return kind.startswith("id_card") or kind in CARD_KINDS


def px_per_mm(outline: npt.NDArray[np.float32], kind: str) -> float:
    """The document's resolution in the photo: its width along the text over its printed
    width (the longer side for a license, which may be printed either way round)."""
    w = float(np.linalg.norm(outline[1] - outline[0]))
    h = float(np.linalg.norm(outline[3] - outline[0]))
    if is_card(kind):
        return w / PRINTED_WIDTH_MM["id_card"]
    if kind == "passport":
        return w / PRINTED_WIDTH_MM["passport"]
    return max(w, h) / PRINTED_WIDTH_MM["business_license"]


def rectify_transform(
    outline: npt.NDArray[np.float32], kind: str
) -> tuple[npt.NDArray[np.float64], tuple[int, int]]:
    """The homography from the photo to the rectified document, and that image's size."""
    w_src = float(np.linalg.norm(outline[1] - outline[0]))
    h_src = float(np.linalg.norm(outline[3] - outline[0]))
    if is_card(kind):
        size = CARD_SIZE
    else:
        size = (LICENSE_WIDTH, max(1, round(LICENSE_WIDTH * h_src / max(w_src, 1.0))))
    dst = np.array([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(outline.astype(np.float32), dst)
    return np.asarray(m, dtype=np.float64), size


def rectify(image: BGRImage, outline: npt.NDArray[np.float32], kind: str) -> BGRImage:
    m, size = rectify_transform(outline, kind)
    out = cv2.warpPerspective(
        image, m, size, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0)
    )
    return np.asarray(out, dtype=np.uint8)


def _text_crops(image: BGRImage, quads: Sequence[Quad], limit: int = 8) -> list[BGRImage]:
    from kyc.ocr.engine import crop_line

    longest = sorted(quads, key=lambda q: -float(np.linalg.norm(q[1] - q[0])))[:limit]
    return [crop_line(image, q) for q in longest]


def sharpness(crops: Sequence[BGRImage]) -> float:
    """Median gradient energy per unit contrast over text-line crops (scale-normalised to a
    32 px line height)."""
    values = []
    for crop in crops:
        gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY).astype(np.float32)
        h = gray.shape[0]
        if h < 4:
            continue
        scale = 32.0 / h
        gray = np.asarray(
            cv2.resize(gray, (max(4, round(gray.shape[1] * scale)), 32)), dtype=np.float32
        )
        contrast = float(np.percentile(gray, 95) - np.percentile(gray, 5))
        if contrast < 10:
            continue
        gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
        mag = np.sqrt(gx * gx + gy * gy)
        values.append(float(np.percentile(mag, 90)) / (contrast * 4.0))
    return float(np.median(values)) if values else 0.0


def u8_percentiles(plane: npt.NDArray[np.uint8], qs: Sequence[float]) -> list[float]:
    """``np.percentile(plane, qs)`` of an 8-bit image plane (linear interpolation
    between the order statistics, numpy's arithmetic), counted from a histogram instead
    of sorting the pixels."""
    if plane.size == 0 or plane.size >= 1 << 24:
        return [float(v) for v in np.percentile(plane, qs)]
    hist = cv2.calcHist([np.ascontiguousarray(plane)], [0], None, [256], [0, 256])
    cum = np.cumsum(hist.ravel().astype(np.int64))
    n = int(cum[-1])

    def at(rank: int) -> float:
        return float(np.searchsorted(cum, rank, side="right"))

    out = []
    for q in qs:
        where = (n - 1) * (q / 100)
        below = math.floor(where)
        if where >= n - 1:
            out.append(at(n - 1))
            continue
        a, b, t = at(below), at(below + 1), where - below
        out.append(b - (b - a) * (1 - t) if t >= 0.5 else a + (b - a) * t)
    return out


def u8_median(
    image: npt.NDArray[np.uint8], channel: int, mask: npt.NDArray[np.uint8]
) -> float | None:
    """``np.median`` of one channel of an 8-bit image where ``mask`` is set (None:
    nowhere): the same number, counted from a histogram instead of sorting the pixels."""
    if mask.size >= 1 << 24:  # beyond float32's whole numbers, which calcHist counts in
        inside = image[:, :, channel][mask > 0]
        return float(np.median(inside)) if inside.size else None
    hist = cv2.calcHist([image], [channel], mask, [256], [0, 256]).ravel().astype(np.int64)
    n = int(hist.sum())
    if n == 0:
        return None
    cum = np.cumsum(hist)
    lo = int(np.searchsorted(cum, (n - 1) // 2, side="right"))
    hi = int(np.searchsorted(cum, n // 2, side="right"))
    return (lo + hi) / 2


def _region_mask(shape: tuple[int, ...], outline: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:
    mask = np.zeros(shape[:2], dtype=np.uint8)
    cv2.fillConvexPoly(mask, np.round(outline).astype(np.int32), 255)
    return mask


def highlight_mask(
    hsv: BGRImage, paper: float, h_med: float, within: npt.NDArray[np.uint8]
) -> npt.NDArray[np.uint8]:
    """Saturated, colourless highlight blobs at least half a text line across, inside
    ``within`` (``paper``: the document's typical brightness)."""
    level = math.ceil(max(245.0, paper + 12.0))  # values are whole: v >= level
    if level > 255:
        return np.zeros(hsv.shape[:2], np.uint8)
    bright = cv2.inRange(hsv, (0, 0, level), (255, 40, 255))
    bright = np.asarray(cv2.bitwise_and(bright, bright, mask=within), np.uint8) // 255  # 0/1
    k = max(1, int(h_med * 0.5))
    return np.asarray(cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((k, k), np.uint8)))


def glare_fraction(hsv: BGRImage, mask: npt.NDArray[np.uint8], h_med: float) -> float:
    """Share of the document (``hsv``: its HSV image) covered by saturated, colourless
    highlight blobs that are at least a text line high."""
    paper = u8_median(hsv, 2, mask)
    opened = highlight_mask(hsv, 255.0 if paper is None else paper, h_med, mask)
    area = max(1, cv2.countNonZero(mask))
    return float(cv2.countNonZero(opened)) / area


def text_block_mask(shape: tuple[int, ...], region: Region) -> npt.NDArray[np.uint8]:
    """The document's text block (bounding box of its lines in the reading frame); on an
    ID-card front the portrait's corner (right of the lines above the number) is left out,
    since a face there is expected."""
    pts = np.concatenate([np.asarray(q, dtype=np.float64) for q in region.quads])
    up = _rotate(pts, -region.angle)
    x0, y0 = up.min(axis=0)
    x1, y1 = up.max(axis=0)
    polys = [np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])]
    if region.kind == "id_card_front":
        cut = x0 + 0.62 * (x1 - x0)
        bottom = y1 - 0.12 * (y1 - y0)
        polys = [
            np.array([[x0, y0], [cut, y0], [cut, y1], [x0, y1]]),
            np.array([[cut, bottom], [x1, bottom], [x1, y1], [cut, y1]]),
        ]
    mask = np.zeros(shape[:2], dtype=np.uint8)
    for poly in polys:
        back = _rotate(poly, region.angle)
        cv2.fillConvexPoly(mask, np.round(back).astype(np.int32), 255)
    return mask


def text_lines_mask(shape: tuple[int, ...], region: Region) -> npt.NDArray[np.uint8]:
    """The text lines themselves, widened by half a line's height: where a finger or a
    highlight over a field is looked for on documents whose portrait may stand anywhere
    beside the text (passports, permits), so that the face and its white background are
    not taken for one."""
    mask = np.zeros(shape[:2], dtype=np.uint8)
    for q in region.quads:
        cv2.fillConvexPoly(mask, np.round(q).astype(np.int32), 255)
    h = float(np.median([float(np.linalg.norm(q[3] - q[0])) for q in region.quads]))
    k = max(3, int(0.5 * h))
    return np.asarray(cv2.dilate(mask, np.ones((k, k), np.uint8)), dtype=np.uint8)


def skin_mask(image: BGRImage, hsv: BGRImage) -> npt.NDArray[np.bool_]:
    """Skin-toned pixels: a YCrCb box that holds light to dark skin in light and shade
    (Cr 141-159, Cb 102-118, saturation 58-141 for the tones measured), saturated enough
    not to be beige paper, and orange rather than red in hue (a red stamp laid thin over
    paper is pink: hue 0-3 of 180, skin 10-14)."""
    ycc = cv2.cvtColor(image, cv2.COLOR_BGR2YCrCb)
    box = cv2.inRange(ycc, (0, 138, 80), (255, 180, 125))  # Cr 138-180, Cb 80-125
    tone = cv2.inRange(hsv, (5, 45, 0), (25, 255, 255))  # hue 5-25, saturation >= 45
    return np.asarray(cv2.bitwise_and(box, tone) > 0)


def skin_pixels(
    skin_toned: npt.NDArray[np.bool_], mask: npt.NDArray[np.uint8], thumb_px: float
) -> int:
    """Pixels of the largest blob of ``skin_toned`` pixels (``skin_mask``) in the text
    block, after removing what is less than a quarter of a thumb (``thumb_px`` wide)
    across: a finger over the document, not skin-toned print or a screen's colour
    fringes."""
    skin = skin_toned & (mask > 0)
    k = max(3, int(0.25 * thumb_px))
    if int(skin.sum()) < k * k:
        return 0  # too few to hold a k x k square: nothing survives the opening
    opened = cv2.morphologyEx(skin.astype(np.uint8), cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
    count, _labels, stats, _centres = cv2.connectedComponentsWithStats(opened, connectivity=8)
    return int(stats[1:, cv2.CC_STAT_AREA].max()) if count > 1 else 0


def colour_share(hsv: BGRImage, mask: npt.NDArray[np.uint8]) -> float:
    """Share of clearly coloured pixels in the text block (``hsv``: its HSV image):
    printed documents carry coloured labels, patterns and seals; a photocopy has none."""
    coloured = cv2.bitwise_and(cv2.inRange(hsv, (0, 60, 60), (255, 255, 255)), mask)
    return float(cv2.countNonZero(coloured)) / max(1, cv2.countNonZero(mask))


@functools.cache
def _spectrum_geometry(size: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
    """A 2-D Hann window and the mid/high-frequency band (off the axes) of a centred
    ``size`` x ``size`` spectrum; built once per size."""
    win = np.outer(np.hanning(size), np.hanning(size)).astype(np.float32)
    yy, xx = np.mgrid[0:size, 0:size]
    c = size // 2
    r = np.hypot(yy - c, xx - c) / c
    axes = (np.abs(yy - c) <= 2) | (np.abs(xx - c) <= 2)
    band = (r > 0.2) & (r < 0.95) & ~axes
    return win, band


def moire_ratio(rectified: BGRImage) -> float:
    """How far the strongest spectral spike of the document stands above its own
    neighbourhood (log units). A screen re-shoot carries a fine periodic pattern (moiré,
    pixel grid): an isolated spike at mid/high frequency. Paper, text, blur and JPEG give
    smooth spectra or spikes on the axes only (excluded)."""
    gray = cv2.cvtColor(rectified, cv2.COLOR_BGR2GRAY).astype(np.float32)
    h, w = gray.shape
    size = min(512, h, w) // 2 * 2
    if size < 8:
        return 0.0
    y0, x0 = (h - size) // 2, (w - size) // 2
    patch = gray[y0 : y0 + size, x0 : x0 + size]
    win, band = _spectrum_geometry(size)
    dft = cv2.dft((patch - float(patch.mean())) * win, flags=cv2.DFT_COMPLEX_OUTPUT)
    spec = np.fft.fftshift(np.log1p(cv2.magnitude(dft[:, :, 0], dft[:, :, 1])))
    peak = spec - cv2.medianBlur(np.ascontiguousarray(spec, dtype=np.float32), 5)
    return float(peak[band].max())


PAPER_SCALE = 0.25


def paper_fill(image: BGRImage, region: Region, step: float) -> npt.NDArray[np.bool_] | None:
    """The document's paper at 1/4 scale: a flood fill from paper-coloured points of
    the text block over a downscaled, lightly blurred photo, stopped by the document's
    edge against the background (None: no text block)."""
    # an exact 1/4: OpenCV's fast path (4x4 block means)
    small = cv2.resize(image, None, fx=PAPER_SCALE, fy=PAPER_SCALE, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (3, 3), 0)
    sh, sw = small.shape[:2]
    block = text_block_mask(image.shape, region)
    ys, xs = np.nonzero(block[::8, ::8])
    if len(xs) == 0:
        return None
    colours = image[ys * 8, xs * 8].astype(np.float32)
    typical = np.argsort(np.abs(colours - np.median(colours, axis=0)).sum(axis=1))[:5]
    fill = np.zeros((sh + 2, sw + 2), np.uint8)
    flags = 4 | cv2.FLOODFILL_MASK_ONLY | (255 << 8)
    for i in typical:
        x = min(sw - 1, int(xs[i] * 8 * PAPER_SCALE))
        y = min(sh - 1, int(ys[i] * 8 * PAPER_SCALE))
        if not fill[y + 1, x + 1]:
            cv2.floodFill(small, fill, (x, y), 0, (step,) * 3, (step,) * 3, flags)
    return np.asarray(fill[1:-1, 1:-1] > 0)


def paper_reaches_frame(
    paper: npt.NDArray[np.bool_] | None, region: Region, h_med: float, max_area: float
) -> bool | None:
    """Whether the document's paper (``paper_fill``) runs into the photo's edge (a side
    cut off even where no text line is cut). None when the fill leaked (background of
    the paper's colour) or there was none."""
    if paper is None:
        return None
    expected = cv2.contourArea(outline_from_text(region)) * PAPER_SCALE * PAPER_SCALE
    if paper.sum() > max_area * max(expected, 1.0):
        return None
    run = max(1, int(0.5 * h_med * PAPER_SCALE))
    edges = (paper[0, :], paper[-1, :], paper[:, 0], paper[:, -1])
    return max(int(e.sum()) for e in edges) >= run


# A page's paper seen whole: a rectangle of an A4 sheet's proportions (1.41), and filled
# by the paper's colour over a fair part of it (text, seals and print are not paper).
# Measured on 144 generated license and certificate photos (seeds 379, 383, 397, both
# splits): where the paper's rectangle gave the density within 0.92-1.04 of the truth,
# its sides stood 1.32-1.60 apart and it was filled 0.35-0.93; where it did not (a fill
# that stopped at a border or leaked along the table), 1.20-1.26 or 1.78-3.42 apart, or
# filled 0.00-0.11. The bounds sit between the two.
PAGE_ASPECT = (1.29, 1.69)
PAGE_FILLED = 0.2


def page_px_per_mm(paper: npt.NDArray[np.bool_] | None) -> float | None:
    """A page's resolution from its paper's own edges: the longer side of the paper's
    rectangle over the page's printed 297 mm. None where the paper is not seen whole (it
    touches the frame, or it is not a page's rectangle)."""
    if paper is None or not paper.any():
        return None
    if paper[0].any() or paper[-1].any() or paper[:, 0].any() or paper[:, -1].any():
        return None
    pts = np.argwhere(paper)[:, ::-1].astype(np.float32)
    (_cx, _cy), (w, h), _angle = cv2.minAreaRect(pts)
    long, short = max(w, h), min(w, h)
    if short < 1 or not PAGE_ASPECT[0] <= long / short <= PAGE_ASPECT[1]:
        return None
    if paper.sum() < PAGE_FILLED * long * short:
        return None
    return long / PAPER_SCALE / PRINTED_WIDTH_MM["business_license"]


@dataclass(frozen=True)
class Occluders:
    """What may hide a document's text, as masks of a window of the photo at (x0, y0):
    highlight blobs (as for GLARE) and skin-toned blobs a quarter of a thumb across (as
    for OCCLUSION: a finger, not a red stamp's strokes or skin-toned print)."""

    x0: int
    y0: int
    glare: npt.NDArray[np.uint8]
    skin: npt.NDArray[np.uint8]


@dataclass(frozen=True)
class _Planes:
    """A document's bounding box in the photo (at x0, y0) and its colour planes, worked
    out once for both the quality measures and the occluder masks (an HSV conversion of
    a license's box takes ~40 ms at full resolution)."""

    outline: npt.NDArray[np.float32]
    x0: int
    y0: int
    sub: BGRImage
    hsv: BGRImage
    skin: npt.NDArray[np.bool_]


def _planes(image: BGRImage, region: Region) -> _Planes:
    outline = outline_from_text(region)
    h_img, w_img = image.shape[:2]
    bx0, by0 = (max(0, int(v)) for v in outline.min(axis=0))
    bx1, by1 = int(min(w_img, outline[:, 0].max() + 1)), int(min(h_img, outline[:, 1].max() + 1))
    sub = image[by0:by1, bx0:bx1]
    if sub.size == 0:
        empty = np.zeros((0, 0, 3), np.uint8)
        return _Planes(outline, bx0, by0, empty, empty, np.zeros((0, 0), np.bool_))
    hsv = np.asarray(cv2.cvtColor(sub, cv2.COLOR_BGR2HSV), dtype=np.uint8)
    return _Planes(outline, bx0, by0, sub, hsv, skin_mask(sub, hsv))


def _occluders(planes: _Planes, h_med: float, thumb_px: float) -> Occluders:
    bx0, by0, sub, hsv = planes.x0, planes.y0, planes.sub, planes.hsv
    empty = np.zeros((0, 0), np.uint8)
    if sub.size == 0:
        return Occluders(bx0, by0, empty, empty)
    inside = _region_mask(sub.shape, planes.outline - np.array([bx0, by0], dtype=np.float32))
    paper = u8_median(hsv, 2, inside)
    glare = highlight_mask(hsv, 255.0 if paper is None else paper, h_med, inside)
    k = max(3, int(0.25 * thumb_px))
    skin = (planes.skin & (inside > 0)).astype(np.uint8)
    if int(skin.sum()) >= k * k:
        skin = np.asarray(cv2.morphologyEx(skin, cv2.MORPH_OPEN, np.ones((k, k), np.uint8)))
    else:
        skin = np.zeros_like(skin)
    return Occluders(bx0, by0, glare, skin)


# Where an ID card front's photo sits, in card fractions (x 0.64-0.94, y 0.11-0.70 on
# the card; the text-estimated frame is a few percent off, hence the margin).
PORTRAIT_AREA = (0.58, 0.04, 1.02, 0.78)


def _portrait_mask(
    shape: tuple[int, ...], outline: npt.NDArray[np.float32]
) -> npt.NDArray[np.uint8]:
    """The portrait's area of an ID card front whose frame is ``outline``."""
    m, (w, h) = rectify_transform(outline, "id_card_front")
    x0, y0, x1, y1 = PORTRAIT_AREA
    box = np.array([[x0 * w, y0 * h], [x1 * w, y0 * h], [x1 * w, y1 * h], [x0 * w, y1 * h]])
    back = cv2.perspectiveTransform(box.reshape(-1, 1, 2).astype(np.float64), np.linalg.inv(m))
    return _region_mask(shape, back.reshape(-1, 2).astype(np.float32))


def _colour_measures(
    planes: _Planes, region: Region, h_med: float, thumb_px: float, main: bool
) -> tuple[float, int, float]:
    """Glare, skin tones and coloured print of one document, measured on its bounding box:
    skin and colour in its text block; glare over its whole outline on the ``main``
    document, over its text block only on the second card of a page: that card's
    outline, estimated from fewer lines, takes in the page around it, which may be
    brighter than the card (measured: a false alarm on a clean page)."""
    outline, sub, hsv = planes.outline, planes.sub, planes.hsv
    shift = np.array([planes.x0, planes.y0], dtype=np.float32)
    local = Region([q - shift for q in region.quads], region.angle, region.kind)
    block = text_block_mask(sub.shape, local)
    glare_mask = _region_mask(sub.shape, outline - shift) if main else block
    if main and region.kind == "id_card_front":
        # the portrait's own whites (a shirt, a lit background) are no highlight on
        # the card: measured, a clean front's portrait alone passed the glare bar
        photo = _portrait_mask(sub.shape, outline - shift)
        glare_mask = np.asarray(np.where(photo > 0, 0, glare_mask), dtype=np.uint8)
    skin_block = block
    if region.kind in PORTRAIT_KINDS:
        skin_block = glare_mask = text_lines_mask(sub.shape, local)
    glare = glare_fraction(hsv, glare_mask, h_med)
    return glare, skin_pixels(planes.skin, skin_block, thumb_px), colour_share(hsv, block)


def assess(
    image: BGRImage,
    regions: Sequence[Region],
    h_med: float,
    texts: Sequence[str],
    limits: QualityThresholds | None = None,
) -> QualityReport:
    limits = limits or QualityThresholds()
    main = max(regions, key=lambda r: len(r.quads))
    outline = outline_from_text(main)
    h_img, w_img = image.shape[:2]
    warnings: list[str] = []
    measures: dict[str, float] = {"text_height": h_med}

    all_quads = [q for r in regions for q in r.quads]
    m = limits.border_margin
    touches = any(
        (q[:, 0] <= m).any()
        or (q[:, 1] <= m).any()
        or (q[:, 0] >= w_img - 1 - m).any()
        or (q[:, 1] >= h_img - 1 - m).any()
        for q in all_quads
    )
    outside = float(
        np.mean(
            [
                max(0.0, -p[0]) + max(0.0, p[0] - w_img) + max(0.0, -p[1]) + max(0.0, p[1] - h_img)
                for p in outline
            ]
        )
    )
    measures["outline_outside_px"] = outside
    # Single documents only: a scanned both-sides page fills the frame with its paper
    # (measured: every shared specimen would be flagged).
    paper = paper_fill(image, main, limits.paper_step) if len(regions) == 1 else None
    reach = paper_reaches_frame(paper, main, h_med, limits.paper_max_area)
    measures["paper_at_frame"] = -1.0 if reach is None else float(reach)
    if touches or outside > 0.5 * h_med or reach:
        warnings.append("BORDER_INCOMPLETE")
    density = px_per_mm(outline, main.kind)
    # A page's margins around its text differ by layout (the text block measured
    # 0.58-1.00 of the page on generated certificates); its paper's edges, seen whole,
    # measure 0.92-1.04 of the true density.
    floor = limits.min_px_per_mm_license
    if is_card(main.kind) or main.kind == "passport":
        floor = limits.min_px_per_mm_card
    elif main.kind in PAGE_KINDS and (page := page_px_per_mm(paper)) is not None:
        density, floor = page, limits.min_px_per_mm_page_paper
    measures["px_per_mm"] = density
    if density < floor:
        warnings.append("LOW_RESOLUTION")

    sharp = sharpness(_text_crops(image, all_quads))
    measures["sharpness"] = sharp
    if sharp < limits.blur_sharpness:
        warnings.append("BLUR")

    # Glare and a finger count on any document of the photo (either card of a
    # both-sides page: measured on the main card only, half of them were missed); the
    # colour of a photocopy is judged on the main one.
    thumb_px = THUMB_MM * max(density, 1e-3)
    glare, skin, colour = 0.0, 0, 0.0
    occluding: list[Occluders] = []
    for region in regions:
        planes = _planes(image, region)
        g, sk, col = _colour_measures(planes, region, h_med, thumb_px, main=region is main)
        glare, skin = max(glare, g), max(skin, sk)
        if region is main:
            colour = col
        occluding.append(_occluders(planes, h_med, thumb_px))
    measures["glare"] = glare
    if glare > limits.glare_fraction:
        warnings.append("GLARE")
    # in thumb-tips: squares a thumb (16 mm) wide at the document's resolution
    thumbs = skin / thumb_px**2
    measures["skin"] = thumbs
    if thumbs > limits.skin_thumbs:
        warnings.append("OCCLUSION")

    measures["colour"] = colour
    copy_text = any("复印" in t for t in texts)
    least_colour = (
        limits.photocopy_colour_license if main.kind in PAGE_KINDS else limits.photocopy_colour
    )
    if colour < least_colour or copy_text:
        warnings.append("PHOTOCOPY")

    rectified = rectify(image, outline, main.kind)
    moire = moire_ratio(rectified)
    measures["moire"] = moire
    if moire > limits.moire_ratio:
        warnings.append("RECAPTURE")

    penalties = {
        "BORDER_INCOMPLETE": 0.25,
        "LOW_RESOLUTION": 0.25,
        "BLUR": 0.3,
        "GLARE": 0.2,
        "PHOTOCOPY": 0.2,
        "RECAPTURE": 0.3,
        "OCCLUSION": 0.3,
    }
    score = 1.0
    for w in warnings:
        score *= 1.0 - penalties.get(w, 0.0)
    return QualityReport(
        tuple(warnings), score, outline, rectified, main.kind, measures, tuple(occluding)
    )


Window = tuple[float, float, float, float]  # left, top, right, bottom in card pixels


@functools.lru_cache(maxsize=1)
def face_detector() -> Any:
    """dlib's HOG frontal-face detector (built into dlib, no model file), made once."""
    import dlib

    return dlib.get_frontal_face_detector()


# Where the portrait's face is looked for, in the estimated card frame: its right part,
# with room for a frame that is off by up to ~10% (a strong tilt); if no face is there,
# around the whole estimated card (tiled watermark text can put the frame far off).
# Each with the HOG upsamplings tried in turn. The portrait's face box is 12-16 mm, 120-160
# px in the 10 px/mm frame (measured: 120-159 on 24 held-out fronts), 1.5-2x the
# detector's 80 px window, so no upsampling is needed to see a face of that size; on the
# right part it can still rescue a marginal detection (1 of 6 tries there), at ~4x the
# cost of the plain pass; on the whole card's 1.7 Mpx it cost ~0.9 s a try and found
# none of 2, so it is not tried there.
FACE_SEARCH: tuple[tuple[Window, tuple[int, ...]], ...] = (
    ((0.45, -0.10, 1.12, 0.98), (0, 1)),
    ((0.0, -0.5, 1.8, 1.5), (0,)),
)
# The crop around a found face of box size s (HOG box: brows to just above the chin):
# the hair above, the chin and neck below, the ears beside; faceres' own crop (a square
# of ~1.15 s centred ~0.5 s below the box top) lies well inside it.
FACE_MARGIN: Window = (0.45, 0.65, 0.45, 0.35)
# A text line may be cut away up to this close to the face box (s units): the core
# that stays whatever a line crossing it (a watermark) does.
FACE_CORE = 0.10


def find_portrait_face(card: BGRImage, upsamples: Sequence[int]) -> Window | None:
    """The largest face the HOG detector finds in a card-frame image (left, top, right,
    bottom), searched upsampled by each of ``upsamples`` in turn (0: as it is); None if
    there is none."""
    gray = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY)
    det = face_detector()
    for upsample in upsamples:
        rects = det(gray, upsample)
        if len(rects):
            r = max(rects, key=lambda r: r.width() * r.height())
            return float(r.left()), float(r.top()), float(r.right()), float(r.bottom())
    return None


def _cut_lines(
    window: Window,
    boxes: list[Window],
    limits: Window,
    column_left: float | None,
    size: tuple[int, int],
) -> Window:
    """Move the window's edges so that no text line box lies inside it, each line by
    the cut that keeps the most area; an edge never moves past its limit (left edge <=
    limits[0], top <= limits[1], right >= limits[2], bottom >= limits[3]). A line that
    no cut removes crosses what must stay (a watermark) and stays. ``column_left``: a
    line of the text column (starting left of 0.45 w, one line tall) may be cut past up
    to this x instead of limits[0] (the column ends before the photo, wherever the
    estimated frame puts it)."""
    left, top, right, bottom = window
    w, h = size
    pad_x, pad_y = 0.01 * w, 0.01 * h
    for _ in range(2):  # a cut can bring no new line in; twice settles the order
        for lx, ty, rx, by in boxes:
            if rx <= left or lx >= right or by <= top or ty >= bottom:
                continue
            height, width = bottom - top, right - left
            column = lx < 0.45 * w and by - ty < 0.1 * h
            left_limit = column_left if column and column_left is not None else limits[0]
            cuts: list[tuple[float, int, float]] = []
            if rx + pad_x <= left_limit:
                cuts.append(((rx + pad_x - left) * height, 0, rx + pad_x))
            if by + pad_y <= limits[1]:
                cuts.append(((by + pad_y - top) * width, 1, by + pad_y))
            if lx - pad_x >= limits[2]:
                cuts.append(((right - lx + pad_x) * height, 2, lx - pad_x))
            if ty - pad_y >= limits[3]:
                cuts.append(((bottom - ty + pad_y) * width, 3, ty - pad_y))
            if cuts:
                _, edge, value = min(cuts)
                if edge == 0:
                    left = value
                elif edge == 1:
                    top = value
                elif edge == 2:
                    right = value
                else:
                    bottom = value
    return left, top, right, bottom


def _shifted(m: npt.NDArray[np.float64], x0: float, y0: float) -> npt.NDArray[np.float64]:
    shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], dtype=np.float64)
    return shift @ m


def portrait_window(
    image: BGRImage, front: Region, locate_face: bool = True
) -> tuple[npt.NDArray[np.float64], tuple[int, int]]:
    """The homography from the photo to the portrait crop of an ID-card front, and the
    crop's size: the whole face and none of the printed text.

    The card's frame is only estimated from its text (``outline_from_text``: a rotated
    box, a few percent off, far off under a strong tilt or tiled watermark text), so
    the crop is cut from the face itself where one is found: the HOG detector on the
    right part of the estimated card, then around all of it (``FACE_SEARCH``), the
    crop ``FACE_MARGIN`` face sizes around its box, then every detected text line
    inside the crop cut away by moving the edge that keeps the most area past it, never
    closer than ``FACE_CORE`` to the face. With no face found (or ``locate_face``
    False) the rule falls back to the card
    frame: on the card the photo sits at x 0.64-0.94, y 0.11-0.70, the text column ends
    near x 0.61 and the ID number starts near y 0.87; the window starts at x 0.60 to 5%
    past the estimated right edge, y 0.02-0.82, and lines are cut away with the left
    edge <= 0.68 (0.80 past a line of the text column) and the bottom >= 0.72."""
    m, (w, h) = rectify_transform(outline_from_text(front), front.kind)
    boxes: list[Window] = []
    for q in front.quads:
        pts = np.asarray(q, np.float32).reshape(-1, 1, 2)
        card = cv2.perspectiveTransform(pts, m).reshape(-1, 2)
        x0, y0 = card.min(axis=0)
        x1, y1 = card.max(axis=0)
        boxes.append((float(x0), float(y0), float(x1), float(y1)))
    face = None
    for area, upsamples in FACE_SEARCH if locate_face else ():
        sx0, sy0 = area[0] * w, area[1] * h
        size = (round((area[2] - area[0]) * w), round((area[3] - area[1]) * h))
        search = cv2.warpPerspective(
            image,
            _shifted(m, sx0, sy0),
            size,
            flags=cv2.INTER_AREA,
            borderMode=cv2.BORDER_REPLICATE,
        )
        found = find_portrait_face(np.asarray(search, np.uint8), upsamples)
        if found is not None:
            face = (found[0] + sx0, found[1] + sy0, found[2] + sx0, found[3] + sy0)
            break
    if face is not None:
        fl, ft, fr, fb = face
        s = max(fr - fl, fb - ft)
        ml, mt, mr, mb = FACE_MARGIN
        window = (fl - ml * s, ft - mt * s, fr + mr * s, fb + mb * s)
        core = FACE_CORE * s
        limits = (fl - core, ft - 2 * core, fr + core, fb + core)
        left, top, right, bottom = _cut_lines(window, boxes, limits, None, (w, h))
    else:
        window = (0.60 * w, 0.02 * h, 1.05 * w, 0.82 * h)
        limits = (0.68 * w, -np.inf, np.inf, 0.72 * h)
        left, top, right, bottom = _cut_lines(window, boxes, limits, 0.80 * w, (w, h))
    x0, y0, x1, y1 = int(left), int(top), int(right), int(bottom)
    return _shifted(m, x0, y0), (max(1, x1 - x0), max(1, y1 - y0))


def portrait(image: BGRImage, front: Region) -> BGRImage:
    """The portrait crop of an ID-card front (``portrait_window``), warped on its own
    from the photo rather than cut from the rectified card."""
    m, size = portrait_window(image, front)
    out = cv2.warpPerspective(
        image,
        m,
        size,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0),
    )
    return np.asarray(out, dtype=np.uint8)


# A both-sides page goes to the authority as photographed (two cards, not rectified), at
# most at the density of a single card's rectified copy (CARD_SIZE: 10 px/mm). A page
# filling a 12 Mpx photo holds the cards at ~15 px/mm (14.7 measured on a generated one):
# encoded whole it took ~40 ms an encoding (more than one where q 92 passed 2 MB) and
# 20-40 ms to decode for the legibility check, and the authority recompresses it anyway
# (R-DOC-1).
FILING_PX_PER_MM = 10.0


def filing_page(image: BGRImage, density: float) -> tuple[BGRImage, npt.NDArray[np.float64] | None]:
    """A photographed page for its filing copy: scaled down to FILING_PX_PER_MM where
    its documents (at ``density`` px/mm) are finer, with the transform from the photo
    (None: the photo as it is)."""
    scale = FILING_PX_PER_MM / density if density > 0 else 1.0
    if scale >= 1.0:
        return image, None
    h, w = image.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)
    m = np.diag([size[0] / w, size[1] / h, 1.0])
    return small, m


def filing_jpeg(image: BGRImage | None, max_bytes: int) -> bytes | None:
    """The rectified document as a JPEG of at most ``max_bytes`` (rule R-DOC-1)."""
    if image is None:
        return None
    for q in (92, 85, 75, 65, 55, 45):
        data = encode_jpeg(image, q)
        if len(data) <= max_bytes:
            return data
    return None


def stamp_ink_share(crop: BGRImage) -> float:
    """Share of a text crop's ink that is a stamp's red: pixels clearly off the paper
    (darker than the middle between paper and ink, or redder than the paper) whose Lab
    a* stands at least STAMP_RED_A above the paper's. Black print under a warm light
    stays within a few units of the paper's a* (the hue of its dark pixels is no guide:
    a warm cast makes black ink "red" in HSV); a stamp stands 11-70 above it, a thin
    pink one 11-30."""
    if crop.size == 0:
        return 0.0
    lab = np.asarray(cv2.cvtColor(crop, cv2.COLOR_BGR2LAB), np.uint8)
    light, a = (np.ascontiguousarray(lab[:, :, i]) for i in (0, 1))
    paper_l, ink_l = u8_percentiles(light, (90, 3))
    # (whole values: v >= x is v >= ceil(x), v < x is v <= ceil(x) - 1)
    papery = np.asarray(cv2.inRange(light, math.ceil(paper_l - 5), 255), np.uint8)
    paper_a = u8_median(lab, 1, papery)  # never None: some pixel is at the 90th percentile
    red = cv2.inRange(a, math.ceil((128.0 if paper_a is None else paper_a) + STAMP_RED_A), 255)
    dark = cv2.inRange(light, 0, math.ceil((paper_l + ink_l) / 2) - 1)
    total = cv2.countNonZero(cv2.bitwise_or(dark, red))  # red ink counts as ink
    return cv2.countNonZero(red) / total if total else 0.0


STAMP_RED_A = 12


def stamp_painted_out(crop: BGRImage, ink_l: float | None = None) -> BGRImage:
    """``crop`` with a stamp's red ink painted over in the paper's colour (``without_stamp``
    without its cut to the rows of ink: the same size, the same coordinates). ``ink_l``:
    the black print's Lab lightness where the crop is no line of print (a region around
    a stamp, mostly paper, a portrait and a card's pattern: its 3rd percentile there is
    no ink at all); by default the crop's own."""
    lab = cv2.cvtColor(crop, cv2.COLOR_BGR2LAB).astype(np.int16)
    light, a = lab[:, :, 0], lab[:, :, 1]
    paper_l = float(np.percentile(light, 90))
    paper_rows = light >= paper_l - 5
    paper_a = float(np.median(a[paper_rows]))
    paper = np.median(crop[paper_rows], axis=0).astype(np.uint8)
    stamp = a - paper_a >= STAMP_RED_A
    if ink_l is None:
        ink_l = float(np.percentile(light[~stamp], 3)) if (~stamp).any() else 0.0
    black = light < ink_l + (paper_l - ink_l) / 3
    red = cv2.dilate(stamp.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & ~black
    out = crop.copy()
    out[red] = paper
    return out


def print_lightness(crops: Sequence[BGRImage]) -> float:
    """The black print's Lab lightness over lines of print: the median of their 3rd
    percentiles."""
    levels = [
        float(np.percentile(cv2.cvtColor(c, cv2.COLOR_BGR2LAB)[:, :, 0], 3))
        for c in crops
        if c.size
    ]
    return float(np.median(levels)) if levels else 0.0


def without_stamp(crop: BGRImage) -> BGRImage:
    """A text crop with a stamp's red ink painted over in the paper's colour (the pixels
    whose Lab a* stands STAMP_RED_A above the paper's, grown by one pixel for their
    anti-aliased edges), then cut to the rows that still hold ink: a line the detector
    boxed together with the stamp over it is that much taller than its text.

    Pixels as dark as the black print (within a third of the way from its ink to the
    paper) stay, red or not: where the stamp's strokes cross a character, the character
    is what shows on top (ink over ink prints dark), and painting it out cut 广 and 州 out
    of 广州市民政局 under a seal ring (read 发证关：广市民政局; kept, it reads whole)."""
    out = stamp_painted_out(crop)
    grey = cv2.cvtColor(out, cv2.COLOR_BGR2GRAY)
    ink = grey < (float(np.percentile(grey, 90)) + float(np.percentile(grey, 3))) / 2
    ys = np.flatnonzero(ink.mean(axis=1) > 0.02)
    if len(ys) == 0:
        return out
    pad = max(2, crop.shape[0] // 50)
    return np.asarray(out[max(0, ys[0] - pad) : ys[-1] + pad + 1], dtype=np.uint8)
