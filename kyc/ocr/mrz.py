"""The machine-readable zone of a passport data page (ICAO Doc 9303, TD3: two lines of
44 characters), read from OCR text and checked by its check digits (pure).

Line 1: ``P`` + type + issuing state (3) + name (39: SURNAME<<GIVEN<NAMES<<<).
Line 2: document number (9) + check, nationality (3), birth date YYMMDD + check, sex
(M/F/X or <), expiry YYMMDD + check, optional data (14) + check, composite check over
the number, birth date, expiry and optional data with their checks.

Check digit (Doc 9303 Part 3, 4.9): characters valued 0-9, A-Z = 10-35, ``<`` = 0,
weighted 7, 3, 1 repeating, sum modulo 10.

Reading: the recogniser's text is compacted (spaces dropped, ``<`` look-alikes mapped),
a run of fillers read too long or too short is set to the length the line needs, and
line 2 is read with ``validate.read_code``: a check digit may repair a character read
with low probability (or one that cannot stand at its position), never a confident
one, and only where exactly one repair makes every check hold. A check that fails is
reported as such, the line as read.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from iso3166 import countries_by_alpha3

from kyc.ocr.validate import Alt, CodeRead, CodeSpec, read_code

if TYPE_CHECKING:
    from kyc.ocr.engine import Image, Quad, TextReading

LINE_LENGTH = 44
# Digits read where only letters can stand (names, countries), as the letter they resemble.
_LETTER_LOOKALIKES = {"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B"}
# In line 1 (letters and fillers only) also the half of an X the recogniser reads as
# '>' ('P<DEUMUELLER<<FELI><<<', 'P<CHNZHAO<<>'): upright, no filler reads so.
_LINE1_LOOKALIKES = {**_LETTER_LOOKALIKES, ">": "X"}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
FILLER = "<"
# What the recogniser reads for the filler character.
_FILLER_LOOKALIKES = frozenset("‹〈＜(（[{く«≪《")
# Signs the recogniser reads for OCR-B letters (the multiplication sign for an X).
_SIGN_LOOKALIKES = {"×": "X", "✕": "X"}


# ICAO 9303 Part 3 codes that are not ISO 3166-1 countries.
ICAO_CODES = frozenset(
    {"D", "GBD", "GBN", "GBO", "GBP", "GBS", "UNO", "UNA", "UNK", "XOM", "XXA", "XXB", "XXC",
     "XXX", "EUE", "RKS"}
)  # fmt: skip


def is_state(code: str) -> bool:
    """Whether ``code`` is an issuing state or nationality an MRZ may name."""
    return code in countries_by_alpha3 or code in ICAO_CODES


def check_digit(text: str) -> str:
    """The ICAO 9303 check digit of ``text``."""
    total = 0
    for i, ch in enumerate(text):
        if ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - ord("A") + 10
        else:
            value = 0
        total += value * (7, 3, 1)[i % 3]
    return str(total % 10)


# Line 2: what each position may hold.
def _line2_alphabet(pos: int) -> str:
    if pos < 9 or 28 <= pos < 42:
        return LETTERS + DIGITS + FILLER
    if pos in (9, 19, 27, 43) or 13 <= pos < 19 or 21 <= pos < 27:
        return DIGITS
    if 10 <= pos < 13:
        return LETTERS + FILLER
    if pos == 20:
        return "MFX" + FILLER
    return DIGITS + FILLER  # 42: the optional data's check (< when there is none)


# (field, span checked, position of its check digit)
CHECKS = (
    ("passport_number", (0, 9), 9),
    ("birth_date", (13, 19), 19),
    ("expiry_date", (21, 27), 27),
)


CHECK_POSITIONS = frozenset({9, 19, 27, 42, 43})
CHECKED_FIELDS = ("passport_number", "birth_date", "expiry_date", "optional", "mrz")


def line2_checks(line2: str) -> dict[str, bool]:
    """Which check digits of line 2 hold: the number's, the birth date's, the expiry's,
    the optional data's (``optional``) and the composite (``mrz``)."""
    if len(line2) != LINE_LENGTH:
        return dict.fromkeys(CHECKED_FIELDS, False)
    out = {name: check_digit(line2[a:b]) == line2[pos] for name, (a, b), pos in CHECKS}
    optional = line2[28:42]
    out["optional"] = (
        line2[42] in ("<", "0") if set(optional) == {FILLER} else check_digit(optional) == line2[42]
    )
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    out["mrz"] = check_digit(composite) == line2[43]
    return out


