"""Fields the photo may hide in part: cut off at the frame's edge, under a highlight or
under a finger (measured on the photo around each field's box).

What the recogniser reads of such a field is what was visible: '安局' of a cut-off
'正蓝旗公安局', an address with the words under a thumb skipped. Its characters may all
look sure, so the field is not reported as confident. The masks are those of the
document-level GLARE and OCCLUSION warnings (kyc.ocr.quality), applied to the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cv2
import numpy as np
import numpy.typing as npt

from kyc.ocr.engine import Quad
from kyc.ocr.quality import Occluders

# A field whose (widened) box comes within this many text heights of the photo's edge
# may go on beyond it (its first or last characters cut off, or not detected at all).
EDGE_LINES = 0.25
# Share of a field's box under a highlight blob, or under a finger-sized skin-toned blob,
# above which part of its text may be hidden. The generator counts a field hidden from
# 5% (glare core) and 2% (finger) of its box: the limits sit at half of those, on the
# side of doubt.
GLARE_SHARE = 0.025
SKIN_SHARE = 0.01


def _share(mask: npt.NDArray[np.uint8], x0: int, y0: int, quad: Quad) -> float:
    """Share of ``quad`` (photo coordinates) covered by ``mask`` (a window at x0, y0)."""
    if mask.size == 0:
        return 0.0
    q = np.asarray(quad, dtype=np.float32) - np.array([x0, y0], dtype=np.float32)
    bx0, by0 = (max(0, int(v)) for v in q.min(axis=0))
    bx1 = int(min(mask.shape[1], q[:, 0].max() + 1))
    by1 = int(min(mask.shape[0], q[:, 1].max() + 1))
    if bx1 <= bx0 or by1 <= by0:
        return 0.0
    window = np.zeros((by1 - by0, bx1 - bx0), dtype=np.uint8)
    cv2.fillConvexPoly(window, np.round(q - [bx0, by0]).astype(np.int32), 1)
    area = max(1, int(window.sum()))
    return float(((mask[by0:by1, bx0:bx1] > 0) & (window > 0)).sum()) / area


def field_hazards(
    shape: tuple[int, ...],
    quads: Mapping[str, Quad],
    h_med: float,
    masks: Sequence[Occluders],
) -> dict[str, str]:
    """Fields that the photo may hide in part: name -> "cut_off" | "glare" |
    "occlusion". ``quads``: each value's box in the photo, widened by a text line along
    its reading direction (a finger just past the last character read hides the rest);
    ``masks``: the highlights and finger-sized skin blobs over each document."""
    h_img, w_img = shape[:2]
    out: dict[str, str] = {}
    margin = EDGE_LINES * h_med
    for name, quad in quads.items():
        q = np.asarray(quad, dtype=np.float32)
        if (
            q[:, 0].min() < margin
            or q[:, 1].min() < margin
            or q[:, 0].max() > w_img - 1 - margin
            or q[:, 1].max() > h_img - 1 - margin
        ):
            out[name] = "cut_off"
        elif any(_share(m.glare, m.x0, m.y0, q) >= GLARE_SHARE for m in masks):
            out[name] = "glare"
        elif any(_share(m.skin, m.x0, m.y0, q) >= SKIN_SHARE for m in masks):
            out[name] = "occlusion"
    return out
