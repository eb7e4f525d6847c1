"""Repositories: credentials, audit, blob writes with a write-ahead intent, purge, recovery."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from kyc.errors import BadInput, ErrorCode
from kyc.store.blobs import BlobStore
from kyc.store.tables import (
    Account,
    ApiKey,
    AuditEvent,
    BackdropCheck,
    BlobIntent,
    Document,
    FormCheck,
    Job,
    Reviewer,
    VideoCheck,
    utcnow,
)

Role = Literal["reviewer", "admin"]
ROLES: tuple[Role, ...] = ("reviewer", "admin")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --------------------------------------------------------------------------- credentials


def create_api_key(session: Session, account_id: str) -> str:
    account_id = account_id.strip()
    if not account_id or len(account_id) > 64:
        raise BadInput(ErrorCode.INVALID_FIELD, "account id must be 1-64 characters")
    if session.get(Account, account_id) is None:
        session.add(Account(id=account_id))
    token = "kyc_ak_" + secrets.token_urlsafe(32)
    session.add(ApiKey(account_id=account_id, token_hash=token_hash(token)))
    audit(session, "system:cli", "api_key.create", None, {"account_id": account_id})
    session.commit()
    return token


def create_reviewer(session: Session, name: str, role: str) -> str:
    if role not in ROLES:
        raise BadInput(ErrorCode.INVALID_FIELD, f"role must be one of {', '.join(ROLES)}")
    name = name.strip()
    if not name or len(name) > 128:
        raise BadInput(ErrorCode.INVALID_FIELD, "reviewer name must be 1-128 characters")
    token = "kyc_rv_" + secrets.token_urlsafe(32)
    reviewer = Reviewer(name=name, role=role, token_hash=token_hash(token))
    session.add(reviewer)
    session.flush()
    audit(
        session, "system:cli", "reviewer.create", None, {"reviewer_id": reviewer.id, "role": role}
    )
    session.commit()
    return token


def account_for_key(session: Session, token: str) -> str | None:
    row = session.scalar(
        select(ApiKey).where(ApiKey.token_hash == token_hash(token), ApiKey.revoked_at.is_(None))
    )
    return row.account_id if row else None


@dataclass(frozen=True)
class ReviewerIdentity:
    id: int
    name: str
    role: str

    @property
    def actor(self) -> str:
        return f"reviewer:{self.id}"


def reviewer_for_token(session: Session, token: str) -> ReviewerIdentity | None:
    row = session.scalar(
        select(Reviewer).where(
            Reviewer.token_hash == token_hash(token), Reviewer.disabled_at.is_(None)
        )
    )
    return ReviewerIdentity(row.id, row.name, row.role) if row else None


# --------------------------------------------------------------------------- audit


def audit(
    session: Session,
    actor: str,
    action: str,
    filing_id: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append an audit event (in the caller's transaction). ``detail`` holds no personal data."""
    session.add(
        AuditEvent(
            actor=actor,
            action=action,
            filing_id=filing_id,
            detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
        )
    )


# --------------------------------------------------------------------------- blobs


def write_blob(sessions: sessionmaker[Session], blobs: BlobStore, data: bytes) -> tuple[str, int]:
    """Write a blob after recording the intent; returns (key, intent id).

    The caller must delete the intent (``settle_intents``) in the same transaction that
    writes the row referring to the blob. A crash in between leaves an intent, which
    ``recover_intents`` resolves: the blob is removed unless some row refers to it.
    """
    key = blobs.address(data)
    with sessions() as s:
        intent = BlobIntent(key=key)
        s.add(intent)
        s.commit()
        intent_id = intent.id
    blobs.put(data, key)
    return key, intent_id


def settle_intents(session: Session, intent_ids: Iterable[int]) -> None:
    ids = list(intent_ids)
    if ids:
        session.execute(delete(BlobIntent).where(BlobIntent.id.in_(ids)))


def blob_referenced(session: Session, key: str) -> bool:
    doc = session.scalar(
        select(Document.id)
        .where(
            or_(Document.raw_key == key, Document.evidence_key == key, Document.portrait_key == key)
        )
        .limit(1)
    )
    if doc is not None:
        return True
    video = session.scalar(
        select(VideoCheck.id)
        .where(or_(VideoCheck.video_key == key, VideoCheck.best_frame_key == key))
        .limit(1)
    )
    if video is not None:
        return True
    photo = session.scalar(select(BackdropCheck.id).where(BackdropCheck.raw_key == key).limit(1))
    if photo is not None:
        return True
    form = session.scalar(select(FormCheck.id).where(FormCheck.raw_key == key).limit(1))
    return form is not None


