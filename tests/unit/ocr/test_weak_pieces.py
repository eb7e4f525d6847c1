"""Groups typed as a kind that is no document of the photo become pieces of the document
they lie beside (pure logic on the classifier's groups)."""

from __future__ import annotations

from kyc.ocr.pipeline import Group, weak_as_pieces

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
