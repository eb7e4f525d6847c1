"""A document whose lines all read as noise is read again turned over (pure logic with a
fake recogniser: it reads a crop well only when its marker corner is at the top left)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

from kyc.ocr.engine import CharReading, TextReading
from kyc.ocr.pipeline import DocumentReader, Group, mean_probability, should_turn


def _reading(p: float) -> TextReading:
    return TextReading("字字", (CharReading("字", p, ()), CharReading("字", p, ())))


class _Recogniser:
    """Reads a crop at 0.9 when its marker pixel (255) is top left, else at 0.15."""

    def recognize(self, crops: list[np.ndarray]) -> list[TextReading]:
        return [_reading(0.9 if c[0, 0, 0] == 255 else 0.15) for c in crops]


def _crop(upright: bool) -> np.ndarray:
    c = np.zeros((8, 20, 3), np.uint8)
    c[(0, 0) if upright else (-1, -1)] = 255
    return c


def test_turn_needs_a_clear_gain_and_a_good_reading() -> None:
    assert should_turn(0.20, 0.63)
    assert not should_turn(0.20, 0.45)  # better, but still noise
    assert not should_turn(0.45, 0.60)  # not enough better
    assert mean_probability([_reading(0.2), TextReading("", ())]) == 0.1


def test_a_group_read_upside_down_is_turned_and_others_are_not() -> None:
    crops = [_crop(False)] * 4 + [_crop(True)] * 4
    upside = [0.2] * 8
    groups = [Group((0, 1, 2, 3), 0.1, None, 0), Group((4, 5, 6, 7), 0.1, None, 0)]
    fake = SimpleNamespace(engine=_Recogniser())
    texts = fake.engine.recognize(crops)
    out_groups, out_crops, out_texts, out_upside = DocumentReader._turn_misread_groups(
        fake,  # type: ignore[arg-type]
        groups,
        crops,
        texts,
        upside,
    )
    turned, kept = out_groups
    assert math.isclose(math.remainder(turned.angle - 0.1 - math.pi, 2 * math.pi), 0, abs_tol=1e-9)
    assert kept == groups[1]
    assert all(mean_probability([out_texts[i]]) == 0.9 for i in range(8))
    assert out_upside[:4] == [0.8] * 4 and out_upside[4:] == [0.2] * 4
    assert all(out_crops[i][0, 0, 0] == 255 for i in range(4))


def test_a_short_group_is_left_as_it_reads() -> None:
    crops = [_crop(False)] * 2
    groups = [Group((0, 1), 0.0, None, 0)]
    fake = SimpleNamespace(engine=_Recogniser())
    out = DocumentReader._turn_misread_groups(
        fake,  # type: ignore[arg-type]
        groups,
        crops,
        fake.engine.recognize(crops),
        [0.5, 0.5],
    )
    assert out[0] == groups


def test_a_group_the_classifier_was_unsure_of_reads_the_way_of_the_sure_page_beside_it() -> None:
    from kyc.ocr.pipeline import Group, borrowed_directions

    def box(x: float, y: float, w: float, h: float = 20.0) -> np.ndarray:
        return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)

    # a page of four lines read the right way up, sure; two machine-zone lines under it,
    # the classifier unsure (0.76, 0.58: the group voted upside down)
    quads = [box(100, 100 + 30 * k, 300) for k in range(4)] + [
        box(50, 260, 500),
        box(50, 290, 500),
    ]
    upside = [0.0, 0.01, 0.0, 0.02, 0.76, 0.58]
    page = Group((0, 1, 2, 3), 0.0, None, 0)
    zone = Group((4, 5), math.pi, None, 0)
    out = borrowed_directions([page, zone], quads, upside, 20.0)
    assert [g.angle for g in out] == [0.0, 0.0]
    # a zone the classifier was sure of keeps its own direction, and so does one far away
    sure = [0.0, 0.01, 0.0, 0.02, 0.98, 0.97]
    assert borrowed_directions([page, zone], quads, sure, 20.0)[1].angle == math.pi
    far = [*quads[:4], box(50, 2000, 500), box(50, 2030, 500)]
    assert borrowed_directions([page, zone], far, upside, 20.0)[1].angle == math.pi
    # three square boxes (性 别 男) vote nothing and have no axis of their own: they
    # read the way of the page beside them, whatever their boxes' long sides say
    squares = [*quads[:4], box(100, 230, 20), box(140, 230, 20), box(200, 230, 21)]
    label = Group((4, 5, 6), math.pi / 2, None, 0)
    out = borrowed_directions([page, label], squares, [*upside[:4], 0.5, 0.5, 0.5], 20.0)
    assert out[1].angle == 0.0


class _BlurredRecogniser:
    """A blurred card: turned over its lines read as a card's (labels, an ID number) at
    0.48, the way the classifier said at 0.26 as noise."""

    def __init__(self, upright: list[str]) -> None:
        self.upright = upright

    def recognize(self, crops: list[np.ndarray]) -> list[TextReading]:
        out = []
        for k, c in enumerate(crops):
            if c[0, 0, 0] == 255:
                text, p = self.upright[k % len(self.upright)], 0.48
            else:
                text, p = "口", 0.26
            out.append(TextReading(text, tuple(CharReading(ch, p, ()) for ch in text)))
        return out


def test_a_group_that_reads_as_a_document_only_turned_over_is_turned() -> None:
    assert not should_turn(0.26, 0.48)  # no clear gain by probability alone
    crops = [_crop(False)] * 4
    groups = [Group((0, 1, 2, 3), 0.0, None, 0)]

    def turn(upright: list[str]) -> tuple[list[Group], list[TextReading]]:
        fake = SimpleNamespace(engine=_BlurredRecogniser(upright))
        out_groups, _c, out_texts, _u = DocumentReader._turn_misread_groups(
            fake,  # type: ignore[arg-type]
            groups,
            crops,
            fake.engine.recognize(crops),
            [0.5] * 4,
        )
        return out_groups, out_texts

    upright = ["姓名徐云", "性别男", "出生1959年8月6日", "公民身份号码632623195908068136"]
    out_groups, out_texts = turn(upright)
    assert [t.text for t in out_texts] == upright
    assert math.isclose(abs(out_groups[0].angle), math.pi)
    # noise either way up stays as read
    assert turn(["口口", "二"])[0] == groups
