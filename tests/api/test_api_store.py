"""Storage, privacy and operations: encryption key policy, crash safety, purge, CLI, S3."""

from __future__ import annotations

import base64
import datetime as dt
import json
import multiprocessing
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import api_fakes as fx
import pytest
from api_support import Env, EnvFactory, make_settings
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kyc.api.app import create_app
from kyc.api.runtime import build_runtime
from kyc.cli import main as kyc_main
from kyc.config import Settings, get_settings
from kyc.errors import ErrorCode, SystemFault
from kyc.privacy import mask_id, mask_tree
from kyc.service_settings import S3Settings, ServiceSettings
from kyc.store import repo
from kyc.store.blobs import sign_v4
from kyc.store.crypto import FieldCipher
from kyc.store.open import open_store
from kyc.store.tables import (
    Account,
    AuditEvent,
    BlobIntent,
    Document,
    Filing,
    VideoCheck,
    utcnow,
)

PURGE_HELPER = Path(__file__).resolve().parent / "purge_proc.py"


def _sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kyc.sqlite3'}"


def test_refuses_to_start_without_a_key_outside_development(tmp_path: Path) -> None:
    cfg = Settings(
        environment="production",
        data_dir=tmp_path,
        service=ServiceSettings(database_url=_sqlite(tmp_path)),
    )
    with pytest.raises(SystemFault) as err:
        build_runtime(cfg, pool_kind="thread")
    assert err.value.code == ErrorCode.CONFIG_ERROR
    bad = cfg.model_copy(update={"service": ServiceSettings(encryption_key="c2hvcnQ=")})
    with pytest.raises(SystemFault):
        open_store(bad)


def test_development_key_is_generated_once_and_reused(tmp_path: Path) -> None:
    cfg = Settings(environment="development", data_dir=tmp_path)
    _e1, _s1, cipher1, _b = open_store(cfg)
    key_file = tmp_path / "dev-encryption.key"
    assert key_file.exists() and (key_file.stat().st_mode & 0o077) == 0
    token = cipher1.encrypt_text("4403", "t")
    _e2, _s, cipher2, _b2 = open_store(cfg)
    assert cipher2.decrypt_text(token, "t") == "4403"


def test_ciphertext_is_bound_to_its_column() -> None:
    cipher = FieldCipher(secrets.token_bytes(32))
    token = cipher.encrypt_json({"id": fx.PRINCIPAL_ID}, "order")
    assert fx.PRINCIPAL_ID not in token
    assert cipher.decrypt_json(token, "order") == {"id": fx.PRINCIPAL_ID}
    with pytest.raises(SystemFault):
        cipher.decrypt_json(token, "reading")


def test_a_crash_between_blob_and_row_leaves_nothing_dangling(tmp_path: Path, db_url: str) -> None:
    cfg = make_settings(tmp_path, db_url)
    _e, sessions, _c, blobs = open_store(cfg)
    orphan, _intent = repo.write_blob(sessions, blobs, b"written, then the process died")
    kept, kept_intent = repo.write_blob(sessions, blobs, b"written, row committed")
    with sessions() as s:
        s.add(
            Document(
                id="d" * 32,
                filing_id=_filing(s),
                document_type="unknown",
                reading_enc="x",
                raw_key=kept,
            )
        )
        repo.settle_intents(s, [kept_intent])
        s.commit()
    assert blobs.exists(orphan) and blobs.exists(kept)
    assert repo.recover_intents(sessions, blobs, dt.timedelta(0)) == 1
    assert not blobs.exists(orphan)
    assert blobs.get(kept) == b"written, row committed"


def _filing(session: Session) -> str:
    session.add(Account(id="acme"))
    session.add(Filing(id="f" * 32, account_id="acme", status="draft", order_enc="x"))
    session.flush()
    return "f" * 32


