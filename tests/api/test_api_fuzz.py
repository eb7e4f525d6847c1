"""Property-based tests over the API and the CLI (issue 15): they assert codes, not only
"no 500".

- Stateful Schemathesis: sequences of calls chained by the links Schemathesis infers from
  the OpenAPI document (a filing created, then read, patched, uploaded to, submitted...);
  every answer is below 500, every error has the ``{error, detail}`` body with a code of
  the service (never the generic ``HTTP_ERROR`` or ``INTERNAL``), and matches its schema.
- Hostile filings: the sample filing with one value replaced by something hostile (a
  control or bidi character, a long text, a deep tree, a huge number, a wrong kind, an
  unknown key) goes both to ``POST /v1/filings`` and to ``kyc check-filing``: both accept
  it or both refuse it with the same code, and nothing refused is stored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import api_fakes as fx
import pytest
import schemathesis
from api_support import make_settings
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import response_schema_conformance
from sqlalchemy import func, select

from kyc.api.app import create_app
from kyc.api.errors import ApiCode
from kyc.api.runtime import Runtime, build_runtime
from kyc.cli import main
from kyc.errors import ErrorCode
from kyc.store import repo
from kyc.store.tables import Filing

KNOWN_CODES = (
    {str(c) for c in ApiCode}
    | {str(c) for c in ErrorCode}
    | {
        "METHOD_NOT_ALLOWED",
        "BAD_REQUEST",
    }
)
KNOWN_CODES -= {"INTERNAL"}


@pytest.fixture
def runtime(tmp_path: Path) -> Any:
    cfg = make_settings(tmp_path, f"sqlite:///{tmp_path / 'kyc.sqlite3'}")
    rt = build_runtime(
        cfg,
        pool_kind="thread",
        reader_spec=fx.READER,
        video_spec=fx.VIDEO,
        backdrop_spec=fx.BACKDROP,
        form_spec=fx.FORM,
    )
    yield rt
    rt.close()


def test_stateful_sequences_answer_with_codes(runtime: Runtime) -> None:
    with runtime.sessions() as s:
        key = repo.create_api_key(s, "acme")
        admin = repo.create_reviewer(s, "admin", "admin")
    app = create_app(runtime=runtime)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    counter = iter(range(10**6))

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: Any) -> None:
            # Half the filings are valid, so the links lead somewhere past 404 and 422.
            if case.method == "POST" and case.path == "/v1/filings" and next(counter) % 2 == 0:
                case.body = fx.filing_body(domain=f"s{next(counter)}.example.com")

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            review = case.path.startswith(("/v1/review", "/v1/admin"))
            return {"headers": {"Authorization": f"Bearer {admin if review else key}"}}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            assert response.status_code < 500, (case.method, case.path, response.text[:300])
            if response.status_code >= 400:
                body = response.json()
                assert set(body) == {"error", "detail"}, body
                assert body["error"] in KNOWN_CODES, body
            case.validate_response(
                response,
                checks=[response_schema_conformance],
                transport_kwargs=kwargs or None,
            )

    Workflow.run(
        settings=settings(
            max_examples=25,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    with runtime.sessions() as s:
        assert (s.scalar(select(func.count()).select_from(Filing)) or 0) > 0  # links reached


# --------------------------------------------------------------------------- hostile filings

PATHS: list[tuple[Any, ...]] = [
    ("subject", "name"),
    ("subject", "note"),
    ("subject", "certificate_address"),
    ("subject", "principal", "name"),
    ("subject", "principal", "mobile"),
    ("subject", "nature"),
    ("region", "province"),
    ("websites", 0, "name"),
    ("websites", 0, "domains", 0),
    ("websites", 0, "homepage_url"),
    ("websites", 0, "cloud_services", 0, "ip"),
    ("account_has_cvm",),
    ("subject", "employment_proof"),
    ("websites",),
]


def _deep(depth: int) -> Any:
    node: Any = "x"
    for _ in range(depth):
        node = [node]
    return node


HOSTILE = st.one_of(
    st.sampled_from(["\x00", "\x07", "\x1b[31m", "\u202e", "\u2066", "\u200b", "\r\n"]).map(
        lambda bad: "名字" + bad + "x"
    ),
    st.integers(min_value=200, max_value=3000).map(lambda n: "长" * n),
    st.integers(min_value=10, max_value=60).map(_deep),
    st.integers(min_value=15, max_value=45).map(lambda n: 10**n),
    st.sampled_from([None, True, 3, 2.5, [], {}, {"x": 1}, ["a"] * 60, ""]),
    st.text(max_size=30),
)


def _put(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = body
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _api_answer(client: TestClient, auth: dict[str, str], text: str) -> tuple[int, str]:
    r = client.post(
        "/v1/filings",
        content=text.encode(),
        headers={**auth, "Content-Type": "application/json"},
    )
    return r.status_code, (r.json().get("error", "") if r.status_code >= 400 else "")


def _cli_answer(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "filing.json"
    path.write_text(text, encoding="utf-8")
    status = main(["check-filing", str(path), "--json"])
    err = capsys.readouterr().err
    return status, (err.split(":")[1].strip() if status == 2 else "")


def test_api_and_cli_judge_hostile_filings_alike(
    runtime: Runtime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with runtime.sessions() as s:
        auth = {"Authorization": "Bearer " + repo.create_api_key(s, "acme")}
    client = TestClient(create_app(runtime=runtime))
    stored = [0]

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.sampled_from(PATHS), HOSTILE, st.booleans())
    def check(path: tuple[Any, ...], value: Any, unknown: bool) -> None:
        body = fx.filing_body(domain="fuzz.example.com")
        _put(body, path, value)
        if unknown:
            body["subject"]["unknown_" + str(len(str(value)))] = value
        text = json.dumps(body, ensure_ascii=False)
        status, code = _api_answer(client, auth, text)
        cli_status, cli_code = _cli_answer(tmp_path, text, capsys)
        assert status < 500
        if status == 201:
            stored[0] += 1
            assert cli_status == 0, (path, value, cli_code)
        else:
            assert status in (413, 422), (status, code)
            assert code in KNOWN_CODES
            assert (cli_status, cli_code) == (2, code), (path, repr(value)[:80])
        with runtime.sessions() as s:
            assert s.scalar(select(func.count()).select_from(Filing)) == stored[0]

    check()
    client.close()
