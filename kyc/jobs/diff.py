"""Before/after views of a filing's automatic results, its screening decision, and what
changed between two views (pure).

The *screening decision* of a filing is the worst of its parts': the video check's own
decision (pass | review | reject), and per document ``review`` when the reader found
something a person must look at (unknown document, a fraud warning, an invalid or expired
value, a field below the "look at it" confidence), else ``pass``. A filing *changes* when
its decision, a document's type, warnings or any field's value or validity, or the video
check's decision, reasons, liveness or match verdict differ. Scores (confidences,
quality, liveness and match scores) are shown, but a score alone is not a change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Decision = Literal["pass", "review", "reject"]
RANK: dict[str, int] = {"pass": 0, "review": 1, "reject": 2}
# Warnings a person must look at (the others describe a poor photo, already scored).
REVIEW_WARNINGS = frozenset(
    {"PHOTOCOPY", "RECAPTURE", "TEMPORARY_ID", "CHECKSUM_MISMATCH", "EXPIRED", "NOT_A_DOCUMENT"}
)
LOOK_BELOW = 0.80  # a field read with less confidence "means look at it" (README)


@dataclass(frozen=True)
class FieldView:
    value: str | None
    confidence: float
    valid: bool | None


@dataclass(frozen=True)
class DocumentView:
    document_id: str
    document_type: str
    fields: Mapping[str, FieldView]
    warnings: tuple[str, ...]
    quality: float


@dataclass(frozen=True)
class VideoView:
    video_id: str
    decision: str
    reasons: tuple[str, ...]
    liveness_passed: bool | None
    liveness_score: float | None
    match_score: float | None
    same_person: bool | None


@dataclass(frozen=True)
class ItemView:
    decision: str
    documents: tuple[DocumentView, ...]
    video: VideoView | None


# --------------------------------------------------------------------------- from JSON


def _num(x: Any) -> float | None:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else None


def _bool(x: Any) -> bool | None:
    return x if isinstance(x, bool) else None


def document_view(document_id: str, reading: Mapping[str, Any]) -> DocumentView:
    """From a ``kyc ocr --json`` object (stored at upload, or just produced)."""
    fields: dict[str, FieldView] = {}
    raw = reading.get("fields") or {}
    for name in sorted(raw):
        f = raw[name] if isinstance(raw[name], dict) else {}
        value = f.get("value")
        fields[name] = FieldView(
            value if isinstance(value, str) else None,
            _num(f.get("confidence")) or 0.0,
            _bool(f.get("valid")),
        )
    return DocumentView(
        document_id=document_id,
        document_type=str(reading.get("document_type") or "unknown"),
        fields=fields,
        warnings=tuple(sorted({str(w) for w in reading.get("warnings") or ()})),
        quality=_num(reading.get("quality")) or 0.0,
    )


def video_view(video_id: str, verdict: Mapping[str, Any]) -> VideoView:
    """From a ``kyc verify-video --json`` object (stored at upload, or just produced)."""
    live: Mapping[str, Any] = verdict.get("liveness") or {}
    match: Mapping[str, Any] = verdict.get("match") or {}
    decision = str(verdict.get("decision") or "review")
    return VideoView(
        video_id=video_id,
        decision=decision if decision in RANK else "review",
        reasons=tuple(str(r) for r in verdict.get("reasons") or ()),
        liveness_passed=_bool(live.get("passed")),
        liveness_score=_num(live.get("score")),
        match_score=_num(match.get("score")),
        same_person=_bool(match.get("same_person")),
    )


# --------------------------------------------------------------------------- decisions


def document_decision(doc: DocumentView, look_below: float = LOOK_BELOW) -> Decision:
    if doc.document_type == "unknown" or REVIEW_WARNINGS.intersection(doc.warnings):
        return "review"
    for f in doc.fields.values():
        if f.valid is False or (f.value is not None and f.confidence < look_below):
            return "review"
    return "pass"


def item_decision(
    documents: Sequence[DocumentView], video: VideoView | None, look_below: float = LOOK_BELOW
) -> str:
    levels = [document_decision(d, look_below) for d in documents]
    if video is not None:
        levels.append(video.decision)  # type: ignore[arg-type]
    return max(levels, key=lambda d: RANK.get(d, 1), default="pass")


def item_view(
    documents: Sequence[DocumentView], video: VideoView | None, look_below: float = LOOK_BELOW
) -> ItemView:
    return ItemView(item_decision(documents, video, look_below), tuple(documents), video)


# --------------------------------------------------------------------------- changes


def _doc_changes(before: DocumentView, after: DocumentView) -> list[str]:
    where = f"document {before.document_id[:8]}"
    out: list[str] = []
    if before.document_type != after.document_type:
        out.append(f"{where}: document_type {before.document_type} -> {after.document_type}")
    gained = sorted(set(after.warnings) - set(before.warnings))
    lost = sorted(set(before.warnings) - set(after.warnings))
    if gained or lost:
        parts = [f"+{w}" for w in gained] + [f"-{w}" for w in lost]
        out.append(f"{where}: warnings {' '.join(parts)}")
    for name in sorted(set(before.fields) | set(after.fields)):
        b, a = before.fields.get(name), after.fields.get(name)
        bv, av = (b.value if b else None), (a.value if a else None)
        if bv != av:
            out.append(f"{where}: {name} value changed")
        bok, aok = (b.valid if b else None), (a.valid if a else None)
        if bok != aok:
            out.append(f"{where}: {name} valid {bok} -> {aok}")
    return out


def _video_changes(before: VideoView, after: VideoView) -> list[str]:
    out: list[str] = []
    if before.decision != after.decision:
        out.append(f"video: decision {before.decision} -> {after.decision}")
    if set(before.reasons) != set(after.reasons):
        gained = sorted(set(after.reasons) - set(before.reasons))
        lost = sorted(set(before.reasons) - set(after.reasons))
        parts = [f"+{r}" for r in gained] + [f"-{r}" for r in lost]
        out.append(f"video: reasons {' '.join(parts)}")
    if before.liveness_passed != after.liveness_passed:
        out.append(f"video: liveness passed {before.liveness_passed} -> {after.liveness_passed}")
    if before.same_person != after.same_person:
        out.append(f"video: same_person {before.same_person} -> {after.same_person}")
    return out


def changes(before: ItemView, after: ItemView) -> tuple[str, ...]:
    """What differs, one line each (field names, never values: the lines are logged)."""
    out: list[str] = []
    if before.decision != after.decision:
        out.append(f"decision {before.decision} -> {after.decision}")
    after_docs = {d.document_id: d for d in after.documents}
    for b in before.documents:
        a = after_docs.get(b.document_id)
        if a is not None:
            out.extend(_doc_changes(b, a))
    if before.video is not None and after.video is not None:
        out.extend(_video_changes(before.video, after.video))
    return tuple(out)


# --------------------------------------------------------------------------- (de)serialise


def view_to_json(view: ItemView) -> dict[str, Any]:
    return {
        "decision": view.decision,
        "documents": [
            {
                "document_id": d.document_id,
                "document_type": d.document_type,
                "fields": {
                    k: {"value": f.value, "confidence": round(f.confidence, 3), "valid": f.valid}
                    for k, f in d.fields.items()
                },
                "warnings": list(d.warnings),
                "quality": round(d.quality, 3),
            }
            for d in view.documents
        ],
        "video": None
        if view.video is None
        else {
            "video_id": view.video.video_id,
            "decision": view.video.decision,
            "reasons": list(view.video.reasons),
            "liveness": {"passed": view.video.liveness_passed, "score": view.video.liveness_score},
            "match": {"score": view.video.match_score, "same_person": view.video.same_person},
        },
    }


def view_from_json(obj: Mapping[str, Any]) -> ItemView:
    docs = tuple(document_view(str(d["document_id"]), d) for d in obj.get("documents") or ())
    v = obj.get("video")
    video = video_view(str(v["video_id"]), v) if isinstance(v, dict) else None
    return ItemView(str(obj.get("decision") or "pass"), docs, video)


def transitions(pairs: Iterable[tuple[str | None, str | None]]) -> dict[str, int]:
    """Counts of ``before -> after`` decisions (unchanged ones included)."""
    out: dict[str, int] = {}
    for b, a in pairs:
        if b is None or a is None:
            continue
        key = f"{b} -> {a}"
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))
