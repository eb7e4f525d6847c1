"""Geometry of line crops and of the document in the photo: a near-square box of one
character is cut along its document's reading direction, not along its own longer side;
resolution is the document's width over its printed width."""

from __future__ import annotations

import math

import numpy as np

from kyc.ocr.engine import crop_line, order_along


def box(x: float, y: float, w: float, h: float) -> np.ndarray:
    # Clockwise in image coordinates (y down), as the detector returns them.
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], dtype=np.float32)


def test_order_along_puts_the_reading_side_first() -> None:
    q = box(10, 20, 35, 42)
    assert np.allclose(order_along(q, 0.0)[0], [10, 20])  # reads left to right
    assert np.allclose(order_along(q, math.pi)[0], [45, 62])  # upside down
    assert np.allclose(order_along(q, math.pi / 2)[0], [45, 20])  # reads downwards


def test_a_tall_single_character_box_is_not_laid_on_its_side() -> None:
    image = np.zeros((100, 100, 3), dtype=np.uint8)
    image[20:62, 10:20] = 255  # a bright stroke on the character's left
    q = box(10, 20, 35, 42)
    by_long_side = crop_line(image, q)
    along_text = crop_line(image, q, reading=0.0)
    assert by_long_side.shape[:2] == (35, 42)  # the longer side taken as the text's
    assert along_text.shape[:2] == (42, 35)
    # Upright: the stroke stays on the left of the crop.
    assert along_text[:, :8].mean() > 200 and along_text[:, -8:].mean() < 50


def test_resolution_is_the_document_width_over_its_printed_width() -> None:
    from kyc.ocr.quality import px_per_mm

    card = box(0, 0, 856, 540)
    assert abs(px_per_mm(card, "id_card_front") - 10.0) < 0.01
    # A license counts its longer side, printed either way round.
    assert abs(px_per_mm(box(0, 0, 1000, 1485), "business_license") - 5.0) < 0.01
