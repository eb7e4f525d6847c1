"""Opening the stores every process needs (the service, its workers, the batch jobs, the
command line): the database (migrated), the field cipher with its key, the blob store."""

from __future__ import annotations

import os

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from kyc.config import Settings
from kyc.errors import ErrorCode, SystemFault
from kyc.store.blobs import BlobStore, LocalStore, RawStore, S3Store
from kyc.store.crypto import FieldCipher, load_or_create_dev_key, parse_key
from kyc.store.db import make_engine, migrate


def database_url(settings: Settings) -> str:
    url = os.environ.get("KYC_DATABASE_URL") or settings.service.database_url
    if url:
        return url
    return f"sqlite:///{(settings.data_dir / 'kyc.sqlite3').resolve()}"


def encryption_key(settings: Settings) -> bytes:
    """The key from settings; generated into the data folder only in development."""
    text = os.environ.get("KYC_ENCRYPTION_KEY") or settings.service.encryption_key
    if text:
        return parse_key(text)
    if settings.environment != "development":
        raise SystemFault(
            ErrorCode.CONFIG_ERROR,
            "no encryption key: set KYC_SERVICE__ENCRYPTION_KEY (32 bytes, base64) "
            f"— refusing to start in environment {settings.environment!r}",
        )
    return load_or_create_dev_key(settings.data_dir / "dev-encryption.key")


def make_raw_store(settings: Settings) -> RawStore:
    if settings.service.blob_backend == "s3":
        return S3Store(settings.service.s3)
    return LocalStore(settings.data_dir / "blobs")


def open_store(settings: Settings) -> tuple[Engine, sessionmaker[Session], FieldCipher, BlobStore]:
    """Key check, database (migrated), cipher and blob store: what CLI commands need."""
    key = encryption_key(settings)
    cipher = FieldCipher(key)
    engine = make_engine(database_url(settings))
    migrate(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    blobs = BlobStore(make_raw_store(settings), cipher)
    return engine, sessions, cipher, blobs
