from __future__ import annotations

import datetime as dt
from random import Random

import numpy as np
import pytest

from kyc.synth import KINDS, LEVELS, generate
from kyc.synth.identity import make_company, make_person
from kyc.synth.render import (
    CARD_SIZE,
    LICENSE_H_SIZE,
    LICENSE_V_SIZE,
    render_id_back,
    render_id_front,
    render_license,
    wrap,
)

TODAY = dt.date(2026, 6, 15)


def _inside(box: tuple[int, int, int, int] | list[int], size: tuple[int, int]) -> bool:
    return 0 <= box[0] < box[2] <= size[0] and 0 <= box[1] < box[3] <= size[1]


def test_render_sizes_and_boxes() -> None:
    rng = Random(1)
    p = make_person(rng, TODAY)
    front = render_id_front(p, rng, portrait=None)
    back = render_id_back(p, rng)
    assert front.image.size == CARD_SIZE
    assert back.image.size == CARD_SIZE
    assert set(front.boxes) == set(front.fields) == {
        "name", "sex", "ethnicity", "birth_date", "address", "id_number",
    }  # fmt: skip
    assert set(back.boxes) == set(back.fields) == {"issuing_authority", "valid_from", "valid_until"}
    for r in (front, back):
        for b in r.boxes.values():
            assert _inside(b, CARD_SIZE)
    c = make_company(rng, TODAY)
    h = render_license(c, rng, "horizontal")
    v = render_license(c, rng, "vertical")
    assert h.image.size == LICENSE_H_SIZE
    assert v.image.size == LICENSE_V_SIZE
    for r, size in ((h, LICENSE_H_SIZE), (v, LICENSE_V_SIZE)):
        assert set(r.boxes) == set(r.fields)
        for b in r.boxes.values():
            assert _inside(b, size)


def test_generate_is_deterministic_per_seed() -> None:
    a = generate("id_card_front", "hard", Random(5), today=TODAY)
    b = generate("id_card_front", "hard", Random(5), today=TODAY)
    assert a.truth == b.truth
    assert np.array_equal(a.image, b.image)
    c = generate("id_card_front", "hard", Random(6), today=TODAY)
    assert c.truth["fields"] != a.truth["fields"]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("kind", KINDS)
def test_quad_inside_unless_cut_off(kind: str, level: str) -> None:
    for seed in range(1):
        s = generate(kind, level, Random(seed), today=TODAY)  # type: ignore[arg-type]
        h, w = s.image.shape[:2]
        assert s.image.dtype == np.uint8 and s.image.ndim == 3 and s.image.shape[2] == 3
        assert s.truth["document_type"] == kind
        quad = np.array(s.truth["quad"])
        assert quad.shape == (4, 2)
        inside = bool(((quad >= -1) & (quad <= [w + 1, h + 1])).all())
        cut = "cut_off" in s.truth["conditions"]
        assert inside == (not cut)
        assert ("BORDER_INCOMPLETE" in s.truth["warnings"]) == cut


def test_cut_off_puts_document_partly_outside() -> None:
    s = generate("id_card_front", "hard", Random(2), today=TODAY, conditions=["cut_off"])
    h, w = s.image.shape[:2]
    quad = np.array(s.truth["quad"])
    assert not ((quad >= 0) & (quad <= [w, h])).all()
    assert "BORDER_INCOMPLETE" in s.truth["warnings"]
    for name, fq in s.truth["field_quads"].items():
        q = np.array(fq)
        if not ((q >= 0) & (q <= [w, h])).all():
            assert s.truth["hidden_fields"].get(name) == "cut_off"


def test_a_closing_mark_never_starts_a_wrapped_line() -> None:
    from kyc.synth import fonts

    f = fonts.face("noto_sans", 30)
    text = "社区服务；养老服务；文化艺术培训；心理健康咨询。"
    for width in range(60, 800, 7):
        lines = wrap(text, f, width)
        assert "".join(lines) == text
        assert not any(line[0] in "。；，、" for line in lines[1:]), (width, lines)
