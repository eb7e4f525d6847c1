"""Codes found by label and by content, license formats, and look-alike documents refused
(pure: recognised lines drawn by hand, no models)."""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_11_10

from kyc.ocr.documents import BY_NAME
from kyc.ocr.documents.base import RawField
from kyc.ocr.documents.business_license import KIND as LICENSE
from kyc.ocr.documents.codes import find_code
from kyc.ocr.documents.id_card_front import KIND as FRONT
from kyc.ocr.layout import Line
from kyc.ocr.pipeline import accepts, classify
from kyc.ocr.validate import CodeRead, read_credit_code, read_id_number

TODAY = dt.date(2026, 11, 29)
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def line(text: str, x: float, y: float, h: float = 30.0, p: float = 0.99) -> Line:
    return Line(text, x, y, x + len(text) * h * 0.9, y + h, tuple([p] * len(text)))


def fake_uscc(rng: random.Random, prefix: str = "91") -> str:
    body = prefix + "440300" + "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def fake_id(rng: random.Random) -> str:
    birth = dt.date(1980, 1, 1) + dt.timedelta(days=rng.randrange(9000))
    body = f"440305{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def credit(raw: RawField) -> CodeRead:
    return read_credit_code(raw.value or "", raw.probs, raw.alts)


def test_credit_code_under_its_label_in_a_box_of_its_own() -> None:
    code = fake_uscc(random.Random(1))
    lines = [line("统一社会信用代码", 100, 100), line(code, 100, 140), line("名称", 100, 300)]
    assert find_code(lines, ("统一社会信用代码",), 18, credit).value == code


def test_credit_code_cut_in_two_by_the_detector() -> None:
    code = fake_uscc(random.Random(2))
    left = line(code[:9], 100, 140)
    right = line(code[9:], left.x1 + 12, 141)
    lines = [line("统一社会信用代码", 100, 100), left, right]
    assert find_code(lines, ("统一社会信用代码",), 18, credit).value == code


def test_credit_code_found_by_content_without_a_label() -> None:
    code = fake_uscc(random.Random(3))
    lines = [line("名称深圳市某某科技有限公司", 100, 300), line(f"No.{code}", 900, 80)]
    assert find_code(lines, ("统一社会信用代码",), 18, credit).value == code


def test_a_code_inside_a_longer_run_needs_its_check() -> None:
    rng = random.Random(4)
    code = fake_uscc(rng)
    glued = "AB" + code + "7"  # characters read next to it from a ruling or a seal
    lines = [line(glued, 100, 140)]
    assert find_code(lines, ("统一社会信用代码",), 18, credit).value == code
    # A run holding no valid code gives nothing from inside it.
    broken = "AB" + code[:-1] + ("1" if code[-1] != "1" else "2") + "7"
    assert find_code([line(broken, 100, 140)], ("统一社会信用代码",), 18, credit).value is None


def test_the_labelled_code_wins_over_another_valid_one() -> None:
    rng = random.Random(5)
    labelled, other = fake_uscc(rng), fake_uscc(rng)
    lines = [line(other, 900, 600), line("统一社会信用代码", 100, 100), line(labelled, 100, 140)]
    assert find_code(lines, ("统一社会信用代码",), 18, credit).value == labelled


def test_a_wrong_code_under_its_label_is_returned_as_read() -> None:
    code = fake_uscc(random.Random(6))
    bad = code[:-1] + ("1" if code[-1] != "1" else "2")
    lines = [line("统一社会信用代码", 100, 100), line(bad, 100, 140)]
    checked = LICENSE.check(LICENSE.extract([*lines, line("营业执照", 500, 40)]), TODAY)
    cc = checked.fields["credit_code"]
    assert (cc.value, cc.valid) == (bad, False) and cc.confidence <= 0.5
    assert "CHECKSUM_MISMATCH" in checked.warnings


def test_id_number_right_of_its_label_split_from_a_stray_box() -> None:
    number = fake_id(random.Random(7))
    lines = [line("公民身份号码", 40, 330), line(number, 240, 331)]

    def idn(raw: RawField) -> CodeRead:
        return read_id_number(raw.value or "", raw.probs, raw.alts)

    assert find_code(lines, ("公民身份号码",), 18, idn).value == number


def test_pre_2016_license_has_a_registration_number_and_no_credit_code() -> None:
    body = "44030000012345"
    number = body + mod_11_10.calc_check_digit(body)
    lines = [
        line("营业执照", 500, 40, h=60),
        line("注册号", 900, 150),
        line(number, 1000, 150),
        line("名称", 100, 300),
        line("深圳市某某贸易有限公司", 250, 300),
        line("法定代表人姓名", 100, 360),
        line("王五", 340, 360),
    ]
    checked = LICENSE.check(LICENSE.extract(lines), TODAY)
    f = checked.fields
    assert f["registration_number"].value == number and f["registration_number"].valid
    assert f["credit_code"].value is None
    assert f["legal_representative"].value == "王五"


def test_individual_business_has_an_operator_not_a_legal_representative() -> None:
    code = fake_uscc(random.Random(8), prefix="92")
    lines = [
        line("营业执照", 500, 40, h=60),
        line("统一社会信用代码", 100, 100),
        line(code, 100, 140),
        line("名称", 100, 300),
        line("某某小吃店", 250, 300),
        line("类型", 100, 360),
        line("个体工商户", 250, 360),
        line("经营者", 100, 420),
        line("陈六", 250, 420),
        line("组成形式", 100, 480),
        line("个人经营", 250, 480),
        line("经营场所", 100, 540),
        line("广东省深圳市福田区某某路1号", 250, 540),
    ]
    f = LICENSE.check(LICENSE.extract(lines), TODAY).fields
    assert f["operator"].value == "陈六"
    assert f["organization_form"].value == "个人经营"
    assert f["legal_representative"].value is None
    assert f["address"].value == "广东省深圳市福田区某某路1号"


def test_look_alike_cards_are_not_id_cards() -> None:
    number = fake_id(random.Random(9))
    social_security = ["中华人民共和国社会保障卡", "姓名张三", "社会保障号码", number, "性别男"]
    driving = ["中华人民共和国机动车驾驶证", "证号" + number, "姓名张三", "性别男", "国籍中国",
               "住址广东省深圳市", "出生日期1990-01-01", "准驾车型C1"]  # fmt: skip
    genuine = [
        "姓名张三",
        "性别男民族汉",
        "出生1990年1月1日",
        "住址广东省深圳市",
        "公民身份号码" + number,
    ]
    allowed = list(BY_NAME.values())
    for texts, expected in ((social_security, False), (driving, False), (genuine, True)):
        kind, score = classify(texts, allowed)
        assert kind == "id_card_front"  # by its words alone it looks like one...
        assert accepts(FRONT, texts, score) is expected  # ...but not if it is another card


def test_one_printed_word_is_not_a_document() -> None:
    kind, score = classify(["出生证明", "收款人"], list(BY_NAME.values()))
    assert kind is None or not accepts(BY_NAME[kind], ["出生证明", "收款人"], score)


def test_a_filing_copys_reread_of_an_id_number_with_its_x_read_as_a_cross_holds_it() -> None:
    from kyc.ocr.pipeline import reread_key

    value = reread_key("id_number", "51333219780504541X")
    assert value in reread_key("id_number", "号码51333219780504541×")
    assert value not in reread_key("id_number", "号码513332197805045417")
