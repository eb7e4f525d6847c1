"""Business license (营业执照), horizontal and vertical layouts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from kyc.ocr.documents.base import (
    MISSING,
    Checked,
    RawField,
    clean,
    code_reading,
    field_from_line,
    join_fields,
    merge_split_labels,
    reading,
    strip_label,
    text_confidence,
    tidy,
)
from kyc.ocr.documents.codes import find_code
from kyc.ocr.layout import Line, rows
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
    "legal_representative": "person_name",
    "address": "address",
    "business_scope": "scope",
}
_MULTILINE = {"name", "company_type", "address", "business_scope"}
_ALL_LABELS = tuple(
    sorted(
        (
            *(lab for labs in LABELS.values() for lab in labs),
            "统一社会信用代码",
            "注册号",
            "登记机关",
        ),
        key=len,
        reverse=True,
    )
)
_CODE = re.compile(r"[0-9A-Z]{18}")
_ISSUE_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


def _label_of(line: Line) -> tuple[str, Line] | None:
    found = strip_label(line, _ALL_LABELS)
    if not found:
        return None
    for fname, labs in LABELS.items():
        if found[0] in labs:
            return fname, found[1]
    return "end", found[1]


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
    long scope, and anything read after the scope's standard closing clause."""
    value = _SEAL_TEXT.sub("", value)
    end = value.rfind(_SCOPE_END)
    if end < 0:
        end = value.rfind(_SCOPE_END.replace("）", ")"))
    if end >= 0:
        value = value[: end + len(_SCOPE_END)]
    elif value.endswith(_SCOPE_END[:-1]):
        value += "）"  # the clause's closing bracket is often lost at the line's end
    return _restore_clause(value)


def _drop_overlapped_junk(row: list[Line]) -> list[Line]:
    """Without short, unlikely readings of a small box that overlaps a longer line of the
    same row (a ruling or a blank between a label and its value read as characters)."""
    tallest = max((ln.height for ln in row), default=0.0)
    return [
        ln
        for ln in row
        if not (
            ln.confidence < 0.5
            and len(clean(ln.text)) <= 3
            and ln.height < 0.8 * tallest
            and any(
                o is not ln and len(o.text) > len(ln.text) and o.x0 < ln.x1 and ln.x0 < o.x1
                for o in row
            )
        )
    ]


def _overlapped(rest: Line, row: Sequence[Line], label_lines: set[int]) -> bool:
    """Whether the one or two characters read after a label lie under the start of
    another line of the row: the detector cut the value's first character into the
    label's box, and the value's own box reads it properly."""
    if not 0 < len(clean(rest.text)) <= 2:
        return False
    return any(
        id(ln) not in label_lines
        and len(ln.text) > len(rest.text)
        and rest.x0 - rest.height < ln.x0 < rest.x1 < ln.x1
        for ln in row
    )


def _credit(raw: RawField) -> CodeRead:
    return read_credit_code(raw.value or "", raw.probs, raw.alts)


def _registration(raw: RawField) -> CodeRead:
    return read_registration_number(raw.value or "", raw.probs, raw.alts)


class BusinessLicense:
    name = NAME
    field_names = FIELD_NAMES
    keywords = KEYWORDS
    patterns: tuple[re.Pattern[str], ...] = ()
    min_score = 2
    excludes = EXCLUDES

    def extract(self, lines: Sequence[Line]) -> dict[str, RawField]:
        out: dict[str, RawField] = dict.fromkeys(FIELD_NAMES, MISSING)
        out["credit_code"] = find_code(lines, ("统一社会信用代码",), 18, _credit)
        if out["credit_code"] is MISSING:
            # Pre-2016 licenses print a 15-digit registration number instead.
            out["registration_number"] = find_code(
                lines, ("注册号",), 15, _registration, windows=False
            )
        table = [_drop_overlapped_junk(merge_split_labels(row, _ALL_LABELS)) for row in rows(lines)]
        lines = [ln for row in table for ln in row]
        labelled: list[tuple[str, Line, Line, int]] = []  # field, label line, rest, row
        for ri, row in enumerate(table):
            for ln in row:
                found = _label_of(ln)
                if found and found[0] != "end":
                    labelled.append((found[0], ln, found[1], ri))
        label_lines = {id(ln) for ln in lines if _label_of(ln)}
        for fname, label_line, rest, ri in labelled:
            if out[fname] is not MISSING:
                continue
            row = table[ri]
            parts: list[RawField] = []
            if _overlapped(rest, row, label_lines):
                rest = rest.sub(len(rest.text))  # a made-up character under the value's box
            if clean(rest.text):
                parts.append(field_from_line(rest))
                x_start = rest.x0
            else:
                right = [
                    ln
                    for ln in row
                    if ln.cx > rest.x1 and id(ln) not in label_lines and clean(ln.text)
                ]
                if not right:
                    continue
                x_start = right[0].x0
            # The column ends at the labels of the next column (on any row: perspective
            # can put them a row off).
            next_labels = [
                ln.x0 for ln in lines if id(ln) in label_lines and ln.x0 > x_start + 2 * ln.height
            ]
            x_end = min(next_labels) if next_labels else float("inf")
            # The left edge of this column's labels (a label's first character may be
            # lost, or recognised as something else).
            col_left = min(
                [label_line.x0]
                + [
                    ln.x0
                    for ln in lines
                    if id(ln) in label_lines and x_start - 8 * ln.height < ln.x0 < label_line.x0
                ]
            )
            if not clean(rest.text):
                parts.extend(field_from_line(ln) for ln in right if ln.x0 < x_end)
            if fname in _MULTILINE:
                last_y = row[0].cy
                height = max(ln.height for ln in row)
                for nxt in table[ri + 1 :]:
                    cont = [
                        ln
                        for ln in nxt
                        if x_start - 1.5 * ln.height <= ln.x0 < x_end and id(ln) not in label_lines
                    ]
                    # A new field starts where anything stands in this field's label column
                    # (between the label's left edge and the value), recognised or not.
                    in_label_column = [
                        ln
                        for ln in nxt
                        if (ln.x0 > col_left - ln.height and ln.x1 < x_start - 0.3 * ln.height)
                        or (
                            id(ln) in label_lines
                            and min(col_left, x_start - 4 * ln.height) - 0.5 * ln.height
                            <= ln.x0
                            < x_end
                        )
                    ]
                    if in_label_column:
                        break
                    if not cont:
                        continue  # a row with nothing in this column (the seal's text)
                    if cont[0].cy - last_y > 2.2 * height:
                        break
                    if _ISSUE_DATE.fullmatch(clean(cont[0].text)):
                        break  # the registration date under the authority's seal
                    parts.extend(field_from_line(ln) for ln in cont)
                    last_y = cont[0].cy
            out[fname] = join_fields(parts)
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
            value = tidy(clean(r.value), full_width=True) if r.value else None
            tidied = RawField(value, r.probs, r.alts, r.box)
            fields[fname] = reading(tidied, text_confidence(tidied, _SHAPES.get(fname)), None)
        # The fields only some formats print are left out where nothing was read.
        ordered = {
            name: fields[name]
            for name in FIELD_NAMES
            if name not in _FORMAT_FIELDS or fields[name].value is not None
        }
        return Checked(ordered, tuple(warnings), {})


KIND = BusinessLicense()
