"""What every document type provides, and the shared helpers of their extractors."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kyc.ocr.layout import Line, join_lines
from kyc.ocr.regions import place_after_first, region_known, repair_prefix, starts_with_province
from kyc.ocr.types import Box, FieldReading
from kyc.ocr.validate import CodeRead


@dataclass(frozen=True)
class RawField:
    """A field as read, before validation: the text and the OCR evidence behind it."""

    value: str | None
    probs: tuple[float, ...] = ()
    alts: tuple[tuple[tuple[str, float], ...], ...] = ()
    box: Box | None = None

    @property
    def ocr_confidence(self) -> float:
        p = 1.0
        for x in self.probs:
            p *= x
        return p if self.value else 0.0


MISSING = RawField(None)


@dataclass(frozen=True)
class Checked:
    fields: dict[str, FieldReading]
    warnings: tuple[str, ...] = ()
    facts: dict[str, str] = field(default_factory=dict)  # e.g. birth date for cross-checks


class DocumentKind(Protocol):
    """One document type: one module in ``kyc/ocr/documents``."""

    @property
    def name(self) -> str:
        """The document_type of the contract."""

    @property
    def field_names(self) -> tuple[str, ...]: ...

    @property
    def keywords(self) -> tuple[str, ...]:
        """Printed words that identify the type."""

    @property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        """Shapes of values that identify the type (each counts as one keyword)."""

    @property
    def min_score(self) -> int:
        """The least evidence (keywords and patterns found) for a document of this type:
        one printed word alone is not a document."""

    @property
    def excludes(self) -> tuple[str, ...]:
        """Printed words of look-alike documents (a social security card's 社会保障号码, a
        driving licence's 准驾车型): a document that shows one is not of this type."""

    def extract(self, lines: Sequence[Line]) -> dict[str, RawField]: ...

    def check(self, raw: dict[str, RawField], today: dt.date) -> Checked: ...


# Words printed on documents that look like a resident ID card but are not one.
NOT_AN_ID_CARD = (
    "社会保障",
    "保障卡",
    "驾驶证",
    "准驾",
    "领证",
    "行驶证",
    "护照",
    "PASSPORT",
    "通行证",
    "居住证",
    "国籍",
    "银联",
    "UnionPay",
    "储蓄卡",
    "借记卡",
    "信用卡",
    "发票",
    "收据",
    "<<",
)


# Words stamped or watermarked over a copy of a document, never part of a field:
# 仅供办理XX使用, 仅限备案使用, 复印无效, 禁止复印, 与原件一致, 再次复印无效, and the
# second half of the commonest wording, 仅供XX使用，他用无效.
OVERPRINT = re.compile(
    r"(仅供|仅限|仅用于|只用于|只限).{0,16}?(使用|之用|用途)|再?次?复印无效|禁止复印|"
    r"他用无效|与原件(一致|相符|核对无误)"
)


# The overprints of fixed wording (OVERPRINT's other forms name the use in between).
OVERPRINT_FIXED = (
    "再次复印无效",
    "禁止复印",
    "他用无效",
    "与原件一致",
    "与原件相符",
    "与原件核对无误",
)


# Pieces of the words stamped or watermarked over documents (OVERPRINT: 仅供…使用,
# 复印无效, 与原件一致 …) that a value's line can pick up at its ends.
OVERPRINT_PIECES = ("仅供", "仅限", "使用", "之用", "用途", "复印", "无效", "禁止", "原件",
                    "一致", "相符", "他用", "备案", "办理", "网站", "本次", "开户")  # fmt: skip


# Characters a seal's ring or date can leave after an authority's name on its row
# (揭阳市事业单位登记管理局明, 奇台县公安局有限): at most this many.
SEAL_TAIL = 2


# The characters of those pieces, and the most of them read on after a value.
OVERPRINT_CHARS = frozenset("".join(OVERPRINT_PIECES))
OVERPRINT_TAIL = 8


# A watermark's lone characters: repeats of one character boxed alone (overprint_pieces).
LONE_REPEATS = 3


def overprint_pieces(texts: Sequence[str]) -> set[int]:
    """Lines that are a watermark or a stamp, or a piece of one: a watermark repeats over
    the page, so its words are read whole somewhere (仅供办理备案使用); every line that is
    two or more characters of those words, read in their order (备案使用, 使用仅供 across
    two repeats), is that watermark, wherever the detector cut it. A line of three or more
    characters of a fixed wording (复印无效, 与原件一致, ...), read whole or not, is one
    too, and so is such a line with one character lost inside (复无效: a big stamp's 印
    lost in its frame, its other words never read whole). One character of those words
    boxed alone is a piece where LONE_REPEATS or more lines read that character alone: a
    tiled watermark cut at each repeat (与原件一致's 致, four times), where a printed
    document prints no lone character of them even twice."""
    cleaned = [clean(t) for t in texts]
    phrases = {m.group() for c in cleaned for m in OVERPRINT.finditer(c)} | _pieced_phrases(cleaned)
    loops = [p + p for p in phrases]
    fixed = [p + p for p in OVERPRINT_FIXED]
    lone = Counter(c for c in cleaned if len(c) == 1)
    wording = set("".join(phrases) + "".join(OVERPRINT_FIXED))
    out = set()
    for i, c in enumerate(cleaned):
        if (
            (len(c) >= 2 and any(c in loop for loop in loops))
            or (len(c) >= 3 and any(c in loop or _one_lost_in(c, loop) for loop in loops + fixed))
            or (len(c) == 1 and c in wording and lone[c] >= LONE_REPEATS)
        ):
            out.add(i)
    return out


# Two pieces of a watermark's words overlapping in at least this many characters are
# read as one (_pieced_phrases).
PIECE_OVERLAP = 2


def _pieced_phrases(cleaned: Sequence[str]) -> set[str]:
    """A watermark's words never read whole, but in two pieces that overlap: one starting
    its words (仅供本次业务) and one ending them (本次业务使用), sharing PIECE_OVERLAP or
    more characters (本次业务), which joined are OVERPRINT's words whole (a tight
    diagonal 仅供本次业务使用 over an ID card, cut by the detector at other places in
    each repeat). Only a join that is the wording whole counts."""
    out = set()
    for a in cleaned:
        for b in cleaned:
            if a == b or len(a) < PIECE_OVERLAP or len(b) < PIECE_OVERLAP:
                continue
            for k in range(min(len(a), len(b)) - 1, PIECE_OVERLAP - 1, -1):
                if a[-k:] == b[:k] and OVERPRINT.fullmatch(joined := a + b[k:]):
                    out.add(joined)
                    break
    return out


def _one_lost_in(text: str, loop: str) -> bool:
    """Whether ``text`` is a run of ``loop`` with one character inside it lost."""
    n = len(text) + 1
    return any(
        w[:k] + w[k + 1 :] == text
        for w in (loop[j : j + n] for j in range(len(loop) - n + 1))
        for k in range(1, n - 1)
    )


def without_overprints(lines: Sequence[Line]) -> list[Line]:
    """The lines without the words of a stamp or watermark over the document: a line that
    is only such words goes, and such words are cut from the end or the start of a line
    they were read into."""
    out = []
    for line in lines:
        text = line.text
        m = OVERPRINT.search(text.replace(" ", "")) if text else None
        if m is None:
            out.append(line)
            continue
        spans = [mm.span() for mm in OVERPRINT.finditer(text)]
        if not spans:  # matched only without spaces: the whole line is the stamp
            continue
        start, end = spans[0][0], spans[-1][1]
        if len(clean(text[:start])) >= len(clean(text[end:])):
            kept = line.sub(0, start)
        else:
            kept = line.sub(end)
        if clean(kept.text):
            out.append(kept)
    return out


def clean(text: str) -> str:
    """Text without whitespace and without the ASCII/full-width colon after labels."""
    return re.sub(r"[\s:：]", "", text)


# Items of a business scope are separated by semicolons; a colon stands only after the
# headings 一般项目 / 许可项目 of the current wording. Some fonts' semicolons are read as
# colons.
_ITEM_COLON = re.compile(r"(?<!项目)[:：]")


def scope_items(text: str) -> str:
    """A scope's text without whitespace, a colon between items read as the semicolon
    the font drew (dropping it, as ``clean`` does, ran two items together)."""
    return _ITEM_COLON.sub("；", re.sub(r"\s", "", text))


def field_from_line(line: Line, start: int = 0, end: int | None = None) -> RawField:
    part = line.sub(start, end)
    text = part.text.strip()
    if not text:
        return MISSING
    box = (int(part.x0), int(part.y0), int(part.x1), int(part.y1))
    return RawField(text, part.probs, part.alts, box)


def the_one(lines: Sequence[Line], form: Callable[[str], object]) -> RawField:
    """The value of a field whose label was not read: the one line whose text (without
    whitespace and colons) has the field's ``form`` (``shape.fullmatch`` of a pattern, or
    any test); none where two lines have it (which is the field is not known)."""
    found = [ln for ln in lines if form(clean(ln.text))]
    return field_from_line(found[0]) if len(found) == 1 else MISSING


# A value's first character is its label's ink where the value's box reaches at least
# LABEL_INK_REACH of a character width (the box shared evenly by its characters) into
# the label's box and the character reads below LABEL_INK_DOUBT: half a glyph read as a
# character. 住所 and a box from 所's right half: reach 1.0, 斤 at 0.48 (斤广东省…);
# values boxed against their labels with their first character whole: reach 0.57 and
# 0.82, read at 0.99 and more (呼伦…, 河源…).
LABEL_INK_REACH = 0.5
LABEL_INK_DOUBT = 0.9


def clear_of(label: Line, line: Line) -> Line:
    """``line`` without a first character that is the label's: the detector boxed the
    value over the label's last character, and that ink read as the value's first."""
    if len(line.text) < 2 or not line.probs or line.x0 >= label.x1:
        return line
    reach = (label.x1 - line.x0) / ((line.x1 - line.x0) / len(line.text))
    if reach >= LABEL_INK_REACH and line.probs[0] < LABEL_INK_DOUBT:
        return line.sub(1)
    return line


def overlapped_rest(rest: Line, row: Sequence[Line], label_ids: set[int]) -> bool:
    """Whether the one or two characters read after a label lie under the start of
    another line of the row: the detector cut the value's first character into the
    label's box, and the value's own box reads it properly."""
    if not 0 < len(clean(rest.text)) <= 2:
        return False
    return any(
        id(ln) not in label_ids
        and len(ln.text) > len(rest.text)
        and rest.x0 - rest.height < ln.x0 < rest.x1 < ln.x1
        for ln in row
    )


# An amount of capital as certificates and licenses print it (人民币壹仟万元整, 500万元
# 人民币, ￥50万元), and the characters it is written with.
# an amount of money: a number (at least one numeral: 万元 alone is an amount whose
# figures were lost), its unit, 元
CAPITAL = re.compile(
    r"^(人民币|[￥¥])?[\d.零壹贰叁肆伍陆柒捌玖拾佰仟万]*[\d零壹贰叁肆伍陆柒捌玖拾佰仟]"
    r"[\d.零壹贰叁肆伍陆柒捌玖拾佰仟万]*(万|亿)?元(整|人民币)?$"
)
CAPITAL_CHARS = "0123456789.零壹贰叁肆伍陆柒捌玖拾佰仟万亿元整人民币￥¥"
# A character read at this probability or more is never replaced by a runner-up.
REPAIR_DOUBT = 0.9


def repaired(raw: RawField, allowed: str, whole: re.Pattern[str]) -> RawField:
    """``raw`` with each doubtful character that ``allowed`` does not hold replaced by
    its likeliest runner-up that it holds, where that makes the cleaned value match
    ``whole``: the value's own grammar repairs a doubtful read (参拾万元, 参 at 0.70 and
    叁 the runner-up at 0.30: 叁拾万元), never a confident one. A replaced character
    keeps its runner-up's probability, so the value stays as unsure as it was read."""
    value = raw.value
    if not value or whole.match(clean(value)) or not len(raw.probs) == len(raw.alts) == len(value):
        return raw
    chars, probs = list(value), list(raw.probs)
    for i, ch in enumerate(chars):
        if ch in allowed or ch.isspace():
            continue
        pick = [(c, p) for c, p in raw.alts[i] if c in allowed]
        if probs[i] >= REPAIR_DOUBT or not pick:
            return raw
        chars[i], probs[i] = max(pick, key=lambda a: a[1])
    fixed = "".join(chars)
    if not whole.match(clean(fixed)):
        return raw
    return RawField(fixed, tuple(probs), raw.alts, raw.box)


def join_fields(parts: Sequence[RawField], sep: str = "") -> RawField:
    parts = [p for p in parts if p.value]
    if not parts:
        return MISSING
    boxes = [p.box for p in parts if p.box]
    box = (
        (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        if boxes
        else None
    )
    return RawField(
        sep.join(p.value or "" for p in parts),
        tuple(x for p in parts for x in p.probs),
        tuple(x for p in parts for x in p.alts),
        box,
    )


# Marks the recogniser reads into the blank between a label's characters (名　　称).
_INSIDE_LABEL = frozenset("·•‧・.．,，、丨|")


def strip_label(line: Line, labels: Sequence[str]) -> tuple[str, Line] | None:
    """If ``line`` starts with one of ``labels`` (spaces allowed between its characters,
    and a mark read into such a space: 名．称, the full-width blank of 名　称 read as a
    full stop), return the label and the rest of the line. Labels of four or more
    characters may have one character misread ("三发机关" for 签发机关) or lose their
    first one at a cut-off edge ("发机关"), or their first two where a blank then parts
    them from the value ("机关 双鸭山市公安局")."""
    text = line.text
    head = len(text) - len(text.lstrip())
    for label in labels:
        if len(label) >= 4 and text.startswith(label[1:], head):
            return label, _rest(line, skip_gap(line, head + len(label) - 1))
        if (
            len(label) >= 4
            and text.startswith(label[2:], head)
            and text[head + len(label) - 2 : head + len(label) - 1].isspace()
        ):
            # its last two characters, apart from the value by a blank (机关 双鸭山市…:
            # 签发 cut off by the photo's edge)
            return label, _rest(line, skip_gap(line, head + len(label) - 2))
        i = 0
        pos = 0
        misses = 0
        allowed = 1 if len(label) >= 4 else 0
        while pos < len(text) and i < len(label):
            ch = text[pos]
            if ch.isspace() or ch in ":：" or (0 < i < len(label) and ch in _INSIDE_LABEL):
                pos += 1
                continue
            if ch != label[i]:
                misses += 1
                if misses > allowed:
                    break
            i += 1
            pos += 1
        if i == len(label) and misses <= allowed:
            return label, _rest(line, skip_gap(line, pos))
    return None


def _rest(line: Line, pos: int) -> Line:
    """The rest of a labelled line from ``pos``: empty where it holds no letter, digit or
    character, only marks (the label's colon read as ！ at 0.89, its runner-up ：); the
    value is then the line beside the label."""
    rest = line.sub(pos)
    return rest if any(ch.isalnum() for ch in rest.text) else line.sub(len(line.text))


# What no value starts with: separators and rulings read as characters, a full-width
# full stop, a middle dot (inside a name, never first), closing brackets.
_LEADING_JUNK = "丨|:：;；,，.。．、_ ·•‧・)）」』】"
# What the recogniser offers as runner-up where it "reads" a character into the blank
# between a label and its value.
_BLANKISH = frozenset(" \u3000·•‧・.,，、:：丨|")


def skip_gap(line: Line, pos: int) -> int:
    """Position of the first character of a value that starts at or after ``pos``:
    spaces and colons are skipped, and so are up to two characters the recogniser made
    up in the blank after a label (low probability, a blank-like runner-up)."""
    text = line.text
    invented = 0
    while pos < len(text):
        if text[pos].isspace() or text[pos] in ":：":
            pos += 1
            continue
        prob = line.probs[pos] if pos < len(line.probs) else 1.0
        alts = line.alts[pos] if pos < len(line.alts) else ()
        if invented < 2 and prob < 0.6 and any(a in _BLANKISH for a, _p in alts):
            invented += 1
            pos += 1
            continue
        break
    return pos


def join_label_pieces(row: Sequence[Line], labels: Sequence[str]) -> list[Line]:
    """Join the pieces of a label printed with spaces between its characters (法 定 代 表 人)
    that the detector cut at any of them: neighbours on a row whose texts continue one
    another as one of ``labels`` (the last piece may go on into the value)."""
    out: list[Line] = []
    i = 0
    while i < len(row):
        cur = row[i]
        acc = clean(cur.text)
        j = i
        while j + 1 < len(row) and acc:
            rests = [lab[len(acc) :] for lab in labels if lab.startswith(acc) and lab != acc]
            nxt = row[j + 1]
            piece = clean(nxt.text)
            near = nxt.x0 - row[j].x1 < 3 * max(cur.height, nxt.height)
            if not (
                rests
                and piece
                and near
                and any(piece.startswith(r) or r.startswith(piece) for r in rests)
            ):
                break
            acc += piece
            j += 1
        merged = cur
        for k in range(i + 1, j + 1):
            merged = join_lines(merged, row[k])
        out.append(merged)
        i = j + 1
    return out


def merge_split_labels(
    row: Sequence[Line], labels: Sequence[str], values_x: float | None = None
) -> list[Line]:
    """Join a label printed with wide letter spacing ("名　　称") that the detector split
    into pieces: a short line followed, on the same row, by a line that begins with the
    label's remaining characters. A lone first character that the recogniser misread
    (single characters read poorly) is accepted when the rest matches a two-character
    label exactly. ``values_x``: where the values' column starts, where known; a line
    that starts there is a value, never a label that lost its first character (名苑10栋
    2103室, an address's last line, had been 姓名 and its value)."""
    row = join_label_pieces([ln for ln in row if clean(ln.text)], labels)
    out: list[Line] = []
    i = 0
    while i < len(row):
        cur = row[i]
        head = clean(cur.text)
        label = None
        if head and i + 1 < len(row) and len(head) < 4:
            tail = clean(row[i + 1].text).lstrip(_LEADING_JUNK + "(（\u3000")
            for lab in labels:
                if lab.startswith(head) and lab != head and tail.startswith(lab[len(head) :]):
                    label = lab
                    break
                if len(head) == 1 and len(lab) == 2 and tail.startswith(lab[1]):
                    label = lab
                    break
            lone = [lab for lab in labels if len(lab) == 2 and lab[0] == head]
            if label is None and len(head) == 1 and len(lone) == 1 and _misread_second(row, i):
                # The label's second character boxed alone and misread (名 东 佛山市…, 东
                # at 0.18 where 称 stands): the label, its value the lines after it.
                nxt = row[i + 1]
                top, bottom = min(cur.y0, nxt.y0), max(cur.y1, nxt.y1)
                out.append(
                    Line(lone[0], cur.x0, top, nxt.x1, bottom, (1.0, 1.0), ((), ()), cur.source)
                )
                i += 2
                continue
            if label is None and len(head) == 1 and len(lone) == 1:
                # The label's second character was not detected at all.
                nxt = row[i + 1].sub(skip_gap(row[i + 1], 0))
                out.append(
                    Line(
                        lone[0] + nxt.text,
                        cur.x0,
                        min(cur.y0, nxt.y0),
                        nxt.x1,
                        max(cur.y1, nxt.y1),
                        (1.0, 1.0, *nxt.probs),
                        ((), (), *nxt.alts),
                        cur.source,
                    )
                )
                i += 2
                continue
        in_values = values_x is not None and cur.x0 >= values_x - 0.5 * cur.height
        if (
            label is None
            and not in_values
            and (i == 0 or cur.x0 - row[i - 1].x1 > 1.5 * cur.height)
        ):
            # The label's first character was not detected: the line starts with its
            # second one, away from anything on its left.
            first = [lab for lab in labels if len(lab) == 2 and head.startswith(lab[1])]
            if len(first) == 1:
                rest = cur.sub(skip_gap(cur, cur.text.index(first[0][1]) + 1))
                out.append(
                    Line(
                        first[0] + rest.text,
                        cur.x0,
                        cur.y0,
                        cur.x1,
                        cur.y1,
                        (1.0, 1.0, *rest.probs),
                        ((), (), *rest.alts),
                        cur.source,
                    )
                )
                i += 1
                continue
        if label is None:
            out.append(cur)
            i += 1
            continue
        nxt = row[i + 1]
        tail_text = nxt.text.lstrip(_LEADING_JUNK + "(（\u3000")
        consumed = len(nxt.text) - len(tail_text)
        rest_from = consumed + len(label) - len(head)
        rest = nxt.sub(skip_gap(nxt, rest_from))
        out.append(
            Line(
                label + rest.text,
                cur.x0,
                min(cur.y0, nxt.y0),
                nxt.x1,
                max(cur.y1, nxt.y1),
                tuple([1.0] * len(label)) + rest.probs,
                tuple([()] * len(label)) + rest.alts,
                cur.source,
            )
        )
        i += 2
    return out


# A character read below even odds is likelier wrong than right: a stray mark where
# something else explains the text without it.
EVEN_ODDS = 0.5


def _misread_second(row: Sequence[Line], i: int) -> bool:
    """Whether the line after a label's lone first character (row[i]) is that label's
    second character, boxed alone and misread: one character read below EVEN_ODDS, with
    more text on the row right after it (the value)."""
    if i + 2 >= len(row):
        return False
    nxt, after = row[i + 1], row[i + 2]
    one = len(clean(nxt.text)) == 1 and bool(nxt.probs) and max(nxt.probs) < EVEN_ODDS
    return one and 0 <= after.x0 - nxt.x1 < 3 * max(nxt.height, after.height)


def without_stray_place_mark(value: str, raw: RawField) -> RawField | None:
    """An organisation's name ``value`` (tidied from ``raw``, starting with raw's first
    character) without that character where it reads below EVEN_ODDS and only the rest
    starts with a real place (業 at 0.42 made up in the blank between 名称 and
    南京市腾达餐馆); None where there is no such mark."""
    first = (raw.value or "").lstrip()[:1]
    if not value or not raw.probs or value[0] != first or raw.probs[0] >= EVEN_ODDS:
        return None
    if not place_after_first(value):
        return None
    return RawField(value[1:], raw.probs[1:], raw.alts[1:], raw.box)


_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ";": "；", ":": "："})


