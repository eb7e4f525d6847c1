"""Facts the rules derive from the order: document readings, ages, phones, places.

Pure helpers over maintained data sources: python-stdnum for identity numbers and
phonenumbers' geocoder for Chinese landline area codes (no hand-typed tables).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import phonenumbers
from stdnum.cn import ric, uscc

from kyc.filing.model import Document, Person, Region, normalize_number
from kyc.ocr.types import FieldReading

ID_FRONT_TYPES = ("id_card_front", "id_card_both")
ID_BACK_TYPES = ("id_card_back", "id_card_both")

# Warnings that make an image unusable for the authority (unclear or not an original).
UNCLEAR_WARNINGS = frozenset(
    {"BLUR", "GLARE", "OCCLUSION", "LOW_RESOLUTION", "BORDER_INCOMPLETE", "FILING_COPY_ILLEGIBLE"}
)
WARNING_TEXT = {
    "BORDER_INCOMPLETE": "边框不完整",
    "PHOTOCOPY": "疑似复印件",
    "RECAPTURE": "疑似翻拍",
    "GLARE": "反光",
    "BLUR": "模糊",
    "OCCLUSION": "有遮挡",
    "LOW_RESOLUTION": "分辨率过低",
    "TEMPORARY_ID": "临时身份证",
    "EXPIRED": "证件已过期",
    "CHECKSUM_MISMATCH": "号码校验不通过",
    "NOT_A_DOCUMENT": "不是证件",
    "FILING_COPY_ILLEGIBLE": "压缩后关键字段不清晰",
}


def warning_text(codes: tuple[str, ...] | list[str]) -> str:
    return "、".join(f"{WARNING_TEXT.get(c, c)}({c})" for c in codes)


def field_value(doc: Document, name: str) -> FieldReading | None:
    f = doc.reading.fields.get(name)
    return f if f is not None and f.value else None


def id_reading_for(person: Person, documents: tuple[Document, ...]) -> Document | None:
    """The ID-card front (or both-sides image) of a person: by number, else by name."""
    fronts = [d for d in documents if d.reading.document_type in ID_FRONT_TYPES]
    number = normalize_number(person.certificate_number)
    for d in fronts:
        f = field_value(d, "id_number")
        if f and f.value and normalize_number(f.value) == number:
            return d
    for d in fronts:
        f = field_value(d, "name")
        if f and f.value and f.value.strip() == person.name.strip():
            return d
    return None


def license_reading(documents: tuple[Document, ...]) -> Document | None:
    return next((d for d in documents if d.reading.document_type == "business_license"), None)


@dataclass(frozen=True)
class CertificateFields:
    """How a certificate type of the filing is read (``kyc ocr``): its document types,
    the fields holding its number, the holder's name (the first one read), its address
    (None: the certificate prints none), and its name as reviewers read it."""

    document_types: tuple[str, ...]
    numbers: tuple[str, ...]
    names: tuple[str, ...]
    address: str | None
    text: str


# The certificates the filing rules accept (R-SUBJ-1, R-SUBJ-3) that ``kyc ocr`` reads;
# an officer card and "other" are not read.
CERTIFICATES: dict[str, CertificateFields] = {
    "id_card": CertificateFields(
        ID_FRONT_TYPES, ("id_number",), ("name",), "address", "居民身份证"
    ),
    "passport": CertificateFields(
        ("passport",), ("passport_number",), ("name", "name_latin"), None, "护照"
    ),
    "hk_macao_permit": CertificateFields(
        ("hk_macao_permit",), ("permit_number",), ("name",), None, "港澳居民来往内地通行证"
    ),
    "taiwan_permit": CertificateFields(
        ("taiwan_permit",), ("permit_number",), ("name",), None, "台湾居民来往大陆通行证"
    ),
    "business_license": CertificateFields(
        ("business_license",), ("credit_code", "registration_number"), ("name",), "address",
        "营业执照",
    ),
    "institution_certificate": CertificateFields(
        ("institution_certificate",), ("credit_code",), ("name",), "address", "事业单位法人证书"
    ),
    "social_group_certificate": CertificateFields(
        ("social_group_certificate",), ("credit_code",), ("name",), "address",
        "社会团体法人登记证书",
    ),
    "private_non_enterprise_certificate": CertificateFields(
        ("private_non_enterprise_certificate",), ("credit_code",), ("name",), "address",
        "民办非企业单位登记证书",
    ),
}  # fmt: skip
UNIT_CERTIFICATES = (
    "business_license",
    "institution_certificate",
    "social_group_certificate",
    "private_non_enterprise_certificate",
)
# The registration-authority and class prefix of a unified social credit code (GB 32100)
# each unit certificate carries.
CREDIT_PREFIXES = {
    "business_license": ("91", "92", "93"),
    "institution_certificate": ("12",),
    "social_group_certificate": ("51",),
    "private_non_enterprise_certificate": ("52",),
}


def read_value(doc: Document, names: tuple[str, ...]) -> FieldReading | None:
    """The first of ``names`` the document's reading has a value for."""
    for name in names:
        f = field_value(doc, name)
        if f is not None:
            return f
    return None


