"""Rows of recognised lines."""

from __future__ import annotations

import numpy as np

from kyc.ocr.layout import Line, rows


def test_a_line_between_two_rows_does_not_chain_them() -> None:
    # 或控股) wraps under the type; 营业期限 and its value 长期 share the next row.
    wrapped = Line("或控股）", 0, 651, 100, 688)  # cy 669.5
    label = Line("营业期限", 200, 664, 360, 711)  # cy 687.5
    value = Line("长期", 380, 670, 456, 704)  # cy 687
    grouped = rows([label, value, wrapped])
    assert [[ln.text for ln in row] for row in grouped] == [["或控股）"], ["营业期限", "长期"]]


def test_rows_are_ordered_top_down_and_left_to_right() -> None:
    a = Line("b", 100, 0, 150, 30)
    b = Line("a", 0, 2, 50, 32)
    c = Line("c", 0, 60, 50, 90)
    assert [[ln.text for ln in row] for row in rows([c, a, b])] == [["a", "b"], ["c"]]


def test_both_sides_joined_by_a_stamp_are_cut_between_the_cards() -> None:

    from kyc.ocr.pipeline import Group, split_sides

    def quad(x: float, y: float, w: float = 200, h: float = 30) -> np.ndarray:
        return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], dtype=np.float32)

    texts = [
        "姓名韦瑶",
        "住址上海市普陀区",
        "公民身份号码",
        "供备案使用",  # the stamp across both cards
        "签发机关上海市公安局",
        "有效期限2025.04.06-2045.04.06",
    ]
    ys = [0, 60, 150, 220, 330, 380]
    quads = [quad(0, y) for y in ys]
    group = Group(tuple(range(6)), 0.0, None, 0)
    assert split_sides(group, quads, texts) == [(0, 1, 2, 3), (4, 5)]
    # One card alone is left whole.
    front_only = Group((0, 1, 2, 3), 0.0, None, 0)
    assert split_sides(front_only, quads, texts) == [(0, 1, 2, 3)]
    # The back's labels and term lost under a seal: its two title lines mark it.
    titled = [*texts[:4], "中华人民共和国", "居民身份证"]
    assert split_sides(group, quads, titled) == [(0, 1, 2, 3), (4, 5)]
    assert split_sides(group, quads, [*texts[:4], "中华人民共和国居民", "身份"]) == [group.indices]


def _quad(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:

    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def test_a_short_line_bridges_a_stacked_layouts_gap() -> None:
    """A permit's title (two long lines) and its fields start more than the gap apart;
    the label and the short name between them (姓名 over 谢正) bridge the two."""
    import math

    from kyc.ocr.layout import cluster_quads, long_axis_angle

    quads = [
        _quad(100, 0, 700, 40),  # title
        _quad(120, 50, 680, 70),  # its English line
        _quad(200, 110, 240, 135),  # 姓名 (short), 40 below the English line
        _quad(200, 140, 260, 170),  # 谢正 (short)
        _quad(200, 180, 420, 200),  # HSIEH, CHENG: 110 below the English line
        _quad(200, 240, 450, 270),  # a date
    ]
    axes = [long_axis_angle(q) if i not in (2, 3) else None for i, q in enumerate(quads)]
    groups = cluster_quads(quads, gap=75.0, axes=axes)
    assert sorted(map(sorted, groups)) == [[0, 1, 2, 3, 4, 5]]
    # a diagonal line (a watermark) within reach of a short line is not bridged to it
    diagonal = np.array([[320, 200], [560, 80], [570, 100], [330, 220]], np.float32)
    axes2 = [*axes, math.atan2(-120, 240)]
    groups2 = cluster_quads([*quads, diagonal], gap=75.0, axes=axes2)
    assert sorted(map(sorted, groups2)) == [[0, 1, 2, 3, 4, 5], [6]]


def test_the_window_beside_a_label_with_nothing_boxed_after_it() -> None:
    from kyc.ocr.layout import beside_window, read_span

    label = (100.0, 200.0, 180.0, 240.0)  # 民族, 40 high
    sex_row = [(0.0, 198.0, 80.0, 242.0)]  # 性别 and 男, left of it
    window = beside_window(label, sex_row)
    assert window is not None
    x0, y0, x1, y1 = window
    assert 180 < x0 < 200 and x1 == 180 + 4 * 40  # from after the label, 4 heights on
    assert y0 < 200 and y1 > 240  # taller than the label
    # stops before the next box of the row, and is no window where a box stands at once
    assert beside_window(label, [(300.0, 205.0, 360.0, 238.0)])[2] < 300  # type: ignore[index]
    assert beside_window(label, [(200.0, 205.0, 260.0, 238.0)]) is None
    # a box on another row does not count
    assert beside_window(label, [(200.0, 300.0, 260.0, 340.0)]) is not None
    # no room for a character
    assert beside_window(label, [(222.0, 205.0, 260.0, 238.0)]) is None
    # what was read is boxed where its characters stand
    box = read_span((200.0, 180.0, 340.0, 260.0), [0.5], 50.0)
    assert box == (245.0, 195.0, 295.0, 245.0)
