"""Everything a running service holds: settings, database, cipher, blobs, pool, metrics."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kyc.api.metrics import Metrics
from kyc.api.outbox import OutboxSender, Sender
from kyc.api.workers import (
    DEFAULT_BACKDROP,
    DEFAULT_FORM,
    DEFAULT_READER,
    DEFAULT_VIDEO,
    WorkPool,
)
from kyc.config import Settings
from kyc.errors import ErrorCode, SystemFault
from kyc.store import repo
from kyc.store.blobs import BlobStore
from kyc.store.crypto import FieldCipher
from kyc.store.open import open_store

log = logging.getLogger("kyc.api")


def wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    cipher: FieldCipher
    blobs: BlobStore
    pool: WorkPool
    metrics: Metrics
    external_registry: list[dict[str, Any]]
    # The journey's clock (aware UTC): the lifecycle's events carry its time; tests
    # replace it to walk through days.
    clock: Callable[[], dt.datetime] = wall_clock
    # Outgoing SMS, e-mail and submissions (kyc/api/outbox.py); the outbox by default.
    sender: Sender | None = field(default=None)

    def __post_init__(self) -> None:
        if self.sender is None:
            self.sender = OutboxSender(self.cipher)

    @property
    def out(self) -> Sender:
        assert self.sender is not None
        return self.sender

    def close(self) -> None:
        self.pool.shutdown()
        self.engine.dispose()


def _warm_imports() -> None:
    """Import the rules now (phone-number and ID tables load slowly) rather than on the
    first request."""
    import importlib

    for name in ("kyc.filing.check", "kyc.filing.autofill", "kyc.liveness.challenge"):
        importlib.import_module(name)


def build_runtime(
    settings: Settings,
    *,
    pool_kind: Literal["process", "thread"] = "process",
    reader_spec: str = DEFAULT_READER,
    video_spec: str = DEFAULT_VIDEO,
    backdrop_spec: str = DEFAULT_BACKDROP,
    form_spec: str = DEFAULT_FORM,
    recover_after: dt.timedelta = dt.timedelta(minutes=10),
) -> Runtime:
    engine, sessions, cipher, blobs = open_store(settings)
    removed = repo.recover_intents(sessions, blobs, recover_after)
    failed = repo.fail_interrupted_jobs(sessions)
    if removed or failed:
        log.info("recovery: %d orphan blobs removed, %d interrupted jobs failed", removed, failed)
    registry: list[dict[str, Any]] = []
    if settings.service.registry_path:
        from kyc.errors import BadInput
        from kyc.jsonload import load_file

        limits = settings.limits
        try:
            loaded = load_file(
                Path(settings.service.registry_path),
                limits,
                "registry",
                max_bytes=limits.registry_file_bytes,
            )
        except BadInput as exc:
            raise SystemFault(ErrorCode.CONFIG_ERROR, f"cannot read the registry: {exc}") from exc
        if not isinstance(loaded, list):
            raise SystemFault(ErrorCode.CONFIG_ERROR, "the registry must be a JSON list")
        registry = loaded
    _warm_imports()
    metrics = Metrics()
    pool = WorkPool(
        settings,
        metrics,
        kind=pool_kind,
        reader_spec=reader_spec,
        video_spec=video_spec,
        backdrop_spec=backdrop_spec,
        form_spec=form_spec,
    )
    return Runtime(settings, engine, sessions, cipher, blobs, pool, metrics, registry)
