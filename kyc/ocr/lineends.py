"""A line whose last characters the recogniser dropped, read again with more room.

The recogniser may drop a line's last characters without a sign in what it returns: the
box held 法定代表人范文薇 whole (a dense 薇 in a thin font, a few pixels from the box's
end), and it read 法定代表人范文 at 0.99 a character. Where it emitted each character is
known (``CharReading.at``), and so is where the line's ink ends: on lines read whole the
ink ends 0.27 line heights past the last character's step (median; 90th percentile
0.41, measured on 345 lines of 24 generated photos, both splits), on that line 0.82, on
lines that lost a whole value 1.1-1.8. A line whose ink runs more than TAIL heights past
its last character, where no other line's box holds that ink (a value boxed apart from
its label), is read again from its box lengthened by EXTEND heights (the cut character
then has room and context around it: 薇 came back, at 0.67). The new reading
is kept only where it begins with exactly the characters read first and adds 1 to
MAX_ADDED more; their probabilities are the recogniser's own, so a doubtful character
makes the field doubtful, as it should: nothing is added that was not read. Where the
longer box reads nothing more, the line keeps its reading and its last character
becomes no surer than END_DOUBT: the ink says something may be missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import cv2
import numpy as np
import numpy.typing as npt

from kyc.ocr.layout import to_upright

if TYPE_CHECKING:
    from kyc.ocr.engine import Image, Quad, TextReading

# Between the 90th percentile of lines read whole (0.41) and the first line seen to have
# lost a character (0.82).
TAIL = 0.65
EXTEND = 0.5
MAX_ADDED = 4
# A line whose ink runs on and whose longer box reads nothing more ends in doubt.
END_DOUBT = 0.5
# Ink a little past the last character, more than on 90% of lines read whole (0.41) and
# no more than TAIL, may be one narrow mark the recogniser drops where the box ends
# right after it: 组织…编辑出版会刊、 (a wrapped scope, tail 0.46) read without its 、 at
# 1.0; with paper after it (PAPER_AFTER heights, no new ink) the same crop read the 、
# at 0.98-1.0. Such a line is read again so; the new reading is kept only where it adds
# exactly one of NARROW_MARKS.
NARROW_TAIL = 0.41
PAPER_AFTER = 0.5
NARROW_MARKS = frozenset("、，。；：）)")
# ... on a line long enough to be part of a wrapped value (where a mark ends a line, it
# ends a line filled to its column's edge): 2.4 lines a photo were read again at any
# length, +4.4% of a read's time; the 、 found was a 22-character line's.
NARROW_MIN_CHARS = 10


def ink_columns(grey: npt.NDArray[np.uint8], dark: float) -> npt.NDArray[np.intp]:
    """The columns of a line crop (grey, reading left to right) that hold ink: pixels
    darker than ``dark`` (the middle of the line's ink and paper levels) in the middle
    rows only (a descender of a neighbouring line is not this line's)."""
    h = int(grey.shape[0])
    band = grey[int(0.2 * h) : max(int(0.2 * h) + 1, int(0.8 * h))]
    return np.flatnonzero((band < dark).sum(axis=0) >= max(2, int(0.08 * band.shape[0])))


# Ink the box left out: a character boxed apart from the rest of its line or dropped by
# the detector at the line's end (谭宁一 boxed as 谭宁: 一 is one thin stroke). A window
# BEYOND heights long past the box's end, where no other line's box lies, holding ink
# that starts within ATTACHED heights of the box (what starts further off is not this
# line's), sends the line to be read again from its box lengthened by BEYOND.
# On 40 photos, 660 windows of 995 lines were looked at and 28 lines read again (the
# windows' overlap tests compare upright rectangles first: testing every other box's
# polygon took ~9% of a read). A longer box that reads more but whose ink still runs to
# its end (黑龙江省…海伦市滨 boxed short of 河东路824, read 滨河) has not read the line
# whole: its last character is no surer than END_DOUBT.
BEYOND = 1.0
# Rounds of a box lengthened by BEYOND while ink still follows it; a line that goes on
# after the last is left with its last character in doubt.
AFTER_ROUNDS = 3
ATTACHED = 0.4


def ink_after_box(window: npt.NDArray[np.uint8], dark: float) -> bool:
    """Whether ``window`` (grey, the strip just past a line's box, reading left to right)
    holds ink (``ink_columns``) starting within ATTACHED line heights of its left edge."""
    cols = ink_columns(window, dark)
    return bool(len(cols)) and float(cols[0]) <= ATTACHED * window.shape[0]


def ink_runs_to_end(grey: npt.NDArray[np.uint8], dark: float) -> bool:
    """Whether a line crop's ink (``ink_columns``) reaches its last tenth of a line
    height: the line goes on past the crop."""
    h, w = int(grey.shape[0]), int(grey.shape[1])
    cols = ink_columns(grey, dark)
    return bool(len(cols)) and float(cols[-1]) >= w - 1 - 0.1 * h


def tail_ink(grey: npt.NDArray[np.uint8], last_at: float, dark: float) -> float:
    """How far the ink of a line crop (grey, reading left to right) runs past its last
    recognised character (``last_at``: a share of the crop's width), in line heights
    (ink: ``ink_columns``)."""
    h, w = int(grey.shape[0]), int(grey.shape[1])
    cols = ink_columns(grey, dark)
    if len(cols) == 0:
        return 0.0
    return (float(cols[-1]) - last_at * w) / max(h, 1)


def lengthened_at_end(quad: Quad, angle: float, by: float) -> Quad:
    """``quad`` lengthened at its end (in the ``angle`` reading direction) by ``by`` px."""
    from kyc.ocr.engine import order_along

    q = order_along(quad, angle).astype(np.float32)
    u = q[1] - q[0]
    u = u / max(float(np.linalg.norm(u)), 1e-6)
    out = q.copy()
    out[1] += by * u
    out[2] += by * u
    return out


def covered(window: Quad, others: Sequence[Quad]) -> bool:
    """Whether another line's box overlaps ``window`` by more than a tenth of its area."""
    area = max(float(cv2.contourArea(window.astype(np.float32))), 1.0)
    lo, hi = window.min(axis=0), window.max(axis=0)
    for q in others:
        if (q.max(axis=0) < lo).any() or (q.min(axis=0) > hi).any():
            continue  # apart even as upright rectangles
        inter, _ = cv2.intersectConvexConvex(window.astype(np.float32), q.astype(np.float32))
        if inter > 0.1 * area:
            return True
    return False


def past_last(quad: Quad, angle: float, at: float, by: float) -> Quad:
    """The part of a line's box from its last character's step (``at``, a share of its
    length) to ``by`` px past its end."""
    from kyc.ocr.engine import order_along

    q = order_along(quad, angle).astype(np.float32)
    longer = lengthened_at_end(quad, angle, by)
    return np.array(
        [q[0] + at * (q[1] - q[0]), longer[1], longer[2], q[3] + at * (q[2] - q[3])],
        dtype=np.float32,
    )


def extends(first: TextReading, again: TextReading) -> bool:
    """Whether ``again`` is ``first`` with 1..MAX_ADDED characters (no spaces) added."""
    base = first.text.rstrip()
    added = again.text[len(base) :]
    return (
        bool(base)
        and again.text.startswith(base)
        and 0 < len(added) <= MAX_ADDED
        and not any(ch.isspace() for ch in added)
    )


def reread_lost_ends(
    recognize: Callable[[list[Image]], list[TextReading]],
    image: Image,
    quads: list[Quad],
    crops: Sequence[Image],
    texts: list[TextReading],
    angles: dict[int, float],
    dark: Sequence[float],
) -> list[TextReading]:
    """``texts`` with each line whose ink runs on past its last character read again
    from a longer box (module docstring; the line keeps its box: a box lengthened for
    one character moved where a multi-line value's lines were put in order). ``crops``:
    the lines as read, turned to read left to right; ``angles``: each line's reading
    direction; ``dark``: each crop's ink threshold (``tail_ink``)."""
    from kyc.ocr.engine import crop_line

    todo: list[tuple[int, Quad]] = []
    after: list[tuple[int, Quad]] = []
    narrow: list[int] = []
    for i, t in enumerate(texts):
        if not t.chars or t.chars[-1].at < 0 or i not in angles:
            continue
        crop = crops[i]
        grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
        tail = tail_ink(np.asarray(grey, np.uint8), t.chars[-1].at, dark[i])
        if tail <= TAIL:
            beyond = BEYOND * grey.shape[0]
            lengthened = _longer_where_ink_follows(
                image, quads, i, quads[i], angles[i], dark[i], beyond
            )
            if lengthened is not None:
                after.append((i, lengthened))
                continue
            if (
                tail > NARROW_TAIL
                and len(t.text) >= NARROW_MIN_CHARS
                and (t.text[-1:] not in NARROW_MARKS)
            ):
                narrow.append(i)
            continue
        by = EXTEND * grey.shape[0]
        # the ink past the last character is another line's (a value boxed apart from
        # its label, 姓名 | 白波): that line reads it
        others = [q for k, q in enumerate(quads) if k != i]
        if covered(past_last(quads[i], angles[i], t.chars[-1].at, by), others):
            continue
        todo.append((i, lengthened_at_end(quads[i], angles[i], by)))
    if not todo and not narrow and not after:
        return texts
    after_crops = [crop_line(image, q, reading=angles[i]) for i, q in after]
    again = recognize(
        [crop_line(image, q, reading=angles[i]) for i, q in todo]
        + [with_paper_after(crops[i], dark[i]) for i in narrow]
        + after_crops
    )
    texts = list(texts)
    for (i, _quad), reading in zip(todo, again[: len(todo)], strict=True):
        texts[i] = reading if extends(texts[i], reading) else doubtful_end(texts[i])
    # ink past the box may be anything (a neighbour's edge, the card's): a line that
    # reads nothing more from the longer box keeps its reading and its confidence
    rest = again[len(todo) + len(narrow) :]
    for round_ in range(AFTER_ROUNDS):
        longer: list[tuple[int, Quad]] = []
        for (i, quad), crop, reading in zip(after, after_crops, rest, strict=True):
            if not extends(texts[i], reading):
                if round_ > 0:
                    # more was read, and the ink still goes on: the end is in doubt
                    texts[i] = doubtful_end(texts[i])
                continue
            grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
            on = ink_runs_to_end(np.asarray(grey, np.uint8), dark[i])
            texts[i] = doubtful_end(reading) if on else reading
            # the longer box may end in the gap before yet another character (凤 | 凰
            # 雅 of …533号凤凰雅, two lost): ink past it again, the line goes on
            beyond = BEYOND * crops[i].shape[0]
            again_longer = (
                None
                if on
                else _longer_where_ink_follows(image, quads, i, quad, angles[i], dark[i], beyond)
            )
            if again_longer is not None:
                longer.append((i, again_longer))
        if not longer:
            break
        after = longer
        after_crops = [crop_line(image, q, reading=angles[i]) for i, q in after]
        rest = recognize(after_crops)
    else:
        # ink still followed the last box read
        for (i, _quad), reading in zip(after, rest, strict=True):
            texts[i] = doubtful_end(reading if extends(texts[i], reading) else texts[i])
    for i, reading in zip(narrow, again[len(todo) : len(todo) + len(narrow)], strict=True):
        added = reading.text[len(texts[i].text.rstrip()) :]
        if extends(texts[i], reading) and len(added) == 1 and added in NARROW_MARKS:
            texts[i] = reading
    return texts


def _longer_where_ink_follows(
    image: Image,
    quads: Sequence[Quad],
    i: int,
    quad: Quad,
    angle: float,
    dark: float,
    beyond: float,
) -> Quad | None:
    """Line ``i``'s box ``quad`` lengthened by ``beyond`` (BEYOND of its crop's height)
    where the strip past it, which no other line's box holds, has ink starting right
    after it (``ink_after_box``); None where it has not."""
    from kyc.ocr.engine import crop_line

    window = past_last(quad, angle, 1.0, beyond)
    if covered(window, [q for k, q in enumerate(quads) if k != i]):
        return None
    strip = crop_line(image, window, reading=angle)
    grey = cv2.cvtColor(strip, cv2.COLOR_BGR2GRAY) if strip.ndim == 3 else strip
    if not ink_after_box(np.asarray(grey, np.uint8), dark):
        return None
    return lengthened_at_end(quad, angle, beyond)


def with_paper_after(crop: Image, dark: float) -> Image:
    """A line's crop with PAPER_AFTER heights of its paper's colour (the median of its
    pixels lighter than ``dark``) after its end."""
    h = int(crop.shape[0])
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    light = np.asarray(crop)[np.asarray(grey) >= dark]
    paper = np.median(light, axis=0) if len(light) else np.full(crop.shape[2:], 255.0)
    pad = np.empty((h, max(1, round(PAPER_AFTER * h)), *crop.shape[2:]), dtype=np.uint8)
    pad[...] = np.asarray(paper, dtype=np.uint8)
    return np.ascontiguousarray(np.concatenate([np.asarray(crop, np.uint8), pad], axis=1))


def doubtful_end(text: TextReading) -> TextReading:
    """``text`` with its last character no surer than even odds: its ink runs on past
    that character and the longer box read nothing more, so a character may be lost
    there unread (广东 at 0.98 for 广东省, the 省 blurred: the value is kept, and is no
    longer sure)."""
    last = text.chars[-1]
    return replace(text, chars=(*text.chars[:-1], replace(last, prob=min(last.prob, END_DOUBT))))


# Two boxes of one row that overlap both read the character at their overlap
# (广东省…自治县 | 县东风东路…: boxes overlapping by 0.36 of a height, 县 read twice, the
# address at 0.995). The recogniser says where along its box it read each character: the
# first box's last character and the second's first, the same character, standing less
# than SAME_GLYPH line heights apart are one glyph read twice. Two printed characters
# alike side by side (丽丽, 88) stand a character's width apart: 0.5-1.0 heights.
SAME_GLYPH = 0.3


def drop_double_reads(
    quads: Sequence[Quad], texts: Sequence[TextReading], angles: dict[int, float]
) -> list[TextReading]:
    """``texts`` without one read of a character two overlapping boxes of one row both
    read, one as its last, the other as its first (same character, same place:
    SAME_GLYPH). It stays with the box that holds it further inside: a glyph a box's
    edge cut through is the other box's (成立日期2 | 2006年09月01日: the label's box
    ran over the date's first figure and read it at its very end; the date keeps it)."""
    out = list(texts)
    boxes = {i: to_upright(quads[i], a) for i, a in angles.items()}
    for i, j in ((i, j) for i in boxes for j in boxes if i != j and angles[i] == angles[j]):
        a, b = boxes[i], boxes[j]
        h = min(a[3] - a[1], b[3] - b[1])
        ta, tb = out[i], out[j]
        if (
            h <= 0
            or not ta.chars
            or len(tb.chars) < 2
            or min(a[3], b[3]) - max(a[1], b[1]) < 0.6 * h  # not one row
            or not a[0] < b[0] < a[2]  # b does not start inside a
            or ta.chars[-1].char != tb.chars[0].char
            or ta.chars[-1].at < 0
            or tb.chars[0].at < 0
        ):
            continue
        xa = a[0] + ta.chars[-1].at * (a[2] - a[0])
        xb = b[0] + tb.chars[0].at * (b[2] - b[0])
        if abs(xa - xb) < SAME_GLYPH * h:
            if a[2] - xa >= xb - b[0]:
                rest = tb.chars[1:]
                out[j] = replace(tb, text="".join(c.char for c in rest), chars=rest)
            else:
                kept = ta.chars[:-1]
                out[i] = replace(ta, text="".join(c.char for c in kept), chars=kept)
    return out
