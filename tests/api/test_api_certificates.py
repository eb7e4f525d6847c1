"""The service with the certificates other than ID cards and business licenses (issue
17): auto-fill from a unit certificate, the type hints, masking of passport fields for
the applicant, and the reviewer page naming the new fields. Synthetic identities."""

from __future__ import annotations

from typing import Any

import api_fakes as fx
from api_support import Env

from kyc.synth.filing import make_uscc

SOCIAL_CODE = make_uscc("51440300MJ1FAKE02")
GROUP = "深圳市示例软件行业协会"
GROUP_ADDRESS = "广东省深圳市南山区科技园路1号"


def _social_group_spec() -> dict[str, Any]:
    return {
        "document_type": "social_group_certificate",
        "fields": {
            "credit_code": [SOCIAL_CODE, 0.99],
            "name": [GROUP, 0.97],
            "business_scope": ["组织学术交流、开展业务培训。", 0.9],
            "activity_area": ["深圳市", 0.98],
            "address": [GROUP_ADDRESS, 0.95],
            "legal_representative": [fx.PRINCIPAL, 0.96],
            "capital": ["3万元", 0.97],
            "supervisor": ["深圳市科学技术协会", 0.94],
            "registration_authority": ["深圳市民政局", 0.95],
            "valid_from": ["2024-01-01", 0.97],
            "valid_until": ["2029-01-01", 0.97],
        },
        "warnings": [],
    }


def _passport_spec() -> dict[str, Any]:
    return {
        "document_type": "passport",
        "fields": {
            "passport_number": ["E12345678", 0.97],
            "name": [fx.PRINCIPAL, 0.98],
            "name_latin": ["CE SHIJIA", 0.97],
            "sex": ["M", 0.97],
            "nationality": ["CHN", 0.95],
            "birth_date": ["1985-03-14", 0.97],
            "expiry_date": ["2031-07-01", 0.97],
            "issuing_country": ["CHN", 0.95],
        },
        "warnings": [],
    }


def _create(env: Env, headers: dict[str, str], **subject: Any) -> dict[str, Any]:
    r = env.client.post("/v1/filings", json=fx.filing_body(**subject), headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _upload(env: Env, auth: dict[str, str], fid: str, spec: dict[str, Any], **data: Any) -> Any:
    return env.client.post(
        f"/v1/filings/{fid}/documents",
        files={"file": ("doc.jpg", fx.fake_image(spec), "image/jpeg")},
        headers=auth,
        data=data,
    )


def test_unit_certificate_auto_fills_and_reviewer_sees_its_fields(env: Env) -> None:
    h, rv = env.key(), env.reviewer()
    f = _create(
        env,
        h,
        nature="social_group",
        certificate_type="social_group_certificate",
        certificate_number="",
        name="",
        certificate_address="",
    )
    r = _upload(env, h, f["id"], _social_group_spec(), type_hint="unit_certificate")
    assert r.status_code == 200, r.text
    assert set(r.json()["autofilled"]) >= {
        "subject.name",
        "subject.certificate_number",
        "subject.certificate_address",
    }
    detail = env.client.get(f"/v1/review/filings/{f['id']}", headers=rv).json()
    assert detail["order"]["subject"]["certificate_number"] == SOCIAL_CODE
    rules = {x["id"]: x for x in detail["check"]["rules"]}
    assert rules["R-SUBJ-4"]["status"] == "passed", rules["R-SUBJ-4"]["reason"]
    assert rules["R-MINI-4"]["status"] == "failed"  # the backdrop-photo path
    page = env.client.get(f"/review/filings/{f['id']}", headers=rv)
    assert page.status_code == 200
    assert "业务主管单位" in page.text and "登记管理机关" in page.text


def test_an_unknown_type_hint_is_refused(env: Env) -> None:
    h = env.key()
    f = _create(env, h)
    r = _upload(env, h, f["id"], fx.license_spec(), type_hint="driving_licence")
    assert r.status_code == 422 and r.json()["error"] == "INVALID_FIELD"


def test_passport_fields_are_masked_for_the_applicant(env: Env) -> None:
    h = env.key()
    f = _create(env, h)
    r = _upload(env, h, f["id"], _passport_spec(), type_hint="passport")
    assert r.status_code == 200, r.text
    fields = r.json()["document"]["fields"]
    assert fields["passport_number"]["value"] != "E12345678"
    assert fields["name_latin"]["value"] != "CE SHIJIA"
    assert fields["expiry_date"]["value"] == "2031-07-01"  # not personal
