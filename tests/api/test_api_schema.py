"""Schemathesis against the app's OpenAPI: no 500s, every error has the documented body."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import api_fakes as fx
import pytest
import schemathesis
from api_support import make_settings
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import response_schema_conformance

from kyc.api.app import create_app
from kyc.api.runtime import build_runtime
from kyc.store import repo

TOKENS: dict[str, str] = {}


@pytest.fixture
def api_schema(tmp_path: Path, db_url: str) -> Any:
    cfg = make_settings(tmp_path, db_url)
    rt = build_runtime(
        cfg,
        pool_kind="thread",
        reader_spec=fx.READER,
        video_spec=fx.VIDEO,
        backdrop_spec=fx.BACKDROP,
        form_spec=fx.FORM,
    )
    with rt.sessions() as s:
        TOKENS["key"] = repo.create_api_key(s, "acme")
        TOKENS["admin"] = repo.create_reviewer(s, "admin", "admin")
    app = create_app(runtime=rt)
    client = TestClient(app)
    # One real filing so that some generated ids are not all unknown.
    r = client.post(
        "/v1/filings",
        json=fx.filing_body(),
        headers={"Authorization": "Bearer " + TOKENS["key"]},
    )
    assert r.status_code == 201
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _checker(operation: Any, token: str) -> Any:
    path = operation.path

    @given(case=operation.as_strategy())
    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: Any) -> None:
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, (case.method, path, response.text[:300])
        if response.status_code >= 400:
            body = response.json()
            assert set(body) == {"error", "detail"}, body
        # Every body matches what the OpenAPI document says of it (success and error).
        case.validate_response(response, checks=[response_schema_conformance])

    return check


def test_no_server_errors(api_schema: Any) -> None:
    """A bounded number of generated requests per operation; none may answer 5xx."""
    seen = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        review = operation.path.startswith(("/v1/review", "/v1/admin"))
        _checker(operation, TOKENS["admin"] if review else TOKENS["key"])()
        seen += 1
    assert seen >= 10  # every documented operation was exercised
