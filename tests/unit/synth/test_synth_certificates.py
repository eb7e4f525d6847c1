"""Synthetic passports, permits and unit certificates (issue 17): truth in the contract's
normal forms, MRZ check digits, credit-code prefixes, wrong check characters, the split,
and fonts that cover every character these renderers print."""

from __future__ import annotations

import datetime as dt
import re
from random import Random

import numpy as np
import pytest
from stdnum.cn import uscc

from kyc.ocr import mrz as reader_mrz
from kyc.synth import CERTIFICATE_KINDS, fonts, generate
from kyc.synth import certholders as ch
from kyc.synth import travel_docs as td
from kyc.synth import unit_certs as uc
from kyc.synth.nondoc import mrz_check

TODAY = dt.date(2026, 6, 15)
FIELDS = {
    "passport": {"passport_number", "name_latin", "sex", "nationality", "birth_date",
                 "expiry_date", "issuing_country", "mrz"},
    "hk_macao_permit": {"permit_number", "name", "name_latin", "sex", "birth_date",
                        "valid_from", "valid_until", "issuing_authority"},
    "institution_certificate": {"credit_code", "name", "purpose_and_scope", "address",
                                "legal_representative", "funding_source", "capital", "sponsor",
                                "registration_authority", "valid_from", "valid_until"},
    "social_group_certificate": {"credit_code", "name", "business_scope", "activity_area",
                                 "address", "legal_representative", "capital", "supervisor",
                                 "registration_authority", "valid_from", "valid_until"},
}  # fmt: skip


def test_generator_and_reader_compute_the_same_icao_check_digits() -> None:
    rng = Random(1)
    for _ in range(200):
        text = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<") for _ in range(14))
        assert mrz_check(text) == reader_mrz.check_digit(text)
    assert mrz_check("L898902C3") == "6"  # ICAO 9303 specimen


@pytest.mark.parametrize("foreign", [False, True])
def test_traveller_mrz_lines_and_checks(foreign: bool) -> None:
    for seed in range(20):
        t = ch.make_traveller(Random(seed), TODAY, foreign=foreign)
        line1, line2 = t.mrz()
        assert len(line1) == len(line2) == 44
        assert all(reader_mrz.line2_checks(line2).values())
        assert line1.startswith(f"P<{t.issuing_country}")
        assert (t.name_zh is None) == foreign
        assert t.expiry_date > TODAY


@pytest.mark.parametrize("kind", sorted(FIELDS))
def test_certificate_truth_has_the_contract_fields(kind: str) -> None:
    s = generate(kind, "clean", Random(f"t:{kind}"), today=TODAY, bad_check=False)  # type: ignore[arg-type]
    f = s.truth["fields"]
    assert s.truth["document_type"] == kind
    assert FIELDS[kind] <= set(f)
    assert set(s.truth["field_boxes"]) == set(f)
    for key in ("birth_date", "expiry_date", "valid_from", "valid_until"):
        if key in f:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", f[key])
    if "credit_code" in f:
        assert uscc.is_valid(f["credit_code"])
        assert f["credit_code"][:2] == ch.CREDIT_PREFIX[kind]
    assert all(s.truth["check_valid"].values())


def test_passport_printed_with_a_wrong_check_digit() -> None:
    s = generate("passport", "clean", Random(3), today=TODAY, bad_check=True)
    line2 = s.truth["fields"]["mrz"].split("\n")[1]
    pos = s.truth["bad_check"]["mrz"]
    assert pos in (9, 19, 27, 43)
    read = {k: v for k, v in reader_mrz.line2_checks(line2).items() if k != "optional"}
    assert s.truth["check_valid"] == read
    assert read["mrz"] is False  # the composite covers every other check


