"""Use cases of the service (synchronous; the HTTP layer runs them off the event loop).

Plain functions over a Runtime: create and update filings, store document readings with
auto-fill, consent, challenges, video-check bookkeeping, submission, review decisions.
Personal data is encrypted in every column it lands in and masked in what goes back to the
mini-program.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from kyc.api.errors import ApiCode, ApiError
from kyc.api.outbox import Outgoing
from kyc.api.risk import RiskInputs, risk_score
from kyc.api.runtime import Runtime
from kyc.api.workers import Saturated
from kyc.errors import BadInput, ErrorCode
from kyc.filing import journey as jr
from kyc.filing import lifecycle as lc
from kyc.filing.result import FormView, SmsSessionView
from kyc.privacy import is_personal, mask_tree, mask_value
from kyc.store import queue as jobqueue
from kyc.store import repo
from kyc.store.tables import (
    AuditEvent,
    BackdropCheck,
    Challenge,
    Decision,
    Document,
    Filing,
    FilingDomain,
    FormCheck,
    Reviewer,
    VideoCheck,
    utcnow,
)

REJECTION_REASONS: dict[str, str] = {
    "R-REJ-1": "certificate image unclear (after recompression)",
    "R-REJ-2": "seal in the wrong place on the verification form",
    "R-REJ-3": "site content does not match the subject or lacks a pre-approval",
    "R-REJ-4": "certificate already filed under another account",
    "R-REJ-5": "typed data differs from the certificate (name, number, address)",
    "R-REJ-6": "certificate expired, principal under age, or phone area code mismatch",
}
ID_RE = re.compile(r"[0-9a-f]{32}")
EDITABLE_KEYS = ("region", "account_has_cvm", "subject", "websites")
DRAFT = "draft"
SUBMITTED = "submitted"


def new_id() -> str:
    return secrets.token_hex(16)


def _iso(t: dt.datetime | None) -> str | None:
    return None if t is None else t.replace(tzinfo=dt.UTC).isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------- rules


def _registry(rt: Runtime, s: Session, filing_id: str | None, order: dict[str, Any]) -> list[Any]:
    """Filings known here (submitted or decided) sharing the certificate or a domain."""
    cert = str(order.get("subject", {}).get("certificate_number") or "")
    domains = sorted(_domains(order))
    ids: set[str] = set()
    if cert:
        ids.update(
            s.scalars(select(Filing.id).where(Filing.cert_lookup == rt.cipher.lookup_hash(cert)))
        )
    if domains:
        ids.update(
            s.scalars(select(FilingDomain.filing_id).where(FilingDomain.domain.in_(domains)))
        )
    ids.discard(filing_id or "")
    entries: list[dict[str, Any]] = list(rt.external_registry)
    for f in s.scalars(select(Filing).where(Filing.id.in_(ids), Filing.status != DRAFT)):
        other = rt.cipher.decrypt_json(f.order_enc, "order")
        entries.append(
            {
                "certificate_number": other.get("subject", {}).get("certificate_number", ""),
                "domains": sorted(_domains(other)),
                "provider": "us",
                "account_id": f.account_id,
            }
        )
    return entries


def _domains(order: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for site in order.get("websites") or []:
        if isinstance(site, dict):
            for d in site.get("domains") or []:
                if isinstance(d, str) and d.strip():
                    out.add(d.strip().lower().rstrip("."))
    return out


def run_checks(
    rt: Runtime,
    s: Session,
    filing_id: str | None,
    order: dict[str, Any],
    sms: SmsSessionView | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Parse the order (BadInput names the JSON path), auto-fill the empty subject and
    principal fields from the documents (into ``order``, in place), run every rule.

    Returns the rule results (with inputs, for reviewers) and the auto-filled paths.
    """
    from kyc.filing.autofill import autofill
    from kyc.filing.check import check_filing
    from kyc.filing.model import parse_filing, parse_registry

    parsed = parse_filing(order)
    filled_order, filled = autofill(parsed)
    paths: list[str] = []
    for item in filled:
        value: Any = filled_order
        for part in item.target.split("."):
            value = getattr(value, part, None)
        if isinstance(value, str) and _set_path(order, item.target, value):
            paths.append(item.target)
    registry = parse_registry(_registry(rt, s, filing_id, order))
    today = rt.clock().astimezone(lc.CHINA).date()
    form = form_view(rt, s, filing_id) if filing_id else None
    check = check_filing(parsed, registry, today, sms=sms, form=form).to_json(detail=True)
    return check, paths


