"""Helpers shared by the API and browser tests (imported by name; see conftest.py)."""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from kyc.api.runtime import Runtime
from kyc.config import Settings
from kyc.service_settings import ServiceSettings
from kyc.store import repo


def make_settings(tmp_path: Path, db_url: str, **service: Any) -> Settings:
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    svc = {"database_url": db_url, "encryption_key": key, "workers": 1, "max_queue": 4}
    svc.update(service)
    return Settings(
        environment="test",
        data_dir=tmp_path / "var",
        service=ServiceSettings(**svc),
    )


@dataclass
class Env:
    client: TestClient
    rt: Runtime
    settings: Settings

    def key(self, account: str = "acme") -> dict[str, str]:
        with self.rt.sessions() as s:
            return {"Authorization": "Bearer " + repo.create_api_key(s, account)}

    def reviewer(self, name: str = "审核员A", role: str = "reviewer") -> dict[str, str]:
        with self.rt.sessions() as s:
            return {"Authorization": "Bearer " + repo.create_reviewer(s, name, role)}

    def wait_job(self, headers: dict[str, str], fid: str, job: str) -> dict[str, Any]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            r = self.client.get(f"/v1/filings/{fid}/liveness/jobs/{job}", headers=headers)
            assert r.status_code == 200, r.text
            if r.json()["status"] in ("done", "failed"):
                return dict(r.json())
            time.sleep(0.05)
        raise AssertionError("video job did not finish")


EnvFactory = Callable[..., Env]
