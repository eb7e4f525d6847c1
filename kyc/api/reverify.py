"""Admin use cases of batch re-verification: start a run in the background, report its
progress. The run itself is ``kyc.jobs`` (the same code path as ``kyc reverify``); here
it runs on a local pool of its own, beside the service's request pool."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from kyc.api.errors import ApiCode, ApiError
from kyc.api.runtime import Runtime
from kyc.errors import BadInput, ErrorCode, KycError
from kyc.store import repo

log = logging.getLogger("kyc.api")
MAX_WORKERS = 16


@dataclass
class ReverifyJobs:
    """Runs started by this server process (threads), so a second start of the same run
    does not run it twice and shutdown can stop them between items."""

    threads: dict[str, threading.Thread] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def active(self, run_id: str) -> bool:
        t = self.threads.get(run_id)
        return t is not None and t.is_alive()

    def shutdown(self, timeout_s: float = 10.0) -> None:
        self.stop.set()
        for t in list(self.threads.values()):
            t.join(timeout_s)


def _context(rt: Runtime) -> Any:
    from kyc.jobs.runner import Context

    return Context(rt.settings, rt.sessions, rt.cipher, rt.blobs)


def start(
    rt: Runtime,
    jobs: ReverifyJobs,
    who: repo.ReviewerIdentity,
    since: dt.date | None,
    filing_ids: list[str],
    workers: int,
    dry_run: bool,
) -> tuple[int, dict[str, Any]]:
    """202 and the run's progress (a new or resumed run), or 200 and the plan (dry run)."""
    from kyc.jobs.model import PipelineSpec, Selection
    from kyc.jobs.report import report_json
    from kyc.jobs.runner import Options, execute, make_engine, prepare

    options = Options(
        selection=Selection(since, tuple(sorted(set(filing_ids)))),
        workers=min(max(1, workers), MAX_WORKERS),
        dry_run=dry_run,
        pipeline=PipelineSpec(rt.pool.reader_spec, rt.pool.video_spec),
        pool_kind=rt.pool.kind,
    )
    ctx = _context(rt)
    prepared = prepare(ctx, options, actor=who.actor)
    if dry_run:
        return 200, report_json(execute(ctx, prepared, None))
    run_id = prepared.info.run_id
    assert run_id is not None
    with jobs.lock:
        if prepared.plan.items and not jobs.active(run_id):

            def work() -> None:
                try:
                    execute(ctx, prepared, make_engine(rt.settings, options), stop=jobs.stop)
                except KycError as exc:
                    jobs.errors[run_id] = str(exc.code)
                    log.error("reverify %s stopped: %s", run_id, exc.code)
                except Exception as exc:
                    jobs.errors[run_id] = "INTERNAL"
                    log.error("reverify %s crashed: %s", run_id, type(exc).__name__)

            thread = threading.Thread(target=work, name=f"reverify-{run_id[:8]}", daemon=True)
            jobs.threads[run_id] = thread
            jobs.errors.pop(run_id, None)
            thread.start()
    return 202, progress(rt, jobs, run_id)


def progress(rt: Runtime, jobs: ReverifyJobs, run_id: str) -> dict[str, Any]:
    """Counts from the database (any process may be running the run); the masked report
    once every item is recorded."""
    from kyc.jobs import store as jstore
    from kyc.jobs.report import report_json
    from kyc.jobs.runner import stored_report

    with rt.sessions() as s:
        try:
            run = jstore.get_run(s, run_id)
        except BadInput as exc:
            if exc.code == ErrorCode.UNKNOWN_RUN:
                raise ApiError(404, ApiCode.NOT_FOUND, "no such re-verification run") from exc
            raise
        counts = jstore.count_results(s, run.id)
        body: dict[str, Any] = {
            "run_id": run.id,
            "status": run.status,
            "items": run.items,
            "done": counts["done"],
            "failed": counts["failed"],
            "pending": max(0, run.items - counts["done"] - counts["failed"]),
            "changed_count": counts["changed"],
            "active": jobs.active(run.id),
            "error": jobs.errors.get(run.id),
            "engine": run.engine,
            "manifest_hash": run.manifest_hash,
            "settings_hash": run.settings_hash,
            "created_at": run.created_at.replace(tzinfo=dt.UTC).isoformat(),
        }
    if body["status"] == "done":
        body["report"] = report_json(stored_report(_context(rt), run_id))
    return body
