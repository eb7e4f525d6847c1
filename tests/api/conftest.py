"""Fixtures of the API suite: the app on a real SQLite file, and on a real PostgreSQL server.

The PostgreSQL server is started from the Debian packages (initdb/pg_ctl) in a temporary
folder, once per test process; each test gets its own database. As root, the server runs
as the ``postgres`` user.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import api_fakes
import pytest
from api_support import Env, EnvFactory, make_settings
from fastapi.testclient import TestClient

from kyc.api.app import create_app
from kyc.api.runtime import build_runtime


def _pg_bin() -> Path | None:
    for root in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (root / "initdb").exists() and (root / "pg_ctl").exists():
            return root
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    host: str
    port: int
    user: str

    def url(self, db: str) -> str:
        return f"postgresql+psycopg://{self.user}@/{db}?host={self.host}&port={self.port}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL binaries absent (install with scripts/system-deps.sh)")
    root = Path(tempfile.mkdtemp(prefix="kyc-pg-"))
    root.chmod(0o755)
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    as_root = os.geteuid() == 0
    prefix: list[str] = ["runuser", "-u", "postgres", "--"] if as_root else []
    user = "postgres" if as_root else os.environ.get("USER", "postgres")
    if as_root:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    subprocess.run(
        [
            *prefix,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            user,
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ],
        check=True,
        capture_output=True,
    )
    opts = f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    subprocess.run(
        [
            *prefix,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-l",
            str(root / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield PgServer(str(sock), port, user)
    finally:
        subprocess.run(
            [*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


def _create_db(server: PgServer) -> str:
    import psycopg

    name = "kyc_" + secrets.token_hex(6)
    with psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server.url(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kyc.sqlite3'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return _create_db(server)


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
