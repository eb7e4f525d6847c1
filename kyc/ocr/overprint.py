"""Fields a stamp or a watermark may have changed (pure geometry of detected lines).

A value read under a stamp, a seal or a watermark can be wrong while every character
looks sure to the recogniser (a birth day under 复印无效). Two signs are measured from the
detected lines alone, in the upright frame of the document:

- **out of scale**: the field's own lines are much taller than the document's text (the
  characters of a stamp read as the value, 复禁 for a name under a 复印禁止 seal);
- **overprinted**: another line crosses the field's box at another angle or another
  size (a diagonal watermark, a seal's ring text, a stamp over the value).

Such a field is not reported as confident: its value may be what the stamp left of it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from kyc.ocr.types import Box

Points = npt.NDArray[np.float32]  # 4x2, upright frame of the document

# A field's lines at least this much taller than the document's median line are the
# characters of something else (a stamp). Printed values stand at 0.8-1.35x the median
# line of their document (ID numbers are the tallest); stamps at 1.8x and more.
OUT_OF_SCALE = 1.6
# Another line covering at least this share of a field's box, at another angle or size,
# is printed over it.
OVERLAP_SHARE = 0.1
ANGLE_APART = math.radians(8.0)
SIZE_APART = 1.5


@dataclass(frozen=True)
class DetectedLine:
    """A detected text line in the upright frame of its document."""

    points: Points  # its four corners
    height: float
    angle: float  # its long side's angle in the upright frame (0 = along the text)
    long: bool  # long enough for its angle to mean something


def detected_line(points: Points) -> DetectedLine:
    q = np.asarray(points, dtype=np.float32)
    a = float(np.hypot(*(q[1] - q[0])))
    b = float(np.hypot(*(q[2] - q[1])))
    side = q[1] - q[0] if a >= b else q[2] - q[1]
    ang = math.atan2(float(side[1]), float(side[0]))
    ang = (ang + math.pi / 2) % math.pi - math.pi / 2  # an axis: -90..90 degrees
    return DetectedLine(q, min(a, b), ang, max(a, b) >= 2.5 * max(min(a, b), 1.0))


def _area(points: Points) -> float:
    return float(cv2.contourArea(np.asarray(points, dtype=np.float32)))


def _box_points(box: Box) -> Points:
    x0, y0, x1, y1 = box
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)


def _intersection(a: Points, b: Points) -> float:
    area, _ = cv2.intersectConvexConvex(
        np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32)
    )
    return float(area)


def doubtful_fields(
    boxes: Mapping[str, Box | None], lines: Sequence[DetectedLine]
) -> dict[str, str]:
    """Fields whose value a stamp or watermark may have changed: name -> why
    ("out_of_scale" or "overprinted")."""
    if not lines:
        return {}
    median_h = float(np.median([ln.height for ln in lines]))
    out: dict[str, str] = {}
    for name, box in boxes.items():
        if box is None or box[2] <= box[0] or box[3] <= box[1]:
            continue
        rect = _box_points(box)
        rect_area = _area(rect)
        touching = [(ln, _intersection(rect, ln.points)) for ln in lines]
        touching = [(ln, inter) for ln, inter in touching if inter > 0]
        inside = [ln for ln, inter in touching if inter >= 0.6 * max(_area(ln.points), 1.0)]
        if not inside:
            continue
        own_h = float(np.median([ln.height for ln in inside]))
        if own_h > OUT_OF_SCALE * median_h:
            out[name] = "out_of_scale"
            continue
        for ln, inter in touching:
            apart = (ln.long and abs(ln.angle) > ANGLE_APART) or not (
                1 / SIZE_APART < ln.height / own_h < SIZE_APART
            )
            if apart and inter >= OVERLAP_SHARE * rect_area:
                out[name] = "overprinted"
                break
    return out
