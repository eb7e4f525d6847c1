"""Durable video-check jobs (kyc/store/queue.py, kyc/api/jobrunner.py), on a SQLite file and
on a real PostgreSQL server: the queue's lease and compare-and-set, concurrent claimers,
work queued by one server run by the next, and kill tests — a worker process (the loop of
``kyc worker``) SIGKILLed at random points mid-job, its job taken again only after its lease
ran out, finished once, nothing lost or duplicated.

The worker processes run the video check's test double (api_fakes.VIDEO, which sleeps as a
clip's script says); everything else — database, blob store, queue, worker loop — is real.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import api_fakes as fx
import pytest
from api_support import Env, make_settings
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kyc.api.app import create_app
from kyc.api.runtime import build_runtime
from kyc.config import Settings
from kyc.store import queue
from kyc.store.open import open_store
from kyc.store.tables import AuditEvent, Job, VideoCheck

HELPER = Path(__file__).resolve().parent / "jobworker_proc.py"
LEASE_S = 1.0


def _settings(tmp_path: Path, db_url: str, **over: Any) -> Settings:
    opts: dict[str, Any] = {
        "local_workers": False,
        "job_lease_s": LEASE_S,
        "job_poll_s": 0.05,
        "tick_interval_s": 0,
        "max_queue": 50,
    }
    opts.update(over)
    return make_settings(tmp_path, db_url, **opts)


@pytest.fixture
def envs() -> Iterator[list[Env]]:
    made: list[Env] = []
    yield made
    for e in made:
        e.client.__exit__(None, None, None)
        e.rt.close()


def _env(settings: Settings, made: list[Env]) -> Env:
    rt = build_runtime(
        settings,
        pool_kind="thread",
        reader_spec=fx.READER,
        video_spec=fx.VIDEO,
        backdrop_spec=fx.BACKDROP,
        form_spec=fx.FORM,
    )
    client = TestClient(create_app(runtime=rt))
    client.__enter__()
    env = Env(client, rt, settings)
    made.append(env)
    return env


def _queue_video(env: Env, h: dict[str, str], script: dict[str, Any]) -> tuple[str, str]:
    """A filing with an ID front, consent and a challenge; its video uploaded: (filing, job)."""
    c = env.client
    r = c.post("/v1/filings", json=fx.filing_body(), headers=h)
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    r = c.post(
        f"/v1/filings/{fid}/documents",
        files={"file": ("doc.jpg", fx.fake_image(fx.id_front_spec()), "image/jpeg")},
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert c.post(f"/v1/filings/{fid}/consent", json={"biometric": True}, headers=h).is_success
    assert c.post(f"/v1/filings/{fid}/liveness/challenge", headers=h).status_code == 201
    r = c.post(
        f"/v1/filings/{fid}/liveness/video",
        files={"file": ("v.mp4", fx.fake_video(script), "video/mp4")},
        headers=h,
    )
    assert r.status_code == 202, r.text
    return fid, str(r.json()["job_id"])


def _jobs(env: Env) -> dict[str, Job]:
    with env.rt.sessions() as s:
        return {j.id: j for j in s.scalars(select(Job))}


def _results(env: Env, job_id: str) -> int:
    """How many results were recorded for a video check (its ``video.result`` audits)."""
    with env.rt.sessions() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == "video.result")).all()
        return sum(1 for a in rows if job_id in (a.detail or ""))


def _spawn(settings: Settings, tmp_path: Path) -> subprocess.Popen[bytes]:
    cfg = tmp_path / f"worker-{secrets.token_hex(4)}.json"
    cfg.write_text(settings.model_dump_json())
    log = (tmp_path / (cfg.stem + ".log")).open("wb")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, str(HELPER), str(cfg)], stdout=log, stderr=subprocess.STDOUT, env=env
    )


def _running_of(env: Env, pid: int, timeout: float = 60.0) -> Job:
    """The job the worker ``pid`` holds, once it holds one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for job in _jobs(env).values():
            if job.state == "running" and f":{pid}:" in (job.lease_owner or ""):
                return job
        time.sleep(0.02)
    raise AssertionError(f"worker {pid} took no job within {timeout} s")


def _wait_all_finished(env: Env, timeout: float = 90.0) -> dict[str, Job]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = _jobs(env)
        if jobs and all(j.state in ("done", "failed") for j in jobs.values()):
            return jobs
        time.sleep(0.05)
    raise AssertionError(
        f"jobs unfinished: {[(j.id, j.state) for j in _jobs(env).values() if j.state != 'done']}"
    )


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# --------------------------------------------------------------------------- the queue


