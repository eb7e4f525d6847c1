"""Read the printed form from its recognised text lines (pure): is it the verification
form, what website principal and homepage URL does it print, and where are the blanks
the applicant signs, stamps and must leave empty.

Lines are in the upright page frame (``kyc.ocr.layout.Line``); ``u`` is the median
printed line height. Labels are matched by their words, not by one template's layout,
so that other printings of the form (other wordings, tables or underlined lines) read
the same.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from kyc.forms.settings import FIGURE_MIN_PROB
from kyc.ocr.layout import Line

Box = tuple[float, float, float, float]

_SPACE = re.compile(r"[\s\u3000]+")
_COLON = str.maketrans({"：": ":", "（": "(", "）": ")", "，": ",", "。": "."})
PROVIDER_WORDS = ("核验", "接入", "服务单位", "审核")
DATE_CHARS = set("年月日:：()（）填表签署日期 ")
NUMERALS = re.compile(r"[0-9]")


def norm(text: str) -> str:
    return _SPACE.sub("", text).translate(_COLON)


@dataclass(frozen=True)
class Field:
    """A printed value found beside its label, with the recogniser's probability and
    runner-up characters per character (empty when not known)."""

    text: str
    box: Box
    confidence: float
    probs: tuple[float, ...] = ()
    alts: tuple[tuple[tuple[str, float], ...], ...] = ()  # (character, probability)


@dataclass
class FormText:
    is_form: bool = False
    principal: Field | None = None
    homepage_url: Field | None = None
    sign_label: Line | None = None
    sign_zone: Box | None = None
    sign_text: str = ""  # text the recogniser read in the signature blank
    seal_label: Line | None = None
    date_label: Line | None = None
    date_zone: Box | None = None
    date_text: str = ""  # what was read in the date blank, beyond the printed 年月日
    provider_zones: list[Box] = field(default_factory=list)  # signature blanks
    provider_dates: list[tuple[Box, Line]] = field(default_factory=list)  # with their labels
    provider_text: str = ""
    provider_signed: bool = False  # a name read right after the provider's label
    provider_region: Box | None = None  # where the provider's tick boxes are
    printed: list[Box] = field(default_factory=list)  # boxes of printed labels


def is_title(text: str) -> bool:
    t = norm(text)
    return "核验单" in t or ("真实性" in t and "核验" in t) or "备案信息真实" in t


@dataclass(frozen=True)
class Pitch:
    """The page's printed text width: a line of ``n`` character widths (a Chinese
    character 1, a Latin letter or figure 0.5) is about ``per_char * n + extra`` px
    wide (the detector's box adds a margin on each side)."""

    per_char: float
    extra: float


def char_widths(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text.strip())


def print_pitch(lines: Sequence[Line]) -> Pitch | None:
    """The page's pitch, fitted to its lines (Theil-Sen: the median slope over pairs of
    lines, so that a few lines with handwriting in their box do not move it); None with
    fewer than six lines to fit."""
    pts = [(n, ln.x1 - ln.x0) for ln in lines if (n := char_widths(ln.text)) >= 2]
    if len(pts) < 6:
        return None
    slopes = [(wa - wb) / (na - nb) for i, (na, wa) in enumerate(pts) for nb, wb in pts[:i]
              if abs(na - nb) >= 2]  # fmt: skip
    if not slopes:
        return None
    per_char = statistics.median(slopes)
    if per_char <= 0:
        return None
    return Pitch(per_char, statistics.median(w - per_char * n for n, w in pts))


# A label's box ends where its printed characters are expected to end, plus this many
# character widths. Tuned seed 2 (90 labels with nothing read after them): boxes -1.2 to
# +0.8 widths off the fitted width; a label box that took in handwriting the recogniser
# did not read, or read as a name, +1.6 and more.
LABEL_SLACK = 1.2


def _label_end(line: Line, match_end: int, pitch: Pitch | None = None) -> float:
    """x where the label (the first ``match_end`` characters, plus a colon after it)
    ends in the line. Where nothing was read after it, the line's box may still hold
    unread handwriting (a scribble beside the label, boxed with it): the label then
    ends at its printed characters' width."""
    rest, x = _rest(line, match_end)
    if rest or pitch is None:
        return x
    printed = line.x0 + pitch.per_char * (char_widths(line.text) + LABEL_SLACK) + pitch.extra
    return min(x, printed)


def _printed_box(line: Line, match_end: int, pitch: Pitch | None = None) -> Box:
    """The printed label's box: the whole line, or only the label's part when the
    recogniser read something after it (handwriting joined to the label's line) or the
    line's box is wider than its printed characters."""
    return (line.x0, line.y0, _label_end(line, match_end, pitch), line.y1)


def _rest(line: Line, match_end: int) -> tuple[str, float]:
    text = line.text
    k = match_end
    while k < len(text) and text[k] in ":：)）】 ":
        k += 1
    return text[k:].strip(), (line.sub(0, k).x1 if text else line.x1)


def _same_row(a: Line, b: Line) -> bool:
    top, bottom = max(a.y0, b.y0), min(a.y1, b.y1)
    return bottom - top >= 0.5 * min(a.height, b.height)


def _right_of(label: Line, lines: Sequence[Line], u: float, max_gap: float) -> Line | None:
    """The nearest line right of ``label`` on its row. A label's detected box may run a
    little past its colon, over the start of the value's box (up to one line height)."""
    cands = [
        ln
        for ln in lines
        if ln is not label and _same_row(label, ln) and ln.x0 >= label.x1 - u
        and ln.x0 - label.x1 <= max_gap
    ]  # fmt: skip
    return min(cands, key=lambda ln: ln.x0) if cands else None


def _value(
    label: Line, match_end: int, lines: Sequence[Line], u: float, url: bool = False
) -> Field | None:
    rest, x = _rest(label, match_end)
    if url and "." not in rest:
        rest = ""  # a piece of the label ("UR" of URL), not the address
    if rest:
        k = len(label.text) - len(rest)
        probs, alts = label.probs[k:], label.alts[k:]
        conf = min(probs, default=0.0)
        return Field(rest, (x, label.y0, label.x1, label.y1), conf, probs, alts)
    right = _right_of(label, lines, u, 12 * u)
    if right is None:
        return None
    box = (right.x0, right.y0, right.x1, right.y1)
    return Field(right.text, box, min(right.probs, default=0.0), right.probs, right.alts)


# 负?人: the 责 is read as 资 or 贵 now and then
_PRINCIPAL = re.compile(r"网站负\S人(姓名)?|负\S人姓名")
_PRINCIPAL_NOT = ("签", "证件", "手机", "电话", "照片", "邮箱", "是否", "盖章")
_URL = re.compile(r"(网站)?首页(网址|URL|地址|链接|url)?|主页(网址|URL|地址)")
# 负责人?字 and 负责人(签? : a seal or a stroke over one character of the label, or the
# character misread (签宇 for 签字)
_SIGN = re.compile(r"签字|签名|签章|负责人\S字|负责人[(（]?签[^\s:：()（）]?[)）]?")
_SEAL = re.compile(r"盖章|公章")
_DATE = re.compile(r"日期")


def _provider(text: str) -> bool:
    return any(w in text for w in PROVIDER_WORDS)


def read_form(
    lines: Sequence[Line], u: float, page_width: float, min_figure: float = FIGURE_MIN_PROB
) -> FormText:
    """The form's labels, values and blanks; figures read in a date blank at a mean
    probability below ``min_figure`` are left out of what was read there (the check
    passes ``FormSettings.figure_min_prob``)."""
    out = FormText()
    texts = [norm(ln.text) for ln in lines]
    out.is_form = any(is_title(t) for t in texts)
    right_margin = page_width * 0.97
    pitch = print_pitch(lines)

    signs: list[tuple[Line, int]] = []
    seals: list[Line] = []
    dates: list[tuple[Line, int]] = []
    principal_y: float | None = None  # the row of the principal's printed name
    for ln, t in zip(lines, texts, strict=True):
        raw = ln.text
        if out.principal is None and not any(w in t for w in _PRINCIPAL_NOT):
            m = _PRINCIPAL.search(raw.replace(" ", ""))
            if m and m.start() <= 1:
                out.principal = _value(ln, _index_after(raw, m.end()), lines, u)
                principal_y = ln.cy
                out.printed.append(_printed_box(ln, _index_after(raw, m.end()), pitch))
        if out.homepage_url is None and "签" not in t:
            m = _URL.search(raw.replace(" ", ""))
            if m and m.start() <= 2:
                out.homepage_url = _value(ln, _index_after(raw, m.end()), lines, u, url=True)
                out.printed.append(_printed_box(ln, _index_after(raw, m.end()), pitch))
        m = _SIGN.search(raw)
        if m:
            if _provider(t):
                zone_x1 = _zone_end(ln, lines, u, right_margin)
                end = _label_end(ln, m.end(), pitch)
                out.provider_zones.append((end, ln.cy - 1.3 * u, zone_x1, ln.cy + 0.9 * u))
                rest, _x = _rest(ln, m.end())
                out.provider_text += rest
                out.provider_signed = out.provider_signed or bool(norm_name(rest))
                out.printed.append(_printed_box(ln, m.end(), pitch))
            else:
                signs.append((ln, m.end()))
        m = _DATE.search(raw)
        if m:
            if _provider(t):
                zone, text = _date_zone(ln, m.end(), lines, u, min_figure)
                out.provider_dates.append((zone, ln))
                out.provider_text += text
            else:
                dates.append((ln, m.end()))
        if _SEAL.search(raw) and not _provider(t):
            seals.append(ln)
            out.printed.append((ln.x0, ln.y0, ln.x1, ln.y1))
    if not signs:
        # the label may be half hidden (a seal, a fold): a line naming the principal
        # below the data rows (under the principal's own row, or in the lower part of
        # the page when that was not found), that is no data row and no provider's label
        below = principal_y + 2 * u if principal_y is not None else 0.55 * page_width * 1.414
        for ln, t in zip(lines, texts, strict=True):
            if (
                ln.cy > below
                and ("负责人" in t or "网站负" in t)
                and not _provider(t)
                and not any(w in t for w in ("姓名", "证件", "手机", "电话", "照片", "是否"))
            ):
                k = t.find("人") + 1 if "人" in t else len(t)
                signs.append((ln, _index_after(ln.text, k)))
    if signs:
        # the website principal's signature: prefer a label naming the principal, then
        # the lowest on the page (the signature block is at the bottom)
        ln, end = max(
            signs,
            key=lambda s: (not _SEAL.search(s[0].text), "负" in s[0].text, s[0].cy),
        )
        out.sign_label = ln
        label_end = _label_end(ln, end, pitch)
        rest, _x = _rest(ln, end)
        out.sign_text = rest
        out.sign_zone = (
            label_end,
            ln.cy - 1.5 * u,
            _zone_end(ln, lines, u, right_margin),
            ln.cy + 1.0 * u,
        )
        out.printed.append(_printed_box(ln, end, pitch))
        out.sign_text += "".join(
            o.text
            for o in lines
            if o is not ln and _inside(o, out.sign_zone) and not _printed_label(norm(o.text))
        )
        # the applicant's seal label belongs to the signature's block: below or beside
        # it, not across the page (a provider's "（盖章）" split from its words)
        near = [
            s
            for s in seals
            if abs(s.cy - ln.cy) <= 5 * u and ln.x0 - 3 * u <= s.x0 <= out.sign_zone[2]
        ]
        if near:
            out.seal_label = min(near, key=lambda s: abs(s.cy - ln.cy) + abs(s.x0 - ln.x0))
    if dates:
        anchor = out.sign_label
        if anchor is not None:
            ln, end = min(
                dates, key=lambda d: abs(d[0].cy - anchor.cy) + 0.5 * abs(d[0].x0 - anchor.x0)
            )
        else:
            ln, end = max(dates, key=lambda d: d[0].cy)
        out.date_label = ln
        out.date_zone, out.date_text = _date_zone(ln, end, lines, u, min_figure)
    return out


def _inside(line: Line, zone: Box) -> bool:
    return zone[0] <= line.cx <= zone[2] and zone[1] <= line.cy <= zone[3]


# a printed label: two characters or more before its colon ("日期:", "盖章):"); a
# handwritten stroke read as one character and a colon ("电:") is none
_LABEL_COLON = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,}\)?:")


