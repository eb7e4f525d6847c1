"""Database and blob adapter of re-verification: stored submissions in, runs and results
out. Results are written once per (run, filing), enforced by a unique constraint."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kyc.errors import BadInput, ErrorCode, KycError
from kyc.jobs import diff
from kyc.jobs.model import (
    DocumentInput,
    ItemOutcome,
    ItemTask,
    PartError,
    PlannedItem,
    Selection,
    StoredDocument,
    StoredFiling,
    StoredVideo,
    VideoInput,
)
from kyc.jobs.report import ResultRecord, RunInfo
from kyc.store import repo
from kyc.store.blobs import BlobStore
from kyc.store.crypto import FieldCipher
from kyc.store.tables import (
    Challenge,
    Document,
    Filing,
    VerificationItem,
    VerificationResult,
    VerificationRun,
    VideoCheck,
    utcnow,
)

RESULT_PURPOSE = "reverify"


@dataclass(frozen=True)
class RunKey:
    manifest_hash: str
    settings_hash: str
    selection: Selection


# --------------------------------------------------------------------------- stored inputs


def load_filings(s: Session, ids: Iterable[str] | None = None) -> dict[str, StoredFiling]:
    """The stored submissions (metadata only: no decryption, no blobs)."""
    q = select(Filing)
    wanted = None if ids is None else sorted(set(ids))
    if wanted is not None:
        q = q.where(Filing.id.in_(wanted))
    filings = list(s.scalars(q))
    fids = [f.id for f in filings]
    docs: dict[str, list[StoredDocument]] = {}
    videos: dict[str, list[StoredVideo]] = {}
    for chunk in _chunks(fids, 500):
        for d in s.scalars(
            select(Document).where(Document.filing_id.in_(chunk)).order_by(Document.created_at)
        ):
            docs.setdefault(d.filing_id, []).append(
                StoredDocument(
                    d.id, d.created_at, d.raw_key, d.portrait_key, d.purged_at is not None
                )
            )
        rows = s.execute(
            select(VideoCheck, Challenge.challenge_json)
            .outerjoin(Challenge, Challenge.id == VideoCheck.challenge_id)
            .where(VideoCheck.filing_id.in_(chunk), VideoCheck.status == "done")
            .order_by(VideoCheck.created_at)
        )
        for v, ch in rows:
            videos.setdefault(v.filing_id, []).append(
                StoredVideo(
                    v.id,
                    v.created_at,
                    v.video_key,
                    json.loads(ch) if ch else None,
                    v.mirrored,
                    v.purged_at is not None,
                )
            )
    return {
        f.id: StoredFiling(
            f.id,
            f.status,
            f.created_at,
            f.submitted_at,
            tuple(docs.get(f.id, ())),
            tuple(videos.get(f.id, ())),
        )
        for f in filings
    }


def _chunks(items: Sequence[str], n: int) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def before_view(s: Session, cipher: FieldCipher, item: PlannedItem) -> diff.ItemView:
    """The results stored at upload time for the item's documents and video check."""
    docs = []
    for step in item.documents:
        row = s.get(Document, step.document_id)
        if row is not None:
            stored = cipher.decrypt_json(row.reading_enc, "reading")
            docs.append(diff.document_view(row.id, stored.get("reading") or {}))
    video = None
    if item.video is not None:
        v = s.get(VideoCheck, item.video.video_id)
        if v is not None and v.result_enc:
            video = diff.video_view(v.id, cipher.decrypt_json(v.result_enc, "verdict"))
    return diff.item_view(docs, video)


def read_blob(blobs: BlobStore, key: str) -> tuple[bytes | None, PartError | None]:
    """A stored input, or why it cannot be had (missing, or present but unreadable)."""
    try:
        return blobs.get(key), None
    except KycError as exc:
        try:
            present = blobs.exists(key)
        except KycError:
            present = False
        if not present:
            return None, PartError(ErrorCode.BLOB_MISSING.value, f"blob {key[:8]} is missing")
        return None, PartError(ErrorCode.BLOB_UNREADABLE.value, f"blob {key[:8]}: {exc.detail}")
    except OSError as exc:
        return None, PartError(ErrorCode.BLOB_UNREADABLE.value, f"blob {key[:8]}: {exc}")


