"""Fields found by their printed labels, in any arrangement (pure): the value after its
label on the same line, right of it on the same row, or under it (a passport's stacked
labels); a value that wraps continues on the rows below, in its own column, until the
next label. Used by the certificates that are not ID cards or business licenses
(passports, residents' permits, unit certificates).

Labels in Chinese are matched as ``strip_label`` does (spaces between characters, one
misread character in a label of four or more); labels in Latin letters ("Date of birth",
"Nom/Surname") are matched ignoring case and spaces, with a few characters misread.
The English half of a bilingual label ("出生日期/Date of birth") is part of the label,
never a value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise

from kyc.ocr.documents.base import (
    EVEN_ODDS,
    MISSING,
    OVERPRINT_CHARS,
    OVERPRINT_PIECES,
    OVERPRINT_TAIL,
    TERM_LINE,
    RawField,
    clean,
    clear_of,
    field_from_line,
    join_fields,
    merge_split_labels,
    overlapped_rest,
    skip_gap,
    strip_label,
)
from kyc.ocr.layout import Line, rows


@dataclass(frozen=True)
class Spec:
    """How a field is printed: its labels (longest first is not needed), whether its
    value may wrap over several lines, whether it may stand under its label, and what
    the value looks like (of the lines beside a label, the ones of that shape)."""

    labels: tuple[str, ...]
    multiline: bool = False
    below: bool = True
    shape: re.Pattern[str] | None = None  # what the value looks like (searched)
    # What a piece of the value boxed apart just before a line of ``shape`` looks like
    # (a passport name's hanzi, 黄 | HUANG): such pieces are kept with it.
    lead: re.Pattern[str] | None = None


_LATIN_LABEL = re.compile(r"^[A-Za-z]")
# The rest of a bilingual label after its Chinese half: "/Date of birth", "/Sex".
_LABEL_TAIL = re.compile(r"^\s*[/／|丨]\s*[A-Za-zé'’. ]*$")
# The English halves these documents print after a Chinese label (folded: lower case,
# letters only); one of them right after the Chinese half is the label's, its slash
# lost (姓名Name: "Name" is no name).
_LATIN_HALVES = frozenset(
    (
        "name", "surname", "givennames", "sex", "nationality", "placeofbirth",
        "dateofbirth", "dateofissue", "dateofexpiry", "placeofissue", "authority",
        "type", "countrycode", "passportno",
    )
)  # fmt: skip


def _latin_half(text: str) -> bool:
    """Whether ``text`` is only one of the English label halves (slash lost)."""
    return re.sub(r"[^a-z]", "", text.lower()) in _LATIN_HALVES and not re.search(
        r"[^\sA-Za-z.]", text
    )


# Minimum similarity of a Latin label and the start of a line (difflib ratio): one or
# two characters of a ten-letter label misread or lost.
LATIN_MATCH = 0.8
# Latin labels this long or shorter (Sex, Nom, Code) are matched by as many letters as
# they have.
SHORT_LATIN = 4


def is_latin(label: str) -> bool:
    return bool(_LATIN_LABEL.match(label))


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def match_label(line: Line, labels: Sequence[str]) -> tuple[str, Line] | None:
    """The label ``line`` starts with and the rest of the line, or None. A bilingual
    label's other half is consumed with it. One stray character before the label (a
    seal's or watermark's ink beside it read as 政: 政住所, 政 at 0.22) is passed over
    where it reads below EVEN_ODDS (the recogniser likelier wrong than right)."""
    found = _starting_label(line, labels)
    if found is None and len(line.text) > 2 and line.probs and line.probs[0] < EVEN_ODDS:
        found = _starting_label(line.sub(1), labels)
    return found


def _starting_label(line: Line, labels: Sequence[str]) -> tuple[str, Line] | None:
    cjk = [lab for lab in labels if not is_latin(lab)]
    found = strip_label(line, cjk) if cjk else None
    if found is None:
        found = _match_latin(line, [lab for lab in labels if is_latin(lab)])
    if found is None:
        return None
    label, rest = found
    if _LABEL_TAIL.match(rest.text) or (not is_latin(label) and _latin_half(rest.text)):
        return label, rest.sub(len(rest.text))
    return label, rest


def _match_latin(line: Line, labels: Sequence[str]) -> tuple[str, Line] | None:
    text = line.text
    # positions in the line of each non-space character, for mapping back
    pos = [i for i, ch in enumerate(text) if not ch.isspace()]
    folded = "".join(text[i] for i in pos).lower()
    best: tuple[float, str, int] | None = None
    for label in labels:
        lab = _fold(label)
        # (a short label is matched whole: two letters of three are a ratio of 0.8, and
        # EX of a passport number EX6939974 had been Sex with its S lost)
        least = len(lab) if len(lab) <= SHORT_LATIN else max(1, len(lab) - 2)
        for n in range(least, len(lab) + 3):
            if n > len(folded):
                break
            ratio = SequenceMatcher(None, lab, folded[:n], autojunk=False).ratio()
            if ratio >= LATIN_MATCH and (best is None or ratio > best[0]):
                best = (ratio, label, n)
    if best is None:
        return None
    _, label, n = best
    end = pos[n - 1] + 1 if n <= len(pos) else len(text)
    return label, line.sub(skip_gap(line, end))


# Where a second label may start inside a line: after a number or a date, and a stray
# character at most (the blank between a date and 性别 read as 產).
_INNER_GAP = re.compile(r"[\d.\s][^\d.\s]?$")


def split_inner_labels(row: Sequence[Line], labels: Sequence[str]) -> list[Line]:
    """Lines of a row cut where a second label starts inside them ("1990.11.27 性别 男"
    read as one line, or its first characters at the line's end): only after a space,
    a digit or a dot, where a value that is a number or a date ends (_INNER_GAP)."""
    cjk = sorted((lab for lab in labels if not is_latin(lab) and len(lab) >= 2), key=len)[::-1]
    out: list[Line] = []
    for i, line in enumerate(row):
        text = line.text
        cut = None
        for lab in cjk:
            pattern = r"\s*".join(map(re.escape, lab))
            for m in re.finditer(pattern, text):
                if m.start() > 0 and _INNER_GAP.search(text[: m.start()]):
                    cut = m.start() if cut is None else min(cut, m.start())
                    break
        if cut is None and i + 1 < len(row):
            # the first characters of a label end the line, the next box holds the rest
            # ("1955.09.03性" | "别男")
            nxt = clean(row[i + 1].text)
            for lab in cjk:
                for k in range(1, len(lab)):
                    at = len(text.rstrip()) - k
                    if (
                        at > 0
                        and text.rstrip().endswith(lab[:k])
                        and nxt.startswith(lab[k:])
                        and _INNER_GAP.search(text[:at])
                    ):
                        cut = at
                        break
                if cut is not None:
                    break
        if cut is None or not clean(text[:cut]):
            out.append(line)
        else:
            out.extend((line.sub(0, cut), line.sub(cut)))
    return out


def merge_spread_labels(row: Sequence[Line], labels: Sequence[str]) -> list[Line]:
    """Join a label printed with its characters spread apart (有　效　期, 法 定 代 表 人)
    that the detector cut into boxes of one or two characters: consecutive short boxes
    of a row whose characters make a label, or the start of one that the next box
    completes (its value may follow in that box)."""
    cjk = [lab for lab in labels if not is_latin(lab) and len(lab) >= 3]
    out: list[Line] = []
    i = 0
    while i < len(row):
        merged = None
        if 0 < len(clean(row[i].text)) <= 2:
            head = ""
            for j in range(i, len(row)):
                piece = clean(row[j].text)
                if not 0 < len(piece) <= 2 or j - i >= 6:
                    break
                head += piece
                if j == i:
                    continue
                whole = [lab for lab in cjk if lab == head]
                if whole:
                    merged = (j + 1, _joined(row[i : j + 1], whole[0], None))
                    continue
                if j + 1 < len(row):
                    nxt = clean(row[j + 1].text)
                    part = [
                        lab
                        for lab in cjk
                        if lab.startswith(head) and lab != head and nxt.startswith(lab[len(head) :])
                    ]
                    if part:
                        merged = (j + 2, _joined(row[i : j + 1], part[0], row[j + 1]))
        if merged is None:
            out.append(row[i])
            i += 1
        else:
            i, line = merged
            out.append(line)
    return out


def _joined(pieces: Sequence[Line], label: str, tail: Line | None) -> Line:
    """One line: ``label`` over ``pieces``, then the rest of ``tail`` after the label's
    remaining characters."""
    first = pieces[0]
    if tail is None:
        return Line(label, first.x0, min(p.y0 for p in pieces), pieces[-1].x1,
                    max(p.y1 for p in pieces), (1.0,) * len(label), ((),) * len(label),
                    first.source)  # fmt: skip
    head = "".join(clean(p.text) for p in pieces)
    rest_text = tail.text.lstrip()
    skipped = len(tail.text) - len(rest_text)
    # skip the label's remaining characters (and spaces between them) in the tail
    need, pos = len(label) - len(head), skipped
    while need and pos < len(tail.text):
        if not tail.text[pos].isspace():
            need -= 1
        pos += 1
    rest = tail.sub(pos)
    return Line(
        label + rest.text,
        first.x0,
        min(first.y0, tail.y0),
        tail.x1,
        max(first.y1, tail.y1),
        (1.0,) * len(label) + rest.probs,
        ((),) * len(label) + rest.alts,
        first.source,
    )


def labelled_fields(
    lines: Sequence[Line],
    specs: Mapping[str, Spec],
    stops: Sequence[str] = (),
) -> dict[str, RawField]:
    """The value of every field of ``specs`` found by its label (MISSING where no label
    was read), and under ``OPEN_ENDED`` the values that may have lost text: wrapped ones
    that may have lost a line, and ones with room for an unread character inside.
    ``stops``: other labels printed on the document, which end a value."""
    owner: dict[str, str] = {}
    for name, spec in specs.items():
        for lab in spec.labels:
            owner.setdefault(lab, name)
    for lab in stops:
        owner.setdefault(lab, "")
    all_labels = sorted(owner, key=len, reverse=True)
    cjk_labels = [lab for lab in all_labels if not is_latin(lab)]
    # A two-character label whose second character is a label of its own (姓名 and 名 on
    # a passport) is not restored from a line that starts with that character: the line
    # is the other label (名/Given names), not 姓名 with its first character lost.
    singles = {lab for lab in cjk_labels if len(lab) == 1}
    mergeable = [lab for lab in cjk_labels if not (len(lab) == 2 and lab[1] in singles)]
    table = [
        merge_split_labels(
            merge_spread_labels(split_inner_labels(row, all_labels), cjk_labels), mergeable
        )
        for row in rows(lines)
    ]
    table = [row for row in table if row]
    found: list[tuple[str, int, Line, Line]] = []  # field ("" = a stop), row, label, rest
    for ri, row in enumerate(table):
        for ln in row:
            hit = match_label(ln, all_labels)
            if hit is not None:
                found.append((owner[hit[0]], ri, ln, hit[1]))
    label_lines = [ln for _, _, ln, _ in found]
    out: dict[str, RawField] = dict.fromkeys(specs, MISSING)
    open_ended: set[str] = set()
    for field, ri, label_line, rest in found:
        if not field or out[field] is not MISSING:
            continue
        out[field] = _value(
            table, ri, label_line, rest, specs[field], label_lines, field, open_ended
        )
    out[OPEN_ENDED] = RawField(",".join(sorted(open_ended)) or None)
    return out


# Key of the result of ``labelled_fields`` naming the values that may have lost text
# (comma-separated): multi-line values whose last line runs to the right margin (a line
# after it may have been lost), and values with an unread gap inside (unread_between).
OPEN_ENDED = "_open_ended"


def open_ended(raw: Mapping[str, RawField]) -> frozenset[str]:
    value = raw.get(OPEN_ENDED, MISSING).value
    return frozenset(value.split(",")) if value else frozenset()


def _overlap(a: Line, b: Line) -> float:
    """Vertical overlap of two lines over the smaller height (0..1)."""
    inter = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(0.0, inter) / max(1.0, min(a.height, b.height))


# A line overlapping a label beside it by at least this share of its height is on the
# label's row (values beside their labels overlap them by 0.7-1.0; a value of the next
# row, in a taller font, by up to ~0.45).
INLINE_SURE = 0.6


def _stacked_under(label: Line, line: Line) -> bool:
    """``line`` stands directly under ``label``: left edges within half a label height,
    its top no more than 0.8 label heights below the label's bottom."""
    h = max(label.height, 1.0)
    return abs(line.x0 - label.x0) <= 0.5 * h and -0.3 * h <= line.y0 - label.y1 <= 0.8 * h


# A lead piece stands at most this many line heights before its shaped line (a name's
# hanzi and Latin letters, printed two spaces apart, were boxed 0.3-0.5 apart).
LEAD_GAP = 1.5


def _reading_order(lines: Sequence[Line]) -> list[Line]:
    """Lines by rows of the full-height ones (each row left to right); a small piece (a
    seal's character, a mark) goes to the row whose band holds its centre, or the
    nearest."""
    if not lines:
        return []
    tallest = max(ln.height for ln in lines)
    grid = rows([ln for ln in lines if ln.height >= 0.6 * tallest])
    for ln in lines:
        if ln.height < 0.6 * tallest:
            band = min(
                grid,
                key=lambda r: (
                    not min(o.y0 for o in r) <= ln.cy <= max(o.y1 for o in r),
                    abs(sum(o.cy for o in r) / len(r) - ln.cy),
                ),
            )
            band.append(ln)
    return [ln for row in grid for ln in sorted(row, key=lambda ln: ln.x0)]


def _shaped(lines: Sequence[Line], spec: Spec) -> list[list[Line]]:
    """The lines that have the value's shape, in reading order (by rows, each left to
    right: the lines beside a label may stand on two rows of a tightly set value), each
    with the lead pieces just before it."""
    ordered = _reading_order(lines)
    runs: list[list[Line]] = []
    taken = 0  # a lead piece belongs to one run only
    for i, ln in enumerate(ordered):
        if spec.shape is not None and not spec.shape.search(clean(ln.text)):
            continue
        j = i
        while (
            spec.lead is not None
            and j > taken
            and spec.lead.search(clean(ordered[j - 1].text))
            and ordered[j].x0 - ordered[j - 1].x1 <= LEAD_GAP * max(ordered[j].height, 1.0)
        ):
            j -= 1
        runs.append(ordered[j : i + 1])
        taken = i + 1
    return runs


def _value(
    table: Sequence[Sequence[Line]],
    ri: int,
    lab: Line,
    rest: Line,
    spec: Spec,
    labels: Sequence[Line],
    field: str,
    open_ended: set[str],
) -> RawField:
    h = max(lab.height, 1.0)
    label_ids = {id(ln) for ln in labels}
    row_of = {id(ln): i for i, row in enumerate(table) for ln in row}
    # this field's column ends where the next label to its right, on its line, starts
    col_end = min(
        (ln.x0 for ln in labels if ln.x0 > lab.x1 - 0.5 * h and _overlap(ln, lab) > 0.35),
        default=math.inf,
    )

    def owner(line: Line) -> Line | None:
        """The label a line belongs to: of the labels on its row to its left, the
        nearest (性别 女 after 出生日期…, both on the row); else the label it stands
        directly under, its left edge on the label's (a country code under 国家码 beside
        姓/Surname, a row lower); else the label to its left it overlaps most."""
        left = [lb for lb in labels if lb.x1 <= line.x0 + h and _overlap(lb, line) > 0.35]
        on_row = [lb for lb in left if _overlap(lb, line) >= INLINE_SURE]
        if on_row:
            return max(on_row, key=lambda lb: lb.x1)
        under = [lb for lb in labels if _stacked_under(lb, line)]
        if under:
            return max(under, key=lambda lb: lb.y1)
        return max(left, key=lambda lb: (_overlap(lb, line), lb.x1), default=None)

    parts: list[Line] = []
    detected: dict[int, Line] = {}
    if overlapped_rest(rest, table[ri], label_ids):
        rest = rest.sub(len(rest.text))  # a made-up character under the value's box
    if clean(rest.text) and (spec.shape is None or spec.shape.search(clean(rest.text))):
        parts.append(rest)
    else:
        # the value right of its label: on the same row, or a little above or below it
        # (a value font with other vertical metrics than the label's)
        near = [
            ln
            for rj in range(max(0, ri - 1), min(len(table), ri + 2))
            for ln in table[rj]
            if id(ln) not in label_ids
            and ln.x0 >= lab.x1 - h
            and ln.x0 < col_end
            and clean(ln.text)
            and owner(ln) is lab
        ]
        cut = [clear_of(lab, ln) for ln in near]
        detected.update((id(c), ln) for c, ln in zip(cut, near, strict=True))
        parts.extend(ln for run in _shaped(cut, spec) for ln in run)
    # (a value cut clear of its label is still its whole line as detected, on its row)
    last = max([ri, *(row_of.get(id(detected.get(id(ln), ln)), ri) for ln in parts)])
    if not parts and spec.below:
        for rj in range(ri + 1, min(ri + 3, len(table))):
            below = table[rj]
            if not below or below[0].cy - lab.cy > 3.2 * h:
                break
            under = [
                ln
                for ln in below
                if lab.x0 - 1.5 * h <= ln.x0 < min(col_end, lab.x1 + 2 * h) and clean(ln.text)
            ]
            if any(id(ln) in label_ids for ln in under):
                break
            runs = _shaped(under, spec)
            if runs:
                parts.extend(runs[0])
                col_end = min(
                    [col_end]
                    + [ln.x0 for ln in below if ln.x0 > runs[0][-1].x1 and id(ln) in label_ids]
                )
                last = rj
                break
    if not parts:
        return MISSING
    if spec.multiline:
        taken = {id(detected.get(id(ln), ln)) for ln in parts}
        x_start = min(ln.x0 for ln in parts)
        last_y = max(ln.cy for ln in parts)
        height = max(ln.height for ln in parts)
        for nxt in table[last + 1 :]:
            column = [ln for ln in nxt if lab.x0 - 2 * ln.height <= ln.x0 < col_end]
            # another field starts: its label, or a value beside another label (a value
            # font taller than its label's can put it on the row above that label)
            if any(id(ln) in label_ids or owner(ln) not in (None, lab) for ln in column):
                break
            # a whole term (自…至…) is the term's own row, its label lost under a
            # watermark: no other value runs on into it (梅州市教育局自2023年…)
            if field != "term" and any(TERM_LINE.fullmatch(clean(ln.text)) for ln in column):
                break
            cont = [
                ln for ln in column if x_start - 1.5 * ln.height <= ln.x0 and id(ln) not in taken
            ]
            if not cont:
                continue  # nothing in this column on the row (a seal's text beside it)
            if cont[0].cy - last_y > 2.2 * height:
                break
            parts.extend(cont)
            last_y = cont[0].cy
        # A wrapped value whose last line runs to the right margin of the text may have
        # lost a line after it (a line of one or two characters is easily not detected).
        # (the margin: the widest line starting in this value's column)
        right = max(
            (ln.x1 for row in table for ln in row if abs(ln.x0 - x_start) < 1.5 * height),
            default=0.0,
        )
        if parts[-1].x1 >= right - 1.5 * parts[-1].height:
            open_ended.add(field)
    if unread_between(parts):
        open_ended.add(field)
    return join_fields([field_from_line(ln) for ln in parts])


# Pieces of one value on one row stand at most half a line height apart (a name's hanzi
# and Latin letters printed two spaces apart: 0.3-0.5); a gap of UNREAD_GAP or more has
# room for a whole character that was not read (a highlight over 政全额拨 left 财 and 款
# boxed 1.6 heights apart).
UNREAD_GAP = 1.0


def unread_between(parts: Sequence[Line]) -> bool:
    """Whether two pieces of a value that follow each other on one row leave room for a
    character between them that nothing read: the value may be missing its middle."""
    return any(
        _overlap(a, b) >= INLINE_SURE and b.x0 - a.x1 >= UNREAD_GAP * max(a.height, b.height, 1.0)
        for a, b in pairwise(parts)
    )


def trim_overprint(value: str) -> tuple[str, bool]:
    """``value`` without overprint pieces read onto its start or end, and whether any
    were cut (what stood under them is then uncertain)."""
    if value in OVERPRINT_PIECES:
        return "", True  # nothing but a watermark's piece where the value should be
    cut = False
    changed = True
    while changed and value:
        changed = False
        for piece in OVERPRINT_PIECES:
            if value.endswith(piece) and len(value) > len(piece) + 1:
                value, changed, cut = value[: -len(piece)], True, True
            elif value.startswith(piece) and len(value) > len(piece) + 1:
                value, changed, cut = value[len(piece) :], True, True
    # a stamp's words read on after the value, their last characters misread (彭睿 +
    # 仅供办理备务): a short tail that starts with a piece and is mostly their characters
    for at in range(2, len(value) - 1):
        tail = value[at:]
        if (
            len(tail) <= OVERPRINT_TAIL
            and tail.startswith(OVERPRINT_PIECES)
            and sum(ch in OVERPRINT_CHARS for ch in tail) >= OVERPRINT_SHARE * len(tail)
        ):
            return value[:at], True
    return value, cut


# An overprint's tail (OVERPRINT_TAIL characters at most): at least this share of
# them characters of the overprint's pieces.
OVERPRINT_SHARE = 0.6


_LATIN_NAME = re.compile(r"^[A-Z][A-Z'\- ]*[,，]\s*[A-Z][A-Z'\- ]*$")


def latin_name_line(lines: Sequence[Line]) -> RawField:
    """The line of a Latin name in the form ``SURNAME, GIVEN NAMES`` (as permits and
    passports print it under the Chinese name): a line, or the boxes of one row joined
    (the detector may cut it at the comma's gap)."""
    for row in rows(lines):
        for ln in row:
            if _LATIN_NAME.match(ln.text.strip().upper()):
                return field_from_line(ln)
        joined = row[0]
        for ln in row[1:]:
            joined = Line(
                joined.text + " " + ln.text,
                joined.x0,
                min(joined.y0, ln.y0),
                ln.x1,
                max(joined.y1, ln.y1),
                (*joined.probs, 1.0, *ln.probs),
                (*joined.alts, (), *ln.alts),
                joined.source,
            )
        if len(row) > 1 and _LATIN_NAME.match(joined.text.strip().upper()):
            return field_from_line(joined)
    return MISSING