def _printed_label(t: str) -> bool:
    return bool(_LABEL_COLON.search(t) or _SEAL.search(t) or _SIGN.search(t) or _DATE.search(t))


def _index_after(raw: str, compact_end: int) -> int:
    """Index in ``raw`` after the first ``compact_end`` non-space characters."""
    seen = 0
    for i, ch in enumerate(raw):
        if seen == compact_end:
            return i
        if ch != " ":
            seen += 1
    return len(raw)


def _zone_end(label: Line, lines: Sequence[Line], u: float, right_margin: float) -> float:
    """The blank after a label runs to the next printed label on its row, or the margin,
    and is at most 12 characters wide."""
    end = min(right_margin, label.x1 + 12 * u)
    for ln in lines:
        if ln is label or not _same_row(label, ln) or ln.x0 <= label.x1 - 0.5 * u:
            continue
        if _printed_label(norm(ln.text)):
            end = min(end, ln.x0 - 0.3 * u)
    return end


def _sure_figures(text: str, probs: Sequence[float], min_figure: float) -> str:
    """``text`` without its figures when their mean probability is below ``min_figure``
    (as ``date_reads`` judges a blank's second reading)."""
    if len(probs) != len(text):
        return text
    figs = [p for ch, p in zip(text, probs, strict=True) if NUMERALS.match(ch)]
    if not figs or sum(figs) / len(figs) >= min_figure:
        return text
    return "".join(ch for ch in text if not NUMERALS.match(ch))


