"""Passport data page (PRC and foreign): the two-line machine-readable zone read and
checked by its ICAO 9303 check digits (kyc/ocr/mrz.py), cross-checked with the printed
(visual) zone.

- ``passport_number``, ``birth_date``, ``expiry_date``: from the MRZ, ``valid`` = its
  check digit holds; confident only when the check holds as read (not repaired) and
  the printed value agrees; a birth date (or sex) the printed zone contradicts is not
  valid. A check that fails is returned as read, not valid, with CHECKSUM_MISMATCH.
- ``mrz``: the two lines as printed, joined by a newline; ``valid`` = the composite check.
- ``name_latin`` ("SURNAME GIVEN NAMES"), ``nationality`` and ``issuing_country``
  (3-letter codes, ISO 3166-1 or ICAO's own): no check digit covers them, so they are
  confident only when two readings agree (the MRZ and the printed zone, or the two MRZ
  lines).
- ``name``: the Chinese name where the page prints one (PRC passports), else null.
- Without a legible MRZ, or where its date is no date, the printed values are reported,
  never confidently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import replace
from difflib import SequenceMatcher
from functools import reduce

from iso3166 import countries_by_alpha3

from kyc.ocr import mrz
from kyc.ocr.documents.base import (
    MISSING,
    Checked,
    RawField,
    field_from_line,
    reading,
    text_confidence,
)
from kyc.ocr.documents.certificate_fields import Spec, labelled_fields, latin_name_line
from kyc.ocr.layout import Line, join_lines, rows
from kyc.ocr.pinyin import spells
from kyc.ocr.types import FieldReading

NAME = "passport"
FIELD_NAMES = (
    "passport_number",
    "name",
    "name_latin",
    "sex",
    "nationality",
    "birth_date",
    "expiry_date",
    "issuing_country",
    "mrz",
)
KEYWORDS = (
    "护照",
    "PASSPORT",
    "Passport",
    "国家码",
    "CountryCode",
    "Surname",
    "Givennames",
    "Dateofbirth",
    "Dateofexpiry",
    "Nationality",
    "有效期至",
    "出生地点",
)
ICAO_CODES = mrz.ICAO_CODES
# A name whose hanzi and pinyin disagree: doubtful, whichever side holds the misreading.
NAMES_DISAGREE = 0.6
# A Latin name of which only the surname or only the given names were read, with no
# machine-readable zone to tell whether the other was printed.
HALF_NAME = 0.5
# Line 1's name where the printed zone's one half that was read agrees with its half.
HALF_CONFIRMED = 0.85

# ICAO 9303 prints the holder's names in Latin letters on every data page, a national
# script beside them where it has one (王 WANG): a line under 姓/Surname or 名/Given names
# with no Latin letters is not that name (a seal's ring text, 有限公司业, on the label's
# row beside 名/Given names was read as the given name, the name under the label left).
_LATIN_NAME = re.compile(r"[A-Z]{2}")
# The national script of a name boxed apart from its Latin letters (黄 | HUANG).
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff·]{1,4}$")

SPECS: dict[str, Spec] = {
    "number": Spec(("护照号", "PassportNo.", "No.dupasseport", "Passportnumber")),
    "name": Spec(("姓名",)),
    "surname": Spec(("姓", "Surname", "Nom"), shape=_LATIN_NAME, lead=_HAN_NAME),
    "given": Spec(("名", "Givennames", "Prénoms"), shape=_LATIN_NAME, lead=_HAN_NAME),
    "sex": Spec(("性别", "Sexe", "Sex")),
    "birth": Spec(("出生日期", "Dateofbirth", "Datedenaissance")),
    "expiry": Spec(("有效期至", "Dateofexpiry", "Dated'expiration")),
    "code": Spec(("国家码", "CountryCode", "Code")),
    "nationality": Spec(("国籍", "Nationality", "Nationalité")),
}
STOPS = (
    "类型", "Type", "出生地点", "Placeofbirth", "Lieudenaissance", "签发地点", "Placeofissue",
    "签发日期", "Dateofissue", "Datededélivrance", "签发机关", "Authority", "Autorité",
)  # fmt: skip

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DATE_MON = re.compile(r"(\d{1,2})\s*(?:\d{1,2}\s*月\s*[/／]?\s*)?([A-Z]{3})[A-Z]*\s*(\d{4})")
_DATE_NUM = re.compile(r"(\d{1,2})\s*[./\-]\s*(\d{1,2})\s*[./\-]\s*(\d{4})")
_DATE_ISO = re.compile(r"(\d{4})\s*[./\-]\s*(\d{1,2})\s*[./\-]\s*(\d{1,2})")
_HAN = re.compile(r"[\u4e00-\u9fff·]+")


def is_country(code: str) -> bool:
    return mrz.is_state(code)


def printed_date(text: str) -> dt.date | None:
    """A date as a travel document prints it: ``11 JUL 1974``, ``11 7月/JUL 1974``,
    ``11.07.1974`` (day first), ``1974-07-11``."""
    t = text.upper()
    try:
        m = _DATE_MON.search(t)
        if m and m.group(2) in _MONTHS:
            return dt.date(int(m.group(3)), _MONTHS.index(m.group(2)) + 1, int(m.group(1)))
        m = _DATE_ISO.search(t)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _DATE_NUM.search(t)
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    return None


def mrz_date(yymmdd: str, today: dt.date, past: bool) -> dt.date | None:
    """A YYMMDD date of the MRZ: a birth date (``past``) in the century that puts it
    before today, an expiry date in this century unless that is more than 50 years on."""
    if not yymmdd.isdigit() or len(yymmdd) != 6:
        return None
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    century = 2000 if (not past or 2000 + yy <= today.year) else 1900
    if not past and 2000 + yy > today.year + 50:
        century = 1900
    try:
        day = dt.date(century + yy, mm, dd)
    except ValueError:
        return None
    if past and day > today:
        try:
            day = dt.date(century - 100 + yy, mm, dd)
        except ValueError:
            return None
    return day


def _sex(text: str | None) -> str | None:
    if not text:
        return None
    t = text.upper()
    latin = re.findall(r"(?<![A-Z])[MFX](?![A-Z])", t)
    han = "M" if "男" in t else "F" if "女" in t else None
    if latin and han and latin[-1] != han:
        return None  # 男/F: the two halves disagree
    return latin[-1] if latin else han


def _mrz_rows(lines: Sequence[Line]) -> tuple[RawField, RawField]:
    """The two MRZ lines: each row's lines joined left to right, the row that reads as
    line 1 and the row that reads as line 2 (below it when both are found). A row whose
    first line is line 1 to the end of its name is line 1 whatever its other lines read
    as (its fillers boxed apart and read as a run of something else)."""
    one: Line | None = None
    two: Line | None = None
    for row in rows(lines):
        joined = reduce(join_lines, row[1:], row[0])
        if mrz.looks_like_line2(joined.text):
            two = joined
        elif mrz.looks_like_line1(joined.text):
            one = joined
        elif mrz.name_closed(row[0].text):
            one = row[0]
    return (
        field_from_line(one) if one is not None else MISSING,
        field_from_line(two) if two is not None else MISSING,
    )


def _split_name(value: str | None) -> tuple[str, str]:
    """The hanzi and the Latin part of a value such as ``胡 HU``."""
    if not value:
        return "", ""
    han = "".join(_HAN.findall(value))
    latin = re.sub(r"[^A-Z'\- ]", " ", value.upper())
    return han, re.sub(r"\s+", " ", latin).strip()


def _latin(text: str) -> str:
    """A Latin name upper-cased, spaces tidied, a full-width comma as a comma."""
    return re.sub(r"\s+", " ", text.upper().replace("，", ",")).strip()


class Passport:
    name = NAME
    field_names = FIELD_NAMES
    keywords = KEYWORDS
    patterns = (
        re.compile(r"P[A-Z<][A-Z]{3}[A-Z]+<<"),
        re.compile(r"[A-Z0-9<]{9}\d[A-Z<]{3}\d{7}[MFX<]\d{7}"),
    )
    min_score = 2
    excludes = ("通行证", "居民身份证")

    def extract(self, lines: Sequence[Line]) -> dict[str, RawField]:
        out = labelled_fields(lines, SPECS, STOPS)
        out["mrz_line1"], out["mrz_line2"] = _mrz_rows(lines)
        out["latin_line"] = latin_name_line(lines)
        return out

    def check(self, raw: dict[str, RawField], today: dt.date) -> Checked:
        warnings: list[str] = []
        fields: dict[str, FieldReading] = {}
        l1r, l2r = raw.get("mrz_line1", MISSING), raw.get("mrz_line2", MISSING)
        line1 = mrz.read_line1(l1r.value, l1r.probs, l1r.alts) if l1r.value else None
        line2 = mrz.read_line2(l2r.value, l2r.probs, l2r.alts) if l2r.value else None
        if line2 is not None and not all(line2.checks.values()):
            warnings.append("CHECKSUM_MISMATCH")

        # -- printed (visual) zone
        viz_number = re.sub(r"[^0-9A-Z]", "", (raw["number"].value or "").upper()) or None
        han_name, viz_sur, viz_given = self._printed_names(raw)
        viz_latin = f"{viz_sur} {viz_given}".strip()
        viz_birth = printed_date(raw["birth"].value or "")
        viz_expiry = printed_date(raw["expiry"].value or "")
        viz_sex = _sex(raw["sex"].value)
        viz_code = re.sub(r"[^A-Z]", "", (raw["code"].value or "").upper()) or None

        # -- number, birth date, expiry: the MRZ's check digits, the printed zone's word
        def checked(
            name: str, a: int, b: int, value: str | None, printed: str | None, box: RawField
        ) -> None:
            if line2 is None or (value is None and printed is not None):
                # No MRZ, or its field is no date (a digit lost: 212127 for 321212): the
                # printed value, never confident; not valid where the MRZ's check fails.
                conf = min(0.85, box.ocr_confidence) if printed else 0.0
                valid = None if line2 is None or line2.checks[name] else False
                fields[name] = reading(RawField(printed, box.probs, (), box.box), conf, valid)
                return
            ok = line2.checks[name]
            agrees = printed is not None and printed == value
            if not ok:
                conf = min(0.5, line2.confidence(a, b))
            elif line2.repaired(a, b + 1):
                conf = min(0.85, line2.confidence(a, b)) if agrees else min(0.6, 0.85)
            elif agrees:
                conf = max(0.97, line2.confidence(a, b))
            elif printed is None:
                conf = min(0.9, max(0.6, line2.confidence(a, b)))
            else:
                conf = 0.5  # the check holds, the printed zone says otherwise
            fields[name] = reading(RawField(value, (), (), box.box or l2r.box), conf, ok)

        number = line2.field(0, 9).rstrip("<") if line2 else None
        checked("passport_number", 0, 9, number, viz_number, raw["number"])
        birth = mrz_date(line2.field(13, 19), today, past=True) if line2 else None
        checked(
            "birth_date", 13, 19, birth.isoformat() if birth else None,
            viz_birth.isoformat() if viz_birth else None, raw["birth"],
        )  # fmt: skip
        expiry = mrz_date(line2.field(21, 27), today, past=False) if line2 else None
        if expiry is None and line2 is None:
            expiry = viz_expiry
        checked(
            "expiry_date", 21, 27, expiry.isoformat() if expiry else None,
            viz_expiry.isoformat() if viz_expiry else None, raw["expiry"],
        )  # fmt: skip
        b = fields["birth_date"]
        if line2 is not None and viz_birth is not None and birth is not None and viz_birth != birth:
            # printed and machine-readable birth dates disagree: one of them is misread
            # (or the page is not genuine)
            fields["birth_date"] = FieldReading(b.value, min(b.confidence, 0.3), False, b.box)
        exp = fields["expiry_date"]
        if exp.value and dt.date.fromisoformat(exp.value) < today:
            warnings.append("EXPIRED")

        # -- sex
        mrz_sex = None
        if line2 is not None:
            ch = line2.field(20, 21)
            mrz_sex = "X" if ch == "<" else ch if ch in "MFX" else None
        sex_box = raw["sex"]
        if mrz_sex and viz_sex:
            agree = mrz_sex == viz_sex
            conf = max(0.97, line2.confidence(20, 21)) if agree and line2 else 0.3
            fields["sex"] = reading(RawField(mrz_sex, (), (), sex_box.box), conf, agree)
        elif mrz_sex or viz_sex:
            p = line2.confidence(20, 21) if mrz_sex and line2 else sex_box.ocr_confidence
            value = mrz_sex or viz_sex
            fields["sex"] = reading(RawField(value, (), (), sex_box.box), min(0.85, p), True)
        else:
            fields["sex"] = reading(MISSING, 0.0, None)

        # -- countries: no check digit covers them; confident where two readings agree
        # (the MRZ's nationality, its issuing state, the printed code or nationality)
        nat = line2.field(10, 13).replace("<", "") if line2 else None
        issuer = line1.issuing_state if line1 else None
        viz_nat = country_named(raw["nationality"].value or "")
        nat_p = line2.confidence(10, 13) if line2 else 0.0
        issuer_p = _product(line1.probs[2:5]) if line1 else 0.0
        others = [c for c in (issuer, viz_code, viz_nat) if c and is_country(c)]
        read_as_printed = True
        if nat and not is_country(nat):
            # one character misread into a code that is no country's, where another
            # reading gives one: that one, not confidently
            near = {c for c in others if len(c) == len(nat) and _one_off(c, nat)}
            if len(near) == 1:
                nat, nat_p, read_as_printed = near.pop(), min(nat_p, 0.6), False
                if line2 is not None:
                    line2 = replace(
                        line2, text=line2.text[:10] + nat.ljust(3, "<") + line2.text[13:]
                    )
        if not nat:
            nat = viz_nat or (viz_code if raw["nationality"].value is None else None)
            nat_p, read_as_printed = 0.6, False
        nat_ok = bool(nat) and is_country(nat or "")
        nat_sure = nat_ok and read_as_printed and nat in others
        issuer_as_printed = True
        if issuer and not is_country(issuer):
            near = {c for c in (viz_code, nat) if c and is_country(c) and len(c) == len(issuer)}
            near = {c for c in near if _one_off(c, issuer)}
            if len(near) == 1:
                issuer, issuer_p, issuer_as_printed = near.pop(), min(issuer_p, 0.6), False
        if not issuer and viz_code:
            issuer, issuer_p = viz_code, raw["code"].ocr_confidence
        issuer_ok = bool(issuer) and is_country(issuer or "")
        issuer_sure = issuer_ok and issuer_as_printed and issuer in (viz_code, nat)
        fields["nationality"] = reading(
            RawField(nat or None, (), (), raw["nationality"].box or raw["code"].box),
            max(0.95, nat_p) if nat_sure else min(0.85, nat_p) if nat_ok else min(0.4, nat_p),
            nat_ok if nat else None,
        )
        fields["issuing_country"] = reading(
            RawField(issuer or None, (), (), raw["code"].box),
            max(0.95, issuer_p) if issuer_sure else min(0.85, issuer_p) if issuer_ok
            else min(0.4, issuer_p),
            issuer_ok if issuer else None,
        )  # fmt: skip

        # -- names: the letters must be the same in both zones; a separator either
        # zone shows is kept (the recogniser drops spaces and single fillers more often
        # than it invents them), and the readings agree when they show the same ones
        latin_p = _product(line1.probs[5:]) if line1 else 0.0
        named = False
        # one of 姓/Surname and 名/Given names read, the other lost (its label misread):
        # the printed zone holds half the name
        half = not (raw["name"].value or raw["latin_line"].value) and (
            bool(raw["surname"].value) != bool(raw["given"].value)
        )
        if line1 is not None and line1.name_latin and half:
            # line 1 holds the whole name; the half that was read may confirm its half
            # (the other half no check digit covers)
            ours = _fold_name(viz_sur or viz_given)
            agree = ours == _fold_name(line1.surname if viz_sur else line1.given)
            value, conf = line1.name_latin, min(HALF_CONFIRMED if agree else HALF_NAME, latin_p)
        elif line1 is not None and line1.name_latin and viz_latin:
            merged = merge_names((line1.surname, line1.given), (viz_sur, viz_given))
            if merged is not None:
                (sur, given), named = merged
                line1 = _with_name(line1, sur, given)
                value, conf = f"{sur} {given}".strip(), (0.97 if named else 0.6)
            else:
                truncated = not line1.text.endswith("<")
                agree = truncated and viz_latin.replace("-", " ").startswith(line1.name_latin)
                value, conf = viz_latin, (0.9 if agree else 0.5)
                code = viz_code or line1.issuing_state  # the line's own where none is printed
                rebuilt = _line1_from_printed(line1, code, viz_sur, viz_given)
                if not agree and rebuilt is not None:
                    line1 = rebuilt
        elif line1 is not None and line1.name_latin:
            value, conf = line1.name_latin, min(0.8, latin_p)
        else:
            # without line 1, a name of which one printed field was read (姓/Surname
            # read, 名/Given names lost) may be half of it
            whole = bool(viz_sur and viz_given)
            value, conf = viz_latin, min(0.8 if whole else HALF_NAME, self._latin_p(raw))
        fields["name_latin"] = reading(
            RawField(value or None, (), (), raw["latin_line"].box or raw["name"].box), conf, None
        )
        name_raw = raw["name"] if raw["name"].value else raw["surname"]
        han = RawField(han_name or None, name_raw.probs, name_raw.alts, name_raw.box)
        conf = text_confidence(han, "person_name")
        fields["name"] = reading(han, min(conf, HALF_NAME) if half else conf, None)
        # A Chinese passport prints the name twice, in hanzi and in pinyin: where the
        # hanzi's readings cannot spell the Latin letters, one side was misread, and
        # neither says which. On another country's page hanzi that cannot spell the
        # name are no name of its holder either (a watermark's 无效 beside Nom/Surname
        # on an Italian page was read as the name at 0.999).
        if han.value and value and spells(han.value, value) is False:
            for key in ("name", "name_latin"):
                f = fields[key]
                fields[key] = FieldReading(
                    f.value, min(f.confidence, NAMES_DISAGREE), f.valid, f.box
                )

        # -- the zone itself
        if line1 is not None and line2 is not None:
            text = f"{line1.text}\n{line2.text}"
            l1_conf = 0.97 if named else min(0.85, latin_p)
            # every check holding as read is the evidence; a repaired line is right only
            # as far as the repaired character's runner-up was
            if not all(line2.checks.values()):
                l2_conf = 0.3
            elif line2.repaired_at:
                l2_conf = 0.85
            else:
                l2_conf = 0.97
            # characters OCR-B prints alike (0/O, 1/I, 8/B ...) where letters and digits
            # may both stand, which no check digit tells apart in pairs: only a number
            # the printed zone agrees with vouches for them; nor does any check digit
            # cover the countries
            verified = number is not None and number == viz_number
            unsure = any(ch in _CONFUSABLE for ch in line2.text[28:42]) or (
                not verified and any(ch in _CONFUSABLE for ch in line2.text[0:9])
            )
            if unsure or not (fields["nationality"].confidence >= 0.9 and issuer_sure):
                l2_conf = min(l2_conf, 0.85)
            box = _union(l1r.box, l2r.box)
            fields["mrz"] = reading(
                RawField(text, (), (), box), min(l1_conf, l2_conf), line2.checks["mrz"]
            )
        else:
            fields["mrz"] = reading(MISSING, 0.0, None)
        facts = {"birth_date": birth.isoformat()} if birth else {}
        ordered = {name: fields[name] for name in FIELD_NAMES}
        return Checked(ordered, tuple(warnings), facts)

    @staticmethod
    def _printed_names(raw: dict[str, RawField]) -> tuple[str, str, str]:
        """The Chinese name, the Latin surname and given names of the printed zone."""
        line = raw["latin_line"].value
        if line:  # SURNAME, GIVEN NAMES on a line of its own (under 姓名/Name)
            sur, _, given = _latin(line).partition(",")
            comma = (sur.strip(), given.strip())
        else:
            comma = ("", "")
        if raw["name"].value:
            han, latin = _split_name(raw["name"].value)
            if comma[0]:
                return han, *comma
            sur, _, given = latin.partition(" ")
            return han, sur, given
        sur_han, sur_latin = _split_name(raw["surname"].value)
        giv_han, giv_latin = _split_name(raw["given"].value)
        if not (sur_latin or giv_latin):
            return sur_han + giv_han, *comma
        return sur_han + giv_han, sur_latin, giv_latin

    @staticmethod
    def _latin_p(raw: dict[str, RawField]) -> float:
        parts = [raw[k] for k in ("latin_line", "surname", "given") if raw[k].value]
        return min((p.ocr_confidence for p in parts), default=0.0)


def _tokens(surname: str, given: str) -> tuple[str, dict[int, str]]:
    """The letters of a name and its separators by position in the letters: ``|``
    between surname and given names, else the separator printed (space or hyphen)."""
    letters = ""
    seps: dict[int, str] = {}
    for part, text in ((0, surname), (1, given)):
        if part and letters and text:
            seps[len(letters)] = "|"
        for ch in text:
            if "A" <= ch <= "Z":
                letters += ch
            elif ch in " -<" and letters and len(letters) not in seps:
                seps[len(letters)] = "-" if ch == "-" else " "
    return letters, seps


def merge_names(
    mrz_name: tuple[str, str], printed: tuple[str, str]
) -> tuple[tuple[str, str], bool] | None:
    """The surname and given names both zones show (None when their letters differ),
    and whether they show the same separators. The surname ends where the MRZ's ``<<``
    says (else where the printed zone does); every other separator either shows is
    kept, a hyphen where the printed zone prints one."""
    a_letters, a = _tokens(*mrz_name)
    b_letters, b = _tokens(*printed)
    if not a_letters or a_letters != b_letters:
        return None
    cut = next((i for i, sep in a.items() if sep == "|"), None)
    if cut is None:
        cut = next((i for i, sep in b.items() if sep == "|"), None)
    seps = {i: "-" if b.get(i) == "-" else " " for i in {*a, *b} if i != cut}
    # same separators at the same places (a hyphen is a filler in the MRZ)
    agree = {i: sep == "|" for i, sep in a.items()} == {i: sep == "|" for i, sep in b.items()}
    out = ["", ""]
    part = 0
    for i, ch in enumerate(a_letters):
        if i == cut:
            part = 1
        elif i in seps:
            out[part] += seps[i]
        out[part] += ch
    return (out[0], out[1]), agree


# Line 1 has no check digit: where its name reads close to what the printed zone says
# it must be, the printed zone's reading stands for it. Compared on the name field
# only: over the whole line, padded with fillers to 44 characters, a short name could
# differ in most of its letters and still pass (HANG<<NA vs CHN<<NA: 0.95 over the
# line, 0.80 over the names).
LINE1_SIMILAR = 0.9


def _line1_from_printed(
    line1: mrz.Line1, code: str | None, surname: str, given: str
) -> mrz.Line1 | None:
    """Line 1 as the printed zone's issuing state and name compose it, when the line's
    name as read differs from the printed one only by a few characters (misread
    letters, lost fillers)."""
    if not code or not is_country(code) or not surname:
        return None
    name = mrz_name(surname, given)
    text = (f"P<{code}" + name).ljust(mrz.LINE_LENGTH, "<")[: mrz.LINE_LENGTH]
    read = line1.text[5:].rstrip("<")
    ratio = SequenceMatcher(None, read, name.rstrip("<"), autojunk=False).ratio()
    if ratio < LINE1_SIMILAR:
        return None
    return mrz.Line1(text, "P<", code, surname.replace("-", " "), given.replace("-", " "), ())


def _with_name(line1: mrz.Line1, surname: str, given: str) -> mrz.Line1:
    """Line 1 with its name field set from ``surname`` and ``given``."""
    text = (line1.text[:5] + mrz_name(surname, given)).ljust(mrz.LINE_LENGTH, "<")
    return mrz.Line1(
        text[: mrz.LINE_LENGTH],
        line1.document_type,
        line1.issuing_state,
        surname,
        given,
        line1.probs,
    )


def _fold_name(name: str) -> str:
    """A Latin name's letters alone (separators as either zone shows them dropped)."""
    return re.sub(r"[^A-Z]", "", name.upper())


