"""Batch re-verification against the store, on SQLite and on PostgreSQL: results recorded
once next to the untouched originals, changes flagged, missing blobs reported per item,
an interrupted run resumed, and the admin endpoints.

The pipeline here is the API suite's doubles (``api_fakes``), run by the jobs' local
engine in threads; the real models run in tests/integration/jobs.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable, Iterator
from typing import Any

import api_fakes as fx
import pytest
from api_support import Env
from sqlalchemy import func, select

from kyc.jobs import store as jstore
from kyc.jobs.engines import LocalEngine
from kyc.jobs.model import ItemOutcome, ItemTask, PipelineSpec, Selection, WorkerConfig
from kyc.jobs.report import report_json
from kyc.jobs.runner import Context, Options, execute, prepare
from kyc.jobs.synthetic import passed_verdict, store_submission
from kyc.store.tables import AuditEvent, Document, VerificationResult, VerificationRun

FAKES = PipelineSpec(fx.READER, fx.VIDEO)


def fake_reading(spec: dict[str, Any]) -> dict[str, Any]:
    """The reading ``api_fakes.FakeReader`` produces for ``spec``."""
    return {
        "document_type": spec["document_type"],
        "fields": {
            k: {"value": v, "confidence": c, "valid": True if c >= 0.6 else None}
            for k, (v, c) in spec["fields"].items()
        },
        "warnings": list(spec.get("warnings", [])),
        "quality": 0.8,
    }


def seed(
    env: Env,
    *,
    stored_name: str = fx.PRINCIPAL,
    video_script: dict[str, Any] | None = None,
    status: str = "submitted",
) -> str:
    """One stored filing: an ID-card front read by the fake (its stored reading names
    ``stored_name``) and, with ``video_script``, a finished video check stored as passed."""
    spec = {**fx.id_front_spec(), "upload": secrets.token_hex(4)}  # blobs are by content
    stored = fake_reading(fx.id_front_spec(name=stored_name))
    fid, _docs, _vid = store_submission(
        env.rt.sessions,
        env.rt.cipher,
        env.rt.blobs,
        [(fx.fake_image(spec), stored)],
        account="acme",
        video=json.dumps(video_script).encode() if video_script is not None else None,
        portrait=fx.fake_image({}) if video_script is not None else None,
        verdict=passed_verdict(),
        status=status,
    )
    return fid


def ctx(env: Env) -> Context:
    return Context(env.settings, env.rt.sessions, env.rt.cipher, env.rt.blobs)


def engine(env: Env, workers: int = 2) -> LocalEngine:
    cfg = WorkerConfig(env.settings.model_dump_json(), FAKES)
    return LocalEngine(cfg, workers, kind="thread")


def options(**over: Any) -> Options:
    return Options(pipeline=FAKES, pool_kind="thread", **over)


def stable(report: dict[str, Any]) -> dict[str, Any]:
    """The report without what differs between two runs of the same items."""
    return {k: v for k, v in report.items() if k not in ("run_id", "timing", "resumed")}


def test_changes_are_recorded_next_to_untouched_originals(env: Env) -> None:
    same = seed(env, video_script={"decision": "pass"})
    renamed = seed(env, stored_name="测试乙")  # the stored reading named someone else
    rejected = seed(env, video_script={"decision": "reject", "reasons": ["FACE_MISMATCH"]})
    seed(env, status="draft")  # drafts are not submissions: not selected
    with env.rt.sessions() as s:
        originals = {d.id: d.reading_enc for d in s.scalars(select(Document))}

    report = execute(ctx(env), prepare(ctx(env), options()), engine(env))
    out = report_json(report)

    assert (out["items"], out["done"], out["failed"], out["pending"]) == (3, 3, 0, 0)
    assert out["status"] == "done"
    changed = {c["filing_id"]: c for c in out["changed"]}
    assert set(changed) == {renamed, rejected}
    assert same not in changed
    name_change = changed[renamed]
    assert any("name value changed" in line for line in name_change["changes"])
    doc_before = name_change["before"]["documents"][0]["fields"]
    doc_after = name_change["after"]["documents"][0]["fields"]
    assert doc_before["name"]["value"] == "测**" and doc_after["name"]["value"] == "测**"
    number = doc_after["id_number"]["value"]
    assert number != fx.PRINCIPAL_ID and number.startswith(fx.PRINCIPAL_ID[:4])
    assert fx.PRINCIPAL_ID not in json.dumps(out, ensure_ascii=False)
    video_change = changed[rejected]
    assert (video_change["before"]["decision"], video_change["after"]["decision"]) == (
        "pass",
        "reject",
    )
    assert "video: reasons +FACE_MISMATCH" in video_change["changes"]
    assert out["decisions"] == {"pass -> pass": 2, "pass -> reject": 1}

    with env.rt.sessions() as s:
        # the old results are untouched
        assert {d.id: d.reading_enc for d in s.scalars(select(Document))} == originals
        flagged = set(
            s.scalars(
                select(AuditEvent.filing_id).where(AuditEvent.action == "filing.reverify_changed")
            )
        )
        assert flagged == {renamed, rejected}
        run = s.get(VerificationRun, out["run_id"])
        assert run is not None and run.status == "done"
        assert run.manifest_hash == out["manifest_hash"] and len(run.settings_hash) == 16
        assert jstore.flagged_results(s, renamed)[0]["run_id"] == out["run_id"]


def test_missing_and_unreadable_blobs_fail_their_item_only(env: Env) -> None:
    ok = seed(env)
    missing = seed(env)
    unreadable = seed(env)
    with env.rt.sessions() as s:
        docs = {d.filing_id: d for d in s.scalars(select(Document))}
    env.rt.blobs.delete(str(docs[missing].raw_key))
    key = str(docs[unreadable].raw_key)
    env.rt.blobs.delete(key)
    env.rt.blobs.raw.put(key, b"not what was sealed")

    out = report_json(execute(ctx(env), prepare(ctx(env), options()), engine(env)))

    assert (out["items"], out["done"], out["failed"], out["status"]) == (3, 1, 2, "done")
    errors = {f["filing_id"]: f["error"] for f in out["failures"]}
    assert errors == {missing: "BLOB_MISSING", unreadable: "BLOB_UNREADABLE"}
    assert ok not in errors


class Crash(Exception):
    """Stands for the process being killed between two results."""


class CrashingEngine:
    """Delivers ``after`` outcomes, then dies (the run's later items never come back)."""

    def __init__(self, inner: LocalEngine, after: int) -> None:
        self.inner, self.after = inner, after
        self.name, self.workers = inner.name, inner.workers

    def start(self) -> list[dict[str, Any]]:
        return self.inner.start()

    def run(self, tasks: Iterable[ItemTask]) -> Iterator[ItemOutcome]:
        for n, outcome in enumerate(self.inner.run(tasks)):
            if n == self.after:
                raise Crash
            yield outcome

    def close(self) -> None:
        self.inner.close()


def test_interrupted_run_resumes_and_writes_each_result_once(env: Env) -> None:
    fids = [seed(env, stored_name="测试乙" if i % 2 else fx.PRINCIPAL) for i in range(5)]
    first = prepare(ctx(env), options())
    with pytest.raises(Crash):
        execute(ctx(env), first, CrashingEngine(engine(env, 1), after=2))
    with env.rt.sessions() as s:
        assert jstore.get_run(s, str(first.info.run_id)).status == "running"
        assert len(jstore.finished_items(s, str(first.info.run_id))) == 2

    plan = report_json(execute(ctx(env), prepare(ctx(env), options(dry_run=True)), None))
    assert plan["run_id"] == first.info.run_id and plan["dry_run"] is True
    assert (plan["planned"]["to_run"], plan["planned"]["already_recorded"]) == (3, 2)

    again = prepare(ctx(env), options())  # same models, settings, selection: resumed
    assert again.info.run_id == first.info.run_id and again.info.resumed
    assert len(again.plan.finished) == 2 and len(again.plan.items) == 3
    resumed = report_json(execute(ctx(env), again, engine(env)))

    with env.rt.sessions() as s:
        per_item = dict(
            s.execute(
                select(VerificationResult.filing_id, func.count())
                .where(VerificationResult.run_id == first.info.run_id)
                .group_by(VerificationResult.filing_id)
            ).all()
        )
    assert per_item == dict.fromkeys(fids, 1)
    assert resumed["status"] == "done" and resumed["done"] == 5

    # A finished run is history: the same command now starts a new, uninterrupted run.
    fresh = prepare(ctx(env), options())
    assert fresh.info.run_id != first.info.run_id and not fresh.info.resumed
    uninterrupted = report_json(execute(ctx(env), fresh, engine(env)))
    assert stable(resumed) == stable(uninterrupted)
    assert len(uninterrupted["changed"]) == 2


def test_a_result_is_never_written_twice(env: Env) -> None:
    fid = seed(env, stored_name="测试乙")
    prepared = prepare(ctx(env), options())
    run_id = str(prepared.info.run_id)
    item = prepared.plan.items[0]
    eng = engine(env, 1)
    eng.start()
    try:
        task = jstore.load_task(env.rt.blobs, item)
        outcome = next(iter(eng.run([task])))
    finally:
        eng.close()
    with env.rt.sessions() as s:
        before = jstore.before_view(s, env.rt.cipher, item)
    first = jstore.record(env.rt.sessions, env.rt.cipher, run_id, before, outcome)
    second = jstore.record(env.rt.sessions, env.rt.cipher, run_id, before, outcome)
    assert first is not None and first.changed
    assert second is None
    with env.rt.sessions() as s:
        rows = s.scalar(select(func.count()).where(VerificationResult.run_id == run_id))
        flags = s.scalar(
            select(func.count()).where(
                AuditEvent.action == "filing.reverify_changed", AuditEvent.filing_id == fid
            )
        )
    assert (rows, flags) == (1, 1)


def test_selection_by_filing_and_date(env: Env) -> None:
    a = seed(env)
    seed(env)
    draft = seed(env, status="draft")
    import datetime as dt

    picked = prepare(ctx(env), options(selection=Selection(filing_ids=(a, draft)), dry_run=True))
    assert set(picked.items) == {a, draft}  # asked for by id: drafts too
    assert picked.info.run_id is None  # a dry run records nothing
    future = Selection(since=dt.date.today() + dt.timedelta(days=1))
    assert prepare(ctx(env), options(selection=future, dry_run=True)).items == ()
    with env.rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(VerificationRun)) == 0


