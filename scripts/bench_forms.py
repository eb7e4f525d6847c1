"""Benchmark of the form check and the backdrop check (docs/forms.md).

Generates forms (kyc.synth.forms) and backdrop photos (kyc.synth.backdrop) of the
tuned and the held-out split, runs the checks and prints, per check and split: decision
accuracy, each flag's accuracy, how many faulty inputs passed, and the time per check.
The time is measured next to a yardstick (the document pipeline reading a synthetic ID
card, whose quiet-machine time README.md records) so that a loaded machine's numbers
can be compared.

    uv run python scripts/bench_forms.py [--forms 40] [--backdrops 40] [--seed 1]
        [--only forms|backdrops] [--show-errors] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from random import Random
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FORM_FLAGS = (
    "form_detected",
    "matches_filing",
    "signature.present",
    "seal.count",
    "seal.next_to_signature",
    "date_blank",
    "extra_marks",
)
YARD_EVERY = 4  # the yardstick runs after every 4th check (interleaved: the same load)
BACKDROP_FLAGS = (
    "faces",
    "match.same_person",
    "backdrop.detected",
    "file.jpeg",
    "file.within_limit",
)


def _get(d: dict[str, Any], path: str) -> Any:
    for key in path.split("."):
        d = d[key]
    return d


def _yardstick(reader: Any, rng: Random) -> float:
    from kyc.synth import generate

    sample = generate("id_card_front", "moderate", rng)
    t = time.perf_counter()
    reader.read_image(sample.image)
    return (time.perf_counter() - t) * 1000.0


def bench_forms(n: int, seed: int, show: bool) -> dict[str, Any]:
    from kyc.config import get_settings
    from kyc.filing.model import parse_filing
    from kyc.forms.check import check_form
    from kyc.ocr.pipeline import DocumentReader
    from kyc.synth.forms import SPLITS, form_set

    settings = get_settings()
    reader = DocumentReader(settings)
    engine = reader.engine
    out: dict[str, Any] = {}
    for split in SPLITS:
        rows = []
        times, yard = [], []
        for i, sample in enumerate(form_set(n, seed, split)):
            order = parse_filing(sample.filing)
            result = check_form(sample.image, order, engine, settings.forms)
            got = result.to_json()
            times.append(got["elapsed_ms"])
            if i % YARD_EVERY == 0:
                yard.append(_yardstick(reader, Random(f"yard:{seed}:{i}")))
            truth = sample.truth
            flags = {}
            for f in FORM_FLAGS:
                if not truth["form_detected"] and f != "form_detected":
                    continue
                flags[f] = _get(got, f) == _get(truth, f)
            rows.append(
                {
                    "fault": truth["fault"],
                    "nature": truth["nature"],
                    "capture": truth["capture"],
                    "variant": truth["variant"],
                    "truth": truth["decision"],
                    "decision": got["decision"],
                    "flags": flags,
                }
            )
            if show and (got["decision"] != truth["decision"] or not all(flags.values())):
                wrong = [f for f, ok in flags.items() if not ok]
                print(
                    f"  {split} #{i} {truth['fault']} {truth['nature']} {truth['capture']} "
                    f"{truth['variant']['layout']}: {got['decision']} (want {truth['decision']}) "
                    f"wrong {wrong} {[x['reason'] for x in got['findings']]} "
                    f"{json.dumps(result.evidence.get('measures'), ensure_ascii=False)}",
                    flush=True,
                )
        out[split] = _summary(rows, times, yard, FORM_FLAGS)
    return out


def bench_backdrops(n: int, seed: int, show: bool) -> dict[str, Any]:
    from kyc.config import get_settings
    from kyc.errors import KycError
    from kyc.forms.backdrop import check_backdrop
    from kyc.liveness.engine import get_engine
    from kyc.ocr.pipeline import DocumentReader
    from kyc.synth.backdrop import SPLITS, backdrop_set

    settings = get_settings()
    engine = get_engine(settings.models_dir)
    reader = DocumentReader(settings)
    out: dict[str, Any] = {}
    for split in SPLITS:
        rows = []
        times, yard = [], []
        for i, sample in enumerate(backdrop_set(n, seed, split)):
            try:
                result = check_backdrop(
                    sample.data,
                    sample.portrait,
                    sample.reference,
                    engine,
                    settings.backdrop,
                    settings.liveness,
                    settings.images,
                )
            except KycError as exc:  # counted as a wrong decision with every flag wrong
                print(f"  {split} #{i} {sample.truth['fault']}: {exc.code} {exc.detail}")
                rows.append(
                    {"fault": sample.truth["fault"], "truth": sample.truth["decision"],
                     "decision": "error", "flags": dict.fromkeys(BACKDROP_FLAGS, False)}
                )  # fmt: skip
                continue
            got = result.to_json()
            times.append(got["elapsed_ms"])
            if i % YARD_EVERY == 0:
                yard.append(_yardstick(reader, Random(f"yard:{seed}:{i}")))
            truth = sample.truth
            flags = {f: _get(got, f) == _get(truth, f) for f in BACKDROP_FLAGS}
            if truth["fault"] == "two_people":
                del flags["backdrop.detected"]  # two people: what is behind is not judged
            rows.append(
                {
                    "fault": truth["fault"],
                    "truth": truth["decision"],
                    "decision": got["decision"],
                    "flags": flags,
                }
            )
            if show and (got["decision"] != truth["decision"] or not all(flags.values())):
                wrong = [f for f, ok in flags.items() if not ok]
                print(
                    f"  {split} #{i} {truth['fault']} {truth['variant']} "
                    f"ref={truth['with_reference']}: {got['decision']} {got['reasons']} "
                    f"(want {truth['decision']}) wrong {wrong} "
                    f"coverage {got['backdrop']['coverage']} score {got['match']['score']} "
                    f"{result.evidence}",
                    flush=True,
                )
        out[split] = _summary(rows, times, yard, BACKDROP_FLAGS)
    return out


def _summary(
    rows: list[dict[str, Any]], times: list[float], yard: list[float], flags: tuple[str, ...]
) -> dict[str, Any]:
    n = len(rows)
    right = sum(r["decision"] == r["truth"] for r in rows)
    bad_passed = sum(r["truth"] != "pass" and r["decision"] == "pass" for r in rows)
    good = [r for r in rows if r["truth"] == "pass"]
    per_flag = {}
    for f in flags:
        judged = [r["flags"][f] for r in rows if f in r["flags"]]
        per_flag[f] = (sum(judged), len(judged))
    all_flags = sum(all(r["flags"].values()) for r in rows)
    by_fault: Counter[str] = Counter()
    wrong_by_fault: Counter[str] = Counter()
    for r in rows:
        key = r.get("fault") or "correct"
        by_fault[key] += 1
        if r["decision"] != r["truth"]:
            wrong_by_fault[key] += 1
    return {
        "n": n,
        "decisions_right": right,
        "faulty_passed": bad_passed,
        "correct_passed": sum(r["decision"] == "pass" for r in good),
        "correct": len(good),
        "all_flags_right": all_flags,
        "flags": per_flag,
        "wrong_by_fault": dict(wrong_by_fault),
        "by_fault": dict(by_fault),
        "decisions": dict(Counter(f"{r['truth']}->{r['decision']}" for r in rows)),
        "ms_median": round(statistics.median(times), 1) if times else None,
        "ms_p90": round(sorted(times)[int(0.9 * (len(times) - 1))], 1) if times else None,
        "yardstick_ms_median": round(statistics.median(yard), 1) if yard else None,
        "ratio_to_yardstick": round(statistics.median(times) / statistics.median(yard), 3)
        if times and yard
        else None,
    }


def _print(name: str, result: dict[str, Any]) -> None:
    print(f"\n== {name}")
    for split, s in result.items():
        n = s["n"]
        print(
            f"{split:9} n={n:3}  decisions {s['decisions_right']}/{n} = "
            f"{100 * s['decisions_right'] / max(n, 1):.1f}%  all flags right "
            f"{s['all_flags_right']}/{n}  faulty passed {s['faulty_passed']}  "
            f"correct passed {s['correct_passed']}/{s['correct']}"
        )
        flags = "  ".join(f"{f} {ok}/{k}" for f, (ok, k) in s["flags"].items())
        print(f"          flags: {flags}")
        print(f"          wrong by kind: {s['wrong_by_fault']}  outcomes: {s['decisions']}")
        print(
            f"          time median {s['ms_median']} ms (p90 {s['ms_p90']}); yardstick (ID-card "
            f"read) median {s['yardstick_ms_median']} ms; ratio {s['ratio_to_yardstick']}"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--forms", type=int, default=40)
    p.add_argument("--backdrops", type=int, default=40)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--only", choices=("forms", "backdrops"), default=None)
    p.add_argument("--show-errors", action="store_true")
    p.add_argument("--json", default=None, help="write the summary here")
    args = p.parse_args(argv)
    summary: dict[str, Any] = {}
    if args.only in (None, "forms"):
        summary["forms"] = bench_forms(args.forms, args.seed, args.show_errors)
        _print("form check (kyc check-form)", summary["forms"])
    if args.only in (None, "backdrops"):
        summary["backdrops"] = bench_backdrops(args.backdrops, args.seed, args.show_errors)
        _print("backdrop check (kyc check-backdrop)", summary["backdrops"])
    if args.json:
        Path(args.json).write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