def _line2_valid(line2: str) -> bool:
    return all(line2_checks(line2).values())


LINE2 = CodeSpec(LINE_LENGTH, _line2_alphabet, _line2_valid)


@dataclass(frozen=True)
class Compact:
    """Characters of a line with their evidence, spaces dropped."""

    chars: list[str]
    probs: list[float]
    alts: list[Sequence[Alt]]

    @property
    def text(self) -> str:
        return "".join(self.chars)


def compact(text: str, probs: Sequence[float], alts: Sequence[Sequence[Alt]]) -> Compact:
    """``text`` upper-cased without spaces, filler look-alikes read as ``<`` (a double
    chevron as two)."""
    out = Compact([], [], [])
    for i, ch in enumerate(text):
        if ch.isspace():
            continue
        p = probs[i] if i < len(probs) else 1.0
        a = alts[i] if i < len(alts) else ()
        if ch in "«≪《":
            out.chars.extend((FILLER, FILLER))
            out.probs.extend((p, p))
            out.alts.extend(((), ()))
            continue
        ch = unicodedata.normalize("NFKC", ch)[:1] or ch  # full-width forms as ASCII
        ch = _SIGN_LOOKALIKES.get(ch, ch)
        out.chars.append(FILLER if ch in _FILLER_LOOKALIKES else ch.upper())
        out.probs.append(p)
        out.alts.append(a)
    return out


def _refit(c: Compact, run_from: int) -> Compact:
    """``c`` set to 44 characters by lengthening or shortening its longest run of
    fillers at or after ``run_from`` (a run of look-alike characters is easy to read one
    too many or too few; its length carries no information)."""
    n = len(c.chars)
    if n == LINE_LENGTH:
        return c
    best: tuple[int, int] | None = None  # (length, start)
    i = run_from
    while i < n:
        if c.chars[i] == FILLER:
            j = i
            while j < n and c.chars[j] == FILLER:
                j += 1
            if best is None or j - i > best[0]:
                best = (j - i, i)
            i = j
        else:
            i += 1
    if best is None:
        return c
    length, start = best
    change = LINE_LENGTH - n
    if length + change < 1:
        return c
    p = min(c.probs[start : start + length], default=1.0)
    if change > 0:
        at = start + length
        return Compact(
            c.chars[:at] + [FILLER] * change + c.chars[at:],
            c.probs[:at] + [p] * change + c.probs[at:],
            [*c.alts[:at], *([()] * change), *c.alts[at:]],
        )
    cut = start + length + change
    return Compact(
        c.chars[:cut] + c.chars[start + length :],
        c.probs[:cut] + c.probs[start + length :],
        [*c.alts[:cut], *c.alts[start + length :]],
    )


_LINE1 = re.compile(r"^P[A-Z<][A-Z<]{3}[A-Z<]+$")
# Line 2 as read: a number, its check, a nationality (its letters may be read as the
# digits they resemble: ITA as 1TA), a birth date and its check.
_LINE2_HEAD = re.compile(r"^[A-Z0-9<]{9}[0-9OQDILZSB][A-Z<012568]{3}[0-9OQDILZSB]{7}")


def _folded(text: str) -> str:
    """``text`` as ``compact`` reads it (spaces dropped, look-alikes mapped)."""
    return compact(text, [1.0] * len(text), [() for _ in text]).text


def looks_like_line1(text: str) -> bool:
    """P, a type, an issuing state, a name with its ``<<`` (the trailing fillers may be
    read short or cut into another box)."""
    t = _folded(text)
    t = t[:1] + "".join(_LINE1_LOOKALIKES.get(ch, ch) for ch in t[1:])
    return len(t) >= 8 and bool(_LINE1.match(t)) and "<<" in t[5:]


# Line 1 read to the end of its name: the surname, its ``<<``, given names and a run of
# fillers after their last letter (a name never holds three fillers in a row).
_NAME_CLOSED = re.compile(r"<<[A-Z<]*[A-Z]<{3,}$")


def name_closed(text: str) -> bool:
    """Whether a reading of line 1 holds the whole name: past it stand only fillers,
    which carry nothing (``read_line1`` pads them), wherever the detector boxed or the
    recogniser misread the rest of the line."""
    return looks_like_line1(text) and bool(_NAME_CLOSED.search(_folded(text)[5:]))


def looks_like_line2(text: str) -> bool:
    t = _folded(text)
    return 38 <= len(t) <= 48 and bool(_LINE2_HEAD.match(t))


