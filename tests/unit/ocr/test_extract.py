"""Field extraction from recognised lines, without models: labels merged with values or
split from them, wrapped addresses, any input order, both license layouts."""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import ric, uscc

from kyc.ocr.documents.business_license import KIND as LICENSE
from kyc.ocr.documents.id_card_back import KIND as BACK
from kyc.ocr.documents.id_card_back import term_fits_age
from kyc.ocr.documents.id_card_front import KIND as FRONT
from kyc.ocr.layout import Line

TODAY = dt.date(2026, 11, 29)


def line(text: str, x: float, y: float, h: float = 30.0, p: float = 0.99) -> Line:
    """A recognised line whose characters are each ``h * 0.9`` wide."""
    return Line(text, x, y, x + len(text) * h * 0.9, y + h, tuple([p] * len(text)))


def fake_id(birth: dt.date, seq: int = 123, region: str = "440305") -> str:
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def front_lines(number: str, merged: bool) -> list[Line]:
    if merged:
        return [
            line("姓名张小明", 40, 40),
            line("性别男", 40, 90),
            line("民族汉", 260, 90),
            line("出生1995年3月7日", 40, 140),
            line("住址广东省深圳市南山区", 40, 190),
            line("科技园路18号", 100, 230),
            line("公民身份号码" + number, 40, 330),
        ]
    return [
        line("姓名", 40, 40, p=0.9),
        line("张小明", 110, 40),
        line("性别", 40, 90),
        line("男", 110, 90),
        line("民族", 260, 90),
        line("汉", 330, 90),
        line("出生", 40, 140),
        line("1995", 110, 140),
        line("年", 200, 140),
        line("3", 240, 140),
        line("月", 270, 140),
        line("7", 310, 140),
        line("日", 340, 140),
        line("住址", 40, 190),
        line("广东省深圳市南山区", 110, 190),
        line("科技园路18号", 110, 230),
        line("公民身份号码", 40, 330),
        line(number, 240, 330),
    ]


def test_front_fields_merged_labels() -> None:
    number = fake_id(dt.date(1995, 3, 7), seq=131)
    checked = FRONT.check(FRONT.extract(front_lines(number, merged=True)), TODAY)
    values = {k: f.value for k, f in checked.fields.items()}
    assert values == {
        "name": "张小明",
        "sex": "男",
        "ethnicity": "汉",
        "birth_date": "1995-03-07",
        "address": "广东省深圳市南山区科技园路18号",
        "id_number": number,
    }
    assert checked.fields["id_number"].valid is True
    assert checked.fields["id_number"].confidence >= 0.9
    assert checked.warnings == ()


def test_front_fields_separate_labels_in_reverse_order() -> None:
    number = fake_id(dt.date(1995, 3, 7), seq=131)
    lines = list(reversed(front_lines(number, merged=False)))
    checked = FRONT.check(FRONT.extract(lines), TODAY)
    assert checked.fields["name"].value == "张小明"
    assert checked.fields["address"].value == "广东省深圳市南山区科技园路18号"
    assert checked.fields["birth_date"].value == "1995-03-07"
    assert checked.fields["sex"].valid is True


def test_front_sex_contradicting_the_number_is_invalid() -> None:
    number = fake_id(dt.date(1995, 3, 7), seq=132)  # even sequence digit: female
    checked = FRONT.check(FRONT.extract(front_lines(number, merged=True)), TODAY)
    assert checked.fields["sex"].value == "男"
    assert checked.fields["sex"].valid is False
    assert checked.fields["sex"].confidence < 0.9


def test_front_wrong_check_character_warns_and_is_not_confident() -> None:
    number = fake_id(dt.date(1995, 3, 7), seq=131)
    wrong = number[:-1] + ("1" if number[-1] != "1" else "2")
    checked = FRONT.check(FRONT.extract(front_lines(wrong, merged=True)), TODAY)
    assert "CHECKSUM_MISMATCH" in checked.warnings
    f = checked.fields["id_number"]
    assert f.valid is False and f.confidence < 0.9


def test_back_term_and_expiry() -> None:
    lines = [
        line("中华人民共和国", 200, 40),
        line("居民身份证", 200, 90),
        line("签发机关", 120, 300),
        line("深圳市公安局南山分局", 260, 300),
        line("有效期限2010.04.16-2020.04.16", 120, 350),
    ]
    checked = BACK.check(BACK.extract(lines), TODAY)
    values = {k: f.value for k, f in checked.fields.items()}
    assert values == {
        "issuing_authority": "深圳市公安局南山分局",
        "valid_from": "2010-04-16",
        "valid_until": "2020-04-16",
    }
    assert checked.warnings == ("EXPIRED",)


def test_back_long_term() -> None:
    lines = [line("签发机关深圳市公安局", 120, 300), line("有效期限2015.06.03-长期", 120, 350)]
    checked = BACK.check(BACK.extract(lines), TODAY)
    assert checked.fields["valid_until"].value == "long_term"
    assert checked.warnings == ()


def test_term_fits_age() -> None:
    birth = dt.date(1990, 5, 1)
    assert term_fits_age(birth, dt.date(2010, 1, 1), "2020-01-01")  # 19 at issue: 10 years
    assert not term_fits_age(birth, dt.date(2010, 1, 1), "2030-01-01")
    assert term_fits_age(birth, dt.date(2040, 1, 1), "long_term")  # 49 at issue


