"""SQLAlchemy 2 tables. Personal data lives only in the ``*_enc`` columns (AES-GCM).

Times are naive UTC (portable between SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Reviewer(Base):
    __tablename__ = "reviewers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Filing(Base):
    __tablename__ = "filings"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    filing_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    path: Mapped[str | None] = mapped_column(String(16), nullable=True)
    order_enc: Mapped[str] = mapped_column(Text)
    check_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    checks_ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    risk: Mapped[float] = mapped_column(Float, default=0.0)
    cert_lookup: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    consent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    consent_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    lock_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # The journey (kyc.filing.lifecycle): its stage, its state as JSON (no personal data),
    # and a revision that every change of the state bumps (compare-and-set: two ticks or
    # a tick and a request never both apply an event to one state).
    stage: Mapped[str | None] = mapped_column(String(24), index=True, nullable=True)
    journey: Mapped[str | None] = mapped_column(Text, nullable=True)
    journey_rev: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class FilingDomain(Base):
    __tablename__ = "filing_domains"
    filing_id: Mapped[str] = mapped_column(
        ForeignKey("filings.id", ondelete="CASCADE"), primary_key=True
    )
    domain: Mapped[str] = mapped_column(String(255), primary_key=True, index=True)


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    filing_id: Mapped[str] = mapped_column(ForeignKey("filings.id"), index=True)
    document_type: Mapped[str] = mapped_column(String(32))
    reading_enc: Mapped[str] = mapped_column(Text)
    warnings: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of codes
    quality: Mapped[float] = mapped_column(Float, default=0.0)
    min_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    raw_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    evidence_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    portrait_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Challenge(Base):
    __tablename__ = "challenges"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    filing_id: Mapped[str] = mapped_column(ForeignKey("filings.id"), index=True)
    challenge_json: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class VideoCheck(Base):
    __tablename__ = "video_checks"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    filing_id: Mapped[str] = mapped_column(ForeignKey("filings.id"), index=True)
    challenge_id: Mapped[str | None] = mapped_column(ForeignKey("challenges.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # queued running done failed
    mirrored: Mapped[bool] = mapped_column(Boolean, default=False)
    decision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    failed_check: Mapped[bool] = mapped_column(Boolean, default=False)
    video_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    best_frame_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    result_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class BackdropCheck(Base):
    """One backdrop photo (normal path) and the backdrop check's result (sealed)."""

    __tablename__ = "backdrop_checks"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    filing_id: Mapped[str] = mapped_column(ForeignKey("filings.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))  # pass | review | reject
    reasons: Mapped[str] = mapped_column(Text, default="")  # comma-joined codes
    result_enc: Mapped[str] = mapped_column(Text)
    raw_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    portrait_document_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class FormCheck(Base):
    """One photo or scan of the signed verification form and its check (sealed)."""

    __tablename__ = "form_checks"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    filing_id: Mapped[str] = mapped_column(ForeignKey("filings.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))  # pass | review | reject
    result_enc: Mapped[str] = mapped_column(Text)
    raw_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class SmsCode(Base):
    """An SMS verification code sent to one verifier (R-SMS-2/3); only its keyed hash."""

    __tablename__ = "sms_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    filing_id: Mapped[str] = mapped_column(ForeignKey("filings.id"), index=True)
    verifier: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    resend: Mapped[bool] = mapped_column(Boolean, default=False)
    wrong_attempts: Mapped[int] = mapped_column(Integer, default=0)  # wrong codes entered
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class OutboxMessage(Base):
    """Outgoing SMS, e-mail and authority submissions of the embedded adapters."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    filing_id: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    channel: Mapped[str] = mapped_column(String(16))  # sms | email | authority
    kind: Mapped[str] = mapped_column(String(16))  # code | notice | submission
    recipient_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    body_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # Delivery through a gateway (``NOTIFY_GATEWAY_URL``): when it took the message, how
    # many tries failed, the last failure (a status or an error name, never the body).
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Decision(Base):
    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    filing_id: Mapped[str] = mapped_column(ForeignKey("filings.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    decision: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[str] = mapped_column(Text, default="[]")
    comment_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(160))
    action: Mapped[str] = mapped_column(String(64))
    filing_id: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON, never personal data


class IdempotencyRecord(Base):
    __tablename__ = "idempotency"
    __table_args__ = (UniqueConstraint("account_id", "key", name="uq_idempotency_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class BlobIntent(Base):
    """Write-ahead note: a blob is about to be written; removed with the row that uses it."""

    __tablename__ = "blob_intents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


Index("ix_filings_queue", Filing.status, Filing.risk)


class Job(Base):
    """A durable unit of heavy work (kyc/store/queue.py): claimed under a lease by a worker
    (``kyc worker`` or the workers ``kyc serve`` starts), heartbeat while it runs, taken
    again once the lease expires; finished once (compare-and-set on the lease owner).

    ``ref_id`` names the row the job works for (``video_checks.id`` for ``video_check``);
    ``payload`` is JSON of ids and blob keys only, never personal data."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    ref_id: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text, default="{}")
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued running done failed
    lease_owner: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


Index("ix_jobs_claim", Job.state, Job.kind, Job.created_at)


# --------------------------------------------------------------------------- re-verification


class VerificationRun(Base):
    """One batch re-verification (``kyc reverify``): the model set and settings it ran with.

    Keyed by the manifest's hash, the settings' hash and the selection; a run killed part
    way is resumed by the next invocation with the same key.
    """

    __tablename__ = "verification_runs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    manifest_hash: Mapped[str] = mapped_column(String(64))
    settings_hash: Mapped[str] = mapped_column(String(64))
    selection_key: Mapped[str] = mapped_column(String(64))
    selection: Mapped[str] = mapped_column(Text, default="{}")  # JSON, no personal data
    engine: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)  # running | done
    items: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class VerificationItem(Base):
    """The filings a run covers, fixed when the run starts (a resumed run keeps them)."""

    __tablename__ = "verification_items"
    run_id: Mapped[str] = mapped_column(
        ForeignKey("verification_runs.id", ondelete="CASCADE"), primary_key=True
    )
    filing_id: Mapped[str] = mapped_column(ForeignKey("filings.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class VerificationResult(Base):
    """What the current pipeline said about one filing in one run; written exactly once.

    Old results (the documents' readings, the video verdicts) are never touched: this row
    holds the before and after views side by side (sealed: they contain field values).
    """

    __tablename__ = "verification_results"
    __table_args__ = (UniqueConstraint("run_id", "filing_id", name="uq_verification_result"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("verification_runs.id", ondelete="CASCADE"))
    filing_id: Mapped[str] = mapped_column(ForeignKey("filings.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # done | failed
    error_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decision_before: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decision_after: Mapped[str | None] = mapped_column(String(16), nullable=True)
    changed: Mapped[bool] = mapped_column(Boolean, default=False)
    result_enc: Mapped[str] = mapped_column(Text)
    elapsed_ms: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


Index(
    "ix_verification_runs_key",
    VerificationRun.manifest_hash,
    VerificationRun.settings_hash,
    VerificationRun.selection_key,
)
