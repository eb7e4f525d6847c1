"""Synthetic filing orders and document readings for the filing tests (no real identities)."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from kyc.synth.filing import (
    COMPANY,
    COMPANY_ADDRESS,
    CREDIT_CODE,
    PRINCIPAL_ID,
    enterprise_filing,
    make_id,
    person,
    website,
)

# The sample identity, re-exported: the filing tests import it from here.
__all__ = [
    "COMPANY",
    "COMPANY_ADDRESS",
    "CREDIT_CODE",
    "PRINCIPAL_ID",
    "make_id",
    "person",
    "website",
]

TODAY = date(2026, 6, 1)
WEB_PRINCIPAL_ID = make_id(date(1990, 7, 2), seq="456")


def license_doc(**fields: str | None) -> dict[str, Any]:
    values: dict[str, str | None] = {
        "credit_code": CREDIT_CODE,
        "name": COMPANY,
        "company_type": "有限责任公司",
        "legal_representative": "测试甲",
        "address": COMPANY_ADDRESS,
        "business_term": "2018年01月01日至长期",
    }
    values.update(fields)
    return ocr("business_license", values)


def id_front(
    number: str = PRINCIPAL_ID, name: str = "测试甲", **fields: str | None
) -> dict[str, Any]:
    values: dict[str, str | None] = {
        "name": name,
        "sex": "男",
        "ethnicity": "汉",
        "birth_date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
        "address": "广东省深圳市南山区桃园路2号",
        "id_number": number,
    }
    values.update(fields)
    return ocr("id_card_front", values)


def id_back(valid_until: str = "2035-03-14") -> dict[str, Any]:
    return ocr(
        "id_card_back",
        {
            "issuing_authority": "深圳市公安局南山分局",
            "valid_from": "2015-03-14",
            "valid_until": valid_until,
        },
    )


def ocr(
    doc_type: str, values: dict[str, str | None], warnings: list[str] | None = None
) -> dict[str, Any]:
    return {
        "document_type": doc_type,
        "fields": {k: {"value": v, "confidence": 0.97, "valid": True} for k, v in values.items()},
        "warnings": warnings or [],
        "quality": 0.9,
        "elapsed_ms": 12.0,
        "format": "jpeg",
        "size_bytes": 300_000,
    }


def enterprise() -> dict[str, Any]:
    """A Guangdong enterprise first filing that passes every rule it can judge."""
    return {**enterprise_filing(), "documents": [license_doc(), id_front(), id_back()]}


def individual() -> dict[str, Any]:
    """A Guangdong individual first filing that passes every rule it can judge."""
    o = enterprise()
    o["subject"] = {
        "nature": "individual",
        "certificate_type": "id_card",
        "certificate_number": PRINCIPAL_ID,
        "name": "测试甲",
        "certificate_address": "广东省深圳市南山区桃园路2号",
        "mailing_address": "广东省深圳市南山区桃园路2号",
        "investor": "测试甲",
        "note": "",
        "principal": person(is_legal_representative=False, office_phone=None),
        "employment_proof": False,
    }
    o["websites"] = [
        website(name="测试甲的博客", service_content="personal", note="个人技术博客，记录学习笔记")
    ]
    o["documents"] = [id_front(), id_back()]
    return o


def clone(obj: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(obj)
