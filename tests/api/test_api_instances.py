"""Several API instances on one PostgreSQL and one S3 store, and what survives a kill.

Real processes on real ports: two ``kyc serve --no-workers`` (tests/api/serve_proc.py, the
command's steps) and one ``kyc worker`` (tests/api/jobworker_proc.py), sharing a PostgreSQL
database and a bucket on a real SeaweedFS server. The reader and the video check are the
test doubles of tests/api/api_fakes.py (the real models take tens of seconds per process on
this 2-core machine): what is under test here is storage and concurrency — the database,
the blob store, idempotency keys, the job queue — and all of that is the product's own.

- two instances answer alike, their audit trail is one, an idempotency key used on one
  is replayed by the other and stores its upload once;
- an instance SIGKILLed at random points of a stream of uploads (some large, sent slowly,
  so that kills land mid-body): every upload answered 2xx is stored exactly once, no row
  points at a missing blob, no blob is half-written or unaccounted for;
- the database stopped for a few seconds: requests get 503 DATABASE_UNAVAILABLE with
  Retry-After (never a 500), then both instances and the worker go on without a restart.
"""

from __future__ import annotations

import base64
import concurrent.futures
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import api_fakes as fx
import httpx
import numpy as np
import pytest
from pgserver import PgServer
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from kyc.config import Settings
from kyc.service_settings import S3Settings, ServiceSettings
from kyc.store import idempotency, repo
from kyc.store.blobs import BlobStore
from kyc.store.open import open_store
from kyc.store.tables import (
    AuditEvent,
    BlobIntent,
    Document,
    IdempotencyRecord,
    Job,
    VideoCheck,
)