def test_purge_deletes_images_keeps_results_and_audit(tmp_path: Path, db_url: str) -> None:
    cfg = make_settings(tmp_path, db_url)
    rt = build_runtime(cfg, pool_kind="thread", reader_spec=fx.READER, video_spec=fx.VIDEO)
    with rt.sessions() as s:
        auth = {"Authorization": "Bearer " + repo.create_api_key(s, "acme")}
    with TestClient(create_app(runtime=rt)) as client:
        fid = client.post("/v1/filings", json=fx.filing_body(), headers=auth).json()["id"]
        r = client.post(
            f"/v1/filings/{fid}/documents",
            files={"file": ("d.jpg", fx.fake_image(fx.id_front_spec()), "image/jpeg")},
            headers=auth,
        )
        assert r.status_code == 200
        with rt.sessions() as s:
            doc = s.scalars(select(Document)).one()
            keys = [doc.raw_key, doc.evidence_key, doc.portrait_key]
        assert all(k and rt.blobs.exists(k) for k in keys)
        # Nothing is old enough yet.
        assert repo.purge(rt.sessions, rt.blobs, dt.timedelta(days=30)).documents == 0
        later = utcnow() + dt.timedelta(days=31)
        report = repo.purge(rt.sessions, rt.blobs, dt.timedelta(days=30), now=lambda: later)
        assert report.documents == 1 and report.blobs_deleted == 3
        assert not any(rt.blobs.exists(k) for k in keys if k)
        view = client.get(f"/v1/filings/{fid}", headers=auth).json()
        assert view["documents"][0]["purged"] is True
        assert view["documents"][0]["fields"]["id_number"]["value"].endswith(fx.PRINCIPAL_ID[-4:])
    with rt.sessions() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent))]
    assert "purge" in actions and "document.upload" in actions
    rt.close()