def _latest_form(s: Session, filing_id: str) -> FormCheck | None:
    return s.scalars(
        select(FormCheck)
        .where(FormCheck.filing_id == filing_id)
        .order_by(FormCheck.created_at.desc(), FormCheck.id.desc())
        .limit(1)
    ).first()


def form_view(rt: Runtime, s: Session, filing_id: str) -> FormView | None:
    """The latest verification form's findings, for R-DOC-4 and R-REJ-2."""
    row = _latest_form(s, filing_id)
    if row is None:
        return None
    result = rt.cipher.decrypt_json(row.result_enc, "form")
    return FormView(
        tuple(
            (str(f.get("id")), str(f.get("status")), str(f.get("reason")))
            for f in result.get("findings") or []
            if isinstance(f, dict)
        )
    )


def _set_path(tree: dict[str, Any], dotted: str, value: str) -> bool:
    node: Any = tree
    parts = dotted.split(".")
    for part in parts[:-1]:
        if not isinstance(node, dict) or not isinstance(node.get(part), dict):
            return False
        node = node[part]
    if node.get(parts[-1]):
        return False
    node[parts[-1]] = value
    return True


def _apply_checks(filing: Filing, check: dict[str, Any], rt: Runtime) -> None:
    filing.check_enc = rt.cipher.encrypt_json(check, "check")
    filing.filing_type = check.get("filing_type")
    filing.path = check.get("path")
    filing.checks_ok = bool(check.get("ok"))


def _index(s: Session, rt: Runtime, filing: Filing, order: dict[str, Any]) -> None:
    cert = str(order.get("subject", {}).get("certificate_number") or "")
    filing.cert_lookup = rt.cipher.lookup_hash(cert) if cert else None
    s.query(FilingDomain).filter(FilingDomain.filing_id == filing.id).delete()
    for d in sorted(_domains(order)):
        s.add(FilingDomain(filing_id=filing.id, domain=d[:255]))


# --------------------------------------------------------------------------- journey

EDITABLE = lc.EDITABLE
IDENTITY_STAGES = (*lc.EDITABLE, lc.Stage.IDENTITY_CHECK)
REVIEW_STAGES = (lc.Stage.INITIAL_REVIEW, lc.Stage.SECOND_REVIEW)
REFUSED_TEXT = "R-REJ-4：该证件已在其他账号下有备案记录"


def load_state(filing: Filing) -> lc.OrderState:
    """The filing's lifecycle state (built from its status for a filing stored before)."""
    if filing.journey:
        return jr.state_from_json(json.loads(filing.journey))
    return jr.legacy_state(
        filing.status,
        filing.created_at.replace(tzinfo=dt.UTC),
        "video_check" if filing.path == "video_check" else "backdrop_photo",
    )


def _set_state(s: Session, filing: Filing, state: lc.OrderState) -> None:
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
    _set_state(s, filing, stepped.state)
    _perform(rt, s, filing, before, stepped, event.now)
    sms = stepped.state.sms
    if sms != before.sms or (sms is not None and stepped.state.stage != before.stage):
        # the R-SMS rules judge the running session (R-SMS-2 window, R-SMS-3 attempts);
        # a resubmission ends it (the rules wait again)
        order = rt.cipher.decrypt_json(filing.order_enc, "order")
        view = sms.view(event.now) if sms is not None else None
        check, _ = run_checks(rt, s, filing.id, order, view)
        _apply_checks(filing, check, rt)
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


def _code_hash(rt: Runtime, filing_id: str, verifier: str, code: str) -> str:
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
                code_hash=_code_hash(rt, filing.id, label, code),
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
        latest = _latest_video(s, filing.id, done=True)
        return latest is not None and latest.decision in ("pass", "review")
    photo = _latest_backdrop(s, filing.id)
    return photo is not None and photo.decision == "pass"


def _latest_video(s: Session, filing_id: str, *, done: bool = False) -> VideoCheck | None:
    q = select(VideoCheck).where(VideoCheck.filing_id == filing_id)
    if done:
        q = q.where(VideoCheck.status == "done").order_by(
            VideoCheck.finished_at.desc(), VideoCheck.created_at.desc()
        )
    else:
        q = q.order_by(VideoCheck.created_at.desc())
    return s.scalars(q.limit(1)).first()