def tidy(value: str, full_width: bool = False) -> str:
    """Value text without leading separators the recogniser reads from ruling lines or
    colons; optionally with Chinese (full-width) brackets and semicolons. 丶 (a radical
    no document prints as text) is the enumeration comma 、 some fonts draw like it."""
    value = value.strip().lstrip(_LEADING_JUNK).replace("丶", "、")
    return value.translate(_FULL_WIDTH) if full_width else value


_ADDRESS_END = re.compile(r"(\d|[号室房村组栋层楼户座])$")
# What a person's name holds at most without a · between its parts.
PERSON_NAME_MAX = 6
# How the name of a government body, an association or an institution ends (a
# certificate's sponsor or supervisor: 电白区人民政府, 晋州市文学艺术界联合会).
_ORGANISATION_END = re.compile(
    r"(局|厅|委员会|委|办公室|办|部|府|会|院|所|中心|公司|厂|站|队|处|社|校|学|馆|团|室)$"
)
_NAME_END = re.compile(r"(公司|厂|店|中心|合作社|事务所|部|行|馆|所|社|院|场|站)$")


def brackets_balanced(value: str) -> bool:
    depth = 0
    for ch in value:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


_DASHES = "—–－‐‑-"
_DASH_TO_YI = str.maketrans(_DASHES, "一" * len(_DASHES))


