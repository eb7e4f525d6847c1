"""The public entry point: run every rule of RULES.md on a filing order.

``check_filing`` never stops at a failure: every rule runs and yields a result (passed,
failed, or skipped with what was missing). The path is the video check exactly when every
R-MINI rule passed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from kyc.filing import rules_doc, rules_mini, rules_rej, rules_site, rules_sms, rules_subject
from kyc.filing.autofill import autofill
from kyc.filing.filing_type import FilingType, FilingTypeDecision, decide_filing_type
from kyc.filing.model import FilingOrder, RegistryEntry, parse_filing, parse_registry
from kyc.filing.result import (
    AutoFilled,
    FormView,
    RuleContext,
    RuleFn,
    RuleResult,
    SmsSessionView,
)

Path = Literal["video_check", "backdrop_photo"]

ALL_RULES: tuple[RuleFn, ...] = (
    *rules_mini.RULES,
    *rules_subject.RULES,
    *rules_site.RULES,
    *rules_doc.RULES,
    *rules_sms.RULES,
    *rules_rej.RULES,
)

# The ids of RULES.md, in its order; tests check that ALL_RULES yields exactly these.
RULE_IDS: tuple[str, ...] = (
    *(f"R-MINI-{i}" for i in range(1, 6)),
    *(f"R-SUBJ-{i}" for i in range(1, 11)),
    *(f"R-SITE-{i}" for i in range(1, 10)),
    *(f"R-DOC-{i}" for i in range(1, 6)),
    *(f"R-SMS-{i}" for i in range(1, 5)),
    *(f"R-REJ-{i}" for i in range(1, 7)),
)


@dataclass(frozen=True)
class FilingCheck:
    filing_type: FilingType
    path: Path
    rules: tuple[RuleResult, ...]
    decision: FilingTypeDecision
    autofilled: tuple[AutoFilled, ...]

    @property
    def ok(self) -> bool:
        return not any(r.status == "failed" for r in self.rules)

    @property
    def path_reasons(self) -> tuple[str, ...]:
        """Why the video check is not available (the failing R-MINI reasons)."""
        return tuple(
            r.reason for r in self.rules if r.id.startswith("R-MINI-") and r.status != "passed"
        )

    def result(self, rule_id: str) -> RuleResult:
        return next(r for r in self.rules if r.id == rule_id)

    def to_json(self, *, detail: bool = False) -> dict[str, Any]:
        """The ``kyc check-filing --json`` object; ``detail`` adds inputs for reviewers."""
        out: dict[str, Any] = {
            "filing_type": self.filing_type,
            "path": self.path,
            "rules": [r.to_json(with_inputs=detail) for r in self.rules],
            "ok": self.ok,
        }
        if detail:
            out["path_reasons"] = list(self.path_reasons)
            out["filing"] = {
                "subject_filed_here": self.decision.subject_filed_here,
                "certificate_known": self.decision.certificate_known,
                "domains_known": list(self.decision.domains_known),
                "refused": self.decision.refused,
            }
            out["autofilled"] = [
                {"target": a.target, "source": a.source, "confidence": a.confidence}
                for a in self.autofilled
            ]
        return out


def choose_path(results: Sequence[RuleResult]) -> Path:
    mini = [r for r in results if r.id.startswith("R-MINI-")]
    return "video_check" if mini and all(r.status == "passed" for r in mini) else "backdrop_photo"


def check_filing(
    order: FilingOrder,
    registry: Sequence[RegistryEntry],
    today: date,
    *,
    sms: SmsSessionView | None = None,
    form: FormView | None = None,
    open_orders: int | None = None,
    server_subjects: Mapping[str, int] | None = None,
) -> FilingCheck:
    """Run every rule. ``sms`` is a running SMS session (R-SMS-2/3); ``form`` the check of
    the uploaded verification form (R-DOC-4, R-REJ-2); ``open_orders`` and
    ``server_subjects`` come from the order store (R-SUBJ-10) and are left unchecked
    (and said so) when not given."""
    filled_order, filled = autofill(order)
    decision = decide_filing_type(filled_order, registry)
    ctx = RuleContext(
        order=filled_order,
        registry=registry,
        today=today,
        decision=decision,
        autofilled=filled,
        sms=sms,
        form=form,
        open_orders=open_orders,
        server_subjects=server_subjects,
    )
    results = tuple(rule(ctx) for rule in ALL_RULES)
    return FilingCheck(
        filing_type=decision.filing_type,
        path=choose_path(results),
        rules=results,
        decision=decision,
        autofilled=filled,
    )


def check_filing_json(obj: object, registry_obj: object, today: date) -> dict[str, Any]:
    """Parse (raising BadInput with the offending key's path) and check; the contract JSON."""
    order = parse_filing(obj)
    registry = parse_registry(registry_obj if registry_obj is not None else [])
    return check_filing(order, registry, today).to_json()
