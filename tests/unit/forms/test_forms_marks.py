"""Seals, ink in blanks and tick boxes on synthetic pages (pure image arithmetic)."""

from __future__ import annotations

import cv2
import numpy as np

from kyc.forms import marks
from kyc.forms.page import find_page, order_corners, rectify

U = 28.0
W, H = 1000, 1414


def _page() -> np.ndarray:
    return np.full((H, W, 3), 250, np.uint8)


def _seal(img: np.ndarray, cx: int, cy: int, r: int) -> None:
    red = (40, 40, 215)  # BGR
    cv2.circle(img, (cx, cy), r, red, 6)
    cv2.circle(img, (cx, cy), r // 4, red, -1)
    for k in range(8):
        a = np.pi * (0.8 + 1.4 * k / 8)
        cv2.putText(img, "A", (int(cx + 0.7 * r * np.cos(a)), int(cy + 0.7 * r * np.sin(a))),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.8, red, 2)  # fmt: skip


def test_finds_seals_of_a_seal_size_only() -> None:
    img = _page()
    _seal(img, 700, 1000, 95)
    _seal(img, 300, 300, 95)
    cv2.circle(img, (500, 700), 12, (40, 40, 215), 3)  # a small red pen mark
    ink = marks.ink_masks(img, U)
    seals = marks.find_seals(ink.red, W, 0.11, 0.34)
    assert len(seals) == 2
    got = sorted((round(s.cx), round(s.cy)) for s in seals)
    assert abs(got[0][0] - 300) < 8 and abs(got[1][1] - 1000) < 8
    assert all(85 <= s.radius <= 105 for s in seals)
    assert marks.red_marks(ink.red, seals, U) > 0  # the pen mark is outside both seals


def test_two_seals_stamped_overlapping_are_two_seals() -> None:
    img = _page()
    _seal(img, 600, 900, 95)
    _seal(img, 720, 1010, 95)  # their rings cross: one red blob 0.31 of the page across
    ink = marks.ink_masks(img, U)
    seals = marks.find_seals(ink.red, W, 0.11, 0.34)
    got = sorted((round(s.cx), round(s.cy)) for s in seals)
    assert len(got) == 2, got
    assert abs(got[0][0] - 600) < 8 and abs(got[0][1] - 900) < 8
    assert abs(got[1][0] - 720) < 8 and abs(got[1][1] - 1010) < 8
    assert all(85 <= s.radius <= 105 for s in seals)
    assert marks.red_marks(ink.red, seals, U) == 0  # no red left outside them


def test_zone_ink_counts_handwriting_not_rules_or_print() -> None:
    img = _page()
    cv2.line(img, (100, 500), (900, 500), (20, 20, 20), 2)  # an underline
    cv2.putText(img, "Label", (100, 490), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (20, 20, 20), 2)
    ink = marks.ink_masks(img, U)
    zone = (90.0, 440.0, 900.0, 520.0)
    printed = [(95.0, 465.0, 190.0, 495.0)]
    assert marks.zone_ink(ink, zone, printed) < 0.1
    cv2.putText(img, "Zhang", (400, 488), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.3, (90, 40, 20), 2)
    ink = marks.ink_masks(img, U)
    assert marks.zone_ink(ink, zone, printed) > 0.5


def test_an_underline_cut_by_a_seal_or_tilted_a_pixel_is_still_a_rule() -> None:
    img = _page()
    zone = (90.0, 440.0, 900.0, 520.0)
    # a thin underline, stepping down one pixel half-way along (a page rectified a hair
    # off level), under a seal whose ring and bars cross it every ~60 px
    cv2.line(img, (100, 500), (500, 500), (90, 90, 90), 1)
    cv2.line(img, (500, 501), (900, 501), (90, 90, 90), 1)
    for x in range(130, 900, 60):
        cv2.line(img, (x, 470), (x, 530), (40, 40, 215), 8)  # red strokes across it
    ink = marks.ink_masks(img, U)
    assert marks.zone_ink(ink, zone) < 0.02
    # the pieces between the red strokes are 52 px (under 3 u): each piece alone is no
    # rule, the line they make is
    cv2.putText(img, "Zhang", (400, 488), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.3, (90, 40, 20), 2)
    ink = marks.ink_masks(img, U)
    assert marks.zone_ink(ink, zone) > 0.5  # the signature above it still counts


def test_tick_boxes_are_found_and_ticks_measured_but_not_characters() -> None:
    img = _page()
    boxes = [(200, 300), (300, 300), (400, 300)]
    for x, y in boxes:
        cv2.rectangle(img, (x, y), (x + 17, y + 17), (20, 20, 20), 2)
    # a tick over the second box, a cross over the third
    cv2.polylines(
        img, [np.array([[300, 308], [307, 318], [322, 292]], np.int32)], False, (120, 40, 30), 3
    )
    cv2.line(img, (403, 303), (414, 314), (120, 40, 30), 3)
    cv2.line(img, (414, 303), (403, 314), (120, 40, 30), 3)
    # a character shaped like a box with a bar across (日)
    cv2.rectangle(img, (600, 300), (614, 320), (20, 20, 20), 2)
    cv2.line(img, (600, 310), (614, 310), (20, 20, 20), 2)
    ink = marks.ink_masks(img, U)
    found = sorted(marks.find_tick_boxes(ink), key=lambda b: b.box[0])
    assert [round(b.box[0] / 100) for b in found] == [2, 3, 4]
    assert found[0].ink < 0.05
    assert found[1].ink > 0.12 and found[2].ink > 0.12


def test_a_cross_that_lengthens_the_bottom_stroke_leftwards_keeps_its_box() -> None:
    """A cross's lower-left arm running out past the box's corner makes the bottom stroke
    start a pixel or two left of the top one; the box is found all the same."""
    img = _page()
    cv2.rectangle(img, (300, 300), (317, 317), (20, 20, 20), 2)
    cv2.line(img, (298, 316), (300, 316), (20, 20, 20), 2)  # the arm past the corner
    cv2.line(img, (303, 303), (314, 314), (120, 40, 30), 3)
    cv2.line(img, (314, 303), (303, 314), (120, 40, 30), 3)
    (box,) = marks.find_tick_boxes(marks.ink_masks(img, U))
    assert round(box.box[0] / 100) == 3 and box.ink > 0.12


def _found_at(found: bool, got: np.ndarray, corners: np.ndarray) -> None:
    assert found
    for corner in corners:
        assert np.min(np.linalg.norm(got - corner, axis=1)) < 12


def test_page_is_found_and_rectified_portrait() -> None:
    photo = np.full((1200, 1600, 3), (40, 90, 140), np.uint8)  # a wooden table
    quad = np.array([[500, 100], [1150, 180], [1050, 1100], [420, 1000]], np.float32)
    cv2.fillConvexPoly(photo, quad.astype(np.int32), (245, 245, 245))
    fit = find_page(photo)
    _found_at(fit.found, fit.quad, quad)
    q = order_corners(fit.quad)
    assert np.linalg.norm(q[1] - q[0]) < np.linalg.norm(q[2] - q[1])  # short side first
    page, _hom = rectify(photo, q, 500)
    assert page.shape[:2] == (round(500 * 297 / 210), 500)
    assert float(page.mean()) > 230  # all paper


def test_the_page_is_told_from_a_pool_of_light_on_the_table_beside_it() -> None:
    # bright and grey, the lit table joins the page in the whiteness mask; its outline
    # runs through no edge of the photo, the page's does all the way round
    photo = np.full((1200, 1600, 3), 110, np.uint8)
    yy, xx = np.mgrid[0:1200, 0:1600]
    glow = 130 * np.exp(-(((xx - 800) / 520.0) ** 2 + ((yy - 1150) / 420.0) ** 2))
    photo = np.clip(photo + glow[..., None], 0, 255).astype(np.uint8)
    quad = np.array([[560, 120], [1060, 150], [1030, 850], [530, 820]], np.float32)
    cv2.fillConvexPoly(photo, quad.astype(np.int32), (246, 246, 246))
    fit = find_page(photo)
    _found_at(fit.found, fit.quad, quad)


def test_a_page_filling_the_frame_falls_back_to_the_whole_image() -> None:
    scan = np.full((1414, 1000, 3), 250, np.uint8)
    fit = find_page(scan)
    assert not fit.found
    assert fit.quad.min() == 0 and fit.quad[:, 0].max() == 999


def test_a_lone_box_shaped_blob_is_no_tick_box() -> None:
    """Printed tick boxes stand in a column (or a row); a box-shaped blob of a bold
    handwritten character elsewhere on the page does not."""
    column = [marks.TickBox((105, y, 120, y + 15), 0.0) for y in (383, 415, 446, 477)]
    blob = marks.TickBox((310, 776, 330, 796), 0.55)
    kept = marks.in_line_with_others([*column, blob], 24.0)
    assert kept == column
    row = [marks.TickBox((x, 300, x + 15, 315), 0.0) for x in (100, 300)]
    assert marks.in_line_with_others(row, 24.0) == row
    assert marks.in_line_with_others([blob], 24.0) == [blob]  # nothing to tell it by
