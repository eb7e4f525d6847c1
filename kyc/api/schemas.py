"""Response shapes for the OpenAPI document (documentation only; handlers return dicts)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class RuleOut(_Open):
    id: str = Field(examples=["R-MINI-1"])
    status: Literal["passed", "failed", "skipped"]
    reason: str


class CheckOut(_Open):
    filing_type: Literal["first", "transfer_in", "new_website"]
    path: Literal["video_check", "backdrop_photo"]
    ok: bool
    path_reasons: list[str] = []
    rules: list[RuleOut]


class FieldOut(_Open):
    value: str | None = Field(description="masked for ID numbers, names, addresses, dates")
    confidence: float
    valid: bool | None


class DocumentOut(_Open):
    id: str
    document_type: str
    fields: dict[str, FieldOut]
    warnings: list[str] = Field(examples=[["GLARE"]])
    quality: float
    created_at: str | None
    purged: bool


class JobOut(_Open):
    job_id: str
    status: Literal["queued", "running", "done", "failed"]
    decision: Literal["pass", "review", "reject"] | None
    reasons: list[str]
    created_at: str | None
    finished_at: str | None


class ConsentOut(_Open):
    biometric: bool
    at: str | None
    version: str | None


class LivenessOut(_Open):
    locked_until: str | None
    latest_job: JobOut | None


class NextStepOut(_Open):
    code: str = Field(examples=["UPLOAD_BACKDROP_PHOTO"])
    message: str


class BackdropSummary(_Open):
    id: str
    decision: Literal["pass", "review", "reject"]
    reasons: list[str]
    created_at: str | None


class IdentityOut(_Open):
    path: str | None = Field(description="the identity check's path: video_check or backdrop_photo")
    backdrop: BackdropSummary | None


STAGES = Literal[
    "verify_type",
    "subject",
    "websites",
    "materials",
    "initial_review",
    "identity_check",
    "second_review",
    "sms_verification",
    "at_authority",
    "done",
    "rejected",
    "returned",
    "refused",
]
STATUSES = Literal["draft", "submitted", "approved", "rejected", "returned", "refused", "done"]


class FilingOut(_Open):
    id: str
    status: STATUSES = Field(description="coarse: draft, submitted (awaiting a reviewer), ...")
    stage: STAGES = Field(description="the stage of the journey (kyc.filing.lifecycle.Stage)")
    next_steps: list[NextStepOut] = Field(description="what the applicant must do now")
    journey: dict[str, Any] = Field(description="history, rejections, SMS session, number")
    identity: IdentityOut
    filing_type: str | None
    path: str | None
    video_check_eligible: bool | None
    order: dict[str, Any] = Field(description="the filing order, personal data masked")
    check: CheckOut | None
    documents: list[DocumentOut]
    consent: ConsentOut
    liveness: LivenessOut
    created_at: str | None
    submitted_at: str | None
    decided_at: str | None


class UploadOut(_Open):
    document: DocumentOut
    autofilled: list[str] = Field(examples=[["subject.certificate_address"]])
    filing: FilingOut


class ChallengeOut(_Open):
    challenge_id: str
    nonce: str
    actions: list[Literal["blink", "mouth_open", "turn_left", "turn_right", "nod"]]
    expires_at: str


class QueueItem(_Open):
    id: str
    account_id: str
    risk: float
    filing_type: str | None
    path: str | None
    checks_ok: bool | None
    subject_nature: str | None
    subject_name: str = Field(description="masked")
    domains: list[str]
    submitted_at: str | None


class QueueOut(_Open):
    items: list[QueueItem]


class DecisionOut(_Open):
    id: str
    status: STATUSES
    stage: STAGES


class FormFindingOut(_Open):
    id: str = Field(examples=["R-DOC-4"])
    status: Literal["passed", "failed", "review"]
    reason: str


class FormSummary(_Open):
    id: str
    decision: Literal["pass", "review", "reject"]
    findings: list[FormFindingOut]
    created_at: str | None


class FormOut(_Open):
    form: FormSummary
    filing: FilingOut


class BackdropOut(_Open):
    backdrop: BackdropSummary
    filing: FilingOut


class SmsVerifyOut(_Open):
    result: Literal["verified", "code_wrong", "certificate_wrong", "returned"]
    verifier: str
    filing: FilingOut


class OutboxOut(_Open):
    messages: list[dict[str, Any]]


class AuditOut(_Open):
    events: list[dict[str, Any]]


class ReverifyOut(_Open):
    run_id: str
    status: Literal["running", "done"]
    items: int
    done: int
    failed: int
    pending: int
    changed_count: int
    active: bool = Field(description="this server is running it now")
    error: str | None = Field(description="why this server's run of it stopped, if it did")
    report: dict[str, Any] | None = Field(
        default=None, description="the report of `kyc reverify` (masked), once done"
    )


class ReverifyPlanOut(_Open):
    run_id: None
    items: int
    planned: dict[str, int]
    dry_run: bool


def doc(model: type[BaseModel], status: int = 200) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entry documenting the success body (no response validation)."""
    return {status: {"model": model}}