@dataclass(frozen=True)
class Line1:
    text: str  # 44 characters as read (fillers refitted)
    document_type: str
    issuing_state: str
    surname: str
    given: str
    probs: tuple[float, ...]

    @property
    def name_latin(self) -> str:
        return f"{self.surname} {self.given}".strip()


def read_line1(text: str, probs: Sequence[float], alts: Sequence[Sequence[Alt]]) -> Line1 | None:
    """Line 1: type, issuing state and the name (``<<`` between surname and given names,
    ``<`` between names)."""
    c = compact(text, probs, alts)
    # after the type, only letters and fillers stand: a digit is the letter it resembles
    raw = c.text[:1] + "".join(_LINE1_LOOKALIKES.get(ch, ch) for ch in c.text[1:])
    if not raw.startswith("P") or len(raw) < 6:
        return None
    name = re.sub(r"<{3,}$", "", raw[5:]).rstrip(FILLER)
    # a separator read with one filler too many is still one separator
    name = re.sub(r"<{2,}", "<<", name)
    surname, _, given = name.partition("<<")
    line = (raw[:5] + name).ljust(LINE_LENGTH, FILLER)[:LINE_LENGTH]
    return Line1(
        text=line,
        document_type=raw[:2],
        issuing_state=raw[2:5].replace(FILLER, ""),
        surname=surname.replace(FILLER, " ").strip(),
        given=given.replace(FILLER, " ").strip(),
        probs=tuple(c.probs[: 5 + len(name)]),
    )


@dataclass(frozen=True)
class Line2:
    text: str  # 44 characters: as read, or repaired by a check digit
    code: CodeRead
    checks: dict[str, bool]
    probs: tuple[float, ...]
    repaired_at: frozenset[int] = frozenset()  # positions a check digit changed

    def repaired(self, a: int, b: int) -> bool:
        """Whether a check digit changed a character of ``[a, b)`` or its check."""
        return any(a <= pos < b for pos in self.repaired_at)

    def field(self, a: int, b: int) -> str:
        return self.text[a:b]

    def confidence(self, a: int, b: int) -> float:
        out = 1.0
        for p in self.probs[a:b]:
            out *= p
        return out


# Letters OCR-B prints like digits; a check digit cannot tell some of them apart at all
# (O and 0 differ by 24: a pair at weights 7 and 3 by 240; E and O, I and S by 10).
_CONFUSIONS = frozenset("0O1I5S8B2Z6GD")


def _letters_in_context(line2: str) -> str:
    """Line 2 with the optional data's digits that look like letters (0 O, 1 I, 8 B ...)
    read as those letters where the field is written in letters (three or more letters
    no digit resembles, no digit that resembles no letter) and every check holds so:
    the check digits cannot tell these apart in pairs (O and 0 differ by 24, a pair at
    weights 7 and 3 by 240), the field's other characters can."""
    field = line2[28:42]
    plain_letters = sum(ch.isalpha() and ch not in _CONFUSIONS for ch in field)
    plain_digits = sum(ch.isdigit() and ch not in _LETTER_LOOKALIKES for ch in field)
    if plain_letters < 3 or plain_digits:
        return line2
    mapped = line2[:28] + "".join(_LETTER_LOOKALIKES.get(ch, ch) for ch in field) + line2[42:]
    if mapped != line2 and all(line2_checks(mapped).values()):
        return mapped
    return line2


def _trim_tail(c: Compact) -> Compact:
    """``c`` without the characters after its last one of the MRZ's alphabet: the line
    ends with its composite check digit, and what the recogniser reads past it (a
    slash, a brace) is no part of the line. (A character the check digits need, read
    as such a sign, leaves a line whose checks fail, as read.)"""
    n = len(c.chars)
    while n and c.chars[n - 1] not in LETTERS + DIGITS + FILLER:
        n -= 1
    return Compact(c.chars[:n], c.probs[:n], c.alts[:n])


def read_line2(text: str, probs: Sequence[float], alts: Sequence[Sequence[Alt]]) -> Line2 | None:
    c = _refit(_trim_tail(compact(text, probs, alts)), 28)
    if len(c.chars) != LINE_LENGTH:
        return None
    for pos in range(10, 13):
        c.chars[pos] = _LETTER_LOOKALIKES.get(c.chars[pos], c.chars[pos])
    # A check digit is never changed to make its check hold: a doubtful one is kept as
    # read (its runner-ups withheld), so a check printed or read wrong fails visibly.
    alts = [() if pos in CHECK_POSITIONS else a for pos, a in enumerate(c.alts)]
    code = read_code(c.text, c.probs, alts, LINE2)
    value = code.value or c.text
    if len(value) != LINE_LENGTH:
        return None
    value = _letters_in_context(value)
    changed = frozenset(
        i
        for i, (a, b) in enumerate(zip(c.text, value, strict=True))
        if a != b and a in _line2_alphabet(i)  # a look-alike mapped is no repair
    )
    return Line2(
        value, code, line2_checks(value), tuple(c.probs), changed if code.repaired else frozenset()
    )