def name_dashes(value: str) -> str:
    """A person's name in hanzi with a dash read where the character 一 stands (魏薇一 read
    魏薇—): no name prints a dash, and the recogniser confuses the two strokes. Values
    with anything but hanzi, ·, and dashes stay as they are."""
    bare = value.translate(_DASH_TO_YI)
    read = any(ch != "·" and ch not in _DASHES for ch in value)  # not dashes alone
    return bare if read and looks_complete("person_name", bare) else value


def looks_complete(kind: str, value: str) -> bool:
    """Whether a free-text value has the shape of a whole one. Wrapped fields fail here when
    a line was lost or a neighbour's text was taken in, which character probabilities
    cannot show."""
    if not brackets_balanced(value):
        return False
    if kind == "address":
        return bool(_ADDRESS_END.search(value))
    if kind == "company_name":
        return bool(_NAME_END.search(value))
    if kind == "person_name":
        # A name of more than PERSON_NAME_MAX hanzi writes its parts apart with ·; a
        # longer run is an organisation's name cut short (海北藏族自治州远鼎投资管理有).
        longest = 15 if "·" in value else PERSON_NAME_MAX
        return 2 <= len(value) <= longest and all(
            "\u4e00" <= ch <= "\u9fff" or ch == "·" for ch in value
        )
    if kind == "organisation":
        return bool(_ORGANISATION_END.search(value))
    if kind == "form":
        # an individual business is run by one person or by a family, nothing else
        return value in ("个人经营", "家庭经营")
    if kind == "place":
        return len(value) >= 2 and all("\u4e00" <= ch <= "\u9fff" for ch in value)
    if kind == "scope":
        return value.endswith(("。", "）", ")"))
    if kind == "term":
        return bool(_WHOLE_TERM.fullmatch(value))
    if kind == "amount":
        # No amount is printed with a leading 0 but a fraction's (0.5万元): 0万元人民币
        # for 50万元人民币 lost its first figure.
        figures = re.search(r"\d[\d.]*", value)
        if figures:
            return not re.match(r"0(?!\.)", figures.group())
        # nor are Chinese numerals led by a unit (佰伍拾万元 for 叁佰伍拾万元)
        numerals = re.search(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿]", value)
        return not (numerals and numerals.group() in "佰仟万亿")
    return True


