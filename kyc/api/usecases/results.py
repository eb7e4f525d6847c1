"""What the use cases answer: frozen dataclasses, each with ``to_json`` (the HTTP body).

``to_json`` writes the keys in the order the API has always answered them (clients and
docs/service.md read them so). Open documents (the order, the rule results, a reading's
fields, a verdict) stay JSON trees: their shape belongs to kyc.filing, kyc.ocr and
kyc.liveness, not to the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class JobSummary:
    """What the mini-program sees of a video check: never the scores (vendors' advice)."""

    job_id: str
    status: str
    decision: str | None
    reasons: tuple[str, ...]
    created_at: str | None
    finished_at: str | None

    def to_json(self) -> JsonObject:
        return {
            "job_id": self.job_id,
            "status": self.status,
            "decision": self.decision,
            "reasons": list(self.reasons),
            "created_at": self.created_at,
            "finished_at": self.finished_at,
        }


@dataclass(frozen=True)
class BackdropSummary:
    """What the applicant sees of a backdrop check: the decision and codes, never scores."""

    id: str
    decision: str
    reasons: tuple[str, ...]
    created_at: str | None

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "decision": self.decision,
            "reasons": list(self.reasons),
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class FormSummary:
    """The verification form's decision and findings (rule, status, reason)."""

    id: str
    decision: str
    findings: tuple[JsonObject, ...]
    created_at: str | None

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "decision": self.decision,
            "findings": list(self.findings),
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class DocumentView:
    id: str
    document_type: str
    fields: JsonObject
    warnings: tuple[Any, ...]
    quality: float
    created_at: str | None
    purged: bool

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "document_type": self.document_type,
            "fields": self.fields,
            "warnings": list(self.warnings),
            "quality": self.quality,
            "created_at": self.created_at,
            "purged": self.purged,
        }


@dataclass(frozen=True)
class Consent:
    biometric: bool
    at: str | None
    version: str | None

    def to_json(self) -> JsonObject:
        return {"biometric": self.biometric, "at": self.at, "version": self.version}


@dataclass(frozen=True)
class Liveness:
    locked_until: str | None
    latest_job: JobSummary | None

    def to_json(self) -> JsonObject:
        return {
            "locked_until": self.locked_until,
            "latest_job": self.latest_job.to_json() if self.latest_job else None,
        }


@dataclass(frozen=True)
class Identity:
    path: str | None
    backdrop: BackdropSummary | None

    def to_json(self) -> JsonObject:
        return {
            "path": self.path,
            "backdrop": None if self.backdrop is None else self.backdrop.to_json(),
        }


@dataclass(frozen=True)
class NextStep:
    code: str
    message: str

    def to_json(self) -> JsonObject:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class StageAt:
    stage: str
    at: str

    def to_json(self) -> JsonObject:
        return {"stage": self.stage, "at": self.at}


