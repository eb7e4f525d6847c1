"""Values of a labelled form, found by their labels in any layout (pure).

Certificates print ``label value`` pairs: the value on the label's line (名称 某某有限公司),
right of it in a column of values, or under it (the label alone on its line, the value
indented below); values wrap over several lines; a page may hold two columns of fields,
and a long text (a business scope) may run in two text columns, read column by column.
A value ends where the next label, in its own column, begins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from kyc.ocr.documents.base import (
    MISSING,
    RawField,
    clean,
    clear_of,
    field_from_line,
    join_fields,
    merge_split_labels,
    overlapped_rest,
    strip_label,
)
from kyc.ocr.layout import Line, rows


@dataclass(frozen=True)
class Form:
    """The labels of a form: each field's printed labels (a longer one is tried before
    one it starts with), labels that end values but are no field of ours (登记机关),
    and the fields whose values may wrap over several lines."""

    labels: Mapping[str, tuple[str, ...]]
    stops: tuple[str, ...] = ()
    multiline: frozenset[str] = frozenset()
    # Fields of one line that wrap only when it is full (a partner company with its
    # appointed representative, 芜湖…有限公司（委派代表：白世家）): they continue on the
    # next row only where their first line reaches the right edge of their column.
    wraps_when_full: frozenset[str] = frozenset()
    # How the value of a field begins when its own wording says so (a company type):
    # such a line does not continue another field's value even where its label was lost.
    openings: Mapping[str, re.Pattern[str]] = field(default_factory=dict)

    @property
    def all_labels(self) -> tuple[str, ...]:
        every = [lab for labs in self.labels.values() for lab in labs] + list(self.stops)
        return tuple(sorted(every, key=len, reverse=True))

    def field_of(self, label: str) -> str | None:
        for name, labs in self.labels.items():
            if label in labs:
                return name
        return None


@dataclass(frozen=True)
class _Label:
    field: str | None  # None: a stop label
    line: Line  # the whole line the label starts
    rest: Line  # what follows the label on that line
    row: int


# A line this many times taller than a multi-line value's first line does not continue it.
TALLER = 1.6


def _reaches_right_edge(
    first: Sequence[Line], table: Sequence[Sequence[Line]], col_left: float, x_end: float
) -> bool:
    """The value's first line ends within a line height of the right edge of its
    column's text (the furthest right any line of the column reaches): it is full."""
    h = max(ln.height for ln in first)
    right = max(
        (ln.x1 for row in table for ln in row if ln.x0 >= col_left - h and ln.x1 <= x_end),
        default=0.0,
    )
    return max(ln.x1 for ln in first) >= right - h


def drop_overlapped_junk(row: Sequence[Line]) -> list[Line]:
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


def _filled_left_column(found: Sequence[Line], x_right: float, h: float) -> bool:
    """Whether the lines left of ``x_right`` are a column the value filled before it
    went on in the one line at ``x_right`` (a scope of three lines, two in the left
    column, its last in the right one beside the first): two or more rows, each
    reaching the column's right edge (the furthest any of them reaches, which stands
    left of ``x_right``). A line the detector cut in two at a gap is not such a
    column: its row's other lines, or its own left piece, stop short of that edge or
    run past ``x_right``."""
    table = rows([ln for ln in found if ln.x0 < x_right - 1.5 * h])
    if len(table) < 2:
        return False
    edge = max(ln.x1 for row in table for ln in row)
    return edge < x_right and all(max(ln.x1 for ln in row) >= edge - 1.5 * h for row in table)


