"""民办非企业单位登记证书 (private non-enterprise unit registration certificate): credit
code 52…"""

from __future__ import annotations

from kyc.ocr.documents.unit_certificate import make

NAME = "private_non_enterprise_certificate"
FIELD_NAMES = (
    "credit_code",
    "name",
    "business_scope",
    "address",
    "legal_representative",
    "capital",
    "supervisor",
    "registration_authority",
    "valid_from",
    "valid_until",
)
KIND = make(NAME, ("民办非企业", "开办资金", "业务主管单位", "业务范围"), FIELD_NAMES)