@dataclass(frozen=True)
class Rejection:
    by: str
    at: str
    reasons: tuple[str, ...]

    def to_json(self) -> JsonObject:
        return {"by": self.by, "at": self.at, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class SmsSession:
    sent_at: str
    expires_at: str
    auto_resend_at: str
    resent_at: str | None
    verifiers: tuple[str, ...]
    verified: tuple[str, ...]
    wrong_certificate_attempts: int

    def to_json(self) -> JsonObject:
        return {
            "sent_at": self.sent_at,
            "expires_at": self.expires_at,
            "auto_resend_at": self.auto_resend_at,
            "resent_at": self.resent_at,
            "verifiers": list(self.verifiers),
            "verified": list(self.verified),
            "wrong_certificate_attempts": self.wrong_certificate_attempts,
        }


@dataclass(frozen=True)
class Journey:
    """The journey's record: path, pilot, history, rejections, SMS session, number."""

    identity_path: str | None
    pilot: bool
    sms_verifiers: tuple[str, ...]
    history: tuple[StageAt, ...]
    rejections: tuple[Rejection, ...]
    sms: SmsSession | None
    filing_number: str | None

    def to_json(self) -> JsonObject:
        return {
            "identity_path": self.identity_path,
            "pilot": self.pilot,
            "sms_verifiers": list(self.sms_verifiers),
            "history": [h.to_json() for h in self.history],
            "rejections": [r.to_json() for r in self.rejections],
            "sms": None if self.sms is None else self.sms.to_json(),
            "filing_number": self.filing_number,
        }


@dataclass(frozen=True)
class JourneyView:
    """``stage``, ``next_steps`` and the journey of a filing."""

    stage: str
    next_steps: tuple[NextStep, ...]
    journey: Journey

    def to_json(self) -> JsonObject:
        return {
            "stage": self.stage,
            "next_steps": [n.to_json() for n in self.next_steps],
            "journey": self.journey.to_json(),
        }


@dataclass(frozen=True)
class FilingView:
    """A filing as the applicant (masked) or a reviewer (whole) sees it."""

    id: str
    status: str
    filing_type: str | None
    path: str | None
    video_check_eligible: bool | None
    order: JsonObject
    check: JsonObject | None
    documents: tuple[DocumentView, ...]
    consent: Consent
    liveness: Liveness
    created_at: str | None
    submitted_at: str | None
    decided_at: str | None
    identity: Identity
    form: FormSummary | None
    journey: JourneyView

    @property
    def stage(self) -> str:
        return self.journey.stage

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "status": self.status,
            "filing_type": self.filing_type,
            "path": self.path,
            "video_check_eligible": self.video_check_eligible,
            "order": self.order,
            "check": self.check,
            "documents": [d.to_json() for d in self.documents],
            "consent": self.consent.to_json(),
            "liveness": self.liveness.to_json(),
            "created_at": self.created_at,
            "submitted_at": self.submitted_at,
            "decided_at": self.decided_at,
            "identity": self.identity.to_json(),
            "form": None if self.form is None else self.form.to_json(),
            **self.journey.to_json(),
        }


@dataclass(frozen=True)
class Upload:
    """A stored document: its reading (masked), the auto-filled paths, the filing."""

    document: DocumentView
    autofilled: tuple[str, ...]
    filing: FilingView

    def to_json(self) -> JsonObject:
        return {
            "document": self.document.to_json(),
            "autofilled": list(self.autofilled),
            "filing": self.filing.to_json(),
        }


@dataclass(frozen=True)
class ChallengeIssued:
    challenge_id: str
    nonce: str
    actions: tuple[str, ...]
    expires_at: str

    def to_json(self) -> JsonObject:
        return {
            "challenge_id": self.challenge_id,
            "nonce": self.nonce,
            "actions": list(self.actions),
            "expires_at": self.expires_at,
        }


@dataclass(frozen=True)
class StageChange:
    """A filing's stage after a reviewer's or the authority's answer."""

    id: str
    status: str
    stage: str | None

    def to_json(self) -> JsonObject:
        return {"id": self.id, "status": self.status, "stage": self.stage}


@dataclass(frozen=True)
class Decided:
    """A reviewer's decision taken: the filing's stage and when."""

    id: str
    status: str
    stage: str | None
    decided_at: str | None

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "status": self.status,
            "stage": self.stage,
            "decided_at": self.decided_at,
        }


@dataclass(frozen=True)
class QueueItem:
    id: str
    account_id: str
    risk: float | None
    filing_type: str | None
    path: str | None
    checks_ok: bool | None
    subject_nature: Any
    subject_name: str
    domains: tuple[str, ...]
    submitted_at: str | None
    stage: str

    def to_json(self) -> JsonObject:
        return {
            "id": self.id,
            "account_id": self.account_id,
            "risk": self.risk,
            "filing_type": self.filing_type,
            "path": self.path,
            "checks_ok": self.checks_ok,
            "subject_nature": self.subject_nature,
            "subject_name": self.subject_name,
            "domains": list(self.domains),
            "submitted_at": self.submitted_at,
            "stage": self.stage,
        }


