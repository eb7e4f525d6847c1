"""港澳居民来往内地通行证 (Mainland Travel Permit for Hong Kong and Macao Residents):
number H (Hong Kong) or M (Macao) and 8 digits (older cards: 2 more, the renewal
count); 10 years, 5 for minors."""

from __future__ import annotations

import re

from kyc.ocr.documents.permit import Permit

NAME = "hk_macao_permit"
KIND = Permit(
    name=NAME,
    keywords=(
        "港澳居民来往内地通行证",
        "港澳居民",
        "来往内地",
        "HONGKONG",
        "MACAO",
        "换证次数",
        "证件号码",
        "签发机关",
        "有效期限",
        "出生日期",
        "姓名",
        "性别",
    ),
    number_shape=re.compile(r"[HM]\d{8}(\d{2})?"),
    number_search=re.compile(r"(?<![0-9A-Z])[HM]\d{8}(\d{2})?(?![0-9])"),
    excludes=("台湾居民", "来往大陆", "居民身份证", "护照", "PASSPORT"),
    terms=(5, 10),
)
