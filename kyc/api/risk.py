"""Queue order: a risk score from the automatic results (pure). Higher = look first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Warnings that point at fraud weigh more than those that point at a poor photo.
FRAUD_WARNINGS = frozenset({"PHOTOCOPY", "RECAPTURE", "TEMPORARY_ID", "CHECKSUM_MISMATCH"})


@dataclass(frozen=True)
class RiskInputs:
    failed_rules: int
    warnings: Sequence[str]
    min_field_confidence: float | None  # lowest field confidence over the documents
    video_decision: str | None  # pass | review | reject | None (no check yet)
    needs_video: bool
    failed_video_checks: int


def risk_score(inp: RiskInputs) -> float:
    """0..100. Each component is bounded so one noisy signal cannot dominate."""
    score = min(inp.failed_rules, 5) * 8.0
    fraud = sum(1 for w in inp.warnings if w in FRAUD_WARNINGS)
    score += min(fraud, 3) * 10.0
    score += min(len(inp.warnings) - fraud, 5) * 2.0
    if inp.min_field_confidence is not None:
        score += max(0.0, 0.9 - inp.min_field_confidence) * 20.0
    if inp.video_decision == "reject":
        score += 20.0
    elif inp.video_decision == "review":
        score += 10.0
    elif inp.video_decision is None and inp.needs_video:
        score += 5.0
    score += min(inp.failed_video_checks, 5) * 1.0
    return round(min(score, 100.0), 2)


def collect_warnings(groups: Iterable[Sequence[str]]) -> list[str]:
    return [w for g in groups for w in g]
