"""Durable video checks: what a worker does with a claimed job (kyc/store/queue.py).

Two drivers share it: ``run_worker`` (``kyc worker``, a process apart from the API, the
models loaded once in it) and ``dispatch`` (the embedded default: ``kyc serve`` claims jobs
and runs them in its own process pool). Either may die at any point: the job stays in the
database, its lease runs out and another worker takes it; the result is written once
(``usecases.video.finish_video_job`` with the lease owner).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import logging
import os
import secrets
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool

from kyc.api.errors import ApiError
from kyc.api.runtime import Runtime
from kyc.api.usecases import video
from kyc.api.workers import DEFAULT_VIDEO, Saturated, check_video, raise_worker_error
from kyc.config import Settings
from kyc.errors import BadInput, ErrorCode, KycError
from kyc.store import queue, repo
from kyc.store.tables import Challenge, Document, VideoCheck

log = logging.getLogger("kyc.worker")

# Errors of a video check that count toward the lock-out as a rejection does.
LIVENESS_FAILURES = frozenset({ErrorCode.NO_FACE})
KINDS = (video.VIDEO_JOB,)


def worker_name() -> str:
    """This process's name in lease owners: host, pid and a random suffix."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


def scratch_dir(settings: Settings) -> Path:
    """A new folder (named after this process) for the temporary copy of one job's video;
    removed with it (``_discard``)."""
    return settings.data_dir / "tmp" / f"jobs-{os.getpid()}-{secrets.token_hex(4)}"