def test_passport_page_prints_the_broken_line_its_truth_holds() -> None:
    """The wrong check digit is drawn on the page, not only written in the truth (a
    page printed right against a truth saying wrong made a correct reading look like a
    fabricated one)."""
    t = ch.make_traveller(Random(5), TODAY)
    line1, line2 = t.mrz()
    broken, _pos = ch.break_mrz_check(Random(6), line2)
    page = td.render_passport(t, Random(7), mrz=(line1, broken))
    plain = td.render_passport(t, Random(7))
    assert page.fields["mrz"] == f"{line1}\n{broken}"
    assert plain.fields["mrz"] == f"{line1}\n{line2}"
    a, b = np.asarray(page.image), np.asarray(plain.image)
    x0, y0, x1, y1 = (round(v) for v in page.boxes["mrz"])
    assert (a != b).any() and not (a[:y0] != b[:y0]).any()  # only the zone differs
    assert (a[y0:y1, x0:x1] != b[y0:y1, x0:x1]).any()


def test_unit_certificate_printed_with_a_wrong_credit_code() -> None:
    s = generate("social_group_certificate", "clean", Random(4), today=TODAY, bad_check=True)
    code = s.truth["fields"]["credit_code"]
    assert not uscc.is_valid(code) and s.truth["check_valid"] == {"credit_code": False}


@pytest.mark.parametrize("kind", ["hk_macao_permit", "taiwan_permit"])
def test_permit_holders(kind: str) -> None:
    for seed in range(20):
        p = ch.make_permit_holder(Random(seed), kind, TODAY)
        if kind == "hk_macao_permit":
            assert re.fullmatch(r"[HM]\d{8}", p.number)
        else:
            assert re.fullmatch(r"\d{8}", p.number)
            assert ("-" in p.given_latin) == (len(p.name) > 2)  # 陈志明: CHIH-MING
        assert p.valid_from <= TODAY < p.valid_until
        expired = ch.make_permit_holder(Random(seed), kind, TODAY, expired=True)
        assert expired.valid_until < TODAY


def test_expired_certificates_warn() -> None:
    for kind in ("passport", "hk_macao_permit", "institution_certificate"):
        s = generate(kind, "clean", Random(kind), today=TODAY, expired=True, bad_check=False)
        assert "EXPIRED" in s.truth["warnings"], kind


def test_passport_layouts_and_dates_are_split() -> None:
    seen: dict[str, set[tuple[str, str]]] = {"tuned": set(), "heldout": set()}
    for split, found in seen.items():
        for i in range(12):
            s = generate("passport", "clean", Random(f"{split}{i}"), today=TODAY, split=split)
            found.add((s.truth["passport"]["passport_layout"], s.truth["passport"]["dates"]))
    tuned_layouts = {layout for layout, _ in seen["tuned"]}
    heldout_layouts = {layout for layout, _ in seen["heldout"]}
    assert not tuned_layouts & heldout_layouts
    assert not {d for _, d in seen["tuned"]} & {d for _, d in seen["heldout"]}


def test_every_kind_is_a_document_with_hard_conditions() -> None:
    assert set(CERTIFICATE_KINDS) >= {"passport", "private_non_enterprise_certificate"}
    s = generate("taiwan_permit", "hard", Random(9), today=TODAY, conditions=["glare"])
    assert "GLARE" in s.truth["warnings"] and s.truth["hidden_fields"]


def test_fonts_cover_every_character_of_the_certificates() -> None:
    chars: set[str] = set()
    for mod in (ch, td, uc):
        for name in dir(mod):
            value = getattr(mod, name)
            if name.isupper():
                chars |= set(repr(value))
    chars |= set("护照姓名性别出生日期签发机关有效期至国家码类型名业务主管单位登记管理")
    chars = {c for c in chars if not c.isspace() and c.isprintable() and ord(c) > 127}
    assert len(chars) > 300
    for family, f in fonts.FAMILIES.items():
        if f.style == "latin":
            continue
        face = fonts.face(family, 20)
        for c in sorted(chars):
            face.font_for(c)  # raises when neither the family nor its fallback has it
