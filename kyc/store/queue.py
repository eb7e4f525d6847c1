"""Durable jobs in the database: enqueue, claim under a lease, heartbeat, finish once.

A job is ``queued`` until a worker claims it: the claim sets ``running``, the worker's
``lease_owner`` and ``lease_expires_at`` and counts an attempt. While it works the worker
extends the lease (``heartbeat``); a worker that dies stops extending it, and once the lease
has expired any worker may claim the job again. The result is written in the transaction
of ``finish``, whose first statement is a compare-and-set on (state running, lease owner):
a worker whose lease was taken over writes nothing, so a result is written once per job id.

Claiming: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (concurrent workers skip each
other's rows instead of queueing on them); on SQLite, whose writers are serialised anyway,
one conditional ``UPDATE`` (compare-and-set on the attempts counter the worker read) that
either takes the row or changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from kyc.store.tables import Job, utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass(frozen=True)
class Claim:
    """A job a worker holds: what to do and the lease it must show to finish."""

    id: str
    kind: str
    ref_id: str
    payload: dict[str, Any]
    attempts: int
    owner: str


def enqueue(
    s: Session, job_id: str, kind: str, ref_id: str, payload: dict[str, Any] | None = None
) -> None:
    """Add a queued job in the caller's transaction (committed with the row it works for)."""
    s.add(
        Job(
            id=job_id,
            kind=kind,
            ref_id=ref_id,
            payload=json.dumps(payload or {}, sort_keys=True),
            state=QUEUED,
            attempts=0,
        )
    )


def backlog(s: Session, kind: str) -> int:
    """Jobs of ``kind`` not finished (queued or running)."""
    n = s.scalar(
        select(func.count(Job.id)).where(Job.kind == kind, Job.state.in_((QUEUED, RUNNING)))
    )
    return int(n or 0)


def _claimable(now: dt.datetime) -> ColumnElement[bool]:
    return or_(
        Job.state == QUEUED,
        and_(Job.state == RUNNING, Job.lease_expires_at < now),
    )


def claim(
    sessions: sessionmaker[Session],
    owner: str,
    kinds: tuple[str, ...],
    lease_s: float,
) -> Claim | None:
    """Take the oldest claimable job of ``kinds`` for ``owner``, or None."""
    with sessions() as s:
        postgres = s.get_bind().dialect.name == "postgresql"
        for _ in range(8):  # SQLite: another worker may win the row between read and write
            now = utcnow()
            pick = (
                select(Job.id, Job.attempts)
                .where(Job.kind.in_(kinds), _claimable(now))
                .order_by(Job.created_at, Job.id)
                .limit(1)
            )
            if postgres:
                pick = pick.with_for_update(skip_locked=True)
            row = s.execute(pick).first()
            if row is None:
                s.rollback()
                return None
            job_id, seen = str(row[0]), int(row[1])
            if not postgres:
                s.commit()  # end the read; the UPDATE below takes SQLite's write lock afresh
            taken = s.execute(
                update(Job)
                .where(Job.id == job_id, Job.attempts == seen, _claimable(now))
                .values(
                    state=RUNNING,
                    lease_owner=owner,
                    lease_expires_at=now + dt.timedelta(seconds=lease_s),
                    heartbeat_at=now,
                    started_at=now,
                    attempts=seen + 1,
                )
            )
            s.commit()
            if int(getattr(taken, "rowcount", 0) or 0) == 1:
                job = s.get(Job, job_id)
                assert job is not None
                return Claim(job.id, job.kind, job.ref_id, json.loads(job.payload), seen + 1, owner)
        return None


def heartbeat(sessions: sessionmaker[Session], job_id: str, owner: str, lease_s: float) -> bool:
    """Extend the lease; False when the job is no longer this owner's (taken over, finished)."""
    now = utcnow()
    with sessions() as s:
        res = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == RUNNING, Job.lease_owner == owner)
            .values(heartbeat_at=now, lease_expires_at=now + dt.timedelta(seconds=lease_s))
        )
        s.commit()
        return int(getattr(res, "rowcount", 0) or 0) == 1


def finish(
    s: Session,
    job_id: str,
    owner: str,
    *,
    failed: bool,
    result_ref: str | None = None,
    error: str | None = None,
) -> bool:
    """Mark the job finished in the caller's transaction, if ``owner`` still holds it.

    Call it first in the transaction that writes the result and write the result only when
    it answers True; on False roll back (the job was taken over or finished already)."""
    res = s.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == RUNNING, Job.lease_owner == owner)
        .values(
            state=FAILED if failed else DONE,
            result_ref=result_ref,
            error=error,
            finished_at=utcnow(),
            lease_expires_at=None,
        )
    )
    return int(getattr(res, "rowcount", 0) or 0) == 1


def release(
    sessions: sessionmaker[Session], job_id: str, owner: str, *, error: str | None = None
) -> bool:
    """Give a claimed job back to the queue (another worker may take it at once). The
    attempt stays counted unless nothing ran (``error`` None: e.g. no local room)."""
    with sessions() as s:
        values: dict[str, Any] = {"state": QUEUED, "lease_owner": None, "lease_expires_at": None}
        if error is None:
            values["attempts"] = Job.attempts - 1
        else:
            values["error"] = error
        res = s.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == RUNNING, Job.lease_owner == owner)
            .values(**values)
        )
        s.commit()
        return int(getattr(res, "rowcount", 0) or 0) == 1
