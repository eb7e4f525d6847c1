"""A purge killed part way, for the purge kill test: ``repo.purge`` (what ``kyc purge``
runs) as of 31 days from now, the process SIGKILLed at the point named.

Usage: python purge_proc.py SETTINGS_JSON_FILE WHERE
WHERE: ``transaction`` (inside the purge's transaction, its changes flushed, not
committed), a number k (the rows committed, after k of its blob deletions) or ``settle``
(every blob deleted, its deletion intents not yet settled).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
from pathlib import Path
from typing import Any

from kyc.config import Settings
from kyc.store import repo
from kyc.store.open import open_store
from kyc.store.tables import utcnow


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    settings = Settings.model_validate_json(Path(sys.argv[1]).read_text())
    where = sys.argv[2]
    _engine, sessions, _cipher, blobs = open_store(settings)
    if where == "transaction":
        audit = repo.audit

        def audit_then_die(session: Any, *args: Any, **kw: Any) -> Any:
            out = audit(session, *args, **kw)
            session.flush()
            _die()
            return out

        repo.audit = audit_then_die
    elif where == "settle":

        def die_instead(*_: Any) -> None:
            _die()

        repo.settle_intents = die_instead  # type: ignore[assignment]
    else:
        survive = int(where)
        delete = blobs.delete
        done = [0]

        def delete_then_die(key: str) -> None:
            if done[0] >= survive:
                _die()
            delete(key)
            done[0] += 1

        blobs.delete = delete_then_die  # type: ignore[method-assign]
    later = utcnow() + dt.timedelta(days=31)
    repo.purge(sessions, blobs, dt.timedelta(days=30), now=lambda: later)
    sys.exit(3)  # not killed: k was not below the number of blobs to delete
