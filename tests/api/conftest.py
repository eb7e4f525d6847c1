"""Fixtures of the API suite: the app on a real SQLite file, and on a real PostgreSQL server.

The PostgreSQL server is started from the Debian packages (initdb/pg_ctl) in a temporary
folder, once per test process; each test gets its own database. As root, the server runs
as the ``postgres`` user.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import api_fakes
import pytest
from api_support import Env, EnvFactory, make_settings
from fastapi.testclient import TestClient
from pgserver import PgServer, create_db, remove_pg_server, start_pg_server
from seaweed import s3_bucket

from kyc.api.app import create_app
from kyc.api.runtime import build_runtime

__all__ = ["s3_bucket"]  # a real S3 server (tests/support/seaweed.py) for the API tests


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = start_pg_server()
    try:
        yield server
    finally:
        remove_pg_server(server)


@pytest.fixture
def own_pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server for one test alone (one that stops and starts it)."""
    server = start_pg_server()
    try:
        yield server
    finally:
        remove_pg_server(server)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kyc.sqlite3'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return create_db(server)


@pytest.fixture
def make_env(tmp_path: Path, db_url: str) -> Iterator[EnvFactory]:
    made: list[TestClient] = []

    def factory(pool_kind: str = "thread", **service: Any) -> Env:
        settings = make_settings(tmp_path, db_url, **service)
        rt = build_runtime(
            settings,
            pool_kind=pool_kind,  # type: ignore[arg-type]
            reader_spec=api_fakes.READER,
            video_spec=api_fakes.VIDEO,
            backdrop_spec=api_fakes.BACKDROP,
            form_spec=api_fakes.FORM,
        )
        client = TestClient(create_app(runtime=rt))
        client.__enter__()
        made.append(client)
        return Env(client, rt, settings)

    yield factory
    for c in made:
        c.__exit__(None, None, None)
        c.app.state.rt.close()  # type: ignore[attr-defined]


@pytest.fixture
def env(make_env: EnvFactory) -> Env:
    return make_env()
