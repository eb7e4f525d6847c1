"""The report of a run (pure): counts, every filing whose decision or a field changed
(before -> after, with scores), failures per item; as JSON (the contract of
../shared/DESIGN.md plus extra keys) and as a readable table. Personal values are masked
with the service's masking rules; ``changes`` name the fields that differ."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kyc.jobs.diff import ItemView, transitions, view_to_json
from kyc.jobs.model import PartError
from kyc.privacy import mask_tree


@dataclass(frozen=True)
class ResultRecord:
    filing_id: str
    status: str  # done | failed
    error_code: str | None
    errors: tuple[PartError, ...]
    before: ItemView | None
    after: ItemView | None
    changes: tuple[str, ...]
    elapsed_ms: float = 0.0

    @property
    def changed(self) -> bool:
        return self.status == "done" and bool(self.changes)


@dataclass(frozen=True)
class RunInfo:
    run_id: str | None
    manifest_hash: str
    settings_hash: str
    engine: str
    status: str  # running | done | planned (dry run)
    selection: dict[str, Any] = field(default_factory=dict)
    resumed: bool = False


@dataclass(frozen=True)
class Timing:
    wall_s: float  # from the workers being ready to the last result
    processed: int  # items run by this invocation
    workers: int
    startup_s: float = 0.0  # starting the workers (models, Ray)

    @property
    def items_per_minute(self) -> float:
        return 60.0 * self.processed / self.wall_s if self.wall_s > 0 else 0.0


@dataclass(frozen=True)
class Report:
    info: RunInfo
    items: tuple[str, ...]  # every item of the run, in run order
    records: tuple[ResultRecord, ...]  # recorded results (any order)
    timing: Timing | None = None
    planned: dict[str, int] | None = None  # dry run: what would run

    def ordered(self) -> list[ResultRecord]:
        pos = {fid: i for i, fid in enumerate(self.items)}
        return sorted(self.records, key=lambda r: (pos.get(r.filing_id, len(pos)), r.filing_id))

    @property
    def done(self) -> int:
        return sum(1 for r in self.records if r.status == "done")

    @property
    def failed(self) -> int:
        return sum(1 for r in self.records if r.status != "done")

    @property
    def pending(self) -> int:
        return max(0, len(self.items) - len(self.records))

    @property
    def changed(self) -> list[ResultRecord]:
        return [r for r in self.ordered() if r.changed]


def _masked(view: ItemView | None) -> dict[str, Any] | None:
    return None if view is None else dict(mask_tree(view_to_json(view)))


def report_json(report: Report) -> dict[str, Any]:
    """``{"run_id", "items", "done", "failed", "changed": [{"filing_id", "before",
    "after"}]}`` and more: pending, the decision transitions, failures, the run's key."""
    info = report.info
    out: dict[str, Any] = {
        "run_id": info.run_id,
        "items": len(report.items),
        "done": report.done,
        "failed": report.failed,
        "pending": report.pending,
        "changed": [
            {
                "filing_id": r.filing_id,
                "before": _masked(r.before),
                "after": _masked(r.after),
                "changes": list(r.changes),
            }
            for r in report.changed
        ],
        "unchanged": sum(1 for r in report.records if r.status == "done" and not r.changes),
        "decisions": transitions(
            (r.before.decision if r.before else None, r.after.decision if r.after else None)
            for r in report.records
            if r.status == "done"
        ),
        "failures": [
            {
                "filing_id": r.filing_id,
                "error": r.error_code,
                "parts": [{"code": e.code, "detail": e.detail} for e in r.errors],
            }
            for r in report.ordered()
            if r.status != "done"
        ],
        "status": info.status,
        "resumed": info.resumed,
        "engine": info.engine,
        "manifest_hash": info.manifest_hash,
        "settings_hash": info.settings_hash,
        "selection": info.selection,
    }
    if report.planned is not None:
        out["dry_run"] = True
        out["planned"] = dict(report.planned)
    if report.timing is not None:
        t = report.timing
        out["timing"] = {
            "wall_s": round(t.wall_s, 2),
            "processed": t.processed,
            "workers": t.workers,
            "startup_s": round(t.startup_s, 2),
            "items_per_minute": round(t.items_per_minute, 2),
        }
    return out


def _scores(before: ItemView | None, after: ItemView | None) -> str:
    """The scores worth a glance: lowest field confidence, quality, liveness and match."""
    if before is None or after is None:
        return ""

    def low(v: ItemView) -> float | None:
        confs = [f.confidence for d in v.documents for f in d.fields.values() if f.value]
        return min(confs) if confs else None

    parts: list[str] = []
    lb, la = low(before), low(after)
    if lb is not None and la is not None:
        parts.append(f"min conf {lb:.2f}->{la:.2f}")
    if before.video and after.video:
        bv, av = before.video, after.video
        if bv.match_score is not None and av.match_score is not None:
            parts.append(f"match {bv.match_score:.1f}->{av.match_score:.1f}")
        if bv.liveness_score is not None and av.liveness_score is not None:
            parts.append(f"liveness {bv.liveness_score:.2f}->{av.liveness_score:.2f}")
    return ", ".join(parts)


def _table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line.rstrip(), "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return out


def render_table(report: Report) -> str:
    """The report for a person: a summary, the changed filings, the failures."""
    info = report.info
    head = "dry run (nothing recorded)" if report.planned is not None else f"run {info.run_id}"
    lines = [
        f"{head} [{info.status}] engine {info.engine}, models {info.manifest_hash}, "
        f"settings {info.settings_hash}",
        f"{len(report.items)} items: {report.done} done, {report.failed} failed, "
        f"{report.pending} pending; {len(report.changed)} changed",
    ]
    if report.planned is not None:
        lines.append(", ".join(f"{k} {v}" for k, v in report.planned.items()))
    if report.timing is not None and report.timing.processed:
        t = report.timing
        lines.append(
            f"this invocation: {t.processed} items in {t.wall_s:.1f} s "
            f"({t.items_per_minute:.1f} items/min, {t.workers} workers; "
            f"start-up {t.startup_s:.1f} s)"
        )
    moves = transitions(
        (r.before.decision if r.before else None, r.after.decision if r.after else None)
        for r in report.records
        if r.status == "done"
    )
    if moves:
        lines.append("decisions: " + ", ".join(f"{k}: {v}" for k, v in moves.items()))
    changed = report.changed
    if changed:
        lines += ["", "changed (flagged for review):"]
        rows = []
        for r in changed:
            before = r.before.decision if r.before else "?"
            after = r.after.decision if r.after else "?"
            more = f"; +{len(r.changes) - 4} more" if len(r.changes) > 4 else ""
            shown = "; ".join(r.changes[:4]) + more
            rows.append([r.filing_id, f"{before} -> {after}", shown, _scores(r.before, r.after)])
        lines += _table(rows, ["filing", "decision", "changes", "scores"])
    failures = [r for r in report.ordered() if r.status != "done"]
    if failures:
        lines += ["", "failed:"]
        rows = [
            [r.filing_id, r.error_code or "?", "; ".join(f"{e.code}: {e.detail}" for e in r.errors)]
            for r in failures
        ]
        lines += _table(rows, ["filing", "error", "parts"])
    return "\n".join(lines) + "\n"