def fake_uscc() -> str:
    rng = random.Random(5)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91440300" + "".join(rng.choice(alphabet) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def test_license_horizontal_layout_with_split_labels() -> None:
    code = fake_uscc()
    lines = [
        line("统一社会信用代码", 100, 100),
        line(code, 100, 140),
        line("营业执照", 600, 140, h=100),
        line("名", 100, 300),
        line("称深圳市示例科技有限公司", 200, 300),
        line("注册资本", 900, 300),
        line("100万元人民币", 1030, 300),
        line("类", 100, 360),
        line("型有限责任公司(自然人独资)", 200, 360),
        line("成立日期2019年01月18日", 900, 360),
        line("法定代表人李四", 100, 420),
        line("营业期限长期", 900, 420),
        line("经营范围软件开发;信息技术", 100, 480),
        line("咨询服务。", 250, 520),
        line("住所丨广东省深圳市南山区", 900, 480),
        line("科技园路1号", 990, 520),
        line("登记机关", 900, 700),
    ]
    checked = LICENSE.check(LICENSE.extract(lines), TODAY)
    values = {k: f.value for k, f in checked.fields.items()}
    assert values == {
        "credit_code": code,
        "name": "深圳市示例科技有限公司",
        "company_type": "有限责任公司（自然人独资）",
        "legal_representative": "李四",
        "registered_capital": "100万元人民币",
        "established_date": "2019-01-18",
        "business_term": "长期",
        "address": "广东省深圳市南山区科技园路1号",
        "business_scope": "软件开发；信息技术咨询服务。",
    }
    assert checked.fields["credit_code"].valid is True


def test_license_scope_leaves_the_right_column_address_wrapped_down_to_its_rows() -> None:
    # the right column's address wraps onto the scope label's row and the row below;
    # those pieces stand far right of the scope's own lines (another column)
    lines = [
        line("名", 100, 300),
        line("称深圳市示例科技有限公司", 200, 300),
        line("成立日期2019年01月18日", 900, 300),
        line("法定代表人李四", 100, 360),
        line("住所广东省深圳市南山区科技", 900, 360),
        line("经营范围软件开发；信息技术", 100, 420),
        line("园路1号A栋", 1020, 410),
        line("咨询服务。", 250, 460),
        line("2001室", 1020, 455),
    ]
    values = {k: f.value for k, f in LICENSE.check(LICENSE.extract(lines), TODAY).fields.items()}
    assert values["business_scope"] == "软件开发；信息技术咨询服务。"
    assert values["address"] == "广东省深圳市南山区科技园路1号A栋2001室"


def test_license_scope_in_two_text_columns_keeps_both() -> None:
    # columns ~1.8 line heights apart: both are the scope's, none is cut off
    left = ["软件开发；信息技术咨询服务；数据处理和存", "储支持服务；企业管理咨询；国内贸易代理；"]
    right = ["会议及展览服务；技术进出口。", "（依法须经批准的项目除外）"]
    lines = [
        line("法定代表人李四", 100, 360),
        line("住所广东省深圳市南山区科技园路1号", 900, 360),
        line("经营范围", 100, 420),
        line(left[0], 220, 450),
        line(right[0], 670, 450),
        line(left[1], 220, 490),
        line(right[1], 670, 490),
    ]
    values = {k: f.value for k, f in LICENSE.check(LICENSE.extract(lines), TODAY).fields.items()}
    scope = values["business_scope"] or ""
    assert all(piece.strip("（）。；") in scope for piece in left + right), scope


def test_license_scope_that_fills_its_left_column_goes_on_in_the_right_one() -> None:
    # two full lines in the left column, the last line of the scope in the right
    # column beside the first: column order, not row order
    left = [
        "计算机系统服务；会议及展览服务；技术服务、技术开发、技",
        "术咨询、技术交流、技术转让、技术推广；技术进出口；网络",
    ]
    right = "技术服务；货物进出口；物业管理。"
    lines = [
        line("经营范围", 100, 420),
        line(left[0], 220, 450),
        line(right, 1000, 450),
        line(left[1], 220, 490),
    ]
    values = {k: f.value for k, f in LICENSE.check(LICENSE.extract(lines), TODAY).fields.items()}
    assert values["business_scope"] == left[0] + left[1] + right
    # one line cut in two at a gap, the next row running on past the cut: rows
    cut = ["软件开发；信息技术咨询服务；", "数据处理和存储支持服务；企业"]
    lines = [
        line("经营范围", 100, 420),
        line(cut[0], 220, 450),
        line(cut[1], 670, 450),
        line("管理咨询；国内贸易代理；会议及展览服务；技术进出口。", 220, 490),
    ]
    values = {k: f.value for k, f in LICENSE.check(LICENSE.extract(lines), TODAY).fields.items()}
    assert (
        values["business_scope"]
        == cut[0] + cut[1] + "管理咨询；国内贸易代理；会议及展览服务；技术进出口。"
    )


def test_license_scope_line_boxed_across_both_columns_is_cut_at_the_right_ones_edge() -> None:
    # 14 characters a row in each column (27 px a character), the gap between them
    # narrower than one; the last row's two halves boxed as one line
    left = [
        "专业设计服务；服装服饰零售；",
        "机械设备租赁；货物进出口；食",
        "品销售；办公用品销售；软件开",
    ]
    right = [
        "国内贸易代理；建筑装饰材料销",
        "售；互联网销售。（除依法须经",
        "批准的项目外，凭营业执照依法",
    ]
    lines = [line("经营范围", 100, 420)]
    for k, (a, b) in enumerate(zip(left, right, strict=True)):
        lines += [line(a, 220, 450 + 40 * k), line(b, 618, 450 + 40 * k)]
    # the last row: 14 characters left, 9 right, the box from the left one's start to
    # the right one's end
    last = "发；信息系统集成服务；其他。自主开展经营活动）"
    lines.append(Line(last, 220, 570, 618 + 9 * 27, 600, (0.99,) * len(last)))
    values = {k: f.value for k, f in LICENSE.check(LICENSE.extract(lines), TODAY).fields.items()}
    assert values["business_scope"] == "".join(left) + last[:14] + "".join(right) + last[14:]


