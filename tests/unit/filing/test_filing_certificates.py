"""The filing rules with the certificates other than ID cards and business licenses
(issue 17): passports, HK/Macao and Taiwan permits, unit certificates. Synthetic,
check-digit-valid numbers; fake names."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from filing_factory import TODAY, clone, enterprise, id_back, id_front, individual, ocr

from kyc.filing.autofill import autofill
from kyc.filing.check import FilingCheck, check_filing
from kyc.filing.model import parse_filing, parse_registry
from kyc.synth.filing import make_uscc

INSTITUTION_CODE = make_uscc("12440300MB2FAKE01")
SOCIAL_CODE = make_uscc("51440300MJ1FAKE02")
PRIVATE_CODE = make_uscc("52440300MJ2FAKE03")
UNIT_NAME = {
    "institution_certificate": "深圳市示例图书馆",
    "social_group_certificate": "深圳市示例软件行业协会",
    "private_non_enterprise_certificate": "深圳市示例培训学校",
}
UNIT_CODE = {
    "institution_certificate": INSTITUTION_CODE,
    "social_group_certificate": SOCIAL_CODE,
    "private_non_enterprise_certificate": PRIVATE_CODE,
}
UNIT_NATURE = {
    "institution_certificate": "institution",
    "social_group_certificate": "social_group",
    "private_non_enterprise_certificate": "social_group",
}
ADDRESS = "广东省深圳市南山区科技园路1号"


def unit_doc(kind: str, **fields: str | None) -> dict[str, Any]:
    values: dict[str, str | None] = {
        "credit_code": UNIT_CODE[kind],
        "name": UNIT_NAME[kind],
        "address": ADDRESS,
        "legal_representative": "测试甲",
        "registration_authority": "深圳市民政局",
        "valid_from": "2024-01-01",
        "valid_until": "2029-01-01",
    }
    values.update(fields)
    return ocr(kind, values)


def unit_order(kind: str) -> dict[str, Any]:
    o = enterprise()
    o["subject"].update(
        nature=UNIT_NATURE[kind],
        certificate_type=kind,
        certificate_number=UNIT_CODE[kind],
        name=UNIT_NAME[kind],
        certificate_address=ADDRESS,
    )
    o["documents"] = [unit_doc(kind), id_front(), id_back()]
    return o


def passport_doc(number: str = "E12345678", **fields: str | None) -> dict[str, Any]:
    values: dict[str, str | None] = {
        "passport_number": number,
        "name": "测试乙",
        "name_latin": "CE SHIYI",
        "sex": "F",
        "nationality": "CHN",
        "birth_date": "1990-07-02",
        "expiry_date": "2031-07-01",
        "issuing_country": "CHN",
    }
    values.update(fields)
    return ocr("passport", values)


def permit_doc(kind: str, number: str, **fields: str | None) -> dict[str, Any]:
    values: dict[str, str | None] = {
        "permit_number": number,
        "name": "测试丙",
        "name_latin": "CHAN TAI MAN",
        "sex": "男",
        "birth_date": "1988-05-06",
        "valid_from": "2020-05-06",
        "valid_until": "2030-05-05",
        "issuing_authority": "国家移民管理局",
    }
    values.update(fields)
    return ocr(kind, values)


def personal_order(cert: str, number: str, doc: dict[str, Any], name: str) -> dict[str, Any]:
    o = individual()
    o["subject"].update(
        certificate_type=cert, certificate_number=number, name=name, certificate_address=None
    )
    o["subject"]["principal"].update(certificate_type=cert, certificate_number=number, name=name)
    o["documents"] = [doc]
    return o


def check(obj: dict[str, Any]) -> FilingCheck:
    return check_filing(parse_filing(obj), parse_registry([]), TODAY)


def status(obj: dict[str, Any], rule: str) -> tuple[str, str]:
    r = check(obj).result(rule)
    return r.status, r.reason


# ------------------------------------------------------------------ unit certificates


@pytest.mark.parametrize("kind", sorted(UNIT_CODE))
def test_unit_certificate_order_passes_subject_and_document_rules(kind: str) -> None:
    c = check(unit_order(kind))
    for rule in ("R-SUBJ-1", "R-SUBJ-4", "R-DOC-2", "R-REJ-5", "R-REJ-6"):
        assert c.result(rule).status == "passed", c.result(rule).reason


@pytest.mark.parametrize("kind", sorted(UNIT_CODE))
def test_unit_certificates_take_the_backdrop_photo_path(kind: str) -> None:
    c = check(unit_order(kind))
    assert c.result("R-MINI-4").status == "failed"
    assert c.path == "backdrop_photo"


def test_nature_must_fit_the_unit_certificate() -> None:
    o = unit_order("institution_certificate")
    o["subject"]["nature"] = "enterprise"
    s, reason = status(o, "R-SUBJ-1")
    assert s == "failed" and "营业执照" in reason


def test_uploaded_certificate_of_another_type_fails_subj_1() -> None:
    o = unit_order("social_group_certificate")
    o["documents"][0] = unit_doc("private_non_enterprise_certificate")
    s, reason = status(o, "R-SUBJ-1")
    assert s == "failed" and "民办非企业单位登记证书" in reason


def test_credit_code_prefix_read_says_another_nature() -> None:
    o = unit_order("social_group_certificate")
    o["documents"][0] = unit_doc("social_group_certificate", credit_code=INSTITUTION_CODE)
    s, reason = status(o, "R-SUBJ-1")
    assert s == "failed" and "事业单位" in reason


def test_typed_code_of_another_unit_type_fails_subj_4() -> None:
    o = unit_order("institution_certificate")
    o["subject"]["certificate_number"] = SOCIAL_CODE
    s, reason = status(o, "R-SUBJ-4")
    assert s == "failed" and "51" in reason


def test_unit_name_and_address_compared_character_for_character() -> None:
    o = unit_order("private_non_enterprise_certificate")
    o["subject"]["certificate_address"] = ADDRESS + "A座"
    s, reason = status(o, "R-SUBJ-4")
    assert s == "failed" and "证件地址" in reason


def test_expired_unit_certificate_fails_doc_2_and_rej_6() -> None:
    o = unit_order("institution_certificate")
    o["documents"][0] = unit_doc("institution_certificate", valid_until="2026-05-01")
    assert status(o, "R-DOC-2")[0] == "failed"
    assert status(o, "R-REJ-6")[0] == "failed"


def test_missing_unit_certificate_fails_doc_2() -> None:
    o = unit_order("social_group_certificate")
    o["documents"] = o["documents"][1:]
    s, reason = status(o, "R-DOC-2")
    assert s == "failed" and "社会团体法人登记证书" in reason


def test_unit_certificate_auto_fills_empty_subject_fields() -> None:
    o = unit_order("social_group_certificate")
    o["subject"].update(name="", certificate_number="", certificate_address=None)
    filled, done = autofill(parse_filing(o))
    assert filled.subject.name == UNIT_NAME["social_group_certificate"]
    assert filled.subject.certificate_number == SOCIAL_CODE
    assert filled.subject.certificate_address == ADDRESS
    assert {a.source for a in done} >= {
        "social_group_certificate.name",
        "social_group_certificate.credit_code",
    }


# -------------------------------------------------------------- passports and permits


def test_passport_individual_is_cross_checked_and_takes_backdrop_path() -> None:
    o = personal_order("passport", "E12345678", passport_doc(), "测试乙")
    c = check(o)
    assert c.result("R-SUBJ-1").status == "passed"
    assert c.result("R-SUBJ-3").status == "passed"
    assert c.result("R-SUBJ-4").status == "passed", c.result("R-SUBJ-4").reason
    assert c.result("R-MINI-4").status == "failed"
    assert c.path == "backdrop_photo"


def test_passport_number_typed_wrong_fails_subj_4() -> None:
    o = personal_order("passport", "E12345679", passport_doc(), "测试乙")
    s, _reason = status(o, "R-SUBJ-4")
    assert s == "failed"


def test_foreign_passport_compares_the_latin_name() -> None:
    doc = passport_doc("C01X00T47", name=None, name_latin="SMITH JOHN", nationality="GBR",
                       issuing_country="GBR")  # fmt: skip
    o = personal_order("passport", "C01X00T47", doc, "SMITH JOHN")
    assert status(o, "R-SUBJ-4")[0] == "passed"
    o["subject"]["name"] = "SMITH JOHNNY"
    assert status(o, "R-SUBJ-4")[0] == "failed"


def test_passport_principal_age_comes_from_its_birth_date() -> None:
    doc = passport_doc(birth_date=date(2012, 1, 1).isoformat())
    o = personal_order("passport", "E12345678", doc, "测试乙")
    s, reason = status(o, "R-SUBJ-6")
    assert s == "failed" and "护照" in reason


@pytest.mark.parametrize(
    ("cert", "number"), [("hk_macao_permit", "H12345678"), ("taiwan_permit", "01234567")]
)
def test_permit_individual_passes_and_expired_permit_fails(cert: str, number: str) -> None:
    o = personal_order(cert, number, permit_doc(cert, number), "测试丙")
    c = check(o)
    for rule in ("R-SUBJ-3", "R-SUBJ-4", "R-DOC-3", "R-REJ-6"):
        assert c.result(rule).status == "passed", c.result(rule).reason
    o["documents"][0] = permit_doc(cert, number, valid_until="2026-01-01")
    assert status(o, "R-DOC-3")[0] == "failed"
    assert status(o, "R-REJ-6")[0] == "failed"


def test_certificate_type_contradicted_by_the_upload_fails_subj_3() -> None:
    o = personal_order("hk_macao_permit", "E12345678", passport_doc(), "测试乙")
    s, reason = status(o, "R-SUBJ-3")
    assert s == "failed" and "护照" in reason


def test_principal_with_a_permit_is_compared_in_rej_5() -> None:
    o = clone(enterprise())
    principal = o["subject"]["principal"]
    principal.update(certificate_type="taiwan_permit", certificate_number="01234567", name="测试丙")
    o["documents"].append(permit_doc("taiwan_permit", "01234567"))
    assert status(o, "R-REJ-5")[0] == "passed"
    o["documents"][-1] = permit_doc("taiwan_permit", "01234567", name="测试丁")
    s, reason = status(o, "R-REJ-5")
    assert s == "failed" and "姓名" in reason


def test_permit_auto_fills_an_empty_principal() -> None:
    o = personal_order("hk_macao_permit", "", permit_doc("hk_macao_permit", "H12345678"), "")
    filled, done = autofill(parse_filing(o))
    assert filled.subject.certificate_number == "H12345678"
    assert filled.subject.principal.name == "测试丙"
    assert "hk_macao_permit.permit_number" in {a.source for a in done}
