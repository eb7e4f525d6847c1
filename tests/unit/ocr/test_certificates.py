"""Passports (MRZ by ICAO 9303 check digits), residents' permits and unit certificates,
read from recognised lines without models (issue 17). Fake lines, synthetic numbers."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable

import numpy as np
import pytest
from stdnum.cn import uscc

from kyc.ocr import cutcodes, mrz
from kyc.ocr.documents import BY_NAME
from kyc.ocr.documents.base import overprint_pieces, without_overprints
from kyc.ocr.documents.certificate_fields import Spec, labelled_fields, trim_overprint
from kyc.ocr.documents.passport import KIND as PASSPORT
from kyc.ocr.documents.passport import merge_names, printed_date
from kyc.ocr.engine import CharReading, TextReading
from kyc.ocr.layout import Line
from kyc.ocr.pipeline import classify
from kyc.ocr.types import FieldReading

TODAY = dt.date(2026, 6, 15)


def line(text: str, x: float, y: float, h: float = 30.0, p: float = 0.99) -> Line:
    return Line(text, x, y, x + len(text) * h * 0.6, y + h, tuple([p] * len(text)))


def td3(number: str, nat: str, birth: str, sex: str, expiry: str, optional: str = "") -> str:
    """Line 2 of a TD3 MRZ, check digits from ``mrz.check_digit``."""
    num = number.ljust(9, "<")
    opt = optional.ljust(14, "<")
    opt_check = mrz.check_digit(opt) if optional else "<"
    body = (
        f"{num}{mrz.check_digit(num)}{nat}{birth}{mrz.check_digit(birth)}{sex}"
        f"{expiry}{mrz.check_digit(expiry)}{opt}{opt_check}"
    )
    return body + mrz.check_digit(body[0:10] + body[13:20] + body[21:43])


# ------------------------------------------------------------------------------- MRZ


def test_check_digit_on_icao_specimens() -> None:
    # ICAO Doc 9303 Part 4 specimen (Utopia): L898902C3 6, 740812 2, 120415 9, composite 0
    assert mrz.check_digit("L898902C3") == "6"
    assert mrz.check_digit("740812") == "2"
    assert mrz.check_digit("120415") == "9"
    line2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
    assert mrz.line2_checks(line2) == dict.fromkeys(mrz.CHECKED_FIELDS, True)


def test_every_single_wrong_digit_of_line_2_fails_a_check_and_is_not_repaired() -> None:
    """A confidently read line printed with one wrong digit (any position a check digit
    covers but the optional data's letters) comes back as read, its checks failing
    where a check can see it: never repaired to another valid line."""
    good = td3("E12345678", "CHN", "850314", "M", "310701", "ABCDEFGHIJKLMN")
    covered = [*range(0, 10), *range(13, 20), *range(21, 28), 42, 43]
    for pos in covered:
        for wrong in "0123456789":
            if wrong == good[pos]:
                continue
            bad = good[:pos] + wrong + good[pos + 1 :]
            read = mrz.read_line2(bad, [0.99] * 44, [()] * 44)
            assert read is not None
            assert read.text == bad, (pos, wrong)  # never altered
            if good[pos].isdigit():
                # a digit for a digit always changes the sum (weights 7, 3, 1 are prime
                # to 10); a letter differs from some digits by 10 (E and 4), which no
                # ICAO check digit sees
                assert not all(read.checks.values()), (pos, wrong)


def test_a_doubtful_character_is_repaired_by_the_checks_when_only_one_fits() -> None:
    good = td3("E12345678", "CHN", "850314", "M", "310701")
    bad = good[:3] + "8" + good[4:]  # the 3 of the number read as 8, doubtfully
    probs = [0.99] * 44
    probs[3] = 0.55
    alts: list[tuple[tuple[str, float], ...]] = [()] * 44
    alts[3] = (("3", 0.4),)
    read = mrz.read_line2(bad, probs, alts)
    assert read is not None and read.text == good and read.repaired(0, 10)


def test_filler_runs_read_short_are_refitted_and_full_width_folded() -> None:
    good = td3("E12345678", "CHN", "850314", "F", "310701")
    short = good[:30] + good[33:]  # three fillers lost
    read = mrz.read_line2(short, [0.9] * len(short), [()] * len(short))
    assert read is not None and read.text == good
    wide = good.replace("1", "１")
    read = mrz.read_line2(wide, [0.9] * 44, [()] * 44)
    assert read is not None and read.text == good


def test_line_1_names_and_lookalike_digits() -> None:
    one = mrz.read_line1("P<CHNHU<<X1UTA0<<<<<<<<<<<<<<<<", [0.9] * 31, [()] * 31)
    assert one is not None
    assert (one.issuing_state, one.surname, one.given) == ("CHN", "HU", "XIUTAO")
    assert len(one.text) == mrz.LINE_LENGTH


def test_line_2_ends_at_its_composite_check() -> None:
    """Signs read past the composite check digit are no part of the line; a check digit
    read as such a sign leaves a line whose checks fail (nothing is invented)."""
    good = td3("C28410309", "CAN", "080305", "M", "360408")
    read_as = good[:28] + "<" * 13 + good[43] + "/}"
    read = mrz.read_line2(read_as, [0.9] * 44, [()] * 44)
    assert read is not None and read.text == good and all(read.checks.values())
    lost = good[:43] + "/"  # the composite itself read as a sign
    read = mrz.read_line2(lost, [0.9] * 44, [()] * 44)
    assert read is not None and not read.checks["mrz"]


def test_line_1_reads_an_x_seen_as_a_chevron_and_a_multiplication_sign() -> None:
    assert mrz.looks_like_line1("P<DEUMUELLER<<FELI><<<<<<<<<<<")
    one = mrz.read_line1("P<DEUMUELLER<<FELI><<<<<<<", [0.9] * 26, [()] * 26)
    assert one is not None and one.given == "FELIX"
    one = mrz.read_line1("P<CHNLIN<<NA×IN<<<<<<<<<<", [0.9] * 25, [()] * 25)
    assert one is not None and (one.surname, one.given) == ("LIN", "NAXIN")


def test_line_1_whose_fillers_were_boxed_apart_and_misread_is_still_line_1() -> None:
    # the filler run past the name boxed on its own and read as a run of ΛΛΛ: the first
    # box holds the whole name and fillers after it, the rest carries nothing
    line2 = td3("E12345678", "CHN", "900702", "F", "310701")
    lines = _passport_lines(line2)
    lines[-2:-1] = [
        line("P<CHNCE<<SHIYI<<<<<<<<<<", 50, 760, 34),
        line("ΛΛΛΛΛΛΛΛΛΛΛΛΛΛΛΛΛΛΛΛ", 50 + 25 * 34 * 0.6 + 20, 760, 34),
    ]
    checked = PASSPORT.check(PASSPORT.extract(lines), TODAY)
    assert checked.fields["mrz"].value == "P<CHNCE<<SHIYI" + "<" * 30 + "\n" + line2
    # a first box that stops inside the name (no run of fillers after a given name) is
    # not line 1 on its own: the rest of the name may be in the other box
    assert not mrz.name_closed("P<CHNCE<<SHI")
    assert not mrz.name_closed("P<CHNCE<<SHIYI<")
    assert mrz.name_closed("P<CHNCE<<SHIYI<<<")


def test_line_1_score_prefers_a_state_code_then_more_letters() -> None:
    probs = [0.9] * 44
    whole = "P<CHNZHOU<<YIJIE".ljust(44, "<")
    lost = "P<CHNZHOU<<YIIE".ljust(44, "<")
    no_state = "P<HNZHOU<<YIJIE".ljust(44, "<")
    assert mrz._mrz_score(whole, probs) > mrz._mrz_score(lost, probs)
    assert mrz._mrz_score(lost, probs) > mrz._mrz_score(no_state, probs)


def test_a_line_read_upside_down_is_a_candidate_for_the_flipped_reread() -> None:
    """Turned over, fillers read as '>': such a line (or one of a few characters over a
    whole line's width) is read again both ways; Chinese text is not."""
    crop = np.zeros((34, 1100, 3), dtype=np.uint8)
    assert mrz._maybe_flipped(">>>>>>>>>>>>>>>>>>>>>>>>>>>>>IxN>>INH>d", crop)
    assert mrz._maybe_flipped("90093", crop)
    assert not mrz._maybe_flipped("广东省广州市天河区中山大道西一百号", crop)
    assert not mrz._maybe_flipped(">>>>>>>>>>>>>>", np.zeros((34, 300, 3), dtype=np.uint8))


def test_optional_data_in_letters_reads_its_lookalike_digits_as_letters() -> None:
    """O read as 0 in pairs passes every check (they differ by 24, a pair at weights 7
    and 3 by 240): the field's letters say which it is; a digit that resembles no
    letter, or checks that would fail, leave the line as read."""
    good = td3("E12345678", "CHN", "850314", "M", "310701", "KOOKOIPGCMHGGN")
    read_as = good[:28] + "K00K0IPGCMHGGN" + good[42:]
    line2 = mrz.read_line2(read_as, [0.99] * 44, [()] * 44)
    assert line2 is not None and line2.text == good
    numeric = td3("E12345678", "CHN", "850314", "M", "310701", "00123400567893")
    kept = mrz.read_line2(numeric, [0.99] * 44, [()] * 44)
    assert kept is not None and kept.text == numeric


# ------------------------------------------------------------------------- passport


def _passport_lines(line2: str, printed_number: str = "E12345678") -> list[Line]:
    return [
        line("中华人民共和国 PEOPLE'S REPUBLIC OF CHINA", 380, 40),
        line("护照 PASSPORT", 380, 90),
        line("类型/Type", 380, 150, 18),
        line("国家码/Country Code", 550, 150, 18),
        line("护照号/Passport No.", 850, 150, 18),
        line("P", 380, 180),
        line("CHN", 550, 180),
        line(printed_number, 850, 180),
        line("姓名/Name", 380, 240, 18),
        line("测试乙", 380, 268),
        line("CE, SHIYI", 380, 310),
        line("性别/Sex", 380, 360, 18),
        line("女/F", 380, 388),
        line("出生日期/Date of birth", 380, 440, 18),
        line("02 JUL 1990", 380, 468),
        line("有效期至/Date of expiry", 780, 520, 18),
        line("01 JUL 2031", 780, 548),
        line("P<CHNCE<<SHIYI<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", 50, 760, 34),
        line(line2, 50, 820, 34),
    ]


def test_passport_fields_are_read_and_cross_checked() -> None:
    line2 = td3("E12345678", "CHN", "900702", "F", "310701")
    lines = _passport_lines(line2)
    assert classify([ln.text for ln in lines], list(BY_NAME.values()))[0] == "passport"
    checked = PASSPORT.check(PASSPORT.extract(lines), TODAY)
    got = {k: f.value for k, f in checked.fields.items()}
    assert got == {
        "passport_number": "E12345678",
        "name": "测试乙",
        "name_latin": "CE SHIYI",
        "sex": "F",
        "nationality": "CHN",
        "birth_date": "1990-07-02",
        "expiry_date": "2031-07-01",
        "issuing_country": "CHN",
        "mrz": "P<CHNCE<<SHIYI" + "<" * 30 + "\n" + line2,
    }
    assert all(f.valid is not False for f in checked.fields.values())
    assert checked.fields["passport_number"].confidence >= 0.9
    assert not checked.warnings


def test_a_nationality_read_with_a_digit_for_its_letter_is_still_the_machine_zone() -> None:
    # ITA read 1TA, CHN read CH2: the letters' look-alike digits in the nationality slot
    for state, as_read in (("ITA", "1TA"), ("IRL", "1RL"), ("SGP", "5GP")):
        good = td3("T24772761", state, "190409", "F", "310611")
        read = good[:10] + as_read + good[13:]
        assert mrz.looks_like_line2(read), read
        line2 = mrz.read_line2(read, [0.99] * 44, [()] * 44)
        assert line2 is not None and line2.text == good and all(line2.checks.values())
    lines = _passport_lines(td3("E12345678", "CHN", "900702", "F", "310701"))
    lines[-1] = line(lines[-1].text[:10] + "CH2" + lines[-1].text[13:], 50, 820, 34)
    checked = PASSPORT.check(PASSPORT.extract(lines), TODAY)
    assert checked.fields["nationality"].value == "CHN"
    assert checked.fields["mrz"].value is not None


def test_passport_with_a_wrong_check_digit_is_returned_as_printed() -> None:
    good = td3("E12345678", "CHN", "900702", "F", "310701")
    bad = good[:19] + str((int(good[19]) + 3) % 10) + good[20:]  # birth date's check
    checked = PASSPORT.check(PASSPORT.extract(_passport_lines(bad)), TODAY)
    f = checked.fields
    assert f["birth_date"].value == "1990-07-02" and f["birth_date"].valid is False
    assert f["birth_date"].confidence < 0.9
    assert f["mrz"].valid is False and f["mrz"].value is not None and bad in f["mrz"].value
    assert "CHECKSUM_MISMATCH" in checked.warnings


def test_an_mrz_date_that_lost_a_digit_leaves_the_printed_date_not_confident() -> None:
    good = td3("E12345678", "CHN", "900702", "F", "310701")
    # the expiry's first digit lost, a filler read in its place at the end: 107012<
    lost = good[:21] + good[22:28] + "<" + good[28:]
    assert len(lost) == 44 and mrz.read_line2(lost, [0.99] * 44, [()] * 44) is not None
    checked = PASSPORT.check(PASSPORT.extract(_passport_lines(lost)), TODAY)
    f = checked.fields["expiry_date"]
    assert f.value == "2031-07-01" and f.confidence < 0.9 and f.valid is False
    assert checked.fields["birth_date"].value == "1990-07-02"  # its MRZ date stands


def test_printed_birth_date_contradicting_the_mrz_is_not_valid() -> None:
    line2 = td3("E12345678", "CHN", "900702", "F", "310701")
    lines = [ln if ln.text != "02 JUL 1990" else line("02 JUL 1991", 380, 468) for ln in
             _passport_lines(line2)]  # fmt: skip
    checked = PASSPORT.check(PASSPORT.extract(lines), TODAY)
    assert checked.fields["birth_date"].valid is False
    assert checked.fields["birth_date"].confidence < 0.9


def test_expired_passport_warns() -> None:
    line2 = td3("E12345678", "CHN", "900702", "F", "250701")
    lines = [ln if ln.text != "01 JUL 2031" else line("01 JUL 2025", 780, 548) for ln in
             _passport_lines(line2)]  # fmt: skip
    assert "EXPIRED" in PASSPORT.check(PASSPORT.extract(lines), TODAY).warnings


def test_printed_dates_in_each_layout() -> None:
    day = dt.date(1974, 7, 11)
    for text in ("11 JUL 1974", "11 7月/JUL 1974", "11.07.1974", "1974-07-11"):
        assert printed_date(text) == day, text


def test_names_merge_separators_and_refuse_other_letters() -> None:
    assert merge_names(("LIM", "MEI LIN"), ("LIM", "MEILIN")) == (("LIM", "MEI LIN"), False)
    assert merge_names(("SMITH", "JOHN PAUL"), ("SMITH", "JOHN PAUL")) == (
        ("SMITH", "JOHN PAUL"),
        True,
    )
    assert merge_names(("HU", "XIUTA"), ("HU", "XIUTAO")) is None


def _split_name_lines(surname_value: Line, line1: str) -> list[Line]:
    """A passport page whose names stand under their labels (姓/Surname, 名/Given
    names), the country code one row up beside the surname label."""
    return [
        line("护照 PASSPORT", 380, 90),
        line("类型/Type", 380, 150, 28),
        line("国家码/Country Code", 560, 150, 28),
        line("P", 380, 184),
        line("CHN", 560, 186, 34),  # a taller value font: it reaches into the next row
        line("姓/Surname", 380, 206),
        surname_value,
        line("名/Given names", 380, 284),
        line("娜 NA", 380, 318),
        line(line1, 50, 760, 34),
        line(td3("E12345678", "CHN", "900702", "F", "310701"), 50, 820, 34),
    ]


def test_a_value_under_its_own_label_is_not_taken_by_the_label_beside_it() -> None:
    # CHN overlaps 姓/Surname's row by 0.4 of its height, but stands directly under
    # 国家码: it is the country code, and the surname is the line under 姓/Surname
    lines = _split_name_lines(line("张 ZHANG", 380, 242), "P<CHNZHANG<<NA" + "<" * 30)
    f = PASSPORT.check(PASSPORT.extract(lines), TODAY).fields
    assert f["name_latin"].value == "ZHANG NA"
    assert f["issuing_country"].value == "CHN"


def test_line_1_is_rebuilt_from_the_printed_names_only_where_its_names_read_close() -> None:
    # a letter lost from the surname: the printed names stand for line 1
    near = _split_name_lines(line("张 ZHANG", 380, 242), "P<CHNHANG<<NA" + "<" * 31)
    f = PASSPORT.check(PASSPORT.extract(near), TODAY).fields
    assert f["mrz"].value is not None and f["mrz"].value.startswith("P<CHNZHANG<<NA<")
    # other names: over the 44 padded characters they still read 0.95 alike; line 1
    # stays as read and the name is not confident
    other = _split_name_lines(line("张 ZHANG", 380, 242), "P<CHNCHN<<NA" + "<" * 32)
    f = PASSPORT.check(PASSPORT.extract(other), TODAY).fields
    assert f["mrz"].value is not None and f["mrz"].value.startswith("P<CHNCHN<<NA<")
    assert f["name_latin"].confidence < 0.9


def test_a_seal_s_text_beside_the_given_names_label_is_not_the_given_name() -> None:
    # a seal's ring text on the row of 名/Given names, far right: no Latin letters, so
    # not a name of the data page (ICAO 9303 prints every name in Latin letters too)
    lines = _split_name_lines(line("张 ZHANG", 380, 242), "P<CHNZHANG<<NA" + "<" * 30)
    lines.append(line("有限公司业", 900, 280, 60))
    f = PASSPORT.check(PASSPORT.extract(lines), TODAY).fields
    assert f["name"].value == "张娜"
    assert f["name_latin"].value == "ZHANG NA"


def test_a_name_s_hanzi_boxed_apart_from_its_latin_letters_stays_with_them() -> None:
    lines = _split_name_lines(line("张", 380, 242), "P<CHNZHANG<<NA" + "<" * 30)
    lines.insert(7, line("ZHANG", 380 + 18 + 12, 242))  # 12 px after 张 (18 px wide)
    f = PASSPORT.check(PASSPORT.extract(lines), TODAY).fields
    assert (f["name"].value, f["name_latin"].value) == ("张娜", "ZHANG NA")
    # a hanzi piece a column away is another field's, not the name's
    far = _split_name_lines(line("张", 380, 242), "P<CHNZHANG<<NA" + "<" * 30)
    far.insert(7, line("ZHANG", 380 + 18 + 200, 242))
    f = PASSPORT.check(PASSPORT.extract(far), TODAY).fields
    assert f["name"].value != "张娜"


def test_hanzi_that_cannot_spell_a_foreign_holder_s_name_are_not_confident() -> None:
    lines = [
        line("护照 PASSPORT", 380, 90),
        line("类型/Type", 380, 150, 28),
        line("国家码/Country Code", 560, 150, 28),
        line("P", 380, 184),
        line("GBR", 560, 184),
        line("姓/Surname", 380, 230),
        line("无效 SMITH", 380, 266),
        line("名/Given names", 380, 310),
        line("EMMA", 380, 346),
        line("P<GBRSMITH<<EMMA" + "<" * 28, 50, 760, 34),
        line(td3("522958798", "GBR", "970522", "F", "320828"), 50, 820, 34),
    ]
    f = PASSPORT.check(PASSPORT.extract(lines), TODAY).fields
    assert f["name_latin"].value == "SMITH EMMA"
    assert f["name"].confidence < 0.9


# -------------------------------------------------------------------------- permits


def _permit_lines(number_line: Line, title: str = "港澳居民来往内地通行证") -> list[Line]:
    return [
        line(title, 220, 40),
        line("姓名", 280, 120, 21),
        line("郭伟明", 380, 118),
        line("KWOK, WAI MING", 380, 160, 22),
        line("出生日期", 280, 210, 21),
        line("1990.11.27", 380, 208),
        line("性别", 620, 210, 21),
        line("男", 680, 208),
        line("有效期限", 280, 260, 21),
        line("2018.08.10-2028.08.09", 380, 258),
        line("签发机关", 280, 310, 21),
        line("国家移民管理局", 380, 308),
        number_line,
    ]


def test_hk_macao_permit_by_label_and_by_shape() -> None:
    kind = BY_NAME["hk_macao_permit"]
    for number_line in (line("证件号码M17766962", 48, 480), line("M17766962", 560, 480)):
        lines = _permit_lines(number_line)
        assert classify([ln.text for ln in lines], list(BY_NAME.values()))[0] == kind.name
        checked = kind.check(kind.extract(lines), TODAY)
        got = {k: f.value for k, f in checked.fields.items()}
        assert got == {
            "permit_number": "M17766962",
            "name": "郭伟明",
            "name_latin": "KWOK WAI MING",
            "sex": "男",
            "birth_date": "1990-11-27",
            "valid_from": "2018-08-10",
            "valid_until": "2028-08-09",
            "issuing_authority": "国家移民管理局",
        }
        assert checked.fields["valid_until"].valid is True


def test_a_permit_s_one_single_date_is_its_birth_date_when_the_label_is_lost() -> None:
    kind = BY_NAME["hk_macao_permit"]
    lines = [ln for ln in _permit_lines(line("M17766962", 560, 480)) if ln.text != "出生日期"]
    assert kind.check(kind.extract(lines), TODAY).fields["birth_date"].value == "1990-11-27"
    # two single dates: which is the birth date is not known
    two = [*lines, line("2001.01.01", 380, 400)]
    assert kind.check(kind.extract(two), TODAY).fields["birth_date"].value is None
    # eight bare digits are a number, not a date
    bare = [*lines, line("60426568", 380, 400)]
    assert kind.check(kind.extract(bare), TODAY).fields["birth_date"].value == "1990-11-27"


def test_a_permit_s_term_and_issuer_are_found_by_their_form_when_the_labels_are_lost() -> None:
    kind = BY_NAME["hk_macao_permit"]
    lost = {"有效期限", "签发机关"}
    lines = [ln for ln in _permit_lines(line("M17766962", 560, 480)) if ln.text not in lost]
    fields = kind.check(kind.extract(lines), TODAY).fields
    assert fields["valid_from"].value == "2018-08-10"
    assert fields["valid_until"].value == "2028-08-09"
    assert fields["issuing_authority"].value == "国家移民管理局"
    # two date ranges: which is the term is not known
    two = [*lines, line("2001.01.01-2011.01.01", 380, 400)]
    assert kind.check(kind.extract(two), TODAY).fields["valid_from"].value is None
    # a line of hanzi that is no issuer's name is not taken for one
    other = [ln for ln in lines if ln.text != "国家移民管理局"] + [line("深圳市某某公司", 380, 308)]
    assert kind.check(kind.extract(other), TODAY).fields["issuing_authority"].value is None


def test_a_permit_s_sex_is_its_one_lone_male_or_female_when_the_label_is_lost() -> None:
    # 性别 read as 性 alone (its 别 lost), 男 under it in its column, overlapping its
    # row (as boxed on a held-out photo: 性 1406-1500 x 2024-2091, 男 1417-1488 x
    # 2079-2152)
    kind = BY_NAME["taiwan_permit"]
    swap = {"性别": line("性", 620, 210, 21), "男": line("男", 626, 227, 22)}
    lines = [
        swap.get(ln.text, ln)
        for ln in _permit_lines(line("06278911", 560, 480), "台湾居民来往大陆通行证")
    ]
    assert kind.check(kind.extract(lines), TODAY).fields["sex"].value == "男"
    # two lone characters of a sex: which is the holder's is not known
    two = [*lines, line("女", 380, 400)]
    assert kind.check(kind.extract(two), TODAY).fields["sex"].value is None
    # 性 boxed with the 男 under it (性男), 别 alone on the label's row
    swap = {"性别": line("别", 660, 210, 21), "男": line("性男", 620, 215, 40)}
    glued = [
        swap.get(ln.text, ln)
        for ln in _permit_lines(line("06278911", 560, 480), "台湾居民来往大陆通行证")
    ]
    assert kind.check(kind.extract(glued), TODAY).fields["sex"].value == "男"


def test_permit_number_of_the_wrong_shape_and_an_illegal_term_are_not_valid() -> None:
    kind = BY_NAME["taiwan_permit"]
    lines = _permit_lines(line("证件号码012345678", 48, 480), "台湾居民来往大陆通行证")
    checked = kind.check(kind.extract(lines), TODAY)
    assert checked.fields["permit_number"].valid is False
    assert checked.fields["permit_number"].confidence < 0.9
    # a Taiwan permit lasts 5 years: the 10-year term above is not one
    assert checked.fields["valid_until"].valid is False


def test_watermark_pieces_are_trimmed_from_a_value() -> None:
    assert trim_overprint("吴玲美使用") == ("吴玲美", True)
    assert trim_overprint("国家移民管理局") == ("国家移民管理局", False)
    # a stamp's words after the value, their last character misread (备案 as 备务)
    assert trim_overprint("彭睿仅供办理备务") == ("彭睿", True)
    # a piece followed by the value's own words is the value's (代为办理…)
    assert trim_overprint("代为办理工商登记手续") == ("代为办理工商登记手续", False)


def test_the_commonest_watermark_wording_and_its_pieces_are_overprint() -> None:
    # its pieces, wherever the detector cut them, go where the whole wording is read
    texts = ["他用无效", "无效", "他用", "姓名", "王刚敏"]
    assert overprint_pieces(texts) == {0, 1, 2}
    kept = without_overprints([line("王刚敏他用无效", 0, 0), line("仅供备案使用他用无效", 0, 40)])
    assert [ln.text for ln in kept] == ["王刚敏"]


def test_a_watermark_read_only_in_overlapping_pieces_is_overprint() -> None:
    # a tight diagonal 仅供本次业务使用, cut at other places in each repeat: never read
    # whole, but its start and its end overlap in 本次业务
    texts = ["仅供本次业务", "姓名", "本次业务使用", "务使用", "侯婷子", "仅供本", "业务使用"]
    assert overprint_pieces(texts) == {0, 2, 3, 5, 6}
    # pieces that overlap in one character only, or join into no overprint's words, are
    # not enough
    assert overprint_pieces(["仅供本次", "次业务使用", "姓名"]) == set()
    assert overprint_pieces(["仅供本次业务", "本次业务范围", "业务"]) == set()


def test_a_fixed_overprint_wording_with_a_character_lost_is_overprint() -> None:
    # a big 复印无效 stamp read as 复无效 over a value, its words never read whole
    texts = ["活动地域", "复无效", "山东省", "无效", "复印"]
    assert overprint_pieces(texts) == {1}
    # the words of a watermark read whole: its pieces with a character lost too
    assert overprint_pieces(["仅供备案使用", "仅备案使", "备案"]) == {0, 1, 2}


def test_a_tiled_watermarks_lone_characters_are_overprint() -> None:
    # 与原件一致 tiled over a certificate, cut at each repeat: its 致 boxed alone four
    # times, never read whole; a value of one character stays, and so does a character
    # of the wording boxed alone twice
    texts = ["法定代表人", "致", "冯峰天", "致", "原件", "致", "性别", "男", "致"]
    assert overprint_pieces(texts) == {1, 3, 5, 8}
    assert overprint_pieces(["经营期限", "无", "致", "备注", "无", "致"]) == set()


# ------------------------------------------------------------------ unit certificates


def _code(prefix: str, rng: random.Random) -> str:
    body = (
        prefix + "440300" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    )
    return body + uscc.calc_check_digit(body)


def _unit_lines(title: str, code: str, table: list[tuple[str, str]]) -> list[Line]:
    out = [
        line("统一社会信用代码", 100, 100, 28),
        line(code, 100, 140, 34),
        line(title, 350, 220, 80),
    ]
    y = 360.0
    for label, value in table:
        out.append(line(label, 110, y))
        out.append(line(value, 330, y - 2))
        y += 60
    out.append(line("登记管理机关：深圳市民政局", 900, y + 80))
    return out


SOCIAL_TABLE = [
    ("名称", "深圳市示例软件行业协会"),
    ("住所", "广东省深圳市南山区科技园路1号"),
    ("法定代表人", "测试甲"),
    ("活动地域", "深圳市"),
    ("注册资金", "3万元"),
    ("业务范围", "组织学术交流、开展业务培训。"),
    ("业务主管单位", "深圳市科学技术协会"),
    ("有效期限", "自2024年01月01日至2029年01月01日"),
]


def test_social_group_certificate_fields_and_prefix() -> None:
    rng = random.Random(3)
    kind = BY_NAME["social_group_certificate"]
    lines = _unit_lines("社会团体法人登记证书", _code("51", rng), SOCIAL_TABLE)
    assert classify([ln.text for ln in lines], list(BY_NAME.values()))[0] == kind.name
    checked = kind.check(kind.extract(lines), TODAY)
    got = {k: f.value for k, f in checked.fields.items()}
    assert got["name"] == "深圳市示例软件行业协会"
    assert got["business_scope"] == "组织学术交流、开展业务培训。"
    assert got["supervisor"] == "深圳市科学技术协会"
    assert got["registration_authority"] == "深圳市民政局"
    assert (got["valid_from"], got["valid_until"]) == ("2024-01-01", "2029-01-01")
    assert checked.fields["credit_code"].valid is True
    assert "purpose_and_scope" not in got  # an institution's field, not printed here


def test_a_scope_item_colon_is_the_semicolon_and_a_heading_keeps_its_colon() -> None:
    kind = BY_NAME["social_group_certificate"]
    table = [
        (label, "一般项目：组织学术交流：开展业务培训；举办展览。" if label == "业务范围" else v)
        for label, v in SOCIAL_TABLE
    ]
    lines = _unit_lines("社会团体法人登记证书", _code("51", random.Random(3)), table)
    got = kind.check(kind.extract(lines), TODAY).fields["business_scope"].value
    assert got == "一般项目：组织学术交流；开展业务培训；举办展览。"


def test_a_legal_representative_s_dash_is_the_character_yi() -> None:
    kind = BY_NAME["social_group_certificate"]
    table = [(label, "测试—" if label == "法定代表人" else v) for label, v in SOCIAL_TABLE]
    lines = _unit_lines("社会团体法人登记证书", _code("51", random.Random(3)), table)
    got = kind.check(kind.extract(lines), TODAY).fields["legal_representative"].value
    assert got == "测试一"


@pytest.mark.parametrize("prefix", ["12", "52", "91"])
def test_valid_code_of_another_kind_of_unit_is_not_valid(prefix: str) -> None:
    kind = BY_NAME["social_group_certificate"]
    lines = _unit_lines("社会团体法人登记证书", _code(prefix, random.Random(5)), SOCIAL_TABLE)
    f = kind.check(kind.extract(lines), TODAY).fields["credit_code"]
    assert f.valid is False and f.confidence < 0.9


def test_values_end_at_the_next_label_and_open_ended_ones_are_marked() -> None:
    specs = {"a": Spec(("名称",), multiline=True), "b": Spec(("住所",), multiline=True)}
    lines = [
        line("名称", 0, 0),
        line("某某协会", 200, 0),
        line("住所", 0, 60),
        line("广东省深圳市南山区科技园路", 200, 60),
        line("1号", 200, 100),
    ]
    out = labelled_fields(lines, specs)
    assert out["a"].value == "某某协会"
    assert out["b"].value == "广东省深圳市南山区科技园路1号"


def test_a_value_with_room_for_an_unread_character_inside_is_not_confident() -> None:
    # a highlight over 政全额拨: 财 and 款 boxed apart on the row, nothing read between
    kind = BY_NAME["institution_certificate"]
    table = [
        ("名称", "深圳市妇幼保健院"),
        ("住所", "广东省深圳市南山区人民中路204号桃源花园26栋307室"),
        ("经费来源", "财政全额拨款"),
    ]
    lines = _unit_lines("事业单位法人证书", _code("12", random.Random(3)), table)
    whole = kind.check(kind.extract(lines), TODAY).fields["funding_source"]
    assert whole.value == "财政全额拨款" and whole.confidence >= 0.9
    value = lines[-2]
    h = value.height
    first = line("财", value.x0, value.y0)
    gapped = [*lines[:-2], first, line("款", first.x1 + 1.6 * h, value.y0), lines[-1]]
    f = kind.check(kind.extract(gapped), TODAY).fields["funding_source"]
    assert f.value == "财款" and f.confidence <= 0.75
    # pieces of one value half a height apart (hanzi and Latin printed two spaces apart)
    first = line("财政", value.x0, value.y0)
    near = [*lines[:-2], first, line("全额拨款", first.x1 + 0.5 * h, value.y0), lines[-1]]
    f = kind.check(kind.extract(near), TODAY).fields["funding_source"]
    assert f.value == "财政全额拨款" and f.confidence >= 0.9


def test_a_value_belongs_to_the_nearest_label_on_its_row() -> None:
    # 女 shares its row with 出生日期… and 性别; it overlaps the taller date line a
    # little more, but 性别 stands right before it
    specs = {
        "birth": Spec(("出生日期",)),
        "sex": Spec(("性别",), shape=re.compile(r"[男女]")),
    }
    lines = [
        Line("出生日期1971.01.30", 590, 1141, 1058, 1204, (0.99,) * 14),
        Line("性别", 1181, 1151, 1280, 1207, (0.99,) * 2),
        Line("女", 1377, 1149, 1433, 1203, (0.99,)),
    ]
    out = labelled_fields(lines, specs)
    assert out["sex"].value == "女"
    assert out["birth"].value == "1971.01.30"


def test_an_underscore_read_into_the_blank_after_a_label_is_not_the_value() -> None:
    kind = BY_NAME["institution_certificate"]
    table = [("名称", "_，茂南区博物馆"), ("住所", "广东省茂名市茂南区星湖巷745号")]
    lines = _unit_lines("事业单位法人证书", _code("12", random.Random(3)), table)
    assert kind.check(kind.extract(lines), TODAY).fields["name"].value == "茂南区博物馆"


# --------------------------------------------------------------------- cut codes


def _reading(text: str, p: float = 0.9) -> TextReading:
    return TextReading(text, tuple(CharReading(ch, p, ()) for ch in text))


def test_a_code_cut_one_short_is_read_again_from_a_longer_box() -> None:
    """A 17-character code (a seal ended its box) is re-read from a box lengthened at both
    ends; the new reading is kept only where it holds the first 17 characters and one
    more, whichever way up it reads."""
    image = np.full((100, 800, 3), 255, dtype=np.uint8)
    quad = np.array([[100, 40], [440, 40], [440, 70], [100, 70]], dtype=np.float32)
    first = _reading("统一社会信用代码 52371003QEP5P25P3")
    seen: list[tuple[int, int]] = []

    def recognize(answers: list[str]) -> Callable[[list[np.ndarray]], list[TextReading]]:
        def rec(crops: list[np.ndarray]) -> list[TextReading]:
            seen.extend(c.shape[:2] for c in crops)
            return [_reading(a, 0.8) for a in answers]

        return rec

    out = cutcodes.reread_cut_codes(recognize(["", "５2371003QEP5P25P34°"]), image, [quad], [first])
    assert out[0].text == "统一社会信用代码 52371003QEP5P25P34"
    assert [c.prob for c in out[0].chars][-1] == 0.8
    assert seen[0][1] > 340 + 2 * 30 - 2  # 1.5 pitches (340/17 = 20) more at each end
    two_short = _reading("12610111H773Q8M1")
    out = cutcodes.reread_cut_codes(
        recognize(["12610111H773Q8M1DY", ""]), image, [quad], [two_short]
    )
    assert out[0].text == "12610111H773Q8M1DY"
    # a 0 read first as O (no code holds an O): the new reading holds it as 0
    o_for_0 = _reading("51131122PGOU8NNCP")
    out = cutcodes.reread_cut_codes(recognize(["51131122PG0U8NNCPH", ""]), image, [quad], [o_for_0])
    assert out[0].text == "51131122PG0U8NNCPH"
    # a reading that changes what was read first, or adds two characters, is not taken
    for answer in ("52371003QEP5P25P84", "52371003QEP5P25P3", "4523710030QEP5P25P34"):
        out = cutcodes.reread_cut_codes(recognize([answer, ""]), image, [quad], [first])
        assert out[0].text == first.text
    # a word, or a code read whole, is not re-read
    seen.clear()
    words = [_reading("ABCDEFGHIJKLMNOPQ"), _reading("52371003QEP5P25P34")]
    cutcodes.reread_cut_codes(recognize([]), image, [quad, quad], words)
    assert seen == []


def test_a_line_2_read_upside_down_as_digits_is_read_again_turned_over() -> None:
    """Turned over, line 2 reads as a string of digits, which is machine-readable too:
    it is still read both ways up, and the reading whose checks hold is kept."""
    good = td3("E96372086", "CHN", "860125", "F", "331110", "KGHJCHOBIKAMBH")
    crop = np.zeros((70, 2260, 3), dtype=np.uint8)
    crop[:, 1130:] = 255  # dark left half: upright as given; light left half: turned over

    def recognize(crops: list[np.ndarray]) -> list[TextReading]:
        return [
            _reading(good if c[:, :5].mean() > 128 else "01411040549404415542409840598029963")
            for c in crops
        ]

    first = recognize([crop])
    assert mrz.machine_readable(first[0].text)
    out = mrz.reread_machine_zone(recognize, [crop], first)
    assert out[0].text == good


def test_a_reading_turned_over_stands_for_a_line_only_where_it_parses() -> None:
    crop = np.zeros((40, 1200, 3), dtype=np.uint8)
    crop[:, 600:] = 255
    first = [_reading("MINISTRY OF FOREIGN AFFAIRS", 0.6)]

    def recognize(crops: list[np.ndarray]) -> list[TextReading]:
        return [
            _reading("SRIAFFA NGIEROF FO YRTSINIM", 0.99) if c[:, :5].mean() > 128 else first[0]
            for c in crops
        ]

    assert mrz.reread_machine_zone(recognize, [crop], first)[0].text == first[0].text


def test_a_value_boxed_over_its_label_s_last_character_loses_that_character_only() -> None:
    label = Line("住所", 242, 1324, 438, 1386, (1.0, 1.0))
    text = "斤广东省茂名市茂南区星湖巷745号"
    width = 31.0 * len(text)
    # the box starts a whole character (31 px) inside the label's; the half glyph read
    # as 斤 at 0.48
    over = Line(text, 407, 1327, 407 + width, 1386, (0.48,) + (0.99,) * (len(text) - 1))
    lines = [label, over]
    raw = labelled_fields(lines, {"address": Spec(("住所",))})
    assert raw["address"].value == "广东省茂名市茂南区星湖巷745号"
    # the same box with its first character read surely: a character of the value
    sure = Line(text, 407, 1327, 407 + width, 1386, (0.99,) * len(text))
    assert labelled_fields([label, sure], {"address": Spec(("住所",))})["address"].value == text
    # reaching less than half a character into the label: the value is whole
    near = Line(text, 428, 1327, 428 + width, 1386, (0.48,) + (0.99,) * (len(text) - 1))
    assert labelled_fields([label, near], {"address": Spec(("住所",))})["address"].value == text


def test_a_label_inside_a_line_after_a_date_and_one_stray_character_starts_its_field() -> None:
    # the blank between the birth date and 性别 read as a character (產)
    lines = _permit_lines(line("H93208528", 560, 480))
    birth = next(i for i, ln in enumerate(lines) if ln.text == "1990.11.27")
    lines[birth] = line("1990.11.27產性别", 380, 208)
    lines = [ln for ln in lines if ln.text not in ("性别", "男")]
    lines.append(line("女", 680, 208))
    f = BY_NAME["hk_macao_permit"].check(BY_NAME["hk_macao_permit"].extract(lines), TODAY).fields
    assert f["sex"].value == "女"
    assert f["birth_date"].value == "1990-11-27"
    # a label after hanzi (no number or date before it) is not cut out of a value
    assert (
        BY_NAME["hk_macao_permit"]
        .extract([line("姓名", 280, 120, 21), line("张性别", 380, 118)])["name"]
        .value
        == "张性别"
    )


def test_a_character_read_after_a_label_under_the_value_s_own_box_is_not_the_value() -> None:
    # 发证机关 read 发证机区民: 区民 a seal's ink; the value's own box starts under 民
    label = Line("发证机区民", 1190, 2355, 1407, 2451, (0.99, 0.99, 0.99, 0.5, 0.6))
    value = line("东风区民政局", 1388, 2361, 68.7)
    raw = labelled_fields([label, value], {"authority": Spec(("发证机关",))})
    assert raw["authority"].value == "东风区民政局"


def test_an_amount_s_grammar_repairs_a_doubtful_character_never_a_confident_one() -> None:
    from kyc.ocr.documents.base import RawField, repaired

    grammar = re.compile(r"^[零壹贰叁肆伍陆柒捌玖拾佰仟万]+元$")
    chars = "零壹贰叁肆伍陆柒捌玖拾佰仟万元"
    alts = ((("叁", 0.30), ("參", 0.001)), *((("x", 0.0),),) * 3)
    doubtful = RawField("参拾万元", (0.70, 0.99, 1.0, 1.0), alts)
    fixed = repaired(doubtful, chars, grammar)
    assert fixed.value == "叁拾万元"
    assert fixed.probs[0] == pytest.approx(0.30)  # as unsure as the runner-up
    sure = RawField("参拾万元", (0.95, 0.99, 1.0, 1.0), alts)
    assert repaired(sure, chars, grammar).value == "参拾万元"
    no_runner_up = RawField("参拾万元", (0.70, 0.99, 1.0, 1.0), ((("參", 0.3),), *alts[1:]))
    assert repaired(no_runner_up, chars, grammar).value == "参拾万元"


def test_a_latin_name_read_from_its_surname_alone_without_an_mrz_is_not_sure() -> None:
    lines = _split_name_lines(line("马 MA", 380, 242), "P<CHNMA<<WEI" + "<" * 32)
    # 名/Given names and its value lost, the MRZ unread
    lines = [ln for ln in lines if ln.text not in ("名/Given names", "娜 NA")][:-2]
    f = PASSPORT.check(PASSPORT.extract(lines), TODAY).fields
    assert f["name_latin"].value == "MA"
    assert f["name_latin"].confidence <= 0.5


def test_a_permit_name_without_its_label_is_the_hanzi_above_the_latin_name_in_its_column() -> None:
    lines = [ln for ln in _permit_lines(line("H93208528", 560, 480)) if ln.text != "姓名"]
    # the label's 姓 with a watermark's 供 read onto it: label column, a little lower
    lines.append(line("供姓", 280, 124))
    kind = BY_NAME["hk_macao_permit"]
    assert kind.extract(lines)["name"].value == "郭伟明"


def test_a_doubtful_authority_one_character_off_the_place_of_the_address_is_repaired() -> None:
    kind = BY_NAME["social_group_certificate"]

    def authority(p: float) -> FieldReading:
        lines = [
            line("社会团体法人登记证书", 200, 40),
            line("名称", 100, 120),
            line("远安县摄影家协会", 300, 120),
            line("住所", 100, 170),
            line("湖北省宜昌市远安县文化大道12号", 300, 170),
            line("登记管理机关", 600, 400),
            line("远安具民政局", 800, 400, p=p),
        ]
        return kind.check(kind.extract(lines), TODAY).fields["registration_authority"]

    doubtful = authority(0.93)  # six characters: 0.65 as a whole
    assert doubtful.value == "远安县民政局"
    assert doubtful.confidence <= 0.85
    assert authority(0.999).value == "远安具民政局"  # a confident read stays as read


def test_a_permit_term_with_a_dot_read_as_a_colon_still_reads() -> None:
    lines = _permit_lines(line("H93208528", 560, 480))
    at = next(i for i, ln in enumerate(lines) if ln.text == "2018.08.10-2028.08.09")
    lines[at] = line("2018.08:10-2028.08.09", 380, 258)
    kind = BY_NAME["hk_macao_permit"]
    f = kind.check(kind.extract(lines), TODAY).fields
    assert (f["valid_from"].value, f["valid_until"].value) == ("2018-08-10", "2028-08-09")


def test_a_page_whose_left_part_the_photo_cut_off_is_still_its_kind() -> None:
    # the title's first two characters and the code label's first two out of the photo
    lines = [
        "非企业单位登记证书",
        "（副本）",
        "社会信用代码 52440305DECGPHCYJK",
        "深圳市信康康复中心",
        "自2022年05月14日至2027年05月13日",
    ]
    kind, score = classify(lines, list(BY_NAME.values()))
    assert kind == "private_non_enterprise_certificate"
    assert score >= 3
    # the same words inside a line (not at its edge, where a cut would leave them) or
    # shorter than CUT_MIN name nothing
    assert classify(["本单位非企业单位登记证书复印件"], list(BY_NAME.values()))[1] == 0
    assert classify(["证书"], list(BY_NAME.values()))[1] == 0


def test_a_unit_certificate_term_without_its_label_is_the_one_line_shaped_as_a_term() -> None:
    kind = BY_NAME["private_non_enterprise_certificate"]
    lines = [
        line("深圳市信康康复中心", 300, 100),
        line("自2022年05月14日至2027年05月13日", 300, 400),
    ]
    f = kind.check(kind.extract(lines), TODAY).fields
    assert (f["valid_from"].value, f["valid_until"].value) == ("2022-05-14", "2027-05-13")
    # two such lines: which is the term is not known
    two = [*lines, line("自2012年05月14日至2017年05月13日", 300, 500)]
    assert kind.check(kind.extract(two), TODAY).fields["valid_from"].value is None


def test_a_unit_certificates_capital_without_its_label_is_the_one_amount_of_money() -> None:
    kind = BY_NAME["institution_certificate"]
    lines = [
        line("梁河县中医院", 300, 100),
        line("经费来源", 100, 300),
        line("经费自理", 300, 300),
        line("人民币100万元", 300, 350),  # its 开办资金 label lost
    ]
    assert kind.check(kind.extract(lines), TODAY).fields["capital"].value == "人民币100万元"
    # two amounts: which is the capital is not known
    two = [*lines, line("人民币50万元", 300, 450)]
    assert kind.check(kind.extract(two), TODAY).fields["capital"].value is None
    # an amount whose figures were lost is no amount (it came back at 0.998)
    lost = [*lines[:3], line("万元", 300, 350)]
    assert kind.check(kind.extract(lost), TODAY).fields["capital"].value is None


def test_a_label_after_one_stray_doubtful_character_is_still_the_label() -> None:
    specs = {"name": Spec(("名称",)), "address": Spec(("住所",))}
    stray = Line("政住所", 298, 36, 386, 78, (0.22, 0.95, 0.999))
    lines = [
        line("名称", 329, 0),
        line("某某心理咨询服务中心", 451, 0),
        stray,
        line("新疆维吾尔自治区吐鲁番市高昌区金桥北路16号", 482, 34, 42),
    ]
    raw = labelled_fields(lines, specs)
    assert raw["address"].value == "新疆维吾尔自治区吐鲁番市高昌区金桥北路16号"
    # read surely, the first character is part of the line: no label starts it
    sure = Line("政住所", 298, 36, 386, 78, (0.97, 0.95, 0.999))
    assert labelled_fields([*lines[:2], sure, lines[3]], specs)["address"].value is None


def test_a_name_whose_surname_label_was_misread_is_half_read_and_never_sure() -> None:
    # 姓/Surname read 生/Surname: no surname; line 1 holds the whole name
    lines = _split_name_lines(line("孙 SUN", 380, 242), "P<CHNSUN<<NA" + "<" * 32)
    lines = [line("生/Sur'name", 380, 206) if ln.text == "姓/Surname" else ln for ln in lines]
    f = PASSPORT.check(PASSPORT.extract(lines), TODAY).fields
    assert f["name"].value == "娜"
    assert f["name"].confidence <= 0.5
    assert f["name_latin"].value == "SUN NA"  # line 1's, its given name confirmed
    assert f["name_latin"].confidence <= 0.85


def test_a_permit_name_label_is_never_its_own_name() -> None:
    kind = BY_NAME["hk_macao_permit"]
    base = [
        line("港澳居民来往内地通行证", 220, 40),
        line("姓名", 280, 120, 30),
        line("LEUNG, MAN", 280, 190, 30),
        line("出生日期", 280, 240, 30),
        line("2011.02.20", 280, 275, 30),
    ]
    # the name under its label with a stray quote after it
    f = kind.check(kind.extract([*base, line("梁敏“", 280, 155, 30)]), TODAY).fields
    assert f["name"].value == "梁敏"
    # the name unread: the label above the Latin name is no name
    f = kind.check(kind.extract([*base, line("%1", 280, 155, 30)]), TODAY).fields
    assert f["name"].value is None


def test_a_wrapped_value_cut_clear_of_its_label_is_not_read_twice() -> None:
    # the value's first line a little lower than its label (its own row), boxed over the
    # label's last character; its second line under it
    label = Line("住所", 242, 1324, 438, 1386, (1.0, 1.0))
    first = "斤广东省茂名市茂南区"
    top = Line(first, 407, 1356, 407 + 31.0 * len(first), 1416, (0.48,) + (0.99,) * 9)
    rest = line("星湖巷745号", 438, 1430, 60)
    raw = labelled_fields([label, top, rest], {"address": Spec(("住所",), multiline=True)})
    assert raw["address"].value == "广东省茂名市茂南区星湖巷745号"


def test_an_institution_s_misread_place_is_the_one_its_address_names() -> None:
    kind = BY_NAME["institution_certificate"]
    lines = [
        line("事业单位法人证书", 200, 40),
        line("名称", 100, 120),
        line("燕岭县第三人民医院", 300, 120, p=0.96),
        line("住所", 100, 170),
        line("广东省梅州市蕉岭县人民路12号", 300, 170),
        line("举办单位", 100, 220),
        line("燕岭县卫生健康局", 300, 220, p=0.96),
        line("登记管理机关", 600, 400),
        line("州市事业单位登记管理局", 800, 400),
    ]
    f = kind.check(kind.extract(lines), TODAY).fields
    assert (f["name"].value, f["sponsor"].value) == ("蕉岭县第三人民医院", "蕉岭县卫生健康局")
    assert max(f["name"].confidence, f["sponsor"].confidence) <= 0.85
    # its first character lost under the seal: the place the address names
    assert f["registration_authority"].value == "梅州市事业单位登记管理局"
    assert f["registration_authority"].confidence <= 0.85


def test_an_activity_area_whose_place_no_code_names_is_not_confident() -> None:
    from kyc.ocr.documents.base import RawField

    kind = BY_NAME["social_group_certificate"]
    raw = {name: RawField(None) for name in kind.field_names}
    raw["activity_area"] = RawField("楚雄葬族自治州", (0.99,) * 7, ((),) * 7)  # 彝 misread
    assert kind.check(raw, TODAY).fields["activity_area"].confidence <= 0.8
    raw["activity_area"] = RawField("楚雄彝族自治州", (0.99,) * 7, ((),) * 7)
    assert kind.check(raw, TODAY).fields["activity_area"].confidence >= 0.9


def test_a_sponsor_does_not_run_on_into_a_term_whose_label_was_lost() -> None:
    kind = BY_NAME["institution_certificate"]
    lines = [
        line("事业单位法人证书", 200, 40),
        line("名称", 100, 120),
        line("南澳县人民医院", 300, 120),
        line("举办单位", 100, 170),
        line("南澳县人民政府", 300, 170),
        line("自2022年05月14日至2027年05月14日", 300, 215),  # 有效期 lost
    ]
    f = kind.check(kind.extract(lines), TODAY).fields
    assert f["sponsor"].value == "南澳县人民政府"
    assert (f["valid_from"].value, f["valid_until"].value) == ("2022-05-14", "2027-05-14")


def test_a_stray_character_before_a_whole_license_term_is_dropped() -> None:
    from kyc.ocr.documents.base import RawField

    raw = {name: RawField(None) for name in BY_NAME["business_license"].field_names}
    text = "艮2004年06月12日至2034年06月11日"
    raw["business_term"] = RawField(text, (0.4,) + (0.99,) * (len(text) - 1))
    f = BY_NAME["business_license"].check(raw, TODAY).fields["business_term"]
    assert f.value == "2004年06月12日至2034年06月11日"


def test_a_watermarks_characters_after_a_whole_license_term_or_type_are_dropped() -> None:
    from kyc.ocr.documents.base import looks_complete
    from kyc.ocr.documents.business_license import whole_of

    def term(v: str) -> bool:
        return looks_complete("term", v)

    assert whole_of("长期案使用", term) == "长期"  # 备案使用's end glued to 长期
    assert whole_of("2004年06月12日至长期复印", term) == "2004年06月12日至长期"
    # characters that are no watermark's stay (the value is then not whole)
    assert whole_of("长期有效", term) == "长期有效"
    assert whole_of("长期", term) == "长期"


def test_a_bilingual_label_s_english_half_without_its_slash_is_no_value() -> None:
    # 姓名/Name read 姓名Name, the holder's name on the line below
    specs = {"name": Spec(("姓名",)), "sex": Spec(("性别",))}
    lines = [line("姓名Name", 100, 100), line("何文", 100, 140), line("性别/Sex", 100, 200)]
    out = labelled_fields(lines, specs)
    assert out["name"].value == "何文"
    # Latin letters that are no label's English half stay the value (姓名HE WEN)
    out = labelled_fields([line("姓名HE WEN", 100, 100)], specs)
    assert out["name"].value == "HE WEN"


def test_an_mrz_boxed_character_by_character_is_one_line_again() -> None:
    """Two MRZ lines at a small scale, slanted: each filler boxed alone (14 px at a
    pitch of 16, some read turned over as >), the heads of both lines in one long box
    across them. Each line is one run: its pieces, and the head box it runs through;
    its box is a band along the line, no mirror of it."""
    import math

    def box(cx: float, cy: float, w: float, h: float) -> np.ndarray:
        return np.array(
            [[cx - w / 2, cy - h / 2], [cx + w / 2, cy - h / 2], [cx + w / 2, cy + h / 2],
             [cx - w / 2, cy + h / 2]], np.float32,
        )  # fmt: skip

    slope = math.tan(math.radians(3))
    quads, texts = [], []
    for line_y in (500.0, 535.0):
        for k in range(20):
            x = 400 + 16 * k
            quads.append(box(x, line_y + slope * (x - 400), 12, 14))
            texts.append(">" if k % 3 else "<")
    quads.append(box(400 - 8 - 120, 517, 240, 50))  # both heads in one box
    texts.append("09")
    quads.append(box(700, 300, 200, 30))  # a line of the page above
    texts.append("中华人民共和国")
    runs = mrz.spaced_runs(quads, texts, [0.0] * len(quads))
    assert len(runs) == 2
    for (members, band), first in zip(runs, (0, 20), strict=True):
        assert set(members) == {*range(first, first + 20), 40}
        xs, ys = band[:, 0], band[:, 1]
        assert xs.min() < 165 and xs.max() > 700  # from the head's start to the last filler
        across = float(np.linalg.norm(band[3] - band[0]))
        assert 14 <= across < 20  # one line's band (the lines are 35 px apart), not both
        assert ys.min() > (470 if first == 0 else 505)
        # corners go clockwise in the image (y down): the crop reads, unmirrored
        (ax, ay), (bx, by) = band[1] - band[0], band[2] - band[1]
        assert ax * by - ay * bx > 0
    # pieces across the page's axis are no run (the document reads at a right angle)
    assert mrz.spaced_runs(quads, texts, [math.pi / 2] * len(quads)) == []


def test_a_tightly_set_value_beside_its_label_reads_row_by_row() -> None:
    # Rows 35 px apart, boxes 50 px high: the second row's first line stands beside the
    # label too, a pixel left of the first row's. Ordered by left edge alone, the second
    # row came first (an institution's purpose, confidently interleaved).
    kind = BY_NAME["institution_certificate"]

    def at(text: str, x0: float, y0: float, x1: float, y1: float) -> Line:
        return Line(text, x0, y0, x1, y1, (0.99,) * len(text))

    lines = [
        at("名称", 120, 1187, 200, 1240),
        at("锦州市疾病预防控制中心", 328, 1181, 692, 1233),
        at("宗旨和业务范围", 121, 1248, 313, 1303),
        at("卫生医疗人员培训。疾病预防控制。", 335, 1242, 827, 1298),
        at("农业技术推广与", 815, 1242, 1067, 1290),
        at("培训。图书文献收藏。为人民身体健康提供医疗与护", 334, 1276, 1065, 1334),
        at("理保健服务。", 333, 1318, 524, 1365),
        at("住所", 111, 1384, 189, 1437),
        at("辽宁省锦州市凌海市南京路299号锦绣花园7栋1603室", 329, 1378, 1065, 1431),
    ]
    got = kind.extract(lines)["purpose_and_scope"].value
    assert got is not None
    assert got.replace(" ", "") == (
        "卫生医疗人员培训。疾病预防控制。农业技术推广与培训。图书文献收藏。"
        "为人民身体健康提供医疗与护理保健服务。"
    )


def test_an_authority_ends_with_its_suffix_before_a_seal_s_characters() -> None:
    kind = BY_NAME["institution_certificate"]
    head = [
        line("事业单位法人证书", 200, 40),
        line("名称", 100, 120),
        line("揭阳市文化馆", 300, 120),
        line("住所", 100, 170),
        line("广东省揭阳市榕城区新阳路12号", 300, 170),
        line("登记管理机关", 600, 400),
    ]
    # a seal's character boxed with the authority's line
    f = kind.check(kind.extract([*head, line("揭阳市事业单位登记管理局明", 800, 400)]), TODAY)
    auth = f.fields["registration_authority"]
    assert auth.value == "揭阳市事业单位登记管理局" and 0.5 < auth.confidence <= 0.85
    whole = kind.check(kind.extract([*head, line("揭阳市事业单位登记管理局", 800, 400)]), TODAY)
    assert whole.fields["registration_authority"].confidence > 0.85  # not capped
    # more than a seal leaves is not cut away
    long = kind.check(
        kind.extract([*head, line("揭阳市事业单位登记管理局榕城分局", 800, 400)]), TODAY
    )
    assert long.fields["registration_authority"].confidence <= 0.75


def test_a_short_latin_label_is_matched_whole_never_by_two_of_its_letters() -> None:
    from kyc.ocr.documents.certificate_fields import match_label

    labels = ["性别", "Sexe", "Sex", "Dateofbirth"]
    # a passport number that starts EX is no Sex with its S lost
    assert match_label(line("EX6939974", 100, 100), labels) is None
    found = match_label(line("性别/Sex", 100, 100), labels)
    assert found is not None and found[0] == "性别"
    found = match_label(line("Sex M", 100, 100), labels)
    assert found is not None and (found[0], found[1].text) == ("Sex", "M")
    # a long label still takes a letter or two misread
    found = match_label(line("Date of blrth 23 NOV 1959", 100, 100), labels)
    assert found is not None and found[0] == "Dateofbirth"


def test_a_permits_birth_date_without_its_label_is_cut_from_a_label_read_on_after_it() -> None:
    # 出生日期 read as 出生 (日期 under a watermark), the date boxed with the 性别 beside it
    kind = BY_NAME["taiwan_permit"]
    swap = {
        "出生日期": line("出生", 280, 210, 21),
        "1990.11.27": line("1990.11.27性别", 380, 208),
        "性别": line("原", 900, 400),
    }
    lines = [
        swap.get(ln.text, ln)
        for ln in _permit_lines(line("06278911", 560, 480), "台湾居民来往大陆通行证")
    ]
    f = kind.check(kind.extract(lines), TODAY).fields["birth_date"]
    assert f.value == "1990-11-27"