# A term as licenses and certificates print it: from a date to a date or to 长期; a
# license's may be 长期 alone.
TERM_SPAN = r"自?\d{4}年\d{1,2}月\d{1,2}日至(?:\d{4}年\d{1,2}月\d{1,2}日|长期)"
TERM_LINE = re.compile(TERM_SPAN)  # a certificate's term (its own row, or a line alone)
_WHOLE_TERM = re.compile(rf"{TERM_SPAN}|长期")


def text_confidence(raw: RawField, shape: str | None = None) -> float:
    """Confidence of a free-text field: its characters' joint probability, capped below
    the confident range when the value does not have the shape of a whole one."""
    conf = raw.ocr_confidence
    if shape is not None and raw.value and not looks_complete(shape, raw.value):
        conf = min(conf, 0.75)
    return conf


def joint_without_weakest(probs: Sequence[float]) -> float:
    """Joint probability of a value's characters but the least likely one: the one a
    check character repaired."""
    out = 1.0
    for p in sorted(probs)[1:]:
        out *= p
    return out


def code_reading(raw: RawField, code: CodeRead) -> tuple[FieldReading, bool]:
    """The reading of a check-character code and whether its check failed: a number that
    passes as read is confident; one a check character repaired is not (it is right
    only as far as the repaired character's runner-up was); one that fails its check is
    returned as read, not valid, at low confidence."""
    if not raw.value:
        return reading(MISSING, 0.0, None), False
    if not code.valid:
        conf = min(0.5, raw.ocr_confidence)
    elif code.repaired:
        conf = min(0.85, joint_without_weakest(raw.probs))
    else:
        conf = max(0.97, 1 - (1 - raw.ocr_confidence) * 0.1)
    value = RawField(code.value, raw.probs, raw.alts, raw.box)
    return reading(value, conf, code.valid), not code.valid