HERE = Path(__file__).resolve().parent
SERVE, WORKER = HERE / "serve_proc.py", HERE / "jobworker_proc.py"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Instance:
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    """Two API instances, optionally a worker, the store they share, seen from the test."""

    tmp: Path
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    blobs: BlobStore
    instances: list[Instance] = field(default_factory=list)
    worker: subprocess.Popen[bytes] | None = None
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def config(self) -> Path:
        return self.tmp / "settings.json"

    def _spawn(self, script: Path, *args: str, log: Path) -> subprocess.Popen[bytes]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with log.open("ab") as out:
            return subprocess.Popen(
                [sys.executable, str(script), str(self.config), *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )

    def start(self, inst: Instance) -> None:
        inst.proc = self._spawn(SERVE, str(inst.port), log=inst.log)

    def wait_ready(self, inst: Instance, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert inst.proc is not None
            if inst.proc.poll() is not None:
                raise AssertionError(f"instance died: {self.tail(inst.log)}")
            try:
                if httpx.get(inst.url + "/healthz", timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"instance not ready: {self.tail(inst.log)}")

    def kill(self, inst: Instance) -> None:
        assert inst.proc is not None
        inst.proc.kill()
        inst.proc.wait()

    def key(self) -> dict[str, str]:
        with self.sessions() as s:
            return {"Authorization": "Bearer " + repo.create_api_key(s, "acme")}

    def reviewer(self, name: str = "审核员A", role: str = "reviewer") -> dict[str, str]:
        with self.sessions() as s:
            return {"Authorization": "Bearer " + repo.create_reviewer(s, name, role)}

    @staticmethod
    def tail(path: Path) -> str:
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def logs(self) -> str:
        logs = [i.log for i in self.instances] + [self.tmp / "worker.log"]
        return "\n".join(p.read_text(errors="replace") for p in logs if p.exists())

    def blob_keys(self) -> set[str]:
        return set(self.blobs.raw.keys())

    def stop(self) -> None:
        for c in self.clients:
            c.close()
        procs = [i.proc for i in self.instances if i.proc is not None]
        procs += [self.worker] if self.worker is not None else []
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.engine.dispose()


def _make_cluster(tmp: Path, db_url: str, bucket: S3Settings, worker: bool) -> Cluster:
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    service = ServiceSettings(
        database_url=db_url,
        encryption_key=key,
        blob_backend="s3",
        s3=bucket.model_copy(update={"prefix": f"t{secrets.token_hex(4)}/"}),
        local_workers=False,
        workers=2,
        max_queue=16,
        job_lease_s=3.0,
        job_poll_s=0.05,
        tick_interval_s=0,
        retry_after_s=2,
        idempotency_claim_s=2.0,
    )
    settings = Settings(environment="test", data_dir=tmp / "var", service=service)
    (tmp / "settings.json").write_text(settings.model_dump_json())
    engine, sessions, _cipher, blobs = open_store(settings)  # migrates before the servers
    cluster = Cluster(tmp, settings, engine, sessions, blobs)
    cluster.instances = [Instance(_free_port(), tmp / f"api-{n}.log") for n in "ab"]
    for inst in cluster.instances:
        cluster.start(inst)
    if worker:
        cluster.worker = cluster._spawn(WORKER, log=tmp / "worker.log")
    for inst in cluster.instances:
        cluster.wait_ready(inst)
    cluster.clients = [httpx.Client(base_url=i.url, timeout=30.0) for i in cluster.instances]
    return cluster


@pytest.fixture
def clusters() -> Iterator[list[Cluster]]:
    made: list[Cluster] = []
    yield made
    for c in made:
        c.stop()


def _upload_files(data: bytes, name: str = "doc.jpg", kind: str = "image/jpeg") -> Any:
    return {"file": (name, data, kind)}


def _referenced_keys(s: Session) -> set[str]:
    keys: set[str] = set()
    for doc in s.scalars(select(Document)):
        keys |= {k for k in (doc.raw_key, doc.evidence_key, doc.portrait_key) if k}
    for vc in s.scalars(select(VideoCheck)):
        keys |= {k for k in (vc.video_key, vc.best_frame_key) if k}
    return keys


# --------------------------------------------------------------------------- two instances


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_instances_answer_alike_and_share_keys_and_audit(
    tmp_path: Path, db_url: str, s3_bucket: S3Settings, clusters: list[Cluster]
) -> None:
    c = _make_cluster(tmp_path, db_url, s3_bucket, worker=True)
    clusters.append(c)
    a, b = c.clients
    h = c.key()

    r = a.post("/v1/filings", json=fx.filing_body(), headers=h)
    assert r.status_code == 201, r.text
    fid = r.json()["id"]
    assert (
        b.get(f"/v1/filings/{fid}", headers=h).json()
        == a.get(f"/v1/filings/{fid}", headers=h).json()
    )

    # a key used on A is replayed by B: one document, one blob
    lic = fx.fake_image(fx.license_spec())
    first = a.post(
        f"/v1/filings/{fid}/documents",
        files=_upload_files(lic),
        headers={**h, "Idempotency-Key": "licence-1"},
    )
    again = b.post(
        f"/v1/filings/{fid}/documents",
        files=_upload_files(lic),
        headers={**h, "Idempotency-Key": "licence-1"},
    )
    assert first.status_code == again.status_code == 200, (first.text, again.text)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()

    # the same key sent to both at once: one computes, the other answers in progress
    # (409) and then replays once the first has answered
    front = fx.fake_image(fx.id_front_spec())
    answers: dict[int, httpx.Response] = {}

    def send(n: int) -> None:
        client = c.clients[n]
        for _ in range(100):
            resp = client.post(
                f"/v1/filings/{fid}/documents",
                files=_upload_files(front),
                headers={**h, "Idempotency-Key": "front-1"},
            )
            if resp.status_code != 409:
                answers[n] = resp
                return
            assert resp.json()["error"] == "IN_PROGRESS"
            time.sleep(0.05)

    threads = [threading.Thread(target=send, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert answers[0].status_code == answers[1].status_code == 200
    assert answers[0].json() == answers[1].json()
    assert sum(x.headers.get("Idempotent-Replayed") == "true" for x in answers.values()) == 1

    assert b.post(f"/v1/filings/{fid}/consent", json={"biometric": True}, headers=h).is_success
    assert a.post(f"/v1/filings/{fid}/liveness/challenge", headers=h).status_code == 201
    clip = fx.fake_video({"decision": "pass", "sleep_s": 0.5})
    vh = {**h, "Idempotency-Key": "video-1"}
    files = _upload_files(clip, "v.mp4", "video/mp4")
    up = b.post(f"/v1/filings/{fid}/liveness/video", files=files, headers=vh)
    assert up.status_code == 202, up.text
    replay = a.post(f"/v1/filings/{fid}/liveness/video", files=files, headers=vh)
    assert replay.status_code == 202 and replay.json() == up.json()
    job_id = up.json()["job_id"]
    deadline = time.monotonic() + 60
    while True:  # polled on the instance the video did not go to
        job = a.get(f"/v1/filings/{fid}/liveness/jobs/{job_id}", headers=h).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert (job["status"], job["decision"]) == ("done", "pass"), job
    assert b.get(f"/v1/filings/{fid}/liveness/jobs/{job_id}", headers=h).json() == job

    r = a.post(f"/v1/filings/{fid}/submit", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "submitted", r.text
    rv = c.reviewer()
    assert [i["id"] for i in b.get("/v1/review/queue", headers=rv).json()["items"]] == [fid]
    assert a.get(f"/v1/review/filings/{fid}", headers=rv).status_code == 200
    url = f"/v1/review/filings/{fid}/decision"
    r = b.post(url, json={"decision": "approve", "comment": "资料齐全"}, headers=rv)
    assert r.status_code == 200 and r.json()["stage"] == "second_review", r.text
    r = a.post(url, json={"decision": "approve"}, headers=rv)
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text
    assert b.post(url, json={"decision": "approve"}, headers=rv).status_code == 409

    # the same answers from either instance
    assert (
        a.get(f"/v1/filings/{fid}", headers=h).json()
        == b.get(f"/v1/filings/{fid}", headers=h).json()
    )
    admin = c.reviewer("管理员", "admin")
    trail = a.get(f"/v1/admin/audit?filing_id={fid}", headers=admin).json()["events"]
    assert b.get(f"/v1/admin/audit?filing_id={fid}", headers=admin).json()["events"] == trail
    # complete and in the order the requests were made (the trail is newest first); the
    # replays (licence, front, video) and the refused third approval left nothing
    actions = [e["action"] for e in reversed(trail)]
    assert actions == EXPECTED_TRAIL, " ".join(actions)
    stamps = [e["at"] for e in reversed(trail)]
    assert stamps == sorted(stamps)

    with c.sessions() as s:
        docs = s.scalars(select(Document).where(Document.filing_id == fid)).all()
        assert len(docs) == 2
        assert s.scalar(select(func.count(VideoCheck.id))) == 1
        jobs = s.scalars(select(Job)).all()
        assert [(j.id, j.state, j.attempts) for j in jobs] == [(job_id, "done", 1)]
        results = s.scalars(select(AuditEvent).where(AuditEvent.action == "video.result")).all()
        assert len(results) == 1
        referenced = _referenced_keys(s)
        assert s.scalar(select(func.count(BlobIntent.id))) == 0  # every blob write settled
        keys = s.scalars(select(IdempotencyRecord.key).order_by(IdempotencyRecord.key)).all()
        assert keys == ["front-1", "licence-1", "video-1"]
    # one blob per distinct content, each referenced; the licence sent twice is one blob
    assert c.blob_keys() == referenced
    assert c.blobs.address(lic) in referenced and c.blobs.address(clip) in referenced
    assert "Traceback" not in c.logs()  # the instances' and the worker's


EXPECTED_TRAIL = [
    # POST /v1/filings (the journey's events first, in the same transaction)
    "journey.TypeVerified",
    "journey.SubjectSaved",
    "journey.WebsitesSaved",
    "filing.create",
    "document.upload",  # the licence (A; its replay on B adds nothing)
    "document.upload",  # the ID front (sent to A and B at once, stored once)
    "consent.biometric",
    "challenge.issue",
    "video.upload",  # B (its replay on A adds nothing)
    "video.result",  # the worker
    "journey.SubmittedForReview",
    "filing.submit",
    "filing.view",  # the reviewer's detail
    "journey.ReviewPassed",  # first approval; the video check done before counts at once
    "journey.IdentityChecked",
    "filing.approve",
    "journey.ReviewPassed",  # second approval
    "filing.approve",
]


# --------------------------------------------------------------------------- kill mid-upload


def _noise_jpeg(seed: int, size: tuple[int, int]) -> bytes:
    """A document photo whose JPEG is about as large as its pixels (noise compresses badly)."""
    rng = np.random.default_rng(seed)
    w, h = size
    picture = rng.integers(0, 255, (h, w, 3), dtype=np.uint8)
    return fx.fake_image(fx.license_spec(), size, picture)


def _multipart(data: bytes, chunk: int, pause: float) -> tuple[str, Iterator[bytes]]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        'filename="doc.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + data + tail

    def stream() -> Iterator[bytes]:
        for i in range(0, len(body), chunk):
            yield body[i : i + chunk]
            time.sleep(pause)

    return f"multipart/form-data; boundary={boundary}", stream()


@dataclass
class Sent:
    n: int
    data: bytes
    key: str
    answer: dict[str, Any] | None = None
    cut: int = 0  # attempts cut off (connection lost: the instance died under it)
    statuses: list[int] = field(default_factory=list)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_an_instance_killed_mid_upload_stores_each_accepted_upload_once(
    tmp_path: Path, db_url: str, s3_bucket: S3Settings, clusters: list[Cluster]
) -> None:
    seed = secrets.randbits(32)
    rng = random.Random(seed)
    c = _make_cluster(tmp_path, db_url, s3_bucket, worker=False)
    clusters.append(c)
    h = c.key()
    fid = c.clients[0].post("/v1/filings", json=fx.filing_body(), headers=h).json()["id"]
    # four clients upload one after another until the five kills are done (at most 120
    # uploads); every third upload is large (~2.4 MB, sent at ~1.3 MB/s): kills land mid-body
    sends: list[Sent] = []
    lock = threading.Lock()
    stop, killed = threading.Event(), threading.Event()

    def next_upload() -> Sent | None:
        with lock:
            n = len(sends)
            if killed.is_set() or n >= 120:
                return None
            sends.append(Sent(n, b"", f"up-{n}"))
        sends[n].data = _noise_jpeg(seed + n, (2000, 1000) if n % 3 == 0 else (300, 200))
        return sends[n]

    def uploader() -> None:
        while (item := next_upload()) is not None:
            client(item)

    def client(item: Sent) -> None:
        which = item.n % 2
        # a retry is taken over within seconds (stale after 2 s); the bound is for a machine
        # under load, where a restart alone took up to ~10 s
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            ctype, body = _multipart(item.data, 64 * 1024, 0.05)
            try:
                resp = httpx.post(
                    f"{c.instances[which].url}/v1/filings/{fid}/documents",
                    content=body,
                    headers={**h, "Idempotency-Key": item.key, "Content-Type": ctype},
                    timeout=30.0,
                )
            except httpx.TransportError:
                item.cut += 1
            else:
                item.statuses.append(resp.status_code)
                if resp.is_success:
                    item.answer = resp.json()
                    return
                assert resp.status_code in (409, 503), (resp.text, seed)  # never a 500
                if resp.json()["error"] == "ANSWER_LOST":
                    return  # stored, its answer lost with its instance (asserted below)
            which = 1 - which  # retry on the other instance, with the same key
            time.sleep(0.2)

    failures: list[BaseException] = []

    def killer() -> None:
        try:
            for round_ in range(5):
                if stop.wait(rng.uniform(0.3, 1.5)):
                    return
                victim = c.instances[round_ % 2]
                c.kill(victim)
                time.sleep(rng.uniform(0.0, 0.5))
                c.start(victim)
                c.wait_ready(victim)
        except BaseException as exc:
            failures.append(exc)
        finally:
            killed.set()

    kill_thread = threading.Thread(target=killer)
    kill_thread.start()
    try:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            for done in [pool.submit(uploader) for _ in range(4)]:
                done.result()
    finally:
        stop.set()
        kill_thread.join()
    assert not failures, failures

    assert any(s.cut for s in sends), f"no kill cut an upload (seed {seed})"
    with c.sessions() as s:
        docs = s.scalars(select(Document).where(Document.filing_id == fid)).all()
        records = {r.key: r for r in s.scalars(select(IdempotencyRecord))}
        referenced = _referenced_keys(s)
        intents = set(s.scalars(select(BlobIntent.key)))
    by_raw: dict[str, list[Document]] = {}
    for d in docs:
        assert d.raw_key is not None
        by_raw.setdefault(d.raw_key, []).append(d)
    addresses = {c.blobs.address(item.data): item for item in sends}
    assert set(by_raw) <= set(addresses), f"a stored document nobody sent (seed {seed})"
    for address, item in addresses.items():
        rows = by_raw.get(address, [])
        assert len(rows) <= 1, f"upload {item.n} stored {len(rows)} times (seed {seed})"
        if item.answer is not None:
            assert len(rows) == 1, f"accepted upload {item.n} not stored (seed {seed})"
            assert item.answer["document"]["id"] == rows[0].id, (item.n, seed)
            assert c.blobs.get(address) == item.data, (item.n, seed)  # the bytes sent, whole
            assert records[item.key].status_code == 200, (item.n, seed)
        else:
            # the gap left (kyc/store/idempotency.py): its instance died between storing
            # the result and writing the answer; stored once, answered ANSWER_LOST
            assert records[item.key].status_code == idempotency.STORED, (item.n, seed)
            assert item.statuses[-1] == 409 and len(rows) == 1, (item.n, seed)
            assert item.cut, f"upload {item.n} lost its answer without a kill (seed {seed})"
    # no row points at a missing blob; every blob opens whole (sealed: a torn one would
    # not authenticate) and is a row's or an unfinished write's (removed by recovery)
    stored = c.blob_keys()
    assert referenced <= stored, f"rows pointing at missing blobs (seed {seed})"
    assert stored <= referenced | intents, f"blobs nobody accounts for (seed {seed})"
    for key in stored:
        c.blobs.get(key)
    assert "Traceback" not in c.logs()  # the instances' and the worker's


# --------------------------------------------------------------------------- database outage


def _ready_for_video(c: Cluster, h: dict[str, str], n: int) -> str:
    a, b = c.clients
    fid = a.post("/v1/filings", json=fx.filing_body(f"site{n}.example.com"), headers=h)
    assert fid.status_code == 201, fid.text
    f = fid.json()["id"]
    r = b.post(
        f"/v1/filings/{f}/documents",
        files=_upload_files(fx.fake_image(fx.id_front_spec())),
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert a.post(f"/v1/filings/{f}/consent", json={"biometric": True}, headers=h).is_success
    assert b.post(f"/v1/filings/{f}/liveness/challenge", headers=h).status_code == 201
    return str(f)


def test_the_database_gone_for_seconds_answers_503_and_everything_recovers(
    tmp_path: Path, own_pg_server: PgServer, s3_bucket: S3Settings, clusters: list[Cluster]
) -> None:
    c = _make_cluster(tmp_path, own_pg_server.url("postgres"), s3_bucket, worker=True)
    clusters.append(c)
    a, b = c.clients
    h = c.key()
    filings = [_ready_for_video(c, h, n) for n in range(2)]
    jobs: dict[str, str] = {}
    for n, f in enumerate(filings):
        clip = fx.fake_video({"decision": "pass", "sleep_s": 2.0})
        r = c.clients[n].post(
            f"/v1/filings/{f}/liveness/video",
            files=_upload_files(clip, "v.mp4", "video/mp4"),
            headers=h,
        )
        assert r.status_code == 202, r.text
        jobs[f] = r.json()["job_id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the worker holds a job when the database goes
        with c.sessions() as s:
            if s.scalar(select(func.count(Job.id)).where(Job.state == "running")):
                break
        time.sleep(0.02)
    c.engine.dispose()
    pids = [i.proc.pid for i in c.instances if i.proc is not None]
    assert c.worker is not None

    own_pg_server.stop()
    down_at = time.monotonic()
    answers: list[httpx.Response] = []
    try:
        late = fx.fake_image(fx.license_spec())
        while time.monotonic() - down_at < 4.0:
            for client in c.clients:
                answers.append(client.get(f"/v1/filings/{filings[0]}", headers=h))
                answers.append(client.post("/v1/filings", json=fx.filing_body(), headers=h))
                answers.append(
                    client.post(
                        f"/v1/filings/{filings[0]}/documents",
                        files=_upload_files(late),
                        headers={**h, "Idempotency-Key": "late-1"},
                    )
                )
                answers.append(client.get("/healthz"))
            time.sleep(0.2)
    finally:
        own_pg_server.start()
    assert len(answers) >= 16
    for resp in answers:
        assert resp.status_code == 503, (resp.status_code, resp.text)
        assert resp.json()["error"] == "DATABASE_UNAVAILABLE"
        assert int(resp.headers["Retry-After"]) == 2

    # back without a restart: the same processes answer, the upload tried meanwhile is
    # taken (its key left unanswered is taken over) and stored once, the jobs finish
    for client in (a, b):
        assert client.get("/healthz").status_code == 200
    assert [i.proc.pid for i in c.instances if i.proc is not None] == pids
    deadline = time.monotonic() + 30
    while True:
        got = b.post(
            f"/v1/filings/{filings[0]}/documents",
            files=_upload_files(late),
            headers={**h, "Idempotency-Key": "late-1"},
        )
        if got.status_code != 409 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert got.status_code == 200, got.text
    replay = a.post(
        f"/v1/filings/{filings[0]}/documents",
        files=_upload_files(late),
        headers={**h, "Idempotency-Key": "late-1"},
    )
    assert replay.status_code == 200 and replay.json() == got.json()
    for f, job_id in jobs.items():
        deadline = time.monotonic() + 60
        while True:
            job = a.get(f"/v1/filings/{f}/liveness/jobs/{job_id}", headers=h).json()
            if job["status"] in ("done", "failed") or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert (job["status"], job["decision"]) == ("done", "pass"), job
    assert c.worker.poll() is None, c.tail(tmp_path / "worker.log")
    with c.sessions() as s:
        for job_id in jobs.values():
            results = s.scalars(select(AuditEvent).where(AuditEvent.action == "video.result"))
            assert sum(job_id in (e.detail or "") for e in results) == 1
        docs = s.scalars(select(Document).where(Document.filing_id == filings[0])).all()
        assert sorted(d.document_type for d in docs) == ["business_license", "id_card_front"]
        referenced = _referenced_keys(s)
        intents = set(s.scalars(select(BlobIntent.key)))
    stored = c.blob_keys()
    assert referenced <= stored <= referenced | intents
    assert "Traceback" not in c.logs()  # the instances' and the worker's
