"""The lifecycle in the store: every change of stage goes through ``advance`` (the
lifecycle's ``step``), which stores the state with a compare-and-set and performs the
actions it returns (SMS codes, the submission to the authority, notices)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from sqlalchemy import inspect, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from kyc.api.errors import ApiCode, ApiError
from kyc.api.outbox import Outgoing
from kyc.api.runtime import Runtime
from kyc.api.usecases.rules import apply_checks, run_checks
from kyc.api.usecases.shared import latest_backdrop, latest_video, load_state
from kyc.filing import journey as jr
from kyc.filing import lifecycle as lc
from kyc.store import repo
from kyc.store.tables import Filing

REFUSED_TEXT = "R-REJ-4：该证件已在其他账号下有备案记录"


def set_state(s: Session, filing: Filing, state: lc.OrderState) -> None:
    """Store the state; compare-and-set on ``journey_rev`` for a stored filing, so that two
    writers (a tick and a request, two ticks) never both apply an event to one state."""
    rev = filing.journey_rev or 0
    values: dict[str, Any] = {
        "stage": state.stage.value,
        "status": jr.status_of(state.stage),
        "journey": json.dumps(jr.state_to_json(state), ensure_ascii=False),
        "journey_rev": rev + 1,
    }
    if inspect(filing).persistent:
        done = s.execute(
            update(Filing)
            .where(Filing.id == filing.id, Filing.journey_rev == rev)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if getattr(done, "rowcount", 1) != 1:
            raise ApiError(409, ApiCode.CONFLICT, "the filing changed meanwhile; try again")
        for key, value in values.items():
            set_committed_value(filing, key, value)
    else:
        for key, value in values.items():
            setattr(filing, key, value)


def type_event(check: dict[str, Any], now: dt.datetime) -> lc.TypeVerified:
    """``TypeVerified`` from the stored rule results (JSON with inputs)."""
    rules = {r.get("id"): r for r in check.get("rules", [])}
    pilot = (rules.get("R-SMS-1") or {}).get("inputs", {}).get("pilot") is True
    verifiers = (
        tuple(str(v) for v in (rules.get("R-SMS-4") or {}).get("inputs", {}).get("verifiers", ()))
        if pilot
        else ()
    )
    refused = (REFUSED_TEXT,) if (check.get("filing") or {}).get("refused") else ()
    return lc.TypeVerified(
        now=now,
        filing_type=check["filing_type"],
        path=check["path"],
        pilot=pilot,
        sms_verifiers=verifiers,
        refused_reasons=refused,
    )


def advance(
    rt: Runtime, s: Session, filing: Filing, event: lc.Event, actor: str = "system"
) -> lc.Step:
    """Apply one event to the filing's state (BadInput INVALID_STATE when its stage refuses
    it), store the new state and perform the actions it returns, in the caller's
    transaction."""
    before = load_state(filing)
    stepped = lc.step(before, event)
    if stepped.state == before:
        return stepped
    set_state(s, filing, stepped.state)
    _perform(rt, s, filing, before, stepped, event.now)
    sms = stepped.state.sms
    if sms != before.sms or (sms is not None and stepped.state.stage != before.stage):
        # the R-SMS rules judge the running session (R-SMS-2 window, R-SMS-3 attempts);
        # a resubmission ends it (the rules wait again)
        order = rt.cipher.decrypt_json(filing.order_enc, "order")
        view = sms.view(event.now) if sms is not None else None
        check, _ = run_checks(rt, s, filing.id, order, view)
        apply_checks(filing, check, rt)
    if stepped.state.stage != before.stage or stepped.actions:
        repo.audit(
            s,
            actor,
            "journey." + type(event).__name__,
            filing.id,
            {"from": before.stage.value, "to": stepped.state.stage.value},
        )
    return stepped


def _principal(order: dict[str, Any]) -> dict[str, Any]:
    subject = order.get("subject") or {}
    principal = subject.get("principal") if isinstance(subject, dict) else None
    return principal if isinstance(principal, dict) else {}


def _perform(
    rt: Runtime,
    s: Session,
    filing: Filing,
    before: lc.OrderState,
    stepped: lc.Step,
    now: dt.datetime,
) -> None:
    """The adapters: SMS codes, the submission to the authority, the applicant's notices
    (to the subject principal's mobile and e-mail, the contacts the applicant gave; the
    text names stages and reasons, no personal data)."""
    order: dict[str, Any] | None = None
    for action in stepped.actions:
        if isinstance(action, lc.SendSmsCode):
            order = order or rt.cipher.decrypt_json(filing.order_enc, "order")
            send_codes(rt, s, filing, order, stepped.state, action.verifiers, action.resend, now)
        elif isinstance(action, lc.SubmitToAuthority):
            body = {
                "filing_id": filing.id,
                "filing_type": stepped.state.filing_type,
                "path": action.path,
                "at": now.isoformat(),
            }
            rt.out.send(s, Outgoing("authority", "submission", filing.id, None, json.dumps(body)))
    for notice in jr.notices(before, stepped):
        order = order or rt.cipher.decrypt_json(filing.order_enc, "order")
        principal = _principal(order)
        for channel, key in (("sms", "mobile"), ("email", "email")):
            to = str(principal.get(key) or "").strip()
            if channel in notice.channels and to:
                rt.out.send(s, Outgoing(channel, "notice", filing.id, to, notice.message))  # type: ignore[arg-type]


def code_hash(rt: Runtime, filing_id: str, verifier: str, code: str) -> str:
    """The keyed hash an SMS code is stored as."""
    return rt.cipher.lookup_hash(f"sms|{filing_id}|{verifier}|{code}")


def verifier_people(order: dict[str, Any], filing_type: Any) -> dict[str, Any]:
    """Label → Person of who verifies (R-SMS-4), from the stored order."""
    from kyc.filing.model import parse_filing
    from kyc.filing.rules_sms import sms_verifiers

    return dict(sms_verifiers(parse_filing(order), filing_type))


def send_codes(
    rt: Runtime,
    s: Session,
    filing: Filing,
    order: dict[str, Any],
    state: lc.OrderState,
    verifiers: tuple[str, ...],
    resend: bool,
    now: dt.datetime,
) -> None:
    """A fresh six-digit code per verifier, stored as a keyed hash; a resend replaces the
    earlier code (the window still runs from the first sending, R-SMS-2)."""
    from kyc.store.tables import SmsCode

    people = verifier_people(order, state.filing_type)
    at = now.astimezone(dt.UTC).replace(tzinfo=None)
    for label in verifiers:
        person = people.get(label)
        if person is None or not person.mobile.strip():
            continue
        code = f"{secrets.randbelow(10**6):06d}"
        s.query(SmsCode).filter(
            SmsCode.filing_id == filing.id,
            SmsCode.verifier == label,
            SmsCode.superseded_at.is_(None),
        ).update({SmsCode.superseded_at: at})
        s.add(
            SmsCode(
                filing_id=filing.id,
                verifier=label[:32],
                code_hash=code_hash(rt, filing.id, label, code),
                resend=resend,
                wrong_attempts=0,
                sent_at=at,
            )
        )
        expires = state.sms.expires_at.astimezone(lc.CHINA) if state.sms else None
        until = f"，{expires:%m月%d日%H:%M}前有效" if expires else "，48 小时内有效"
        text = (
            f"【ICP备案】您的短信核验码为 {code}{until}。核验时请同时提交本手机号与证件号码后六位。"
        )
        rt.out.send(s, Outgoing("sms", "code", filing.id, person.mobile.strip(), text))


def _identity_passed(s: Session, filing: Filing, state: lc.OrderState) -> bool:
    """The latest identity check of the filing's path lets it on to second review: a
    video check not rejected (pass or review), or a backdrop photo that passed."""
    if state.path == "video_check":
        latest = latest_video(s, filing.id, done=True)
        return latest is not None and latest.decision in ("pass", "review")
    photo = latest_backdrop(s, filing.id)
    return photo is not None and photo.decision == "pass"


def identity_result(
    rt: Runtime, s: Session, filing: Filing, outcome: str, reasons: tuple[str, ...]
) -> None:
    """A finished identity check of the filing's path, in the identity-check stage: on to
    second review, or stay (the applicant tries again or switches to the backdrop photo)."""
    state = load_state(filing)
    if state.stage != lc.Stage.IDENTITY_CHECK:
        return  # before submission: counted once initial review passes
    now = rt.clock()
    if _identity_passed(s, filing, state):
        advance(rt, s, filing, lc.IdentityChecked(now))
    elif outcome in ("reject", "review"):
        advance(rt, s, filing, lc.IdentityCheckFailed(now, reasons))
