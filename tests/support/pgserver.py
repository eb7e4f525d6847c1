"""A throwaway PostgreSQL server for the tests and the load test: a cluster of its own in a
temporary folder, started from the Debian packages (initdb/pg_ctl; scripts/system-deps.sh
installs them). As root, the server runs as the ``postgres`` user.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


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
        import pytest

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


def create_db(server: PgServer) -> str:
    """A new, empty database on ``server``: its SQLAlchemy URL."""
    import psycopg

    name = "kyc_" + secrets.token_hex(6)
    with psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server.url(name)
