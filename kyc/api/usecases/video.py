"""The video check: the challenge, what the check needs, the durable job (create, mark
running, finish once, read), the lock-out after repeated failures."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from kyc.api.errors import ApiCode, ApiError
from kyc.api.runtime import Runtime
from kyc.api.usecases.results import ChallengeIssued, JobSummary
from kyc.api.usecases.shared import (
    IDENTITY_STAGES,
    codes,
    find_filing,
    is_id,
    load_state,
    new_id,
    portrait_document,
    require_stage,
)
from kyc.api.usecases.stages import identity_result
from kyc.api.usecases.views import job_summary
from kyc.api.workers import Saturated
from kyc.errors import BadInput, ErrorCode
from kyc.store import queue as jobqueue
from kyc.store import repo
from kyc.store.tables import Challenge, Filing, VideoCheck, utcnow

# The durable job kind of a video check (kyc/store/queue.py); its id is the check's id.
VIDEO_JOB = "video_check"


def _check_lock(filing: Filing) -> None:
    now = utcnow()
    if filing.lock_until and filing.lock_until > now:
        wait = int((filing.lock_until - now).total_seconds()) + 1
        raise ApiError(
            429,
            ApiCode.LOCKED_OUT,
            f"too many failed video checks; try again in {wait} s",
            {"Retry-After": str(wait)},
        )


def _require_video_ready(filing: Filing) -> None:
    if filing.consent_at is None:
        raise ApiError(
            403,
            ApiCode.CONSENT_REQUIRED,
            "record the applicant's consent to biometric processing first "
            f"(POST /v1/filings/{filing.id}/consent)",
        )
    _check_lock(filing)
    state = require_stage(filing, IDENTITY_STAGES, "take a video check")
    if state.path is not None and state.path != "video_check":
        why = (
            "the applicant switched to the backdrop-photo path"
            if state.backdrop_chosen
            else "this filing takes the backdrop-photo path, not the video check (R-MINI)"
        )
        raise ApiError(409, ApiCode.NOT_ELIGIBLE, why)


def new_challenge(rt: Runtime, account_id: str, filing_id: str) -> ChallengeIssued:
    from kyc.liveness.challenge import new_challenge as draw

    with rt.sessions() as s:
        filing = find_filing(s, filing_id, account_id)
        _require_video_ready(filing)
        now = dt.datetime.now(dt.UTC)
        ch = draw(3, random.Random(secrets.randbits(64)), now, rt.settings.liveness.challenge_ttl_s)
        body = ch.to_json()
        row = Challenge(
            id=new_id(),
            filing_id=filing.id,
            challenge_json=json.dumps(body),
            expires_at=ch.expires_at.astimezone(dt.UTC).replace(tzinfo=None),
        )
        s.add(row)
        repo.audit(s, f"account:{account_id}", "challenge.issue", filing.id, {"id": row.id})
        s.commit()
        return ChallengeIssued(
            challenge_id=row.id,
            nonce=body["nonce"],
            actions=tuple(body["actions"]),
            expires_at=body["expires_at"],
        )


@dataclass(frozen=True)
class VideoPlan:
    challenge_id: str
    challenge: dict[str, Any]
    portrait_jpeg: bytes
    portrait_key: str = ""


def plan_video(rt: Runtime, account_id: str, filing_id: str, challenge_id: str | None) -> VideoPlan:
    """Everything the video check needs, or the reason it cannot run."""
    with rt.sessions() as s:
        filing = find_filing(s, filing_id, account_id)
        _require_video_ready(filing)
        q = select(Challenge).where(Challenge.filing_id == filing.id, Challenge.used_at.is_(None))
        if challenge_id:
            if not is_id(challenge_id):
                raise ApiError(409, ApiCode.NO_CHALLENGE, "no such challenge for this filing")
            q = q.where(Challenge.id == challenge_id)
        ch = s.scalars(q.order_by(Challenge.created_at.desc()).limit(1)).first()
        if ch is None:
            raise ApiError(
                409, ApiCode.NO_CHALLENGE, "request a challenge first (unused, for this filing)"
            )
        if ch.expires_at <= utcnow():
            raise BadInput(ErrorCode.CHALLENGE_EXPIRED, "the challenge has expired; request anew")
        _doc, key = portrait_document(s, filing.id)
        return VideoPlan(ch.id, json.loads(ch.challenge_json), rt.blobs.get(key), key)


def create_video_job(
    rt: Runtime,
    account_id: str,
    filing_id: str,
    plan: VideoPlan,
    video: tuple[str, int],
    mirrored: bool,
    backlog_limit: int | None = None,
) -> JobSummary:
    """Store the video check and its durable job in one transaction; with ``backlog_limit``
    refuse (``Saturated``) when that many video jobs are unfinished already."""
    with rt.sessions() as s:
        filing = find_filing(s, filing_id, account_id)
        if backlog_limit is not None and jobqueue.backlog(s, VIDEO_JOB) >= backlog_limit:
            raise Saturated()
        ch = s.get(Challenge, plan.challenge_id)
        if ch is None or ch.used_at is not None:
            raise ApiError(409, ApiCode.NO_CHALLENGE, "the challenge was used already")
        ch.used_at = utcnow()
        job = VideoCheck(
            id=new_id(),
            filing_id=filing.id,
            challenge_id=ch.id,
            status="queued",
            mirrored=mirrored,
            video_key=video[0],
        )
        s.add(job)
        s.flush()
        jobqueue.enqueue(s, job.id, VIDEO_JOB, job.id, {"portrait_key": plan.portrait_key})
        repo.settle_intents(s, [video[1]])
        repo.audit(s, f"account:{account_id}", "video.upload", filing.id, {"job_id": job.id})
        s.commit()
        return job_summary(job)


def mark_running(rt: Runtime, job_id: str) -> None:
    with rt.sessions() as s:
        job = s.get(VideoCheck, job_id)
        if job is not None:
            job.status = "running"
            s.commit()


def finish_video_job(
    rt: Runtime,
    job_id: str,
    verdict: dict[str, Any] | None,
    best_frame: tuple[str, int] | None,
    error: str | None,
    failed_check: bool,
    lease_owner: str | None = None,
) -> bool:
    """Store a video check's result and move the journey. With ``lease_owner`` (the durable
    job's worker) nothing is written unless that worker still holds the job's lease: the
    result is written once per job id. Returns whether it was written."""
    with rt.sessions() as s:
        if lease_owner is not None and not jobqueue.finish(
            s,
            job_id,
            lease_owner,
            failed=verdict is None,
            result_ref=job_id if verdict is not None else None,
            error=error,
        ):
            s.rollback()
            return False
        job = s.get(VideoCheck, job_id)
        if job is None:
            s.commit()
            return lease_owner is not None
        job.finished_at = utcnow()
        job.failed_check = failed_check
        if verdict is not None:
            job.status = "done"
            job.decision = str(verdict.get("decision") or "review")
            job.result_enc = rt.cipher.encrypt_json(verdict, "verdict")
            reasons = verdict.get("reasons") or []
            job.error = ",".join(str(r) for r in reasons) if reasons else None
        else:
            job.status = "failed"
            job.error = error
        if best_frame is not None:
            job.best_frame_key = best_frame[0]
            repo.settle_intents(s, [best_frame[1]])
        filing = s.get(Filing, job.filing_id)
        if filing is not None and failed_check:
            cfg = rt.settings.service
            since = utcnow() - dt.timedelta(seconds=cfg.lockout_window_s)
            failures = s.scalar(
                select(func.count(VideoCheck.id)).where(
                    VideoCheck.filing_id == filing.id,
                    VideoCheck.failed_check.is_(True),
                    VideoCheck.finished_at >= since,
                )
            )
            if (failures or 0) >= cfg.lockout_failures:
                filing.lock_until = utcnow() + dt.timedelta(seconds=cfg.lockout_s)
                repo.audit(s, "system", "video.lockout", filing.id, {"failures": failures})
        repo.audit(
            s,
            "system",
            "video.result",
            job.filing_id,
            {"job_id": job.id, "status": job.status, "decision": job.decision},
        )
        moved = verdict is None
        if verdict is not None and filing is not None and load_state(filing).path == "video_check":
            # the journey moves with the stored result (one transaction), so that whoever
            # sees the job done sees the stage it leads to; a concurrent change of the
            # filing only defers the step (below)
            try:
                with s.begin_nested():
                    identity_result(rt, s, filing, str(job.decision), codes(job.error))
                moved = True
            except ApiError:
                moved = False
        s.commit()
    if not moved and verdict is not None:
        _journey_retry(rt, job.filing_id, str(verdict.get("decision") or "review"), job.error)
    return True


def _journey_retry(rt: Runtime, filing_id: str, outcome: str, reasons: str | None) -> None:
    """Tell the journey a video check finished (a few tries: a request may change the
    filing meanwhile; the result itself is already stored)."""
    reason_codes = codes(reasons)
    for _ in range(3):
        with rt.sessions() as s:
            filing = s.get(Filing, filing_id)
            if filing is None or load_state(filing).path != "video_check":
                return
            try:
                identity_result(rt, s, filing, outcome, reason_codes)
                s.commit()
                return
            except ApiError:
                s.rollback()


def get_job(rt: Runtime, account_id: str, filing_id: str, job_id: str) -> JobSummary:
    with rt.sessions() as s:
        filing = find_filing(s, filing_id, account_id)
        job = s.get(VideoCheck, job_id) if is_id(job_id) else None
        if job is None or job.filing_id != filing.id:
            raise ApiError(404, ApiCode.NOT_FOUND, "no such video check")
        return job_summary(job)
