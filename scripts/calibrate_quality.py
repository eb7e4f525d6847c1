"""The quality measures behind each warning, on generated photos with and without the
condition it names: where the threshold of kyc/ocr/quality.py (``QualityThresholds``)
sits between them and with what margin.

Fit on the generator's tuned split only (the default); ``--split heldout`` shows how the
thresholds hold on variants nothing was fitted on.

    uv run python scripts/calibrate_quality.py --per-cell 4 [--split tuned] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from random import Random
from typing import Any

_STATE: dict[str, Any] = {}


@dataclass(frozen=True)
class Rule:
    """A warning, the measure behind it and which side of the threshold fires."""

    warning: str
    measure: str
    threshold: Callable[[Any, str], float]
    fires_above: bool


RULES = (
    Rule("BLUR", "sharpness", lambda t, k: float(t.blur_sharpness), False),
    Rule("GLARE", "glare", lambda t, k: float(t.glare_fraction), True),
    Rule("OCCLUSION", "skin", lambda t, k: float(t.skin_thumbs), True),
    Rule(
        "LOW_RESOLUTION",
        "px_per_mm",
        lambda t, k: float(
            t.min_px_per_mm_card if k.startswith("id_card") else t.min_px_per_mm_license
        ),
        False,
    ),
    Rule(
        "PHOTOCOPY",
        "colour",
        lambda t, k: float(
            t.photocopy_colour_license if k == "business_license" else t.photocopy_colour
        ),
        False,
    ),
    Rule("RECAPTURE", "moire", lambda t, k: float(t.moire_ratio), True),
)
CONDITION = {
    "BLUR": "blur",
    "GLARE": "glare",
    "OCCLUSION": "occlusion",
    "LOW_RESOLUTION": "low_resolution",
    "PHOTOCOPY": "photocopy",
    "RECAPTURE": "recapture",
    "BORDER_INCOMPLETE": "cut_off",
}


def _init() -> None:
    from kyc.config import get_settings
    from kyc.ocr.pipeline import DocumentReader

    settings = get_settings()
    threads = max(1, (os.cpu_count() or 2) // 2)
    settings = settings.model_copy(
        update={"ocr": settings.ocr.model_copy(update={"threads": threads})}
    )
    _STATE["reader"] = DocumentReader(settings)


def _run(job: tuple[str, str, str, str, int, int]) -> dict[str, Any]:
    from kyc.synth import generate

    split, condition, level, kind, index, seed = job
    rng = Random(f"{seed}:{split}:{condition}:{level}:{kind}:{index}")
    conds = [] if condition == "none" else [condition]
    sample = generate(kind, level, rng, conditions=conds, split=split)  # type: ignore[arg-type]
    result = _STATE["reader"].read_image(sample.image)
    return {
        "condition": condition,
        "level": level,
        "kind": kind,
        "measures": result.extra.get("quality", {}),
        "expected": set(sample.truth.get("warnings", [])),
        "got": set(result.warnings),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-cell", type=int, default=4, help="photos per condition and kind")
    parser.add_argument("--seed", type=int, default=99)
    parser.add_argument("--split", default="tuned")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    from kyc.ocr.quality import QualityThresholds
    from kyc.synth import HARD_CONDITIONS, KINDS

    cells = [("none", "clean"), ("none", "moderate")] + [(c, "hard") for c in HARD_CONDITIONS]
    jobs = [
        (args.split, cond, level, kind, i, args.seed)
        for cond, level in cells
        for kind in KINDS
        for i in range(args.per_cell)
    ]
    with ProcessPoolExecutor(args.workers, initializer=_init) as pool:
        rows = list(pool.map(_run, jobs, chunksize=2))
    limits = QualityThresholds()
    print(f"{len(rows)} photos, split {args.split}")
    for rule in RULES:
        side = "above" if rule.fires_above else "below"
        print(f"\n== {rule.warning} ({rule.measure}, fires {side})")
        for kind in KINDS:
            pos = sorted(
                r["measures"].get(rule.measure, float("nan"))
                for r in rows
                if r["kind"] == kind and rule.warning in r["expected"]
            )
            neg = sorted(
                r["measures"].get(rule.measure, float("nan"))
                for r in rows
                if r["kind"] == kind and rule.warning not in r["expected"]
            )
            t = rule.threshold(limits, kind)
            wrong_pos = sum(1 for v in pos if (v <= t if rule.fires_above else v >= t))
            wrong_neg = sum(1 for v in neg if (v > t if rule.fires_above else v < t))
            edge_neg = (max(neg) if rule.fires_above else min(neg)) if neg else float("nan")
            edge_pos = (min(pos) if rule.fires_above else max(pos)) if pos else float("nan")
            print(
                f"   {kind:17} threshold {t:8.4f}  positives {len(pos):3} (missed {wrong_pos:2}, "
                f"weakest {edge_pos:8.4f})  negatives {len(neg):3} (false {wrong_neg:2}, "
                f"closest {edge_neg:8.4f})"
            )
    print("\n== warnings got vs expected (all photos)")
    for warning in CONDITION:
        tp = sum(1 for r in rows if warning in r["expected"] and warning in r["got"])
        fn = sum(1 for r in rows if warning in r["expected"] and warning not in r["got"])
        fp = sum(1 for r in rows if warning not in r["expected"] and warning in r["got"])
        clean_fp = sum(
            1
            for r in rows
            if warning not in r["expected"] and warning in r["got"] and r["level"] == "clean"
        )
        print(f"   {warning:18} tp {tp:3} fn {fn:3} fp {fp:3} (on clean {clean_fp})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