def test_license_scope_line_cut_in_pieces_on_one_row_is_no_second_column() -> None:
    # one column; the detector cut its second row in three (at 第, a character boxed
    # alone): the two right pieces start at one edge, on one row
    lines = [
        line("经营范围", 100, 420),
        line("普通货物仓储服务（不含危险化学品等需许可审", 220, 450),
        line("批的项目）；专业设计服务；", 220, 490),
        Line("第", 570, 492, 600, 520, (0.99,)),
        Line("二类医疗器械销", 598, 490, 787, 520, (0.99,) * 7),
        line("售；家用电器销售；广告设计、代理。", 220, 530),
    ]
    values = {k: f.value for k, f in LICENSE.check(LICENSE.extract(lines), TODAY).fields.items()}
    assert values["business_scope"] == (
        "普通货物仓储服务（不含危险化学品等需许可审批的项目）；专业设计服务；"
        "第二类医疗器械销售；家用电器销售；广告设计、代理。"
    )


def test_license_vertical_layout() -> None:
    code = fake_uscc()
    labels = [
        ("名称", "深圳市示例科技有限公司"),
        ("类型", "有限责任公司"),
        ("住所", "广东省深圳市南山区科技园路1号"),
        ("法定代表人", "李四"),
        ("注册资本", "5万元人民币"),
        ("成立日期", "2008年10月18日"),
        ("营业期限", "2008年10月18日至2028年10月17日"),
        ("经营范围", "软件开发。"),
    ]
    lines = [line("统一社会信用代码", 100, 60), line(code, 100, 100)]
    for i, (label, value) in enumerate(labels):
        lines.append(line(label + value, 100, 200 + 60 * i))
    checked = LICENSE.check(LICENSE.extract(lines), TODAY)
    assert checked.fields["address"].value == "广东省深圳市南山区科技园路1号"
    assert checked.fields["business_term"].value == "2008年10月18日至2028年10月17日"
    assert checked.fields["established_date"].value == "2008-10-18"
    assert checked.fields["name"].value == "深圳市示例科技有限公司"


def test_license_seal_text_and_lost_label_characters() -> None:
    code = fake_uscc()
    lines = [
        line("统一社会信用代码", 100, 100),
        line(code, 100, 140),
        line("称深圳市示例科技有限公司", 200, 300),  # 名 not detected
        line("注册资本", 900, 300),
        line("100万元人民币", 1030, 300),
        line("型", 200, 360),  # 类 not detected, value in its own box
        line("有限责任公司(自然人独资)", 260, 360),
        line("成立日期2019年01月18日", 900, 360),
        line("法定代表人李四", 100, 420),
        line("营业期限长期", 900, 420),
        line("经营范围软件开发;信息技术", 100, 480),
        line("咨询服务。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动", 250, 520),
        line("登记机关", 780, 520),
        line("住所广东省深圳市南山区", 900, 480),
    ]
    checked = LICENSE.check(LICENSE.extract(lines), TODAY)
    assert checked.fields["name"].value == "深圳市示例科技有限公司"
    assert checked.fields["company_type"].value == "有限责任公司（自然人独资）"
    scope = checked.fields["business_scope"].value
    assert scope == (
        "软件开发；信息技术咨询服务。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
    )


def test_license_values_whose_labels_a_watermark_hid_are_found_by_their_shape() -> None:
    # 类型 and 注册资本 under a watermark's words, not read: the type written out whole
    # and the amount of money are the only lines of their shape on the page
    lines = [
        line("名称", 100, 300),
        line("梅州市汇利餐饮管理有限公司", 220, 300),
        line("有限责任公司（非自然人投资或控股的法人独资）", 220, 360),
        line("住所", 100, 420),
        line("广东省梅州市蕉岭县金桥东路506号", 220, 420),
        line("法定代表人", 100, 480),
        line("龙刚", 260, 480),
        line("200万元人民币", 260, 540),
        line("成立日期", 100, 600),
        line("2004年03月23日", 260, 600),
    ]
    fields = LICENSE.check(LICENSE.extract(lines), TODAY).fields
    assert fields["company_type"].value == "有限责任公司（非自然人投资或控股的法人独资）"
    assert fields["registered_capital"].value == "200万元人民币"
    assert fields["name"].value == "梅州市汇利餐饮管理有限公司"
    # two amounts and a type cut short: which is the field is not known, none is taken
    lines[1:3] = [
        line("梅州市汇利餐饮管理有限公司", 220, 300),
        line("有限责任公司（非自然", 220, 360),
    ]
    lines.append(line("50万元", 900, 540))
    fields = LICENSE.check(LICENSE.extract(lines), TODAY).fields
    assert fields["company_type"].value is None
    assert fields["registered_capital"].value is None


def test_long_label_with_one_misread_character() -> None:
    lines = [line("三发机关布拖县公安局", 120, 300), line("有效期限2015.06.03-长期", 120, 350)]
    checked = BACK.check(BACK.extract(lines), TODAY)
    assert checked.fields["issuing_authority"].value == "布拖县公安局"
    # Two misread characters are not a label any more.
    lines = [line("三发机天布拖县公安局", 120, 300)]
    assert BACK.extract(lines)["issuing_authority"].value != "布拖县公安局"


def test_a_mark_read_into_a_spaced_labels_blank_is_part_of_the_label() -> None:
    # 名　　称 with its blank read as a full stop: still the name's label
    lines = [line("名．称", 40, 100), line("临沧市和泰服装有限公司", 200, 100)]
    assert LICENSE.extract(lines)["name"].value == "临沧市和泰服装有限公司"
    # a mark before the label's first character is not inside the label
    lines = [line("．名称", 40, 100)]
    assert LICENSE.extract(lines)["name"].value is None


def test_label_that_lost_its_first_character_at_an_edge() -> None:
    lines = [line("发机关苏尼特左旗公安局", 20, 300), line("期限2005.10.22-长期", 20, 350)]
    checked = BACK.check(BACK.extract(lines), TODAY)
    assert checked.fields["issuing_authority"].value == "苏尼特左旗公安局"
    # its first two lost, a blank then parting it from the value
    lines[0] = line("机关 双鸭山市公安局四方台分局", 20, 300)
    checked = BACK.check(BACK.extract(lines), TODAY)
    assert checked.fields["issuing_authority"].value == "双鸭山市公安局四方台分局"
    # without the blank, the two characters may begin a value: not a label
    lines[0] = line("机关双鸭山市公安局四方台分局", 20, 300)
    value = BACK.check(BACK.extract(lines), TODAY).fields["issuing_authority"].value
    assert value != "双鸭山市公安局四方台分局"


