"""Use cases of the journey beyond the draft: the backdrop photo, SMS verification
(R-SMS-2/3), the authority's answer, the clock tick (service and ``kyc tick``), the outbox.

Every change of stage goes through ``stages.advance`` (the lifecycle's ``step``), which
stores the state with a compare-and-set and performs the returned actions.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from kyc.api.errors import ApiCode, ApiError
from kyc.api.outbox import Gateway, deliver, read_outbox
from kyc.api.runtime import Runtime
from kyc.api.usecases.results import (
    BackdropStored,
    FilingView,
    FormStored,
    SmsAnswer,
    StageChange,
)
from kyc.api.usecases.rules import apply_checks, run_checks
from kyc.api.usecases.shared import (
    IDENTITY_STAGES,
    check_decision,
    find_filing,
    is_id,
    new_id,
    portrait_document,
    require_draft,
    require_stage,
)
from kyc.api.usecases.stages import advance, code_hash, identity_result, verifier_people
from kyc.api.usecases.views import backdrop_summary, filing_view, form_summary
from kyc.errors import BadInput, ErrorCode
from kyc.filing import lifecycle as lc
from kyc.filing.model import normalize_number
from kyc.store import repo
from kyc.store.tables import BackdropCheck, Filing, FormCheck, SmsCode, utcnow

log = logging.getLogger("kyc.api")

CODE_RE = re.compile(r"[0-9]{6}")
TAIL_RE = re.compile(r"[0-9A-Za-z]{6}")
FILING_NUMBER_MAX = 64
REASON_MAX = 200


# --------------------------------------------------------------------------- backdrop


@dataclass(frozen=True)
class BackdropPlan:
    portrait_document_id: str
    portrait_jpeg: bytes


def plan_backdrop(rt: Runtime, account_id: str, filing_id: str) -> BackdropPlan:
    """The ID portrait the photo is compared with, or why the photo cannot be taken now."""
    with rt.sessions() as s:
        filing = find_filing(s, filing_id, account_id)
        require_stage(filing, IDENTITY_STAGES, "take a backdrop photo")
        doc, key = portrait_document(s, filing.id)
        return BackdropPlan(doc.id, rt.blobs.get(key))


def store_backdrop(
    rt: Runtime,
    account_id: str,
    filing_id: str,
    plan: BackdropPlan,
    result: dict[str, Any],
    raw: tuple[str, int],
) -> BackdropStored:
    """Store the check's result; a photo on the video path switches the filing to the
    backdrop-photo path (one way); in the identity-check stage a pass moves the filing
    on to second review."""
    decision = check_decision(result)
    reasons = [str(r) for r in result.get("reasons") or []]
    with rt.sessions() as s:
        filing = find_filing(s, filing_id, account_id)
        state = require_stage(filing, IDENTITY_STAGES, "take a backdrop photo")
        actor = f"account:{account_id}"
        row = BackdropCheck(
            id=new_id(),
            filing_id=filing.id,
            decision=decision,
            reasons=",".join(reasons),
            result_enc=rt.cipher.encrypt_json(result, "backdrop"),
            raw_key=raw[0],
            portrait_document_id=plan.portrait_document_id,
        )
        s.add(row)
        s.flush()
        if state.path != "backdrop_photo":
            advance(rt, s, filing, lc.PathSwitched(rt.clock()), actor)
        repo.settle_intents(s, [raw[1]])
        repo.audit(
            s,
            actor,
            "backdrop.upload",
            filing.id,
            {"check_id": row.id, "decision": decision, "reasons": reasons},
        )
        identity_result(rt, s, filing, decision, tuple(reasons))
        s.commit()
        return BackdropStored(backdrop_summary(row), filing_view(rt, s, filing, masked=True))


# --------------------------------------------------------------------------- the form


def plan_form(rt: Runtime, account_id: str, filing_id: str) -> dict[str, Any]:
    """The filing's order (the form is compared with it), or why no form is taken now."""
    with rt.sessions() as s:
        filing = find_filing(s, filing_id, account_id)
        require_draft(filing)
        order: dict[str, Any] = rt.cipher.decrypt_json(filing.order_enc, "order")
        return order