def test_lease_is_taken_again_only_after_expiry_and_finished_once(
    tmp_path: Path, db_url: str
) -> None:
    _e, sessions, _c, _b = open_store(_settings(tmp_path, db_url))
    with sessions() as s:
        queue.enqueue(s, "j1", "test", "r1", {"k": "v"})
        s.commit()
    a = queue.claim(sessions, "A", ("test",), 0.4)
    assert a is not None and a.attempts == 1 and a.payload == {"k": "v"}
    assert queue.claim(sessions, "B", ("test",), 0.4) is None  # held under A's lease
    time.sleep(0.5)  # A stops renewing (dead): the lease runs out
    b = queue.claim(sessions, "B", ("test",), 30)
    assert b is not None and b.id == "j1" and b.attempts == 2
    assert not queue.heartbeat(sessions, "j1", "A", 30)  # A lost it
    with sessions() as s:
        assert not queue.finish(s, "j1", "A", failed=False, result_ref="a")  # A writes nothing
        s.rollback()
    with sessions() as s:
        assert queue.finish(s, "j1", "B", failed=False, result_ref="b")
        s.commit()
    with sessions() as s:
        assert not queue.finish(s, "j1", "B", failed=False, result_ref="again")  # once
        s.rollback()
        job = s.get(Job, "j1")
        assert job is not None and (job.state, job.result_ref, job.attempts) == ("done", "b", 2)
    assert queue.claim(sessions, "C", ("test",), 30) is None
    # given back untried: queued again, the attempt not counted
    with sessions() as s:
        queue.enqueue(s, "j2", "test", "r2")
        s.commit()
    c = queue.claim(sessions, "C", ("test",), 30)
    assert c is not None and queue.release(sessions, "j2", "C")
    with sessions() as s:
        job = s.get(Job, "j2")
        assert job is not None and (job.state, job.attempts, job.lease_owner) == (
            "queued",
            0,
            None,
        )
    _e.dispose()