def _date_zone(
    label: Line, match_end: int, lines: Sequence[Line], u: float, min_figure: float
) -> tuple[Box, str]:
    """The blank of a date line: from the label to the printed 日 that closes it, and
    anything read there besides the printed 年 / 月 / 日 (figures read unsure left out)."""
    start = _label_end(label, match_end)
    rest, _x = _rest(label, match_end)
    if rest:
        rest = _sure_figures(rest, label.probs[len(label.text) - len(rest) :], min_figure)
    row = [
        ln
        for ln in lines
        if ln is not label
        and _same_row(label, ln)
        and label.x1 - 0.5 * u <= ln.x0 <= label.x1 + 14 * u
    ]
    end = label.x1
    text = rest
    for ln in sorted(row, key=lambda ln: ln.x0):
        t = norm(ln.text)
        if (_printed_label(t) and not NUMERALS.search(t)) or _LABEL_COLON.match(t):
            break  # the next label on the row (with a date written after it, maybe)
        text += _sure_figures(ln.text, ln.probs, min_figure)
        end = max(end, ln.x1)
    # where the printed 日 closes the date; without one, a blank of ~9 characters
    if "日" not in text.replace("日期", ""):
        end = max(end, start + 9 * u)
    extra = "".join(ch for ch in norm(text) if ch not in DATE_CHARS)
    return (start, label.cy - 1.2 * u, end + 0.2 * u, label.cy + 0.9 * u), extra


