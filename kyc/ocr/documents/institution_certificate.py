"""事业单位法人证书 (public institution legal-person certificate): credit code 12…"""

from __future__ import annotations

from kyc.ocr.documents.unit_certificate import make

NAME = "institution_certificate"
FIELD_NAMES = (
    "credit_code",
    "name",
    "purpose_and_scope",
    "address",
    "legal_representative",
    "funding_source",
    "capital",
    "sponsor",
    "registration_authority",
    "valid_from",
    "valid_until",
)
KIND = make(NAME, ("事业单位", "宗旨和业务范围", "经费来源", "开办资金", "举办单位"), FIELD_NAMES)