def mrz_name(surname: str, given: str) -> str:
    """The MRZ's name field for a surname and given names: SURNAME<<GIVEN<NAMES."""
    fill = str.maketrans({" ": "<", "-": "<", "'": ""})
    return f"{surname.translate(fill)}<<{given.translate(fill)}"


_CONFUSABLE = frozenset("0O1I5S8B2Z6GD")


def _one_off(a: str, b: str) -> bool:
    return sum(x != y for x, y in zip(a, b, strict=True)) == 1


def country_named(text: str) -> str | None:
    """The 3-letter code of the country a printed nationality names (``UNITED STATES OF
    AMERICA``, ``REPUBLIC OF SINGAPORE``, spaces lost or not), when exactly one does."""
    t = re.sub(r"[^A-Z]", "", text.upper())
    if len(t) < 4:
        return None
    if is_country(t):
        return t
    found = {
        c.alpha3
        for c in countries_by_alpha3.values()
        for name in (c.name, c.apolitical_name)
        if len(key := re.sub(r"[^A-Z]", "", name.upper())) >= 4 and (key in t or t in key)
    }
    return found.pop() if len(found) == 1 else None


def _product(probs: Sequence[float]) -> float:
    out = 1.0
    for p in probs:
        out *= p
    return out


def _union(
    a: tuple[int, int, int, int] | None, b: tuple[int, int, int, int] | None
) -> tuple[int, int, int, int] | None:
    if a is None or b is None:
        return a or b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


KIND = Passport()
