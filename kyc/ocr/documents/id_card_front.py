"""Resident ID card, front (portrait side): 姓名 性别 民族 出生 住址 公民身份号码."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from kyc.ocr.documents.base import (
    MISSING,
    NOT_AN_ID_CARD,
    OVERPRINT_CHARS,
    OVERPRINT_PIECES,
    Checked,
    RawField,
    checked_address,
    clean,
    code_reading,
    field_from_line,
    join_fields,
    merge_split_labels,
    name_dashes,
    reading,
    skip_gap,
    strip_label,
    text_confidence,
    tidy,
)
from kyc.ocr.documents.codes import find_code
from kyc.ocr.documents.labelled import drop_overlapped_junk
from kyc.ocr.layout import Line, rows
from kyc.ocr.regions import starts_with_province
from kyc.ocr.types import FieldReading
from kyc.ocr.validate import CodeRead, id_birth_date, id_sex, read_id_number

NAME = "id_card_front"
FIELD_NAMES = ("name", "sex", "ethnicity", "birth_date", "address", "id_number")
KEYWORDS = ("姓名", "性别", "民族", "出生", "住址", "公民身份号码")

ETHNIC_GROUPS = tuple(
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 "
    "阿昌 普米 塔吉克 怒 "
    "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split(" ")
)

# Labels whose value is a character or two the detector may leave out (汉 beside
# 民族), with every value they can have: looked for beside the label when nothing
# was boxed there (DocumentReader._lone_values).
LONE_VALUES: dict[str, tuple[str, ...]] = {"民族": ETHNIC_GROUPS, "性别": ("男", "女")}


def _id_number(raw: RawField) -> CodeRead:
    return read_id_number(raw.value or "", raw.probs, raw.alts)


def _after_label(line: Line, labels: Sequence[str], values_x: float | None = None) -> Line | None:
    """The rest of ``line`` after one of ``labels``; or after a two-character label read
    with one character off (娃名 for 姓名) where a blank then parts it from the value,
    as the card prints a label apart from its value (娃名  谭霞莉 had been the name), or
    where the line's characters, taken as evenly set, put the label's end within a
    character of the values' column ``values_x`` (姓者金涵玲, no blank read between)."""
    found = strip_label(line, labels)
    if found:
        return found[1]
    text = line.text
    head = len(text) - len(text.lstrip())
    pair, gap = text[head : head + 2], text[head + 2 : head + 3]
    if len(pair) < 2 or not any(
        len(label) == 2 and sum(a == b for a, b in zip(pair, label, strict=True)) == 1
        for label in labels
    ):
        return None
    if gap.isspace():
        rest = line.sub(skip_gap(line, head + 2))
        return rest if clean(rest.text) else None
    pitch = (line.x1 - line.x0) / max(len(text), 1)
    if (
        values_x is not None
        and len(text) > head + 2
        and abs(line.x0 + pitch * (head + 2) - values_x) < pitch
    ):
        return line.sub(head + 2)
    return None


_DATE_ROW = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月")
_YEAR_FIRST = re.compile(r"(19|20)\d\d(\D|$)")
_NUMBER_RUN = re.compile(r"\d{7}")