# ---------------------------------------------------------------------------------------
# Re-reading the zone: OCR-B at the MRZ's fixed pitch is spaced wider than the text the
# recogniser learnt from; read as it is, characters come back in full-width forms or are
# dropped. Measured on generated pages (docs/certificates.md): squeezed to about 0.45 of
# the line's height per character, lines read whole.
# ---------------------------------------------------------------------------------------

MRZ_PITCH = 0.45  # character pitch over box height the recogniser reads best (measured)
# Pitches a line is re-read at: 0.45 reads most lines whole; a line of letters and long
# runs of fillers (line 1) can lose letters there and read whole at 0.5-0.7 (measured on
# generated tuned pages: one line 1, turned upright, read 'P<CHNIN<<NIN<<<' at 0.45 and
# 'P<CHNLIN<<NAXIN<<<' at 0.5-0.6; another 'P<CHN2HU<<YIJE' at 0.45, whole at 0.5 and
# 0.7). A line turned over is also read at its own width (a line 2 printed at 0.65 read
# whole only so). Of all readings, the best parse is kept.
MRZ_PITCHES = (MRZ_PITCH, 0.55, 0.65)
_MRZ_CHARS = frozenset(LETTERS + DIGITS + FILLER)


def machine_readable(text: str) -> bool:
    """Whether a reading may be (part of) an MRZ line: nearly all of the MRZ's alphabet
    once full-width forms are folded, and 30 or more characters, or fillers in pairs."""
    t = unicodedata.normalize("NFKC", text).upper().replace(" ", "")
    if len(t) < 8 or sum(ch in _MRZ_CHARS for ch in t) < 0.9 * len(t):
        return False
    return "<<" in t or (len(t) >= 30 and ("<" in t or sum(ch.isdigit() for ch in t) >= 12))


def _characters(text: str) -> int:
    """How many characters an MRZ reading stands for: a whole line's 44 when it reads as
    most of one, else as many as were read."""
    n = len(unicodedata.normalize("NFKC", text).replace(" ", ""))
    return LINE_LENGTH if n >= 30 else n


def _mrz_score(text: str, probs: Sequence[float]) -> tuple[int, int, float]:
    """How well a reading parses as an MRZ line: line 2 by its checks; line 1 (no check
    digit; its fillers' count means nothing) by whether its issuing state is a state's
    code, then by how many characters other than fillers it holds (the recogniser drops
    letters of a squeezed line far more often than it adds any: 'P<HN2H0<YIIE' for
    'P<CHN2H0U<<Y11E'); then by the least sure character."""
    c = compact(text, probs, [() for _ in text])
    t = c.text
    shape = 0
    letters = 0
    if looks_like_line2(t):
        line = read_line2(t, c.probs, c.alts)
        shape = 1 + (line is not None) + bool(line and all(line.checks.values()))
    elif looks_like_line1(t):
        one = read_line1(t, c.probs, c.alts)
        shape = 1 + bool(one and is_state(one.issuing_state))
        letters = sum(ch != FILLER for ch in t)
    return shape, letters, min(probs, default=0.0)


_FULL_WIDTH = {cp: cp - 0xFEE0 for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B))
               for cp in range(*r)}  # fmt: skip


def fold_full_width(texts: Sequence[TextReading]) -> list[TextReading]:
    """Readings with full-width digits and Latin letters as ASCII (one for one): the
    recogniser returns them for widely spaced print (codes printed with tracking, an
    MRZ), where no document prints them."""
    from kyc.ocr.engine import CharReading, TextReading

    out = []
    for t in texts:
        if not any(0xFF10 <= ord(ch) <= 0xFF5A for ch in t.text):
            out.append(t)
            continue
        chars = tuple(
            CharReading(c.char.translate(_FULL_WIDTH), c.prob, c.alternatives, c.at)
            for c in t.chars
        )
        out.append(TextReading(t.text.translate(_FULL_WIDTH), chars))
    return out


