"""A code whose box was cut one character short, read again from a longer box.

The detector ends a line's box where its ink changes: a seal stamped over the last
character of a credit code (red over black) ends the box before it, and the code comes
back 17 characters long ('52371003QEP5P25P3' for '52371003QEP5P25P34', measured on a
clean tuned private non-enterprise certificate: the box stopped at the seal's edge).
Such a line (or one two characters short: '12610111H773Q8M1' for '12610111H773Q8M1DY')
is cropped again with its box lengthened at both ends by the characters missing and
half a pitch more, and read both ways up; the new reading is kept only where it holds
the characters read first, in order, with exactly the missing ones beside them (read
from the pixels the first box left out, never guessed: the check character then says
whether the code holds).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from kyc.ocr.validate import fold_code_letters

if TYPE_CHECKING:
    from kyc.ocr.engine import Image, Quad, TextReading

CODE_LENGTH = 18  # a unified social credit code, a resident ID number
MISSING = (1, 2)  # characters a cut box may have lost
# How far the box is lengthened at each end beyond the characters lost, in character
# pitches of the line as read: room for the pitch of a spaced code to vary.
EXTEND = 0.5
_RUN = re.compile(r"[0-9A-Z]+")
# A run of letters is a word; a code has digits throughout (a credit code's region part
# alone is six).
MIN_DIGITS = 8


def _run(text: str, length: int) -> tuple[int, int] | None:
    """The span in ``text`` (spaces skipped) of its one run of ``length`` code
    characters with MIN_DIGITS digits or more: (first index, last index + 1)."""
    keep = [i for i, ch in enumerate(text) if not ch.isspace()]
    folded = "".join(text[i] for i in keep)
    spans = [
        m.span()
        for m in _RUN.finditer(folded)
        if m.end() - m.start() == length and sum(ch.isdigit() for ch in m.group()) >= MIN_DIGITS
    ]
    if len(spans) != 1:
        return None
    a, b = spans[0]
    return keep[a], keep[b - 1] + 1


def _code(text: str, span: tuple[int, int]) -> str:
    return "".join(ch for ch in text[span[0] : span[1]] if not ch.isspace())


def lengthened(quad: Quad, chars: int, pitches: float) -> Quad:
    """``quad``, which holds ``chars`` characters, lengthened along its long side by
    ``pitches`` of their pitch at each end."""
    from kyc.ocr.engine import order_along_long_side

    q = order_along_long_side(quad).astype(np.float32)
    along = q[1] - q[0]
    length = float(np.linalg.norm(along))
    if length < 1e-6:
        return q
    step = along / length * (length / chars) * pitches
    return np.array([q[0] - step, q[1] + step, q[2] + step, q[3] - step], dtype=np.float32)


def reread_cut_codes(
    recognize: Callable[[list[Image]], list[TextReading]],
    image: Image,
    quads: Sequence[Quad],
    texts: Sequence[TextReading],
) -> list[TextReading]:
    """``texts`` with every code read one or two characters short read again from a
    longer box, where that reading adds exactly the missing characters to the ones read
    first."""
    from kyc.ocr.engine import TextReading, crop_line
    from kyc.ocr.mrz import fold_full_width

    out = list(texts)
    todo = [
        (i, span, n)
        for i, t in enumerate(texts)
        for n in MISSING
        if (span := _run(t.text, CODE_LENGTH - n))
    ]
    if not todo:
        return out
    crops: list[Image] = []
    for i, _span, n in todo:
        crop = crop_line(image, lengthened(quads[i], CODE_LENGTH - n, n + EXTEND))
        crops.extend((crop, np.ascontiguousarray(crop[::-1, ::-1])))
    again = fold_full_width(recognize(crops))  # spaced print comes back full-width
    for k, (i, span, _n) in enumerate(todo):
        first = _code(texts[i].text, span)
        best: tuple[float, TextReading, tuple[int, int]] | None = None
        for reading in again[2 * k : 2 * k + 2]:
            new_span = _run(reading.text, CODE_LENGTH)
            # (compared with the letters no code holds folded: 51131122PGOU8NNCP, its 0
            # read as O, is held in 51131122PG0U8NNCPH)
            again_code = _code(reading.text, new_span) if new_span else ""
            if new_span is None or fold_code_letters(first) not in fold_code_letters(again_code):
                continue
            chars = reading.chars[new_span[0] : new_span[1]]
            p = sum(c.prob for c in chars) / max(1, len(chars))
            if best is None or p > best[0]:
                best = (p, reading, new_span)
        if best is None:
            continue
        _, reading, (a, b) = best
        old = texts[i]
        a0, b0 = span
        chars = (*old.chars[:a0], *reading.chars[a:b], *old.chars[b0:])
        out[i] = TextReading("".join(c.char for c in chars), tuple(chars))
    return out
