"""Business license (营业执照), horizontal and vertical layouts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher

from kyc.ocr.documents import labelled
from kyc.ocr.documents.base import (
    CAPITAL,
    CAPITAL_CHARS,
    MISSING,
    OVERPRINT_CHARS,
    OVERPRINT_TAIL,
    Checked,
    RawField,
    checked_address,
    clean,
    code_reading,
    looks_complete,
    name_dashes,
    reading,
    repaired,
    scope_items,
    text_confidence,
    the_one,
    tidy,
    without_stray_place_mark,
)
from kyc.ocr.documents.codes import DIGITS, find_code
from kyc.ocr.layout import Line
from kyc.ocr.regions import PLACE_REPAIR_CAP
from kyc.ocr.types import FieldReading
from kyc.ocr.validate import CodeRead, parse_date, read_credit_code, read_registration_number

NAME = "business_license"
FIELD_NAMES = (
    "credit_code",
    "registration_number",
    "name",
    "company_type",
    "legal_representative",
    "operator",
    "organization_form",
    "registered_capital",
    "established_date",
    "business_term",
    "address",
    "business_scope",
)
# Fields of some formats only: the pre-2016 registration number, an individual
# business's operator and form of organisation.
_FORMAT_FIELDS = frozenset({"registration_number", "operator", "organization_form"})
KEYWORDS = (
    "营业执照",
    "统一社会信用代码",
    "注册号",
    "法定代表人",
    "经营者",
    "投资人",
    "执行事务合伙人",
    "注册资本",
    "出资额",
    "成立日期",
    "注册日期",
    "营业期限",
    "合伙期限",
    "经营范围",
    "组成形式",
    "经营场所",
    "登记机关",
)
# Titles of certificates that share a license's labels but are other documents.
EXCLUDES = (
    "事业单位法人证书",
    "社会团体法人登记证书",
    "民办非企业单位登记证书",
    "开户许可证",
    "税务登记证",
    "组织机构代码证",
    "食品经营许可证",
)

# The labels of every format: current (2016+) companies, branches (负责人), sole
# proprietorships (投资人), partnerships (执行事务合伙人, 主要经营场所, 合伙期限), individual
# businesses (经营者, 组成形式, 经营场所, 注册日期) and the pre-2016 layouts (法定代表人姓名,
# 公司类型, 字号名称, 经营范围及方式). A longer label is tried before one it starts with.
LABELS: dict[str, tuple[str, ...]] = {
    "name": ("字号名称", "名称"),
    "company_type": ("公司类型", "企业类型", "类型"),
    "legal_representative": (
        "法定代表人姓名",
        "执行事务合伙人",
        "法定代表人",
        "负责人",
        "投资人",
    ),
    "operator": ("经营者姓名", "经营者"),
    "organization_form": ("组成形式",),
    "registered_capital": ("注册资本", "出资额", "资金数额"),
    "established_date": ("成立日期", "注册日期"),
    "business_term": ("营业期限", "合伙期限"),
    "address": ("主要经营场所", "经营场所", "营业场所", "住所"),
    "business_scope": ("经营范围及方式", "经营范围"),
}
_SHAPES = {
    "name": "company_name",
    "company_type": "bracketed",
    "registered_capital": "amount",
    "organization_form": "form",
    "legal_representative": "person_name",
    "address": "address",
    "business_scope": "scope",
    "business_term": "term",
}
FORM = labelled.Form(
    LABELS,
    stops=("统一社会信用代码", "注册号", "登记机关", "实收资本"),
    multiline=frozenset({"name", "company_type", "address", "business_scope"}),
    wraps_when_full=frozenset({"legal_representative"}),
    # The types of the registration rules (有限责任公司（自然人独资）, 个体工商户 ...).
    openings={
        "company_type": re.compile(
            r"(其他)?(有限责任公|股份有限公|个人独资企|个体工商|普通合伙|有限合伙|"
            r"合伙企业|全民所有制|集体所有制|外商投资|非公司企业)"
        )
    },
)
# A company type written out whole: a type of the registration rules, with what the
# rules add in brackets (有限责任公司（非自然人投资或控股的法人独资）) or nothing.
_WHOLE_TYPE = re.compile(
    r"(其他)?(有限责任公司|股份有限公司|个人独资企业|个体工商户|普通合伙企业|有限合伙企业|"
    r"全民所有制|集体所有制)(分公司)?([（(][^（()）]+[）)])?"
)
_CODE = re.compile(r"[0-9A-Z]{18}")
_ISSUE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


_SEAL_TEXT = re.compile(r"[登春]?记机[关天]★?|★")
_SCOPE_END = "经营活动）"


# The fixed closing clauses of a business scope (wording set by the registration rules).
_CLAUSES = (
    "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）",
    "（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
)


def _restore_clause(value: str) -> str:
    """A scope that ends in a closing clause with a character or two misread or lost
    (often its opening bracket) ends in the clause's fixed wording."""
    value = value.replace("(", "（").replace(")", "）")
    for clause in _CLAUSES:
        n = len(clause)
        best = (0.0, -1)
        for start in range(max(0, len(value) - n - 3), max(0, len(value) - n // 2)):
            ratio = SequenceMatcher(None, value[start:], clause, autojunk=False).ratio()
            if ratio > best[0]:
                best = (ratio, start)
        if best[0] >= 0.9:
            return value[: best[1]] + clause
    return value


def _clean_scope(value: str) -> str:
    """Drop text of the registration authority's seal, which overlaps the last lines of a
    long scope, and anything read after the scope's standard closing clause; a colon
    between items is the semicolon the font drew."""
    value = scope_items(_SEAL_TEXT.sub("", value))
    end = value.rfind(_SCOPE_END)
    if end < 0:
        end = value.rfind(_SCOPE_END.replace("）", ")"))
    if end >= 0:
        value = value[: end + len(_SCOPE_END)]
    elif value.endswith(_SCOPE_END[:-1]):
        value += "）"  # the clause's closing bracket is often lost at the line's end
    return _restore_clause(value)


def _credit(raw: RawField) -> CodeRead:
    return read_credit_code(raw.value or "", raw.probs, raw.alts)


def _registration(raw: RawField) -> CodeRead:
    return read_registration_number(raw.value or "", raw.probs, raw.alts)


# Fields whose whole value has a shape of its own: a character read before such a
# value is a stray one.
_WHOLE_VALUE: dict[str, Callable[[str], object]] = {
    "business_term": lambda v: looks_complete("term", v),
    "company_type": _WHOLE_TYPE.fullmatch,
}


def whole_of(value: str, whole: Callable[[str], object]) -> str:
    """``value`` as a whole value of its shape (``whole``): without a stray character
    read before it (艮2004年06月12日至…, 0有限责任公司（…）), or without a watermark's
    characters read on after it (长期案使用: 备案使用's end glued to 长期); as read
    where neither gives a whole value."""
    if whole(value):
        return value
    if whole(value[1:]):
        return value[1:]
    for at in range(len(value) - 1, max(0, len(value) - OVERPRINT_TAIL) - 1, -1):
        if value[at] not in OVERPRINT_CHARS:
            break
        if whole(value[:at]):
            return value[:at]
    return value


class BusinessLicense:
    name = NAME
    field_names = FIELD_NAMES
    keywords = KEYWORDS
    # The title counts twice: a photo too blurred for anything but 营业执照 is a license.
    patterns = (re.compile("营业执照"),)
    min_score = 2
    excludes = EXCLUDES

    def extract(self, lines: Sequence[Line]) -> dict[str, RawField]:
        out: dict[str, RawField] = dict.fromkeys(FIELD_NAMES, MISSING)
        out["credit_code"] = find_code(lines, ("统一社会信用代码",), 18, _credit)
        if out["credit_code"] is MISSING:
            # Pre-2016 licenses print a 15-digit registration number instead.
            out["registration_number"] = find_code(
                lines, ("注册号",), 15, _registration, windows=False, runs=DIGITS
            )
        out.update(labelled.extract(lines, FORM, stop_at=(_ISSUE_DATE,)))
        # A label not read (under a watermark's word, in glare): the value is the one
        # line of the page that has the shape no other field of a license has, an amount
        # of money (200万元人民币) or a type of the registration rules written out whole.
        for fname, shape in (("registered_capital", CAPITAL), ("company_type", _WHOLE_TYPE)):
            if out[fname] is MISSING:
                out[fname] = the_one(lines, shape.fullmatch)
        scope = out["business_scope"]
        if scope.value:
            out["business_scope"] = RawField(
                _clean_scope(scope.value), scope.probs, scope.alts, scope.box
            )
        return out

    def check(self, raw: dict[str, RawField], today: dt.date) -> Checked:
        warnings: list[str] = []
        fields: dict[str, FieldReading] = {}
        for fname, read in (("credit_code", _credit), ("registration_number", _registration)):
            fields[fname], mismatch = code_reading(raw[fname], read(raw[fname]))
            if mismatch:
                warnings.append("CHECKSUM_MISMATCH")
        est = raw["established_date"]
        day = parse_date(est.value or "")
        fields["established_date"] = reading(
            RawField(day.isoformat() if day else est.value, est.probs, (), est.box),
            text_confidence(est) if day else min(text_confidence(est), 0.5),
            (day is not None and day <= today) if est.value else None,
        )
        for fname in FIELD_NAMES:
            if fname in fields:
                continue
            r = raw[fname]
            if fname == "registered_capital":
                r = repaired(r, CAPITAL_CHARS, CAPITAL)
            # A scope keeps its colons (一般项目：), a representative its own (委派代表：
            # 白世家); elsewhere one is a label's.
            raw_text = r.value or ""
            text = (
                re.sub(r"\s", "", raw_text).lstrip(":：")
                if fname in ("business_scope", "legal_representative")
                else clean(raw_text)
            )
            value = tidy(text, full_width=True) if r.value else None
            if value and fname in ("legal_representative", "operator"):
                value = name_dashes(value)
            whole = _WHOLE_VALUE.get(fname)
            if whole and value:
                # (the confidence keeps the doubt of what was cut)
                value = whole_of(value, whole)
            tidied = RawField(value, r.probs, r.alts, r.box)
            freed = without_stray_place_mark(value, r) if fname == "name" and value else None
            tidied, cap = (freed, PLACE_REPAIR_CAP) if freed else (tidied, 1.0)
            confidence = min(text_confidence(tidied, _SHAPES.get(fname)), cap)
            fields[fname] = reading(tidied, confidence, None)
        cc = fields["credit_code"]
        county = cc.value[2:8] if cc.valid and cc.value else None
        fields["address"] = checked_address(fields["address"], county)
        # The fields only some formats print are left out where nothing was read.
        ordered = {
            name: fields[name]
            for name in FIELD_NAMES
            if name not in _FORMAT_FIELDS or fields[name].value is not None
        }
        return Checked(ordered, tuple(warnings), {})


KIND = BusinessLicense()
