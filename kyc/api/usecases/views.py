"""What the applicant (masked) and a reviewer (whole) see of a filing and its checks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from kyc.api.runtime import Runtime
from kyc.api.usecases import results as r
from kyc.api.usecases.shared import (
    codes,
    iso,
    latest_backdrop,
    latest_form,
    latest_video,
    load_state,
    personal_values,
    redact,
)
from kyc.filing import journey as jr
from kyc.privacy import mask_tree
from kyc.store.tables import BackdropCheck, Document, Filing, FormCheck, VideoCheck, utcnow


def job_summary(job: VideoCheck) -> r.JobSummary:
    """What the mini-program sees of a video check: never the scores (vendors' advice)."""
    # Stored as one comma-joined string of codes (no code holds a comma); answered as a list.
    return r.JobSummary(
        job_id=job.id,
        status=job.status,
        decision=job.decision,
        reasons=codes(job.error),
        created_at=iso(job.created_at),
        finished_at=iso(job.finished_at),
    )


def form_summary(rt: Runtime, row: FormCheck) -> r.FormSummary:
    """The verification form's decision and findings (rule, status, reason)."""
    result = rt.cipher.decrypt_json(row.result_enc, "form")
    return r.FormSummary(
        id=row.id,
        decision=row.decision,
        findings=tuple(f for f in result.get("findings") or [] if isinstance(f, dict)),
        created_at=iso(row.created_at),
    )


def backdrop_summary(row: BackdropCheck) -> r.BackdropSummary:
    """What the applicant sees of a backdrop check: the decision and codes, never scores."""
    return r.BackdropSummary(
        id=row.id,
        decision=row.decision,
        reasons=codes(row.reasons),
        created_at=iso(row.created_at),
    )


def journey_facts(rt: Runtime, s: Session, filing: Filing, now: dt.datetime) -> jr.JourneyFacts:
    has_docs = s.scalar(select(Document.id).where(Document.filing_id == filing.id).limit(1))
    portrait = s.scalar(
        select(Document.id)
        .where(Document.filing_id == filing.id, Document.portrait_key.is_not(None))
        .limit(1)
    )
    video = latest_video(s, filing.id)
    video_outcome: jr.CheckOutcome | None = None
    if video is not None and video.status in ("queued", "running"):
        video_outcome = "queued"
    else:
        done = latest_video(s, filing.id, done=True)
        if done is not None and done.decision in ("pass", "review", "reject"):
            video_outcome = done.decision  # type: ignore[assignment]
    photo = latest_backdrop(s, filing.id)
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
        has_form=latest_form(s, filing.id) is not None,
    )


def journey_view(
    rt: Runtime, s: Session, filing: Filing, pairs: list[tuple[str, str]] | None
) -> r.JourneyView:
    """``stage``, ``next_steps`` and the journey (history, reasons, SMS session, the
    authority's answer); reasons are masked when ``pairs`` (personal values) are given."""
    state = load_state(filing)
    now = rt.clock()

    def clean(text: str) -> str:
        return redact(text, pairs) if pairs is not None else text

    sms = state.sms
    steps = jr.next_steps(state, journey_facts(rt, s, filing, now))
    return r.JourneyView(
        stage=state.stage.value,
        next_steps=tuple(r.NextStep(n.code, clean(n.message)) for n in steps),
        journey=r.Journey(
            identity_path=state.path,
            pilot=state.pilot,
            sms_verifiers=tuple(state.sms_verifiers),
            history=tuple(r.StageAt(st.value, at.isoformat()) for st, at in state.history),
            rejections=tuple(
                r.Rejection(x.by, x.at.isoformat(), tuple(clean(y) for y in x.reasons))
                for x in state.rejections
            ),
            sms=None
            if sms is None
            else r.SmsSession(
                sent_at=sms.sent_at.isoformat(),
                expires_at=sms.expires_at.isoformat(),
                auto_resend_at=sms.auto_resend_at.isoformat(),
                resent_at=sms.resent_at.isoformat() if sms.resent_at else None,
                verifiers=tuple(sms.verifiers),
                verified=tuple(sorted(sms.verified)),
                wrong_certificate_attempts=sms.wrong_certificate_attempts,
            ),
            filing_number=state.filing_number,
        ),
    )


def document_view(rt: Runtime, d: Document) -> r.DocumentView:
    reading = rt.cipher.decrypt_json(d.reading_enc, "reading")
    return r.DocumentView(
        id=d.id,
        document_type=d.document_type,
        fields=reading["reading"]["fields"],
        warnings=tuple(json.loads(d.warnings)),
        quality=d.quality,
        created_at=iso(d.created_at),
        purged=d.purged_at is not None,
    )


def filing_view(rt: Runtime, s: Session, filing: Filing, *, masked: bool) -> r.FilingView:
    order = rt.cipher.decrypt_json(filing.order_enc, "order")
    check = rt.cipher.decrypt_json(filing.check_enc, "check") if filing.check_enc else None
    docs = s.scalars(
        select(Document).where(Document.filing_id == filing.id).order_by(Document.created_at)
    )
    latest = latest_video(s, filing.id)
    state = load_state(filing)
    pairs = list(personal_values(order))
    photo = latest_backdrop(s, filing.id)
    form = latest_form(s, filing.id)
    view = r.FilingView(
        id=filing.id,
        status=jr.status_of(state.stage),
        filing_type=filing.filing_type,
        path=state.path or filing.path,
        video_check_eligible=filing.path == "video_check" if filing.path else None,
        order={k: v for k, v in order.items() if k != "documents"},
        check=check,
        documents=tuple(document_view(rt, d) for d in docs),
        consent=r.Consent(
            biometric=filing.consent_at is not None,
            at=iso(filing.consent_at),
            version=filing.consent_version,
        ),
        liveness=r.Liveness(
            locked_until=iso(filing.lock_until)
            if filing.lock_until and filing.lock_until > utcnow()
            else None,
            latest_job=job_summary(latest) if latest else None,
        ),
        created_at=iso(filing.created_at),
        submitted_at=iso(filing.submitted_at),
        decided_at=iso(filing.decided_at),
        identity=r.Identity(
            path=state.path, backdrop=None if photo is None else backdrop_summary(photo)
        ),
        form=None if form is None else form_summary(rt, form),
        journey=journey_view(rt, s, filing, pairs if masked else None),
    )
    return _masked(view, pairs) if masked else view


def _masked(view: r.FilingView, pairs: list[tuple[str, str]]) -> r.FilingView:
    """The applicant's copy: personal values masked wherever a key names them (the order,
    the readings' fields, the form's findings), and inside the rules' reasons."""
    check = view.check
    return dataclasses.replace(
        view,
        order=mask_tree(view.order, "order"),
        check={
            "filing_type": check.get("filing_type"),
            "path": check.get("path"),
            "ok": check.get("ok"),
            "path_reasons": [redact(str(x), pairs) for x in check.get("path_reasons", [])],
            "rules": [
                {
                    "id": rule.get("id"),
                    "status": rule.get("status"),
                    "reason": redact(str(rule.get("reason", "")), pairs),
                }
                for rule in check.get("rules", [])
            ],
        }
        if check
        else mask_tree(check, "check"),
        documents=tuple(
            dataclasses.replace(
                d,
                fields=mask_tree(d.fields, "fields"),
                warnings=tuple(mask_tree(list(d.warnings), "warnings")),
            )
            for d in view.documents
        ),
        form=None
        if view.form is None
        else dataclasses.replace(
            view.form, findings=tuple(mask_tree(list(view.form.findings), "findings"))
        ),
    )
