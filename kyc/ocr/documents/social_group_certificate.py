"""社会团体法人登记证书 (social group legal-person registration certificate): credit
code 51…"""

from __future__ import annotations

from kyc.ocr.documents.unit_certificate import make

NAME = "social_group_certificate"
FIELD_NAMES = (
    "credit_code",
    "name",
    "business_scope",
    "activity_area",
    "address",
    "legal_representative",
    "capital",
    "supervisor",
    "registration_authority",
    "valid_from",
    "valid_until",
)
KIND = make(NAME, ("社会团体", "活动地域", "注册资金", "业务主管单位", "业务范围"), FIELD_NAMES)
