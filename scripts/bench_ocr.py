"""Benchmark of the document pipeline on generated photos: tuned and held-out variants
side by side, scored so that failure shows (kyc.synth.scoring).

Prints per split (the generator's tuned and held-out variants: fonts, layouts, cameras,
backgrounds that no threshold or rule was fitted on) and level: document type, fields
exact (hidden fields count: a confident value there is an error; a value where the format
prints nothing is an error), codes exact, codes reported valid that are wrong, numbers
printed with a wrong check character (must come back as printed, not valid), confidence
calibration, warnings recall / precision and false alarms on clean photos; then per
document kind, the weakest fields, the shared specimens, and the speed against
RapidOCR's default pipeline on the same photos in the same run.

    uv run python scripts/bench_ocr.py --per-cell 8 --seed 7 [--splits tuned,heldout]
        [--workers 2 (accuracy only, no timing)] [--no-baseline] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from random import Random
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "documents"
WARNING_CODES = (
    "BORDER_INCOMPLETE",
    "PHOTOCOPY",
    "RECAPTURE",
    "GLARE",
    "BLUR",
    "OCCLUSION",
    "LOW_RESOLUTION",
    "TEMPORARY_ID",
    "EXPIRED",
    "CHECKSUM_MISMATCH",
    "NOT_A_DOCUMENT",
    # The generator never expects it (no photo of it is meant to make an illegible filing
    # copy): every one counted is a false alarm.
    "FILING_COPY_ILLEGIBLE",
)

Job = tuple[str, str, str, int, int]  # split, kind, level, index, seed
# "codes exact": numbers with a check character, and a permit's number (its shape)
CODES = (
    "id_number",
    "credit_code",
    "registration_number",
    "passport_number",
    "permit_number",
    "mrz",
)

_STATE: dict[str, Any] = {}  # per process: the reader, and RapidOCR when timed


def _init(threads: int, baseline: bool) -> None:
    from kyc.config import get_settings
    from kyc.ocr.pipeline import DocumentReader

    settings = get_settings()
    settings = settings.model_copy(
        update={"ocr": settings.ocr.model_copy(update={"threads": threads})}
    )
    _STATE["reader"] = DocumentReader(settings)
    _STATE["baseline"] = None
    if baseline:
        from rapidocr_onnxruntime import RapidOCR

        _STATE["baseline"] = RapidOCR()


def _sample(job: Job) -> Any:
    from kyc.synth import generate

    split, kind, level, index, seed = job
    rng = Random(f"{seed}:{split}:{kind}:{level}:{index}")
    try:
        return generate(kind, level, rng, split=split)  # type: ignore[arg-type]
    except TypeError:  # a generator without variant splits
        return generate(kind, level, rng)  # type: ignore[arg-type]


def _run(job: Job) -> dict[str, Any]:
    from kyc.synth.scoring import score

    sample = _sample(job)
    t = time.perf_counter()
    result = _STATE["reader"].read_image(sample.image)
    ours = (time.perf_counter() - t) * 1000
    base = None
    if _STATE["baseline"] is not None:
        t = time.perf_counter()
        _STATE["baseline"](sample.image)
        base = (time.perf_counter() - t) * 1000
    split, kind, level, index, _ = job
    return {
        "split": split,
        "kind": kind,
        "level": level,
        "index": index,
        "ours_ms": ours,
        "base_ms": base,
        "truth": sample.truth,
        "result": result.to_json(),
        "score": score(sample.truth, result.to_json()),
    }


def _pct(num: int, den: int) -> str:
    return f"{100.0 * num / den:6.2f}% ({num}/{den})" if den else "      -      "


def _cells(records: Sequence[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        out[r[key]].append(r)
    return out


def _summary(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    docs = [r for r in records if r["truth"]["document_type"] != "unknown"]
    outcomes = [f for r in docs for f in r["score"].fields if f.counted]
    codes = [f for f in outcomes if f.name in CODES]
    confident = [f for r in records for f in r["score"].fields if f.value and f.confidence >= 0.9]
    bad = Counter(v for r in records for v in r["score"].bad_checks.values())
    return {
        "images": len(records),
        "type": (sum(r["score"].type_ok for r in records), len(records)),
        "fields": (sum(f.ok for f in outcomes), len(outcomes)),
        "codes": (sum(f.ok for f in codes), len(codes)),
        "valid_wrong": sum(len(r["score"].codes_valid_and_wrong()) for r in records),
        "confident": (sum(f.ok for f in confident), len(confident)),
        "bad_checks": bad,
    }


def _warnings(records: Sequence[dict[str, Any]]) -> dict[str, tuple[int, int, int, int]]:
    """code -> (true positives, false negatives, false positives, false alarms on clean)."""
    out = {}
    for code in WARNING_CODES:
        tp = fn = fp = clean_fp = 0
        for r in records:
            want = code in r["score"].warnings_expected
            got = code in r["score"].warnings_got
            tp += want and got
            fn += want and not got
            fp += got and not want
            clean_fp += got and not want and r["level"] == "clean"
        out[code] = (tp, fn, fp, clean_fp)
    return out


def _print_side_by_side(by_split: dict[str, list[dict[str, Any]]], levels: Iterable[str]) -> None:
    splits = list(by_split)
    head = "".join(f"{s:>28}" for s in splits)
    for level in [*levels, "all"]:
        rows = {
            s: _summary([r for r in recs if level in ("all", r["level"])])
            for s, recs in by_split.items()
        }
        print(f"\n-- {level}{head}")
        for label, key in (
            ("document type", "type"),
            ("fields exact", "fields"),
            ("codes exact", "codes"),
            ("right when >= 0.90", "confident"),
        ):
            print(f"   {label:22}" + "".join(f"{_pct(*rows[s][key]):>28}" for s in splits))
        print(
            f"   {'codes valid & wrong':22}"
            + "".join(f"{rows[s]['valid_wrong']:>28}" for s in splits)
        )
        print(
            f"   {'wrong check printed':22}"
            + "".join(
                f"{' '.join(f'{k}={v}' for k, v in sorted(rows[s]['bad_checks'].items())):>28}"
                for s in splits
            )
        )


def _print_kinds(by_split: dict[str, list[dict[str, Any]]]) -> None:
    print("\n== per document kind: fields exact (weakest fields)")
    for split, recs in by_split.items():
        for kind, krecs in sorted(_cells(recs, "kind").items()):
            s = _summary(krecs)
            per_field: dict[str, list[bool]] = defaultdict(list)
            for r in krecs:
                for f in r["score"].fields:
                    if f.counted:
                        per_field[f.name].append(f.ok)
            weak = sorted(
                ((sum(v) / len(v), name) for name, v in per_field.items() if v and not all(v)),
            )[:4]
            weakest = ", ".join(f"{n} {100 * share:.0f}%" for share, n in weak)
            print(
                f"   {split:8} {kind:26} type {_pct(*s['type'])}  fields {_pct(*s['fields'])}"
                f"  {weakest}"
            )


def _print_warnings(by_split: dict[str, list[dict[str, Any]]]) -> None:
    print("\n== warnings: recall / precision / false alarms on clean photos")
    for split, recs in by_split.items():
        print(f"-- {split}")
        for code, (tp, fn, fp, clean_fp) in _warnings(recs).items():
            if tp + fn + fp == 0:
                continue
            print(
                f"   {code:18} recall {_pct(tp, tp + fn)}  precision {_pct(tp, tp + fp)}"
                f"  clean false alarms {clean_fp}"
            )


def _print_speed(by_split: dict[str, list[dict[str, Any]]]) -> None:
    print("\n== speed (median per image, same photos, same run, interleaved)")
    for split, recs in by_split.items():
        ours = [r["ours_ms"] for r in recs]
        base = [r["base_ms"] for r in recs if r["base_ms"] is not None]
        line = f"   {split:8} ours {statistics.median(ours):7.0f} ms"
        if len(base) == len(ours) and base:
            ratios = [a / b for a, b in zip(ours, base, strict=True)]
            line += (
                f"   RapidOCR {statistics.median(base):7.0f} ms"
                f"   ratio of medians {statistics.median(ours) / statistics.median(base):.3f}"
                f"   median per-image ratio {statistics.median(ratios):.3f}"
            )
        print(line)


def _specimens() -> None:
    if not SHARED.is_dir():
        return
    print("\n== shared specimens (photocopied both-sides pages, numbers with wrong checks)")
    for path in sorted(SHARED.glob("*.png")):
        res = _STATE["reader"].read_file(path)
        idf = res.fields.get("id_number")
        print(
            f"   {path.name[:12]} {res.document_type:14} id valid={idf.valid if idf else None}"
            f" conf={idf.confidence if idf else 0:.2f} warnings={','.join(res.warnings)}"
        )


def _errors(records: Sequence[dict[str, Any]]) -> None:
    print("\n== errors")
    for r in records:
        where = f"[{r['split']} {r['level']} {r['kind']} #{r['index']}]"
        sc = r["score"]
        if not sc.type_ok:
            print(f"   {where} type {sc.document_type} want {sc.expected_type}")
        for f in sc.fields:
            if not f.ok:
                print(
                    f"   {where} {f.name} {f.status}: {f.value!r} ({f.confidence:.2f},"
                    f" valid={f.valid}) want {f.expected!r}"
                )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--per-cell", type=int, default=8, help="photos per split, kind and level")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--splits", default="tuned,heldout")
    ap.add_argument("--levels", default="clean,moderate,hard")
    ap.add_argument("--kinds", default="", help="default: every kind the generator makes")
    ap.add_argument("--workers", type=int, default=1, help=">1: accuracy only, no timing")
    ap.add_argument("--no-baseline", action="store_true", help="skip RapidOCR's default")
    ap.add_argument("--show-errors", action="store_true")
    ap.add_argument("--json", type=Path, help="write the raw results here")
    args = ap.parse_args(argv)

    from kyc.synth import KINDS

    kinds = [k for k in args.kinds.split(",") if k] or list(KINDS)
    levels = [x for x in args.levels.split(",") if x]
    splits = [x for x in args.splits.split(",") if x]
    jobs: list[Job] = [
        (split, kind, level, i, args.seed)
        for split in splits
        for level in levels
        for kind in kinds
        for i in range(args.per_cell)
    ]
    timing = args.workers <= 1
    baseline = timing and not args.no_baseline
    t0 = time.perf_counter()
    records: list[dict[str, Any]] = []
    if args.workers > 1:
        with ProcessPoolExecutor(
            args.workers,
            initializer=_init,
            initargs=(max(1, (os.cpu_count() or 2) // args.workers), False),
        ) as pool:
            for n, rec in enumerate(pool.map(_run, jobs, chunksize=2), 1):
                records.append(rec)
                if n % 20 == 0:
                    print(f"  {n}/{len(jobs)}", flush=True)
        _init(2, False)
    else:
        _init(2, baseline)
        _run(jobs[0])  # warm-up, not counted
        for n, job in enumerate(jobs, 1):
            records.append(_run(job))
            if n % 20 == 0:
                print(f"  {n}/{len(jobs)}", flush=True)
    print(
        f"{len(records)} photos in {time.perf_counter() - t0:.0f} s (load {os.getloadavg()[0]:.1f})"
    )

    by_split = {s: [r for r in records if r["split"] == s] for s in splits}
    print("\n== document pipeline, tuned and held-out variants side by side")
    _print_side_by_side(by_split, levels)
    _print_kinds(by_split)
    _print_warnings(by_split)
    _specimens()
    if timing:
        _print_speed(by_split)
    if args.show_errors:
        _errors(records)
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {k: v for k, v in r.items() if k not in ("score",)}
                    | {
                        "fields_scored": [f.__dict__ for f in r["score"].fields],
                        "bad_checks": r["score"].bad_checks,
                    }
                    for r in records
                ],
                ensure_ascii=False,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
