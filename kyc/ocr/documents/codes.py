"""Finding a check-character code on a document by its label and by its content (pure).

A code (an ID number, a credit code, a registration number) is looked for in every line
and in every pair of neighbouring lines of a row (the detector may cut a spaced-out code
in two). Candidates are runs of characters a code can be read from; a run of the code's
length is a candidate as it is, a longer run only through a window that passes the check.
The best candidate passes its check, stands by the code's label (after it on the same
line or row, or under it), and has the code's length, in that order of importance.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from kyc.ocr.documents.base import MISSING, RawField, field_from_line, strip_label
from kyc.ocr.layout import Line, join_lines, rows
from kyc.ocr.validate import CodeRead

# Characters a code can be read from: its alphabet and what the recogniser confuses
# with it (validate._DIGIT_LOOKALIKES and _X_LOOKALIKES); a number of digits only.
ALPHANUMERIC = re.compile(r"[0-9A-Za-z〇○丨|×ⅹχⅩ!]+")
DIGITS = re.compile(r"[0-9OoDQIli|丨!ZzSsGbBgqT〇○]+")


@dataclass(frozen=True)
class _Candidate:
    raw: RawField
    valid: bool
    labelled: bool
    exact: bool

    @property
    def rank(self) -> tuple[bool, bool, bool]:
        return (self.valid, self.labelled, self.exact)


def _spans(lines: Sequence[Line]) -> Iterator[Line]:
    """Every line, and every two neighbours of a row that lie close together."""
    for row in rows(lines):
        yield from row
        for a, b in itertools.pairwise(row):
            if b.x0 - a.x1 < 1.5 * min(a.height, b.height):
                yield join_lines(a, b)


def _compact(line: Line) -> Line:
    """The line without its spaces (probabilities and runner-ups kept aligned)."""
    keep = [i for i, ch in enumerate(line.text) if not ch.isspace()]
    if len(keep) == len(line.text):
        return line
    return replace(
        line,
        text="".join(line.text[i] for i in keep),
        probs=tuple(line.probs[i] for i in keep if i < len(line.probs)),
        alts=tuple(line.alts[i] for i in keep if i < len(line.alts)),
    )


def _label_near(code: Line, label_lines: Sequence[Line]) -> bool:
    """Whether ``code`` lies below or right of a label line close by."""
    for lab in label_lines:
        h = max(lab.height, 1.0)
        below = 0 < code.cy - lab.cy < 3.0 * h and code.x0 < lab.x1 + 2 * h and lab.x0 < code.x1
        right = abs(code.cy - lab.cy) < 0.6 * h and -h < code.x0 - lab.x1 < 6 * h
        if below or right:
            return True
    return False


def find_code(
    lines: Sequence[Line],
    labels: Sequence[str],
    length: int,
    read: Callable[[RawField], CodeRead],
    windows: bool = True,
    runs: re.Pattern[str] = ALPHANUMERIC,
) -> RawField:
    """The text of the code of ``length`` characters on the document, or MISSING.
    ``windows``: also look inside longer runs (not for a code whose check a random
    window passes too often, such as a 15-digit number's MOD 11,10 inside a credit
    code)."""
    label_lines = [ln for ln in lines if strip_label(_compact(ln), labels) is not None]
    best: _Candidate | None = None
    for span in _spans(lines):
        span = _compact(span)
        found = strip_label(span, labels)
        after_label = len(span.text) - len(found[1].text) if found else -1
        for m in runs.finditer(span.text):
            run_len = m.end() - m.start()
            if run_len < length - 1:
                continue
            starts = (
                [m.start()] if run_len <= length + 1 else range(m.start(), m.end() - length + 1)
            )
            for s in starts:
                e = min(m.end(), s + length) if run_len > length + 1 else m.end()
                raw = field_from_line(span, s, e)
                if not raw.value:
                    continue
                code = read(raw)
                if run_len > length + 1 and not code.valid:
                    continue  # a window of a longer run counts only when its check holds
                labelled = (after_label >= 0 and s >= after_label) or _label_near(
                    span.sub(s, e), label_lines
                )
                cand = _Candidate(raw, code.valid, labelled, e - s == length)
                if best is None or cand.rank > best.rank:
                    best = cand
    return best.raw if best is not None else MISSING
