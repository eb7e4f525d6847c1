"""Normalisation and validation of field values (pure).

Check characters come from python-stdnum (``cn.ric`` for resident ID numbers,
``cn.uscc`` for unified social credit codes, ``iso7064.mod_11_10`` for the 15-digit
registration numbers of pre-2016 business licenses); nothing here re-implements a
checksum.

A check character may repair a doubtful read, never overwrite a confident one
(``read_code``): only a character the recogniser read with low probability, or one that
cannot stand at its position (a letter O among digits), may change, and only to a
runner-up the recogniser itself offered or to the digit a look-alike letter stands for;
the result is used only when exactly one such change passes the check and agrees with
what else is printed on the document. A number read confidently that fails its check is
returned as read, not valid.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_11_10

# A runner-up character offered by the recogniser, with its probability.
Alt = tuple[str, float]

# Letters no credit code or ID number holds (GB 32100 leaves out I, O, S, V, Z; an ID
# number is digits and X), each the digit it is read for; a cross, the X it is read for
# (…541× on a clean card's filing copy).
_NEVER_IN_CODE = str.maketrans(
    {**dict(zip("OISZ", "0152", strict=True)), **dict.fromkeys("×ⅹⅩχ", "X")}
)


def fold_code_letters(text: str) -> str:
    """``text`` (upper case) with the letters no 18-character code holds as the digits
    they look like, and a cross as X: two readings of one code are compared with them
    folded."""
    return text.translate(_NEVER_IN_CODE)


# Characters the recogniser confuses, mapped to what they can stand for in a code.
_DIGIT_LOOKALIKES: dict[str, str] = {
    "O": "0", "o": "0", "D": "0", "Q": "0", "〇": "0", "○": "0",
    "I": "1", "l": "1", "i": "1", "|": "1", "!": "1", "丨": "1", "L": "1",
    "Z": "2", "z": "2", "S": "5", "s": "5", "G": "6", "b": "6", "B": "8", "g": "9", "q": "9",
    "T": "7",
}  # fmt: skip
_X_LOOKALIKES = {"x": "X", "×": "X", "ⅹ": "X", "χ": "X", "Ⅹ": "X", "K": "X", "k": "X"}

# A character read with at least this probability is confident: no check character may
# change it. It is the field confidence bar; on 89 code reads of generated moderate and
# hard photos (1,494 characters of reads of the right length) no character was wrong and
# 8 right ones fell below it, so a repair may only touch what the recogniser doubted.
CONFIDENT_CHAR = 0.9
# A runner-up below this probability is not a reading the recogniser considered.
MIN_RUNNER_UP = 0.02


@dataclass(frozen=True)
class CodeRead:
    value: str | None
    valid: bool
    repaired: bool  # True when a check character picked a runner-up at a doubtful position
    doubtful: int = 0  # how many characters were read below CONFIDENT_CHAR


@dataclass(frozen=True)
class CodeSpec:
    """A code with a check character: its length, the characters allowed at each
    position, and its validity rule."""

    length: int
    alphabet: Callable[[int], str]
    is_valid: Callable[[str], bool]


def _as_allowed(ch: str, allowed: str) -> str | None:
    """``ch`` itself if allowed at the position, else what it stands for there (upper
    case, a digit for a look-alike letter, X for a cross), else None."""
    for cand in (ch, ch.upper(), _DIGIT_LOOKALIKES.get(ch, ""), _X_LOOKALIKES.get(ch, "")):
        if cand and cand in allowed:
            return cand
    return None


def read_code(
    text: str,
    probs: Sequence[float],
    alts: Sequence[Sequence[Alt]],
    spec: CodeSpec,
    agrees: Callable[[str, int], bool] | None = None,
) -> CodeRead:
    """Read a check-character code from OCR text.

    ``probs`` and ``alts`` are the recogniser's probability of each character and its
    runner-ups (empty: no evidence, every character counts as confident). The text, with
    look-alikes mapped to each position's alphabet, is used when it passes the check.
    Otherwise one character at a doubtful position (read below ``CONFIDENT_CHAR``, or not
    a character of its position) may be replaced by a runner-up of at least
    ``MIN_RUNNER_UP`` or by what the read character stands for, where no other
    character was read below ``CONFIDENT_CHAR``; the repair is used only when exactly
    one replacement passes the check and ``agrees(candidate, position)`` (what else the
    document prints, e.g. the birth date) accepts it.
    """
    chars, probs, alts = _strip(text, probs, alts)
    if len(chars) != spec.length:
        return CodeRead("".join(chars) or None, False, False)
    first: list[str] = []
    options: list[list[str]] = []  # replacements allowed at each position
    doubtful = 0
    for pos, ch in enumerate(chars):
        allowed = spec.alphabet(pos)
        mapped = _as_allowed(ch, allowed)
        prob = probs[pos] if pos < len(probs) else 1.0
        unsure = prob < CONFIDENT_CHAR or mapped is None or (mapped != ch and ch.upper() != mapped)
        doubtful += prob < CONFIDENT_CHAR
        opts: list[str] = []
        if unsure:
            for alt, p in alts[pos] if pos < len(alts) else ():
                cand = _as_allowed(alt, allowed)
                if p >= MIN_RUNNER_UP and cand and cand != mapped and cand not in opts:
                    opts.append(cand)
        if mapped is None:
            if not opts:
                return CodeRead("".join(chars), False, False, doubtful)
            mapped = opts.pop(0)
        first.append(mapped)
        options.append(opts)
    read = "".join(first)
    if spec.is_valid(read):
        return CodeRead(read, True, False, doubtful)
    found: set[str] = set()
    for pos, opts in enumerate(options):
        # One replacement that makes the check hold proves nothing where another
        # character was doubted too: that one may be wrong as well, and a wrong pair
        # passes a mod-31 check one time in 31 (AAOHXIGRTO: O at 0.54 taken as 0, I at
        # 0.49 replaced by N; printed Q and W).
        if doubtful - (probs[pos] < CONFIDENT_CHAR) > 0:
            continue
        for cand in opts:
            joined = read[:pos] + cand + read[pos + 1 :]
            if spec.is_valid(joined) and (agrees is None or agrees(joined, pos)):
                found.add(joined)
    if len(found) == 1:
        return CodeRead(found.pop(), True, True, doubtful)
    return CodeRead(read, False, False, doubtful)


def _strip(
    text: str, probs: Sequence[float], alts: Sequence[Sequence[Alt]]
) -> tuple[list[str], list[float], list[Sequence[Alt]]]:
    """The characters of a code without spaces and separators, with their evidence."""
    keep = [i for i, ch in enumerate(text) if not ch.isspace() and ch not in "-_·.,:："]
    return (
        [text[i] for i in keep],
        [probs[i] if i < len(probs) else 1.0 for i in keep],
        [alts[i] if i < len(alts) else () for i in keep],
    )


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


ID_NUMBER = CodeSpec(18, lambda pos: _DIGITS + "X" if pos == 17 else _DIGITS, _plausible_id)
# GB 32100: the registration authority and the entity class (the first two characters)
# are codes of the whole alphabet (Y for other authorities, N for rural collectives), the
# region six digits. Read as digits only, a confident L there became 1, and a code
# printed with a wrong check came back valid.
CREDIT_CODE = CodeSpec(
    18, lambda pos: _DIGITS if 2 <= pos < 8 else _USCC_ALPHABET, _safe(uscc.is_valid)
)
REGISTRATION_NUMBER = CodeSpec(15, lambda pos: _DIGITS, _safe(mod_11_10.is_valid))


def read_id_number(
    text: str,
    probs: Sequence[float] = (),
    alts: Sequence[Sequence[Alt]] = (),
    birth: dt.date | None = None,
    sex: str | None = None,
) -> CodeRead:
    """An 18-character resident ID number validated by ``stdnum.cn.ric``. A repaired
    number must agree with the birth date and sex printed on the card; where those were
    not read, digits that encode them are not repaired."""

    def agrees(number: str, pos: int) -> bool:
        if (6 <= pos < 14 and birth is None) or (pos == 16 and sex is None):
            return False
        return (birth is None or id_birth_date(number) == birth) and (
            sex is None or id_sex(number) == sex
        )

    return read_code(text, probs, alts, ID_NUMBER, agrees)


def read_credit_code(
    text: str, probs: Sequence[float] = (), alts: Sequence[Sequence[Alt]] = ()
) -> CodeRead:
    """An 18-character unified social credit code validated by ``stdnum.cn.uscc``."""
    return read_code(text, probs, alts, CREDIT_CODE)


def read_registration_number(
    text: str, probs: Sequence[float] = (), alts: Sequence[Sequence[Alt]] = ()
) -> CodeRead:
    """The 15-digit registration number (注册号) of a pre-2016 business license, whose last
    digit is an ISO 7064 MOD 11,10 check digit."""
    return read_code(text, probs, alts, REGISTRATION_NUMBER)


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


# The dot also as the recogniser reads it at times: a comma, a full-width or ideographic
# full stop, a middle dot, a colon (1977:12.27).
DATE_SEP = r".\-/,，．。·:："
# A date of a term as ID cards and permits print it, 2013.12.28, its separators as read
# (groups: year, month, day).
TERM_DATE = rf"(\d{{4}})\s*[{DATE_SEP}]?\s*(\d{{2}})\s*[{DATE_SEP}]?\s*(\d{{2}})"
_DATE_PATTERNS = (
    re.compile(rf"(\d{{4}})\s*[年{DATE_SEP}]\s*(\d{{1,2}})\s*[月{DATE_SEP}]\s*(\d{{1,2}})"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
    # one separator lost (200710.25): the printed digits' places still say which is which
    re.compile(rf"(?<!\d)(\d{{4}})[{DATE_SEP}]?(\d{{2}})[{DATE_SEP}]?(\d{{2}})(?!\d)"),
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