@dataclass(frozen=True)
class AuditEntry:
    at: str | None
    actor: str
    action: str
    filing_id: str | None
    detail: Any

    def to_json(self) -> JsonObject:
        return {
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "filing_id": self.filing_id,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class ReviewDocument:
    """A document as the reviewer sees it: the reading whole, with its evidence."""

    document: DocumentView
    boxes: JsonObject
    evidence_size: Any
    has_evidence: bool
    has_portrait: bool

    def to_json(self) -> JsonObject:
        return {
            **self.document.to_json(),
            "boxes": self.boxes,
            "evidence_size": self.evidence_size,
            "has_evidence": self.has_evidence,
            "has_portrait": self.has_portrait,
        }


@dataclass(frozen=True)
class ReviewVideoCheck:
    job: JobSummary
    verdict: JsonObject | None
    has_best_frame: bool
    mirrored: bool

    def to_json(self) -> JsonObject:
        return {
            **self.job.to_json(),
            "verdict": self.verdict,
            "has_best_frame": self.has_best_frame,
            "mirrored": self.mirrored,
        }


@dataclass(frozen=True)
class ReviewFormCheck:
    form: FormSummary
    result: JsonObject
    has_photo: bool

    def to_json(self) -> JsonObject:
        return {**self.form.to_json(), "result": self.result, "has_photo": self.has_photo}


@dataclass(frozen=True)
class ReviewBackdropCheck:
    backdrop: BackdropSummary
    result: JsonObject
    portrait_document_id: str | None
    has_photo: bool

    def to_json(self) -> JsonObject:
        return {
            **self.backdrop.to_json(),
            "result": self.result,
            "portrait_document_id": self.portrait_document_id,
            "has_photo": self.has_photo,
        }


@dataclass(frozen=True)
class DecisionRecord:
    decision: str
    reasons: Any
    comment: str
    reviewer: str
    at: str | None

    def to_json(self) -> JsonObject:
        return {
            "decision": self.decision,
            "reasons": self.reasons,
            "comment": self.comment,
            "reviewer": self.reviewer,
            "at": self.at,
        }


@dataclass(frozen=True)
class ReviewDetail:
    """The reviewer's view of a filing: unmasked, with evidence and the audit trail."""

    filing: FilingView
    account_id: str
    risk: float | None
    documents: tuple[ReviewDocument, ...]
    video_checks: tuple[ReviewVideoCheck, ...]
    form_checks: tuple[ReviewFormCheck, ...]
    backdrop_checks: tuple[ReviewBackdropCheck, ...]
    decisions: tuple[DecisionRecord, ...]
    audit: tuple[AuditEntry, ...]
    reverify_flags: tuple[JsonObject, ...]

    def to_json(self) -> JsonObject:
        out = self.filing.to_json()
        out["account_id"] = self.account_id
        out["risk"] = self.risk
        out["documents"] = [d.to_json() for d in self.documents]  # in its place
        out["video_checks"] = [j.to_json() for j in self.video_checks]
        out["form_checks"] = [f.to_json() for f in self.form_checks]
        out["backdrop_checks"] = [b.to_json() for b in self.backdrop_checks]
        out["decisions"] = [d.to_json() for d in self.decisions]
        out["audit"] = [e.to_json() for e in self.audit]
        out["reverify_flags"] = list(self.reverify_flags)
        return out


@dataclass(frozen=True)
class BackdropStored:
    """A backdrop photo checked and stored: its summary and the filing after it."""

    backdrop: BackdropSummary
    filing: FilingView

    def to_json(self) -> JsonObject:
        return {"backdrop": self.backdrop.to_json(), "filing": self.filing.to_json()}


@dataclass(frozen=True)
class FormStored:
    """A verification form checked and stored: its summary and the filing after it."""

    form: FormSummary
    filing: FilingView

    def to_json(self) -> JsonObject:
        return {"form": self.form.to_json(), "filing": self.filing.to_json()}


@dataclass(frozen=True)
class SmsAnswer:
    """An SMS verification answered: the outcome, for which verifier, the filing."""

    result: str
    verifier: str
    filing: FilingView

    def to_json(self) -> JsonObject:
        return {"result": self.result, "verifier": self.verifier, "filing": self.filing.to_json()}
