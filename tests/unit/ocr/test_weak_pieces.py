"""Groups typed as a kind that is no document of the photo become pieces of the document
they lie beside (pure logic on the classifier's groups)."""

from __future__ import annotations

import numpy as np

from kyc.ocr.engine import Quad
from kyc.ocr.pipeline import DocumentReader, Group, weak_as_pieces

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
    # further below than the fields are tall: not the certificate's
    far = [_quad(630, 2400, 970, 2450)]
    out = DocumentReader._merge([doc, Group((n,), 0.0, None, 0)], fields + far, 50.0)
    assert out[0].indices == tuple(range(n))