def checked_address(
    f: FieldReading, county: str | None, from_province: bool = False
) -> FieldReading:
    """An address read against the region names: its region restored to the official
    name of ``county`` (a six-digit code printed elsewhere on the document: the ID
    number's or the credit code's) when it reads one or two characters off it and is no
    real region itself; not confident when it starts with a province and goes on with a
    region no code has ever named, or (``from_province``: an ID card's address always
    starts with its province) when its start was lost (治州保靖县…, 31号)."""
    if not f.value:
        return f
    if from_province and not starts_with_province(f.value):
        repaired = repair_prefix(f.value, county) if county else None
        if repaired is None or not starts_with_province(repaired):
            return FieldReading(f.value, min(f.confidence, 0.6), f.valid, f.box)
    if county:
        repaired = repair_prefix(f.value, county)
        if repaired is not None:
            return FieldReading(repaired, min(f.confidence, 0.85), f.valid, f.box)
    if region_known(f.value) is False:
        return FieldReading(f.value, min(f.confidence, 0.8), f.valid, f.box)
    return f


def reading(raw: RawField, confidence: float, valid: bool | None) -> FieldReading:
    conf = max(0.0, min(1.0, confidence)) if raw.value else 0.0
    return FieldReading(raw.value, conf, valid if raw.value else None, raw.box)
