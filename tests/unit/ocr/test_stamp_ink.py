"""A stamp's red ink inside a value's box, told apart from black print under a warm light."""

from __future__ import annotations

import cv2
import numpy as np

from kyc.ocr.quality import stamp_ink_share


def _line(paper: tuple[int, int, int], ink: tuple[int, int, int]) -> np.ndarray:
    """A 48 x 400 crop with eight dark character-like blocks."""
    crop = np.full((48, 400, 3), paper, np.uint8)
    for k in range(8):
        cv2.rectangle(crop, (10 + 48 * k, 10), (40 + 48 * k, 38), ink, 3)
    return crop


def test_black_print_has_no_stamp_ink_even_under_a_warm_light() -> None:
    assert stamp_ink_share(_line((235, 238, 240), (30, 30, 30))) < 0.02
    # a warm light: every channel scaled (blue 0.8, green 0.92, red 1.06)
    neutral = _line((235, 238, 240), (30, 30, 30)).astype(np.float32)
    warm = np.clip(neutral * np.array([0.8, 0.92, 1.06], np.float32), 0, 255).astype(np.uint8)
    assert stamp_ink_share(warm) < 0.02


def test_a_red_stamp_over_print_is_a_share_of_its_ink() -> None:
    crop = _line((235, 238, 240), (30, 30, 30))
    cv2.circle(crop, (60, 24), 20, (90, 90, 230), 3)  # a pink-red stroke over two glyphs
    share = stamp_ink_share(crop)
    assert 0.06 < share < 0.9


def test_text_that_is_all_red_is_the_stamps_own() -> None:
    assert stamp_ink_share(_line((235, 238, 240), (40, 40, 200))) > 0.9


def test_without_stamp_paints_the_red_out_and_keeps_the_rows_of_print() -> None:
    from kyc.ocr.quality import without_stamp

    crop = np.full((150, 400, 3), (235, 238, 240), np.uint8)
    for k in range(8):  # a line of print in the top 60 rows
        cv2.rectangle(crop, (10 + 48 * k, 15), (40 + 48 * k, 50), (30, 30, 30), 3)
    cv2.rectangle(crop, (150, 30), (390, 140), (70, 60, 210), 4)  # a stamp over and below it
    cleaned = without_stamp(crop)
    assert stamp_ink_share(cleaned) < 0.02
    assert 36 <= cleaned.shape[0] <= 60  # the print's rows, not the stamp's
    grey = cv2.cvtColor(cleaned, cv2.COLOR_BGR2GRAY)
    assert (grey < 100).sum() > 0.5 * (cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) < 100).sum()


def test_without_stamp_keeps_the_print_the_stamp_crosses() -> None:
    from kyc.ocr.quality import without_stamp

    crop = np.full((60, 400, 3), (235, 238, 240), np.uint8)
    for x in range(20, 400, 30):  # a seal's red strokes running through the line
        cv2.line(crop, (x, 0), (x + 25, 59), (70, 60, 210), 3)
    for k in range(8):  # print on top: where the two cross, the ink shows dark
        cv2.rectangle(crop, (10 + 48 * k, 3), (40 + 48 * k, 56), (30, 30, 30), 3)
    black = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) < 100
    cleaned = without_stamp(crop)
    assert cleaned.shape == crop.shape  # the print spans every row: none cut
    assert stamp_ink_share(cleaned) < 0.02
    kept = cv2.cvtColor(cleaned, cv2.COLOR_BGR2GRAY) < 100
    assert (kept & black).sum() >= 0.98 * black.sum()


def test_a_region_around_a_stamp_is_painted_out_at_the_print_s_own_ink_level() -> None:
    """A region around a stamp is mostly paper and a card's pattern: its own 3rd
    percentile of lightness is no ink, and the stamp's strokes, darker than that level's
    third of the way to the paper, were kept as black print over it. At the lightness of
    the lines of print, they are painted out and the print stays."""
    from kyc.ocr.quality import print_lightness, stamp_painted_out

    region = np.full((200, 400, 3), (235, 238, 240), np.uint8)
    region[:, 300:] = (150, 160, 170)  # a portrait's grey, a fifth of the region
    cv2.rectangle(region, (20, 80), (44, 110), (30, 30, 30), 2)  # one black character
    cv2.rectangle(region, (60, 40), (280, 160), (70, 70, 170), 6)  # a dull red stamp frame
    line = _line((235, 238, 240), (30, 30, 30))
    ink = print_lightness([line, line])
    assert ink < 60

    def red_left(img: np.ndarray) -> int:
        return int((img[42:158, 62:66] == (70, 70, 170)).all(axis=2).sum())

    assert red_left(stamp_painted_out(region)) > 0  # its own level: kept as "print"
    out = stamp_painted_out(region, ink)
    assert red_left(out) == 0
    assert (out[80, 22:42] == (30, 30, 30)).all()  # the black character stays


def test_a_seals_own_words_read_into_a_value_are_found_and_a_red_label_is_not() -> None:
    from kyc.ocr.documents.base import RawField
    from kyc.ocr.layout import Line
    from kyc.ocr.pipeline import DocumentReader

    page = np.full((300, 900, 3), (235, 238, 240), np.uint8)
    page[20:68, 0:400] = _line((235, 238, 240), (40, 40, 200))  # a label printed red
    page[20:68, 450:850] = _line((235, 238, 240), (30, 30, 30))  # its value, black
    page[70:118, 450:850] = _line((235, 238, 240), (40, 40, 200))  # a seal's ring words
    page[220:268, 450:850] = _line((235, 238, 240), (40, 40, 200))  # a value all red

    def quad(x: int, y: int) -> np.ndarray:
        return np.array([[x, y], [x + 400, y], [x + 400, y + 48], [x, y + 48]], np.float32)

    quads = [quad(0, 20), quad(450, 20), quad(450, 70), quad(450, 220)]
    lines = [
        Line("法定代表人", 0, 20, 400, 68, source=0),
        Line("潘华", 450, 20, 850, 68, source=1),
        Line("工作服务中", 450, 70, 850, 118, source=2),
        Line("红字", 450, 220, 850, 268, source=3),
    ]
    raw = {
        "legal_representative": RawField("潘华工作服务中", box=(450, 20, 850, 118)),
        "other": RawField("红字", box=(450, 220, 850, 268)),
    }
    assert DocumentReader._seal_text(page, quads, lines, raw, 0.0) == {2}
