"""Glare and a finger over a document, on drawn pages: looked for on both cards of a
both-sides page; a finger is a blob, not skin-toned fine print."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kyc.ocr.quality import Region, assess

PAGE = (200, 204, 208)  # greyish paper, well below a highlight's brightness
CARD = (214, 222, 230)
INK = (40, 40, 40)
LINE_H = 30
SKIN = (125, 160, 205)  # BGR of a thumb in daylight
HIGHLIGHT = (255, 255, 255)


def card(img: np.ndarray, x0: int, y0: int, lines: int) -> list[np.ndarray]:
    """A card with ``lines`` text lines drawn on ``img``; returns the lines' quads."""
    cv2.rectangle(img, (x0, y0), (x0 + 640, y0 + 400), CARD, -1)
    quads = []
    for k in range(lines):
        top = y0 + 60 + 50 * k
        x1 = x0 + 420 if k % 2 else x0 + 540
        cv2.rectangle(img, (x0 + 60, top + 8), (x1, top + LINE_H - 8), INK, -1)
        quads.append(
            np.array(
                [[x0 + 60, top], [x1, top], [x1, top + LINE_H], [x0 + 60, top + LINE_H]]
            ).astype(np.float32)
        )
    return quads


def page(mark: tuple[int, int, int] | None, on_back: bool) -> tuple[np.ndarray, list[Region]]:
    """A 1000x1300 page: an ID front (six lines) above an ID back (four lines); ``mark``
    painted as a disc over the text of the back (else the front)."""
    img = np.zeros((1300, 1000, 3), np.uint8)
    img[:] = PAGE
    front = card(img, 180, 100, 6)
    back = card(img, 180, 750, 4)
    if mark is not None:
        centre = (420, 850) if on_back else (420, 220)
        cv2.circle(img, centre, 45, mark, -1)
    return img, [
        Region(front, 0.0, "id_card_front"),
        Region(back, 0.0, "id_card_back"),
    ]


def warnings(img: np.ndarray, regions: list[Region]) -> set[str]:
    return set(assess(img, regions, LINE_H, []).warnings)


def test_a_clean_page_has_neither_warning() -> None:
    assert not {"GLARE", "OCCLUSION"} & warnings(*page(None, on_back=True))


@pytest.mark.parametrize("on_back", [False, True], ids=["front", "back"])
@pytest.mark.parametrize(("mark", "code"), [(SKIN, "OCCLUSION"), (HIGHLIGHT, "GLARE")])
def test_a_mark_over_either_card_is_seen(
    mark: tuple[int, int, int], code: str, on_back: bool
) -> None:
    # the front has more lines: it is the page's main document, the back is the other
    assert code in warnings(*page(mark, on_back))


def test_skin_toned_fine_print_is_not_a_finger() -> None:
    img, regions = page(None, on_back=True)
    for x in range(190, 810, 10):  # a guilloche of 3 px skin-toned lines over the front
        cv2.line(img, (x, 110), (x + 40, 490), SKIN, 3)
    assert "OCCLUSION" not in warnings(img, regions)
