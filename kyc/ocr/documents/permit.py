"""Residents' permits (shared by two types): 港澳居民来往内地通行证 (``hk_macao_permit``)
and 台湾居民来往大陆通行证 (``taiwan_permit``).

Fields by their labels (kyc/ocr/documents/certificate_fields.py): 姓名 with the Latin name on the
line under it ("CHAN, TAI MAN"), 出生日期, 性别, 有效期限 (start-end), 签发机关, and the
number under 证件号码 or, where the card prints it alone, by its shape anywhere on the
card. Validation: the number's shape (H or M and 8 digits for Hong Kong / Macao, with
an older two-digit renewal suffix; 8 digits for Taiwan, 10 on older cards), dates, a
term of the legal length (5 or 10 years, ending on the anniversary or the day before),
a birth date before the term, EXPIRED after it. A permit number has no check
character: it is confident only as far as its characters were read confidently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kyc.ocr.documents.base import (
    MISSING,
    Checked,
    RawField,
    clean,
    field_from_line,
    reading,
    text_confidence,
    the_one,
    tidy,
)
from kyc.ocr.documents.certificate_fields import (
    Spec,
    labelled_fields,
    latin_name_line,
    split_inner_labels,
    trim_overprint,
)
from kyc.ocr.layout import Line, rows
from kyc.ocr.types import FieldReading
from kyc.ocr.validate import DATE_SEP, TERM_DATE, add_years, parse_date

FIELD_NAMES = (
    "permit_number",
    "name",
    "name_latin",
    "sex",
    "birth_date",
    "valid_from",
    "valid_until",
    "issuing_authority",
)
_DATE_SHAPE = re.compile(r"\d{4}\D{0,2}\d{1,2}\D{0,2}\d{1,2}")
SPECS: dict[str, Spec] = {
    "permit_number": Spec(("证件号码",), shape=re.compile(r"[0-9A-Z]{8,}")),
    # hanzi, and at most one stray mark after them (梁敏“: the quote is no character)
    "name": Spec(("姓名",), shape=re.compile(r"^[\u4e00-\u9fff·]{2,}[^\w·]?$")),
    "sex": Spec(("性别",), shape=re.compile(r"[男女]")),
    "birth_date": Spec(("出生日期",), shape=_DATE_SHAPE),
    "term": Spec(("有效期限",), shape=_DATE_SHAPE),
    "issuing_authority": Spec(("签发机关",), shape=re.compile(r"[\u4e00-\u9fff]{4,}")),
}
STOPS = ("换证次数", "签发次数")
_LABELS = frozenset([*STOPS, *(lab for spec in SPECS.values() for lab in spec.labels)])
# What follows a name's hanzi and is no part of it (a stray quote or stop).
_NAME_TAIL = re.compile(r"[^\u4e00-\u9fff·]+$")
# Issuers of the permits: the Ministry of Public Security's exit-entry bureau, the
# National Immigration Administration (since 2018), a provincial public-security
# department's exit-entry division.
_ISSUER = re.compile(
    r"公安部出入境管理局|国家移民管理局|.{2,8}(公安厅|公安局)(出入境管理(局|处|总队))?"
)
_DATE = TERM_DATE
_TERM = re.compile(_DATE + r"\s*[-—–~至一]+\s*" + _DATE)
# a date standing alone, its separators printed (eight bare digits are a number)
_ONE_DATE = re.compile(rf"\d{{4}}\s*[{DATE_SEP}]\s*\d{{2}}\s*[{DATE_SEP}]\s*\d{{2}}")
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,8}$")


_LONE_SEX = re.compile(r"[性别]?[男女]")


@dataclass(frozen=True)
class Permit:
    name: str
    keywords: tuple[str, ...]
    number_shape: re.Pattern[str]  # the whole number
    number_search: re.Pattern[str]  # a number inside a line (by content)
    excludes: tuple[str, ...]
    terms: tuple[int, ...]  # legal terms in years
    field_names: tuple[str, ...] = FIELD_NAMES
    min_score: int = 3

    @property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        return (self.number_search,)

    def extract(self, lines: Sequence[Line]) -> dict[str, RawField]:
        out = labelled_fields(lines, SPECS, STOPS)
        number = out["permit_number"]
        if not number.value or not self.number_shape.fullmatch(_compact(number.value)):
            found = self._number_by_shape(lines)
            if found is not MISSING:
                out["permit_number"] = found
        out["name_latin"] = latin = latin_name_line(lines)
        if out["name"] is MISSING and latin.box is not None:
            # no 姓名 label read: the name is the line of hanzi right above the Latin name,
            # in its column (a watermark's 供 read onto the label's 姓, 供姓, stood in the
            # label column beside the name, a little lower)
            latin_x0, latin_cy = latin.box[0], (latin.box[1] + latin.box[3]) / 2
            above = [
                ln
                for ln in lines
                if 0 < latin_cy - ln.cy < 2.5 * ln.height
                and _HAN_NAME.match(clean(ln.text))
                and clean(ln.text) not in _LABELS  # the label itself, its value unread
            ]
            if above:
                out["name"] = field_from_line(min(above, key=lambda ln: abs(ln.x0 - latin_x0)))
        if out["birth_date"] is MISSING:
            # no 出生日期 label read: a permit prints one single date, the birth date (its
            # other dates are the term's pair); a label read on after it on its line
            # (2004.08.20性别) is cut off first
            pieces = [p for row in rows(lines) for p in split_inner_labels(row, list(_LABELS))]
            out["birth_date"] = the_one(
                pieces, lambda t: bool(_ONE_DATE.fullmatch(t) and not _TERM.search(t))
            )
        # No 有效期限 or 签发机关 label read (a watermark over it, 机关 boxed apart from
        # 签发): a permit prints one pair of dates, its term, and one issuer's name, each
        # recognisable by its own form; the check then judges them as it judges values
        # found by their labels (a term of a legal length, an issuer it knows).
        if out["term"] is MISSING:
            out["term"] = the_one(lines, lambda t: bool(_TERM.search(t)))
        if out["issuing_authority"] is MISSING:
            out["issuing_authority"] = the_one(lines, _ISSUER.fullmatch)
        if out["sex"] is MISSING:
            # no 性别 label read (its 别 lost: 性 alone above 男): the one line that is 男
            # or 女 alone, which no other field of a permit is, or with a character of
            # the spaced label boxed with it (性男: 性 and the 男 under it in one box, 别
            # alone on the label's row)
            out["sex"] = the_one(lines, _LONE_SEX.fullmatch)
        return out

    def _number_by_shape(self, lines: Sequence[Line]) -> RawField:
        for ln in lines:
            keep = [i for i, ch in enumerate(ln.text) if not ch.isspace()]
            text = "".join(ln.text[i] for i in keep).upper()
            m = self.number_search.search(text)
            if m:
                return field_from_line(ln, keep[m.start()], keep[m.end() - 1] + 1)
        return MISSING

    def check(self, raw: dict[str, RawField], today: dt.date) -> Checked:
        warnings: list[str] = []
        fields: dict[str, FieldReading] = {}
        num = raw["permit_number"]
        number = _compact(num.value) if num.value else None
        shaped = bool(number and self.number_shape.fullmatch(number))
        conf = num.ocr_confidence if shaped else min(num.ocr_confidence, 0.5)
        fields["permit_number"] = reading(
            RawField(number, num.probs, num.alts, num.box), conf, shaped if number else None
        )
        n = raw["name"]
        text = _NAME_TAIL.sub("", tidy(clean(n.value))) if n.value else None
        han = RawField(text or None, n.probs, n.alts, n.box) if n.value else n
        name_cut = False
        if han.value:
            trimmed, name_cut = trim_overprint(han.value)
            han = RawField(trimmed or None, han.probs, han.alts, han.box)
        conf = text_confidence(han, "person_name")
        fields["name"] = reading(han, min(conf, 0.75) if name_cut else conf, None)
        lat = raw["name_latin"]
        latin = re.sub(r"\s+", " ", re.sub(r"[,，]", " ", lat.value.upper())).strip() if lat.value \
            else None  # fmt: skip
        fields["name_latin"] = reading(
            RawField(latin, lat.probs, lat.alts, lat.box), lat.ocr_confidence, None
        )
        s = raw["sex"]
        sex = next((ch for ch in (s.value or "") if ch in "男女"), None)
        fields["sex"] = reading(
            RawField(sex, s.probs, (), s.box),
            s.ocr_confidence if sex else 0.0,
            True if sex else None,
        )
        b = raw["birth_date"]
        birth = parse_date(b.value or "")
        born_ok = birth is not None and dt.date(1900, 1, 1) <= birth <= today
        fields["birth_date"] = reading(
            RawField(birth.isoformat() if birth else b.value, b.probs, (), b.box),
            text_confidence(b) if born_ok else min(text_confidence(b), 0.5),
            born_ok if b.value else None,
        )
        term = raw["term"]
        m = _TERM.search(term.value or "")
        start = end = None
        if m:
            start = _date(m.group(1), m.group(2), m.group(3))
            end = _date(m.group(4), m.group(5), m.group(6))
        term_ok = start is not None and end is not None and _legal_term(start, end, self.terms)
        if birth is not None and start is not None and start < birth:
            term_ok = False
        t_conf = text_confidence(term) if term_ok else min(text_confidence(term), 0.5)
        fields["valid_from"] = reading(
            RawField(start.isoformat() if start else None, term.probs, (), term.box),
            t_conf,
            term_ok if start else None,
        )
        fields["valid_until"] = reading(
            RawField(end.isoformat() if end else None, term.probs, (), term.box),
            t_conf,
            term_ok if end else None,
        )
        if end is not None and end < today:
            warnings.append("EXPIRED")
        a = raw["issuing_authority"]
        auth = RawField(tidy(clean(a.value)) or None, a.probs, a.alts, a.box) if a.value else a
        if auth.value:
            auth = RawField(trim_overprint(auth.value)[0] or None, a.probs, a.alts, a.box)
        known = bool(auth.value and _ISSUER.fullmatch(auth.value))
        whole = bool(auth.value and auth.value.endswith(("局", "厅", "处")))
        fields["issuing_authority"] = reading(
            auth,
            text_confidence(auth) if whole else min(text_confidence(auth), 0.75),
            known or None,
        )
        facts: dict[str, str] = {}
        if birth is not None:
            facts["birth_date"] = birth.isoformat()
        if end is not None:
            facts["valid_until"] = end.isoformat()
        return Checked({k: fields[k] for k in FIELD_NAMES}, tuple(warnings), facts)


def _compact(text: str) -> str:
    return re.sub(r"[\s\-_.·]", "", text).upper()


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def _legal_term(start: dt.date, end: dt.date, terms: Sequence[int]) -> bool:
    """A term of one of the legal lengths, ending on the anniversary or the day before."""
    return any(
        end in (add_years(start, years), add_years(start, years) - dt.timedelta(days=1))
        for years in terms
    )
