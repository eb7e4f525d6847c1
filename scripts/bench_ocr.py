"""Benchmark of the document pipeline on generated photos and the shared specimens.

Prints, per difficulty level: document-type accuracy, exact-match accuracy per field,
id_number / credit_code exact match, confident-wrong codes, warning recall and precision,
confidence calibration, and the median per-image time of this pipeline and of RapidOCR's
plain default pipeline on the same images in the same run (with their ratio).

    uv run python scripts/bench_ocr.py --per-cell 17 --seed 7 [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

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
    "FILING_COPY_ILLEGIBLE",
)
CODE_FIELDS = ("id_number", "credit_code")


def _generate(per_cell: int, seed: int, levels: list[str]) -> list[tuple[str, Any]]:
    from kyc.synth import KINDS, generate

    rng = random.Random(seed)
    samples = []
    for level in levels:
        for kind in KINDS:
            for _ in range(per_cell):
                samples.append((level, generate(kind, level, rng)))  # type: ignore[arg-type]
    return samples


def _pct(num: int, den: int) -> str:
    return f"{100.0 * num / den:6.2f}% ({num}/{den})" if den else "     -"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-cell", type=int, default=17, help="images per kind and level")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--levels", default="clean,moderate,hard")
    parser.add_argument("--no-baseline", action="store_true", help="skip RapidOCR default")
    parser.add_argument("--json", type=Path, help="write the raw results here")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args(argv)

    from kyc.config import get_settings
    from kyc.ocr.pipeline import DocumentReader

    settings = get_settings()
    reader = DocumentReader(settings)
    baseline = None
    if not args.no_baseline:
        from rapidocr_onnxruntime import RapidOCR

        baseline = RapidOCR()

    levels = args.levels.split(",")
    t_gen = time.perf_counter()
    samples = _generate(args.per_cell, args.seed, levels)
    print(f"generated {len(samples)} images in {time.perf_counter() - t_gen:.0f} s", flush=True)

    ours_ms: list[float] = []
    base_ms: list[float] = []
    type_ok: Counter[str] = Counter()
    total: Counter[str] = Counter()
    field_ok: dict[str, Counter[str]] = defaultdict(Counter)
    field_n: dict[str, Counter[str]] = defaultdict(Counter)
    level_fields_ok: Counter[str] = Counter()
    level_fields_n: Counter[str] = Counter()
    confident_wrong_codes = 0
    calib: list[tuple[float, bool]] = []
    records: list[dict[str, Any]] = []
    warn_tp: Counter[str] = Counter()
    warn_fp: Counter[str] = Counter()
    warn_fn: Counter[str] = Counter()
    errors: list[str] = []
    for i, (level, sample) in enumerate(samples):
        truth = sample.truth
        # warm-up excluded from timing: the first image is run once before timing
        if i == 0:
            reader.read_image(sample.image)
            if baseline is not None:
                baseline(sample.image)
        t = time.perf_counter()
        result = reader.read_image(sample.image)
        ours_ms.append((time.perf_counter() - t) * 1000)
        if baseline is not None:
            t = time.perf_counter()
            baseline(sample.image)
            base_ms.append((time.perf_counter() - t) * 1000)
        total[level] += 1
        type_ok[level] += result.document_type == truth["document_type"]
        hidden = set(truth.get("hidden_fields", {}))
        for name, expected in truth["fields"].items():
            if name in hidden:
                continue
            got = result.fields.get(name)
            value = got.value if got else None
            ok = value == expected
            field_n[level][name] += 1
            field_ok[level][name] += ok
            level_fields_n[level] += 1
            level_fields_ok[level] += ok
            if got is not None and got.value is not None:
                calib.append((got.confidence, ok))
                records.append(
                    {"level": level, "field": name, "confidence": got.confidence, "ok": ok}
                )
                if name in CODE_FIELDS and not ok and got.valid and got.confidence >= 0.9:
                    confident_wrong_codes += 1
            if not ok and args.show_errors:
                conf = f"{got.confidence:.2f}" if got else "-"
                errors.append(f"[{level}] {name}: got {value!r} ({conf}) want {expected!r}")
        expected_w = set(truth.get("warnings", []))
        got_w = set(result.warnings)
        for code in WARNING_CODES:
            if code in expected_w and code in got_w:
                warn_tp[code] += 1
            elif code in got_w:
                warn_fp[code] += 1
            elif code in expected_w:
                warn_fn[code] += 1
        if (i + 1) % 20 == 0:
            print(f"  {i + 1}/{len(samples)}", flush=True)

    print("\n== document pipeline on generated photos")
    for level in levels:
        print(f"-- {level}: {total[level]} images")
        print(f"   document type          {_pct(type_ok[level], total[level])}")
        print(f"   all fields exact       {_pct(level_fields_ok[level], level_fields_n[level])}")
        for name in sorted(field_n[level]):
            print(f"   {name:22} {_pct(field_ok[level][name], field_n[level][name])}")
    print(f"\nconfident wrong id_number/credit_code (valid, conf>=0.9): {confident_wrong_codes}")

    print("\n== confidence calibration (fields with a value)")
    for lo, hi in ((0.0, 0.5), (0.5, 0.8), (0.8, 0.9), (0.9, 0.97), (0.97, 1.01)):
        sel = [ok for c, ok in calib if lo <= c < hi]
        print(f"   [{lo:.2f}, {min(hi, 1.0):.2f}) {_pct(sum(sel), len(sel))}")
    hi_sel = [ok for c, ok in calib if c >= 0.9]
    print(f"   reported >= 0.90: right {_pct(sum(hi_sel), len(hi_sel))}")

    print("\n== warnings (recall / precision)")
    for code in WARNING_CODES:
        tp, fp, fn = warn_tp[code], warn_fp[code], warn_fn[code]
        print(f"   {code:18} recall {_pct(tp, tp + fn)}  precision {_pct(tp, tp + fp)}")

    specimen_rows = []
    if SHARED.is_dir():
        print("\n== shared specimens (photocopied both-sides pages, no field truth)")
        for path in sorted(SHARED.glob("*.png")):
            t = time.perf_counter()
            res = reader.read_file(path)
            ms = (time.perf_counter() - t) * 1000
            idf = res.fields.get("id_number")
            confident_valid = bool(idf and idf.valid and idf.confidence >= 0.9)
            specimen_rows.append((path.name, res.document_type, res.warnings, confident_valid))
            print(
                f"   {path.name[:12]} {res.document_type:14} {ms:6.0f} ms "
                f"id valid&confident={confident_valid} warnings={','.join(res.warnings)}"
            )

    print("\n== speed (median per image, same images, same run)")
    med_ours = statistics.median(ours_ms)
    print(f"   this pipeline          {med_ours:8.0f} ms")
    if base_ms:
        med_base = statistics.median(base_ms)
        ratios = [a / b for a, b in zip(ours_ms, base_ms, strict=True)]
        print(f"   RapidOCR default       {med_base:8.0f} ms")
        print(f"   ratio of medians       {med_ours / med_base:8.3f}")
        print(f"   median per-image ratio {statistics.median(ratios):8.3f}")
    if args.show_errors:
        print("\n== errors")
        for line in errors:
            print("  ", line)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "ours_ms": ours_ms,
                    "baseline_ms": base_ms,
                    "calibration": records,
                    "specimens": specimen_rows,
                    "p90": float(np.percentile(ours_ms, 90)),
                },
                ensure_ascii=False,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
