"""Print the quality measures of generated photos per condition, to set the thresholds
of kyc/ocr/quality.py (``QualityThresholds``) between the classes.

    uv run python scripts/calibrate_quality.py --per-kind 3
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections import defaultdict


def kind_summary(values: dict[str, list[float]]) -> str:
    """px_per_mm min/median/max per document kind (resolution depends on the kind)."""
    return "  ".join(
        f"px_per_mm[{k}]={min(v):.2f}/{statistics.median(v):.2f}/{max(v):.2f}"
        for k, v in sorted(values.items())
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-kind", type=int, default=3)
    parser.add_argument("--seed", type=int, default=99)
    parser.add_argument("--conditions", help="comma-separated subset (default: all)")
    args = parser.parse_args(argv)

    from kyc.config import get_settings
    from kyc.ocr.pipeline import DocumentReader
    from kyc.synth import HARD_CONDITIONS, KINDS, generate

    reader = DocumentReader(get_settings())
    rng = random.Random(args.seed)
    table: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    per_kind: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    conditions = args.conditions.split(",") if args.conditions else ["none", *HARD_CONDITIONS]
    for condition in conditions:
        for kind in KINDS:
            for _ in range(args.per_kind):
                conds = [] if condition == "none" else [condition]
                level = "moderate" if condition == "none" else "hard"
                sample = generate(kind, level, rng, conditions=conds)  # type: ignore[arg-type]
                result = reader.read_image(sample.image)
                for key, value in result.extra.get("quality", {}).items():
                    table[condition][key].append(value)
                density = result.extra.get("quality", {}).get("px_per_mm")
                if density is not None:
                    per_kind[condition][kind].append(density)
        row = table[condition]
        print(f"{condition:15} {kind_summary(per_kind[condition])}")
        summary = "  ".join(
            f"{k}={min(v):.3f}/{statistics.median(v):.3f}/{max(v):.3f}" for k, v in row.items()
        )
        print(f"{condition:15} {summary}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
