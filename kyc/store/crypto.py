"""AES-256-GCM for fields and blobs at rest, and keyed hashes for lookups.

One 32-byte key from settings. Every ciphertext is ``v1:`` + base64(nonce || ciphertext||tag)
with the field's purpose as associated data, so a value cannot be moved to another column
unnoticed. Blob addresses are HMAC-SHA256 of the plaintext: content-addressed without
revealing a hash of the document itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kyc.errors import ErrorCode, SystemFault

_PREFIX = "v1:"


def parse_key(text: str) -> bytes:
    """A base64 (standard or urlsafe) 32-byte key, or SystemFault(CONFIG_ERROR)."""
    raw = text.strip()
    for decode in (base64.urlsafe_b64decode, base64.b64decode):
        try:
            key = decode(raw + "=" * (-len(raw) % 4))
        except (binascii.Error, ValueError):
            continue
        if len(key) == 32:
            return key
    raise SystemFault(ErrorCode.CONFIG_ERROR, "encryption key must be 32 bytes, base64-encoded")


def new_key_text() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def load_or_create_dev_key(path: Path) -> bytes:
    """Development only: a key generated once into a file (mode 600) beside the data."""
    if path.exists():
        return parse_key(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    text = new_key_text()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text + "\n")
    return parse_key(text)


# A sealed blob: a 12-byte nonce, the ciphertext (as long as the data), a 16-byte tag.
SEAL_OVERHEAD = 12 + 16


class FieldCipher:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise SystemFault(ErrorCode.CONFIG_ERROR, "encryption key must be 32 bytes")
        self._aead = AESGCM(key)
        self._mac_key = hmac.new(key, b"kyc-lookup-v1", hashlib.sha256).digest()

    # --- bytes ------------------------------------------------------------------------
    def seal(self, data: bytes, purpose: str) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + self._aead.encrypt(nonce, data, purpose.encode())

    def open(self, blob: bytes, purpose: str) -> bytes:
        try:
            return self._aead.decrypt(blob[:12], blob[12:], purpose.encode())
        except (InvalidTag, ValueError) as exc:
            raise SystemFault(
                ErrorCode.INTERNAL, f"cannot decrypt a stored {purpose} (wrong key?)"
            ) from exc

    # --- text / JSON columns ------------------------------------------------------------
    def encrypt_text(self, text: str, purpose: str) -> str:
        sealed = self.seal(text.encode(), purpose)
        return _PREFIX + base64.b64encode(sealed).decode()

    def decrypt_text(self, token: str, purpose: str) -> str:
        if not token.startswith(_PREFIX):
            raise SystemFault(ErrorCode.INTERNAL, f"stored {purpose} is not encrypted")
        return self.open(base64.b64decode(token[len(_PREFIX) :]), purpose).decode()

    def encrypt_json(self, obj: Any, purpose: str) -> str:
        return self.encrypt_text(json.dumps(obj, ensure_ascii=False), purpose)

    def decrypt_json(self, token: str, purpose: str) -> Any:
        return json.loads(self.decrypt_text(token, purpose))

    # --- keyed hashes -------------------------------------------------------------------
    def lookup_hash(self, value: str) -> str:
        """A deterministic keyed hash for equality lookups of encrypted values."""
        norm = value.strip().upper().encode()
        return hmac.new(self._mac_key, norm, hashlib.sha256).hexdigest()

    def content_address(self, data: bytes) -> str:
        return hmac.new(self._mac_key, data, hashlib.sha256).hexdigest()
