"""Resident ID card, back (emblem side): 签发机关, 有效期限."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from kyc.ocr.documents.base import (
    MISSING,
    NOT_AN_ID_CARD,
    SEAL_TAIL,
    Checked,
    RawField,
    clean,
    field_from_line,
    reading,
    strip_label,
    text_confidence,
    tidy,
)
from kyc.ocr.documents.labelled import drop_overlapped_junk
from kyc.ocr.layout import Line, rows
from kyc.ocr.regions import authority_known
from kyc.ocr.types import FieldReading
from kyc.ocr.validate import TERM_DATE, add_years, expected_term_years, parse_date

NAME = "id_card_back"
FIELD_NAMES = ("issuing_authority", "valid_from", "valid_until")
KEYWORDS = ("中华人民共和国", "居民身份证", "签发机关", "有效期限")

_DATE = TERM_DATE
_DASH = r"\s*[-—–~至一]+\s*"
# (before 长期 the dash may be lost: 2016.12.05长期 ends where the date does)
_TERM = re.compile(_DATE + r"(?:" + _DASH + _DATE + r"|\s*[-—–~至一]*\s*(长期))")
# What is left of a term when glare or an edge hides one end of it.
_TERM_START = re.compile(_DATE + _DASH)
_TERM_END = re.compile(_DASH + r"(?:" + _DATE + r"|(长期|长|期))$")


class IdCardBack:
    name = NAME
    field_names = FIELD_NAMES
    keywords = KEYWORDS
    patterns = (re.compile(r"\d{4}\.\d{2}\.\d{2}-(\d{4}\.\d{2}\.\d{2}|长期)"),)
    min_score = 2
    excludes = NOT_AN_ID_CARD

    def extract(self, lines: Sequence[Line]) -> dict[str, RawField]:
        out: dict[str, RawField] = dict.fromkeys(FIELD_NAMES, MISSING)
        term_line: Line | None = None
        for ln in lines:
            m = _TERM.search(ln.text)
            if m:
                term_line = ln
                a, b = m.span(1)[0], m.span(3)[1]
                out["valid_from"] = field_from_line(ln, a, b)
                if m.group(7):
                    s, e = m.span(7)
                else:
                    s, e = m.span(4)[0], m.span(6)[1]
                out["valid_until"] = field_from_line(ln, s, e)
                break
        if term_line is None:
            term_line = self._partial_term(lines, out)
        # (a small, unlikely reading boxed over the label's end and the value's start,
        # a watermark's piece, is no value)
        for row in map(drop_overlapped_junk, rows(lines)):
            for i, ln in enumerate(row):
                found = strip_label(ln, ["签发机关"])
                if not found:
                    continue
                rest = found[1]
                if clean(rest.text):
                    out["issuing_authority"] = field_from_line(rest)
                elif i + 1 < len(row):
                    out["issuing_authority"] = field_from_line(row[i + 1])
        if out["issuing_authority"] is MISSING and term_line is not None:
            # No label read: the authority is the row right above the validity term.
            above = [ln for ln in lines if ln.cy < term_line.cy - 0.5 * ln.height]
            near = [ln for ln in above if "公安" in ln.text]
            if near:
                nearest = max(near, key=lambda ln: ln.cy)
                if term_line.cy - nearest.cy < 2.5 * nearest.height:
                    out["issuing_authority"] = field_from_line(nearest)
        return out

    @staticmethod
    def _partial_term(lines: Sequence[Line], out: dict[str, RawField]) -> Line | None:
        """Read what is legible of a term whose start or end is hidden: the start date
        before a dash, or the end date (or what is left of 长期) after one. The check
        then reports the term as not valid. A term boxed in two pieces on its row (限
        2026.08.10- and -2046.08.10) is read from both."""
        found: Line | None = None
        for ln in lines:
            if found is not None and abs(ln.cy - found.cy) > 0.5 * max(ln.height, found.height):
                continue  # another row: not the other piece of this term
            start = _TERM_START.search(ln.text.strip())
            end = _TERM_END.search(ln.text.strip())
            if not (start or end):
                continue
            offset = len(ln.text) - len(ln.text.lstrip())
            if start and out["valid_from"] is MISSING:
                a, b = start.span(1)[0], start.span(3)[1]
                out["valid_from"] = field_from_line(ln, offset + a, offset + b)
            if end and out["valid_until"] is MISSING:
                s, e = end.span(4) if end.group(4) else (end.span(1)[0], end.span(3)[1])
                out["valid_until"] = field_from_line(ln, offset + s, offset + e)
            found = found or ln
        return found

    def check(self, raw: dict[str, RawField], today: dt.date) -> Checked:
        warnings: list[str] = []
        vf, vu = raw["valid_from"], raw["valid_until"]
        start = parse_date(vf.value or "")
        # "长" or "期" alone: the rest of 长期 is hidden; read as long-term, not valid.
        guessed = vu.value in ("长", "期")
        long_term = vu.value == "长期" or guessed
        end = None if long_term else parse_date(vu.value or "")
        valid_term = start is not None and (long_term or end is not None) and not guessed
        if start is not None and end is not None:
            years = end.year - start.year
            valid_term = years in (5, 10, 20) and add_years(start, years) == end
        auth = raw["issuing_authority"]
        if auth.value:
            auth = RawField(tidy(auth.value) or None, auth.probs, auth.alts, auth.box)
        fields = {
            "issuing_authority": _authority(auth, text_confidence(raw["issuing_authority"])),
            "valid_from": reading(
                RawField(start.isoformat() if start else vf.value, vf.probs, (), vf.box),
                text_confidence(vf) if valid_term else min(text_confidence(vf), 0.5),
                valid_term if vf.value else None,
            ),
            "valid_until": reading(
                RawField(
                    "long_term" if long_term else (end.isoformat() if end else vu.value),
                    vu.probs,
                    (),
                    vu.box,
                ),
                text_confidence(vu) if valid_term else min(text_confidence(vu), 0.5),
                valid_term if vu.value else None,
            ),
        }
        if end is not None and end < today:
            warnings.append("EXPIRED")
        facts = {"valid_from": start.isoformat()} if start else {}
        if end is not None:
            facts["valid_until"] = end.isoformat()
        elif long_term:
            facts["valid_until"] = "long_term"
        return Checked(fields, tuple(warnings), facts)


_TAILED = re.compile(rf"(.+公安局(?:.+?分局)?)(.{{1,{SEAL_TAIL}}})")
# (a value cut back to the authority it holds is not confident: the cut is a guess at
# where the seal's ink began)
CUT_CAP = 0.85


def _authority(auth: RawField, conf: float) -> FieldReading:
    """The issuing authority, valid when it names real places (a misread place name, 韩西县
    for 越西县, is not confident however sure its characters). A known authority with up
    to SEAL_TAIL characters after it (奇台县公安局有限: a company seal's ring stamped
    over the value, boxed with it) is that authority."""
    tailed = _TAILED.fullmatch(auth.value or "")
    if tailed and authority_known(auth.value or "") is None and authority_known(tailed[1]):
        auth = RawField(tailed[1], auth.probs, auth.alts, auth.box)
        conf = min(conf, CUT_CAP)
    known = authority_known(auth.value) if auth.value else None
    if known is False:
        return reading(auth, min(conf, 0.8), False)
    return reading(auth, conf, ("公安" in (auth.value or "")) or None)


def term_fits_age(birth: dt.date, valid_from: dt.date, valid_until: str) -> bool:
    """Whether the card's term is the legal one for the holder's age at issue."""
    years = expected_term_years(birth, valid_from)
    if years is None:
        return valid_until == "long_term"
    return valid_until == add_years(valid_from, years).isoformat()


KIND = IdCardBack()