def recover_intents(
    sessions: sessionmaker[Session], blobs: BlobStore, older_than: dt.timedelta
) -> int:
    """Resolve intents left by a crash: delete unreferenced blobs. Returns blobs removed."""
    cutoff = utcnow() - older_than
    removed = 0
    with sessions() as s:
        intents = list(s.scalars(select(BlobIntent).where(BlobIntent.created_at <= cutoff)))
        for intent in intents:
            pending_twin = s.scalar(
                select(BlobIntent.id).where(
                    BlobIntent.key == intent.key, BlobIntent.created_at > cutoff
                )
            )
            if pending_twin is None and not blob_referenced(s, intent.key):
                blobs.delete(intent.key)
                removed += 1
            s.delete(intent)
        s.commit()
    return removed


def fail_interrupted_jobs(sessions: sessionmaker[Session]) -> int:
    """Video checks left queued/running without a durable job (kyc/store/queue.py) are
    marked failed; those with a job stay: a worker takes the job (again, once its lease
    has expired)."""
    with sessions() as s:
        result = s.execute(
            update(VideoCheck)
            .where(
                VideoCheck.status.in_(("queued", "running")),
                ~select(Job.id).where(Job.id == VideoCheck.id).exists(),
            )
            .values(status="failed", error="INTERRUPTED", finished_at=utcnow())
        )
        s.commit()
        return int(getattr(result, "rowcount", 0) or 0)


# --------------------------------------------------------------------------- purge


@dataclass(frozen=True)
class PurgeReport:
    documents: int
    videos: int
    blobs_deleted: int

    def to_json(self) -> dict[str, int]:
        return {
            "documents": self.documents,
            "videos": self.videos,
            "blobs_deleted": self.blobs_deleted,
        }


def purge(
    sessions: sessionmaker[Session],
    blobs: BlobStore,
    older_than: dt.timedelta,
    now: Callable[[], dt.datetime] = utcnow,
) -> PurgeReport:
    """Delete raw images and videos (and their evidence crops) older than the cut-off.

    Results (readings, verdicts, rule results, decisions) and the audit log stay. A blob
    shared with a newer row (same content uploaded again) stays until that row is purged.
    """
    cutoff = now() - older_than
    candidates: set[str] = set()
    with sessions() as s:
        docs = list(
            s.scalars(
                select(Document).where(Document.created_at < cutoff, Document.purged_at.is_(None))
            )
        )
        for d in docs:
            candidates.update(k for k in (d.raw_key, d.evidence_key, d.portrait_key) if k)
            d.raw_key = d.evidence_key = d.portrait_key = None
            d.purged_at = now()
        videos = list(
            s.scalars(
                select(VideoCheck).where(
                    VideoCheck.created_at < cutoff,
                    VideoCheck.purged_at.is_(None),
                    VideoCheck.status.in_(("done", "failed")),
                )
            )
        )
        for v in videos:
            candidates.update(k for k in (v.video_key, v.best_frame_key) if k)
            v.video_key = v.best_frame_key = None
            v.purged_at = now()
        # backdrop photos and verification forms are uploaded images like documents
        # (counted with them)
        photos: list[BackdropCheck | FormCheck] = [
            *s.scalars(
                select(BackdropCheck).where(
                    BackdropCheck.created_at < cutoff, BackdropCheck.purged_at.is_(None)
                )
            ),
            *s.scalars(
                select(FormCheck).where(
                    FormCheck.created_at < cutoff, FormCheck.purged_at.is_(None)
                )
            ),
        ]
        for p in photos:
            if p.raw_key:
                candidates.add(p.raw_key)
            p.raw_key = None
            p.purged_at = now()
        s.flush()
        doomed = [k for k in sorted(candidates) if not blob_referenced(s, k)]
        # Deletion intents in the same transaction: a crash before the blobs are gone
        # leaves intents that recover_intents() completes.
        notes = [BlobIntent(key=k, created_at=dt.datetime(2000, 1, 1)) for k in doomed]
        s.add_all(notes)
        s.flush()
        note_ids = [n.id for n in notes]
        audit(
            s,
            "system:purge",
            "purge",
            None,
            {
                "older_than_s": int(older_than.total_seconds()),
                "documents": len(docs) + len(photos),
                "videos": len(videos),
                "blobs": len(doomed),
            },
        )
        s.commit()
    for key in doomed:  # rows first: a crash here leaves intents, never a dangling row
        blobs.delete(key)
    with sessions() as s:
        settle_intents(s, note_ids)
        s.commit()
    return PurgeReport(len(docs) + len(photos), len(videos), len(doomed))


def parse_age(text: str) -> dt.timedelta:
    """``30d``, ``12h``, ``45m``, ``90s`` -> timedelta (BadInput otherwise)."""
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    t = text.strip().lower()
    if len(t) < 2 or t[-1] not in units or not t[:-1].isdigit():
        raise BadInput(ErrorCode.INVALID_FIELD, f"age must look like 30d, 12h, 45m: {text!r}")
    return dt.timedelta(seconds=int(t[:-1]) * units[t[-1]])