def _discard(inputs: VideoInputs) -> None:
    import shutil

    shutil.rmtree(inputs.video_path.parent, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_scratch(settings: Settings) -> int:
    """Remove the scratch folders of processes that are gone (a worker killed mid-check
    leaves its copy of the video): on this machine, ``<data_dir>/tmp`` being local."""
    import shutil

    removed = 0
    for folder in (settings.data_dir / "tmp").glob("jobs-*-*"):
        pid = folder.name.split("-")[1]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


@dataclass(frozen=True)
class VideoInputs:
    video_path: Path
    portrait_jpeg: bytes
    challenge: dict[str, Any]
    mirrored: bool
    received: dt.datetime


@dataclass(frozen=True)
class Outcome:
    """A finished check: a verdict, or an error code; whether it counts toward lock-out."""

    verdict: dict[str, Any] | None
    best_frame_jpeg: bytes | None
    error: str | None
    failed_check: bool


class Final(Exception):
    """The job cannot run, and never will: it fails with ``code``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def load_video_inputs(rt: Runtime, claim: queue.Claim) -> VideoInputs:
    """The stored video (to a temporary file), the portrait and the challenge of a job."""
    import json

    with rt.sessions() as s:
        vc = s.get(VideoCheck, claim.ref_id)
        if vc is None or vc.video_key is None or vc.purged_at is not None:
            raise Final(str(ErrorCode.INPUT_PURGED))
        ch = s.get(Challenge, vc.challenge_id) if vc.challenge_id else None
        if ch is None:
            raise Final("NO_CHALLENGE")
        portrait_key = str(claim.payload.get("portrait_key") or "")
        if not portrait_key:  # jobs carried over by the migration: the latest portrait
            doc = (
                s.query(Document)
                .filter(Document.filing_id == vc.filing_id, Document.portrait_key.is_not(None))
                .order_by(Document.created_at.desc())
                .first()
            )
            portrait_key = doc.portrait_key if doc is not None and doc.portrait_key else ""
        if not portrait_key:
            raise Final(str(ErrorCode.NO_PORTRAIT))
        video_key, mirrored = vc.video_key, bool(vc.mirrored)
        received = vc.created_at.replace(tzinfo=dt.UTC)
        challenge = json.loads(ch.challenge_json)
    portrait = rt.blobs.get(portrait_key)
    data = rt.blobs.get(video_key)
    tmp = scratch_dir(rt.settings)
    tmp.mkdir(parents=True)
    path = tmp / f"job-{claim.id}.video"
    path.write_bytes(data)
    return VideoInputs(path, portrait, challenge, mirrored, received)


def interpret(result: dict[str, Any]) -> Outcome:
    """A worker's answer (errors as values) as an outcome."""
    try:
        raise_worker_error(result)
    except BadInput as exc:
        # Only a check that ran counts toward the lock-out: a rejection, or no face in a
        # video that decoded. A file that cannot be read is the client's bug, not an attempt.
        return Outcome(None, None, str(exc.code), exc.code in LIVENESS_FAILURES)
    except ApiError as exc:
        return Outcome(None, None, exc.code, False)
    except KycError as exc:
        return Outcome(None, None, str(exc.code), False)
    verdict: dict[str, Any] = result["verdict"]
    best = result.get("best_frame_jpeg")
    return Outcome(verdict, best or None, None, verdict.get("decision") == "reject")


def store_outcome(rt: Runtime, claim: queue.Claim, outcome: Outcome) -> bool:
    """Write the outcome once (only while ``claim`` still holds the lease)."""
    best: tuple[str, int] | None = None
    if outcome.best_frame_jpeg:
        best = repo.write_blob(rt.sessions, rt.blobs, outcome.best_frame_jpeg)
    written = video.finish_video_job(
        rt,
        claim.ref_id,
        outcome.verdict,
        best,
        outcome.error,
        outcome.failed_check,
        lease_owner=claim.owner,
    )
    if written:
        label = outcome.verdict.get("decision", "none") if outcome.verdict else outcome.error
        rt.metrics.video_checks.labels(label or "none").inc()
    else:
        log.warning("video job %s: lease lost, result dropped (written once elsewhere)", claim.id)
    return written


def exhausted(rt: Runtime, claim: queue.Claim) -> bool:
    """A job claimed more often than allowed ends failed with JOB_ATTEMPTS_EXHAUSTED."""
    if claim.attempts <= rt.settings.service.job_max_attempts:
        return False
    log.error("video job %s failed: %s", claim.id, ErrorCode.JOB_ATTEMPTS_EXHAUSTED)
    store_outcome(rt, claim, Outcome(None, None, str(ErrorCode.JOB_ATTEMPTS_EXHAUSTED), False))
    return True


def _prepare(rt: Runtime, claim: queue.Claim) -> VideoInputs | None:
    """Inputs of a claimed job, or None when it was finished here (exhausted, final)."""
    if exhausted(rt, claim):
        return None
    try:
        inputs = load_video_inputs(rt, claim)
    except Final as exc:
        store_outcome(rt, claim, Outcome(None, None, exc.code, False))
        return None
    video.mark_running(rt, claim.ref_id)
    return inputs


def _args(inputs: VideoInputs) -> tuple[Any, ...]:
    return (
        str(inputs.video_path),
        inputs.portrait_jpeg,
        inputs.challenge,
        inputs.mirrored,
        inputs.received.isoformat(),
    )


# --------------------------------------------------------------------------- kyc worker


class _Heartbeat:
    """Renews a claim's lease every third of it from a thread, until stopped."""

    def __init__(self, rt: Runtime, claim: queue.Claim) -> None:
        self.rt, self.claim = rt, claim
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        lease = self.rt.settings.service.job_lease_s
        while not self.stop.wait(lease / 3):
            try:
                if not queue.heartbeat(self.rt.sessions, self.claim.id, self.claim.owner, lease):
                    return  # taken over or finished: nothing more to renew
            except Exception as exc:  # the database away a moment: try at the next beat
                log.warning("heartbeat of job %s failed: %s", self.claim.id, type(exc).__name__)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()


def run_one(rt: Runtime, claim: queue.Claim, check: Callable[..., dict[str, Any]]) -> None:
    """Run one claimed job in this process (``check``: the worker function)."""
    with _Heartbeat(rt, claim):
        inputs: VideoInputs | None = None
        try:
            inputs = _prepare(rt, claim)
            if inputs is None:
                return
            result = check(*_args(inputs))
        except Exception as exc:  # a crash (or the store away): the job goes back to the queue
            _crashed(rt, claim, exc)
            return
        finally:
            if inputs is not None:
                _discard(inputs)
        store_outcome(rt, claim, interpret(result))


def _crashed(rt: Runtime, claim: queue.Claim, exc: BaseException) -> None:
    """Give a job whose run crashed back for another try (the attempt counts)."""
    code = str(exc.code) if isinstance(exc, KycError) else str(ErrorCode.INTERNAL)
    log.error("video job %s crashed: %s (%s)", claim.id, code, type(exc).__name__)
    queue.release(rt.sessions, claim.id, claim.owner, error=code)


def run_worker(
    rt: Runtime,
    *,
    max_jobs: int | None = None,
    stop: threading.Event | None = None,
    check: Callable[..., dict[str, Any]] = check_video,
) -> int:
    """The loop of ``kyc worker``: claim, run, store, until ``stop`` (SIGTERM/SIGINT finish
    the job in hand first) or ``max_jobs`` jobs. The worker functions must be initialised
    in this process (``workers.init_worker``). Returns the number of jobs run."""
    stop = stop or threading.Event()
    name = worker_name()
    sweep_scratch(rt.settings)
    done = 0
    poll = rt.settings.service.job_poll_s
    lease = rt.settings.service.job_lease_s
    for n in itertools.count():
        if stop.is_set() or (max_jobs is not None and done >= max_jobs):
            break
        try:
            claim = queue.claim(rt.sessions, f"{name}:{n}", KINDS, lease)
        except Exception as exc:  # the database away a moment: keep polling
            log.warning("claim failed: %s", type(exc).__name__)
            claim = None
        if claim is None:
            stop.wait(poll)
            continue
        log.info("video job %s: attempt %d", claim.id, claim.attempts)
        try:
            run_one(rt, claim, check)
        except Exception as exc:  # the database away while the result was stored: go on
            log.warning(
                "video job %s: result not stored (%s); taken again when its lease runs out",
                claim.id,
                type(exc).__name__,
            )
            continue
        done += 1
    return done


def install_stop_signals(stop: threading.Event) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())