# A line at least this many times longer than high, read as mostly letters and digits,
# may be an MRZ line the angle classifier turned upside down (OCR-B capitals and digits
# look much the same both ways up): it is read again both ways. Upside down, a filler
# ``<`` reads as ``>``: a line 1 turned over reads '>>>>>>...IxN>>INH>d'.
FLIPPED_ASPECT = 25.0
_FLIPPED_CHARS = _MRZ_CHARS | {">"}


def _maybe_flipped(text: str, crop: Image) -> bool:
    t = unicodedata.normalize("NFKC", text).upper().replace(" ", "")
    h, w = crop.shape[:2]
    return (
        w >= FLIPPED_ASPECT * h
        and len(t) >= 4  # a few characters of a whole line's width: the rest were lost
        and sum(ch in _FLIPPED_CHARS for ch in t) >= 0.8 * len(t)
    )


# A line 2 whose check digits all hold: nothing read again can parse better.
_COMPLETE = 3


def reread_machine_zone(
    recognize: Callable[[list[Image]], list[TextReading]],
    crops: Sequence[Image],
    texts: Sequence[TextReading],
) -> list[TextReading]:
    """``texts`` with every reading that may be an MRZ line read again from its crop
    squeezed to the MRZ pitches (and turned 180 degrees, where the line may have been
    read upside down); a new reading is kept where it parses better (an MRZ line whose
    checks hold beats one that only has the shape) or as well and surer.

    In two rounds, to spend the recogniser's time where it helps: first at MRZ_PITCH
    (both ways up where the line may be turned over); then, for the lines no reading
    yet makes a line 2 whose checks hold, at the other pitches (and turned over, at the
    crop's own width), only the way up that parsed (both where neither did). A line
    read as a whole line 2 whose checks hold is not read again."""
    import cv2
    import numpy as np

    def score_of(t: TextReading) -> tuple[int, int, float]:
        return _mrz_score(t.text, [c.prob for c in t.chars])

    out = list(texts)
    first: list[tuple[int, bool]] = []
    for i, t in enumerate(texts):
        if score_of(t)[0] >= _COMPLETE:
            continue
        # (a line 2 turned over reads as digits, machine-readable too: '0141104054...')
        if _maybe_flipped(t.text, crops[i]):
            first.extend(((i, False), (i, True)))
        elif machine_readable(t.text) and (
            crops[i].shape[1] > _characters(t.text) * MRZ_PITCH * crops[i].shape[0]
        ):
            first.append((i, False))
    if not first:
        return out

    def width(i: int, pitch: float | None) -> int:
        h, w = crops[i].shape[:2]
        if pitch is None:
            return int(w)
        n = _characters(texts[i].text) if not _maybe_flipped(texts[i].text, crops[i]) else 44
        return int(min(w, max(16, round(n * pitch * h))))

    best: dict[int, tuple[tuple[int, int, float], TextReading, bool]] = {}
    done: set[tuple[int, bool, int]] = set()

    def read(todo: Sequence[tuple[int, bool, int]]) -> None:
        todo = [job for job in todo if job not in done]
        done.update(todo)
        if not todo:
            return
        squeezed = []
        for i, flip, wd in todo:
            h = crops[i].shape[0]
            small = np.asarray(cv2.resize(crops[i], (wd, h), interpolation=cv2.INTER_AREA))
            squeezed.append(
                np.ascontiguousarray(small[::-1, ::-1] if flip else small, dtype=np.uint8)
            )
        for (i, flip, _wd), again in zip(todo, recognize(squeezed), strict=True):
            score = score_of(again)
            if flip and score[0] == 0:
                continue  # turned over, it must read as an MRZ line to stand for the line
            if i not in best or score > best[i][0]:
                best[i] = (score, again, flip)

    read([(i, flip, width(i, MRZ_PITCH)) for i, flip in first])
    second: list[tuple[int, bool, int]] = []
    for i, flip in first:
        got = best.get(i)
        if got is not None and got[0][0] >= _COMPLETE:
            continue
        if got is not None and got[0][0] > 0 and got[2] != flip:
            continue  # the other way up parsed: read on that way only
        pitches: list[float | None] = [p for p in MRZ_PITCHES if p != MRZ_PITCH]
        if flip:
            pitches.append(None)  # turned over, as it is: read one way only so far
        second.extend((i, flip, width(i, p)) for p in pitches)
    read(second)
    for i, (score, again, _flip) in best.items():
        if score > score_of(texts[i]):
            out[i] = again
    return out


