"""The imperative shell of a re-verification: find or start the run, plan, schedule on an
engine, record each result as it arrives, report.

Resumable: results are committed one by one; the next invocation with the same key
(models, settings, selection) resumes the unfinished run, skipping recorded items.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

from kyc.config import Settings
from kyc.errors import BadInput, ErrorCode
from kyc.jobs import planner
from kyc.jobs import store as jstore
from kyc.jobs.diff import ItemView
from kyc.jobs.engines import Engine, LocalEngine, RayEngine
from kyc.jobs.model import EngineName, ItemTask, PipelineSpec, Plan, Selection, WorkerConfig
from kyc.jobs.progress import Progress
from kyc.jobs.report import Report, RunInfo, Timing
from kyc.store.blobs import BlobStore
from kyc.store.crypto import FieldCipher

log = logging.getLogger("kyc.jobs")


@dataclass(frozen=True)
class Options:
    selection: Selection = field(default_factory=Selection)
    engine: EngineName = "local"
    address: str | None = None
    workers: int | None = None
    dry_run: bool = False
    pipeline: PipelineSpec = field(default_factory=PipelineSpec)
    pool_kind: Literal["process", "thread"] = "process"

    def check(self) -> None:
        if self.engine not in ("local", "ray"):
            raise BadInput(ErrorCode.INVALID_FIELD, "--engine must be local or ray")
        if self.address and self.engine != "ray":
            raise BadInput(ErrorCode.INVALID_FIELD, "--address needs --engine ray")
        if self.workers is not None and not 1 <= self.workers <= 256:
            raise BadInput(ErrorCode.INVALID_FIELD, "--workers must be between 1 and 256")


@dataclass(frozen=True)
class Context:
    settings: Settings
    sessions: sessionmaker[Session]
    cipher: FieldCipher
    blobs: BlobStore


@dataclass(frozen=True)
class Prepared:
    info: RunInfo
    items: tuple[str, ...]
    plan: Plan
    dry_run: bool = False


def settings_hash(settings: Settings) -> str:
    """The settings' fingerprint without the execution knobs (thread counts): a run on one
    worker or many is the same run."""
    normal = settings.model_copy(
        update={
            "ocr": settings.ocr.model_copy(update={"threads": 1}),
            "liveness": settings.liveness.model_copy(update={"threads": 1}),
        }
    )
    return normal.fingerprint()


def run_key(settings: Settings, selection: Selection) -> jstore.RunKey:
    from kyc.modelfiles import manifest_hash

    return jstore.RunKey(manifest_hash(settings.models_dir), settings_hash(settings), selection)


def prepare(ctx: Context, options: Options, actor: str = "system:cli") -> Prepared:
    """Find the unfinished run with the same key (resume) or start one (unless dry run),
    then plan what is left. The plan comes from ``planner`` alone."""
    options.check()
    key = run_key(ctx.settings, options.selection)
    with ctx.sessions() as s:
        open_run = jstore.find_open_run(s, key)
        if open_run is not None:
            items = jstore.run_items(s, open_run.id)
            finished = jstore.finished_items(s, open_run.id)
            info = jstore.run_info(open_run, resumed=True)
        else:
            stored = jstore.load_filings(s)
            items = list(planner.select(stored.values(), options.selection))
            finished = set()
            if options.dry_run:
                info = RunInfo(
                    None,
                    key.manifest_hash,
                    key.settings_hash,
                    options.engine,
                    "planned",
                    options.selection.to_json(),
                )
            else:
                run = jstore.create_run(s, key, options.engine, items, actor)
                info = jstore.run_info(run)
        todo = [fid for fid in items if fid not in finished]
        filings = jstore.load_filings(s, todo)
    plan = planner.plan(filings, items, finished)
    return Prepared(info, tuple(items), plan, options.dry_run)


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def make_engine(settings: Settings, options: Options) -> Engine:
    if options.engine == "ray":
        cfg = WorkerConfig(settings.model_dump_json(), options.pipeline)
        return RayEngine(cfg, options.workers, options.address)
    workers = options.workers or default_workers()
    # One thread per worker process when there are several (threads share one process:
    # the limits would bind the whole process, so the thread kind keeps the settings).
    single = workers > 1 and options.pool_kind == "process"
    cfg = WorkerConfig(settings.model_dump_json(), options.pipeline, single_thread=single)
    return LocalEngine(cfg, workers, kind=options.pool_kind)


def planned_counts(plan: Plan) -> dict[str, int]:
    docs = sum(len(i.documents) for i in plan.items)
    videos = sum(1 for i in plan.items if i.video is not None)
    missing = sum(
        1
        for i in plan.items
        if any(d.missing for d in i.documents) or (i.video is not None and i.video.missing)
    )
    return {
        "to_run": len(plan.items),
        "documents": docs,
        "videos": videos,
        "already_recorded": len(plan.finished),
        "with_missing_inputs": missing,
    }


def execute(
    ctx: Context,
    prepared: Prepared,
    engine: Engine | None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    close_engine: bool = True,
) -> Report:
    """Run the plan on the engine; each result is committed as it arrives. The engine is
    closed afterwards unless ``close_engine`` is false (a benchmark reuses it)."""
    plan, info = prepared.plan, prepared.info
    started = ready = time.monotonic()
    processed = 0
    run_id = info.run_id
    if prepared.dry_run or run_id is None:  # plan only (an open run is reported as is)
        return report_for(ctx, prepared, None, planned=planned_counts(plan))
    befores: dict[str, ItemView] = {}

    def tasks() -> Iterator[ItemTask]:
        for item in plan.items:
            if stop is not None and stop.is_set():
                return
            with ctx.sessions() as s:
                befores[item.filing_id] = jstore.before_view(s, ctx.cipher, item)
            yield jstore.load_task(ctx.blobs, item)

    workers = 0
    if plan.items and engine is not None:
        try:
            engine.start()
            workers = engine.workers
            ready = time.monotonic()
            if progress is not None:
                progress.begin()
            for outcome in engine.run(tasks()):
                before = befores.pop(outcome.filing_id)
                rec = jstore.record(ctx.sessions, ctx.cipher, run_id, before, outcome)
                processed += 1
                if rec is not None and rec.status != "done":
                    log.warning(
                        "reverify %s: filing %s failed: %s", run_id, rec.filing_id, rec.error_code
                    )
                if progress is not None:
                    progress.update(failed=rec is not None and rec.status != "done")
                if stop is not None and stop.is_set():
                    break
        finally:
            if close_engine:
                engine.close()
            if progress is not None:
                progress.close()
    with ctx.sessions() as s:
        jstore.mark_done_if_complete(s, run_id)
    timing = Timing(time.monotonic() - ready, processed, workers, ready - started)
    return report_for(ctx, prepared, timing)


def report_for(
    ctx: Context,
    prepared: Prepared,
    timing: Timing | None,
    planned: dict[str, int] | None = None,
) -> Report:
    info = prepared.info
    if info.run_id is None:
        return Report(info, prepared.items, (), timing, planned)
    with ctx.sessions() as s:
        run = jstore.get_run(s, info.run_id)
        fresh = jstore.run_info(run, resumed=info.resumed)
        records = jstore.load_records(s, ctx.cipher, info.run_id)
    return Report(fresh, prepared.items, tuple(records), timing, planned)


def stored_report(ctx: Context, run_id: str) -> Report:
    """The report of a stored run (whatever its state), from the database alone."""
    with ctx.sessions() as s:
        run = jstore.get_run(s, run_id)
        items = tuple(jstore.run_items(s, run.id))
        records = jstore.load_records(s, ctx.cipher, run.id)
        return Report(jstore.run_info(run), items, tuple(records))
