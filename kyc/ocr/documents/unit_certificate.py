"""Registration certificates of units that are not companies (shared by three types):
事业单位法人证书 (``institution_certificate``), 社会团体法人登记证书
(``social_group_certificate``) and 民办非企业单位登记证书
(``private_non_enterprise_certificate``).

Each prints an 18-character unified social credit code whose first two characters are
the registration authority and the class of unit (GB 32100: 12 public institutions,
51 social groups, 52 private non-enterprise units); a code that passes its check but
carries another type's prefix is reported not valid. Fields are found by their labels
(kyc/ocr/documents/certificate_fields.py); the validity term (有效期 自…至…) gives ``valid_from``
and ``valid_until``; a term that has ended raises EXPIRED. A field the type does not
print is not reported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kyc.ocr.documents.base import (
    CAPITAL,
    CAPITAL_CHARS,
    MISSING,
    REPAIR_DOUBT,
    SEAL_TAIL,
    TERM_LINE,
    Checked,
    RawField,
    checked_address,
    clean,
    code_reading,
    field_from_line,
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
from kyc.ocr.documents.certificate_fields import (
    Spec,
    labelled_fields,
    open_ended,
    trim_overprint,
)
from kyc.ocr.documents.codes import find_code
from kyc.ocr.layout import Line
from kyc.ocr.regions import (
    PLACE_REPAIR_CAP,
    leading_place_known,
    leading_place_repaired,
    place_one_off,
)
from kyc.ocr.types import FieldReading
from kyc.ocr.validate import CodeRead, add_years, parse_date, read_credit_code

TITLES = {
    "institution_certificate": "事业单位法人证书",
    "social_group_certificate": "社会团体法人登记证书",
    "private_non_enterprise_certificate": "民办非企业单位登记证书",
}
PREFIX = {
    "institution_certificate": "12",
    "social_group_certificate": "51",
    "private_non_enterprise_certificate": "52",
}
# Labels of every unit certificate (one table: a label means the same on each).
SPECS: dict[str, Spec] = {
    "name": Spec(("名称",), multiline=True),
    "purpose_and_scope": Spec(("宗旨和业务范围",), multiline=True),
    "business_scope": Spec(("业务范围",), multiline=True),
    "address": Spec(("住所",), multiline=True),
    "legal_representative": Spec(("法定代表人", "单位负责人")),
    "funding_source": Spec(("经费来源",)),
    "capital": Spec(("开办资金", "注册资金"), shape=re.compile(r"元")),
    "sponsor": Spec(("举办单位",), multiline=True),
    "supervisor": Spec(("业务主管单位",), multiline=True),
    "activity_area": Spec(("活动地域",)),
    "registration_authority": Spec(("登记管理机关", "发证机关")),
    "term": Spec(("有效期限", "有效期"), multiline=True, shape=re.compile(r"\d{4}")),
}
STOPS = ("统一社会信用代码", "证书编号", "证书号")
_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日?|\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2}")
_UNIT_NAME_END = re.compile(r"(院|校|学|馆|所|中心|站|台|会|园|局|社|部|队|处)$")
_AUTHORITY_END = re.compile(r"(局|厅|委员会|办公室|部|民政局)$")
_CODE_LABELS = ("统一社会信用代码",)


# The registration authority of a unit: a 事业单位登记管理局 (institutions), a 民政局
# (social groups, private non-enterprise units), an establishment committee's office;
# its name starts with the place it serves.
_AUTHORITY = re.compile(r"([\u4e00-\u9fff]{2,16}?)(事业单位登记管理局|民政局|编制委员会办公室)")


def authority_span(text: str, places: str) -> tuple[int, int] | None:
    """Where an authority's name starts and ends in ``text`` (which may begin with what
    is left of its label, or a seal's characters, and end with up to SEAL_TAIL of a
    seal's): the first position from which a place named in ``places`` (the
    certificate's address, sponsor, supervisor) and an authority's suffix follow."""
    for start in range(len(text)):
        m = _AUTHORITY.match(text, start)
        if m and len(text) - m.end() <= SEAL_TAIL and _names_place(m.group(1), places):
            return start, m.end()
    return None


_ADMIN_END = "省市区县州旗盟"


def _names_place(place: str, text: str) -> bool:
    """Whether ``text`` names ``place`` as a whole: where it starts, or after the end of
    a larger division (广东省|广州市), not inside another name (州市 in 广州市)."""
    at = text.find(place)
    while at >= 0:
        if at == 0 or text[at - 1] in _ADMIN_END:
            return True
        at = text.find(place, at + 1)
    return False


def _authority_by_content(lines: Sequence[Line], found: dict[str, RawField]) -> RawField:
    """The registration authority where its label was not read (a seal over it): the
    text of an authority's name below every field read, where the certificate prints
    it, whose place the certificate names elsewhere."""
    bottom = max((f.box[3] for f in found.values() if f.box), default=None)
    places = "".join(found[k].value or "" for k in _PLACE_FIELDS if k in found)
    if bottom is None or not places:
        return MISSING
    for ln in sorted(lines, key=lambda ln: ln.cy):
        if ln.y0 < bottom:
            continue
        span = authority_span(ln.text, places)
        if span is not None:
            return field_from_line(ln, *span)
    return MISSING


# The fields that name an organisation (its place first, as a rule).
_ORG_FIELDS = ("name", "supervisor", "sponsor")
# ... and the fields whose first word is a place a code names (楚雄葬族自治州, 彝 misread,
# had come back at 0.95 as an activity area).
_PLACE_FIRST = (*_ORG_FIELDS, "activity_area")
_PLACE_FIELDS = ("address", "sponsor", "supervisor", "name", "activity_area")


def _credit(raw: RawField) -> CodeRead:
    return read_credit_code(raw.value or "", raw.probs, raw.alts)


def _capped(raw: RawField, ok: bool) -> float:
    conf = text_confidence(raw)
    return conf if ok else min(conf, 0.75)


@dataclass(frozen=True)
class UnitCertificate:
    """One of the three unit certificates; ``fields`` in the order of DESIGN.md."""

    name: str
    field_names: tuple[str, ...]
    keywords: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    excludes: tuple[str, ...]
    min_score: int = 3

    def extract(self, lines: Sequence[Line]) -> dict[str, RawField]:
        specs = {k: v for k, v in SPECS.items() if k in self.field_names or k == "term"}
        stops = (*STOPS, *(lab for k, v in SPECS.items() if k not in specs for lab in v.labels))
        out = labelled_fields(lines, specs, stops)
        out["credit_code"] = find_code(lines, _CODE_LABELS, 18, _credit)
        if out["registration_authority"] is MISSING:
            out["registration_authority"] = _authority_by_content(lines, out)
        if out["term"] is MISSING:
            # no 有效期限 label read (cut off, under a stamp): the term is the one line
            # shaped as one, 自…年…月…日至…年…月…日
            out["term"] = the_one(lines, TERM_LINE.fullmatch)
        if "capital" in specs and out["capital"] is MISSING:
            # no 开办资金 label read: the capital is the one line shaped as an amount of
            # money (人民币100万元), which no other field of a unit certificate is
            out["capital"] = the_one(lines, CAPITAL.fullmatch)
        return out

    def check(self, raw: dict[str, RawField], today: dt.date) -> Checked:
        warnings: list[str] = []
        fields: dict[str, FieldReading] = {}
        code_raw = raw.get("credit_code", MISSING)
        code = _credit(code_raw)
        fields["credit_code"], mismatch = code_reading(code_raw, code)
        if mismatch:
            warnings.append("CHECKSUM_MISMATCH")
        f = fields["credit_code"]
        if f.value and f.valid and not f.value.startswith(PREFIX[self.name]):
            # A valid code of another kind of unit: misread, or not this certificate.
            fields["credit_code"] = FieldReading(f.value, min(f.confidence, 0.5), False, f.box)
        for name in self.field_names:
            if name in fields or name in ("valid_from", "valid_until"):
                continue
            fields[name] = self._text_field(name, raw.get(name, MISSING))
        cc = fields["credit_code"]
        county = cc.value[2:8] if cc.valid and cc.value else None
        if "address" in fields:
            fields["address"] = checked_address(fields["address"], county)
        for name in open_ended(raw):
            if name in fields and fields[name].value:
                f = fields[name]
                fields[name] = FieldReading(f.value, min(f.confidence, 0.75), f.valid, f.box)
        address = (fields["address"].value if "address" in fields else None) or ""
        for name in _PLACE_FIRST:
            org = fields.get(name)
            if org is None or not org.value or leading_place_known(org.value) is not False:
                continue
            # a place no code names: misread; where the read is doubtful and one
            # character off the place the address names (燕岭县 for 蕉岭县), that place
            doubtful = org.confidence < REPAIR_DOUBT
            fixed = leading_place_repaired(org.value, address) if doubtful else None
            value, cap = (fixed, PLACE_REPAIR_CAP) if fixed else (org.value, 0.8)
            fields[name] = FieldReading(value, min(org.confidence, cap), org.valid, org.box)
        auth = fields["registration_authority"]
        places = "".join(fields[k].value or "" for k in _PLACE_FIELDS if k in fields)
        if auth.value:
            # the name starts where a place this certificate names does and ends with its
            # suffix: a character of the label or the seal read before it, and a seal's
            # one or two after it, are dropped (and the name is less sure); a name whose
            # place is not found (its first characters under the seal) is not confident
            span = authority_span(auth.value, places)
            value, cap = auth.value, 0.75
            if span is not None:
                value = auth.value[span[0] : span[1]]
                cap = 1.0 if value == auth.value else 0.85
            m = _AUTHORITY.fullmatch(value) if span is None else None
            known = place_one_off(m.group(1), places) if m else None
            if m and known and (auth.confidence < REPAIR_DOUBT or len(known) > len(m.group(1))):
                # its place one character off a place the certificate names: misread where
                # the read is doubtful (远安具民政局 under an address in 远安县), or its
                # first character lost under the seal (州市… under an address in 梅州市;
                # no character read is replaced)
                value, cap = known + m.group(2), 0.85
            fields["registration_authority"] = FieldReading(
                value,
                min(auth.confidence, cap),
                None,
                auth.box,
            )
        start, end, long_term, term = self._term(raw.get("term", MISSING))
        plausible = (
            start is not None
            and (long_term or (end is not None and start < end <= add_years(start, 10)))
            and start <= today
        )
        conf = text_confidence(term) if plausible else min(text_confidence(term), 0.5)
        valid = plausible if term.value else None
        until_text = "long_term" if long_term else (end.isoformat() if end else None)
        fields["valid_from"] = reading(
            RawField(start.isoformat() if start else None, term.probs, (), term.box),
            conf,
            valid,
        )
        fields["valid_until"] = reading(RawField(until_text, term.probs, (), term.box), conf, valid)
        if end is not None and end < today:
            warnings.append("EXPIRED")
        facts = {"valid_until": until_text} if until_text else {}
        ordered = {name: fields[name] for name in self.field_names}
        return Checked(ordered, tuple(warnings), facts)

    @staticmethod
    def _text_field(name: str, r: RawField) -> FieldReading:
        if name == "capital":
            r = repaired(r, CAPITAL_CHARS, CAPITAL)
        keep = scope_items if name in ("purpose_and_scope", "business_scope") else clean
        value = tidy(keep(r.value), full_width=True) if r.value else None
        if value and name == "legal_representative":
            value = name_dashes(value)
        value = value or None
        t = RawField(value, r.probs, r.alts, r.box)
        if value is None:
            return reading(t, 0.0, None)
        value, cut = trim_overprint(value)
        if cut:  # a watermark's words read onto the value: what they covered is unsure
            t = RawField(value or None, r.probs, r.alts, r.box)
            return reading(t, min(text_confidence(t), 0.75), None)
        cap = 1.0
        freed = without_stray_place_mark(value, r) if name in _ORG_FIELDS else None
        if freed is not None and freed.value:  # a stray mark before the place
            t, value, cap = freed, freed.value, PLACE_REPAIR_CAP
        if name == "name":
            ok = bool(_UNIT_NAME_END.search(value))
            return reading(t, min(_capped(t, ok), cap), None)
        if name == "capital":
            # the yen sign as Chinese certificates print it (full width)
            value = value.replace("¥", "￥")
            t = RawField(value, r.probs, r.alts, r.box)
            ok = bool(CAPITAL.match(value)) and looks_complete("amount", value)
            return reading(t, _capped(t, ok), ok)
        if name == "registration_authority":
            return reading(t, _capped(t, bool(_AUTHORITY_END.search(value))), None)
        # (trimmed of a label's remains in check())
        if name in ("purpose_and_scope", "business_scope"):
            # the enumeration comma read as the radical 丶 or a middle dot, which no
            # scope prints
            t = RawField(value.replace("丶", "、").replace("·", "、"), r.probs, r.alts, r.box)
        shape = {
            "purpose_and_scope": "scope",
            "business_scope": "scope",
            "address": "address",
            "legal_representative": "person_name",
            "sponsor": "organisation",
            "supervisor": "organisation",
            "activity_area": "place",
        }.get(name)
        return reading(t, min(text_confidence(t, shape), cap), None)

    @staticmethod
    def _term(term: RawField) -> tuple[dt.date | None, dt.date | None, bool, RawField]:
        text = term.value or ""
        dates = [parse_date(m.group()) for m in _DATE.finditer(text)]
        start = dates[0] if dates else None
        long_term = "长期" in text
        end = dates[1] if len(dates) > 1 and not long_term else None
        return start, end, long_term, term


def make(kind: str, keywords: tuple[str, ...], field_names: tuple[str, ...]) -> UnitCertificate:
    others = tuple(t for k, t in TITLES.items() if k != kind)
    code = re.compile(rf"(?<![0-9A-Z]){PREFIX[kind]}\d{{6}}[0-9A-Z]{{10}}(?![0-9A-Z])")
    return UnitCertificate(
        name=kind,
        field_names=field_names,
        # the code's label too: a page's top corner, code and label, found apart from
        # the rest, is this certificate's (its code's prefix) more than a license's
        keywords=(TITLES[kind], "统一社会信用代码", *keywords),
        patterns=(code,),
        excludes=(*others, "营业执照"),
    )