def store_form(
    rt: Runtime,
    account_id: str,
    filing_id: str,
    result: dict[str, Any],
    raw: tuple[str, int],
) -> FormStored:
    """Store the form check; the rules run again with it (R-DOC-4, R-REJ-2)."""
    decision = check_decision(result)
    with rt.sessions() as s:
        filing = find_filing(s, filing_id, account_id)
        require_draft(filing)
        row = FormCheck(
            id=new_id(),
            filing_id=filing.id,
            decision=decision,
            result_enc=rt.cipher.encrypt_json(result, "form"),
            raw_key=raw[0],
        )
        s.add(row)
        s.flush()
        order = rt.cipher.decrypt_json(filing.order_enc, "order")
        check, _ = run_checks(rt, s, filing.id, order)
        apply_checks(filing, check, rt)
        filing.updated_at = utcnow()
        repo.settle_intents(s, [raw[1]])
        repo.audit(
            s,
            f"account:{account_id}",
            "form.upload",
            filing.id,
            {"check_id": row.id, "decision": decision},
        )
        s.commit()
        return FormStored(form_summary(rt, row), filing_view(rt, s, filing, masked=True))


# --------------------------------------------------------------------------- SMS


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def verify_sms(
    rt: Runtime, account_id: str, filing_id: str, mobile: str, code: str, tail: str
) -> SmsAnswer:
    """R-SMS-3: the code, the verifier's mobile and the last six characters of their
    certificate number. A wrong certificate tail counts (5 return the application); a
    mobile that is not a waiting verifier's is refused without counting."""
    if not CODE_RE.fullmatch(code.strip()):
        raise BadInput(ErrorCode.INVALID_FIELD, "code: six digits")
    if not TAIL_RE.fullmatch(tail.strip()):
        raise BadInput(ErrorCode.INVALID_FIELD, "certificate_tail: six letters or digits")
    with rt.sessions() as s:
        filing = find_filing(s, filing_id, account_id)
        state = require_stage(filing, (lc.Stage.SMS_VERIFICATION,), "verify an SMS code")
        assert state.sms is not None
        order = rt.cipher.decrypt_json(filing.order_enc, "order")
        people = verifier_people(order, state.filing_type)
        pending = [v for v in state.sms.verifiers if v not in state.sms.verified]
        label = next(
            (
                v
                for v in pending
                if v in people and _digits(people[v].mobile) == _digits(mobile) != ""
            ),
            None,
        )
        if label is None:
            raise BadInput(
                ErrorCode.INVALID_FIELD,
                "mobile: not the mobile number of a verifier still waiting for this filing",
            )
        person = people[label]
        certificate_ok = normalize_number(person.certificate_number)[-6:].upper() == (
            tail.strip().upper()
        )
        active = s.scalars(
            select(SmsCode).where(
                SmsCode.filing_id == filing.id,
                SmsCode.verifier == label,
                SmsCode.superseded_at.is_(None),
            )
        ).first()
        limit = rt.settings.service.sms_max_wrong_codes
        if active is not None and active.wrong_attempts >= limit:
            raise ApiError(
                409,
                ApiCode.SMS_CODE_SPENT,
                f"{limit} wrong codes: this code is spent; request the resend (POST sms/resend)",
            )
        wanted = code_hash(rt, filing.id, label, code.strip())
        code_ok = active is not None and active.code_hash == wanted
        if active is not None and certificate_ok and not code_ok:
            active.wrong_attempts = (active.wrong_attempts or 0) + 1
        now = rt.clock()
        stepped = advance(
            rt,
            s,
            filing,
            lc.SmsAnswered(now, label, code_ok=code_ok, certificate_ok=certificate_ok),
            f"account:{account_id}",
        )
        if stepped.state.stage == lc.Stage.RETURNED:
            outcome = "returned"
        elif not certificate_ok:
            outcome = "certificate_wrong"
        elif not code_ok:
            outcome = "code_wrong"
        else:
            outcome = "verified"
        repo.audit(
            s,
            f"account:{account_id}",
            "sms.verify",
            filing.id,
            {"verifier": label, "outcome": outcome},
        )
        s.commit()
        return SmsAnswer(outcome, label, filing_view(rt, s, filing, masked=True))


def resend_sms(rt: Runtime, account_id: str, filing_id: str) -> FilingView:
    """R-SMS-2: the one resend, on request (or the automatic one at noon, see ``tick``)."""
    with rt.sessions() as s:
        filing = find_filing(s, filing_id, account_id)
        require_stage(filing, (lc.Stage.SMS_VERIFICATION,), "resend the SMS code")
        advance(rt, s, filing, lc.SmsResendRequested(rt.clock()), f"account:{account_id}")
        s.commit()
        return filing_view(rt, s, filing, masked=True)


