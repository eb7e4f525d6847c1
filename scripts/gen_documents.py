"""Write synthetic document photos with ground truth.

    uv run python scripts/gen_documents.py --n 200 --seed 1 --out var/synth \
        [--levels clean,moderate,hard] [--kinds id_card_front,...] [--today 2026-01-01] \
        [--split tuned|heldout] [--bad-check-rate 0.05]

Writes DIR/<id>.jpg (or .png with --format png) and DIR/truth.jsonl, one line per image:
``{"file": "<id>.jpg", "truth": {...}}``. Kinds and levels are cycled so that every
combination is equally represented; image i is drawn from ``Random(f"{seed}:{i}")``, so
the output is the same for a seed (and a --today).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from random import Random
from typing import cast

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kyc.synth import ALL_KINDS, KINDS, LEVELS, Kind, Level, generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--levels", default=",".join(LEVELS))
    ap.add_argument("--kinds", default=",".join(KINDS), help=f"any of {','.join(ALL_KINDS)}")
    ap.add_argument("--today", type=dt.date.fromisoformat, default=None)
    ap.add_argument("--format", choices=("jpg", "png"), default="jpg")
    ap.add_argument("--split", choices=("tuned", "heldout"), default="tuned")
    ap.add_argument(
        "--bad-check-rate",
        type=float,
        default=None,
        help="share of ID fronts, both-sides pages, licenses, passports and unit certificates "
        "printed with a wrong check character (default: the generator's own rate)",
    )
    args = ap.parse_args(argv)
    levels = [x.strip() for x in args.levels.split(",") if x.strip()]
    kinds = [x.strip() for x in args.kinds.split(",") if x.strip()]
    bad = [x for x in levels if x not in LEVELS] + [x for x in kinds if x not in ALL_KINDS]
    if bad:
        ap.error(f"unknown level/kind: {', '.join(bad)}")
    today = args.today or dt.date.today()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    combos = [(k, lv) for lv in levels for k in kinds]
    t0 = time.perf_counter()
    with (out / "truth.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(args.n):
            kind, level = combos[i % len(combos)]
            rng = Random(f"{args.seed}:{i}")
            extra = {}
            if args.bad_check_rate is not None and kind in (
                "id_card_front",
                "id_card_both",
                "business_license",
                "passport",
                "institution_certificate",
                "social_group_certificate",
                "private_non_enterprise_certificate",
            ):
                extra["bad_check"] = Random(f"{args.seed}:{i}:check").random() < args.bad_check_rate
            sample = generate(
                cast(Kind, kind), cast(Level, level), rng, today=today, split=args.split, **extra
            )
            name = f"{args.seed}-{i:05d}-{args.split}-{kind}-{level}.{args.format}"
            params = [cv2.IMWRITE_JPEG_QUALITY, 95] if args.format == "jpg" else []
            if not cv2.imwrite(str(out / name), sample.image, params):
                print(f"could not write {out / name}", file=sys.stderr)
                return 1
            fh.write(json.dumps({"file": name, "truth": sample.truth}, ensure_ascii=False) + "\n")
    dt_s = time.perf_counter() - t0
    print(f"wrote {args.n} images to {out} in {dt_s:.1f} s ({dt_s / max(1, args.n):.2f} s/image)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