def test_admin_endpoints_start_a_run_and_report_progress(env: Env) -> None:
    same = seed(env)
    renamed = seed(env, stored_name="测试乙")
    admin = env.reviewer("管理员", role="admin")
    reviewer = env.reviewer("审核员")
    c = env.client

    assert c.post("/v1/admin/reverify", json={}, headers=reviewer).status_code == 403
    assert c.post("/v1/admin/reverify", json={}).status_code == 401
    r = c.post("/v1/admin/reverify", json={"filing_ids": ["0" * 32]}, headers=admin)
    assert (r.status_code, r.json()["error"]) == (422, "UNKNOWN_FILING")
    r = c.post("/v1/admin/reverify", json={"since": "2024-13-40"}, headers=admin)
    assert r.status_code == 422 and r.json()["error"] == "INVALID_REQUEST"

    plan = c.post("/v1/admin/reverify", json={"dry_run": True}, headers=admin)
    assert plan.status_code == 200, plan.text
    assert plan.json()["run_id"] is None and plan.json()["planned"]["to_run"] == 2

    r = c.post("/v1/admin/reverify", json={"workers": 2}, headers=admin)
    assert r.status_code == 202, r.text
    run_id = r.json()["run_id"]
    assert r.json()["items"] == 2
    deadline = time.monotonic() + 60
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = c.get(f"/v1/admin/reverify/{run_id}", headers=admin).json()
        if body["status"] == "done":
            break
        time.sleep(0.05)
    assert body["status"] == "done", body
    assert (body["done"], body["failed"], body["pending"], body["changed_count"]) == (2, 0, 0, 1)
    assert [x["filing_id"] for x in body["report"]["changed"]] == [renamed]
    assert same not in json.dumps(body["report"]["changed"])
    assert c.get(f"/v1/admin/reverify/{run_id}", headers=reviewer).status_code == 403
    # the reviewer's view of a changed filing carries the flag
    flags = c.get(f"/v1/review/filings/{renamed}", headers=reviewer).json()["reverify_flags"]
    assert [f["run_id"] for f in flags] == [run_id]
    assert c.get(f"/v1/review/filings/{same}", headers=reviewer).json()["reverify_flags"] == []
    missing = c.get("/v1/admin/reverify/" + "f" * 32, headers=admin)
    assert (missing.status_code, missing.json()["error"]) == (404, "NOT_FOUND")