def test_cli_credentials_and_purge(
    tmp_path: Path,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    monkeypatch.setenv("KYC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KYC_ENVIRONMENT", "test")
    monkeypatch.setenv("KYC_SERVICE__ENCRYPTION_KEY", key)
    monkeypatch.setenv("KYC_DATABASE_URL", db_url)
    get_settings.cache_clear()
    try:
        assert kyc_main(["keys", "create", "--account", "acme"]) == 0
        token = capsys.readouterr().out
        assert token.endswith("\n") and token.count("\n") == 1 and token.startswith("kyc_ak_")
        assert kyc_main(["reviewers", "create", "王审核", "--role", "admin"]) == 0
        rtoken = capsys.readouterr().out.strip()
        assert rtoken.startswith("kyc_rv_")
        assert kyc_main(["purge", "--older-than", "30d"]) == 0
        assert json.loads(capsys.readouterr().out) == {
            "documents": 0,
            "videos": 0,
            "blobs_deleted": 0,
        }
        assert kyc_main(["purge", "--older-than", "soon"]) == 2
        engine, sessions, _c, _b = open_store(get_settings())
        assert engine.url.get_backend_name() == ("sqlite" if "sqlite" in db_url else "postgresql")
        with sessions() as s:
            assert repo.account_for_key(s, token.strip()) == "acme"
            who = repo.reviewer_for_token(s, rtoken)
            assert who is not None and who.role == "admin"
    finally:
        get_settings.cache_clear()


def _stored_filing(env: Env) -> list[str]:
    """A filing with an ID front, a license and a finished video check (the test doubles
    of the reader and the video check): the keys of the blobs its rows refer to."""
    h = env.key()
    c = env.client
    fid = c.post("/v1/filings", json=fx.filing_body(), headers=h).json()["id"]
    for spec in (fx.id_front_spec(), fx.license_spec()):
        r = c.post(
            f"/v1/filings/{fid}/documents",
            files={"file": ("d.jpg", fx.fake_image(spec), "image/jpeg")},
            headers=h,
        )
        assert r.status_code == 200, r.text
    assert c.post(f"/v1/filings/{fid}/consent", json={"biometric": True}, headers=h).is_success
    assert c.post(f"/v1/filings/{fid}/liveness/challenge", headers=h).status_code == 201
    r = c.post(
        f"/v1/filings/{fid}/liveness/video",
        files={"file": ("v.mp4", fx.fake_video({"decision": "pass"}), "video/mp4")},
        headers=h,
    )
    assert r.status_code == 202, r.text
    assert env.wait_job(h, fid, r.json()["job_id"])["decision"] == "pass"
    return sorted(_referenced(env))


def _referenced(env: Env) -> set[str]:
    with env.rt.sessions() as s:
        keys = [
            k
            for d in s.scalars(select(Document))
            for k in (d.raw_key, d.evidence_key, d.portrait_key)
        ]
        keys += [k for v in s.scalars(select(VideoCheck)) for k in (v.video_key, v.best_frame_key)]
    return {k for k in keys if k}


def _purge_a_month_on(env: Env) -> None:
    later = utcnow() + dt.timedelta(days=31)
    repo.purge(env.rt.sessions, env.rt.blobs, dt.timedelta(days=30), now=lambda: later)


def test_purge_killed_part_way_is_finished_by_the_next_start(
    tmp_path: Path, make_env: EnvFactory
) -> None:
    """A purge SIGKILLed at random points (bounded: two rounds, each on a filing of its
    own) — inside its transaction, after k of its blob deletions, or before it settles its
    deletion intents: killed inside the transaction nothing has changed; killed later, the
    rows are purged and the next start's recovery deletes the blobs left. Either way, after
    a purge that ran to its end, no blob of the purged rows is left and no intent stays."""
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    env = make_env()
    for round_ in range(2):
        keys = _stored_filing(env)
        where = rng.choice(["transaction", *map(str, range(len(keys))), "settle"])
        why = f"seed {seed}, round {round_}, killed at {where}"
        cfg = tmp_path / f"settings-{round_}.json"
        cfg.write_text(env.settings.model_dump_json())
        proc = subprocess.run(
            [sys.executable, str(PURGE_HELPER), str(cfg), where],
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == -signal.SIGKILL, (why, proc.stderr.decode()[-2000:])
        if where == "transaction":
            assert _referenced(env) == set(keys), why  # rolled back: nothing purged
            assert all(env.rt.blobs.exists(k) for k in keys), why
            _purge_a_month_on(env)
        else:
            assert _referenced(env) == set(), why  # the rows were purged (committed)
            deleted = sum(not env.rt.blobs.exists(k) for k in keys)
            assert deleted == (len(keys) if where == "settle" else int(where)), why
            env = make_env()  # the next start: recovery completes the purge
        assert not any(env.rt.blobs.exists(k) for k in keys), why
        with env.rt.sessions() as s:
            assert s.scalar(select(func.count()).select_from(BlobIntent)) == 0, why
            purges = s.scalars(select(AuditEvent).where(AuditEvent.action == "purge")).all()
            assert len(purges) == round_ + 1, why  # one purge committed per round
            docs = s.scalars(select(Document)).all()
            assert docs and all(d.purged_at is not None for d in docs), why


def test_process_pool_loads_the_reader_in_workers(tmp_path: Path) -> None:
    cfg = make_settings(tmp_path, _sqlite(tmp_path), workers=1)
    rt = build_runtime(cfg, pool_kind="process", reader_spec=fx.READER, video_spec=fx.VIDEO)
    with rt.sessions() as s:
        auth = {"Authorization": "Bearer " + repo.create_api_key(s, "acme")}
    with TestClient(create_app(runtime=rt)) as client:
        fid = client.post("/v1/filings", json=fx.filing_body(), headers=auth).json()["id"]
        for _ in range(2):
            r = client.post(
                f"/v1/filings/{fid}/documents",
                files={"file": ("d.jpg", fx.fake_image(fx.license_spec()), "image/jpeg")},
                headers=auth,
            )
            assert r.status_code == 200, r.text
        bad = client.post(
            f"/v1/filings/{fid}/documents",
            files={"file": ("d.jpg", b"GIF89a-broken", "image/gif")},
            headers=auth,
        )
        assert bad.status_code in (415, 422) and bad.json()["error"] != "INTERNAL"
    rt.close()


def test_a_pool_worker_that_died_while_idle_is_replaced(tmp_path: Path) -> None:
    """A pool worker SIGKILLed between requests (the out-of-memory killer, an operator)
    left the whole process pool broken: every later read and video check failed until the
    service restarted. The pool is replaced at the next request, which reads as usual."""
    cfg = make_settings(tmp_path, _sqlite(tmp_path), workers=1)
    rt = build_runtime(cfg, pool_kind="process", reader_spec=fx.READER, video_spec=fx.VIDEO)
    # other tests' pools may still be on their way out: this pool's workers are the new ones
    others = {p.pid for p in multiprocessing.active_children()}
    rt.pool.start()
    with rt.sessions() as s:
        auth = {"Authorization": "Bearer " + repo.create_api_key(s, "acme")}
    with TestClient(create_app(runtime=rt)) as client:
        fid = client.post("/v1/filings", json=fx.filing_body(), headers=auth).json()["id"]
        [worker] = [p for p in multiprocessing.active_children() if p.pid not in others]
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(timeout=30)
        time.sleep(1.0)  # the pool's manager thread sees the worker gone: the pool is broken
        for _ in range(2):
            r = client.post(
                f"/v1/filings/{fid}/documents",
                files={"file": ("d.jpg", fx.fake_image(fx.id_front_spec()), "image/jpeg")},
                headers=auth,
            )
            assert r.status_code == 200, r.text
        [replacement] = [p for p in multiprocessing.active_children() if p.pid not in others]
        assert replacement.pid != worker.pid
    rt.close()


def test_masking() -> None:
    assert mask_id("44030519850314123X") == "4403**********123X"
    tree = mask_tree(
        {
            "subject": {"name": "测试甲", "certificate_number": fx.PRINCIPAL_ID, "nature": "x"},
            "websites": [{"name": "示例科技官网"}],
            "fields": {"address": {"value": "广东省深圳市南山区科技园路1号", "confidence": 0.9}},
        }
    )
    assert tree["subject"]["name"] == "测**"
    assert tree["subject"]["nature"] == "x"
    assert tree["websites"][0]["name"] == "示例科技官网"
    assert (
        tree["fields"]["address"]["value"].startswith("广东省深圳市")
        and "南山" not in tree["fields"]["address"]["value"]
    )


def test_s3_signature_matches_the_aws_example() -> None:
    # AWS Signature Version 4 documentation, "GET Bucket (List Objects)" example.
    cfg = S3Settings(
        endpoint_url="https://examplebucket.s3.amazonaws.com",
        bucket="examplebucket",
        access_key_id="AKIAIOSFODNN7EXAMPLE",
        secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    headers = sign_v4(
        "GET",
        "https://examplebucket.s3.amazonaws.com/",
        {"max-keys": "2", "prefix": "J"},
        b"",
        cfg,
        dt.datetime(2013, 5, 24, tzinfo=dt.UTC),
    )
    assert headers["authorization"].endswith(
        "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
    )


def test_serve_refuses_to_start_without_a_key_in_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KYC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KYC_ENVIRONMENT", "production")
    monkeypatch.delenv("KYC_SERVICE__ENCRYPTION_KEY", raising=False)
    monkeypatch.delenv("KYC_ENCRYPTION_KEY", raising=False)
    get_settings.cache_clear()
    try:
        assert kyc_main(["serve", "--port", "1"]) == 1
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert err.startswith("kyc: CONFIG_ERROR: no encryption key")
    assert not (tmp_path / "dev-encryption.key").exists()