KEY_LABELS = (_PRINCIPAL, _URL, _SIGN, _DATE)


def row_starts(boxes: Sequence[Box], u: float, gap: float = 2.5) -> list[int]:
    """Indices of the boxes with no other box just left of them on their row (within
    ``gap`` u): labels, row starts and lone words. Values printed right after a label
    are not among them (they are read only where their label asks for it)."""
    out = []
    for i, a in enumerate(boxes):
        ah = a[3] - a[1]
        lead = False
        for j, b in enumerate(boxes):
            if i == j:
                continue
            overlap = min(a[3], b[3]) - max(a[1], b[1])
            if overlap < 0.5 * min(ah, b[3] - b[1]):
                continue
            if b[0] < a[0] and -0.5 * u <= a[0] - b[2] <= gap * u:
                lead = True
                break
        if not lead:
            out.append(i)
    return out


def wanted_values(lines: Sequence[Line], read: Sequence[bool], u: float) -> list[int]:
    """Unread lines right of a key label on its row (the principal's name, the URL, a
    signature or a date written in): the second round of recognition."""
    out: set[int] = set()
    for i, ln in enumerate(lines):
        if not read[i] or not ln.text:
            continue
        t = norm(ln.text)
        if not any(p.search(t) for p in KEY_LABELS):
            continue
        for j, other in enumerate(lines):
            if read[j] or j in out or not _same_row(ln, other):
                continue
            if ln.x1 - 0.5 * u <= other.x0 <= ln.x1 + 14 * u:
                out.add(j)
    return sorted(out)


def long_print(lines: Sequence[Line]) -> list[Box]:
    """Boxes of lines reading five characters or more: print (a label, an item), never a
    signature or a date written in a blank."""
    out = []
    for ln in lines:
        t = norm(ln.text)
        # a label's own line may carry the handwriting after it: its print is boxed
        # with the label (FormText.printed)
        if len(t) >= 5 and not (_SIGN.search(t) or _DATE.search(t) or _SEAL.search(t)):
            out.append((ln.x0, ln.y0, ln.x1, ln.y1))
    return out


