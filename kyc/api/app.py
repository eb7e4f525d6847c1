"""The FastAPI application: mini-program API (/v1), reviewer API and pages, health, metrics."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Body, Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from kyc.api import jobrunner, reverify, schemas
from kyc.api.errors import ApiCode, ApiError, status_for
from kyc.api.guard import BodyLimit, RequestGuard, RequestTooLarge, route_limits
from kyc.api.reverify import ReverifyJobs
from kyc.api.runtime import Runtime, build_runtime
from kyc.api.throttle import AuthThrottle, client_address, record_failure, refusal
from kyc.api.uploads import form_bool, multipart_schema, read_multipart
from kyc.api.usecases import documents, filings, journey, review, video
from kyc.api.workers import (
    Saturated,
    check_backdrop_photo,
    check_form_photo,
    raise_worker_error,
    read_document,
)
from kyc.config import Settings
from kyc.errors import BadInput, ErrorCode, KycError
from kyc.imageio import sniff
from kyc.store import repo
from kyc.store.tables import IdempotencyRecord

log = logging.getLogger("kyc.api")
bearer = HTTPBearer(auto_error=False, description="API key or reviewer token")
COOKIE = "kyc_review"


class ErrorBody(BaseModel):
    error: str = Field(description="machine-readable code")
    detail: str = Field(description="what went wrong, for a person")


ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorBody} for s in (400, 401, 403, 404, 409, 413, 415, 422, 429, 501, 503)
}
TYPE_HINTS = ("auto", "id_card", "business_license", "passport", "permit", "unit_certificate")


class ConsentBody(BaseModel):
    biometric: Literal[True] = Field(description="the applicant agreed to biometric processing")
    version: str | None = Field(
        default=None,
        max_length=32,
        pattern=r"^[A-Za-z0-9._-]{1,32}$",
        description="consent text version",
    )


class ReverifyBody(BaseModel):
    since: dt.date | None = Field(default=None, description="filings submitted on or after")
    filing_ids: list[str] = Field(
        default_factory=list, max_length=1000, description="only these filings"
    )
    workers: int = Field(default=1, ge=1, le=16, description="worker processes of the run")
    dry_run: bool = Field(default=False, description="plan only; record nothing")


class DecisionBody(BaseModel):
    decision: Literal["approve", "reject"]
    reasons: list[str] = Field(default_factory=list, max_length=6)
    comment: str = Field(default="", max_length=2000)


class SmsVerifyBody(BaseModel):
    mobile: str = Field(max_length=32, description="the verifier's mobile number")
    code: str = Field(max_length=16, description="the six-digit code of the SMS")
    certificate_tail: str = Field(
        max_length=16, description="the last six characters of the verifier's certificate"
    )


class AuthorityBody(BaseModel):
    decision: Literal["approved", "rejected"]
    reasons: list[str] = Field(default_factory=list, max_length=10)
    filing_number: str | None = Field(default=None, max_length=64)


def get_rt(request: Request) -> Runtime:
    rt: Runtime = request.app.state.rt
    return rt


def _token(request: Request, creds: HTTPAuthorizationCredentials | None) -> str | None:
    if creds is not None and creds.scheme.lower() == "bearer" and creds.credentials:
        return creds.credentials
    return None


def get_throttle(request: Request) -> AuthThrottle:
    throttle: AuthThrottle = request.app.state.throttle
    return throttle


def account_id(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    token = _token(request, creds)
    if token is None:
        raise ApiError(401, ApiCode.UNAUTHORIZED, "missing bearer API key", _AUTH)
    rt, throttle, ip = get_rt(request), get_throttle(request), client_address(request)
    lock = throttle.locked(ip, token)
    if lock is not None:
        raise refusal(lock)
    with rt.sessions() as s:
        account = repo.account_for_key(s, token)
    if account is None:
        record_failure(rt, throttle, ip, token, "api_key")
        raise ApiError(401, ApiCode.UNAUTHORIZED, "unknown or revoked API key", _AUTH)
    return account


_AUTH = {"WWW-Authenticate": "Bearer"}


def reviewer_identity(
    request: Request,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> repo.ReviewerIdentity:
    token = _token(request, creds) or request.cookies.get(COOKIE)
    if not token:
        raise ApiError(401, ApiCode.UNAUTHORIZED, "missing reviewer token", _AUTH)
    rt, throttle, ip = get_rt(request), get_throttle(request), client_address(request)
    lock = throttle.locked(ip, token)
    if lock is not None:
        raise refusal(lock)
    with rt.sessions() as s:
        who = repo.reviewer_for_token(s, token)
    if who is None:
        record_failure(rt, throttle, ip, token, "reviewer_token")
        raise ApiError(401, ApiCode.UNAUTHORIZED, "unknown reviewer token", _AUTH)
    return who


def admin_identity(
    who: Annotated[repo.ReviewerIdentity, Depends(reviewer_identity)],
) -> repo.ReviewerIdentity:
    if who.role != "admin":
        raise ApiError(403, ApiCode.FORBIDDEN, "admins only")
    return who


Account = Annotated[str, Depends(account_id)]
ReviewerDep = Annotated[repo.ReviewerIdentity, Depends(reviewer_identity)]
AdminDep = Annotated[repo.ReviewerIdentity, Depends(admin_identity)]
RtDep = Annotated[Runtime, Depends(get_rt)]
IdemKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=128, description="retry-safe upload key"),
]


def error_response(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=headers)


async def idempotent(
    rt: Runtime,
    account: str,
    key: str | None,
    request_hash: str,
    compute: Callable[[], Awaitable[tuple[int, dict[str, Any]]]],
) -> JSONResponse:
    """Replay the stored answer of a repeated upload; refuse a key reused for other content."""
    import json

    if not key:
        status, body = await compute()
        return JSONResponse(body, status_code=status)

    def claim() -> IdempotencyRecord | None:
        with rt.sessions() as s:
            s.add(IdempotencyRecord(account_id=account, key=key, request_hash=request_hash))
            try:
                s.commit()
                return None
            except IntegrityError:
                s.rollback()
            from sqlalchemy import select

            return s.scalar(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.account_id == account, IdempotencyRecord.key == key
                )
            )

    existing = await run_in_threadpool(claim)
    if existing is not None:
        if existing.request_hash != request_hash:
            raise ApiError(
                422,
                ApiCode.IDEMPOTENCY_MISMATCH,
                "this Idempotency-Key was used for another request",
            )
        if existing.status_code is None or existing.response is None:
            raise ApiError(409, ApiCode.IN_PROGRESS, "a request with this key is in progress")
        return JSONResponse(
            json.loads(existing.response),
            status_code=existing.status_code,
            headers={"Idempotent-Replayed": "true"},
        )

    def settle(status: int | None, body: dict[str, Any] | None) -> None:
        from sqlalchemy import delete, update

        with rt.sessions() as s:
            where = (IdempotencyRecord.account_id == account, IdempotencyRecord.key == key)
            if status is None:
                s.execute(delete(IdempotencyRecord).where(*where))
            else:
                s.execute(
                    update(IdempotencyRecord)
                    .where(*where)
                    .values(status_code=status, response=json.dumps(body, ensure_ascii=False))
                )
            s.commit()

    try:
        status, body = await compute()
    except BaseException:
        await run_in_threadpool(settle, None, None)
        raise
    await run_in_threadpool(settle, status, body)
    return JSONResponse(body, status_code=status)


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
) -> FastAPI:
    """The app. ``runtime`` is built from ``settings`` (migrations run) unless given."""
    from kyc.config import get_settings

    rt = runtime or build_runtime(settings or get_settings())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.tasks = set()
        app.state.job_wake = asyncio.Event()
        interval = rt.settings.service.tick_interval_s
        ticker = asyncio.create_task(_ticker(rt, interval)) if interval > 0 else None
        dispatcher = (
            asyncio.create_task(jobrunner.dispatch(rt, app.state.job_wake, app.state.tasks))
            if rt.settings.service.local_workers
            else None
        )
        try:
            yield
        finally:
            if ticker is not None:
                ticker.cancel()
            if dispatcher is not None:
                dispatcher.cancel()
            for task in list(app.state.tasks):
                task.cancel()
            reverify_jobs.shutdown()
            rt.pool.shutdown()

    app = FastAPI(
        title="kyc — ICP filing verification service",
        version="1",
        description=(
            "Mini-program API (`/v1/filings`, bearer API key per account), reviewer API "
            "(`/v1/review`, reviewer token) and pages (`/review`). Every error answers "
            '`{"error": CODE, "detail": message}`. ID numbers, names and addresses are '
            "masked in mini-program responses."
        ),
        lifespan=lifespan,
    )
    reverify_jobs = ReverifyJobs()
    app.state.rt = rt
    app.state.tasks = set()
    app.state.job_wake = asyncio.Event()
    app.state.reverify = reverify_jobs
    svc = rt.settings.service
    app.state.throttle = AuthThrottle(
        ip_limit=svc.auth_failures_per_ip,
        key_limit=svc.auth_failures_per_key,
        window_s=svc.auth_window_s,
        lock_s=svc.auth_lock_s,
    )
    limits = rt.settings.limits
    # Uploads may be larger than a JSON body: their file limit plus the multipart framing.
    overhead = limits.multipart_header_bytes * 2 + limits.multipart_fields_bytes
    image_limit = min(svc.max_upload_bytes, rt.settings.images.max_bytes)
    video_limit = rt.settings.liveness.max_video_bytes
    body_limits: dict[str, BodyLimit] = {
        "/v1/filings/{filing_id}/documents": BodyLimit(
            image_limit + overhead, ErrorCode.FILE_TOO_LARGE
        ),
        "/v1/filings/{filing_id}/liveness/video": BodyLimit(
            video_limit + overhead, ErrorCode.VIDEO_TOO_LARGE
        ),
        "/v1/filings/{filing_id}/identity/backdrop": BodyLimit(
            image_limit + overhead, ErrorCode.FILE_TOO_LARGE
        ),
        "/v1/filings/{filing_id}/forms": BodyLimit(
            image_limit + overhead, ErrorCode.FILE_TOO_LARGE
        ),
    }
    app.state.body_limits = body_limits
    app.add_middleware(
        RequestGuard,
        limits=limits,
        route_limit=route_limits(lambda: list(app.router.routes), body_limits),
    )
    _install_errors(app)
    _install_metrics(app, rt)

    # ------------------------------------------------------------------ operations
    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, Any]:
        from sqlalchemy import text

        with rt.sessions() as s:
            s.execute(text("SELECT 1"))
        return {
            "status": "ok",
            "pool": {"accepted": rt.pool.accepted, "capacity": rt.pool.capacity},
        }

    @app.get("/metrics", tags=["ops"], response_class=PlainTextResponse)
    def metrics() -> Response:
        return Response(generate_latest(rt.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    # ------------------------------------------------------------------ mini-program
    @app.post(
        "/v1/filings",
        status_code=201,
        tags=["mini-program"],
        responses={**ERRORS, **schemas.doc(schemas.FilingOut, 201)},
    )
    def create_filing(
        account: Account,
        body: Annotated[
            dict[str, Any],
            Body(
                description="the filing file of `kyc check-filing` (account_id is yours); "
                "unknown keys are ignored and not stored"
            ),
        ],
    ) -> dict[str, Any]:
        return filings.create_filing(rt, account, body).to_json()

    @app.get(
        "/v1/filings/{filing_id}",
        tags=["mini-program"],
        responses={**ERRORS, **schemas.doc(schemas.FilingOut)},
    )
    def get_filing(account: Account, filing_id: str) -> dict[str, Any]:
        return filings.get_filing(rt, account, filing_id).to_json()

    @app.patch(
        "/v1/filings/{filing_id}",
        tags=["mini-program"],
        responses={**ERRORS, **schemas.doc(schemas.FilingOut)},
    )
    def update_filing(
        account: Account,
        filing_id: str,
        body: Annotated[
            dict[str, Any],
            Body(description="any of region, account_has_cvm, subject (merged), websites"),
        ],
    ) -> dict[str, Any]:
        return filings.update_filing(rt, account, filing_id, body).to_json()

    @app.post(
        "/v1/filings/{filing_id}/documents",
        tags=["mini-program"],
        responses={**ERRORS, **schemas.doc(schemas.UploadOut)},
        openapi_extra=multipart_schema(
            {"type_hint": {"type": "string", "enum": list(TYPE_HINTS), "default": "auto"}}
        ),
    )
    async def upload_document(
        request: Request,
        account: Account,
        filing_id: str,
        idempotency_key: IdemKey = None,
    ) -> JSONResponse:
        """multipart `file` (the document photo) and optional `type_hint`."""
        upload = await read_multipart(
            request, file_limit=image_limit, file_code=ErrorCode.FILE_TOO_LARGE, limits=limits
        )
        data = upload.data or b""
        type_hint = upload.fields.get("type_hint") or "auto"
        if type_hint not in TYPE_HINTS:
            raise BadInput(
                ErrorCode.INVALID_FIELD, f"type_hint: must be one of {', '.join(TYPE_HINTS)}"
            )
        digest = hashlib.sha256(
            b"doc|" + filing_id.encode() + b"|" + type_hint.encode() + b"|" + data
        ).hexdigest()

        async def compute() -> tuple[int, dict[str, Any]]:
            await run_in_threadpool(documents.check_document_allowed, rt, account, filing_id)
            try:
                result = await rt.pool.run("ocr", read_document, data, "upload", type_hint)
            except Saturated as exc:
                raise _saturated(rt) from exc
            raise_worker_error(result)
            t0 = time.perf_counter()

            def save() -> dict[str, Any]:
                raw = repo.write_blob(rt.sessions, rt.blobs, data)
                ev = result.get("evidence_jpeg")
                po = result.get("portrait_jpeg")
                blobs = documents.StoredBlobs(
                    raw,
                    repo.write_blob(rt.sessions, rt.blobs, ev) if ev else None,
                    repo.write_blob(rt.sessions, rt.blobs, po) if po else None,
                )
                return documents.store_document(
                    rt, account, filing_id, result, blobs, sniff(data), len(data)
                ).to_json()

            body = await run_in_threadpool(save)
            rt.metrics.stages.labels("store_document").observe(time.perf_counter() - t0)
            return 200, body

        return await idempotent(rt, account, idempotency_key, digest, compute)

    @app.post(
        "/v1/filings/{filing_id}/consent",
        tags=["mini-program"],
        responses={**ERRORS, **schemas.doc(schemas.ConsentOut)},
    )
    def consent(account: Account, filing_id: str, body: ConsentBody) -> dict[str, Any]:
        return documents.record_consent(rt, account, filing_id, body.version).to_json()

    @app.post(
        "/v1/filings/{filing_id}/liveness/challenge",
        status_code=201,
        tags=["mini-program"],
        responses={**ERRORS, **schemas.doc(schemas.ChallengeOut, 201)},
    )
    def challenge(account: Account, filing_id: str) -> dict[str, Any]:
        return video.new_challenge(rt, account, filing_id).to_json()

    @app.post(
        "/v1/filings/{filing_id}/liveness/video",
        status_code=202,
        tags=["mini-program"],
        responses={**ERRORS, **schemas.doc(schemas.JobOut, 202)},
        openapi_extra=multipart_schema(
            {
                "challenge_id": {"type": "string", "maxLength": 32},
                "mirrored": {"type": "boolean", "default": False},
            }
        ),
    )
    async def upload_video(
        request: Request,
        account: Account,
        filing_id: str,
        idempotency_key: IdemKey = None,
    ) -> JSONResponse:
        """multipart `file` (the selfie video), optional `challenge_id` and `mirrored`
        (the recording is mirrored). The container, stream, codec, size, duration and
        rotation metadata are checked before anything is stored or queued."""
        upload = await read_multipart(
            request,
            file_limit=video_limit,
            file_code=ErrorCode.VIDEO_TOO_LARGE,
            limits=limits,
            spool_dir=rt.settings.data_dir / "tmp",
        )
        assert upload.path is not None
        tmp = upload.path
        try:
            challenge_id = upload.fields.get("challenge_id") or None
            if challenge_id is not None and len(challenge_id) > 32:
                raise BadInput(ErrorCode.INVALID_FIELD, "challenge_id: at most 32 characters")
            mirrored = form_bool(upload.fields.get("mirrored"), "mirrored")
            await run_in_threadpool(_probe_video, rt, tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        digest = hashlib.sha256(
            b"video|" + filing_id.encode() + f"|{challenge_id}|{mirrored}|".encode()
        )
        digest.update(upload.sha256.encode())

        async def compute() -> tuple[int, dict[str, Any]]:
            plan = await run_in_threadpool(video.plan_video, rt, account, filing_id, challenge_id)
            svc = rt.settings.service
            limit = svc.job_backlog or (svc.workers + svc.max_queue)

            def save() -> dict[str, Any]:
                key = repo.write_blob(rt.sessions, rt.blobs, tmp.read_bytes())
                job = video.create_video_job(rt, account, filing_id, plan, key, mirrored, limit)
                return job.to_json()

            try:
                job = await run_in_threadpool(save)
            except Saturated as exc:
                rt.metrics.rejected.inc()
                raise _saturated(rt) from exc
            request.app.state.job_wake.set()  # a durable job: the local workers look now
            return 202, job

        try:
            return await idempotent(rt, account, idempotency_key, digest.hexdigest(), compute)
        finally:
            tmp.unlink(missing_ok=True)  # stored in the blob store (or refused, or a replay)

    @app.get(
        "/v1/filings/{filing_id}/liveness/jobs/{job_id}",
        tags=["mini-program"],
        responses={**ERRORS, **schemas.doc(schemas.JobOut)},
    )
    def video_job(account: Account, filing_id: str, job_id: str) -> dict[str, Any]:
        return video.get_job(rt, account, filing_id, job_id).to_json()

    @app.post(
        "/v1/filings/{filing_id}/submit",
        tags=["mini-program"],
        responses={**ERRORS, **schemas.doc(schemas.FilingOut)},
    )
    def submit(account: Account, filing_id: str) -> dict[str, Any]:
        return filings.submit(rt, account, filing_id).to_json()

    @app.post(
        "/v1/filings/{filing_id}/identity/backdrop",
        tags=["mini-program"],
        responses={**ERRORS, **schemas.doc(schemas.BackdropOut)},
        openapi_extra=multipart_schema({}),
    )
    async def upload_backdrop(
        request: Request,
        account: Account,
        filing_id: str,
        idempotency_key: IdemKey = None,
    ) -> JSONResponse:
        """multipart `file`: the website principal in front of the backdrop (normal path;
        on the video path it switches the filing to this path). Checked at once against
        the ID portrait (the backdrop check)."""
        upload = await read_multipart(
            request, file_limit=image_limit, file_code=ErrorCode.FILE_TOO_LARGE, limits=limits
        )
        data = upload.data or b""
        digest = hashlib.sha256(b"backdrop|" + filing_id.encode() + b"|" + data).hexdigest()

        async def compute() -> tuple[int, dict[str, Any]]:
            plan = await run_in_threadpool(journey.plan_backdrop, rt, account, filing_id)
            try:
                result = await rt.pool.run(
                    "backdrop", check_backdrop_photo, data, plan.portrait_jpeg
                )
            except Saturated as exc:
                raise _saturated(rt) from exc
            raise_worker_error(result)

            def save() -> dict[str, Any]:
                raw = repo.write_blob(rt.sessions, rt.blobs, data)
                stored = journey.store_backdrop(rt, account, filing_id, plan, result["result"], raw)
                return stored.to_json()

            return 200, await run_in_threadpool(save)

        return await idempotent(rt, account, idempotency_key, digest, compute)

    @app.post(
        "/v1/filings/{filing_id}/forms",
        tags=["mini-program"],
        responses={**ERRORS, **schemas.doc(schemas.FormOut)},
        openapi_extra=multipart_schema({}),
    )
    async def upload_form(
        request: Request,
        account: Account,
        filing_id: str,
        idempotency_key: IdemKey = None,
    ) -> JSONResponse:
        """multipart `file`: the signed verification form (photo or scan), checked at once
        against the filing (R-DOC-4, R-REJ-2); the rules run again with it."""
        upload = await read_multipart(
            request, file_limit=image_limit, file_code=ErrorCode.FILE_TOO_LARGE, limits=limits
        )
        data = upload.data or b""
        digest = hashlib.sha256(b"form|" + filing_id.encode() + b"|" + data).hexdigest()

        async def compute() -> tuple[int, dict[str, Any]]:
            order = await run_in_threadpool(journey.plan_form, rt, account, filing_id)
            try:
                result = await rt.pool.run("form", check_form_photo, data, order)
            except Saturated as exc:
                raise _saturated(rt) from exc
            raise_worker_error(result)

            def save() -> dict[str, Any]:
                raw = repo.write_blob(rt.sessions, rt.blobs, data)
                return journey.store_form(rt, account, filing_id, result["result"], raw).to_json()

            return 200, await run_in_threadpool(save)

        return await idempotent(rt, account, idempotency_key, digest, compute)

    @app.post(
        "/v1/filings/{filing_id}/sms/verify",
        tags=["mini-program"],
        responses={**ERRORS, **schemas.doc(schemas.SmsVerifyOut)},
    )
    def sms_verify(account: Account, filing_id: str, body: SmsVerifyBody) -> dict[str, Any]:
        """R-SMS-3: code + mobile + last six characters of the certificate number."""
        return journey.verify_sms(
            rt, account, filing_id, body.mobile, body.code, body.certificate_tail
        ).to_json()

    @app.post(
        "/v1/filings/{filing_id}/sms/resend",
        tags=["mini-program"],
        responses={**ERRORS, **schemas.doc(schemas.FilingOut)},
    )
    def sms_resend(account: Account, filing_id: str) -> dict[str, Any]:
        """R-SMS-2: the one resend (the 48 hours still run from the first sending)."""
        return journey.resend_sms(rt, account, filing_id).to_json()

    # ------------------------------------------------------------------ reviewers
    @app.get(
        "/v1/review/queue", tags=["review"], responses={**ERRORS, **schemas.doc(schemas.QueueOut)}
    )
    def review_queue(who: ReviewerDep) -> dict[str, Any]:
        return {"items": [item.to_json() for item in review.queue(rt)]}

    @app.get("/v1/review/filings/{filing_id}", tags=["review"], responses=ERRORS)
    def review_filing(who: ReviewerDep, filing_id: str) -> dict[str, Any]:
        return review.review_detail(rt, who, filing_id).to_json()

    @app.post(
        "/v1/review/filings/{filing_id}/decision",
        tags=["review"],
        responses={**ERRORS, **schemas.doc(schemas.DecisionOut)},
    )
    def review_decision(who: ReviewerDep, filing_id: str, body: DecisionBody) -> dict[str, Any]:
        return review.decide(
            rt, who, filing_id, body.decision, body.reasons, body.comment
        ).to_json()

    @app.post(
        "/v1/review/filings/{filing_id}/authority",
        tags=["review"],
        responses={**ERRORS, **schemas.doc(schemas.DecisionOut)},
    )
    def review_authority(who: AdminDep, filing_id: str, body: AuthorityBody) -> dict[str, Any]:
        """Admins record the authority's answer (approved with the filing number, or
        rejected with reasons)."""
        return journey.record_authority(
            rt, who, filing_id, body.decision, body.reasons, body.filing_number
        ).to_json()

    @app.get(
        "/v1/admin/outbox", tags=["review"], responses={**ERRORS, **schemas.doc(schemas.OutboxOut)}
    )
    def admin_outbox(who: AdminDep, filing_id: str | None = None) -> dict[str, Any]:
        """Outgoing SMS, e-mail and submissions of the embedded adapters, newest first."""
        return {"messages": journey.outbox(rt, filing_id)}

    @app.get(
        "/v1/admin/audit", tags=["review"], responses={**ERRORS, **schemas.doc(schemas.AuditOut)}
    )
    def admin_audit(who: AdminDep, filing_id: str | None = None) -> dict[str, Any]:
        with rt.sessions() as s:
            return {"events": [e.to_json() for e in review.audit_trail(s, filing_id)]}

    @app.post(
        "/v1/admin/reverify",
        status_code=202,
        tags=["review"],
        responses={
            **ERRORS,
            **schemas.doc(schemas.ReverifyOut, 202),
            **schemas.doc(schemas.ReverifyPlanOut, 200),
        },
    )
    def admin_reverify(who: AdminDep, body: ReverifyBody) -> JSONResponse:
        """Start a batch re-verification (or resume the unfinished one with the same
        models, settings and selection); ``dry_run`` answers the plan."""
        status, out = reverify.start(
            rt, reverify_jobs, who, body.since, body.filing_ids, body.workers, body.dry_run
        )
        return JSONResponse(out, status_code=status)

    @app.get(
        "/v1/admin/reverify/{run_id}",
        tags=["review"],
        responses={**ERRORS, **schemas.doc(schemas.ReverifyOut)},
    )
    def admin_reverify_progress(who: AdminDep, run_id: str) -> dict[str, Any]:
        """Progress of a run; its report (masked) once every item is recorded."""
        return reverify.progress(rt, reverify_jobs, run_id)

    from kyc.api.pages import install_pages

    install_pages(app, rt)
    return app


async def _ticker(rt: Runtime, interval: float) -> None:
    """The journey's clock tick in the service (``kyc tick`` does the same from cron)."""
    while True:
        await asyncio.sleep(interval)
        try:
            counts = await run_in_threadpool(journey.tick, rt)
            if any(counts[k] for k in ("resent", "returned", "delivered", "undelivered")):
                log.info("tick: %s", counts)
        except Exception as exc:  # keep ticking; the next tick retries
            log.error("tick failed: %s", type(exc).__name__)


