"""Filings: create, update, read, submit (the applicant's side, masked)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kyc.api.errors import ApiCode, ApiError
from kyc.api.risk import RiskInputs, risk_score
from kyc.api.runtime import Runtime
from kyc.api.usecases.results import FilingView
from kyc.api.usecases.rules import apply_checks, index, run_checks
from kyc.api.usecases.shared import (
    DRAFT,
    EDITABLE,
    find_filing,
    latest_backdrop,
    latest_video,
    load_state,
    new_id,
    require_draft,
    require_stage,
)
from kyc.api.usecases.stages import REFUSED_TEXT, advance, set_state, type_event
from kyc.api.usecases.views import filing_view
from kyc.errors import BadInput, ErrorCode
from kyc.filing import lifecycle as lc
from kyc.store import repo
from kyc.store.tables import Document, Filing, VideoCheck, utcnow

EDITABLE_KEYS = ("region", "account_has_cvm", "subject", "websites")


def create_filing(rt: Runtime, account_id: str, body: dict[str, Any]) -> FilingView:
    from kyc.filing.contract import clean_filing

    # Only the contract's keys are kept (unknown ones are ignored, never stored); every
    # text is checked for its length and characters (BadInput naming its path).
    order = clean_filing(body, rt.settings.limits)
    if not isinstance(order, dict):
        raise BadInput(ErrorCode.INVALID_FIELD, "$: not an object")
    order["account_id"] = account_id
    order.setdefault("documents", [])
    with rt.sessions() as s:
        fid = new_id()
        check, _filled = run_checks(rt, s, fid, order)
        filing = Filing(
            id=fid,
            account_id=account_id,
            status=DRAFT,
            order_enc=rt.cipher.encrypt_json(order, "order"),
        )
        apply_checks(filing, check, rt)
        now = rt.clock()
        set_state(s, filing, lc.start(now))
        for event in (type_event(check, now), lc.SubjectSaved(now), lc.WebsitesSaved(now)):
            if load_state(filing).stage == lc.Stage.REFUSED:
                break
            advance(rt, s, filing, event, f"account:{account_id}")
        s.add(filing)
        s.flush()
        index(s, rt, filing, order)
        repo.audit(s, f"account:{account_id}", "filing.create", fid)
        s.commit()
        return filing_view(rt, s, filing, masked=True)


def update_filing(
    rt: Runtime, account_id: str, filing_id: str, patch: dict[str, Any]
) -> FilingView:
    from kyc.filing.contract import clean_part

    unknown = sorted(set(patch) - set(EDITABLE_KEYS))
    if unknown:
        shown = ", ".join(k if len(k) <= 40 else k[:40] + "..." for k in unknown[:5])
        raise BadInput(
            ErrorCode.INVALID_FIELD,
            f"cannot set {shown}; editable: {', '.join(EDITABLE_KEYS)}",
        )
    patch = {key: clean_part(key, value, rt.settings.limits) for key, value in patch.items()}
    with rt.sessions() as s:
        filing = find_filing(s, filing_id, account_id)
        require_draft(filing)
        order = rt.cipher.decrypt_json(filing.order_enc, "order")
        for key, value in patch.items():
            if key == "subject" and isinstance(value, dict) and isinstance(order.get(key), dict):
                merged = dict(order[key])
                merged.update(value)
                order[key] = merged
            else:
                order[key] = value
        check, _filled = run_checks(rt, s, filing.id, order)
        filing.order_enc = rt.cipher.encrypt_json(order, "order")
        apply_checks(filing, check, rt)
        index(s, rt, filing, order)
        filing.updated_at = utcnow()
        advance(rt, s, filing, type_event(check, rt.clock()), f"account:{account_id}")
        repo.audit(s, f"account:{account_id}", "filing.update", filing.id, {"keys": sorted(patch)})
        s.commit()
        return filing_view(rt, s, filing, masked=True)


def get_filing(rt: Runtime, account_id: str, filing_id: str) -> FilingView:
    with rt.sessions() as s:
        filing = find_filing(s, filing_id, account_id)
        return filing_view(rt, s, filing, masked=True)


def _risk(rt: Runtime, s: Session, filing: Filing) -> float:
    docs = list(s.scalars(select(Document).where(Document.filing_id == filing.id)))
    warnings = [w for d in docs for w in json.loads(d.warnings)]
    check = rt.cipher.decrypt_json(filing.check_enc, "check") if filing.check_enc else None
    failed_rules = sum(1 for r in (check or {}).get("rules", []) if r.get("status") == "failed")
    jobs = list(
        s.scalars(
            select(VideoCheck)
            .where(VideoCheck.filing_id == filing.id)
            .order_by(VideoCheck.created_at.desc())
        )
    )
    done = [j for j in jobs if j.status == "done"]
    return risk_score(
        RiskInputs(
            failed_rules=failed_rules,
            warnings=warnings,
            min_field_confidence=min((d.min_confidence for d in docs), default=None),
            video_decision=done[0].decision if done else None,
            needs_video=filing.path == "video_check",
            failed_video_checks=sum(1 for j in jobs if j.failed_check),
        )
    )


def submit(rt: Runtime, account_id: str, filing_id: str) -> FilingView:
    with rt.sessions() as s:
        filing = find_filing(s, filing_id, account_id)
        state = require_stage(filing, EDITABLE, "submit")
        has_docs = s.scalar(select(Document.id).where(Document.filing_id == filing.id).limit(1))
        if has_docs is None:
            raise ApiError(409, ApiCode.CONFLICT, "upload the documents before submitting")
        if state.path == "video_check":
            latest = latest_video(s, filing.id, done=True)
            if latest is not None and latest.decision == "reject":
                # docs/service.md: record a new video (a new challenge, within the lock-out
                # rules) or take the backdrop-photo path; a rejected check is never submitted.
                raise ApiError(
                    409,
                    ApiCode.VIDEO_CHECK_REJECTED,
                    "the latest video check was rejected: record the video again with a new "
                    "challenge, or take the backdrop-photo path",
                )
        else:
            photo = latest_backdrop(s, filing.id)
            if photo is not None and photo.decision == "reject":
                raise ApiError(
                    409,
                    ApiCode.BACKDROP_CHECK_REJECTED,
                    "the latest backdrop photo was rejected: take it again "
                    "(POST identity/backdrop)",
                )
        filing.risk = _risk(rt, s, filing)
        filing.submitted_at = utcnow()
        actor = f"account:{account_id}"
        check = rt.cipher.decrypt_json(filing.check_enc, "check") if filing.check_enc else None
        now = rt.clock()
        if check is not None:
            advance(rt, s, filing, type_event(check, now), actor)
        if load_state(filing).stage == lc.Stage.REFUSED:
            s.commit()
            raise ApiError(409, ApiCode.CONFLICT, REFUSED_TEXT)
        if state.stage in (lc.Stage.REJECTED, lc.Stage.RETURNED):
            advance(rt, s, filing, lc.Resubmitted(now), actor)
        else:
            advance(rt, s, filing, lc.SubmittedForReview(now), actor)
        repo.audit(s, actor, "filing.submit", filing.id)
        s.commit()
        return filing_view(rt, s, filing, masked=True)
