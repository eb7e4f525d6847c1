"""Rule results and the context every rule reads (all plain, frozen values)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from kyc.filing.filing_type import FilingTypeDecision
from kyc.filing.model import Document, FilingOrder, Person, RegistryEntry

Status = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class RuleResult:
    id: str
    status: Status
    reason: str  # Chinese, as a reviewer reads it, starting with the rule id
    inputs: dict[str, Any] = field(default_factory=dict)

    def to_json(self, *, with_inputs: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "status": self.status, "reason": self.reason}
        if with_inputs:
            out["inputs"] = self.inputs
        return out


@dataclass(frozen=True)
class SmsSessionView:
    """What the SMS-verification rules need of a running session (see lifecycle)."""

    sent_at: datetime
    now: datetime
    verified: bool
    wrong_certificate_attempts: int


@dataclass(frozen=True)
class FormView:
    """What R-DOC-4 and R-REJ-2 need of the verification form's check (``kyc check-form``):
    its findings as (rule id, passed|failed|review, reason)."""

    findings: tuple[tuple[str, str, str], ...]

    def finding(self, rule_id: str) -> tuple[str, str] | None:
        for rid, status, reason in self.findings:
            if rid == rule_id:
                return status, reason
        return None


@dataclass(frozen=True)
class AutoFilled:
    """A field the documents filled because the applicant left it empty."""

    target: str  # e.g. "subject.certificate_address"
    source: str  # e.g. "business_license.address"
    confidence: float


@dataclass(frozen=True)
class RuleContext:
    order: FilingOrder
    registry: Sequence[RegistryEntry]
    today: date
    decision: FilingTypeDecision
    autofilled: tuple[AutoFilled, ...] = ()
    sms: SmsSessionView | None = None
    form: FormView | None = None  # the latest verification form's check, when uploaded
    # From the order store, when the caller has it (R-SUBJ-10): other orders of this
    # account still in progress, and how many other subjects each cloud server (by IP)
    # already carries.
    open_orders: int | None = None
    server_subjects: Mapping[str, int] | None = None

    @property
    def is_individual(self) -> bool:
        return self.order.subject.nature == "individual"

    @property
    def province(self) -> str:
        return self.order.region.province

    def persons(self) -> list[tuple[str, Person]]:
        """Subject principal and each distinct website principal, with a Chinese label."""
        out: list[tuple[str, Person]] = [("主体负责人", self.order.subject.principal)]
        for i, site in enumerate(self.order.websites, start=1):
            if site.principal is not None and site.principal != self.order.subject.principal:
                out.append((f"网站{i}负责人", site.principal))
        return out

    def documents_of(self, *types: str) -> list[Document]:
        return [d for d in self.order.documents if d.reading.document_type in types]


RuleFn = Callable[[RuleContext], RuleResult]


def result(rule_id: str, status: Status, text: str, **inputs: Any) -> RuleResult:
    return RuleResult(rule_id, status, f"{rule_id}：{text}", dict(inputs))


@dataclass(frozen=True)
class Finding:
    """One part of a rule that judges several things."""

    status: Status
    text: str


def combine(rule_id: str, findings: Sequence[Finding], **inputs: Any) -> RuleResult:
    """failed if any part failed, else skipped if any part could not be judged, else passed.

    The reason lists the failed parts first, then the unjudged, then the passed ones.
    """
    if not findings:
        return result(rule_id, "skipped", "没有可检查的数据", **inputs)
    order: tuple[Status, ...] = ("failed", "skipped", "passed")
    status = next(s for s in order if any(f.status == s for f in findings))
    texts = [f.text for s in order for f in findings if f.status == s]
    return result(rule_id, status, "；".join(texts), **inputs)


def mask_number(number: str) -> str:
    """Certificate numbers in reasons and inputs: first 4 and last 4 characters only."""
    n = number.strip()
    if len(n) <= 8:
        return n[:1] + "*" * max(len(n) - 1, 0)
    return n[:4] + "*" * (len(n) - 8) + n[-4:]


def mask_name(name: str) -> str:
    """A person's name: the first character only."""
    n = name.strip()
    return n[:1] + "*" * max(len(n) - 1, 0)
