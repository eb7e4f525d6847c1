"""The portrait crop's text-line cutting (kyc.ocr.quality._cut_lines): each line inside
the window is cut away by the edge move that keeps the most area, never past an edge's
limit; a line that no allowed move removes (crossing the face) stays."""

from __future__ import annotations

from kyc.ocr.quality import _cut_lines

WINDOW = (0.0, 0.0, 100.0, 100.0)
LIMITS = (50.0, 20.0, 50.0, 80.0)  # left <= 50, top <= 20, right >= 50, bottom >= 80
SIZE = (1000, 1000)  # card size: 1% padding = 10 px


def test_a_line_under_the_face_moves_the_bottom_up() -> None:
    assert _cut_lines(WINDOW, [(10.0, 90.0, 90.0, 95.0)], LIMITS, None, SIZE) == (
        0.0,
        0.0,
        100.0,
        80.0,
    )


def test_a_line_at_the_side_moves_that_edge_only() -> None:
    out = _cut_lines(WINDOW, [(85.0, 10.0, 95.0, 60.0)], LIMITS, None, SIZE)
    assert out == (0.0, 0.0, 75.0, 100.0)


def test_a_line_across_the_face_stays() -> None:
    assert _cut_lines(WINDOW, [(0.0, 45.0, 100.0, 55.0)], LIMITS, None, SIZE) == WINDOW


def test_lines_outside_the_window_are_ignored() -> None:
    assert _cut_lines(WINDOW, [(120.0, 0.0, 200.0, 10.0)], LIMITS, None, SIZE) == WINDOW