BOX_CHARS = frozenset("口□☐▢■☑☒回")


def inside_words(box: Box, lines: Sequence[Line], u: float) -> bool:
    """Whether a tick box found on the page lies inside a line of printed words (five
    characters or more, none read as a box), away from the line's start: then it is
    part of a character (the 自 of 息 in a bold title), not a printed box. A box that
    starts its line, or a line read with a box in it, keeps its box."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    for ln in lines:
        t = norm(ln.text)
        if len(t) < 5 or any(ch in BOX_CHARS for ch in t):
            continue
        if ln.x0 + u <= cx <= ln.x1 and ln.y0 <= cy <= ln.y1:
            return True
    return False


def date_reads(
    found: Sequence[tuple[str, Sequence[float], Box]], min_figure: float
) -> tuple[list[Box], str, bool]:
    """What a date blank's second reading says: (boxes of printed 年 月 日 read as such,
    anything else read there, whether figures were read at a mean of ``min_figure``).

    A figure read there was written; a printed 日 read blurred may come out as a letter,
    so letters alone do not count; figures read unsure are no proof either (a speck
    between 年 and 月 reads as "1" or "5", a smudge as "580" at 0.24, 0.5 and 0.81): a
    reading counts when its figures' mean probability reaches ``min_figure``, else the
    blank's ink decides. A date has a month and a day: one figure alone is no proof
    either (a printed 日 read blurred as the figure 8 at 0.92, tuned seed 21)."""
    printed: list[Box] = []
    written = ""
    sure = 0  # figures in readings whose figures' mean reaches min_figure
    for text, probs, box in found:
        t = norm(text)
        if t and all(ch in DATE_CHARS for ch in t) and min(probs, default=0.0) >= 0.6:
            printed.append(box)
            continue
        written += t
        figs = [p for ch, p in zip(text, probs, strict=True) if NUMERALS.fullmatch(ch)]
        if figs and sum(figs) / len(figs) >= min_figure:
            sure += len(figs)
    return printed, "".join(ch for ch in written if ch not in DATE_CHARS), sure >= 2


def pure_label_boxes(lines: Sequence[Line], zone: Box, u: float) -> list[Box]:
    """Boxes of lines inside ``zone`` that are print: they read only printed date
    characters (年 月 日), or one Chinese character no wider than a character (a printed
    年 under a seal can read as another character; a figure written in reads as one)."""
    out = []
    for ln in lines:
        if ln.x1 < zone[0] or ln.x0 > zone[2] or ln.y1 < zone[1] or ln.y0 > zone[3]:
            continue
        t = norm(ln.text)
        single = len(t) == 1 and "\u4e00" <= t <= "\u9fff" and ln.x1 - ln.x0 <= 1.4 * u
        if t and (all(ch in DATE_CHARS for ch in t) or single):
            out.append((ln.x0, ln.y0, ln.x1, ln.y1))
    return out


# ---------------------------------------------------------------------------------------
# Comparing with the filing
# ---------------------------------------------------------------------------------------


def norm_url(text: str) -> str:
    t = norm(text).lower().replace(",", ".")
    t = re.sub(r"^[a-z]{3,5}:/+", "", t)
    return t.rstrip("/.,")


def norm_name(text: str) -> str:
    return re.sub(r"[^\u4e00-\u9fff·A-Za-z]", "", norm(text))


Char = tuple[str, float, tuple[str, ...]]  # character, probability, runner-up


def _chars(printed: Field, normalise: str) -> list[Char] | None:
    """The printed value's characters as compared (a URL's scheme and trailing
    punctuation dropped, lower case), each with its probability and runner-up; None
    where the recogniser's probabilities are not known."""
    if not printed.probs or len(printed.probs) != len(printed.text):
        return None
    chars = [
        (c.lower() if normalise == "url" else c, p, tuple(a.lower() for a, _q in alt[:1]))
        for c, p, alt in zip(
            printed.text, printed.probs, printed.alts or [()] * len(printed.text), strict=True
        )
        if not c.isspace()
    ]
    text = "".join(c for c, _p, _a in chars)
    if normalise == "url":
        m = re.match(r"^[a-z]{3,5}[:：]/+", text)
        if m:
            chars = chars[m.end() :]
        while chars and chars[-1][0] in "/.,":
            chars.pop()
    return chars


