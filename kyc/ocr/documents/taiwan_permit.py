"""台湾居民来往大陆通行证 (Mainland Travel Permit for Taiwan Residents, 台胞证): number of
8 digits (older cards: 10); 5 years."""

from __future__ import annotations

import re

from kyc.ocr.documents.permit import Permit

NAME = "taiwan_permit"
KIND = Permit(
    name=NAME,
    keywords=(
        "台湾居民来往大陆通行证",
        "台湾居民",
        "来往大陆",
        "TAIWAN",
        "签发次数",
        "证件号码",
        "签发机关",
        "有效期限",
        "出生日期",
        "姓名",
        "性别",
    ),
    number_shape=re.compile(r"\d{8}(\d{2})?"),
    number_search=re.compile(r"(?<![\dA-Z.\-/])\d{8}(\d{2})?(?![\d.\-/])"),
    excludes=("港澳居民", "来往内地", "居民身份证", "护照", "PASSPORT"),
    terms=(5,),
)
