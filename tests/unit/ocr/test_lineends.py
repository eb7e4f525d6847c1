"""A line whose last characters the recogniser dropped: found by the ink past the last
character it emitted, and read again only to add what was dropped."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from kyc.ocr.engine import CharReading, TextReading
from kyc.ocr.lineends import END_DOUBT, TAIL, doubtful_end, extends, lengthened_at_end, tail_ink

DARK = (30 + 235) / 2  # between the glyphs' ink and the paper


def _line(glyphs: int = 8, pitch: int = 48) -> np.ndarray:
    """A grey 48-px line of ``glyphs`` character-like blocks, ``pitch`` px apart."""
    crop = np.full((48, 10 + pitch * glyphs, 3), 235, np.uint8)
    for k in range(glyphs):
        cv2.rectangle(crop, (10 + pitch * k, 8), (40 + pitch * k, 40), (30, 30, 30), 3)
    return cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)


def _at(k: int, grey: np.ndarray, pitch: int = 48) -> float:
    """The share of the crop's width at the middle of glyph ``k``."""
    return (25 + pitch * k) / int(grey.shape[1])


def test_ink_ending_with_the_last_character_read_is_no_lost_end() -> None:
    grey = _line()
    assert tail_ink(grey, _at(7, grey), DARK) < TAIL


def test_ink_running_a_character_past_the_last_one_read_is_a_lost_end() -> None:
    grey = _line()
    assert tail_ink(grey, _at(6, grey), DARK) > TAIL  # the eighth glyph was not read
    assert tail_ink(grey, _at(5, grey), DARK) > tail_ink(grey, _at(6, grey), DARK)


def test_blank_crop_has_no_tail() -> None:
    assert tail_ink(np.full((48, 200), 235, np.uint8), 0.5, DARK) == 0.0


def _reading(text: str, prob: float = 0.99) -> TextReading:
    return TextReading(text, tuple(CharReading(ch, prob, ()) for ch in text))


def _read_at(text: str, ats: list[float], prob: float = 0.99) -> TextReading:
    """A reading whose characters the recogniser emitted at ``ats`` along the crop."""
    return TextReading(
        text, tuple(CharReading(ch, prob, (), a) for ch, a in zip(text, ats, strict=True))
    )


def _recognizer(answer: str, seen: list[int]) -> Callable[[list[np.ndarray]], list[TextReading]]:
    """A recogniser that reads ``answer`` from every crop and notes each crop's width."""

    def read(crops: list[np.ndarray]) -> list[TextReading]:
        seen.extend(c.shape[1] for c in crops)
        return [_reading(answer) for _ in crops]

    return read


def test_a_reread_is_kept_only_where_it_adds_to_what_was_read() -> None:
    first = _reading("法定代表人范文")
    assert extends(first, _reading("法定代表人范文薇", 0.6))  # its doubt stays in its probs
    assert not extends(first, _reading("法定代表人范文"))  # nothing added
    assert not extends(first, _reading("法定代表人范义薇"))  # a character read first changed
    assert not extends(first, _reading("法定代表人范文 薇"))  # a space: another field
    assert not extends(first, _reading("法定代表人范文薇薇薇薇薇"))  # more than a name's end
    assert not extends(_reading(""), _reading("薇"))


def test_a_box_is_lengthened_at_its_reading_end_only() -> None:
    quad = np.array([[10, 10], [110, 10], [110, 30], [10, 30]], np.float32)
    right = lengthened_at_end(quad, 0.0, 20)
    assert right[:, 0].min() == 10 and right[:, 0].max() == 130
    left = lengthened_at_end(quad, np.pi, 20)  # read right to left (upside down)
    assert left[:, 0].min() == -10 and left[:, 0].max() == 110


def test_ink_past_the_last_character_that_another_box_holds_is_that_lines() -> None:
    from kyc.ocr.lineends import covered, past_last

    label = np.array([[10, 10], [110, 10], [110, 40], [10, 40]], np.float32)  # 姓名
    value = np.array([[100, 10], [200, 10], [200, 40], [100, 40]], np.float32)  # 白波
    window = past_last(label, 0.0, at=0.7, by=15)
    assert window[:, 0].min() == 80 and window[:, 0].max() == 125
    assert covered(window, [value])
    far = value + np.array([60, 0], np.float32)  # the next field, well apart
    assert not covered(window, [far])


def test_a_line_whose_ink_runs_on_unread_ends_in_doubt() -> None:
    """广东 at 0.98 for 广东省 (the 省 blurred, read by neither box): the text stays, its
    last character is no surer than even odds, so no field built on it is confident."""
    first = _reading("广东", 0.98)
    doubtful = doubtful_end(first)
    assert doubtful.text == "广东"
    assert [c.prob for c in doubtful.chars] == [0.98, END_DOUBT]
    assert doubtful_end(_reading("广东", 0.3)).chars[-1].prob == 0.3  # never raised