def load_task(blobs: BlobStore, item: PlannedItem) -> ItemTask:
    docs = []
    for step in item.documents:
        if step.missing or step.blob_key is None:
            code = step.missing or ErrorCode.BLOB_MISSING.value
            docs.append(DocumentInput(step.document_id, None, PartError(code, "no stored input")))
            continue
        data, err = read_blob(blobs, step.blob_key)
        docs.append(DocumentInput(step.document_id, data, err))
    video = None
    if item.video is not None:
        v = item.video
        data, err = None, None
        if v.missing or v.blob_key is None:
            err = PartError(v.missing or ErrorCode.BLOB_MISSING.value, "no stored input")
        else:
            data, err = read_blob(blobs, v.blob_key)
        portrait = None
        if err is None and v.portrait_key is not None:
            portrait, _ = read_blob(blobs, v.portrait_key)  # used only if the re-read has none
        video = VideoInput(
            video_id=v.video_id,
            data=data,
            at_iso=v.at.replace(tzinfo=dt.UTC).isoformat(),
            challenge=v.challenge,
            mirrored=v.mirrored,
            portrait_document_id=v.portrait_document_id,
            stored_portrait=portrait,
            error=err,
        )
    return ItemTask(item.filing_id, tuple(docs), video)


# --------------------------------------------------------------------------- runs


def find_open_run(s: Session, key: RunKey) -> VerificationRun | None:
    return s.scalars(
        select(VerificationRun)
        .where(
            VerificationRun.manifest_hash == key.manifest_hash,
            VerificationRun.settings_hash == key.settings_hash,
            VerificationRun.selection_key == key.selection.key(),
            VerificationRun.status == "running",
        )
        .order_by(VerificationRun.created_at.desc())
        .limit(1)
    ).first()


def create_run(
    s: Session, key: RunKey, engine: str, items: Sequence[str], actor: str
) -> VerificationRun:
    run = VerificationRun(
        id=secrets.token_hex(16),
        manifest_hash=key.manifest_hash,
        settings_hash=key.settings_hash,
        selection_key=key.selection.key(),
        selection=json.dumps(key.selection.to_json(), sort_keys=True),
        engine=engine,
        status="running" if items else "done",
        items=len(items),
        created_by=actor,
        finished_at=None if items else utcnow(),
    )
    s.add(run)
    s.flush()
    s.add_all(
        VerificationItem(run_id=run.id, filing_id=fid, position=i) for i, fid in enumerate(items)
    )
    repo.audit(
        s,
        actor,
        "reverify.start",
        None,
        {"run_id": run.id, "items": len(items), "engine": engine, **key.selection.to_json()},
    )
    s.commit()
    return run


def get_run(s: Session, run_id: str) -> VerificationRun:
    run = s.get(VerificationRun, run_id) if len(run_id) <= 32 else None
    if run is None:
        raise BadInput(ErrorCode.UNKNOWN_RUN, f"no re-verification run {run_id[:40]}")
    return run


def run_items(s: Session, run_id: str) -> list[str]:
    return list(
        s.scalars(
            select(VerificationItem.filing_id)
            .where(VerificationItem.run_id == run_id)
            .order_by(VerificationItem.position)
        )
    )


def finished_items(s: Session, run_id: str) -> set[str]:
    return set(
        s.scalars(select(VerificationResult.filing_id).where(VerificationResult.run_id == run_id))
    )


def count_results(s: Session, run_id: str) -> dict[str, int]:
    rows = s.execute(
        select(VerificationResult.status, VerificationResult.changed, func.count())
        .where(VerificationResult.run_id == run_id)
        .group_by(VerificationResult.status, VerificationResult.changed)
    )
    out = {"done": 0, "failed": 0, "changed": 0}
    for status, changed, n in rows:
        out["done" if status == "done" else "failed"] += int(n)
        if changed and status == "done":
            out["changed"] += int(n)
    return out