# --------------------------------------------------------------------------- authority


def record_authority(
    rt: Runtime,
    admin: repo.ReviewerIdentity,
    filing_id: str,
    decision: str,
    reasons: list[str],
    filing_number: str | None,
) -> StageChange:
    """The authority's answer, recorded by an admin: approved with its filing number
    (done) or rejected with reasons (back to the applicant to fix and resubmit)."""
    reasons = [r.strip() for r in reasons if r.strip()]
    if any(len(r) > REASON_MAX for r in reasons):
        raise BadInput(ErrorCode.TEXT_TOO_LONG, f"reasons: at most {REASON_MAX} characters each")
    number = (filing_number or "").strip()
    if decision == "approved":
        if not number:
            raise BadInput(ErrorCode.MISSING_FIELD, "filing_number: needed for an approval")
        if len(number) > FILING_NUMBER_MAX:
            raise BadInput(ErrorCode.TEXT_TOO_LONG, "filing_number: at most 64 characters")
        if reasons:
            raise BadInput(ErrorCode.INVALID_FIELD, "an approval carries no reasons")
    elif decision == "rejected":
        if not reasons:
            raise BadInput(ErrorCode.MISSING_FIELD, "reasons: a rejection needs a reason")
        if number:
            raise BadInput(ErrorCode.INVALID_FIELD, "filing_number: only with an approval")
    else:
        raise BadInput(ErrorCode.INVALID_FIELD, "decision: approved or rejected")
    with rt.sessions() as s:
        filing = find_filing(s, filing_id, None)
        require_stage(filing, (lc.Stage.AT_AUTHORITY,), "record the authority's answer")
        now = rt.clock()
        event: lc.Event = (
            lc.AuthorityApproved(now, number)
            if decision == "approved"
            else lc.Rejected(now, tuple(reasons), by="authority")
        )
        advance(rt, s, filing, event, admin.actor)
        repo.audit(
            s,
            admin.actor,
            "authority." + decision,
            filing.id,
            {"reviewer": admin.name, "reasons": reasons, "filing_number": number or None},
        )
        s.commit()
        return StageChange(id=filing.id, status=filing.status, stage=filing.stage)


# --------------------------------------------------------------------------- tick


def tick(rt: Runtime, now: dt.datetime | None = None) -> dict[str, int]:
    """The clock tick: the automatic resend at noon and the 48-hour window of every SMS
    verification (R-SMS-2). Idempotent: a second tick at the same time does nothing, and
    two ticks at once apply each change once (compare-and-set on the state)."""
    moment = now or rt.clock()
    counts = {
        "filings": 0,
        "resent": 0,
        "returned": 0,
        "conflicts": 0,
        "delivered": 0,
        "undelivered": 0,
    }
    with rt.sessions() as s:
        ids = list(
            s.scalars(select(Filing.id).where(Filing.stage == lc.Stage.SMS_VERIFICATION.value))
        )
    for fid in ids:
        with rt.sessions() as s:
            filing = s.get(Filing, fid)
            if filing is None:
                continue
            counts["filings"] += 1
            try:
                stepped = advance(rt, s, filing, lc.ClockTick(moment), "system:tick")
            except ApiError:
                s.rollback()
                counts["conflicts"] += 1
                continue
            if any(isinstance(a, lc.SendSmsCode) for a in stepped.actions):
                counts["resent"] += 1
            if stepped.state.stage == lc.Stage.RETURNED:
                counts["returned"] += 1
            s.commit()
    svc = rt.settings.service
    if svc.notify_gateway_url:
        gateway = Gateway(svc.notify_gateway_url, svc.notify_gateway_token, svc.notify_max_attempts)
        relayed = deliver(rt.sessions, rt.cipher, gateway)
        counts["delivered"], counts["undelivered"] = relayed["sent"], relayed["failed"]
    return counts


def outbox(rt: Runtime, filing_id: str | None, limit: int = 200) -> list[dict[str, Any]]:
    if filing_id is not None and not is_id(filing_id):
        return []
    with rt.sessions() as s:
        return read_outbox(s, rt.cipher, filing_id, limit)
