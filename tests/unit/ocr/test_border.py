"""The cut-off test by the document's paper reaching the photo's edge, on drawn photos."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kyc.ocr.quality import Region, page_px_per_mm, paper_fill, paper_reaches_frame

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
    return paper_reaches_frame(paper_fill(img, region, 4.0), region, LINE_H, max_area=1.1)


def test_a_document_inside_the_frame_does_not_reach_it() -> None:
    assert reaches(*photo(150, 650, BACKGROUND)) is False


@pytest.mark.parametrize("span", [(150, 900), (-200, 650)])
def test_paper_past_a_side_of_the_frame_reaches_it(span: tuple[int, int]) -> None:
    # the text lines stop well inside the frame: only the paper tells the cut
    assert reaches(*photo(*span, BACKGROUND)) is True


def test_a_background_of_the_papers_colour_says_nothing() -> None:
    assert reaches(*photo(150, 650, PAPER)) is None


def test_a_page_s_resolution_comes_from_its_paper_not_its_margins() -> None:
    # An A4-proportioned sheet, 566 px long (2.0 px/mm on 297 mm) with text far inside
    # its margins: the paper's own edges give the density whatever the layout.
    img = np.zeros((600, 800, 3), np.uint8)
    img[:] = BACKGROUND
    cv2.rectangle(img, (117, 100), (117 + 566, 100 + 400), PAPER, -1)
    quads = []
    for k in range(3):
        y0 = 200 + 65 * k
        cv2.rectangle(img, (300, y0 + 8), (500, y0 + LINE_H - 8), (40, 40, 40), -1)
        quads.append(
            np.array([[300, y0], [500, y0], [500, y0 + LINE_H], [300, y0 + LINE_H]], np.float32)
        )
    region = Region(quads, 0.0, "business_license")
    density = page_px_per_mm(paper_fill(img, region, 4.0))
    assert density is not None and abs(density - 566 / 297) < 0.05
    # a sheet cut by the frame, or paper of no page's proportions, gives nothing
    for span in ((150, 900), (300, 500)):  # 750 x 400 cut at the right; 200 x 400
        cut, reg = photo(*span, BACKGROUND)
        assert page_px_per_mm(paper_fill(cut, reg, 4.0)) is None