def _differing(printed: Field, wanted: str, normalise: str) -> list[tuple[Char, str]] | None:
    """The printed characters that differ from ``wanted``'s in the same places, with the
    wanted character; None where the two do not line up character for character."""
    chars = _chars(printed, normalise)
    if chars is None or len(chars) != len(wanted):
        return None
    return [(ch, w) for ch, w in zip(chars, wanted, strict=True) if ch[0] != w]


def _misread_as(printed: Field, wanted: str, normalise: str) -> bool:
    """The printed value reads as ``wanted`` once each character where they differ is
    replaced by the recogniser's first runner-up there, read with less than 0.7
    probability (what the OCR pipeline does with check characters): l read as t."""
    diffs = _differing(printed, wanted, normalise)
    return (
        diffs is not None
        and 0 < len(diffs) <= 1
        and all(p < 0.7 and w in alt for (_c, p, alt), w in diffs)
    )


def _surely_other(printed: Field, wanted: str, normalise: str, sure: float) -> bool:
    """Every character where the printed value differs from ``wanted`` was itself read
    with at least ``sure`` probability: another value, whatever the value's weakest
    character elsewhere (a URL's scheme, a dot) was read at."""
    diffs = _differing(printed, wanted, normalise)
    return bool(diffs) and all(p >= sure for (_c, p, _alt), _w in diffs or ())


_CONFUSABLE = str.maketrans({"1": "l", "I": "l", "i": "l", "|": "l", "0": "o", "O": "o"})


def _confusable(text: str) -> str:
    return text.translate(_CONFUSABLE)


def signs_as(read: str, names: Sequence[str]) -> bool:
    """Whether the text read in a signature blank is one of the website principals'
    names (one character misread in three allowed): a handwritten name read as such.
    Anything else read there (a seal's ring text, a stroke) is no proof of a signature;
    the blank's ink decides."""
    got = norm_name(read)
    for name in names:
        n = norm_name(name)
        if n and got and (n in got or edit_distance(got, n) <= len(n) // 3):
            return True
    return False


def dropped_characters(got: str, wanted: str, most: int = 2) -> bool:
    """``got`` is ``wanted`` with one to ``most`` characters left out (the rest in order):
    what a recogniser does to a doubled letter (CTC merges "oo" into "o", "www" into
    "ww") or to a dense character it cannot place. Never a value of its own that
    differs: another value read whole has characters ``wanted`` lacks."""
    if not 0 < len(wanted) - len(got) <= most or not got:
        return False
    it = iter(wanted)
    return all(ch in it for ch in got)


_LABEL_TAIL = re.compile(r"^[^:：]{0,4}[:：](?!/)")


def without_label_tail(value: Field) -> Field:
    """``value`` without what its label left at its start: up to four characters and a
    colon (one that does not start "://")."""
    m = _LABEL_TAIL.match(value.text)
    if not m:
        return value
    k = m.end()
    probs, alts = value.probs[k:], value.alts[k:]
    conf = min(probs, default=0.0)
    return replace(value, text=value.text[k:], confidence=conf, probs=probs, alts=alts)


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def compare(
    printed: Field | None, expected: Sequence[str], normalise: str, sure: float
) -> bool | None:
    """True when the printed value is one of ``expected``; False when it clearly is not;
    None when it was not found, or differs by one character read with less than
    ``sure`` probability (a misreading, not another value)."""
    if printed is None:
        return None
    f = norm_url if normalise == "url" else norm_name
    got = f(printed.text)
    if not got:
        return None
    wanted = [f(e) for e in expected]
    if got in wanted:
        return True
    if any(_misread_as(printed, w, normalise) for w in wanted):
        return True
    if normalise == "url" and any(_confusable(got) == _confusable(w) for w in wanted):
        # l / 1 / I, o / 0: the same address unless read surely otherwise
        return True if printed.confidence < sure else None
    near = min((edit_distance(got, w) for w in wanted), default=99)
    if printed.confidence < 0.5:
        return None  # unreadable (a seal over it)
    if near <= 1 and printed.confidence < sure:
        # one character off: a misreading, unless that character was read surely
        if any(_surely_other(printed, w, normalise, sure) for w in wanted):
            return False
        return None
    return False