# ---------------------------------------------------------------------------------------
# An MRZ boxed character by character: at a small scale the detector boxes OCR-B at its
# wide pitch as one box per character (a held-out passport photographed at 1280x720:
# each filler alone, 14 px high at a pitch of 16, its head in one long box), and each
# piece is read alone (``<`` turned over reads ``>``) and grouped apart. Such a run is
# one line again: RUN_LEAST or more near-square boxes read as the MRZ's alphabet (or
# nothing), each within RUN_PITCH heights of the next, of heights within RUN_HEIGHTS of
# each other, their centres on one straight line (off it by RUN_OFF_LINE heights at
# most); with the boxes at its ends on the same line (the head boxed whole).
# ---------------------------------------------------------------------------------------
RUN_LEAST = 8
RUN_PITCH = 2.0
RUN_HEIGHTS = 1.8
RUN_OFF_LINE = 0.35
RUN_AXIS = math.sin(math.radians(20))
RUN_BAND = 0.65  # half the line's box across it, in its pieces' heights (a filler is short)
_PIECE_ASPECT = 2.5


def _piece(text: str) -> bool:
    t = unicodedata.normalize("NFKC", text).upper().replace(" ", "")
    return len(t) <= 3 and all(ch in _FLIPPED_CHARS for ch in t)


def spaced_runs(
    quads: Sequence[Quad], texts: Sequence[str], angles: Sequence[float]
) -> list[tuple[list[int], Quad]]:
    """The runs of boxes that are one letter-spaced line boxed piece by piece (above),
    each with the boxes it replaces and one box around the whole line. ``angles``: each box's
    document's reading direction; two pieces are neighbours along it (within RUN_AXIS
    of its axis), not across it (the MRZ's other line, a pitch and a half away)."""
    import numpy as np

    from kyc.ocr.layout import aspect, quad_height

    small = [i for i, q in enumerate(quads) if aspect(q) < _PIECE_ASPECT and _piece(texts[i])]
    if len(small) < RUN_LEAST:
        return []
    centre = {i: np.asarray(quads[i], np.float64).mean(axis=0) for i in range(len(quads))}
    height = {i: quad_height(quads[i]) for i in range(len(quads))}
    parent = {i: i for i in small}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, i in enumerate(small):
        for j in small[a + 1 :]:
            hi, hj = height[i], height[j]
            if max(hi, hj) > RUN_HEIGHTS * max(min(hi, hj), 1.0):
                continue
            step = centre[j] - centre[i]
            if float(np.linalg.norm(step)) > RUN_PITCH * (hi + hj) / 2:
                continue
            if abs(math.sin(math.atan2(step[1], step[0]) - angles[i])) <= RUN_AXIS:
                parent[root(i)] = root(j)
    comps: dict[int, list[int]] = {}
    for i in small:
        comps.setdefault(root(i), []).append(i)
    runs = []
    for comp in comps.values():
        if len(comp) < RUN_LEAST:
            continue
        pts = np.array([centre[i] for i in comp])
        mid = pts.mean(axis=0)
        _s, _v, vt = np.linalg.svd(pts - mid)
        along = vt[0]
        across = np.array([-along[1], along[0]])  # a quarter turn on: never a mirror
        h = float(np.median([height[i] for i in comp]))
        if float(np.abs((pts - mid) @ across).max()) > RUN_OFF_LINE * h:
            continue
        # The line runs on past the run through boxes that cross its band (the head
        # boxed whole, with the other line's head in the same box, maybe): its extent
        # along the line grows by theirs while they are within a pitch of it.
        band = RUN_BAND * h
        lo = min(float((centre[i] - mid) @ along) for i in comp) - h / 2
        hi = max(float((centre[i] - mid) @ along) for i in comp) + h / 2
        members = set(comp)
        grew = True
        while grew:
            grew = False
            for k, q in enumerate(quads):
                if k in members:
                    continue
                rel = np.asarray(q, np.float64) - mid
                a_k, c_k = rel @ along, rel @ across
                if c_k.max() < -band or c_k.min() > band:
                    continue  # off the line's band
                if a_k.min() > hi + RUN_PITCH * h or a_k.max() < lo - RUN_PITCH * h:
                    continue  # too far along it
                members.add(k)
                lo, hi = min(lo, float(a_k.min())), max(hi, float(a_k.max()))
                grew = True
        corners = [
            mid + along * lo - across * band,
            mid + along * hi - across * band,
            mid + along * hi + across * band,
            mid + along * lo + across * band,
        ]
        runs.append((sorted(members), np.asarray(corners, np.float32)))
    return runs