def _by_columns(found: Sequence[Line], x_start: float) -> list[Line]:
    """Lines of a value in reading order: by rows, or column by column when the value runs
    in two text columns: lines of two or more rows start at one edge well right of the
    value's start, on rows that also hold a line at its start. A line the detector cut in two
    at a gap belongs to the column its piece lies in; one it boxed across both columns
    is cut at the right column's edge."""
    if not found:
        return []
    h = max(min(ln.height for ln in found), 1.0)
    starts = [ln for ln in found if ln.x0 >= x_start + 3 * h]
    right = sorted(ln.x0 for ln in starts)
    # (two rows' lines: two pieces of one row, 第 | 二类医疗器械销 where the detector cut
    # a line, are no column)
    edges = [x for x in right if len(rows([ln for ln in starts if abs(ln.x0 - x) < 1.5 * h])) >= 2]
    if not edges and len(right) == 1 and _filled_left_column(found, right[0], h):
        edges = right
    if not edges:
        return _reading_order(found)
    edge = min(edges) - 1.5 * h
    left = [ln for ln in found if ln.x0 < edge]
    col = [ln for ln in found if ln.x0 >= edge]
    shared = sum(
        1 for r in col if any(abs(r.cy - lf.cy) < 0.5 * min(r.height, lf.height) for lf in left)
    )
    if not left or shared < max(1, len(col) // 2):
        return _reading_order(found)
    # A line boxed across both columns (the gap between them narrower than a
    # character) is cut where the right column starts, its characters taken as evenly
    # set: 销售预包装食品）；办公用品销售；凭营业执照…活动）, the last row of both. Only
    # on a row where the right column has no line of its own.
    start = min(edges)
    across = [
        ln
        for ln in left
        if ln.x1 > start + h
        and len(ln.text) > 1
        and not any(abs(r.cy - ln.cy) < 0.5 * min(r.height, ln.height) for r in col)
    ]
    for ln in across:
        k = round((start - ln.x0) / ((ln.x1 - ln.x0) / len(ln.text)))
        if 0 < k < len(ln.text):
            left[left.index(ln)] = ln.sub(0, k)
            col.append(ln.sub(k))
    return _reading_order(left) + _reading_order(col)


def _reading_order(found: Sequence[Line]) -> list[Line]:
    """Lines by rows, each row left to right."""
    return [ln for row in rows(found) for ln in row]


def extract(
    lines: Sequence[Line], form: Form, stop_at: Sequence[re.Pattern[str]] = ()
) -> dict[str, RawField]:
    """The value of every labelled field of ``form`` found in ``lines`` (MISSING where no
    label was read). ``stop_at``: whole lines that end a value (the issue date under a
    seal)."""
    stoppers = list(stop_at)
    table = [drop_overlapped_junk(merge_split_labels(r, form.all_labels)) for r in rows(lines)]
    found: list[_Label] = []
    for ri, row in enumerate(table):
        for ln in row:
            hit = strip_label(ln, form.all_labels)
            if hit:
                found.append(_Label(form.field_of(hit[0]), ln, hit[1], ri))
    label_ids = {id(lab.line) for lab in found}
    label_lines = [lab.line for lab in found]
    out: dict[str, RawField] = dict.fromkeys(form.labels, MISSING)
    for lab in found:
        if lab.field is None or out[lab.field] is not MISSING:
            continue
        value = _value(lab, table, label_lines, label_ids, form, stoppers)
        # A value that starts with a label is the next field's line, taken where this
        # one's value was not read (营业期限长期 as a company type, at 0.997).
        text = clean(value.value or "")
        if any(len(other) >= 2 and text.startswith(other) for other in form.all_labels):
            value = MISSING
        out[lab.field] = value
    return out


def _beside(lab: _Label, row: Sequence[Line], label_ids: set[int]) -> list[Line]:
    """The start of a value on its label's row: after the label on its line (and what the
    detector cut off it), or right of the label; empty when the label stands alone."""
    h = max(lab.line.height, 1.0)
    rest = lab.rest
    if overlapped_rest(rest, row, label_ids):
        rest = rest.sub(len(rest.text))  # a made-up character under the value's box
    row_stop = min((ln.x0 for ln in row if id(ln) in label_ids and ln.x0 > rest.x1), default=None)
    if clean(rest.text):
        first = [rest]
        for ln in row:
            if (
                ln.x0 > first[-1].x1 - 0.5 * h
                and ln.x0 - first[-1].x1 < 2 * h
                and id(ln) not in label_ids
                and (row_stop is None or ln.x0 < row_stop)
                and clean(ln.text)
            ):
                first.append(ln)
        return unread_between(first)
    beside = [
        clear_of(lab.line, ln)
        for ln in row
        if ln.cx > rest.x1 and id(ln) not in label_ids and clean(ln.text)
    ]
    if row_stop is not None:
        beside = [ln for ln in beside if ln.x0 < row_stop]
    if not beside or beside[0].x0 - rest.x1 >= 12 * h:
        return []
    return unread_between(_run(beside))


# Pieces of one value further apart than this many line heights have room for a
# character between them that was not read. Pieces the detector cut at a character's
# edge stood 0.10-0.23 apart (seed 591: dates cut at 至); every join of the seeds 579,
# 583, 587 wider than that (4, at 1.18-1.88) was across printed text lost under glare
# or fading (徐州市|装有限公司 for 徐州市汇润服装有限公司, read at 0.999).
UNREAD_GAP = 0.8
UNREAD_CAP = 0.5


def unread_between(pieces: list[Line]) -> list[Line]:
    """``pieces`` (one row's, left to right), the first character after each gap wider
    than UNREAD_GAP heights read at UNREAD_CAP at most: the value joined across it may
    lack what stood in the gap, so it is not reported sure."""
    out = pieces[:1]
    for ln in pieces[1:]:
        gap = ln.x0 - out[-1].x1
        if gap > UNREAD_GAP * max(ln.height, out[-1].height) and ln.probs:
            ln = replace(ln, probs=(min(ln.probs[0], UNREAD_CAP), *ln.probs[1:]))
        out.append(ln)
    return out


# Two pieces of one value on a row stand at most this many line heights apart: a value
# set in two text columns leaves ~1.4 between them; a piece further right is another
# column's (the last line of the right column's address, wrapped down to this row,
# stood 5.9 and 9.5 heights from the business scope's first line).
PIECE_GAP = 3.0


def _run(pieces: Sequence[Line]) -> list[Line]:
    """The lines of a row (left to right) up to the first gap wider than PIECE_GAP."""
    out: list[Line] = []
    for ln in sorted(pieces, key=lambda ln: ln.x0):
        if out and ln.x0 - out[-1].x1 > PIECE_GAP * max(ln.height, out[-1].height):
            break
        out.append(ln)
    return out


def _value(
    lab: _Label,
    table: Sequence[Sequence[Line]],
    label_lines: Sequence[Line],
    label_ids: set[int],
    form: Form,
    stoppers: Sequence[re.Pattern[str]],
) -> RawField:
    row = table[lab.row]
    h = max(lab.line.height, 1.0)
    # Labels further right (another column of fields; the next label of this row).
    right_labels = [
        ln for ln in label_lines if ln.x0 > lab.line.x0 + 2 * h and ln.cy > lab.line.cy - 1.5 * h
    ]
    first = _beside(lab, row, label_ids)
    first_row = lab.row
    if not first:
        # Stacked: the label alone on its line, the value starting under it, with no
        # other label in between (where a value beside its label was lost under a stamp,
        # the line below is the next field's).
        for ri in range(lab.row + 1, min(len(table), lab.row + 3)):
            under = [
                ln
                for ln in table[ri]
                if id(ln) not in label_ids
                and lab.line.x0 - 1.5 * h <= ln.x0 <= lab.line.x0 + 4 * h
                and 0 < ln.cy - lab.line.cy < 2.6 * h
                and not any(
                    id(o) in label_ids
                    and lab.line.x0 - 2 * h <= o.x0 <= lab.line.x0 + 4 * h
                    and lab.line.cy + 0.3 * h < o.cy < ln.cy + 0.8 * h
                    for o in label_lines
                )
            ]
            if under:
                first = [under[0]]
                first_row = ri
                break
    if not first:
        return MISSING
    x_start = first[0].x0
    stacked = first_row != lab.row
    x_end = min((ln.x0 for ln in right_labels if ln.x0 > x_start + 2 * h), default=float("inf"))
    first = [ln for ln in first if ln.x0 < x_end]
    # The left edge of this column's labels (a label's first character may be lost).
    col_left = min(
        [lab.line.x0]
        + [ln.x0 for ln in label_lines if x_start - 8 * ln.height < ln.x0 < lab.line.x0]
    )
    if stacked:
        # The first row of a stacked value may hold its second text column too.
        first = [
            ln
            for ln in table[first_row]
            if id(ln) not in label_ids and x_start - h <= ln.x0 < x_end and clean(ln.text)
        ]
    parts = list(first)
    if lab.field in form.multiline or (
        lab.field in form.wraps_when_full and _reaches_right_edge(first, table, col_left, x_end)
    ):
        last_y = first[0].cy
        height = max(ln.height for ln in first)
        for nxt in table[first_row + 1 :]:
            cont = [
                ln
                for ln in nxt
                if x_start - 1.5 * ln.height <= ln.x0 < x_end
                and id(ln) not in label_ids
                # text set much taller than the value's (a seal's ring, a title) is no
                # part of it: body lines measure 0.9-1.1 of each other, a seal's 2.2
                and ln.height < TALLER * height
            ]
            # A new field starts where anything stands in this field's label column
            # (between the label's left edge and the value), recognised or not, or where
            # a label stands in this column.
            in_label_column = [
                ln
                for ln in nxt
                if (
                    not stacked
                    and ln.x0 > col_left - ln.height
                    and ln.x1 < x_start - 0.3 * ln.height
                )
                or (
                    id(ln) in label_ids
                    and min(col_left, x_start - 4 * ln.height) - 0.5 * ln.height <= ln.x0 < x_end
                )
            ]
            if in_label_column:
                break
            # wrapped text starts again at the value's left edge (a character or two
            # may be lost there); a row whose text starts further right is another
            # column's
            cont = _run(cont)
            if cont and cont[0].x0 > x_start + 2.5 * cont[0].height:
                cont = []
            if not cont:
                continue  # a row with nothing in this column (the seal's text)
            if cont[0].cy - last_y > 2.2 * height:
                break
            if any(s.fullmatch(clean(cont[0].text)) for s in stoppers):
                break
            if any(
                other != lab.field and p.match(clean(cont[0].text))
                for other, p in form.openings.items()
            ):
                break  # another field's value whose label was lost
            parts.extend(cont)
            last_y = cont[0].cy
    wrapped = lab.field in form.multiline or len(parts) > len(first)
    ordered = _by_columns(parts, x_start) if wrapped else parts
    return join_fields([field_from_line(ln) for ln in ordered])
