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
from seaweed import s3_bucket

from kyc.api.app import create_app
from kyc.api.runtime import build_runtime

__all__ = ["s3_bucket"]  # a real S3 server (tests/support/seaweed.py) for the API tests


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
    data: Path | None = None  # the cluster's folder (for stop/start)
    run_as: tuple[str, ...] = ()  # the command prefix that runs as the server's user
    bin_dir: Path | None = None

    def url(self, db: str) -> str:
        return f"postgresql+psycopg://{self.user}@/{db}?host={self.host}&port={self.port}"

    def _ctl(self, *args: str) -> list[str]:
        assert self.bin_dir is not None and self.data is not None
        return [*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), *args]

    def stop(self) -> None:
        """Stop at once, as a crash would (``-m immediate``: no checkpoint, clients cut)."""
        subprocess.run(self._ctl("-m", "immediate", "stop"), capture_output=True, check=False)

    def start(self) -> None:
        assert self.data is not None
        opts = (
            f"-k {self.host} -p {self.port} -c listen_addresses='' -c fsync=off "
            "-c full_page_writes=off"
        )
        log = str(self.data.parent / "log")
        subprocess.run(
            self._ctl("-o", opts, "-l", log, "-w", "start"), check=True, capture_output=True
        )


def start_pg_server() -> PgServer:
    """A PostgreSQL cluster of its own in a temporary folder (initdb, then started)."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL binaries absent (install with scripts/system-deps.sh)")
    root = Path(tempfile.mkdtemp(prefix="kyc-pg-"))
    root.chmod(0o755)
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    as_root = os.geteuid() == 0
    prefix: tuple[str, ...] = ("runuser", "-u", "postgres", "--") if as_root else ()
    user = "postgres" if as_root else os.environ.get("USER", "postgres")
    if as_root:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
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
    server = PgServer(str(sock), _free_port(), user, data, prefix, bin_dir)
    server.start()
    return server


def remove_pg_server(server: PgServer) -> None:
    server.stop()
    assert server.data is not None
    shutil.rmtree(server.data.parent, ignore_errors=True)


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
