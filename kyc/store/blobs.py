"""Content-addressed blob store: a local folder by default, an S3-compatible bucket optionally.

Blobs are sealed with AES-GCM before they leave the process; the address is a keyed hash of
the plaintext, so the same upload is stored once. Writes are atomic (temp file + fsync +
rename), so a crash leaves either nothing or the whole blob; the write-ahead intent table
(see kyc.store.repo) removes blobs whose row never got written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import httpx

from kyc.errors import ErrorCode, SystemFault
from kyc.service_settings import S3Settings
from kyc.store.crypto import SEAL_OVERHEAD, FieldCipher


class RawStore(Protocol):
    """Where sealed bytes live, by key. Implementations: local folder, S3."""

    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int | None: ...  # bytes stored under key; None: nothing
    def keys(self) -> Iterator[str]: ...


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if len(key) < 8 or not key.isalnum():
            raise SystemFault(ErrorCode.INTERNAL, "bad blob key")
        return self.root / key[:2] / key[2:4] / key

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            Path(tmp).replace(path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise SystemFault(ErrorCode.INTERNAL, "blob missing") from exc

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def keys(self) -> Iterator[str]:
        for path in self.root.glob("*/*/*"):
            if path.is_file() and not path.name.startswith(".tmp-"):
                yield path.name


class S3Store:
    """A minimal S3 client (SigV4, path-style) over httpx: PUT, GET, DELETE, HEAD, list."""

    def __init__(self, cfg: S3Settings, client: httpx.Client | None = None) -> None:
        if not (cfg.endpoint_url and cfg.bucket):
            raise SystemFault(ErrorCode.CONFIG_ERROR, "s3 blob store needs endpoint and bucket")
        self.cfg = cfg
        self.client = client or httpx.Client(timeout=30.0)

    def _url(self, key: str | None) -> str:
        base = self.cfg.endpoint_url.rstrip("/") + "/" + self.cfg.bucket
        if key is None:
            return base
        return base + "/" + urllib.parse.quote(self.cfg.prefix + key)

    def _signed(
        self, method: str, url: str, body: bytes = b"", params: dict[str, str] | None = None
    ) -> httpx.Response:
        now = dt.datetime.now(dt.UTC)
        headers = sign_v4(method, url, params or {}, body, self.cfg, now)
        return self.client.request(method, url, params=params, content=body, headers=headers)

    def put(self, key: str, data: bytes) -> None:
        resp = self._signed("PUT", self._url(key), data)
        if resp.status_code >= 300:
            raise SystemFault(ErrorCode.INTERNAL, f"s3 put failed: HTTP {resp.status_code}")

    def get(self, key: str) -> bytes:
        resp = self._signed("GET", self._url(key))
        if resp.status_code != 200:
            raise SystemFault(ErrorCode.INTERNAL, f"s3 get failed: HTTP {resp.status_code}")
        return resp.content

    def delete(self, key: str) -> None:
        resp = self._signed("DELETE", self._url(key))
        if resp.status_code >= 300 and resp.status_code != 404:
            raise SystemFault(ErrorCode.INTERNAL, f"s3 delete failed: HTTP {resp.status_code}")

    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    def size(self, key: str) -> int | None:
        resp = self._signed("HEAD", self._url(key))
        if resp.status_code != 200:
            return None
        return int(resp.headers.get("content-length", -1))

    def keys(self) -> Iterator[str]:
        import xml.etree.ElementTree as ET

        token: str | None = None
        while True:
            params = {"list-type": "2", "prefix": self.cfg.prefix}
            if token:
                params["continuation-token"] = token
            resp = self._signed("GET", self._url(None), params=params)
            if resp.status_code != 200:
                raise SystemFault(ErrorCode.INTERNAL, f"s3 list failed: HTTP {resp.status_code}")
            root = ET.fromstring(resp.content)
            ns = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
            for item in root.iter(f"{ns}Key"):
                if item.text:
                    yield item.text[len(self.cfg.prefix) :]
            nxt = root.find(f"{ns}NextContinuationToken")
            if nxt is None or not nxt.text:
                return
            token = nxt.text


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def sign_v4(
    method: str,
    url: str,
    params: dict[str, str],
    body: bytes,
    cfg: S3Settings,
    now: dt.datetime,
) -> dict[str, str]:
    """AWS Signature Version 4 headers for one request (pure; tested against AWS's example)."""
    parts = urllib.parse.urlsplit(url)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    payload_hash = hashlib.sha256(body).hexdigest()
    host = parts.netloc
    canonical_query = "&".join(
        f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}"
        for k, v in sorted(params.items())
    )
    headers = {"host": host, "x-amz-content-sha256": payload_hash, "x-amz-date": amz_date}
    signed = ";".join(sorted(headers))
    canonical_headers = "".join(f"{k}:{headers[k]}\n" for k in sorted(headers))
    canonical = "\n".join(
        [method, parts.path or "/", canonical_query, canonical_headers, signed, payload_hash]
    )
    scope = f"{day}/{cfg.region}/s3/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    k = _hmac(("AWS4" + cfg.secret_access_key).encode(), day)
    k = _hmac(k, cfg.region)
    k = _hmac(k, "s3")
    k = _hmac(k, "aws4_request")
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        "x-amz-content-sha256": payload_hash,
        "x-amz-date": amz_date,
        "authorization": (
            f"AWS4-HMAC-SHA256 Credential={cfg.access_key_id}/{scope}, "
            f"SignedHeaders={signed}, Signature={signature}"
        ),
    }


class BlobStore:
    """Sealed, content-addressed blobs over a raw store."""

    def __init__(self, raw: RawStore, cipher: FieldCipher) -> None:
        self.raw = raw
        self.cipher = cipher

    def address(self, data: bytes) -> str:
        return self.cipher.content_address(data)

    def put(self, data: bytes, key: str | None = None) -> str:
        """Store ``data`` under its content address. The same bytes stored before are not
        written again, unless what is there is not a whole sealed copy: a writer killed
        mid-upload can leave an empty or cut object on an S3 server (seen on SeaweedFS),
        which a later upload of the same bytes would otherwise have trusted."""
        key = key or self.address(data)
        if self.raw.size(key) != len(data) + SEAL_OVERHEAD:
            self.raw.put(key, self.cipher.seal(data, "blob:" + key))
        return key

    def get(self, key: str) -> bytes:
        return self.cipher.open(self.raw.get(key), "blob:" + key)

    def delete(self, key: str) -> None:
        self.raw.delete(key)

    def exists(self, key: str) -> bool:
        return self.raw.exists(key)
