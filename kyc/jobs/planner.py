"""The one code path that decides what a re-verification runs (pure).

``select`` picks the filings a new run covers; ``plan`` turns a run's filings, minus those
already recorded, into steps. Engines only schedule what ``plan`` returns, so a resumed
run, a dry run, the local pool and Ray all run exactly the same items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from kyc.errors import BadInput, ErrorCode
from kyc.jobs.model import (
    DocumentStep,
    Plan,
    PlannedItem,
    Selection,
    StoredDocument,
    StoredFiling,
    StoredVideo,
    VideoStep,
)

DRAFT = "draft"


def _when(f: StoredFiling) -> dt.datetime:
    return f.submitted_at or f.created_at


def has_inputs(f: StoredFiling) -> bool:
    return bool(f.documents or f.videos)


def select(filings: Iterable[StoredFiling], selection: Selection) -> tuple[str, ...]:
    """The filing ids a new run covers, in run order (oldest submission first).

    Without ``filing_ids``: every submitted (non-draft) filing with stored inputs,
    submitted on or after ``since``. With ``filing_ids``: exactly those (drafts too: the
    operator asked for them), still filtered by ``since``; an unknown id is bad input.
    """
    by_id = {f.id: f for f in filings}
    if selection.filing_ids:
        unknown = sorted(set(selection.filing_ids) - set(by_id))
        if unknown:
            shown = ", ".join(unknown[:3]) + (" ..." if len(unknown) > 3 else "")
            raise BadInput(ErrorCode.UNKNOWN_FILING, f"no stored filing {shown}")
        chosen = [by_id[i] for i in set(selection.filing_ids)]
    else:
        chosen = [f for f in by_id.values() if f.status != DRAFT]
    if selection.since is not None:
        since = selection.since
        chosen = [f for f in chosen if _when(f).date() >= since]
    chosen = [f for f in chosen if has_inputs(f)]
    return tuple(f.id for f in sorted(chosen, key=lambda f: (_when(f), f.id)))


def _document_step(d: StoredDocument) -> DocumentStep:
    if d.purged or d.raw_key is None:
        return DocumentStep(d.id, None, ErrorCode.INPUT_PURGED.value)
    return DocumentStep(d.id, d.raw_key)


def _portrait_source(docs: Sequence[StoredDocument], video: StoredVideo) -> StoredDocument | None:
    """As at upload time: the newest document with a portrait stored before the video."""
    earlier = [d for d in docs if d.portrait_key is not None and d.created_at <= video.created_at]
    candidates = earlier or [d for d in docs if d.portrait_key is not None]
    return candidates[-1] if candidates else None


def _video_step(f: StoredFiling) -> VideoStep | None:
    if not f.videos:
        return None
    video = f.videos[-1]
    source = _portrait_source(f.documents, video)
    missing: str | None = None
    if video.purged or video.video_key is None:
        missing = ErrorCode.INPUT_PURGED.value
    elif source is None:
        missing = ErrorCode.NO_PORTRAIT.value
    return VideoStep(
        video_id=video.id,
        blob_key=None if missing else video.video_key,
        at=video.created_at,
        challenge=video.challenge,
        mirrored=video.mirrored,
        portrait_document_id=source.id if source else None,
        portrait_key=source.portrait_key if source else None,
        missing=missing,
    )


def plan_item(f: StoredFiling) -> PlannedItem:
    return PlannedItem(f.id, tuple(_document_step(d) for d in f.documents), _video_step(f))


def plan(
    filings: Mapping[str, StoredFiling], run_items: Sequence[str], finished: Iterable[str]
) -> Plan:
    """The steps still to run for a run's items: recorded items are skipped, the rest
    (never started, or started and interrupted) run, in the run's order."""
    done = set(finished)
    todo = []
    skipped = []
    for fid in run_items:
        if fid in done:
            skipped.append(fid)
        elif fid in filings:
            todo.append(plan_item(filings[fid]))
        else:  # cannot happen for stored runs (foreign key); a plan never invents inputs
            raise BadInput(ErrorCode.UNKNOWN_FILING, f"no stored filing {fid}")
    return Plan(tuple(todo), tuple(skipped), len(run_items))
