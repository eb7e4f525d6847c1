"""Reading the printed form from recognised lines (pure, fake lines)."""

from __future__ import annotations

from kyc.forms.parse import (
    LABEL_SLACK,
    Field,
    compare,
    date_reads,
    dropped_characters,
    inside_words,
    norm_url,
    pure_label_boxes,
    read_form,
    row_starts,
    signs_as,
    wanted_values,
    without_label_tail,
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


def test_a_label_box_holding_an_unread_scribble_ends_at_its_printed_characters() -> None:
    # the detector boxed a scribble (80 px, nothing the recogniser read) with the label
    wide = _line("网站负责人（签字）：", 520, 900, width=20.0 * 10 + 80)
    t = read_form([*PAGE[:5], wide, *PAGE[6:]], U, 1000)
    printed_end = 520 + 20.0 * (10 + LABEL_SLACK)  # the page's pitch: 20 px a character
    assert t.sign_zone is not None and abs(t.sign_zone[0] - printed_end) < 2
    assert [b[2] for b in t.printed if b[1] == 900 and b[0] == 520] == [t.sign_zone[0]]
    # a label box as wide as its characters ends where it ends
    t = read_form(PAGE, U, 1000)
    assert t.sign_zone is not None and t.sign_zone[0] == 520 + 20.0 * 10


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


def test_a_stroke_read_as_one_character_and_a_colon_does_not_close_the_signature_blank() -> None:
    # a signature whose first stroke the recogniser read as "电：", the name after it
    lines = [*PAGE[:5], _line("网站负责人（签字）：", 520, 900), _line("电：", 730, 895)]
    lines += [_line("李四", 790, 890), *PAGE[6:]]
    t = read_form(lines, U, 1000)
    assert t.sign_zone is not None and t.sign_zone[2] > 790 + 40
    # a printed label on the row does close it
    lines = [*PAGE[:5], _line("网站负责人（签字）：", 300, 900), _line("日期：", 720, 900)]
    t = read_form([*lines, *PAGE[6:8]], U, 1000)
    assert t.sign_zone is not None and t.sign_zone[2] < 720


def test_a_signature_label_with_a_character_misread_is_found_above_mid_page() -> None:
    # a layout with the applicant's block high on the page, its 名 read as 容
    lines = [
        PAGE[0],
        *PAGE[1:4],
        _line("网站负责人签容", 80, 720),
        _line("主办单位盖章：", 80, 780),
    ]
    t = read_form(lines, U, 1000)
    assert t.sign_label is not None and t.sign_label.text == "网站负责人签容"
    assert t.seal_label is not None
    # the principal's own data row is no signature label
    lines = [PAGE[0], *PAGE[1:4], _line("网站负责人：", 80, 720)]
    t = read_form(lines, U, 1000)
    assert t.sign_label is not None and t.sign_label.y0 == 720


def test_values_are_read_past_a_label_box_that_overlaps_them() -> None:
    label = Line("网站负责人姓名：", 95, 356, 250, 387, tuple([0.99] * 8))
    value = Line("罗云鹏", 236, 359, 310, 384, (0.99, 0.99, 0.99))
    url_label = Line("网站首页网址：", 96, 323, 235, 347, tuple([0.99] * 7))
    url = Line("www.techmall.com.cn", 224, 323, 433, 347, tuple([0.99] * 19))
    t = read_form([PAGE[0], url_label, url, label, value], U, 1000)
    assert t.principal is not None and t.principal.text == "罗云鹏"
    assert t.homepage_url is not None and t.homepage_url.text == "www.techmall.com.cn"
    # 责 read as 资: still the principal's label
    t = read_form([PAGE[0], _line("网站负资人姓名：金德娜", 80, 400)], U, 1000)
    assert t.principal is not None and t.principal.text == "金德娜"


def test_a_box_inside_printed_words_is_part_of_a_character() -> None:
    title = _line("网站备案信息真实性核验单", 300, 80)  # 20 px a character
    item = _line("口已核验：主体证件资质是否", 90, 400)
    ticked = _line("区已核验：联系方式是否", 90, 440)  # a ticked box read as 区
    lines = [title, item, ticked]
    assert inside_words((400.0, 84.0, 419.0, 102.0), lines, U)  # the 自 of 息
    assert not inside_words((92.0, 404.0, 109.0, 421.0), lines, U)  # the item's box
    assert not inside_words((92.0, 444.0, 109.0, 461.0), lines, U)  # its start
    assert not inside_words((600.0, 404.0, 617.0, 421.0), lines, U)  # beside, not in
    # a line read with a box in it keeps every box in it (是 口否)
    assert not inside_words((150.0, 504.0, 167.0, 521.0), [_line("口是 口否 是否", 90, 500)], U)


def test_only_the_principals_name_read_in_the_blank_proves_a_signature() -> None:
    assert signs_as("李四", ["李四"])
    assert signs_as("欧阳欣梅", ["欧阳欣海"])  # one character misread in four
    assert not signs_as("李西", ["李四"])  # two characters: read exactly
    assert not signs_as("州优飞6", ["黄博"])  # a seal's ring text
    assert not signs_as("", ["李四"])


def test_a_date_read_again_counts_figures_read_surely() -> None:
    box = (0.0, 0.0, 10.0, 10.0)
    printed, extra, figure = date_reads([("年月", (1.0, 1.0), box), ("日", (0.99,), box)], 0.8)
    assert len(printed) == 2 and extra == "" and not figure
    _p, extra, figure = date_reads([("2026年", (1.0, 1.0, 0.99, 1.0, 1.0), box)], 0.8)
    assert figure and extra == "2026"
    # a speck between 年 and 月 read as a figure, unsure: no proof (the ink decides)
    _p, extra, figure = date_reads([("5", (0.17,), box), ("年1月", (1.0, 0.55, 1.0), box)], 0.8)
    assert not figure and extra == "51"
    # a smudge read as three figures, one of them above the bar: their mean decides
    _p, _e, figure = date_reads([("580", (0.24, 0.5, 0.81), box)], 0.8)
    assert not figure
    # one figure alone, however sure, is no date (a printed 日 blurred reads as 8)
    _p, _e, figure = date_reads([("8", (0.92,), box), ("年", (0.73,), box)], 0.8)
    assert not figure
    # a month and a day read apart are
    _p, _e, figure = date_reads([("6月", (0.99, 1.0), box), ("1日", (0.97, 1.0), box)], 0.8)
    assert figure


def test_a_figure_read_unsure_in_a_date_blank_on_the_page_is_left_out() -> None:
    unsure = [*PAGE[:8], _line("3", 600, 1020, p=0.3), *PAGE[8:]]
    assert read_form(unsure, U, 1000).date_text == ""
    sure = [*PAGE[:8], _line("3", 600, 1020, p=0.97), *PAGE[8:]]
    assert read_form(sure, U, 1000).date_text == "3"


def test_a_date_blank_ends_at_the_next_label_even_with_a_date_written_after_it() -> None:
    # the provider's date on the left, the applicant's label and a date written after it
    # read as one line on the same row: that line is not the provider's
    lines = [
        PAGE[0],
        _line("核验日期：", 80, 1170),
        _line("年", 260, 1170),
        _line("月", 340, 1170),
        _line("日期：2026年6月1", 520, 1170),
    ]
    t = read_form(lines, U, 1000)
    assert t.provider_dates and t.provider_text == ""
    assert t.date_text and "2026" in t.date_text


def test_a_bracketed_signature_label_with_its_character_misread_is_the_principals() -> None:
    lines = [
        *PAGE[:5],
        _line("网站负责人（签宇）：黎若秀", 520, 900),  # 签字 read 签宇
        _line("网站主办者（盖章/签字）：", 520, 960),  # an individual's seal label
    ]
    t = read_form(lines, U, 1000)
    assert t.sign_label is not None and t.sign_label.text.startswith("网站负责人")
    assert t.sign_text == "黎若秀"


def test_a_units_signature_block_reaches_its_hidden_seal_labels_row() -> None:
    from kyc.forms.check import signature_block

    label = _line("网站负责人（签字）：", 520, 900)
    zone = (700.0, 860.0, 970.0, 930.0)
    unit = signature_block(label, zone, None, U, unit=True)
    assert unit[3] >= label.y1 + 2.4 * U  # the seal label's row, under a seal
    person = signature_block(label, zone, None, U, unit=False)
    assert person[3] == max(label.y1, zone[3])
    seal = _line("网站主办者（盖章）：", 520, 960)
    assert signature_block(label, zone, seal, U, unit=True)[3] == seal.y1


def _read(text: str, probs: list[float]) -> Field:
    return Field(text, (0, 0, 1, 1), min(probs), tuple(probs), tuple([(("x", 0.01),)] * len(text)))


def test_one_character_off_is_judged_by_that_characters_own_probability() -> None:
    sure = 0.9
    text = "https://www.data.com.cn"
    weak_scheme = [0.99, 1.0, 0.6] + [1.0] * (len(text) - 3)  # the field's weakest: a 't'
    # the filing's www.dsta.com.cn: the 'a' that differs was read at 1.0, another site
    assert compare(_read(text, weak_scheme), ["www.dsta.com.cn"], "url", sure) is False
    # the same read with the differing 'a' itself unsure: a misreading, undecided
    unsure_there = list(weak_scheme)
    unsure_there[text.index("data") + 1] = 0.7
    assert compare(_read(text, unsure_there), ["www.dsta.com.cn"], "url", sure) is None
    # a name: the differing given name read surely, the surname weakly
    assert compare(_read("张敏", [0.7, 0.98]), ["张伟"], "name", sure) is False
    assert compare(_read("张敏", [0.98, 0.7]), ["张伟"], "name", sure) is None


def test_characters_left_out_are_told_from_another_value() -> None:
    assert dropped_characters("www.fodedu.com.cn", "www.foodedu.com.cn")  # CTC merged oo
    assert dropped_characters("ww.shop.com", "www.shop.com")
    assert dropped_characters("任", "任霞")
    assert not dropped_characters("任霞", "任霞")  # nothing left out
    assert not dropped_characters("www.data.com", "www.dsta.com")  # another letter
    assert not dropped_characters("www.fodedux.com", "www.foodedu.com")  # one of its own
    assert not dropped_characters("w.cn", "www.shop.cn")  # too much missing to tell


def test_a_label_tail_read_with_a_value_is_dropped() -> None:
    got = without_label_tail(_read("址：www.a.com", [0.5, 0.9] + [0.99] * 9))
    assert got.text == "www.a.com" and got.confidence == 0.99
    assert without_label_tail(_read("https://www.a.com", [0.9] * 17)).text == "https://www.a.com"
    assert without_label_tail(_read("人：任霞", [0.9] * 4)).text == "任霞"