def test_concurrent_claimers_take_each_job_once(tmp_path: Path, db_url: str) -> None:
    _e, sessions, _c, _b = open_store(_settings(tmp_path, db_url))
    ids = [f"job{i:02d}" for i in range(24)]
    with sessions() as s:
        for i in ids:
            queue.enqueue(s, i, "test", i)
        s.commit()
    taken: list[str] = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        while True:
            got = queue.claim(sessions, name, ("test",), 30)
            if got is None:
                with sessions() as s:
                    left = s.scalar(
                        select(func.count(Job.id)).where(Job.state == "queued", Job.kind == "test")
                    )
                if not left:
                    return
                continue
            with lock:
                taken.append(got.id)

    threads = [threading.Thread(target=claimer, args=(f"w{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(taken) == ids  # every job once: none lost, none taken twice
    _e.dispose()


def test_work_queued_by_one_server_is_run_by_the_next(
    tmp_path: Path, db_url: str, envs: list[Env]
) -> None:
    first = _env(_settings(tmp_path, db_url), envs)  # no local workers: the job waits
    h = first.key()
    fid, job_id = _queue_video(first, h, {"decision": "review"})
    time.sleep(0.3)
    assert first.client.get(f"/v1/filings/{fid}/liveness/jobs/{job_id}", headers=h).json()[
        "status"
    ] == ("queued")
    first.client.__exit__(None, None, None)  # the server goes (its process could have died)
    envs.remove(first)
    first.rt.close()
    service = first.settings.service.model_copy(update={"local_workers": True})
    second = _env(first.settings.model_copy(update={"service": service}), envs)
    job = second.wait_job(h, fid, job_id)
    assert (job["status"], job["decision"]) == ("done", "review")
    assert _results(second, job_id) == 1


# --------------------------------------------------------------------------- kill tests


def test_worker_killed_mid_job_its_job_is_taken_again_and_finished_once(
    tmp_path: Path, db_url: str, envs: list[Env]
) -> None:
    seed = secrets.randbits(32)
    rng = random.Random(seed)
    # a job may be killed in every round: enough attempts that it still finishes
    settings = _settings(tmp_path, db_url, job_max_attempts=10)
    env = _env(settings, envs)
    h = env.key()
    decisions = ["pass", "review", "reject", "pass"]
    queued = {_queue_video(env, h, {"decision": d, "sleep_s": 1.5})[1]: d for d in decisions}
    kills: dict[str, dt.datetime] = {}  # job -> its lease's expiry when its worker died
    for _round in range(3):
        proc = _spawn(settings, tmp_path)
        try:
            held = _running_of(env, proc.pid)
            time.sleep(rng.uniform(0.0, 1.2))  # a random point within the 1.5 s check
        finally:
            proc.kill()
            proc.wait()
        after = _jobs(env)[held.id]
        if after.state == "running":  # killed mid-job (not between jobs)
            assert after.lease_expires_at is not None
            kills[held.id] = after.lease_expires_at
    assert kills, f"no worker was killed mid-job (seed {seed})"
    survivors = [_spawn(settings, tmp_path), _spawn(settings, tmp_path)]
    try:
        jobs = _wait_all_finished(env)
    finally:
        _stop(survivors)
    assert set(jobs) == set(queued), f"seed {seed}"
    for job_id, decision in queued.items():
        job = jobs[job_id]
        assert job.state == "done", f"{job_id} {job.state} {job.error} (seed {seed})"
        assert _results(env, job_id) == 1, f"{job_id} result written twice (seed {seed})"
        with env.rt.sessions() as s:
            vc = s.get(VideoCheck, job_id)
            assert vc is not None and (vc.status, vc.decision) == ("done", decision)
        fid = vc.filing_id
        seen = env.client.get(f"/v1/filings/{fid}/liveness/jobs/{job_id}", headers=h).json()
        assert (seen["status"], seen["decision"]) == ("done", decision)
    # the killed workers' copies of videos are swept by the next workers; none is left
    assert not list((settings.data_dir / "tmp").glob("jobs-*")), f"seed {seed}"
    for job_id, lease_end in kills.items():
        job = jobs[job_id]
        assert job.attempts >= 2, f"{job_id} was not taken again (seed {seed})"
        assert job.started_at is not None and job.started_at >= lease_end, (
            f"{job_id} taken again before its lease ran out (seed {seed})"
        )


def test_a_job_whose_workers_keep_dying_fails_with_a_code(
    tmp_path: Path, db_url: str, envs: list[Env]
) -> None:
    settings = _settings(tmp_path, db_url, job_max_attempts=1)
    env = _env(settings, envs)
    h = env.key()
    fid, job_id = _queue_video(env, h, {"decision": "pass", "sleep_s": 3.0})
    proc = _spawn(settings, tmp_path)
    try:
        _running_of(env, proc.pid)
    finally:
        proc.kill()
        proc.wait()
    survivor = _spawn(settings, tmp_path)
    try:
        jobs = _wait_all_finished(env)
    finally:
        _stop([survivor])
    assert (jobs[job_id].state, jobs[job_id].error) == ("failed", "JOB_ATTEMPTS_EXHAUSTED")
    seen = env.client.get(f"/v1/filings/{fid}/liveness/jobs/{job_id}", headers=h).json()
    assert seen["status"] == "failed" and seen["reasons"] == ["JOB_ATTEMPTS_EXHAUSTED"]
    assert _results(env, job_id) == 1


@pytest.mark.models
def test_kyc_worker_command_runs_a_queued_check_with_the_real_models(
    tmp_path: Path, db_url: str, envs: list[Env]
) -> None:
    """The command itself (``kyc worker --max-jobs 1``, the real video check, its models
    loaded in that process) takes a job an API without local workers queued."""
    settings = _settings(tmp_path, db_url)
    env = _env(settings, envs)
    h = env.key()
    fid, job_id = _queue_video(env, h, {"decision": "pass"})  # flat grey frames: no face
    svc = settings.service
    run_env = {
        **os.environ,
        "KYC_ENVIRONMENT": "test",
        "KYC_DATA_DIR": str(settings.data_dir),
        "KYC_SERVICE__DATABASE_URL": str(svc.database_url),
        "KYC_SERVICE__ENCRYPTION_KEY": str(svc.encryption_key),
        "KYC_SERVICE__JOB_POLL_S": "0.05",
    }
    kyc = Path(sys.executable).parent / "kyc"
    done = subprocess.run(
        [str(kyc), "worker", "--max-jobs", "1"],
        check=False,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == {"jobs": 1}
    seen = env.client.get(f"/v1/filings/{fid}/liveness/jobs/{job_id}", headers=h).json()
    # the real check ran: neither the flat grey clip nor the test double's portrait has a face
    assert (seen["status"], seen["reasons"]) == ("failed", ["NO_FACE"])
    assert _results(env, job_id) == 1


def test_an_existing_database_is_upgraded_and_its_unfinished_checks_run(
    tmp_path: Path, db_url: str, envs: list[Env]
) -> None:
    """Migration 0004 on a database of revision 0003 whose server died mid-check: the
    check becomes a queued job (its video is in the blob store) and runs, not INTERRUPTED."""
    from alembic import command
    from sqlalchemy import text

    from kyc.store.db import alembic_config

    old = _env(_settings(tmp_path, db_url), envs)
    h = old.key()
    fid, job_id = _queue_video(old, h, {"decision": "pass"})
    command.downgrade(alembic_config(old.rt.engine), "0003")
    with old.rt.engine.begin() as c:
        c.execute(text("UPDATE video_checks SET status='running' WHERE id=:i"), {"i": job_id})
    old.client.__exit__(None, None, None)
    envs.remove(old)
    old.rt.close()
    service = old.settings.service.model_copy(update={"local_workers": True})
    new = _env(old.settings.model_copy(update={"service": service}), envs)
    job = new.wait_job(h, fid, job_id)
    assert (job["status"], job["decision"]) == ("done", "pass")
    assert _jobs(new)[job_id].state == "done" and _results(new, job_id) == 1