def _latest_backdrop(s: Session, filing_id: str) -> BackdropCheck | None:
    return s.scalars(
        select(BackdropCheck)
        .where(BackdropCheck.filing_id == filing_id)
        .order_by(BackdropCheck.created_at.desc(), BackdropCheck.id.desc())
        .limit(1)
    ).first()


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


def _require_stage(filing: Filing, stages: tuple[lc.Stage, ...], what: str) -> lc.OrderState:
    state = load_state(filing)
    if state.stage not in stages:
        raise ApiError(
            409, ApiCode.CONFLICT, f"the filing is at stage {state.stage.value}: cannot {what}"
        )
    return state


def journey_facts(rt: Runtime, s: Session, filing: Filing, now: dt.datetime) -> jr.JourneyFacts:
    has_docs = s.scalar(select(Document.id).where(Document.filing_id == filing.id).limit(1))
    portrait = s.scalar(
        select(Document.id)
        .where(Document.filing_id == filing.id, Document.portrait_key.is_not(None))
        .limit(1)
    )
    video = _latest_video(s, filing.id)
    video_outcome: jr.CheckOutcome | None = None
    if video is not None and video.status in ("queued", "running"):
        video_outcome = "queued"
    else:
        done = _latest_video(s, filing.id, done=True)
        if done is not None and done.decision in ("pass", "review", "reject"):
            video_outcome = done.decision  # type: ignore[assignment]
    photo = _latest_backdrop(s, filing.id)
    backdrop: jr.CheckOutcome | None = None
    if photo is not None and photo.decision in ("pass", "review", "reject"):
        backdrop = photo.decision  # type: ignore[assignment]
    return jr.JourneyFacts(
        has_documents=has_docs is not None,
        has_portrait=portrait is not None,
        checks_ok=bool(filing.checks_ok),
        video=video_outcome,
        video_locked=filing.lock_until is not None and filing.lock_until > utcnow(),
        backdrop=backdrop,
        now=now,
        has_form=_latest_form(s, filing.id) is not None,
    )


def journey_view(
    rt: Runtime, s: Session, filing: Filing, pairs: list[tuple[str, str]] | None
) -> dict[str, Any]:
    """``stage``, ``next_steps`` and the journey (history, reasons, SMS session, the
    authority's answer); reasons are masked when ``pairs`` (personal values) are given."""
    state = load_state(filing)
    now = rt.clock()

    def clean(text: str) -> str:
        return redact(text, pairs) if pairs is not None else text

    sms = state.sms
    steps = jr.next_steps(state, journey_facts(rt, s, filing, now))
    return {
        "stage": state.stage.value,
        "next_steps": [{"code": n.code, "message": clean(n.message)} for n in steps],
        "journey": {
            "identity_path": state.path,
            "pilot": state.pilot,
            "sms_verifiers": list(state.sms_verifiers),
            "history": [{"stage": st.value, "at": at.isoformat()} for st, at in state.history],
            "rejections": [
                {"by": r.by, "at": r.at.isoformat(), "reasons": [clean(x) for x in r.reasons]}
                for r in state.rejections
            ],
            "sms": None
            if sms is None
            else {
                "sent_at": sms.sent_at.isoformat(),
                "expires_at": sms.expires_at.isoformat(),
                "auto_resend_at": sms.auto_resend_at.isoformat(),
                "resent_at": sms.resent_at.isoformat() if sms.resent_at else None,
                "verifiers": list(sms.verifiers),
                "verified": sorted(sms.verified),
                "wrong_certificate_attempts": sms.wrong_certificate_attempts,
            },
            "filing_number": state.filing_number,
        },
    }


# --------------------------------------------------------------------------- filings


def is_id(value: str | None) -> bool:
    """Our ids are 32 lowercase hex characters; anything else is unknown without a lookup."""
    return value is not None and ID_RE.fullmatch(value) is not None


def _get_filing(s: Session, filing_id: str, account_id: str | None) -> Filing:
    filing = s.get(Filing, filing_id) if is_id(filing_id) else None
    # Another account's filing is indistinguishable from a missing one.
    if filing is None or (account_id is not None and filing.account_id != account_id):
        raise ApiError(404, ApiCode.NOT_FOUND, "no such filing")
    return filing


