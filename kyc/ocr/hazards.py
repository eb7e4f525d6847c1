"""Fields the photo may hide in part: cut off at the frame's edge, under a highlight or
under a finger (measured on the photo around each field's box).

What the recogniser reads of such a field is what was visible: '安局' of a cut-off
'正蓝旗公安局', an address with the words under a thumb skipped. Its characters may all
look sure, so the field is not reported as confident. The masks are those of the
document-level GLARE and OCCLUSION warnings (kyc.ocr.quality), applied to the field.
"""

from __future__ import annotations

from collections.abc import Mapping

import cv2
import numpy as np
import numpy.typing as npt

from kyc.imageio import BGRImage
from kyc.ocr.engine import Quad
from kyc.ocr.quality import highlight_mask, skin_mask

# A field whose (widened) box comes within this many text heights of the photo's edge
# may go on beyond it (its first or last characters cut off, or not detected at all).
EDGE_LINES = 0.25
# Share of a field's box under a highlight blob, or under a skin-toned blob a third of a
# text line across, above which part of its text may be hidden. The generator counts a
# field hidden from 5% (glare core) and 2% (finger) of its box: the limits sit at half
# of those, on the side of doubt.
GLARE_SHARE = 0.025
SKIN_SHARE = 0.01


def field_hazards(image: BGRImage, quads: Mapping[str, Quad], h_med: float) -> dict[str, str]:
    """Fields that the photo may hide in part: name -> "cut_off" | "glare" |
    "occlusion". ``quads``: each value's box in the photo, widened by a text line along
    its reading direction (a finger just past the last character read hides the rest)."""
    h_img, w_img = image.shape[:2]
    out: dict[str, str] = {}
    crops: dict[str, tuple[BGRImage, npt.NDArray[np.uint8]]] = {}
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
            continue
        x0, y0 = (max(0, int(v)) for v in q.min(axis=0))
        x1, y1 = int(min(w_img, q[:, 0].max() + 1)), int(min(h_img, q[:, 1].max() + 1))
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        mask = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
        cv2.fillConvexPoly(mask, np.round(q - [x0, y0]).astype(np.int32), 255)
        crops[name] = (image[y0:y1, x0:x1], mask)
    if not crops:
        return out
    hsvs = {
        n: np.asarray(cv2.cvtColor(c, cv2.COLOR_BGR2HSV), dtype=np.uint8)
        for n, (c, _m) in crops.items()
    }
    values = np.concatenate([hsvs[n][:, :, 2][m > 0] for n, (_c, m) in crops.items()])
    paper = float(np.median(values)) if values.size else 255.0
    k = max(3, int(h_med / 3))
    kernel = np.ones((k, k), np.uint8)
    for name, (crop, mask) in crops.items():
        area = max(1, int((mask > 0).sum()))
        glare = highlight_mask(hsvs[name], paper, h_med, mask)
        if int((glare > 0).sum()) >= GLARE_SHARE * area:
            out[name] = "glare"
            continue
        skin = (skin_mask(crop, hsvs[name]) & (mask > 0)).astype(np.uint8)
        if int(skin.sum()) >= SKIN_SHARE * area:
            opened = cv2.morphologyEx(skin, cv2.MORPH_OPEN, kernel)
            if int(opened.sum()) >= SKIN_SHARE * area:
                out[name] = "occlusion"
    return out
