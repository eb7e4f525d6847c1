"""Idempotency keys, shared by every API instance through the database.

A request with a key first **claims** it: a row ``(account, key, request hash)`` with no
answer yet. The instance that holds the claim computes the result; the transaction that
stores the result (the one that writes its audit event) also marks the claim ``STORED``, and
only if the claim is still this instance's (a compare-and-set on the claim's ``created_at``,
its fence); then the answer is written (**settled**) and replayed to every later request
with the key, on any instance.

An instance that dies (or loses the database) mid-request leaves its claim unanswered. Once
it is older than ``stale_after`` another instance **takes it over** (moves the fence) and
computes the result itself; should the first instance still be alive, its store no longer
commits (the fence moved), so a result is stored once either way. What stays open: an
instance that dies between storing the result and writing the answer (a few milliseconds)
leaves the key ``STORED`` without an answer, which is never computed again and answers
``in progress`` (the stored result is visible in the filing).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kyc.store.tables import AuditEvent, IdempotencyRecord, utcnow

STORED = 0  # status_code of a claim whose result is committed and whose answer is not


@dataclass(frozen=True)
class Claimed:
    """This request holds the key: compute, under ``fenced``, then ``settle``/``abandon``."""

    record_id: int
    fence: dt.datetime


@dataclass(frozen=True)
class Replay:
    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Mismatch:
    """The key was used for another request."""


@dataclass(frozen=True)
class InProgress:
    """Another request with the key is being computed; ``stored``: its result is stored
    and its answer not written (for longer than ``stale_after``: it was lost)."""

    stored: bool = False


Outcome = Claimed | Replay | Mismatch | InProgress


class Superseded(Exception):
    """The claim was taken over by another instance: this request's result is not stored."""


_current: contextvars.ContextVar[Claimed | None] = contextvars.ContextVar(
    "kyc_idempotency_claim", default=None
)


def claim(
    sessions: sessionmaker[Session],
    account: str,
    key: str,
    request_hash: str,
    stale_after: dt.timedelta,
) -> Outcome:
    """Claim ``key`` for this request, or say what became of an earlier one."""
    with sessions() as s:
        now = utcnow()
        record = IdempotencyRecord(
            account_id=account, key=key, request_hash=request_hash, created_at=now
        )
        s.add(record)
        try:
            s.commit()
            return Claimed(record.id, now)
        except IntegrityError:
            s.rollback()
        existing = s.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.account_id == account, IdempotencyRecord.key == key
            )
        )
        if existing is None:  # removed meanwhile (that request failed): the caller retries
            return InProgress()
        if existing.request_hash != request_hash:
            return Mismatch()
        if existing.status_code is not None and existing.status_code != STORED:
            assert existing.response is not None
            return Replay(existing.status_code, json.loads(existing.response))
        stale = existing.created_at <= now - stale_after
        if existing.status_code == STORED:
            return InProgress(stored=stale)
        if not stale:
            return InProgress()
        # unanswered for longer than any request takes: its instance is gone; take it over
        taken = s.execute(
            update(IdempotencyRecord)
            .where(
                IdempotencyRecord.id == existing.id,
                IdempotencyRecord.created_at == existing.created_at,
                IdempotencyRecord.status_code.is_(None),
            )
            .values(created_at=now)
        )
        s.commit()
        if int(getattr(taken, "rowcount", 0) or 0) != 1:
            return InProgress()  # another instance took it over first
        return Claimed(existing.id, now)


@contextlib.contextmanager
def fenced(claimed: Claimed) -> Iterator[None]:
    """Within this block (and the threads it starts with its context), a commit that writes
    an audit event — a use case storing its result — commits only while ``claimed`` is
    still this request's, and marks it ``STORED`` (sessions of a ``watch``ed factory)."""
    token = _current.set(claimed)
    try:
        yield
    finally:
        _current.reset(token)


_AUDITED = "kyc_idempotency_audited"


def _audits(session: Session) -> bool:
    return any(isinstance(o, AuditEvent) for o in session.new)


def _before_flush(session: Session, _context: object, _instances: object) -> None:
    if _current.get() is not None and _audits(session):
        session.info[_AUDITED] = True  # flushed before the commit: remembered for it


def _before_commit(session: Session) -> None:
    claimed = _current.get()
    audited = session.info.pop(_AUDITED, False) or _audits(session)
    if claimed is None or not audited:
        return
    res = session.execute(
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.id == claimed.record_id,
            IdempotencyRecord.created_at == claimed.fence,
            (IdempotencyRecord.status_code.is_(None)) | (IdempotencyRecord.status_code == STORED),
        )
        .values(status_code=STORED)
    )
    if int(getattr(res, "rowcount", 0) or 0) != 1:
        raise Superseded("the idempotency key was taken over by another request")


# The factories already watched, by their session class. Not ``event.contains``: SQLAlchemy
# keeps its record of a listener after the class it was registered on is collected, so a new
# factory whose class lands at a dead one's address looked watched and went unfenced.
_WATCHED: weakref.WeakSet[type[Session]] = weakref.WeakSet()


def watch(sessions: sessionmaker[Session]) -> None:
    """Fence the commits of ``sessions``' sessions made under ``fenced`` (once per factory)."""
    from sqlalchemy import event

    if sessions.class_ in _WATCHED:
        return
    event.listen(sessions, "before_flush", _before_flush)
    event.listen(sessions, "before_commit", _before_commit)
    _WATCHED.add(sessions.class_)


def settle(
    sessions: sessionmaker[Session], claimed: Claimed, status: int, body: dict[str, Any]
) -> None:
    """Write the answer (only while the claim is this request's)."""
    with sessions() as s:
        s.execute(
            update(IdempotencyRecord)
            .where(
                IdempotencyRecord.id == claimed.record_id,
                IdempotencyRecord.created_at == claimed.fence,
            )
            .values(status_code=status, response=json.dumps(body, ensure_ascii=False))
        )
        s.commit()


def abandon(sessions: sessionmaker[Session], claimed: Claimed) -> None:
    """The request failed before storing anything: free the key for a retry."""
    with sessions() as s:
        s.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.id == claimed.record_id,
                IdempotencyRecord.created_at == claimed.fence,
                IdempotencyRecord.status_code.is_(None),
            )
        )
        s.commit()