def _probe_video(rt: Runtime, path: Path) -> None:
    """Refuse a video that the check could never read, before it is stored or queued (its
    failure would then count toward the lock-out); the temporary path is not shown."""
    from kyc.liveness.video import probe_video

    settings = rt.settings
    max_frames = int(settings.liveness.max_duration_s * settings.limits.video_max_fps)
    try:
        probe_video(path, settings.liveness, max_frames)
    except BadInput as exc:
        raise BadInput(exc.code, exc.detail.replace(str(path), "the video")) from None


def _saturated(rt: Runtime) -> ApiError:
    retry = str(rt.settings.service.retry_after_s)
    return ApiError(
        503, ApiCode.SATURATED, "the service is busy; retry shortly", {"Retry-After": retry}
    )


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.detail, exc.headers)

    @app.exception_handler(KycError)
    async def kyc_error(_: Request, exc: KycError) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            log.error("system fault: %s", exc.code)  # detail may name files; code is enough
        return error_response(status, str(exc.code), exc.detail)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:5]:
            loc = ".".join(str(p) for p in err.get("loc", ()))
            parts.append(f"{loc}: {err.get('msg', 'invalid')}")
        return error_response(422, ApiCode.INVALID_REQUEST, "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            404: ApiCode.NOT_FOUND,
            405: "METHOD_NOT_ALLOWED",
            401: ApiCode.UNAUTHORIZED,
            413: ErrorCode.REQUEST_TOO_LARGE,
            400: "BAD_REQUEST",
        }.get(exc.status_code, "HTTP_ERROR")
        if isinstance(exc, RequestTooLarge):
            code = exc.code
        return error_response(
            exc.status_code, str(code), str(exc.detail), getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def crash(_: Request, exc: Exception) -> JSONResponse:
        log.error("internal error: %s", type(exc).__name__)
        return error_response(500, ApiCode.INTERNAL, "internal error")


def _install_metrics(app: FastAPI, rt: Runtime) -> None:
    @app.middleware("http")
    async def observe(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        t0 = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = request.scope.get("route")
            path = getattr(route, "path", "unmatched")
            rt.metrics.requests.labels(request.method, path, str(status)).observe(
                time.perf_counter() - t0
            )
