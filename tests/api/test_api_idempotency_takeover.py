"""Idempotency keys across instances (kyc/store/idempotency.py), on SQLite and PostgreSQL:
a claim left unanswered is taken over once it is stale, and the first holder — should it
still be alive — can no longer store its result; a stored result is answered once."""

from __future__ import annotations

import datetime as dt
import gc
import time
from pathlib import Path

import pytest
from api_support import make_settings
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kyc.store import idempotency, repo
from kyc.store.open import open_store
from kyc.store.tables import AuditEvent, IdempotencyRecord

STALE = dt.timedelta(seconds=0.3)


def _store_result(sessions: sessionmaker[Session], label: str) -> None:
    """What a use case does when it stores a result: rows and an audit event, one commit."""
    with sessions() as s:
        repo.audit(s, "account:acme", "test.result", None, {"by": label})
        s.commit()


def test_a_stale_claim_is_taken_over_and_its_first_holder_stores_nothing(
    tmp_path: Path, db_url: str
) -> None:
    engine, sessions, _c, _b = open_store(make_settings(tmp_path, db_url))
    idempotency.watch(sessions)
    first = idempotency.claim(sessions, "acme", "k1", "h1", STALE)
    assert isinstance(first, idempotency.Claimed)
    # a retry while the first request runs: in progress; another request's key: mismatch
    assert idempotency.claim(sessions, "acme", "k1", "h1", STALE) == idempotency.InProgress()
    assert isinstance(idempotency.claim(sessions, "acme", "k1", "h2", STALE), idempotency.Mismatch)
    time.sleep(0.4)  # the first holder has not answered for longer than STALE
    second = idempotency.claim(sessions, "acme", "k1", "h1", STALE)
    assert isinstance(second, idempotency.Claimed) and second.record_id == first.record_id
    assert second.fence != first.fence
    with idempotency.fenced(first), pytest.raises(idempotency.Superseded):
        _store_result(sessions, "first")  # alive after all, but too late: nothing stored
    with idempotency.fenced(second):
        _store_result(sessions, "second")
    # stored, not yet answered: a retry waits; once stale it is told the answer was lost
    assert idempotency.claim(sessions, "acme", "k1", "h1", STALE) == idempotency.InProgress()
    time.sleep(0.4)
    assert idempotency.claim(sessions, "acme", "k1", "h1", STALE) == idempotency.InProgress(
        stored=True
    )
    idempotency.settle(sessions, second, 200, {"id": "doc-2"})
    idempotency.settle(sessions, first, 200, {"id": "doc-1"})  # not its claim: no effect
    assert idempotency.claim(sessions, "acme", "k1", "h1", STALE) == idempotency.Replay(
        200, {"id": "doc-2"}
    )
    with sessions() as s:
        results = s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "test.result"))
        assert list(results) == ['{"by": "second"}']
        assert s.scalar(select(func.count(IdempotencyRecord.id))) == 1
    engine.dispose()


def test_a_failed_request_frees_its_key_and_commits_outside_a_claim_are_not_fenced(
    tmp_path: Path, db_url: str
) -> None:
    engine, sessions, _c, _b = open_store(make_settings(tmp_path, db_url))
    idempotency.watch(sessions)
    got = idempotency.claim(sessions, "acme", "k2", "h", STALE)
    assert isinstance(got, idempotency.Claimed)
    idempotency.abandon(sessions, got)  # failed before storing anything
    again = idempotency.claim(sessions, "acme", "k2", "h", STALE)
    assert isinstance(again, idempotency.Claimed)  # a retry computes afresh, at once
    _store_result(sessions, "unkeyed")  # a request without a key: no claim involved
    with sessions() as s:
        record = s.scalar(select(IdempotencyRecord).where(IdempotencyRecord.key == "k2"))
        assert record is not None and record.status_code is None
    engine.dispose()


def test_every_new_session_factory_is_fenced(tmp_path: Path) -> None:
    """Factories made and dropped in one process (each store opened, then closed): every
    new one is fenced, also when its session class lands where a collected one was."""
    engine, _s, _c, _b = open_store(make_settings(tmp_path, f"sqlite:///{tmp_path / 'k.db'}"))
    foreign = idempotency.Claimed(record_id=-1, fence=dt.datetime(2000, 1, 1))
    unfenced = 0
    for _ in range(20):
        sessions = sessionmaker(engine)
        idempotency.watch(sessions)
        try:
            with idempotency.fenced(foreign):
                _store_result(sessions, "not its claim")
        except idempotency.Superseded:
            pass
        else:
            unfenced += 1
        del sessions
        gc.collect()
    assert unfenced == 0
    engine.dispose()
