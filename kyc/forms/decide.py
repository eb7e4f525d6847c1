"""The verdict on a verification form from what was measured on it (pure).

R-DOC-4: the form of this filing (its website principal and homepage URL), signed by
the website principal; a unit also stamps its seal beside the signature; the date is
left blank and nothing else is filled in or ticked. R-REJ-2: the seal only at the
bottom, beside the principal's signature. A finding is failed when the form visibly
breaks the rule, review when the check could not tell, passed otherwise; the decision
is reject on any failed finding, review on any review finding, else pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["passed", "failed", "review"]
Decision = Literal["pass", "review", "reject"]


@dataclass(frozen=True)
class Finding:
    id: str
    status: Status
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "status": self.status, "reason": self.reason}


@dataclass(frozen=True)
class FormFacts:
    """What the check saw on the form (``None``: could not tell)."""

    form_detected: bool
    individual: bool
    matches_filing: bool | None
    principal_ok: bool | None = None
    url_ok: bool | None = None
    sign_zone_found: bool = False
    signature_present: bool = False
    seal_count: int = 0
    seals_beside: tuple[bool, ...] = ()
    date_blank: bool | None = None
    extra_marks: tuple[str, ...] = ()  # what was filled in or ticked besides


@dataclass(frozen=True)
class FormCheck:
    facts: FormFacts
    findings: tuple[Finding, ...]
    decision: Decision
    elapsed_ms: float = 0.0
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def next_to_signature(self) -> bool | None:
        return all(self.facts.seals_beside) if self.facts.seals_beside else None

    def to_json(self) -> dict[str, Any]:
        f = self.facts
        return {
            "form_detected": f.form_detected,
            "matches_filing": f.matches_filing,
            "signature": {"present": f.signature_present},
            "seal": {
                "present": f.seal_count > 0,
                "count": f.seal_count,
                "next_to_signature": self.next_to_signature,
            },
            "date_blank": f.date_blank,
            "extra_marks": bool(f.extra_marks),
            "findings": [x.to_json() for x in self.findings],
            "decision": self.decision,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }


def findings_of(f: FormFacts) -> tuple[Finding, ...]:
    doc: list[tuple[Status, str]] = []
    rej: list[tuple[Status, str]] = []
    if not f.form_detected:
        doc.append(("failed", "图片中未识别出《网站备案信息真实性核验单》"))
        return (
            Finding("R-DOC-4", "failed", doc[0][1]),
            Finding("R-REJ-2", "review", "未识别出核验单，无法检查盖章位置"),
        )
    if f.matches_filing is False:
        what = []
        if f.principal_ok is False:
            what.append("网站负责人")
        if f.url_ok is False:
            what.append("网站首页网址")
        doc.append(("failed", f"核验单上的{'、'.join(what) or '备案信息'}与本次备案不一致"))
    elif f.matches_filing is None:
        doc.append(("review", "未能确认核验单上的网站负责人和首页网址与本次备案一致"))
    if not f.sign_zone_found:
        doc.append(("review", "未找到网站负责人签字处，需人工核对签字"))
    elif not f.signature_present:
        doc.append(("failed", "网站负责人未签字"))
    if f.individual:
        if f.seal_count:
            doc.append(("review", "个人备案只需本人签字，核验单上却有印章"))
    elif f.seal_count == 0:
        doc.append(("failed", "单位未在签字旁加盖公章"))
    if f.date_blank is False:
        doc.append(("failed", "日期须留空，核验单上已填写日期"))
    elif f.date_blank is None:
        doc.append(("review", "未找到日期栏，需人工确认日期留空"))
    if f.extra_marks:
        doc.append(("failed", f"核验单上除签字盖章外还有填写或勾选：{'、'.join(f.extra_marks)}"))
    if not any(s == "failed" for s, _ in doc) and not any(s == "review" for s, _ in doc):
        need = "本人签字" if f.individual else "签字并在签字旁盖章"
        doc.append(("passed", f"核验单与备案一致，已{need}，日期留空，无其他填写"))
    if f.seal_count == 0:
        rej.append(("passed", "无印章" if f.individual else "无印章（另见 R-DOC-4）"))
    elif all(f.seals_beside):
        if f.seal_count == 1 or f.individual:
            rej.append(("passed", "印章位于底部网站负责人签字旁"))
        else:
            rej.append(("review", f"签字旁有 {f.seal_count} 枚印章，需人工确认"))
    else:
        wrong = sum(1 for b in f.seals_beside if not b)
        rej.append(("failed", f"{wrong} 枚印章不在底部网站负责人签字旁（盖章位置错误）"))
    return (_combine("R-DOC-4", doc), _combine("R-REJ-2", rej))


def _combine(rule: str, parts: list[tuple[Status, str]]) -> Finding:
    order: tuple[Status, ...] = ("failed", "review", "passed")
    for status in order:
        reasons = [r for s, r in parts if s == status]
        if reasons:
            return Finding(rule, status, "；".join(reasons))
    return Finding(rule, "passed", "")


def decide(findings: tuple[Finding, ...]) -> Decision:
    statuses = {f.status for f in findings}
    if "failed" in statuses:
        return "reject"
    if "review" in statuses:
        return "review"
    return "pass"
