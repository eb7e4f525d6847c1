"""A sample filing order with a synthetic identity (check-digit-valid, fake names): an
enterprise first filing in Guangdong with one CVM and one website, which passes every
rule it can be judged on and is eligible for the video check. Tests, the load script and
the re-verification benchmark start from it instead of writing their own."""

from __future__ import annotations

from datetime import date
from typing import Any

from stdnum.cn import ric, uscc


def make_id(birth: date, region: str = "440305", seq: str = "123") -> str:
    """A check-digit-valid resident ID number (synthetic)."""
    body = f"{region}{birth:%Y%m%d}{seq}"
    return body + str(ric.calc_check_digit(body + "0"))


def make_uscc(body: str = "91440300MA5FAKE01") -> str:
    """A check-digit-valid unified social credit code (synthetic)."""
    return body + str(uscc.calc_check_digit(body))


PRINCIPAL = "测试甲"
PRINCIPAL_ID = make_id(date(1985, 3, 14))
CREDIT_CODE = make_uscc()
COMPANY = "深圳市示例科技有限公司"
COMPANY_ADDRESS = "深圳市南山区科技园路1号"


def person(**over: Any) -> dict[str, Any]:
    p: dict[str, Any] = {
        "name": PRINCIPAL,
        "certificate_type": "id_card",
        "certificate_number": PRINCIPAL_ID,
        "office_phone": "086-0755-86013388",
        "mobile": "13800138000",
        "email": "ops@example.com",
        "is_legal_representative": True,
    }
    p.update(over)
    return p


def website(domain: str = "example.com", **over: Any) -> dict[str, Any]:
    w: dict[str, Any] = {
        "name": "示例科技官网",
        "domains": [domain],
        "homepage_url": f"www.{domain}",
        "service_content": "unit_portal",
        "pre_approvals": [],
        "note": "",
        "principal": "same_as_subject",
        "cloud_services": [{"type": "cvm", "ip": "10.0.0.1"}],
        "plan_document": False,
    }
    w.update(over)
    return w


def enterprise_filing(
    account_id: str = "acct-1", domain: str = "example.com", **subject_over: Any
) -> dict[str, Any]:
    """The order (no documents); ``subject_over`` replaces keys of its subject."""
    subject: dict[str, Any] = {
        "nature": "enterprise",
        "certificate_type": "business_license",
        "certificate_number": CREDIT_CODE,
        "name": COMPANY,
        "certificate_address": COMPANY_ADDRESS,
        "mailing_address": "广东省深圳市南山区科技园路1号",
        "investor": COMPANY,
        "note": "",
        "principal": person(),
        "employment_proof": False,
    }
    subject.update(subject_over)
    return {
        "account_id": account_id,
        "region": {"province": "广东省", "city": "深圳市", "district": "南山区"},
        "account_has_cvm": True,
        "subject": subject,
        "websites": [website(domain)],
    }
