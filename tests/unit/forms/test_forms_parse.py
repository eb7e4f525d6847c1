"""Reading the printed form from recognised lines (pure, fake lines)."""

from __future__ import annotations

from kyc.forms.parse import (
    Field,
    compare,
    norm_url,
    pure_label_boxes,
    read_form,
    row_starts,
    wanted_values,
)
from kyc.ocr.layout import Line

U = 28.0


def _line(text: str, x0: float, y: float, width: float | None = None, p: float = 0.99) -> Line:
    w = width if width is not None else 20.0 * len(text)
    return Line(text, x0, y, x0 + w, y + U, tuple([p] * len(text)))


PAGE = [
    _line("网站备案信息真实性核验单", 300, 80),
    _line("网站负责人姓名", 80, 400),
    _line("张三", 260, 400),
    _line("网站首页网址：www.example.com", 80, 440),
    _line("接入服务单位核验人（签字）：", 80, 900),
    _line("网站负责人（签字）：", 520, 900),
    _line("网站主办者（盖章）：", 520, 960),
    _line("日期：", 520, 1020),
    _line("年", 640, 1020),
    _line("月", 720, 1020),
    _line("日", 800, 1020),
]


def test_reads_title_values_and_blanks() -> None:
    t = read_form(PAGE, U, 1000)
    assert t.is_form
    assert t.principal is not None and t.principal.text == "张三"
    assert t.homepage_url is not None and t.homepage_url.text == "www.example.com"
    assert t.sign_label is not None and t.sign_label.text.startswith("网站负责人")
    assert t.sign_zone is not None and t.sign_zone[0] >= 520 + 20 * 9
    assert t.seal_label is not None and "盖章" in t.seal_label.text
    assert t.date_zone is not None and t.date_zone[2] >= 800 + 20
    assert t.date_text == ""
    assert len(t.provider_zones) == 1  # the provider's signature blank, left


def test_a_written_date_and_a_signature_joined_to_its_label_are_read() -> None:
    lines = [*PAGE[:5], _line("网站负责人（签字）：李四", 520, 900), *PAGE[6:8]]
    lines += [_line("2026年", 590, 1020), _line("6月", 700, 1020), _line("日", 800, 1020)]
    t = read_form(lines, U, 1000)
    assert t.sign_text == "李四"
    assert any(ch.isdigit() for ch in t.date_text)


def test_not_a_form_without_its_title() -> None:
    assert not read_form([_line("授权委托书", 300, 80), *PAGE[1:]], U, 1000).is_form


def test_compare_tells_match_mismatch_and_misreading() -> None:
    sure = 0.9
    assert compare(
        Field("http://www.Example.com/", (0, 0, 1, 1), 0.99), ["www.example.com"], "url", sure
    )
    assert (
        compare(Field("www.other.cn", (0, 0, 1, 1), 0.99), ["www.example.com"], "url", sure)
        is False
    )
    # one character off, read with little confidence: a misreading, not another site
    assert (
        compare(Field("www.examqle.com", (0, 0, 1, 1), 0.6), ["www.example.com"], "url", sure)
        is None
    )
    # ... but read with confidence it is another (look-alike) domain
    assert (
        compare(Field("www.examqle.com", (0, 0, 1, 1), 0.99), ["www.example.com"], "url", sure)
        is False
    )
    # l read as 1: the same address when unsure, undecided when read surely
    assert compare(Field("www.examp1e.com", (0, 0, 1, 1), 0.6), ["www.example.com"], "url", sure)
    assert (
        compare(Field("www.examp1e.com", (0, 0, 1, 1), 0.99), ["www.example.com"], "url", sure)
        is None
    )
    # the recogniser's runner-up at an unsure character
    probs = tuple([0.99] * 8 + [0.5] + [0.99] * 6)
    alts = tuple([(("x", 0.1),)] * 8 + [(("p", 0.4),)] + [(("x", 0.1),)] * 6)
    misread = Field("www.examqle.com", (0, 0, 1, 1), 0.5, probs, alts)
    assert compare(misread, ["www.example.com"], "url", sure)
    assert compare(None, ["www.example.com"], "url", sure) is None
    assert compare(Field("张 三", (0, 0, 1, 1), 0.99), ["张三"], "name", sure)
    assert norm_url("https://www.a.com.") == "www.a.com"


def test_two_rounds_read_row_starts_then_values_of_key_labels() -> None:
    boxes = [(ln.x0, ln.y0, ln.x1, ln.y1) for ln in PAGE]
    starts = row_starts(boxes, U)
    assert 1 in starts and 2 not in starts  # the label starts its row, its value does not
    read = [i in starts for i in range(len(PAGE))]
    blank = [ln if read[i] else Line("", ln.x0, ln.y0, ln.x1, ln.y1) for i, ln in enumerate(PAGE)]
    assert 2 in wanted_values(blank, read, U)


def test_printed_date_characters_are_print() -> None:
    zone = (560.0, 1000.0, 830.0, 1060.0)
    boxes = pure_label_boxes(PAGE, zone, U)
    assert len(boxes) == 4  # 日期： 年 月 日
    written = [*PAGE[:7], _line("2026", 580, 1020)]
    assert pure_label_boxes(written, zone, U) == []