# --------------------------------------------------------------------------- embedded


async def run_claim(rt: Runtime, claim: queue.Claim) -> None:
    """Run one claimed job in the service's pool (its place reserved by the caller and
    released here), renewing the lease meanwhile."""
    lease = rt.settings.service.job_lease_s

    async def beat() -> None:
        while True:
            await asyncio.sleep(lease / 3)
            try:
                if not await run_in_threadpool(
                    queue.heartbeat, rt.sessions, claim.id, claim.owner, lease
                ):
                    return
            except Exception as exc:
                log.warning("heartbeat of job %s failed: %s", claim.id, type(exc).__name__)

    beating = asyncio.create_task(beat())
    inputs: VideoInputs | None = None
    reserved = True
    try:
        try:
            inputs = await run_in_threadpool(_prepare, rt, claim)
            if inputs is None:
                return
            reserved = False  # the pool releases the place from here on
            result = await rt.pool.run("video", check_video, *_args(inputs), reserved=True)
        except Exception as exc:  # a pool worker died, the store away...: another try
            await run_in_threadpool(_crashed, rt, claim, exc)
            return
        # the video's copy goes before the result is written: whoever sees the job done
        # sees no scratch folder of it left (as ``run_one`` does)
        done, inputs = inputs, None
        await run_in_threadpool(_discard, done)
        await run_in_threadpool(store_outcome, rt, claim, interpret(result))
    except asyncio.CancelledError:
        # the service stops: give the job back untried, another worker takes it at once
        queue.release(rt.sessions, claim.id, claim.owner)
        raise
    finally:
        beating.cancel()
        if reserved:
            rt.pool.release()
        if inputs is not None:
            _discard(inputs)


async def dispatch(rt: Runtime, wake: asyncio.Event, tasks: set[asyncio.Task[None]]) -> None:
    """The serve process's local workers: claim jobs while the pool has a free worker."""
    name = worker_name()
    await run_in_threadpool(sweep_scratch, rt.settings)
    poll = rt.settings.service.job_poll_s
    lease = rt.settings.service.job_lease_s
    for n in itertools.count():
        claim: queue.Claim | None = None
        if rt.pool.accepted < rt.pool.workers:
            try:
                rt.pool.acquire()  # a place for the job before it is claimed
            except Saturated:
                pass
            else:
                try:
                    claim = await run_in_threadpool(
                        queue.claim, rt.sessions, f"{name}:{n}", KINDS, lease
                    )
                except Exception as exc:
                    log.warning("claim failed: %s", type(exc).__name__)
                finally:
                    if claim is None:
                        rt.pool.release()
        if claim is not None:
            task = asyncio.create_task(run_claim(rt, claim))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            await asyncio.sleep(0)  # let it reserve its place in the pool
            continue
        wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), poll)


def worker_main(
    settings: Settings, *, video_spec: str = DEFAULT_VIDEO, max_jobs: int | None = None
) -> int:
    """``kyc worker``: the store (migrated), the video check's models loaded once in this
    process, then ``run_worker`` until SIGTERM/SIGINT. Runs no recovery (a server may be
    running beside it). Returns the number of jobs run."""
    from kyc.api.metrics import Metrics
    from kyc.api.workers import WorkPool, init_worker
    from kyc.store.open import open_store

    engine, sessions, cipher, blobs = open_store(settings)
    metrics = Metrics()
    # the pool stays unstarted: the checks run in this process
    pool = WorkPool(settings, metrics)
    rt = Runtime(settings, engine, sessions, cipher, blobs, pool, metrics, [])
    init_worker(settings.model_dump_json(), "", video_spec)
    stop = threading.Event()
    install_stop_signals(stop)
    try:
        return run_worker(rt, max_jobs=max_jobs, stop=stop)
    finally:
        engine.dispose()