def certificate_reading(
    certificate_type: str, documents: tuple[Document, ...], number: str = "", name: str = ""
) -> Document | None:
    """The reading of a certificate of ``certificate_type``: an ID card by number or
    name (``id_reading_for``); a passport or permit by number, else by name; a unit's
    certificate, the first one uploaded. None when none was uploaded (or read)."""
    spec = CERTIFICATES.get(certificate_type)
    if spec is None:
        return None
    if certificate_type == "id_card":
        return id_reading_for(Person(name, "id_card", number, None, "", "", False), documents)
    docs = [d for d in documents if d.reading.document_type in spec.document_types]
    if certificate_type in UNIT_CERTIFICATES:
        return docs[0] if docs else None
    wanted = normalize_number(number)
    for d in docs:
        f = read_value(d, spec.numbers)
        if f and f.value and wanted and normalize_number(f.value) == wanted:
            return d
    for d in docs:
        for field in spec.names:
            f = field_value(d, field)
            if f and f.value and name and f.value.strip().upper() == name.strip().upper():
                return d
    return None


# ------------------------------------------------------------------------ numbers


def id_number_valid(number: str) -> bool:
    return bool(ric.is_valid(normalize_number(number)))


def credit_code_valid(number: str) -> bool:
    return bool(uscc.is_valid(normalize_number(number)))


def birth_date(id_number: str) -> date | None:
    """Birth date from a valid resident ID number, None when the number is not valid."""
    number = normalize_number(id_number)
    if not ric.is_valid(number):
        return None
    born: date = ric.get_birth_date(number)
    return born


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# -------------------------------------------------------------------------- dates

_DATE_RE = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")


def parse_dates(text: str) -> list[date]:
    out = []
    for y, m, d in _DATE_RE.findall(text):
        try:
            out.append(date(int(y), int(m), int(d)))
        except ValueError:
            continue
    return out


@dataclass(frozen=True)
class Validity:
    until: date | None  # None: long term
    source: str


def validity_of(doc: Document) -> Validity | None:
    """How long a document is valid, from its readings; None when unreadable."""
    if doc.reading.document_type == "business_license":
        f = field_value(doc, "business_term")
        if f is None or f.value is None:
            return None
        tail = re.split(r"至|到|—|－|~", f.value)[-1]
        if "长期" in tail or "永久" in tail:
            return Validity(None, f.value)
        dates = parse_dates(tail)
        return Validity(dates[-1], f.value) if dates else None
    f = field_value(doc, "valid_until") or field_value(doc, "expiry_date")
    if f is None or f.value is None:
        return None
    if f.value in ("long_term", "长期"):
        return Validity(None, f.value)
    dates = parse_dates(f.value)
    return Validity(dates[0], f.value) if dates else None


def expired(doc: Document, today: date) -> bool | None:
    """True/False when known; None when the document says nothing about its validity."""
    if "EXPIRED" in doc.reading.warnings:
        return True
    v = validity_of(doc)
    if v is None:
        return None
    return v.until is not None and v.until < today


# ------------------------------------------------------------------------- phones

_OFFICE_PHONE_RE = re.compile(r"^086-(0\d{2,3})-(\d{7,8})$")


@dataclass(frozen=True)
class OfficePhone:
    area_code: str
    number: str
    landline: bool  # a valid fixed-line number per phonenumbers
    place: str  # phonenumbers' geocoder in Chinese, e.g. "广东省深圳市"; "" unknown


def parse_office_phone(text: str) -> OfficePhone | None:
    """``086-<area code>-<number>`` (e.g. 086-0755-86013388); None when not in that form."""
    m = _OFFICE_PHONE_RE.match(text.strip())
    if m is None:
        return None
    area, number = m.groups()
    try:
        parsed = phonenumbers.parse("+86" + area[1:] + number)
    except phonenumbers.NumberParseException:
        return OfficePhone(area, number, False, "")
    landline = phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    # Imported here: the geocoder loads ~19 MB of prefix data (slow without bytecode).
    from phonenumbers import geocoder

    place = geocoder.description_for_number(parsed, "zh") if landline else ""
    return OfficePhone(area, number, landline, place)


def is_mobile(text: str) -> bool:
    """A mainland mobile number (11 digits, optionally +86 / 86 prefixed)."""
    digits = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"(\+?86)?1\d{10}", digits):
        return False
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


_EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")


def is_email(text: str) -> bool:
    return bool(_EMAIL_RE.match(text.strip()))


_PROVINCE_SUFFIX = re.compile(r"(省|市|维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区)$")
_PROVINCE_PREFIX = re.compile(r"^(省|市|维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区)")
_CITY_SUFFIX = re.compile(r"(市|地区|盟)$")


def short_province(name: str) -> str:
    return _PROVINCE_SUFFIX.sub("", name.strip())


def short_city(name: str) -> str:
    return _CITY_SUFFIX.sub("", name.strip())


def place_matches(place: str, region: Region) -> bool:
    """Does a geocoder place ("广东省深圳市", "海南省海口市、三亚市", "北京市") cover the region?"""
    province = short_province(region.province)
    if not place or not province or not place.startswith(province):
        return False
    rest = _PROVINCE_PREFIX.sub("", place[len(province) :])
    if not rest:  # a municipality, or a code covering the whole province
        return True
    city = short_city(region.city)
    if not city:
        return False
    return any(
        c and (c.startswith(city) or city.startswith(short_city(c))) for c in rest.split("、")
    )


# ----------------------------------------------------------------------- addresses

_HOUSE_NUMBER_RE = re.compile(
    r"([0-9０-９]+|[一二三四五六七八九十百零〇]+)\s*(号|號|室|栋|幢|座|单元|层|楼|弄)"
)
MOST_DETAILED_NOTE = ("已是最详细", "已经是最详细", "最详细地址")


def has_house_number(address: str) -> bool:
    return bool(_HOUSE_NUMBER_RE.search(address))
