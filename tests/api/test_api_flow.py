"""The mini-program flow and the reviewer API, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import api_fakes as fx
import pytest
from api_support import Env, EnvFactory
from sqlalchemy import text


def _create(env: Env, headers: dict[str, str], **kw: Any) -> dict[str, Any]:
    r = env.client.post("/v1/filings", json=fx.filing_body(**kw), headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _upload(env: Env, auth: dict[str, str], fid: str, spec: dict[str, Any], **extra: Any) -> Any:
    return env.client.post(
        f"/v1/filings/{fid}/documents",
        files={"file": ("doc.jpg", fx.fake_image(spec), "image/jpeg")},
        headers={**auth, **extra.pop("headers", {})},
        data=extra,
    )


def _video(env: Env, headers: dict[str, str], fid: str, script: dict[str, Any]) -> Any:
    return env.client.post(
        f"/v1/filings/{fid}/liveness/video",
        files={"file": ("v.mp4", fx.fake_video(script), "video/mp4")},
        headers=headers,
    )


def test_full_flow_masks_for_the_applicant_and_audits_the_reviewer(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    h = env.key("acme")
    f = _create(env, h)
    assert f["status"] == "draft"
    assert f["path"] == "video_check" and f["video_check_eligible"] is True
    assert f["filing_type"] == "first"
    principal = f["order"]["subject"]["principal"]
    assert principal["certificate_number"] == fx.PRINCIPAL_ID[:4] + "*" * 10 + fx.PRINCIPAL_ID[-4:]
    assert principal["name"] != fx.PRINCIPAL and principal["name"].startswith("测")
    assert {r["id"] for r in f["check"]["rules"]} >= {"R-MINI-1", "R-SITE-1"}
    fid = f["id"]

    r = _upload(env, h, fid, fx.license_spec())
    assert r.status_code == 200, r.text
    doc = r.json()["document"]
    assert doc["document_type"] == "business_license"
    assert doc["warnings"] == ["GLARE"]
    assert doc["fields"]["legal_representative"]["value"] != fx.PRINCIPAL

    r = _upload(env, h, fid, fx.id_front_spec())
    assert r.status_code == 200, r.text
    assert r.json()["document"]["fields"]["id_number"]["value"].count("*") == 10
    assert fx.PRINCIPAL_ID not in r.text

    # Biometric processing only after consent.
    r = env.client.post(f"/v1/filings/{fid}/liveness/challenge", headers=h)
    assert r.status_code == 403 and r.json()["error"] == "CONSENT_REQUIRED"
    r = env.client.post(f"/v1/filings/{fid}/consent", json={"biometric": True}, headers=h)
    assert r.status_code == 200 and r.json()["biometric"] is True
    r = env.client.post(f"/v1/filings/{fid}/liveness/challenge", headers=h)
    assert r.status_code == 201, r.text
    ch = r.json()
    assert len(ch["actions"]) == 3 and ch["nonce"]

    r = _video(env, h, fid, {"decision": "pass"})
    assert r.status_code == 202, r.text
    job = env.wait_job(h, fid, r.json()["job_id"])
    assert job["status"] == "done" and job["decision"] == "pass"
    assert "score" not in json.dumps(job)  # the applicant never sees scores

    r = env.client.post(f"/v1/filings/{fid}/submit", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "submitted"

    rv = env.reviewer()
    q = env.client.get("/v1/review/queue", headers=rv).json()["items"]
    assert [i["id"] for i in q] == [fid]
    assert fx.COMPANY not in json.dumps(q, ensure_ascii=False)

    detail = env.client.get(f"/v1/review/filings/{fid}", headers=rv).json()
    assert detail["order"]["subject"]["principal"]["certificate_number"] == fx.PRINCIPAL_ID
    assert detail["video_checks"][0]["verdict"]["match"]["score"] == 86.0

    r = env.client.post(
        f"/v1/review/filings/{fid}/decision",
        json={"decision": "approve", "reasons": [], "comment": "资料齐全"},
        headers=rv,
    )
    # initial review passed; the video check done before submission counts at once
    assert r.status_code == 200 and r.json()["stage"] == "second_review", r.text
    r = env.client.post(
        f"/v1/review/filings/{fid}/decision", json={"decision": "approve"}, headers=rv
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert r.json()["stage"] == "at_authority"  # Guangdong: no SMS verification
    r = env.client.post(
        f"/v1/review/filings/{fid}/decision", json={"decision": "approve"}, headers=rv
    )
    assert r.status_code == 409

    admin = env.reviewer("管理员", "admin")
    events = env.client.get(f"/v1/admin/audit?filing_id={fid}", headers=admin).json()["events"]
    actions = [e["action"] for e in events]
    for expected in (
        "filing.create",
        "document.upload",
        "consent.biometric",
        "video.upload",
        "filing.submit",
        "filing.view",
        "filing.approve",
    ):
        assert expected in actions
    consent_at = actions.index("consent.biometric")
    assert actions.index("video.upload") < consent_at  # newest first: video after consent

    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert fx.PRINCIPAL_ID not in logged and fx.PRINCIPAL not in logged


def test_autofill_fills_only_empty_fields(env: Env) -> None:
    h = env.key()
    f = _create(env, h, certificate_address="")
    r = _upload(env, h, f["id"], fx.license_spec())
    assert r.status_code == 200, r.text
    assert "subject.certificate_address" in r.json()["autofilled"]
    assert "subject.name" not in r.json()["autofilled"]  # typed values are kept
    rv = env.reviewer()
    detail = env.client.get(f"/v1/review/filings/{f['id']}", headers=rv).json()
    assert detail["order"]["subject"]["certificate_address"] == fx.COMPANY_ADDRESS


def test_accounts_are_isolated_and_roles_enforced(env: Env) -> None:
    a, b = env.key("acme"), env.key("globex")
    fid = _create(env, a)["id"]
    assert env.client.get(f"/v1/filings/{fid}", headers=b).status_code == 404
    assert env.client.patch(f"/v1/filings/{fid}", json={}, headers=b).status_code == 404
    assert _upload(env, b, fid, fx.license_spec()).status_code == 404
    assert env.client.get(f"/v1/filings/{fid}").status_code == 401
    bad = {"Authorization": "Bearer nope"}
    r = env.client.get(f"/v1/filings/{fid}", headers=bad)
    assert r.status_code == 401 and r.json()["error"] == "UNAUTHORIZED"
    assert env.client.get("/v1/review/queue", headers=a).status_code == 401
    rv = env.reviewer()
    assert env.client.get("/v1/admin/audit", headers=rv).status_code == 403
    assert env.client.get(f"/v1/filings/{fid}", headers=rv).status_code == 401


def test_bad_input_gets_clear_errors(env: Env) -> None:
    h = env.key()
    r = env.client.post("/v1/filings", json={"region": {}}, headers=h)
    assert r.status_code == 422 and r.json()["error"] in ("MISSING_FIELD", "INVALID_FIELD")
    assert "region" in r.json()["detail"]
    fid = _create(env, h)["id"]
    r = env.client.post(
        f"/v1/filings/{fid}/documents",
        files={"file": ("x.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg")},
        headers=h,
    )
    assert r.status_code in (415, 422) and r.json()["error"] in (
        "CORRUPT_IMAGE",
        "UNSUPPORTED_FORMAT",
    )
    r = env.client.post(
        f"/v1/filings/{fid}/documents", files={"file": ("x.jpg", b"", "image/jpeg")}, headers=h
    )
    assert r.status_code == 422 and r.json()["error"] == "EMPTY_FILE"
    r = env.client.patch(f"/v1/filings/{fid}", json={"status": "approved"}, headers=h)
    assert r.status_code == 422
    r = env.client.patch(f"/v1/filings/{fid}", json={"websites": [{"name": 3}]}, headers=h)
    assert r.status_code == 422 and "websites" in r.json()["detail"]
    r = env.client.post(f"/v1/filings/{fid}/consent", json={"biometric": False}, headers=h)
    assert r.status_code == 422 and r.json()["error"] == "INVALID_REQUEST"
    r = env.client.post(f"/v1/filings/{fid}/submit", headers=h)
    assert r.status_code == 409


def test_upload_limits(make_env: EnvFactory) -> None:
    env = make_env(max_upload_bytes=2000)
    h = env.key()
    fid = _create(env, h)["id"]
    r = _upload(env, h, fid, fx.license_spec())
    assert r.status_code == 413 and r.json()["error"] == "FILE_TOO_LARGE"


def test_reject_needs_reason_codes(env: Env) -> None:
    h, rv = env.key(), env.reviewer()
    f = _create(env, h, domain="example.org")
    # A filing on the backdrop-photo path submits without a video check.
    env.client.patch(f"/v1/filings/{f['id']}", json={"account_has_cvm": False}, headers=h)
    assert _upload(env, h, f["id"], fx.license_spec()).status_code == 200
    assert env.client.post(f"/v1/filings/{f['id']}/submit", headers=h).status_code == 200
    url = f"/v1/review/filings/{f['id']}/decision"
    r = env.client.post(url, json={"decision": "reject", "reasons": []}, headers=rv)
    assert r.status_code == 422 and r.json()["error"] == "MISSING_FIELD"
    r = env.client.post(url, json={"decision": "reject", "reasons": ["R-REJ-9"]}, headers=rv)
    assert r.status_code == 422
    r = env.client.post(
        url, json={"decision": "reject", "reasons": ["R-REJ-1", "R-REJ-5"]}, headers=rv
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"


def test_idempotent_uploads(env: Env) -> None:
    h = env.key()
    fid = _create(env, h)["id"]
    key = {"Idempotency-Key": "upload-1"}
    first = _upload(env, h, fid, fx.license_spec(), headers=key)
    again = _upload(env, h, fid, fx.license_spec(), headers=key)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.json()["document"]["id"] == again.json()["document"]["id"]
    other = _upload(env, h, fid, fx.id_front_spec(), headers=key)
    assert other.status_code == 422 and other.json()["error"] == "IDEMPOTENCY_MISMATCH"
    view = env.client.get(f"/v1/filings/{fid}", headers=h).json()
    assert len(view["documents"]) == 1


def test_saturated_pool_answers_503_with_retry_after(make_env: EnvFactory) -> None:
    env = make_env(workers=1, max_queue=0, retry_after_s=7)
    h = env.key()
    fid = _create(env, h)["id"]
    slow = {**fx.license_spec(), "sleep_s": 3.0}
    results: list[Any] = []
    t = threading.Thread(target=lambda: results.append(_upload(env, h, fid, slow)))
    t.start()
    deadline = time.monotonic() + 30
    while env.rt.pool.accepted == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert env.rt.pool.accepted == 1  # the slow upload holds the only place
    r = _upload(env, h, fid, fx.license_spec())
    t.join()
    assert r.status_code == 503 and r.headers["Retry-After"] == "7"
    assert r.json()["error"] == "SATURATED"
    assert results[0].status_code == 200
    metrics = env.client.get("/metrics").text
    assert "kyc_pool_rejected_total 1.0" in metrics


def test_repeated_failed_video_checks_lock_the_filing(make_env: EnvFactory) -> None:
    env = make_env(lockout_failures=2)
    h = env.key()
    fid = _create(env, h)["id"]
    assert _upload(env, h, fid, fx.id_front_spec()).status_code == 200
    env.client.post(f"/v1/filings/{fid}/consent", json={"biometric": True}, headers=h)
    for _ in range(2):
        assert (
            env.client.post(f"/v1/filings/{fid}/liveness/challenge", headers=h).status_code == 201
        )
        r = _video(env, h, fid, {"decision": "reject", "reasons": ["STATIC_PHOTO"]})
        assert r.status_code == 202
        job = env.wait_job(h, fid, r.json()["job_id"])
        assert job["decision"] == "reject"
    r = env.client.post(f"/v1/filings/{fid}/liveness/challenge", headers=h)
    assert r.status_code == 429 and r.json()["error"] == "LOCKED_OUT"
    assert int(r.headers["Retry-After"]) > 0


def test_video_needs_challenge_and_portrait(env: Env) -> None:
    h = env.key()
    fid = _create(env, h)["id"]
    env.client.post(f"/v1/filings/{fid}/consent", json={"biometric": True}, headers=h)
    r = _video(env, h, fid, {"decision": "pass"})
    assert r.status_code == 409 and r.json()["error"] == "NO_CHALLENGE"
    env.client.post(f"/v1/filings/{fid}/liveness/challenge", headers=h)
    r = _video(env, h, fid, {"decision": "pass"})
    assert r.status_code == 409 and r.json()["error"] == "NO_PORTRAIT"
    _upload(env, h, fid, fx.id_front_spec())
    r = env.client.post(
        f"/v1/filings/{fid}/liveness/video",
        files={"file": ("v.mp4", b"\x00garbage", "video/mp4")},
        headers=h,
    )
    # Refused at upload: nothing queued, the challenge still unused.
    assert r.status_code == 415 and r.json()["error"] == "UNSUPPORTED_FORMAT"
    r = _video(env, h, fid, {"decision": "pass"})
    assert r.status_code == 202, r.text


def test_personal_data_is_encrypted_at_rest(env: Env) -> None:
    h = env.key()
    fid = _create(env, h)["id"]
    assert _upload(env, h, fid, fx.id_front_spec()).status_code == 200
    with env.rt.engine.connect() as conn:
        dump = ""
        for table in ("filings", "documents", "audit_events"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                dump += repr(tuple(row))
    assert fid in dump
    for secret in (fx.PRINCIPAL_ID, fx.PRINCIPAL, fx.COMPANY, "13800138000"):
        assert secret not in dump
    blob_root = env.settings.data_dir / "blobs"
    blobs = [p for p in blob_root.rglob("*") if p.is_file()]
    assert blobs
    assert all(not p.read_bytes().startswith(b"\xff\xd8") for p in blobs)


def test_health_and_metrics(env: Env) -> None:
    assert env.client.get("/healthz").json()["status"] == "ok"
    h = env.key()
    fid = _create(env, h)["id"]
    _upload(env, h, fid, fx.license_spec())
    m = env.client.get("/metrics").text
    assert 'kyc_http_request_seconds_count{method="POST",route="/v1/filings",status="201"}' in m
    assert 'kyc_stage_seconds_count{stage="ocr"} 1.0' in m
    assert "kyc_pool_queue_depth" in m


def _ready_for_video(env: Env, h: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """A filing with an ID front, biometric consent and a challenge; the video to send."""
    fid = _create(env, h)["id"]
    _upload(env, h, fid, fx.id_front_spec())
    env.client.post(f"/v1/filings/{fid}/consent", json={"biometric": True}, headers=h)
    env.client.post(f"/v1/filings/{fid}/liveness/challenge", headers=h)
    return fid, {"file": ("v.mp4", fx.fake_video({"decision": "pass"}), "video/mp4")}


def test_video_upload_is_idempotent_and_leaves_no_temp_files(env: Env) -> None:
    h = env.key()
    fid, files = _ready_for_video(env, h)
    headers = {**h, "Idempotency-Key": "video-1"}
    first = env.client.post(f"/v1/filings/{fid}/liveness/video", files=files, headers=headers)
    again = env.client.post(f"/v1/filings/{fid}/liveness/video", files=files, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["job_id"] == again.json()["job_id"]
    env.wait_job(h, fid, first.json()["job_id"])
    assert list((env.settings.data_dir / "tmp").iterdir()) == []


def test_a_video_jobs_scratch_copy_is_gone_before_its_result_is_written(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    # whoever sees the job done must see no copy of its video left (a client polling
    # the job, a test, a disk quota): the copy goes first, then the result
    from kyc.api import jobrunner

    seen: list[list[str]] = []
    store = jobrunner.store_outcome

    def watched(*args: Any, **kwargs: Any) -> bool:
        seen.append([p.name for p in (env.settings.data_dir / "tmp").glob("jobs-*")])
        return store(*args, **kwargs)

    monkeypatch.setattr(jobrunner, "store_outcome", watched)
    h = env.key()
    fid, files = _ready_for_video(env, h)
    job = env.client.post(f"/v1/filings/{fid}/liveness/video", files=files, headers=h).json()
    env.wait_job(h, fid, job["job_id"])
    assert seen == [[]]


def test_odd_identifiers_are_unknown_not_errors(env: Env) -> None:
    h, admin = env.key(), env.reviewer("admin", "admin")
    fid = _create(env, h)["id"]
    for odd in ("%00", "a%00b", "x" * 40, fid.upper()):
        r = env.client.get(f"/v1/filings/{odd}", headers=h)
        assert r.status_code == 404 and r.json()["error"] == "NOT_FOUND"
    r = env.client.get("/v1/admin/audit", params={"filing_id": "\x00"}, headers=admin)
    assert r.status_code == 200 and r.json()["events"] == []
    r = env.client.post(
        f"/v1/filings/{fid}/consent", json={"biometric": True, "version": "v\x00"}, headers=h
    )
    assert r.status_code == 422


def test_two_uploads_to_one_filing_at_once_both_land(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A front and a license uploaded at once (two instances, or two requests of one):
    the first is held inside its transaction until the second has committed; it then
    finds the filing changed and is applied again on the fresh one, not refused."""
    import threading

    from kyc.api.usecases import documents
    from kyc.api.usecases.rules import run_checks

    h = env.key()
    f = _create(env, h)
    real = run_checks
    entered, other_done = threading.Event(), threading.Event()
    calls: list[str] = []

    def held(*args: Any) -> Any:
        calls.append(threading.current_thread().name)
        if not entered.is_set():
            entered.set()
            assert other_done.wait(60)
        return real(*args)

    monkeypatch.setattr(documents, "run_checks", held)
    first: list[Any] = []
    thread = threading.Thread(
        target=lambda: first.append(_upload(env, h, f["id"], fx.id_front_spec()))
    )
    thread.start()
    assert entered.wait(60)
    second = _upload(env, h, f["id"], fx.license_spec())
    other_done.set()
    thread.join(60)
    assert second.status_code == 200, second.text
    assert first and first[0].status_code == 200, first[0].text if first else "no answer"
    assert len(calls) == 3  # the held one ran twice: once refused, once applied
    got = env.client.get(f"/v1/filings/{f['id']}", headers=h).json()
    kinds = sorted(d["document_type"] for d in got["documents"])
    assert kinds == ["business_license", "id_card_front"]
