"""The cut-off test by the document's paper reaching the photo's edge, on drawn photos."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kyc.ocr.quality import Region, paper_reaches_frame

PAPER = (226, 232, 236)
BACKGROUND = (95, 110, 120)
LINE_H = 30


def photo(doc_x0: int, doc_x1: int, background: tuple[int, int, int]) -> tuple[np.ndarray, Region]:
    """A 800x600 photo: a paper rectangle from doc_x0 to doc_x1 (rows 100-500) with five
    dark text lines, on a plain background."""
    img = np.zeros((600, 800, 3), np.uint8)
    img[:] = background
    cv2.rectangle(img, (doc_x0, 100), (doc_x1, 500), PAPER, -1)
    quads = []
    for k in range(5):
        y0 = 150 + 65 * k
        x0, x1 = max(doc_x0, 0) + 60, min(doc_x1, 799) - 60
        cv2.rectangle(img, (x0, y0 + 8), (x1, y0 + LINE_H - 8), (40, 40, 40), -1)
        quads.append(
            np.array([[x0, y0], [x1, y0], [x1, y0 + LINE_H], [x0, y0 + LINE_H]], np.float32)
        )
    return img, Region(quads, 0.0, "business_license")


def reaches(img: np.ndarray, region: Region) -> bool | None:
    return paper_reaches_frame(img, region, LINE_H, step=4.0, max_area=1.1)


def test_a_document_inside_the_frame_does_not_reach_it() -> None:
    assert reaches(*photo(150, 650, BACKGROUND)) is False


@pytest.mark.parametrize("span", [(150, 900), (-200, 650)])
def test_paper_past_a_side_of_the_frame_reaches_it(span: tuple[int, int]) -> None:
    # the text lines stop well inside the frame: only the paper tells the cut
    assert reaches(*photo(*span, BACKGROUND)) is True


def test_a_background_of_the_papers_colour_says_nothing() -> None:
    assert reaches(*photo(150, 650, PAPER)) is None