def test_a_narrow_mark_dropped_at_the_box_end_is_read_with_paper_after_it() -> None:
    """Ink a little past the last character (a 、 at the box's end): the crop is read
    again with paper after it, and the reading kept only where it adds one mark."""
    from kyc.ocr.lineends import NARROW_TAIL, PAPER_AFTER, reread_lost_ends, with_paper_after

    grey = _line(glyphs=8)
    # the last glyph a small mark, its ink ending ~half a height past the 7th's middle
    grey = np.ascontiguousarray(grey[:, :340])
    grey[:, 332:] = 235
    cv2.rectangle(grey, (332, 30), (336, 40), 30, -1)
    at = _at(6, grey)
    assert NARROW_TAIL < tail_ink(grey, at, DARK) <= TAIL
    crop = np.ascontiguousarray(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    padded = with_paper_after(crop, DARK)
    assert padded.shape[1] == crop.shape[1] + round(PAPER_AFTER * 48)
    assert (padded[:, crop.shape[1] :] == 235).all()  # the paper's colour, no ink

    text = "组织会员考察交流提供咨询服务"  # a long line: a wrapped value's
    first = TextReading(text, tuple(CharReading(ch, 0.99, (), at) for ch in text))
    quad = np.array([[0, 0], [crop.shape[1], 0], [crop.shape[1], 48], [0, 48]], np.float32)
    seen: list[int] = []

    def again(answer: str) -> TextReading:
        return reread_lost_ends(
            _recognizer(answer, seen), crop, [quad], [crop], [first], {0: 0.0}, [DARK]
        )[0]

    assert again(text + "、").text == text + "、"
    assert seen == [padded.shape[1]]
    # anything but one mark more is not kept: the line stays as read
    assert again(text + "刊") is first
    assert again(text + "、、") is first
    # a short line (a label, a name) is not read again at all
    first = TextReading("组织", tuple(CharReading(ch, 0.99, (), at) for ch in "组织"))
    seen.clear()
    assert again("组织、") is first and not seen


def test_a_short_line_with_ink_just_past_its_box_is_read_again_from_a_longer_box() -> None:
    """谭宁一 boxed as 谭宁: 一, one thin stroke, lies past the box, so the crop shows no
    ink after the last character. The strip past the box is looked at: ink starting
    right after it sends the line to be read again; the reading is kept only where it
    adds to the first."""
    from kyc.ocr.lineends import BEYOND, ink_after_box, reread_lost_ends

    page = np.full((80, 400, 3), 235, np.uint8)
    for k in range(2):  # two glyphs in the box, x 10-106
        cv2.rectangle(page, (10 + 48 * k, 20), (40 + 48 * k, 60), (30, 30, 30), 3)
    cv2.line(page, (110, 40), (140, 40), (30, 30, 30), 3)  # 一, 4 px past the box
    quad = np.array([[10, 16], [106, 16], [106, 64], [10, 64]], np.float32)
    crop = page[16:64, 10:106].copy()
    first = _read_at("谭宁", [0.25, 0.75], 0.999)
    seen: list[int] = []

    def read(answer: str) -> Callable[[list[np.ndarray]], list[TextReading]]:
        return _recognizer(answer, seen)

    got = reread_lost_ends(read("谭宁一"), page, [quad], [crop], [first], {0: 0.0}, [DARK])
    assert got[0].text == "谭宁一"
    assert seen == [96 + round(BEYOND * 48)]  # the box lengthened by a line height
    # the longer box reading nothing more leaves the line as it was, confidence and all
    assert (
        reread_lost_ends(read("谭宁"), page, [quad], [crop], [first], {0: 0.0}, [DARK])[0] is first
    )
    # paper past the box: not read again
    blank = page.copy()
    blank[:, 107:] = 235
    seen.clear()
    assert (
        reread_lost_ends(read("谭宁一"), blank, [quad], [crop], [first], {0: 0.0}, [DARK])[0]
        is first
    )
    assert seen == []
    # ink that starts well off the box is not this line's
    grey = np.full((48, 48), 235, np.uint8)
    grey[20:26, 30:46] = 30
    assert not ink_after_box(grey, DARK)
    grey[20:26, 5:46] = 30
    assert ink_after_box(grey, DARK)


def test_a_longer_box_whose_ink_still_runs_to_its_end_has_not_read_the_line_whole() -> None:
    """黑龙江省…海伦市滨 boxed short of 河东路824: the box a line height longer read 滨河,
    and its ink still reaches its end; what it read is kept, its last character in doubt."""
    from kyc.ocr.lineends import ink_runs_to_end, reread_lost_ends

    page = np.full((80, 600, 3), 235, np.uint8)
    for k in range(10):  # a line running on well past its box (x 10-202)
        cv2.rectangle(page, (10 + 48 * k, 20), (40 + 48 * k, 60), (30, 30, 30), 3)
    quad = np.array([[10, 16], [202, 16], [202, 64], [10, 64]], np.float32)
    crop = page[16:64, 10:202].copy()
    first = _read_at("海伦市滨", [(25 + 48 * k) / 192 for k in range(4)])
    reread = _read_at("海伦市滨河", [(25 + 48 * k) / 240 for k in range(5)])
    got = reread_lost_ends(
        lambda crops: [reread for _ in crops], page, [quad], [crop], [first], {0: 0.0}, [DARK]
    )
    assert got[0].text == "海伦市滨河"
    assert got[0].chars[-1].prob <= 0.5
    # a line that ends inside the longer box keeps its reading whole
    short = page.copy()
    short[:, 240:] = 235  # the sixth glyph (x 248-283) gone
    got = reread_lost_ends(
        lambda crops: [reread for _ in crops], short, [quad], [crop], [first], {0: 0.0}, [DARK]
    )
    assert got[0].text == "海伦市滨河" and got[0].chars[-1].prob == 0.99
    grey = np.full((48, 100), 235, np.uint8)
    grey[20:30, 90:100] = 30
    assert ink_runs_to_end(grey, DARK)
    grey[20:30, 90:94] = 235
    grey[20:30, 94:] = 235
    assert not ink_runs_to_end(grey, DARK)


def test_a_character_two_overlapping_boxes_both_read_is_kept_once() -> None:
    """…自治县 | 县东风东路: two boxes of one row overlap by about a third of a height
    and both read 县 there; two printed characters alike side by side stand a character
    apart and are both kept."""
    from kyc.ocr.lineends import drop_double_reads

    h = 80.0

    def box(x0: float, x1: float) -> np.ndarray:
        return np.array([[x0, 0], [x1, 0], [x1, h], [x0, h]], np.float32)

    first = box(0, 400)  # 5 characters of 80 px
    second = box(371, 771)  # starts 29 px inside the first
    a = _read_at("乳源自治县", [0.1, 0.3, 0.5, 0.7, 0.93])  # 县 at x 372
    b = _read_at("县东风东路", [0.02, 0.3, 0.5, 0.7, 0.9])  # 县 at x 379
    out = drop_double_reads([first, second], [a, b], {0: 0.0, 1: 0.0})
    assert out[0].text == "乳源自治县" and out[1].text == "东风东路"
    # 丽丽: the second 丽 a character's width on (x 372 and 451)
    c = _read_at("张丽", [0.25, 0.93])
    d = _read_at("丽华", [0.2, 0.7])
    twins = drop_double_reads([box(0, 400), box(371, 771)], [c, d], {0: 0.0, 1: 0.0})
    assert twins[1].text == "丽华"
    # boxes of two rows, or of two documents' directions, are left alone
    below = np.array([[371, 90], [771, 90], [771, 170], [371, 170]], np.float32)
    assert drop_double_reads([first, below], [a, b], {0: 0.0, 1: 0.0})[1].text == "县东风东路"
    assert drop_double_reads([first, second], [a, b], {0: 0.0, 1: 1.0})[1].text == "县东风东路"
    # the first box's edge cut through the glyph (read at its very end), the second
    # holds it well inside: the second keeps it (成立日期2 | 2006年…)
    label = _read_at("成立日期2", [0.1, 0.3, 0.5, 0.7, 1.0])  # 2 at x 400, the edge
    date = _read_at("2006年", [0.1, 0.3, 0.5, 0.7, 0.9])  # 2 at x 411, 40 px inside
    out = drop_double_reads([first, second], [label, date], {0: 0.0, 1: 0.0})
    assert (out[0].text, out[1].text) == ("成立日期", "2006年")


def test_a_longer_box_ending_in_the_gap_before_more_ink_goes_on_round_by_round() -> None:
    """…533号凤 boxed short of 凤凰雅: the box a line height longer ended in the gap after
    凤, its ink not running to its end, yet ink starts again just past it. The box goes
    on by a line height while ink follows it; what is read then is kept only as far as
    it extends the line, and a line still going on keeps its end in doubt."""
    from kyc.ocr.lineends import AFTER_ROUNDS, BEYOND, reread_lost_ends

    page = np.full((80, 800, 3), 235, np.uint8)
    for k in range(4):  # glyphs 48 px apart, boxes of 30 px with an 18-px gap
        cv2.rectangle(page, (10 + 48 * k, 20), (40 + 48 * k, 60), (30, 30, 30), 3)
    # the box holds two glyphs and ends 10 px after them (x 10-98); 凤 at 106-136, 凰
    # at 154-184: the box a line height longer ends in the gap between them
    quad = np.array([[10, 16], [98, 16], [98, 64], [10, 64]], np.float32)
    crop = page[16:64, 10:98].copy()
    first = _read_at("梧桐", [0.2, 0.8])
    answers = iter(["梧桐凤", "梧桐凤凰", "梧桐凤凰"])
    widths: list[int] = []

    def read(crops: list[np.ndarray]) -> list[TextReading]:
        widths.extend(c.shape[1] for c in crops)
        out = []
        for _ in crops:
            text = next(answers)
            out.append(_read_at(text, [(k + 0.5) / len(text) for k in range(len(text))]))
        return out

    got = reread_lost_ends(read, page, [quad], [crop], [first], {0: 0.0}, [DARK])
    assert got[0].text == "梧桐凤凰"
    step = round(BEYOND * 48)
    assert widths == [88 + step, 88 + 2 * step]  # one line height more each round
    assert len(widths) <= AFTER_ROUNDS