def create_filing(rt: Runtime, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
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
        _apply_checks(filing, check, rt)
        now = rt.clock()
        _set_state(s, filing, lc.start(now))
        for event in (type_event(check, now), lc.SubjectSaved(now), lc.WebsitesSaved(now)):
            if load_state(filing).stage == lc.Stage.REFUSED:
                break
            advance(rt, s, filing, event, f"account:{account_id}")
        s.add(filing)
        s.flush()
        _index(s, rt, filing, order)
        repo.audit(s, f"account:{account_id}", "filing.create", fid)
        s.commit()
        return filing_view(rt, s, filing, masked=True)


def update_filing(
    rt: Runtime, account_id: str, filing_id: str, patch: dict[str, Any]
) -> dict[str, Any]:
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
        filing = _get_filing(s, filing_id, account_id)
        _require_draft(filing)
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
        _apply_checks(filing, check, rt)
        _index(s, rt, filing, order)
        filing.updated_at = utcnow()
        advance(rt, s, filing, type_event(check, rt.clock()), f"account:{account_id}")
        repo.audit(s, f"account:{account_id}", "filing.update", filing.id, {"keys": sorted(patch)})
        s.commit()
        return filing_view(rt, s, filing, masked=True)


def _require_draft(filing: Filing) -> None:
    """Editable: before the first submission, or rejected / returned (to fix and resubmit)."""
    state = load_state(filing)
    if state.stage not in EDITABLE:
        raise ApiError(
            409,
            ApiCode.CONFLICT,
            f"the filing is at stage {state.stage.value}, not editable",
        )


def get_filing(rt: Runtime, account_id: str, filing_id: str) -> dict[str, Any]:
    with rt.sessions() as s:
        filing = _get_filing(s, filing_id, account_id)
        return filing_view(rt, s, filing, masked=True)


def personal_values(tree: Any, key: str = "") -> Iterable[tuple[str, str]]:
    """Every (key, value) pair of personal data in a JSON tree (readings included)."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            if isinstance(v, str) and is_personal(k) and key != "websites":
                yield k, v
            elif isinstance(v, dict) and is_personal(k) and isinstance(v.get("value"), str):
                yield k, v["value"]
            else:
                yield from personal_values(v, k)
    elif isinstance(tree, list):
        for item in tree:
            yield from personal_values(item, key)


def redact(text: str, pairs: Iterable[tuple[str, str]]) -> str:
    """Mask every occurrence of known personal values inside free text (rule reasons)."""
    for k, v in sorted(set(pairs), key=lambda kv: -len(kv[1])):
        if len(v.strip()) >= 2 and v in text:
            text = text.replace(v, mask_value(k, v))
    return text


def filing_view(rt: Runtime, s: Session, filing: Filing, *, masked: bool) -> dict[str, Any]:
    order = rt.cipher.decrypt_json(filing.order_enc, "order")
    check = rt.cipher.decrypt_json(filing.check_enc, "check") if filing.check_enc else None
    docs = list(
        s.scalars(
            select(Document).where(Document.filing_id == filing.id).order_by(Document.created_at)
        )
    )
    documents = []
    for d in docs:
        reading = rt.cipher.decrypt_json(d.reading_enc, "reading")
        documents.append(
            {
                "id": d.id,
                "document_type": d.document_type,
                "fields": reading["reading"]["fields"],
                "warnings": json.loads(d.warnings),
                "quality": d.quality,
                "created_at": _iso(d.created_at),
                "purged": d.purged_at is not None,
            }
        )
    latest = s.scalars(
        select(VideoCheck)
        .where(VideoCheck.filing_id == filing.id)
        .order_by(VideoCheck.created_at.desc())
        .limit(1)
    ).first()
    state = load_state(filing)
    view: dict[str, Any] = {
        "id": filing.id,
        "status": jr.status_of(state.stage),
        "filing_type": filing.filing_type,
        "path": state.path or filing.path,
        "video_check_eligible": filing.path == "video_check" if filing.path else None,
        "order": {k: v for k, v in order.items() if k != "documents"},
        "check": check,
        "documents": documents,
        "consent": {
            "biometric": filing.consent_at is not None,
            "at": _iso(filing.consent_at),
            "version": filing.consent_version,
        },
        "liveness": {
            "locked_until": _iso(filing.lock_until)
            if filing.lock_until and filing.lock_until > utcnow()
            else None,
            "latest_job": job_summary(latest) if latest else None,
        },
        "created_at": _iso(filing.created_at),
        "submitted_at": _iso(filing.submitted_at),
        "decided_at": _iso(filing.decided_at),
    }
    pairs = list(personal_values(order))
    journey = journey_view(rt, s, filing, pairs if masked else None)
    photo = _latest_backdrop(s, filing.id)
    view["identity"] = {
        "path": state.path,
        "backdrop": None if photo is None else backdrop_summary(photo),
    }
    form = _latest_form(s, filing.id)
    view["form"] = None if form is None else form_summary(rt, form)
    if masked:
        view = mask_tree(view)
        if check:
            view["check"] = {
                "filing_type": check.get("filing_type"),
                "path": check.get("path"),
                "ok": check.get("ok"),
                "path_reasons": [redact(str(r), pairs) for r in check.get("path_reasons", [])],
                "rules": [
                    {
                        "id": r.get("id"),
                        "status": r.get("status"),
                        "reason": redact(str(r.get("reason", "")), pairs),
                    }
                    for r in check.get("rules", [])
                ],
            }
    view.update(journey)
    return view


def form_summary(rt: Runtime, row: FormCheck) -> dict[str, Any]:
    """The verification form's decision and findings (rule, status, reason)."""
    result = rt.cipher.decrypt_json(row.result_enc, "form")
    return {
        "id": row.id,
        "decision": row.decision,
        "findings": [f for f in result.get("findings") or [] if isinstance(f, dict)],
        "created_at": _iso(row.created_at),
    }


def backdrop_summary(row: BackdropCheck) -> dict[str, Any]:
    """What the applicant sees of a backdrop check: the decision and codes, never scores."""
    return {
        "id": row.id,
        "decision": row.decision,
        "reasons": [c for c in row.reasons.split(",") if c],
        "created_at": _iso(row.created_at),
    }


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class StoredBlobs:
    raw: tuple[str, int]
    evidence: tuple[str, int] | None
    portrait: tuple[str, int] | None


def store_document(
    rt: Runtime,
    account_id: str,
    filing_id: str,
    result: dict[str, Any],
    blobs: StoredBlobs,
    file_format: str | None,
    size: int,
) -> dict[str, Any]:
    reading = result["reading"]
    with rt.sessions() as s:
        filing = _get_filing(s, filing_id, account_id)
        _require_draft(filing)
        order = rt.cipher.decrypt_json(filing.order_enc, "order")
        entry = dict(reading)
        entry["format"] = file_format
        entry["size_bytes"] = size
        order.setdefault("documents", []).append(entry)
        check, filled = run_checks(rt, s, filing.id, order)
        confidences = [
            float(f.get("confidence", 0.0)) for f in (reading.get("fields") or {}).values()
        ]
        doc = Document(
            id=new_id(),
            filing_id=filing.id,
            document_type=reading.get("document_type", "unknown"),
            reading_enc=rt.cipher.encrypt_json(
                {
                    "reading": reading,
                    "boxes": result.get("boxes") or {},
                    "evidence_size": result.get("evidence_size"),
                },
                "reading",
            ),
            warnings=json.dumps(list(reading.get("warnings") or [])),
            quality=float(reading.get("quality") or 0.0),
            min_confidence=min(confidences) if confidences else 0.0,
            raw_key=blobs.raw[0],
            evidence_key=blobs.evidence[0] if blobs.evidence else None,
            portrait_key=blobs.portrait[0] if blobs.portrait else None,
        )
        s.add(doc)
        filing.order_enc = rt.cipher.encrypt_json(order, "order")
        _apply_checks(filing, check, rt)
        _index(s, rt, filing, order)
        filing.updated_at = utcnow()
        advance(rt, s, filing, type_event(check, rt.clock()), f"account:{account_id}")
        repo.settle_intents(
            s, [b[1] for b in (blobs.raw, blobs.evidence, blobs.portrait) if b is not None]
        )
        repo.audit(
            s,
            f"account:{account_id}",
            "document.upload",
            filing.id,
            {"document_id": doc.id, "document_type": doc.document_type, "autofilled": filled},
        )
        s.commit()
        view = filing_view(rt, s, filing, masked=True)
        document = next(d for d in view["documents"] if d["id"] == doc.id)
        return {"document": document, "autofilled": filled, "filing": view}


def check_document_allowed(rt: Runtime, account_id: str, filing_id: str) -> None:
    with rt.sessions() as s:
        _require_draft(_get_filing(s, filing_id, account_id))


# --------------------------------------------------------------------------- consent, video


def record_consent(
    rt: Runtime, account_id: str, filing_id: str, version: str | None
) -> dict[str, Any]:
    with rt.sessions() as s:
        filing = _get_filing(s, filing_id, account_id)
        filing.consent_at = utcnow()
        filing.consent_version = (version or rt.settings.service.consent_version)[:32]
        repo.audit(
            s,
            f"account:{account_id}",
            "consent.biometric",
            filing.id,
            {"version": filing.consent_version},
        )
        s.commit()
        return {"biometric": True, "at": _iso(filing.consent_at), "version": filing.consent_version}


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
    state = _require_stage(filing, IDENTITY_STAGES, "take a video check")
    if state.path is not None and state.path != "video_check":
        why = (
            "the applicant switched to the backdrop-photo path"
            if state.backdrop_chosen
            else "this filing takes the backdrop-photo path, not the video check (R-MINI)"
        )
        raise ApiError(409, ApiCode.NOT_ELIGIBLE, why)


def new_challenge(rt: Runtime, account_id: str, filing_id: str) -> dict[str, Any]:
    from kyc.liveness.challenge import new_challenge as draw

    with rt.sessions() as s:
        filing = _get_filing(s, filing_id, account_id)
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
        return {"challenge_id": row.id, **body}


# The durable job kind of a video check (kyc/store/queue.py); its id is the check's id.
VIDEO_JOB = "video_check"


@dataclass(frozen=True)
class VideoPlan:
    challenge_id: str
    challenge: dict[str, Any]
    portrait_jpeg: bytes
    portrait_key: str = ""


def plan_video(rt: Runtime, account_id: str, filing_id: str, challenge_id: str | None) -> VideoPlan:
    """Everything the video check needs, or the reason it cannot run."""
    with rt.sessions() as s:
        filing = _get_filing(s, filing_id, account_id)
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
        doc = s.scalars(
            select(Document)
            .where(Document.filing_id == filing.id, Document.portrait_key.is_not(None))
            .order_by(Document.created_at.desc())
            .limit(1)
        ).first()
        if doc is None or doc.portrait_key is None:
            raise ApiError(
                409, ApiCode.NO_PORTRAIT, "upload the ID card front first (its portrait is needed)"
            )
        portrait = rt.blobs.get(doc.portrait_key)
        return VideoPlan(ch.id, json.loads(ch.challenge_json), portrait, doc.portrait_key)


def create_video_job(
    rt: Runtime,
    account_id: str,
    filing_id: str,
    plan: VideoPlan,
    video: tuple[str, int],
    mirrored: bool,
    backlog_limit: int | None = None,
) -> dict[str, Any]:
    """Store the video check and its durable job in one transaction; with ``backlog_limit``
    refuse (``Saturated``) when that many video jobs are unfinished already."""
    with rt.sessions() as s:
        filing = _get_filing(s, filing_id, account_id)
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


def job_summary(job: VideoCheck) -> dict[str, Any]:
    """What the mini-program sees of a video check: never the scores (vendors' advice)."""
    # Stored as one comma-joined string of codes (no code holds a comma); answered as a list.
    reasons = [code for code in (job.error or "").split(",") if code]
    return {
        "job_id": job.id,
        "status": job.status,
        "decision": job.decision,
        "reasons": reasons,
        "created_at": _iso(job.created_at),
        "finished_at": _iso(job.finished_at),
    }


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
                    identity_result(rt, s, filing, str(job.decision), _codes(job.error))
                moved = True
            except ApiError:
                moved = False
        s.commit()
    if not moved and verdict is not None:
        _journey_retry(rt, job.filing_id, str(verdict.get("decision") or "review"), job.error)
    return True


def _codes(joined: str | None) -> tuple[str, ...]:
    return tuple(c for c in (joined or "").split(",") if c)


def _journey_retry(rt: Runtime, filing_id: str, outcome: str, reasons: str | None) -> None:
    """Tell the journey a video check finished (a few tries: a request may change the
    filing meanwhile; the result itself is already stored)."""
    codes = _codes(reasons)
    for _ in range(3):
        with rt.sessions() as s:
            filing = s.get(Filing, filing_id)
            if filing is None or load_state(filing).path != "video_check":
                return
            try:
                identity_result(rt, s, filing, outcome, codes)
                s.commit()
                return
            except ApiError:
                s.rollback()


def get_job(rt: Runtime, account_id: str, filing_id: str, job_id: str) -> dict[str, Any]:
    with rt.sessions() as s:
        filing = _get_filing(s, filing_id, account_id)
        job = s.get(VideoCheck, job_id) if is_id(job_id) else None
        if job is None or job.filing_id != filing.id:
            raise ApiError(404, ApiCode.NOT_FOUND, "no such video check")
        return job_summary(job)


# --------------------------------------------------------------------------- submit, review


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


def submit(rt: Runtime, account_id: str, filing_id: str) -> dict[str, Any]:
    with rt.sessions() as s:
        filing = _get_filing(s, filing_id, account_id)
        state = _require_stage(filing, EDITABLE, "submit")
        has_docs = s.scalar(select(Document.id).where(Document.filing_id == filing.id).limit(1))
        if has_docs is None:
            raise ApiError(409, ApiCode.CONFLICT, "upload the documents before submitting")
        if state.path == "video_check":
            latest = _latest_video(s, filing.id, done=True)
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
            photo = _latest_backdrop(s, filing.id)
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


def queue(rt: Runtime, limit: int = 100) -> list[dict[str, Any]]:
    with rt.sessions() as s:
        rows = s.scalars(
            select(Filing)
            .where(Filing.status == SUBMITTED)
            .order_by(Filing.risk.desc(), Filing.submitted_at.asc())
            .limit(limit)
        )
        out = []
        for f in rows:
            order = rt.cipher.decrypt_json(f.order_enc, "order")
            subject = order.get("subject") or {}
            out.append(
                {
                    "id": f.id,
                    "account_id": f.account_id,
                    "risk": f.risk,
                    "filing_type": f.filing_type,
                    "path": f.path,
                    "checks_ok": f.checks_ok,
                    "subject_nature": subject.get("nature"),
                    "subject_name": mask_value("name", str(subject.get("name") or "")),
                    "domains": sorted(_domains(order)),
                    "submitted_at": _iso(f.submitted_at),
                    "stage": load_state(f).stage.value,
                }
            )
        return out


def review_detail(rt: Runtime, reviewer: repo.ReviewerIdentity, filing_id: str) -> dict[str, Any]:
    """The reviewer's view: unmasked, with evidence and the audit trail; the view is audited."""
    with rt.sessions() as s:
        filing = _get_filing(s, filing_id, None)
        repo.audit(s, reviewer.actor, "filing.view", filing.id, {"reviewer": reviewer.name})
        s.commit()
        view = filing_view(rt, s, filing, masked=False)
        view["account_id"] = filing.account_id
        view["risk"] = filing.risk
        docs = {d.id: d for d in s.scalars(select(Document).where(Document.filing_id == filing.id))}
        for d in view["documents"]:
            row = docs[d["id"]]
            stored = rt.cipher.decrypt_json(row.reading_enc, "reading")
            d["boxes"] = stored.get("boxes") or {}
            d["evidence_size"] = stored.get("evidence_size")
            d["has_evidence"] = row.evidence_key is not None
            d["has_portrait"] = row.portrait_key is not None
        jobs = []
        for j in s.scalars(
            select(VideoCheck)
            .where(VideoCheck.filing_id == filing.id)
            .order_by(VideoCheck.created_at.desc())
        ):
            item = job_summary(j)
            item["verdict"] = (
                rt.cipher.decrypt_json(j.result_enc, "verdict") if j.result_enc else None
            )
            item["has_best_frame"] = j.best_frame_key is not None
            item["mirrored"] = j.mirrored
            jobs.append(item)
        view["video_checks"] = jobs
        view["form_checks"] = [
            {
                **form_summary(rt, fc),
                "result": rt.cipher.decrypt_json(fc.result_enc, "form"),
                "has_photo": fc.raw_key is not None and fc.purged_at is None,
            }
            for fc in s.scalars(
                select(FormCheck)
                .where(FormCheck.filing_id == filing.id)
                .order_by(FormCheck.created_at.desc(), FormCheck.id.desc())
            )
        ]
        view["backdrop_checks"] = [
            {
                **backdrop_summary(b),
                "result": rt.cipher.decrypt_json(b.result_enc, "backdrop"),
                "portrait_document_id": b.portrait_document_id,
                "has_photo": b.raw_key is not None and b.purged_at is None,
            }
            for b in s.scalars(
                select(BackdropCheck)
                .where(BackdropCheck.filing_id == filing.id)
                .order_by(BackdropCheck.created_at.desc(), BackdropCheck.id.desc())
            )
        ]
        view["decisions"] = [
            {
                "decision": d.decision,
                "reasons": json.loads(d.reasons),
                "comment": rt.cipher.decrypt_text(d.comment_enc, "comment")
                if d.comment_enc
                else "",
                "reviewer": name,
                "at": _iso(d.created_at),
            }
            for d, name in s.execute(
                select(Decision, Reviewer.name)
                .join(Reviewer, Reviewer.id == Decision.reviewer_id)
                .where(Decision.filing_id == filing.id)
                .order_by(Decision.created_at)
            )
        ]
        view["audit"] = audit_trail(s, filing.id)
        from kyc.jobs.store import flagged_results

        # re-verification runs whose results for this filing differ: flagged for review
        view["reverify_flags"] = flagged_results(s, filing.id)
        return view


def audit_trail(s: Session, filing_id: str | None, limit: int = 200) -> list[dict[str, Any]]:
    if filing_id is not None and not is_id(filing_id):
        return []
    q = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if filing_id is not None:
        q = q.where(AuditEvent.filing_id == filing_id)
    return [
        {
            "at": _iso(e.at),
            "actor": e.actor,
            "action": e.action,
            "filing_id": e.filing_id,
            "detail": json.loads(e.detail),
        }
        for e in s.scalars(q)
    ]


def decide(
    rt: Runtime,
    reviewer: repo.ReviewerIdentity,
    filing_id: str,
    decision: str,
    reasons: list[str],
    comment: str,
) -> dict[str, Any]:
    if decision not in ("approve", "reject"):
        raise BadInput(ErrorCode.INVALID_FIELD, "decision must be approve or reject")
    unknown = [r for r in reasons if r not in REJECTION_REASONS]
    if unknown:
        raise BadInput(
            ErrorCode.INVALID_FIELD,
            f"unknown reason codes {', '.join(unknown)}; use R-REJ-1..R-REJ-6",
        )
    if decision == "reject" and not reasons:
        raise BadInput(ErrorCode.MISSING_FIELD, "a rejection needs at least one R-REJ reason")
    if decision == "approve" and reasons:
        raise BadInput(ErrorCode.INVALID_FIELD, "an approval carries no rejection reasons")
    with rt.sessions() as s:
        filing = _get_filing(s, filing_id, None)
        state = _require_stage(filing, REVIEW_STAGES, "take a review decision")
        now = rt.clock()
        if decision == "approve":
            advance(rt, s, filing, lc.ReviewPassed(now), reviewer.actor)
            if state.stage == lc.Stage.INITIAL_REVIEW:
                # an identity check done before submission counts now
                identity_result(rt, s, filing, "none", ())
        else:
            texts = tuple(f"{r} {REJECTION_REASONS[r]}" for r in reasons)
            advance(rt, s, filing, lc.Rejected(now, texts, by="reviewer"), reviewer.actor)
        filing.decided_at = utcnow()
        s.add(
            Decision(
                filing_id=filing.id,
                reviewer_id=reviewer.id,
                decision=decision,
                reasons=json.dumps(reasons),
                comment_enc=rt.cipher.encrypt_text(comment, "comment") if comment else None,
            )
        )
        repo.audit(
            s,
            reviewer.actor,
            f"filing.{decision}",
            filing.id,
            {"reasons": reasons, "reviewer": reviewer.name},
        )
        s.commit()
        return {
            "id": filing.id,
            "status": filing.status,
            "stage": filing.stage,
            "decided_at": _iso(filing.decided_at),
        }


def blob_for(rt: Runtime, kind: str, object_id: str) -> tuple[bytes, str] | None:
    """Evidence images for the reviewer pages: document evidence/portrait, best frame."""
    with rt.sessions() as s:
        key: str | None = None
        filing_id: str | None = None
        if kind in ("evidence", "portrait", "raw"):
            doc = s.get(Document, object_id) if is_id(object_id) else None
            if doc is not None:
                key = {"evidence": doc.evidence_key, "portrait": doc.portrait_key}.get(
                    kind, doc.raw_key
                )
                filing_id = doc.filing_id
        elif kind == "best_frame":
            job = s.get(VideoCheck, object_id) if is_id(object_id) else None
            if job is not None:
                key, filing_id = job.best_frame_key, job.filing_id
        elif kind == "form":
            form = s.get(FormCheck, object_id) if is_id(object_id) else None
            if form is not None and form.purged_at is None:
                key, filing_id = form.raw_key, form.filing_id
        elif kind == "backdrop":
            photo = s.get(BackdropCheck, object_id) if is_id(object_id) else None
            if photo is not None and photo.purged_at is None:
                key, filing_id = photo.raw_key, photo.filing_id
        if key is None or filing_id is None:
            return None
    return rt.blobs.get(key), filing_id
