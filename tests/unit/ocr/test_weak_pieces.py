"""Groups typed as a kind that is no document of the photo become pieces of the document
they lie beside (pure logic on the classifier's groups)."""

from __future__ import annotations

import numpy as np

from kyc.ocr.engine import Quad
from kyc.ocr.pipeline import (
    DocumentReader,
    Group,
    front_value_shapes,
    unlabelled_fronts,
    weak_as_pieces,
)

# a social group certificate's title part and label column (score 3 + 2), its column of
# values typed as an ID back by one 有效期限 (score 1), the code typed as a license (1)
TEXTS = [
    "社会团体法人登记证书",  # 0
    "业务主管单位",  # 1
    "活动地域",  # 2
    "有效期限",  # 3
    "自2025年10月10日至2030年10月10日",  # 4
    "统一社会信用代码",  # 5
    "512105224ABCDCJWLG",  # 6
]


def test_a_weakly_typed_column_is_a_piece_of_the_certificate_beside_it() -> None:
    groups = [
        Group((0,), 0.0, "social_group_certificate", 3),
        Group((1, 2), 0.0, "social_group_certificate", 2),
        Group((3, 4), 0.0, "id_card_back", 1),
        Group((5, 6), 0.0, "business_license", 1),
    ]
    out = weak_as_pieces(groups, TEXTS)
    assert [g.kind for g in out] == ["social_group_certificate"] * 2 + [None, None]
    assert [g.indices for g in out] == [g.indices for g in groups]


def test_the_other_side_of_an_id_card_and_a_photo_without_any_document_stay() -> None:
    front = Group((0,), 0.0, "id_card_front", 5)
    back = Group((3, 4), 0.0, "id_card_back", 1)
    texts = ["姓名 性别 民族 出生 住址 公民身份号码", *TEXTS[1:]]
    # the ID front is strong: its other side keeps its type, however weak
    out = weak_as_pieces([front, back], texts)
    assert [g.kind for g in out] == ["id_card_front", "id_card_back"]
    # nothing strong at all: nothing changes (the acceptance step decides)
    weak = [Group((3, 4), 0.0, "id_card_back", 1), Group((5, 6), 0.0, "business_license", 1)]
    assert weak_as_pieces(weak, TEXTS) == weak


def _quad(x0: float, y0: float, x1: float, y1: float) -> Quad:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)


def test_a_certificate_s_authority_under_a_blank_half_page_is_its_foot() -> None:
    # fields in rows of 50 px from y 300 to 1250 (20 line heights); the authority and
    # its date 600 px (12 line heights) below the last row, inside the fields' columns
    fields = [_quad(270, y, 1130, y + 50) for y in range(300, 1251, 100)]
    foot = [_quad(630, 1850, 970, 1900), _quad(740, 1930, 940, 1980)]
    aside = [_quad(1400, 1850, 1700, 1900)]  # as low, right of the page's columns
    quads = fields + foot + aside
    n = len(fields)
    doc = Group(tuple(range(n)), 0.0, "private_non_enterprise_certificate", 4)
    out = DocumentReader._merge(
        [doc, Group((n, n + 1), 0.0, None, 0), Group((n + 2,), 0.0, None, 0)], quads, 50.0
    )
    assert out[0].indices == (*range(n), n, n + 1)
    # at the page's right corner, running past the right end of its text: its foot
    corner = [_quad(900, 1850, 1400, 1900)]
    out = DocumentReader._merge([doc, Group((n,), 0.0, None, 0)], fields + corner, 50.0)
    assert out[0].indices == (*range(n), n)
    # further below than the fields are tall: not the certificate's
    far = [_quad(630, 2400, 970, 2450)]
    out = DocumentReader._merge([doc, Group((n,), 0.0, None, 0)], fields + far, 50.0)
    assert out[0].indices == tuple(range(n))


# a both-sides page on a hard photo: the back read with its labels, the front's values
# without any of its six labels (the seal's ring text above them)
PAGE = [
    "中华人民共和国",  # 0
    "居民身份证",  # 1
    "有1007.05.01长地",  # 2
    "永装新",  # 3: the seal's ring
    "蒋立",  # 4
    "男",  # 5
    "生1949±10月18日",  # 6
    "新维吾尔自治区路什地",  # 7
]


def test_unlabelled_values_beside_an_id_back_are_its_front() -> None:
    back = Group((0, 1, 2), 0.0, "id_card_back", 2)
    values = Group((3, 4, 5, 6, 7), 0.0, None, 0)
    out = unlabelled_fronts([back, values], PAGE)
    assert [g.kind for g in out] == ["id_card_back", "id_card_front"]
    assert out[1].indices == values.indices
    # the sex and the date; the address lost 疆 of its province, so it is no place
    assert front_value_shapes([PAGE[i] for i in values.indices]) == 2
    assert front_value_shapes(["辽宁省综州市里山县场家", "619740426748"]) == 2
    # one shape alone (a name and the sex) is not enough
    assert unlabelled_fronts([back, Group((4, 5), 0.0, None, 0)], PAGE)[1].kind is None


def test_without_a_back_or_with_a_front_nothing_is_typed_a_front() -> None:
    values = Group((3, 4, 5, 6, 7), 0.0, None, 0)
    assert unlabelled_fronts([values], PAGE) == [values]
    front = Group((4,), 0.0, "id_card_front", 2)
    back = Group((0, 1, 2), 0.0, "id_card_back", 2)
    assert unlabelled_fronts([back, front, values], PAGE)[2].kind is None
    # the back's own authority is a place's police, not an address
    assert front_value_shapes(["广东省公安厅出入境管理局分局", "2020.01.01-2030.01.01"]) == 0


def test_fields_that_only_another_permit_s_labels_type_are_a_piece_of_that_permit() -> None:
    texts = [
        "台湾居民来往大陆通行证",  # 0: the title ...
        "证件号码 06560331",  # 1: ... and the number, one group
        "姓名",  # 2: the fields, apart: labels both permits print
        "谢志",
        "出生日期",
        "有效期限",
        "签发机关",
        "国家移民管理局",
    ]
    groups = [
        Group((0, 1), 0.0, "taiwan_permit", 7),
        Group((2, 3, 4, 5, 6, 7), 0.0, "hk_macao_permit", 5),
    ]
    out = weak_as_pieces(groups, texts)
    assert [g.kind for g in out] == ["taiwan_permit", None]
    # fields that show a title or number of their own stay their own document
    texts[3] = "H12345678"
    out = weak_as_pieces(groups, texts)
    assert [g.kind for g in out] == ["taiwan_permit", "hk_macao_permit"]