def _values_x(table: Sequence[Sequence[Line]]) -> float | None:
    """Where the values' column starts: the median left edge of the lines right of a
    label read whole on its row, or of a row's first line that is its label misread in
    one character (焦址 for 住址) (None without two such rows)."""
    starts = sorted(
        row[k + 1].x0
        for row in table
        for k in range(len(row) - 1)
        if clean(row[k].text) in KEYWORDS or (k == 0 and _label_column(row[0], row, KEYWORDS))
    )
    return starts[len(starts) // 2] if len(starts) >= 2 else None


def _label_column(line: Line, row: Sequence[Line], labels: Sequence[str]) -> bool:
    """Whether ``line`` is the row's label misread in one character (佳址 for 住址, 姓石
    for 姓名): the first line of its row, with the value's line right of it, as long as
    the label and holding the label's other character in its place. The card prints
    each label alone in its column, left of the value."""
    if len(row) < 2 or line is not row[0]:
        return False
    t = clean(line.text)
    return any(
        len(t) == len(label)
        and sum(a == b for a, b in zip(t, label, strict=True)) == len(label) - 1
        for label in labels
    )


def _beside_label(row: Sequence[Line], above: Sequence[Line], label: str) -> RawField:
    """The value beside a label that stands alone on its row, boxed into the row above
    (a watermark's tall piece, 备案使用, drew the address's first line and itself into
    a row of their own): the nearest line right of the label whose height spans the
    label's centre."""
    lab = next((ln for ln in row if clean(ln.text) == label), None)
    if lab is None:
        return MISSING
    beside = [ln for ln in above if ln.x0 > lab.x1 - 0.5 * lab.height and ln.y0 < lab.cy < ln.y1]
    beside = [ln for ln in beside if clean(ln.text) not in OVERPRINT_PIECES]
    return field_from_line(min(beside, key=lambda ln: ln.x0)) if beside else MISSING


class IdCardFront:
    name = NAME
    field_names = FIELD_NAMES
    keywords = KEYWORDS
    # Any long run of digits, and (one more point) one shaped like an ID number: a
    # county code, a birth date of 1900-2099, a sequence and a check character.
    patterns = (
        re.compile(r"\d{15,17}[\dXx]"),
        re.compile(r"[1-8]\d{5}(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dXx]"),
    )
    min_score = 2
    excludes = NOT_AN_ID_CARD

    def extract(self, lines: Sequence[Line]) -> dict[str, RawField]:
        out: dict[str, RawField] = dict.fromkeys(FIELD_NAMES, MISSING)
        out["id_number"] = found = find_code(lines, ("公民身份号码",), 18, _id_number)
        id_row_y = (found.box[1] + found.box[3]) / 2 if found.box else float("inf")
        above = rows([ln for ln in lines if ln.cy < id_row_y - 0.5 * ln.height])
        # (a small, unlikely reading boxed between a label and its value is no value)
        values_x = _values_x(above)
        table = [drop_overlapped_junk(merge_split_labels(row, KEYWORDS, values_x)) for row in above]
        # Drop rows that are only the card's fine print or the 公民身份号码 label.
        table = [r for r in table if any(clean(ln.text) for ln in r)]
        used_rows: set[int] = set()

        def find_row(labels: Sequence[str]) -> int | None:
            for i, row in enumerate(table):
                for ln in row:
                    if strip_label(ln, labels):
                        return i
            return None

        name_i = find_row(["姓名"])
        sex_i = find_row(["性别", "民族"])
        birth_i = find_row(["出生"])
        addr_i = find_row(["住址"])
        # The birth row is the one with a date; a misread label elsewhere (生址 read as
        # 出生 without its first character) does not move it.
        dated = [
            i for i, row in enumerate(table) if _DATE_ROW.search("".join(ln.text for ln in row))
        ]
        if dated and birth_i not in dated:
            birth_i = dated[0]
            if addr_i is not None and addr_i <= birth_i:
                addr_i = None
        # Without labels (printed small and pale, lost on a hard photo) a row is known
        # by its value's shape: the sex starts its row, the birth date starts with a
        # year, the address with a province's name; the name is the row above the sex.
        texts = ["".join(clean(ln.text) for ln in row) for row in table]
        if sex_i is None:
            sex_i = next((i for i, t in enumerate(texts) if t[:1] in ("男", "女")), None)
        if birth_i is None:
            birth_i = next((i for i, t in enumerate(texts) if _YEAR_FIRST.match(t)), None)
        if addr_i is None:
            after = max(i for i in (sex_i, birth_i, -1) if i is not None)
            addr_i = next(
                (i for i, t in enumerate(texts) if i > after and starts_with_province(t)), None
            )
        if name_i is None and sex_i:
            name_i = sex_i - 1
        # Fall back on the fixed order of rows: name, sex/ethnicity, birth, address...
        if name_i is None and table:
            name_i = 0 if sex_i is None or sex_i > 0 else None
        if sex_i is None and name_i is not None and name_i + 1 < len(table):
            sex_i = name_i + 1
        if birth_i is None and sex_i is not None and sex_i + 1 < len(table):
            birth_i = sex_i + 1
        if addr_i is None and birth_i is not None and birth_i + 1 < len(table):
            addr_i = birth_i + 1

        if name_i is not None:
            used_rows.add(name_i)
            out["name"] = self._row_value(table[name_i], ["姓名"], values_x)
        if sex_i is not None:
            used_rows.add(sex_i)
            out["sex"], out["ethnicity"] = self._sex_ethnicity(table[sex_i])
        if birth_i is not None:
            used_rows.add(birth_i)
            out["birth_date"] = self._birth(table[birth_i])
        if addr_i is not None:
            first = self._row_value(table[addr_i], ["住址"])
            if first is MISSING and addr_i > 0:
                first = _beside_label(table[addr_i], table[addr_i - 1], "住址")
            parts = [first]
            x_left = first.box[0] if first.box else None
            for row in table[addr_i + 1 :]:
                cont = [ln for ln in row if x_left is None or ln.x0 >= x_left - 1.5 * ln.height]
                # A label anywhere on the row (公民身份号码 when the number is hidden)
                # starts another field.
                # (a row of the number's long run of digits, its label lost, too)
                if (
                    not cont
                    or any(strip_label(ln, KEYWORDS) for ln in row)
                    or _NUMBER_RUN.search("".join(ln.text for ln in row))
                ):
                    break
                parts.extend(field_from_line(ln) for ln in cont[:1])
            out["address"] = join_fields(parts)
        return out

    @staticmethod
    def _row_value(
        row: Sequence[Line], labels: Sequence[str], values_x: float | None = None
    ) -> RawField:
        parts: list[RawField] = []
        for ln in row:
            if _label_column(ln, row, labels):
                continue
            # The value follows its label: what lies before the label on its row is
            # not it (a watermark's 致 left of 姓名蒋晶家 had been the name).
            rest = _after_label(ln, labels, values_x)
            if rest is not None:
                # (a watermark's piece boxed with the label is no value: 住址使用, the
                # address on the line beside it)
                kept = clean(rest.text) and clean(rest.text) not in OVERPRINT_PIECES
                parts = [field_from_line(rest)] if kept else []
                continue
            if clean(ln.text) in labels:
                parts = []
                continue
            other = strip_label(ln, KEYWORDS)
            if other and len(clean(other[1].text)) <= 1:
                continue  # a (misread) label of the label column, not a value
            parts.append(field_from_line(ln))
        return join_fields(parts[:1]) if parts else MISSING

    @staticmethod
    def _sex_ethnicity(row: Sequence[Line]) -> tuple[RawField, RawField]:
        sex: RawField = MISSING
        eth: RawField = MISSING
        joined = "".join(ln.text for ln in row)
        for ln in row:
            for i, ch in enumerate(ln.text):
                if ch in "男女" and sex is MISSING:
                    sex = field_from_line(ln, i, i + 1)
        m = re.search(r"民\s*族\s*(\S+)", joined)
        if m:
            # The name of a group ends the value: what the row holds after it is other
            # ink (复印无效 over the card, boxed beside the value).
            value = m.group(1)
            names = [g for g in ETHNIC_GROUPS if value.startswith(g)]
            # (or begins after a watermark's characters read before it: 备汉, 备 of
            # 仅供备案使用 over the card)
            after = [
                g
                for g in ETHNIC_GROUPS
                if value.endswith(g) and set(value[: -len(g)]) <= OVERPRINT_CHARS
            ]
            value = max(names, key=len) if names else max(after, key=len) if after else value
            for ln in row:
                pos = ln.text.find(value)
                if pos >= 0:
                    eth = field_from_line(ln, pos, pos + len(value))
                    break
        if eth is MISSING:
            # The value may be the last line of the row, after a separate 民族 label, or
            # what is left of the row without its labels' characters (民汉: 族 lost) and
            # the sex: one of the 56 names, the longest that fits.
            for ln in reversed(row):
                text = clean(ln.text)
                if not text or text in ("民族", "性别") or text in "男女":
                    continue
                # the label may also have one character misread (民旅汉): then what
                # is left must be one of the names exactly
                for label in (r"(民族|民|族)?", r"(民\S|\S族)"):
                    rest = re.sub(r"^(性别)?[男女]?" + label, "", text)
                    names = [g for g in ETHNIC_GROUPS if rest.startswith(g)]
                    if names and rest == max(names, key=len):
                        pos = ln.text.rfind(rest)
                        eth = field_from_line(ln, pos, pos + len(rest))
                        break
                break
        return sex, eth

    @staticmethod
    def _birth(row: Sequence[Line]) -> RawField:
        parts = [field_from_line(ln) for ln in row]
        joined = join_fields(parts)
        digits = re.findall(r"\d+", joined.value or "")
        if len(digits) >= 3 and len(digits[0]) == 4:
            try:
                day = dt.date(int(digits[0]), int(digits[1]), int(digits[2]))
            except ValueError:
                return RawField(None, joined.probs, (), joined.box)
            return RawField(day.isoformat(), joined.probs, (), joined.box)
        return RawField(None, joined.probs, (), joined.box)

    def check(self, raw: dict[str, RawField], today: dt.date) -> Checked:
        fields = {}
        warnings: list[str] = []
        facts: dict[str, str] = {}
        idr = raw["id_number"]
        printed_birth = raw["birth_date"].value
        birth = dt.date.fromisoformat(printed_birth) if printed_birth else None
        sex = raw["sex"].value if raw["sex"].value in ("男", "女") else None
        code = read_id_number(idr.value or "", idr.probs, idr.alts, birth, sex)
        fields["id_number"], mismatch = code_reading(idr, code)
        if mismatch:
            warnings.append("CHECKSUM_MISMATCH")
        contradicted = (
            code.valid
            and code.value is not None
            and (
                (birth is not None and id_birth_date(code.value) != birth)
                or (sex is not None and id_sex(code.value) != sex)
            )
        )
        if contradicted:
            # The check holds but the number says another birth date or sex than the
            # card: one of them is misread (or the card is not genuine).
            f = fields["id_number"]
            fields["id_number"] = FieldReading(f.value, min(f.confidence, 0.5), False, f.box)
        id_conf = fields["id_number"].confidence
        # Birth date and sex are checked against a number that passes its check (a
        # contradiction lowers both sides).
        id_birth = id_birth_date(code.value) if code.valid and code.value else None
        id_sx = id_sex(code.value) if code.valid and code.value else None
        if id_birth and not contradicted:
            facts["birth_date"] = id_birth.isoformat()

        # Birth date: agree with the ID number, or take it from there when unreadable.
        b = raw["birth_date"]
        if id_birth is not None:
            if b.value == id_birth.isoformat():
                fields["birth_date"] = reading(b, max(text_confidence(b), id_conf), True)
            elif b.value is None:
                fields["birth_date"] = reading(
                    RawField(id_birth.isoformat(), (), (), b.box), min(id_conf, 0.85), True
                )
            else:
                fields["birth_date"] = reading(b, min(text_confidence(b), 0.3), False)
        else:
            fields["birth_date"] = reading(b, text_confidence(b), None)

        s = raw["sex"]
        if id_sx is not None:
            if s.value == id_sx:
                fields["sex"] = reading(s, max(text_confidence(s), id_conf), True)
            elif s.value is None:
                fields["sex"] = reading(RawField(id_sx), min(id_conf, 0.85), True)
            else:
                fields["sex"] = reading(s, min(text_confidence(s), 0.3), False)
        else:
            fields["sex"] = reading(s, text_confidence(s), s.value in ("男", "女") or None)

        e = raw["ethnicity"]
        valid_eth = e.value in ETHNIC_GROUPS if e.value else None
        conf = text_confidence(e) if valid_eth else min(text_confidence(e), 0.5)
        fields["ethnicity"] = reading(e, conf, valid_eth)
        for key in ("name", "address"):
            r = raw[key]
            if r.value:
                text = name_dashes(tidy(r.value)) if key == "name" else tidy(r.value)
                r = RawField(text or None, r.probs, r.alts, r.box)
            shape = "address" if key == "address" else "person_name"
            fields[key] = reading(r, text_confidence(r, shape), None)
        county = code.value[:6] if code.valid and code.value else None
        fields["address"] = checked_address(fields["address"], county, from_province=True)
        ordered = {name: fields[name] for name in FIELD_NAMES}
        return Checked(ordered, tuple(warnings), facts)


KIND = IdCardFront()