def mark_done_if_complete(s: Session, run_id: str) -> str:
    run = get_run(s, run_id)
    if run.status != "done":
        recorded = s.scalar(select(func.count()).where(VerificationResult.run_id == run_id))
        if int(recorded or 0) >= run.items:
            run.status = "done"
            run.finished_at = utcnow()
            repo.audit(s, "system:reverify", "reverify.finish", None, {"run_id": run.id})
            s.commit()
    return run.status


def run_info(run: VerificationRun, resumed: bool = False) -> RunInfo:
    return RunInfo(
        run_id=run.id,
        manifest_hash=run.manifest_hash,
        settings_hash=run.settings_hash,
        engine=run.engine,
        status=run.status,
        selection=json.loads(run.selection),
        resumed=resumed,
    )


# --------------------------------------------------------------------------- results


def record(
    sessions: sessionmaker[Session],
    cipher: FieldCipher,
    run_id: str,
    before: diff.ItemView,
    outcome: ItemOutcome,
) -> ResultRecord | None:
    """Write the result of one item once. Returns None when it was recorded already (a
    concurrent or earlier invocation): the first result stands.

    A changed filing is flagged for review in the same transaction (an audit event on the
    filing, without personal values)."""
    errors = outcome.errors
    after_docs = [
        diff.document_view(d.document_id, d.reading)
        for d in outcome.documents
        if d.reading is not None
    ]
    after_video = (
        diff.video_view(outcome.video.video_id, outcome.video.verdict)
        if outcome.video is not None and outcome.video.verdict is not None
        else None
    )
    after = diff.item_view(after_docs, after_video)
    status = "failed" if errors else "done"
    changes = diff.changes(before, after) if status == "done" else ()
    rec = ResultRecord(
        filing_id=outcome.filing_id,
        status=status,
        error_code=errors[0].code if errors else None,
        errors=errors,
        before=before,
        after=after,
        changes=changes,
        elapsed_ms=outcome.elapsed_ms,
    )
    payload = {
        "before": diff.view_to_json(before),
        "after": diff.view_to_json(after),
        "changes": list(changes),
        "errors": [{"code": e.code, "detail": e.detail} for e in errors],
        "worker": outcome.worker,
    }
    with sessions() as s:
        s.add(
            VerificationResult(
                run_id=run_id,
                filing_id=outcome.filing_id,
                status=status,
                error_code=rec.error_code,
                decision_before=before.decision,
                decision_after=after.decision if status == "done" else None,
                changed=rec.changed,
                result_enc=cipher.encrypt_json(payload, RESULT_PURPOSE),
                elapsed_ms=outcome.elapsed_ms,
            )
        )
        if rec.changed:
            repo.audit(
                s,
                "system:reverify",
                "filing.reverify_changed",
                outcome.filing_id,
                {
                    "run_id": run_id,
                    "decision_before": before.decision,
                    "decision_after": after.decision,
                    "changes": len(changes),
                },
            )
        try:
            s.commit()
        except IntegrityError:
            s.rollback()
            return None
    return rec


def load_records(s: Session, cipher: FieldCipher, run_id: str) -> list[ResultRecord]:
    out = []
    for row in s.scalars(select(VerificationResult).where(VerificationResult.run_id == run_id)):
        payload: dict[str, Any] = cipher.decrypt_json(row.result_enc, RESULT_PURPOSE)
        out.append(
            ResultRecord(
                filing_id=row.filing_id,
                status=row.status,
                error_code=row.error_code,
                errors=tuple(PartError(e["code"], e["detail"]) for e in payload["errors"]),
                before=diff.view_from_json(payload["before"]),
                after=diff.view_from_json(payload["after"]),
                changes=tuple(payload["changes"]),
                elapsed_ms=row.elapsed_ms,
            )
        )
    return out


def flagged_results(s: Session, filing_id: str) -> list[dict[str, Any]]:
    """Runs in which a filing's automatic results changed (for the reviewer's view)."""
    rows = s.scalars(
        select(VerificationResult)
        .where(VerificationResult.filing_id == filing_id, VerificationResult.changed.is_(True))
        .order_by(VerificationResult.created_at.desc())
    )
    return [
        {
            "run_id": r.run_id,
            "decision_before": r.decision_before,
            "decision_after": r.decision_after,
            "at": r.created_at.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z"),
        }
        for r in rows
    ]