def test_back_authority_without_label_is_the_police_line_above_the_term() -> None:
    lines = [
        line("苏尼特左旗公安局", 200, 300),
        line("机关", 20, 301),  # not a label any more, and nearer the term by a pixel
        line("2005.10.22-长期", 200, 350),
    ]
    checked = BACK.check(BACK.extract(lines), TODAY)
    assert checked.fields["issuing_authority"].value == "苏尼特左旗公安局"


def test_back_half_hidden_term_reads_the_legible_end_not_as_valid() -> None:
    start_only = BACK.check(BACK.extract([line("有效期限2012.02.12-", 120, 350)]), TODAY)
    assert start_only.fields["valid_from"].value == "2012-02-12"
    assert start_only.fields["valid_until"].value is None
    assert start_only.fields["valid_from"].valid is False
    assert start_only.fields["valid_from"].confidence <= 0.5

    end_only = BACK.check(BACK.extract([line("26-2034.11.26", 200, 350)]), TODAY)
    assert end_only.fields["valid_from"].value is None
    assert end_only.fields["valid_until"].value == "2034-11-26"
    assert end_only.fields["valid_until"].confidence <= 0.5

    # What is left of 长期 reads as long-term, but never as a valid term.
    rest = BACK.check(BACK.extract([line("2012.02.12-期", 200, 350)]), TODAY)
    assert rest.fields["valid_until"].value == "long_term"
    assert rest.fields["valid_until"].valid is False
    assert rest.fields["valid_until"].confidence <= 0.5


def with_probs(ln: Line, probs: list[float], alts: list[tuple[tuple[str, float], ...]]) -> Line:
    return Line(ln.text, ln.x0, ln.y0, ln.x1, ln.y1, tuple(probs), tuple(alts))


def test_character_made_up_in_the_blank_after_a_label_is_dropped() -> None:
    # "住　所" split by the detector; the recogniser read the blank before the value as 滘
    # (probability 0.4, runner-up a middle dot).
    value = "所滘广东省珠海市金湾区桃源北路780号"
    probs = [1.0, 0.4] + [1.0] * (len(value) - 2)
    alts: list[tuple[tuple[str, float], ...]] = [(), (("·", 0.3), ("•", 0.1))] + [()] * (
        len(value) - 2
    )
    lines = [
        line("统一社会信用代码", 100, 100),
        line(fake_uscc(), 100, 140),
        line("住", 100, 300),
        with_probs(line(value, 240, 300), probs, alts),
        line("法定代表人李四", 100, 360),
    ]
    checked = LICENSE.check(LICENSE.extract(lines), TODAY)
    assert checked.fields["address"].value == "广东省珠海市金湾区桃源北路780号"
    # A confident first character is kept, whatever its runner-up.
    probs[1] = 0.95
    lines[3] = with_probs(line(value, 240, 300), probs, alts)
    checked = LICENSE.check(LICENSE.extract(lines), TODAY)
    assert checked.fields["address"].value == "滘广东省珠海市金湾区桃源北路780号"


