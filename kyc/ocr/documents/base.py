"""What every document type provides, and the shared helpers of their extractors."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kyc.ocr.layout import Line
from kyc.ocr.types import Box, FieldReading


@dataclass(frozen=True)
class RawField:
    """A field as read, before validation: the text and the OCR evidence behind it."""

    value: str | None
    probs: tuple[float, ...] = ()
    alts: tuple[tuple[str, ...], ...] = ()
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

    def extract(self, lines: Sequence[Line]) -> dict[str, RawField]: ...

    def check(self, raw: dict[str, RawField], today: dt.date) -> Checked: ...


def clean(text: str) -> str:
    """Text without whitespace and without the ASCII/full-width colon after labels."""
    return re.sub(r"[\s:：]", "", text)


def field_from_line(line: Line, start: int = 0, end: int | None = None) -> RawField:
    part = line.sub(start, end)
    text = part.text.strip()
    if not text:
        return MISSING
    box = (int(part.x0), int(part.y0), int(part.x1), int(part.y1))
    return RawField(text, part.probs, part.alts, box)


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


def strip_label(line: Line, labels: Sequence[str]) -> tuple[str, Line] | None:
    """If ``line`` starts with one of ``labels`` (spaces allowed between its characters),
    return the label and the rest of the line."""
    text = line.text
    for label in labels:
        i = 0
        pos = 0
        while pos < len(text) and i < len(label):
            ch = text[pos]
            if ch.isspace() or ch in ":：":
                pos += 1
                continue
            if ch != label[i]:
                break
            i += 1
            pos += 1
        if i == len(label):
            while pos < len(text) and (text[pos].isspace() or text[pos] in ":："):
                pos += 1
            return label, line.sub(pos)
    return None


def text_confidence(raw: RawField) -> float:
    """Calibrated confidence of a free-text field from its characters' probabilities."""
    return raw.ocr_confidence


def reading(raw: RawField, confidence: float, valid: bool | None) -> FieldReading:
    conf = max(0.0, min(1.0, confidence)) if raw.value else 0.0
    return FieldReading(raw.value, conf, valid if raw.value else None, raw.box)
