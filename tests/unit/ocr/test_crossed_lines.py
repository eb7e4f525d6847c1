"""A text line crossed by another stroke (a watermark written across the page) is found
again on the detection map opened along the text's direction."""

from __future__ import annotations

from types import SimpleNamespace

import cv2
import numpy as np
from rapidocr_onnxruntime.ch_ppocr_det.utils import DBPostProcess

from kyc.ocr.engine import OcrEngine


def _engine() -> SimpleNamespace:
    post = DBPostProcess(
        thresh=0.3, box_thresh=0.4, max_candidates=1000, unclip_ratio=1.6, use_dilation=True
    )
    return SimpleNamespace(_post=post)


def _map(cross: bool) -> np.ndarray:
    m = np.zeros((240, 480), np.float32)
    for y in (40, 80, 120, 160):
        cv2.line(m, (20, y), (460, y), 0.95, 7)
    if cross:  # a diagonal stroke through the third line (a watermark's character)
        cv2.line(m, (200, 145), (250, 95), 0.9, 7)
    return m[None, None]


def test_a_line_under_a_crossing_stroke_is_found_again() -> None:
    eng = _engine()
    pred = _map(cross=True)
    boxes, _ = eng._post(pred, (240, 480))
    found = OcrEngine._crossed_lines(eng, pred, list(boxes), (240, 480))  # type: ignore[arg-type]
    centres = [np.asarray(b).mean(axis=0) for b in found]
    for y in (40, 80, 120, 160):
        boxed = any(abs(np.asarray(b).mean(axis=0)[1] - y) < 5 for b in boxes)
        again = any(abs(c[1] - y) < 5 and 150 < c[0] < 330 for c in centres)
        assert boxed or again, y  # every line: boxed at first, or found again
    assert all(
        abs(float(np.asarray(b)[:, 1].max() - np.asarray(b)[:, 1].min())) < 30 for b in found
    )  # what is found again lies along the text, not across it


def test_nothing_is_added_where_nothing_crosses() -> None:
    eng = _engine()
    pred = _map(cross=False)
    boxes, _ = eng._post(pred, (240, 480))
    assert len(boxes) == 4
    assert OcrEngine._crossed_lines(eng, pred, list(boxes), (240, 480)) == []  # type: ignore[arg-type]