def test_license_value_after_full_width_space_and_junk_box_over_the_scope() -> None:
    code = fake_uscc()
    junk = line("厂月", 290, 482, h=18, p=0.4)  # a small unlikely box under the value
    lines = [
        line("统一社会信用代码", 100, 100),
        line(code, 100, 140),
        line("类", 100, 360),
        with_probs(
            line("\u3000型个体工商户", 150, 360),
            [0.46, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
            [((" ", 0.4),), (), (), (), (), (), ()],
        ),
        line("经营范围", 100, 480),
        junk,
        line("办公用品销售；餐饮服务。", 300, 480),
    ]
    checked = LICENSE.check(LICENSE.extract(lines), TODAY)
    assert checked.fields["company_type"].value == "个体工商户"
    assert checked.fields["business_scope"].value == "办公用品销售；餐饮服务。"


def test_license_value_character_cut_into_the_label_box_is_read_from_the_value_box() -> None:
    # The detector put 数 into the label's box (read as 娄) and also at the start of the
    # value's own box, which overlaps the label's.
    lines = [
        line("统一社会信用代码", 100, 100),
        line(fake_uscc(), 100, 140),
        line("经营范围娄", 100, 480),
        line("数据处理和存储支持服务；", 215, 480),
        line("软件开发。", 215, 520),
    ]
    checked = LICENSE.check(LICENSE.extract(lines), TODAY)
    assert checked.fields["business_scope"].value == "数据处理和存储支持服务；软件开发。"


def test_license_wrapped_type_stops_at_a_misread_label_in_the_label_column() -> None:
    # 住 misread as 用: the address row still starts in the label column, so it does not
    # continue the company type above it.
    lines = [
        line("统一社会信用代码", 100, 100),
        line(fake_uscc(), 100, 140),
        line("类", 100, 360),
        line("型", 230, 360),
        line("其他有限责任公司", 290, 360),
        line("用", 100, 420),
        line("所", 230, 420),
        line("福建省南平市光泽县科技北路781号", 285, 420),
        line("法定代表人徐帅欣", 100, 480),
    ]
    checked = LICENSE.check(LICENSE.extract(lines), TODAY)
    assert checked.fields["company_type"].value == "其他有限责任公司"
    assert checked.fields["address"].value == "福建省南平市光泽县科技北路781号"


def test_scope_closing_clause_with_a_lost_bracket_gets_its_fixed_wording() -> None:
    lines = [
        line("统一社会信用代码", 100, 100),
        line(fake_uscc(), 100, 140),
        line("经营范围家用电器销售。除依法须经批准的项目外，凭营业执照依", 100, 480),
        line("法自主开展经营活动）", 250, 520),
    ]
    checked = LICENSE.check(LICENSE.extract(lines), TODAY)
    assert checked.fields["business_scope"].value == (
        "家用电器销售。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
    )
    # Items of the scope itself are never rewritten.
    lines[2] = line("经营范围家用电器销鲁。", 100, 480)
    lines.pop()
    checked = LICENSE.check(LICENSE.extract(lines), TODAY)
    assert checked.fields["business_scope"].value == "家用电器销鲁。"


def test_front_address_stops_at_the_number_row_when_the_number_is_hidden() -> None:
    lines = front_lines(fake_id(dt.date(1990, 1, 26)), merged=False)
    lines = [ln for ln in lines if not ln.text.isdigit() or len(ln.text) < 15]
    lines.append(line("44140", 300, 330))  # what a finger left visible of the number
    extracted = FRONT.extract(lines)
    assert extracted["address"].value == "广东省深圳市南山区科技园路18号"
    assert extracted["id_number"].value is None


def test_scope_closing_clause_in_ascii_brackets_is_not_doubled() -> None:
    lines = [
        line("统一社会信用代码", 100, 100),
        line(fake_uscc(), 100, 140),
        line(
            "经营范围软件开发。(除依法须经批准的项目外，凭营业执照依法自主开展经营活动)", 100, 480
        ),
    ]
    checked = LICENSE.check(LICENSE.extract(lines), TODAY)
    assert checked.fields["business_scope"].value == (
        "软件开发。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
    )


def test_front_birth_row_is_the_dated_one_when_a_label_is_misread() -> None:
    number = fake_id(dt.date(1971, 3, 20))
    lines = [
        line("姓名", 40, 40),
        line("郑嘉凯", 110, 40),
        line("维制", 40, 90),  # 性别 unreadable
        line("男民族汉", 110, 90),
        line("共生", 40, 140),  # 出生 misread
        line("1971年3月20日", 110, 140),
        line("生址", 40, 190),  # 住址 misread: looks like 出生 without its first character
        line("新疆维吾尔自治区喀什", 110, 190),
        line("地区叶城县桃源中路865号", 110, 230),
        line("公民身份号码", 40, 330),
        line(number, 240, 330),
    ]
    extracted = FRONT.extract(lines)
    assert extracted["birth_date"].value == "1971-03-20"
    assert extracted["address"].value == "新疆维吾尔自治区喀什地区叶城县桃源中路865号"


def test_front_without_its_labels_finds_rows_by_their_values() -> None:
    number = fake_id(dt.date(1949, 10, 18), region="653130")
    lines = [
        line("保备案使用", 300, 0),  # a stamp's text above the card's rows
        line("蒋立", 110, 40),
        line("男", 110, 90),
        line("汉", 330, 90),
        line("1949年10月18日", 110, 140),
        line("新疆维吾尔自治区喀什地", 110, 190),
        line("区巴楚县大王乡东岭村7", 110, 230),
        line("组53号", 110, 270),
        line(number[:5] + "8" + number[6:], 240, 330),  # the number, one digit misread
    ]
    extracted = FRONT.extract(lines)
    assert extracted["name"].value == "蒋立"
    assert extracted["sex"].value == "男"
    assert extracted["birth_date"].value == "1949-10-18"
    # the address ends before the number's row (a run of digits is no address)
    assert extracted["address"].value == "新疆维吾尔自治区喀什地区巴楚县大王乡东岭村7组53号"


def test_a_watermark_piece_left_of_a_label_is_not_the_value() -> None:
    lines = front_lines(fake_id(dt.date(1972, 9, 15)), merged=True)
    lines.insert(0, line("致", 0, 42))  # a piece of 与原件一致 across the label column
    assert FRONT.extract(lines)["name"].value == "张小明"


def test_an_address_line_starting_with_a_label_s_second_character_is_the_address() -> None:
    # 名苑… in the values' column: no 姓名 that lost its first character
    lines = front_lines(fake_id(dt.date(1979, 3, 1)), merged=False)
    at = next(k for k, ln in enumerate(lines) if ln.text == "科技园路18号")
    lines[at] = line("科技园路18号东风", 110, 230)
    lines.insert(at + 1, line("名苑10栋2103室", 110, 270))
    address = FRONT.extract(lines)["address"].value
    assert address == "广东省深圳市南山区科技园路18号东风名苑10栋2103室"


def test_a_two_character_label_misread_in_one_character_before_a_blank_is_the_label() -> None:
    lines = front_lines(fake_id(dt.date(1980, 5, 2)), merged=True)
    lines[0] = line("娃名  谭霞莉", 40, 40)
    assert FRONT.extract(lines)["name"].value == "谭霞莉"
    # without the blank the two characters may be the value's own: nothing is cut
    lines[0] = line("娃名谭霞莉", 40, 40)
    assert FRONT.extract(lines)["name"].value != "谭霞莉"


def test_a_dash_in_a_name_in_hanzi_is_the_character_yi() -> None:
    from kyc.ocr.documents.base import name_dashes

    assert name_dashes("魏薇—") == "魏薇一"
    assert name_dashes("刘-明") == "刘一明"
    # anything else in the value: not a bare name, left alone
    assert name_dashes("某某有限公司（委派代表—张三）") == "某某有限公司（委派代表—张三）"
    assert name_dashes("--") == "--"


def test_a_value_does_not_start_with_a_stop_a_middle_dot_or_a_closing_bracket() -> None:
    from kyc.ocr.documents.base import tidy

    assert tidy("·何平") == "何平"
    assert tidy("．科学技术研究、学前教育。") == "科学技术研究、学前教育。"
    assert tidy("」财政全额拨款") == "财政全额拨款"
    assert tidy("买买提·艾力") == "买买提·艾力"  # the dot inside a name stays


def test_a_term_date_with_a_dot_read_as_a_colon_still_reads() -> None:
    lines = [
        line("签发机关深圳市公安局", 120, 300),
        line("有效期限2015.06:03-2035.06.03", 120, 350),
    ]
    checked = BACK.check(BACK.extract(lines), TODAY)
    assert (checked.fields["valid_from"].value, checked.fields["valid_until"].value) == (
        "2015-06-03",
        "2035-06-03",
    )


def test_a_license_term_cut_short_is_not_confident() -> None:
    from kyc.ocr.documents.base import looks_complete

    assert looks_complete("term", "2007年03月05日至2037年03月04日")
    assert looks_complete("term", "2007年03月05日至长期")
    assert looks_complete("term", "长期")
    assert not looks_complete("term", "2007年03月05日至2037年03")  # its end lost
    assert not looks_complete("term", "2007年03月05日至")


def test_a_capital_that_lost_its_first_figure_is_not_confident() -> None:
    from kyc.ocr.documents.base import RawField, looks_complete

    assert looks_complete("amount", "50万元人民币") and looks_complete("amount", "0.5万元")
    assert looks_complete("amount", "人民币伍拾万元整")
    assert not looks_complete("amount", "0万元人民币") and not looks_complete("amount", "￥05万元")
    assert looks_complete("amount", "叁佰伍拾万元") and looks_complete("amount", "拾万元")
    assert not looks_complete("amount", "佰伍拾万元")  # its first numeral lost
    raw = {name: RawField(None) for name in LICENSE.field_names}
    raw["registered_capital"] = RawField("0万元人民币", (0.99,) * 6, ((),) * 6)
    f = LICENSE.check(raw, TODAY).fields["registered_capital"]
    assert f.value == "0万元人民币" and f.confidence < 0.9


def test_values_that_ran_into_a_neighbour_or_were_cut_have_no_whole_shape() -> None:
    from kyc.ocr.documents.base import looks_complete

    assert looks_complete("person_name", "崔琪若")
    assert looks_complete("person_name", "阿依古丽·买买提江·艾合买提")
    assert not looks_complete("person_name", "海北藏族自治州远鼎投资管理有")  # a firm, cut
    assert looks_complete("organisation", "电白区人民政府")
    assert looks_complete("organisation", "晋州市文学艺术界联合会")
    assert not looks_complete("organisation", "华坪县科学技术协会用")  # a watermark's 用
    assert not looks_complete("organisation", "成都市教育局自2025年05月27日至2030年05月27日")
    assert looks_complete("place", "华坪县") and not looks_complete("place", "30万元华坪县")
    assert looks_complete("form", "家庭经营") and not looks_complete("form", "个人经")


def test_a_pre_2016_license_s_paid_in_capital_label_is_no_value() -> None:
    # labels stacked over their values, two columns (the photo's order of lines)
    lines = [
        line("注册号441225166362371", 600, 60),
        line("名称", 100, 100),
        line("注册资本", 600, 100),
        line("肇庆市嘉创教育咨询有限公司", 100, 140),
        line("200万元人民币", 600, 140),
        line("实收资本", 600, 190),
        line("200万元人民币", 600, 230),
        line("公司类型", 100, 190),
        line("其他有限责任公司", 100, 230),
    ]
    fields = LICENSE.check(LICENSE.extract(lines), TODAY).fields
    assert fields["company_type"].value == "其他有限责任公司"
    assert fields["registered_capital"].value == "200万元人民币"


def test_a_license_capital_s_grammar_repairs_a_doubtful_numeral() -> None:
    from kyc.ocr.documents.base import RawField

    alts = ((("x", 0.0),),) * 3 + ((("壹", 0.07), ("查", 0.04)),) + ((("x", 0.0),),) * 4
    probs = (0.99, 0.99, 0.99, 0.84, 0.86, 0.99, 0.99, 0.99)
    raw = {name: RawField(None) for name in LICENSE.field_names}
    raw["registered_capital"] = RawField("人民币登仟万元整", probs, alts)
    f = LICENSE.check(raw, TODAY).fields["registered_capital"]
    assert f.value == "人民币壹仟万元整"
    assert f.confidence < 0.1  # as unsure as the runner-up


def test_license_label_second_character_boxed_alone_and_misread_is_the_label() -> None:
    # "名　称" spaced: 名 and 称 boxed apart, 称 read as 东 at 0.18; the value after them
    lines = [
        line("统一社会信用代码", 100, 100),
        line(fake_uscc(), 100, 140),
        line("名", 100, 300, h=15),
        line("东", 133, 300, h=15, p=0.18),
        line("佛山市智海服装有限公司", 163, 300, h=27),
        line("类", 100, 330, h=15),
        line("型", 133, 330, h=15, p=0.9),
        line("有限责任公司（法人独资）", 163, 330, h=25),
    ]
    checked = LICENSE.check(LICENSE.extract(lines), TODAY)
    assert checked.fields["name"].value == "佛山市智海服装有限公司"
    # read at even odds or better, the character is the value's own
    lines[3] = line("东", 133, 300, h=15, p=0.6)
    checked = LICENSE.check(LICENSE.extract(lines), TODAY)
    assert checked.fields["name"].value == "东佛山市智海服装有限公司"


def test_license_name_loses_a_doubtful_mark_before_its_real_place() -> None:
    value = "名称業南京市腾达餐馆"
    probs = [1.0, 1.0, 0.42] + [1.0] * (len(value) - 3)
    lines = [
        line("统一社会信用代码", 100, 100),
        line(fake_uscc(), 100, 140),
        with_probs(line(value, 100, 300), probs, [()] * len(value)),
    ]
    name = LICENSE.check(LICENSE.extract(lines), TODAY).fields["name"]
    assert name.value == "南京市腾达餐馆"
    assert name.confidence <= 0.85  # the drop rests on the place's spelling
    # read surely, the character stays (never overwrite a confident read)
    probs[2] = 0.95
    lines[2] = with_probs(line(value, 100, 300), probs, [()] * len(value))
    name = LICENSE.check(LICENSE.extract(lines), TODAY).fields["name"]
    assert name.value == "業南京市腾达餐馆"


def test_a_label_s_colon_read_as_a_mark_is_no_value() -> None:
    # 登记管理机关： with its colon read as ！ (0.89): the value is the line beside it
    rest = LICENSE.extract(
        [
            line("统一社会信用代码", 100, 100),
            line(fake_uscc(), 100, 140),
            line("住所！", 100, 300),
            line("广东省珠海市金湾区桃源北路780号", 200, 300),
        ]
    )
    assert rest["address"].value == "广东省珠海市金湾区桃源北路780号"


def test_front_labels_misread_in_one_character_are_no_values() -> None:
    number = fake_id(dt.date(1986, 2, 15))
    lines = [
        line("姓石", 40, 40),  # 姓名, its 名 misread
        line("许辉海", 110, 40),
        line("性别", 40, 90),
        line("男", 110, 90),
        line("民旅汉", 260, 90),  # 民族汉, its 族 misread
        line("出生", 40, 140),
        line("1986年2月15日", 110, 140),
        line("佳址", 40, 190),  # 住址, its 住 misread
        line("广东省韶关市仁化县东风", 110, 190),
        line("北路740号梧桐苑23栋2905房", 110, 230),
        line("公民身份号码", 40, 330),
        line(number, 240, 330),
    ]
    extracted = FRONT.extract(lines)
    assert extracted["name"].value == "许辉海"
    assert extracted["ethnicity"].value == "汉"
    assert extracted["address"].value == "广东省韶关市仁化县东风北路740号梧桐苑23栋2905房"
    # a value alone on its row is kept, whatever it reads like (a two-character name)
    alone = [line("李名", 110, 40), *lines[2:]]  # its label lost
    assert FRONT.extract(alone)["name"].value == "李名"


def test_a_partner_and_its_representative_wrap_when_the_line_is_full() -> None:
    # 执行事务合伙人: a company with its appointed representative, wrapped at the right
    # edge of the column; the colon inside the value is the value's own.
    lines = [
        line("统一社会信用代码", 100, 100),
        line(fake_uscc(), 100, 140),
        line("名称芜湖市联新环保科技合伙企业（有限合伙）", 100, 300),
        line("类型有限合伙企业", 100, 350),
        line("执行事务合伙人芜湖腾康投资管理有限公司（委派代表：白世", 100, 400),
        line("家）", 330, 436),
        line("成立日期2020年06月01日", 100, 480),
    ]
    value = LICENSE.check(LICENSE.extract(lines), TODAY).fields["legal_representative"].value
    assert value == "芜湖腾康投资管理有限公司（委派代表：白世家）"
    # A short name never reaches the edge: the row below is not part of it, even where
    # that row's label was lost.
    short = [*lines[:4], line("法定代表人王芳", 100, 400), line("人民币壹佰万元整", 280, 436)]
    value = LICENSE.check(LICENSE.extract(short), TODAY).fields["legal_representative"].value
    assert value == "王芳"


def test_back_term_boxed_in_two_pieces_reads_from_both() -> None:
    # The detector boxed the term in two pieces sharing the dash; the end piece first.
    pieces = [line("-2046.08.10", 330, 350), line("限 2026.08.10-", 120, 350)]
    checked = BACK.check(BACK.extract(pieces), TODAY)
    assert checked.fields["valid_from"].value == "2026-08-10"
    assert checked.fields["valid_until"].value == "2046-08-10"
    assert checked.fields["valid_from"].valid is True
    # pieces on two rows are not one term
    apart = [line("-2046.08.10", 330, 350), line("2026.08.10-", 120, 450)]
    assert BACK.check(BACK.extract(apart), TODAY).fields["valid_from"].value is None


def test_front_ethnicity_ends_with_the_group_s_name_before_other_ink() -> None:
    number = fake_id(dt.date(1949, 9, 16))
    lines = [
        line("姓名", 40, 40),
        line("范亮春", 110, 40),
        line("性别", 40, 90),
        line("男", 110, 90),
        line("民族", 260, 90),
        line("哈萨克", 330, 90),
        line("印天", 430, 88),  # pieces of a 复印无效 overprint on the row
        line("效", 520, 92),
        line("出生", 40, 140),
        line("1949年9月16日", 110, 140),
        line("公民身份号码", 40, 330),
        line(number, 240, 330),
    ]
    assert FRONT.extract(lines)["ethnicity"].value == "哈萨克"


def test_front_ethnicity_after_a_watermarks_character_is_the_group_s_name() -> None:
    number = fake_id(dt.date(1968, 9, 28))
    lines = [
        line("姓名", 40, 40),
        line("尹志琪", 110, 40),
        line("性别", 40, 90),
        line("女", 110, 90),
        line("民族备汉", 260, 90),  # 备 of 仅供备案使用 over the card
        line("出生", 40, 140),
        line("1968年9月28日", 110, 140),
        line("公民身份号码", 40, 330),
        line(number, 240, 330),
    ]
    assert FRONT.extract(lines)["ethnicity"].value == "汉"
    # a character that is no watermark's keeps the value as read (not a group's name)
    lines[4] = line("民族蒙汉", 260, 90)
    assert FRONT.extract(lines)["ethnicity"].value == "蒙汉"


def test_front_address_beside_a_watermarks_piece_or_drawn_into_the_row_above() -> None:
    number = fake_id(dt.date(1954, 4, 21))
    lines = [
        line("姓名韦伟飞", 40, 40),
        line("性别男", 40, 90),
        line("民族汉", 200, 90),
        line("出生", 40, 140),
        line("1954年4月21日", 110, 140),
        line("住址使用", 40, 200),  # 使用 of 备案使用 boxed with the label
        line("西藏自治区拉萨市林周县", 110, 200),
        line("桃源路247号11单元2702", 110, 240),
        line("公民身份号码", 40, 330),
        line(number, 240, 330),
    ]
    want = "西藏自治区拉萨市林周县桃源路247号11单元2702"
    assert FRONT.extract(lines)["address"].value == want
    # a watermark's tall piece drew the first line into a row above the label's (as
    # boxed on a photo: the piece 86 high, the line 50, the label 35)
    lines[5] = line("住址", 40, 703.5, h=35)
    lines[6] = line("西藏自治区拉萨市林周县", 110, 686, h=50)
    lines[7] = line("桃源路247号11单元2702", 110, 744)
    lines[8] = line("公民身份号码", 40, 830)
    lines[9] = line(number, 240, 830)
    lines.append(Line("备案使用", 520, 650, 700, 736, (0.99,) * 4))
    assert FRONT.extract(lines)["address"].value == want


def test_front_name_boxed_with_its_misread_label_is_cut_at_the_values_column() -> None:
    number = fake_id(dt.date(1969, 3, 20))
    p = (0.99,)
    rows = [
        Line("姓者金涵玲", 40, 40, 215, 70, p * 5),  # 名 read 者, no blank read
        line("性则女", 40, 90),
        line("出生", 40, 140),
        line("1969年3月20日", 110, 140),
        line("焦址", 40, 190),  # 住址 misread: still the label column
        line("新疆维吾尔自治区巴音郭", 110, 190),
        line("公民身份号码", 40, 330),
        line(number, 240, 330),
    ]
    assert FRONT.extract(rows)["name"].value == "金涵玲"
    # where the characters put the label's end off the values' column, nothing is cut
    rows[0] = Line("姓者金涵玲", 40, 40, 140, 70, p * 5)
    assert FRONT.extract(rows)["name"].value != "金涵玲"


def test_back_term_with_its_dash_lost_before_long_term() -> None:
    lines = [line("签发机关梁河县公安局", 40, 100), line("有效期限2016.12.05长期", 40, 150)]
    f = BACK.check(BACK.extract(lines), TODAY).fields
    assert (f["valid_from"].value, f["valid_until"].value) == ("2016-12-05", "long_term")


def test_back_authority_with_a_seals_characters_after_it_is_the_authority() -> None:
    lines = [
        line("签发机关", 40, 100),
        line("奇台县公安局有限", 200, 100),  # a company seal's ring boxed with it
        line("有效期限", 40, 150),
        line("2019.07.06-2039.07.06", 200, 150),
    ]
    f = BACK.check(BACK.extract(lines), TODAY).fields["issuing_authority"]
    assert (f.value, f.valid) == ("奇台县公安局", True) and f.confidence <= 0.85
    # a known authority is never cut, nor is one whose head names no known place
    for whole in ("深圳市公安局南山分局", "奇台县公安局", "某某县公安局有限"):
        lines[1] = line(whole, 200, 100)
        value = BACK.check(BACK.extract(lines), TODAY).fields["issuing_authority"].value
        assert value == whole


def test_back_authority_is_not_a_watermark_piece_boxed_over_the_label_s_end() -> None:
    lines = [
        Line("签发机关", 912, 1804, 1049, 1845, (0.99,) * 4),
        Line("A", 1035, 1812, 1078, 1833, (0.41,)),  # 与原件一致 tiled over the card
        Line("阜新蒙古族自治县公安局", 1060, 1800, 1435, 1851, (0.99,) * 11),
        Line("有效期限", 913, 1875, 1046, 1914, (0.99,) * 4),
        Line("2006.04.29-长期", 1059, 1876, 1323, 1915, (0.99,) * 13),
    ]
    assert BACK.extract(lines)["issuing_authority"].value == "阜新蒙古族自治县公安局"


def test_front_name_is_not_a_small_junk_box_between_label_and_value() -> None:
    number = fake_id(dt.date(1984, 8, 24))
    p = (0.99,)
    lines = [
        Line("mk", 719, 747, 852, 830, (0.3, 0.2)),  # half as high, over the label's end
        Line("蒋丽云", 851, 702, 1309, 879, p * 3),
        Line("姓名", 437, 732, 763, 869, p * 2),
        Line("性别女", 417, 1004, 1047, 1189, p * 3),
        Line("民族汉", 1347, 1017, 1940, 1192, p * 3),
        Line("1984年8月24日", 857, 1312, 2043, 1477, p * 10),
        Line("出生", 432, 1336, 736, 1473, p * 2),
        Line("浙江省嘉兴市海盐县光", 871, 1614, 2257, 1765, p * 10),
        Line("住址", 434, 1633, 733, 1770, p * 2),
        Line("公民身份号码 " + number, 430, 2226, 3150, 2389, p * 25),
    ]
    assert FRONT.extract(lines)["name"].value == "蒋丽云"


def test_a_stray_character_before_a_whole_company_type_is_dropped_not_trusted() -> None:
    lines = [
        line("统一社会信用代码", 100, 100),
        line(fake_uscc(), 100, 140),
        line("名称深圳市星达科技有限公司", 100, 300),
        line("类型", 100, 350),
        with_probs(
            line("0有限责任公司（自然人独资）", 230, 350),
            [0.3] + [0.99] * 13,
            [()] * 14,
        ),
        line("法定代表人王芳", 100, 400),
    ]
    f = LICENSE.check(LICENSE.extract(lines), TODAY).fields["company_type"]
    assert f.value == "有限责任公司（自然人独资）" and f.confidence < 0.9


def test_license_value_joined_across_an_unread_gap_is_not_reported_sure() -> None:
    """A name the detector boxed in two pieces: cut at a character's edge they join at
    full confidence; with room for characters between them (text lost under glare or
    fading: 徐州市|装有限公司 for 徐州市汇润服装有限公司) the joined value is kept but not
    sure."""

    def name_of(gap_h: float) -> tuple[str | None, float]:
        first = line("徐州市", 200, 300)
        second = line("装有限公司", first.x1 + gap_h * 30.0, 300)
        lines = [line("名称", 100, 300), first, second, line("类型有限责任公司", 100, 360)]
        f = LICENSE.check(LICENSE.extract(lines), TODAY).fields["name"]
        return f.value, f.confidence

    value, confidence = name_of(0.2)
    assert value == "徐州市装有限公司" and confidence >= 0.9
    value, confidence = name_of(1.2)
    assert value == "徐州市装有限公司"
    assert confidence <= 0.5
