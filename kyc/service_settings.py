"""Settings of the web service (``KYC_SERVICE__*``; ``KYC_DATABASE_URL`` is also read)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class S3Settings(BaseModel):
    """An S3-compatible bucket for blobs (MinIO, Ceph, COS, AWS...)."""

    endpoint_url: str = ""  # e.g. http://127.0.0.1:9000
    bucket: str = ""
    region: str = "us-east-1"
    access_key_id: str = ""
    secret_access_key: str = ""
    prefix: str = "blobs/"


class ServiceSettings(BaseModel):
    # Storage. None: SQLite file ``<data_dir>/kyc.sqlite3``. ``KYC_DATABASE_URL`` overrides.
    database_url: str | None = None
    blob_backend: Literal["local", "s3"] = "local"
    s3: S3Settings = Field(default_factory=S3Settings)
    # AES-256-GCM key for fields and blobs at rest: 32 bytes, base64 (urlsafe or standard).
    # Required outside ``environment == "development"``; in development a key is generated
    # once into ``<data_dir>/dev-encryption.key``.
    encryption_key: str | None = None
    # Known filings at other providers (JSON list, the registry of ``kyc check-filing``).
    registry_path: str | None = None
    # Heavy work: a process pool; requests beyond workers + queue get 503 + Retry-After.
    workers: int = Field(default=2, ge=1, le=64)
    max_queue: int = Field(default=8, ge=0, le=10_000)
    retry_after_s: int = 5
    # Durable jobs (video checks; kyc/store/queue.py, docs/service.md "Deployment"): the
    # serve process claims and runs jobs in its pool unless ``local_workers`` is off (then
    # only ``kyc worker`` processes do). A worker holds a job under a lease of ``job_lease_s``
    # it renews every third of it; a job whose lease expired (its worker died) is taken
    # again, at most ``job_max_attempts`` times in all, then it fails with
    # JOB_ATTEMPTS_EXHAUSTED. Video uploads beyond ``job_backlog`` unfinished video jobs
    # (None: workers + max_queue) get 503 + Retry-After. Idle workers poll every
    # ``job_poll_s``.
    local_workers: bool = True
    job_lease_s: float = Field(default=60.0, ge=0.5, le=3600.0)
    job_max_attempts: int = Field(default=3, ge=1, le=100)
    job_backlog: int | None = Field(default=None, ge=1, le=1_000_000)
    job_poll_s: float = Field(default=0.5, ge=0.01, le=60.0)
    max_upload_bytes: int = 20 * 1024 * 1024
    # Idempotency keys (kyc/store/idempotency.py): a key claimed by a request that never
    # answered (its instance died, or lost the database) is taken over by a retry on any
    # instance after this long. A request still running past it loses nothing: its result
    # no longer commits and its client's retry gets the other's answer.
    idempotency_claim_s: float = Field(default=60.0, ge=0.1, le=86_400.0)
    # Repeated failed video checks lock the filing out for a while.
    lockout_failures: int = 5
    lockout_window_s: int = 600
    lockout_s: int = 900
    # The operator's backdrop (幕布): a reference photo the backdrop check compares the
    # background with (``kyc check-backdrop --backdrop-ref``); without it, a plain backdrop
    # of one colour behind the person is looked for.
    backdrop_reference_path: str | None = None
    # The journey's clock tick (SMS resend at noon, the 48-hour window) runs in the service
    # every this many seconds; 0: only ``kyc tick`` (cron).
    tick_interval_s: float = Field(default=60.0, ge=0.0)
    # Wrong SMS codes one code may take (the certificate tail right): then it is spent and
    # only the resend helps. R-SMS-3 counts wrong certificate numbers only; without this
    # a six-digit code could be guessed within its 48 hours.
    sms_max_wrong_codes: int = Field(default=5, ge=1, le=100)
    # A real SMS / e-mail gateway: each tick POSTs the outbox's undelivered SMS and e-mail
    # to this URL as JSON ({"id", "channel", "kind", "to", "body", "filing_id"}), with
    # ``Authorization: Bearer <token>`` when a token is set; a 2xx answer marks the
    # message sent, anything else is retried by later ticks (at most ``notify_max_attempts``
    # tries). Unset: the outbox is the delivery (admins read it).
    notify_gateway_url: str | None = None
    notify_gateway_token: str | None = None
    notify_max_attempts: int = Field(default=10, ge=1, le=1000)
    # Version of the consent text the mini-program shows (recorded with the consent).
    consent_version: str = "2024-01"
    # Page cookies: set ``Secure`` (behind TLS).
    secure_cookies: bool = False
    # Failed authentication (kyc/api/throttle.py, docs/limits.md): this many unknown API
    # keys / reviewer tokens from one client address, or this many attempts with one
    # unknown credential, within the window lock that address or credential for
    # ``auth_lock_s`` (429 + Retry-After); a failed reviewer login answers after a delay.
    auth_failures_per_ip: int = Field(default=20, ge=1)
    auth_failures_per_key: int = Field(default=5, ge=1)
    auth_window_s: int = Field(default=300, ge=1)
    auth_lock_s: int = Field(default=300, ge=1)
    login_failure_delay_s: float = Field(default=1.0, ge=0.0, le=30.0)
    # Behind a reverse proxy: the proxy's addresses (comma-separated, as uvicorn's
    # ``forwarded_allow_ips``), so that the client address comes from X-Forwarded-For.
    # Without it every client would share the proxy's address, and its lock-out.
    forwarded_allow_ips: str | None = None
