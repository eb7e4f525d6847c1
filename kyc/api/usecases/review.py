"""Review: the queue, a filing's detail (unmasked, audited), decisions, the audit trail,
the evidence images of the reviewer pages."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from kyc.api.runtime import Runtime
from kyc.api.usecases import results as r
from kyc.api.usecases.shared import (
    REVIEW_STAGES,
    SUBMITTED,
    domains_of,
    find_filing,
    is_id,
    iso,
    load_state,
    require_stage,
)
from kyc.api.usecases.stages import advance, identity_result
from kyc.api.usecases.views import backdrop_summary, filing_view, form_summary, job_summary
from kyc.errors import BadInput, ErrorCode
from kyc.filing import lifecycle as lc
from kyc.privacy import mask_value
from kyc.store import repo
from kyc.store.tables import (
    AuditEvent,
    BackdropCheck,
    Decision,
    Document,
    Filing,
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


def queue(rt: Runtime, limit: int = 100) -> list[r.QueueItem]:
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
                r.QueueItem(
                    id=f.id,
                    account_id=f.account_id,
                    risk=f.risk,
                    filing_type=f.filing_type,
                    path=f.path,
                    checks_ok=f.checks_ok,
                    subject_nature=subject.get("nature"),
                    subject_name=mask_value("name", str(subject.get("name") or "")),
                    domains=tuple(sorted(domains_of(order))),
                    submitted_at=iso(f.submitted_at),
                    stage=load_state(f).stage.value,
                )
            )
        return out


def review_detail(rt: Runtime, reviewer: repo.ReviewerIdentity, filing_id: str) -> r.ReviewDetail:
    """The reviewer's view: unmasked, with evidence and the audit trail; the view is audited."""
    from kyc.jobs.store import flagged_results

    with rt.sessions() as s:
        filing = find_filing(s, filing_id, None)
        repo.audit(s, reviewer.actor, "filing.view", filing.id, {"reviewer": reviewer.name})
        s.commit()
        view = filing_view(rt, s, filing, masked=False)
        rows = {d.id: d for d in s.scalars(select(Document).where(Document.filing_id == filing.id))}
        documents = []
        for d in view.documents:
            row = rows[d.id]
            stored = rt.cipher.decrypt_json(row.reading_enc, "reading")
            documents.append(
                r.ReviewDocument(
                    document=d,
                    boxes=stored.get("boxes") or {},
                    evidence_size=stored.get("evidence_size"),
                    has_evidence=row.evidence_key is not None,
                    has_portrait=row.portrait_key is not None,
                )
            )
        jobs = tuple(
            r.ReviewVideoCheck(
                job=job_summary(j),
                verdict=rt.cipher.decrypt_json(j.result_enc, "verdict") if j.result_enc else None,
                has_best_frame=j.best_frame_key is not None,
                mirrored=j.mirrored,
            )
            for j in s.scalars(
                select(VideoCheck)
                .where(VideoCheck.filing_id == filing.id)
                .order_by(VideoCheck.created_at.desc())
            )
        )
        forms = tuple(
            r.ReviewFormCheck(
                form=form_summary(rt, fc),
                result=rt.cipher.decrypt_json(fc.result_enc, "form"),
                has_photo=fc.raw_key is not None and fc.purged_at is None,
            )
            for fc in s.scalars(
                select(FormCheck)
                .where(FormCheck.filing_id == filing.id)
                .order_by(FormCheck.created_at.desc(), FormCheck.id.desc())
            )
        )
        backdrops = tuple(
            r.ReviewBackdropCheck(
                backdrop=backdrop_summary(b),
                result=rt.cipher.decrypt_json(b.result_enc, "backdrop"),
                portrait_document_id=b.portrait_document_id,
                has_photo=b.raw_key is not None and b.purged_at is None,
            )
            for b in s.scalars(
                select(BackdropCheck)
                .where(BackdropCheck.filing_id == filing.id)
                .order_by(BackdropCheck.created_at.desc(), BackdropCheck.id.desc())
            )
        )
        decisions = tuple(
            r.DecisionRecord(
                decision=d.decision,
                reasons=json.loads(d.reasons),
                comment=rt.cipher.decrypt_text(d.comment_enc, "comment") if d.comment_enc else "",
                reviewer=name,
                at=iso(d.created_at),
            )
            for d, name in s.execute(
                select(Decision, Reviewer.name)
                .join(Reviewer, Reviewer.id == Decision.reviewer_id)
                .where(Decision.filing_id == filing.id)
                .order_by(Decision.created_at)
            )
        )
        return r.ReviewDetail(
            filing=view,
            account_id=filing.account_id,
            risk=filing.risk,
            documents=tuple(documents),
            video_checks=jobs,
            form_checks=forms,
            backdrop_checks=backdrops,
            decisions=decisions,
            audit=audit_trail(s, filing.id),
            # re-verification runs whose results for this filing differ: flagged for review
            reverify_flags=tuple(flagged_results(s, filing.id)),
        )


def audit_trail(s: Session, filing_id: str | None, limit: int = 200) -> tuple[r.AuditEntry, ...]:
    if filing_id is not None and not is_id(filing_id):
        return ()
    q = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if filing_id is not None:
        q = q.where(AuditEvent.filing_id == filing_id)
    return tuple(
        r.AuditEntry(
            at=iso(e.at),
            actor=e.actor,
            action=e.action,
            filing_id=e.filing_id,
            detail=json.loads(e.detail),
        )
        for e in s.scalars(q)
    )


def decide(
    rt: Runtime,
    reviewer: repo.ReviewerIdentity,
    filing_id: str,
    decision: str,
    reasons: list[str],
    comment: str,
) -> r.Decided:
    if decision not in ("approve", "reject"):
        raise BadInput(ErrorCode.INVALID_FIELD, "decision must be approve or reject")
    unknown = [x for x in reasons if x not in REJECTION_REASONS]
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
        filing = find_filing(s, filing_id, None)
        state = require_stage(filing, REVIEW_STAGES, "take a review decision")
        now = rt.clock()
        if decision == "approve":
            advance(rt, s, filing, lc.ReviewPassed(now), reviewer.actor)
            if state.stage == lc.Stage.INITIAL_REVIEW:
                # an identity check done before submission counts now
                identity_result(rt, s, filing, "none", ())
        else:
            texts = tuple(f"{x} {REJECTION_REASONS[x]}" for x in reasons)
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
        return r.Decided(
            id=filing.id,
            status=filing.status,
            stage=filing.stage,
            decided_at=iso(filing.decided_at),
        )


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
