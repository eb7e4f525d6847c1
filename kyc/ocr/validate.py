"""Normalisation and validation of field values (pure).

Check characters come from python-stdnum (``cn.ric`` for resident ID numbers,
``cn.uscc`` for unified social credit codes); nothing here re-implements a checksum.
OCR confusions are repaired only when exactly one candidate is valid.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from stdnum.cn import ric, uscc

# Characters the recogniser confuses, mapped to what they can stand for in a code.
_DIGIT_LOOKALIKES: dict[str, str] = {
    "O": "0", "o": "0", "D": "0", "Q": "0", "〇": "0", "○": "0",
    "I": "1", "l": "1", "i": "1", "|": "1", "!": "1", "丨": "1", "L": "1",
    "Z": "2", "z": "2", "S": "5", "s": "5", "G": "6", "b": "6", "B": "8", "g": "9", "q": "9",
    "T": "7",
}  # fmt: skip
_X_LOOKALIKES = {"x": "X", "×": "X", "ⅹ": "X", "χ": "X", "Ⅹ": "X", "K": "X", "k": "X"}


@dataclass(frozen=True)
class CodeRead:
    value: str | None
    valid: bool
    repaired: bool  # True when a check character picked one of several readings


def _alphabet_ok(candidate: str, allowed: str) -> bool:
    return all(ch in allowed for ch in candidate)


def repair_code(
    text: str,
    alts: Sequence[Sequence[str]],
    length: int,
    is_valid: Callable[[str], bool],
    position_alphabet: Callable[[int], str],
    max_changes: int = 1,
) -> CodeRead:
    """Read a check-character code from OCR text.

    First the text itself (after mapping look-alike characters to the alphabet of each
    position) is tried. If it fails its check, substitutions at up to ``max_changes``
    positions are tried from the recogniser's runner-up characters; the result is used
    only when exactly one candidate is valid.
    """
    chars = list(text)
    if len(chars) != length:
        return CodeRead("".join(chars) or None, False, False)
    options: list[list[str]] = []
    for pos, ch in enumerate(chars):
        allowed = position_alphabet(pos)
        opts: list[str] = []
        for cand in [ch, _DIGIT_LOOKALIKES.get(ch, ""), _X_LOOKALIKES.get(ch, ""), ch.upper()]:
            if cand and cand in allowed and cand not in opts:
                opts.append(cand)
        for alt in alts[pos] if pos < len(alts) else ():
            for cand in [alt, _DIGIT_LOOKALIKES.get(alt, ""), _X_LOOKALIKES.get(alt, "")]:
                if cand and cand in allowed and cand not in opts:
                    opts.append(cand)
        options.append(opts)
    if any(not o for o in options):
        return CodeRead(text, False, False)
    first = "".join(o[0] for o in options)
    if is_valid(first):
        repaired = first != text.upper()
        return CodeRead(first, True, repaired)
    found: set[str] = set()
    alternatives = [i for i, o in enumerate(options) if len(o) > 1]
    for k in range(1, max_changes + 1):
        for positions in itertools.combinations(alternatives, k):
            pools = [options[p][1:] for p in positions]
            for picks in itertools.product(*pools):
                chosen = list(first)
                for p, c in zip(positions, picks, strict=True):
                    chosen[p] = c
                joined = "".join(chosen)
                if is_valid(joined):
                    found.add(joined)
        if found:
            break
    if len(found) == 1:
        return CodeRead(found.pop(), True, True)
    return CodeRead(first, False, False)


_DIGITS = "0123456789"
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _safe(check: Callable[[str], bool]) -> Callable[[str], bool]:
    """stdnum's validators occasionally raise on odd region data; treat that as invalid."""

    def run(value: str) -> bool:
        try:
            return bool(check(value))
        except Exception:
            return False

    return run


def _plausible_id(number: str) -> bool:
    """Valid under ``cn.ric`` and born between 1900 and today."""
    if not _safe(ric.is_valid)(number):
        return False
    birth = id_birth_date(number)
    return birth is not None and dt.date(1900, 1, 1) <= birth <= dt.date.today()


def read_id_number(text: str, alts: Sequence[Sequence[str]] = ()) -> CodeRead:
    """An 18-character resident ID number validated by ``stdnum.cn.ric``."""
    cleaned, cleaned_alts = _strip(text, alts)
    return repair_code(
        cleaned,
        cleaned_alts,
        18,
        _plausible_id,
        lambda pos: _DIGITS + "X" if pos == 17 else _DIGITS,
    )


def read_credit_code(text: str, alts: Sequence[Sequence[str]] = ()) -> CodeRead:
    """An 18-character unified social credit code validated by ``stdnum.cn.uscc``."""
    cleaned, cleaned_alts = _strip(text, alts)
    return repair_code(
        cleaned,
        cleaned_alts,
        18,
        _safe(uscc.is_valid),
        lambda pos: _DIGITS if 2 <= pos < 8 else _USCC_ALPHABET,
    )


def _strip(text: str, alts: Sequence[Sequence[str]]) -> tuple[str, list[Sequence[str]]]:
    keep = [i for i, ch in enumerate(text) if not ch.isspace() and ch not in "-_·.,:："]
    return "".join(text[i] for i in keep), [alts[i] if i < len(alts) else () for i in keep]


def id_birth_date(number: str) -> dt.date | None:
    try:
        birth: dt.date = ric.get_birth_date(number)
        return birth
    except Exception:
        return None


def id_sex(number: str) -> str | None:
    """男 or 女 from the sequence digit's parity."""
    if len(number) != 18 or not number[16].isdigit():
        return None
    return "男" if int(number[16]) % 2 == 1 else "女"


_DATE_PATTERNS = (
    re.compile(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


def parse_date(text: str) -> dt.date | None:
    """A calendar date from text like 2011.01.23, 1974年4月11日 or 19740411."""
    for pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def expected_term_years(birth: dt.date, issued: dt.date) -> int | None:
    """The legal validity of a resident ID card issued at that age; None = long term."""
    age = age_on(birth, issued)
    if age < 16:
        return 5
    if age <= 25:
        return 10
    if age <= 45:
        return 20
    return None
