"""The document pipeline on OpenVINO against onnxruntime and RapidOCR's default pipeline.

On the same generated photos (kyc.synth; a tuned seed and a held-out seed no setting was
chosen on), in one process, interleaved (the order of the three rotates from photo to
photo), each photo read ``--repeat`` times by each:

- this pipeline with the models on OpenVINO (``KYC_RUNTIME__BACKEND=openvino``, the
  default), its workers' shapes warmed first as a service worker does;
- the same pipeline on onnxruntime (``KYC_RUNTIME__BACKEND=onnxruntime``);
- RapidOCR's default pipeline (rapidocr_onnxruntime, defaults).

Prints per split: median per-photo times, the ratio of medians and the median per-photo
ratio to RapidOCR, OpenVINO's compile count and time (paid inside the timed reads), and a
diff of every field of every photo between the two back ends (document type, warnings,
quality, and each field's value, validity, box and confidence; confidences also as
``kyc ocr --json`` rounds them). With ``--startup N`` it also times the first read in a
fresh process (imports, model loading, the read) N times per back end, alternating.

    uv run python scripts/bench_runtime.py --per-cell 4 --seed 7 --held-out-seed 1607 \
        [--repeat 1] [--startup 3] [--bf16] [--long-side 4032] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

_STARTUP = """
import resource, time, sys
t0 = time.perf_counter()
from kyc.config import get_settings
from kyc.ocr.pipeline import DocumentReader
reader = DocumentReader(get_settings())
t1 = time.perf_counter()
reader.read_file(__import__("pathlib").Path(sys.argv[1]))
t2 = time.perf_counter()
# VmHWM, not ru_maxrss: Linux carries ru_maxrss across execve, so a child forked from
# this (large) benchmark process would report at least the parent's size.
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM:")]
peak_kib = int(hwm[0].split()[1]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rss = peak_kib / 1024
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {rss:.0f}")
"""


def _generate(
    per_cell: int, seed: int, levels: list[str], long_side: int = 0
) -> list[tuple[str, str, Any]]:
    """The photos; with ``long_side``, each resized to that longer side (4032: a phone
    camera's 12 Mpx photo; the generator's own are 1300-2900 px)."""
    import dataclasses

    import cv2
    import numpy as np

    from kyc.synth import KINDS, generate

    rng = random.Random(seed)
    out: list[tuple[str, str, Any]] = []
    for level in levels:
        for kind in KINDS:
            for _ in range(per_cell):
                sample = generate(kind, level, rng)  # type: ignore[arg-type]
                if long_side:
                    h, w = sample.image.shape[:2]
                    f = long_side / max(h, w)
                    way = cv2.INTER_CUBIC if f > 1 else cv2.INTER_AREA
                    image = np.asarray(
                        cv2.resize(sample.image, None, fx=f, fy=f, interpolation=way), np.uint8
                    )
                    sample = dataclasses.replace(sample, image=image)
                out.append((level, kind, sample))
    return out


def _reader(backend: str, precision: str = "f32") -> Any:
    from kyc.config import get_settings
    from kyc.ocr.engine import OcrEngine
    from kyc.ocr.pipeline import DocumentReader

    settings = get_settings()
    runtime = settings.runtime.model_copy(update={"backend": backend, "precision": precision})
    return DocumentReader(settings, OcrEngine(settings.ocr, settings.models_dir, runtime))


def diff_readings(a: Any, b: Any) -> tuple[list[str], float, int]:
    """Every difference between two readings of one photo other than the confidences'
    last digits; the largest confidence difference; how many confidences differ once
    rounded to the 3 decimals ``kyc ocr --json`` prints."""
    out: list[str] = []
    if a.document_type != b.document_type:
        out.append(f"document_type {a.document_type} != {b.document_type}")
    if a.warnings != b.warnings:
        out.append(f"warnings {a.warnings} != {b.warnings}")
    if round(a.quality, 3) != round(b.quality, 3):
        out.append(f"quality {a.quality:.4f} != {b.quality:.4f}")
    worst, rounded = 0.0, 0
    for name in sorted(set(a.fields) | set(b.fields)):
        fa, fb = a.fields.get(name), b.fields.get(name)
        if fa is None or fb is None:
            out.append(f"{name}: only one reading has it")
            continue
        for attr in ("value", "valid", "box"):
            if getattr(fa, attr) != getattr(fb, attr):
                out.append(f"{name}.{attr} {getattr(fa, attr)!r} != {getattr(fb, attr)!r}")
        worst = max(worst, abs(fa.confidence - fb.confidence))
        rounded += round(fa.confidence, 3) != round(fb.confidence, 3)
    return out, worst, rounded


def _exact(reading: Any, truth: dict[str, Any]) -> tuple[int, int]:
    hidden = set(truth.get("hidden_fields", {}))
    scored = [(n, v) for n, v in truth["fields"].items() if n not in hidden]
    ok = sum(1 for n, v in scored if (f := reading.fields.get(n)) is not None and f.value == v)
    return ok, len(scored)


def _time(fn: Any, arg: Any) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn(arg)
    return (time.perf_counter() - t) * 1000, out


def run_split(
    name: str,
    samples: list[tuple[str, str, Any]],
    readers: dict[str, Any],
    baseline: Any,
    repeat: int,
) -> dict[str, Any]:
    ms: dict[str, list[float]] = {k: [] for k in (*readers, "rapidocr")}
    kinds: list[str] = []
    diffs: dict[str, list[str]] = {k: [] for k in readers if k != "onnxruntime"}
    worst: Counter[str] = Counter()
    rounded: Counter[str] = Counter()
    fields_n = 0
    exact: Counter[str] = Counter()
    scored = 0
    order = [*readers, "rapidocr"]
    for i, (level, kind, sample) in enumerate(samples):
        got: dict[str, Any] = {}
        times: dict[str, list[float]] = {k: [] for k in order}
        for r in range(repeat):
            k = (i + r) % len(order)
            for key in order[k:] + order[:k]:  # rotate who goes first
                fn = readers[key].read_image if key in readers else baseline
                t, out = _time(fn, sample.image)
                times[key].append(t)
                got.setdefault(key, out)
        for key in order:
            ms[key].append(statistics.median(times[key]))
        kinds.append(kind)
        ref = got["onnxruntime"]
        fields_n += len(ref.fields)
        for key, found_all in diffs.items():
            found, w, n_round = diff_readings(ref, got[key])
            found_all.extend(f"[{name} #{i} {level} {kind}] {d}" for d in found)
            worst[key] = max(worst[key], w)  # type: ignore[assignment]
            rounded[key] += n_round
        for key in readers:
            exact[key] += _exact(got[key], sample.truth)[0]
        scored += _exact(ref, sample.truth)[1]
        if (i + 1) % 12 == 0:
            print(f"  {name}: {i + 1}/{len(samples)}", flush=True)
    return {
        "ms": ms,
        "kinds": kinds,
        "diffs": diffs,
        "worst_conf": dict(worst),
        "rounded_conf": dict(rounded),
        "fields": fields_n,
        "exact": dict(exact),
        "scored": scored,
    }


def report(name: str, res: dict[str, Any]) -> None:
    ms = res["ms"]
    base = ms.pop("rapidocr")
    n = len(base)
    print(f"\n== {name}: {n} photos")
    print(f"   {'back end':22} {'median':>8} {'ratio of medians':>17} {'median ratio':>13}")
    med_base = statistics.median(base)
    print(f"   {'RapidOCR default':22} {med_base:6.0f}ms")
    for key, vals in ms.items():
        ratio = statistics.median(a / b for a, b in zip(vals, base, strict=True))
        print(
            f"   {key:22} {statistics.median(vals):6.0f}ms "
            f"{statistics.median(vals) / med_base:17.3f} {ratio:13.3f}"
        )
    if "openvino" in ms:
        vs = statistics.median(
            a / b for a, b in zip(ms["openvino"], ms["onnxruntime"], strict=True)
        )
        print(f"   openvino / onnxruntime, median per-photo ratio {vs:.3f}")
        per_kind: dict[str, list[float]] = {}
        for kind, a, b in zip(res["kinds"], ms["openvino"], base, strict=True):
            per_kind.setdefault(kind, []).append(a / b)
        print(
            "   openvino / RapidOCR per kind: "
            + ", ".join(f"{k} {statistics.median(v):.3f}" for k, v in per_kind.items())
        )
    ms["rapidocr"] = base
    for key, found in res["diffs"].items():
        print(
            f"   {key} vs onnxruntime: {len(found)} differences in {n} photos, "
            f"{res['fields']} fields (value, validity, box, type, warnings, quality); "
            f"largest confidence difference {res['worst_conf'].get(key, 0.0):.1e}, "
            f"{res['rounded_conf'].get(key, 0)} confidences differ at 3 decimals"
        )
        for line in found[:20]:
            print("     ", line)
    print(
        "   fields exact against the truth: "
        + ", ".join(f"{k} {v}/{res['scored']}" for k, v in res["exact"].items())
    )


def padding_check(samples: list[tuple[str, str, Any]], reader: Any) -> None:
    """What padding an input to a bucket would do to the models' outputs: each detection
    canvas of these photos padded right and bottom to a multiple of 128 px (with the
    normalised value of mid-grey, 0), the probability map cropped back; each recognition
    batch padded on the right to a multiple of 32 px with zeros (as the batch's own
    shorter line already is), the extra time steps dropped."""
    import math

    import numpy as np

    engine = reader.engine
    seen: dict[str, list[Any]] = {"det": [], "rec": []}
    for key, model in (("det", engine._det), ("rec", engine._rec)):
        run = model.run

        def record(inputs: Any, run: Any = run, key: str = key) -> Any:
            seen[key].append(next(iter(inputs.values())).copy())
            return run(inputs)

        model.run = record
    for _level, _kind, sample in samples:
        reader.read_image(sample.image)
    for model in (engine._det, engine._rec):
        del model.run

    def up(v: int, step: int) -> int:
        return int(math.ceil(v / step) * step)

    worst, flips, pixels = 0.0, 0, 0
    for x in seen["det"]:
        h, w = x.shape[2:]
        padded = np.pad(x, ((0, 0), (0, 0), (0, up(h, 128) - h), (0, up(w, 128) - w)))
        a = engine._det.run({engine._det.input_names[0]: x})[0]
        b = engine._det.run({engine._det.input_names[0]: padded})[0][:, :, :h, :w]
        worst = max(worst, float(np.abs(a - b).max()))
        flips += int(((a > 0.3) != (b > 0.3)).sum())
        pixels += a.size
    print(
        f"   detection, {len(seen['det'])} canvases padded to 128 px: probability map differs "
        f"by up to {worst:.2f}; {flips} of {pixels} pixels change side of the 0.3 threshold"
    )
    worst, changed, steps = 0.0, 0, 0
    for x in seen["rec"]:
        w = x.shape[3]
        padded = np.pad(x, ((0, 0), (0, 0), (0, 0), (0, up(w, 32) - w)))
        a = engine._rec.run({engine._rec.input_names[0]: x})[0]
        b = engine._rec.run({engine._rec.input_names[0]: padded})[0]
        worst = max(worst, float(np.abs(a - b[:, : a.shape[1]]).max()))
        changed += int((a.argmax(2) != b[:, : a.shape[1]].argmax(2)).sum())
        changed += int((b[:, a.shape[1] :].argmax(2) != 0).sum())  # a character in the pad
        steps += a.shape[0] * a.shape[1]
    print(
        f"   recognition, {len(seen['rec'])} batches padded to 32 px: probabilities differ by "
        f"up to {worst:.2f}; {changed} of {steps} time steps change their best character"
    )


def startup(runs: int, image: Path) -> dict[str, list[tuple[float, float, float]]]:
    """First read in a fresh process, per back end, alternating: seconds in all, seconds
    of the read alone, peak resident memory (MiB)."""
    out: dict[str, list[tuple[float, float, float]]] = {"onnxruntime": [], "openvino": []}
    for _ in range(runs):
        for backend, times in out.items():
            env = {**os.environ, "KYC_RUNTIME__BACKEND": backend}
            t = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", _STARTUP, str(image)],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            total = time.perf_counter() - t
            _load, read, rss = (float(v) for v in proc.stdout.split())
            times.append((total, read, rss))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-cell", type=int, default=4, help="photos per kind and level")
    parser.add_argument("--seed", type=int, default=7, help="the tuned split")
    parser.add_argument("--held-out-seed", type=int, default=1607)
    parser.add_argument("--levels", default="clean,moderate,hard")
    parser.add_argument("--repeat", type=int, default=1, help="reads per photo and back end")
    parser.add_argument("--startup", type=int, default=0, help="fresh-process runs per back end")
    parser.add_argument("--bf16", action="store_true", help="also OpenVINO in bf16")
    parser.add_argument(
        "--padding", type=int, default=0, help="check padding to buckets on N photos of each split"
    )
    parser.add_argument(
        "--long-side", type=int, default=0, help="resize each photo to this longer side (4032)"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    load = os.getloadavg()
    print(
        f"load average at start {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores"
    )
    from rapidocr_onnxruntime import RapidOCR

    from kyc.inference import cpu_has_bf16, runtime_info

    readers: dict[str, Any] = {
        "onnxruntime": _reader("onnxruntime"),
        "openvino": _reader("openvino"),
    }
    if args.bf16:
        if cpu_has_bf16():
            readers["openvino_bf16"] = _reader("openvino", "bf16")
        else:
            print("this CPU has no bf16: --bf16 skipped")
    baseline = RapidOCR()
    for key in ("openvino", "openvino_bf16"):
        if key in readers:
            t = time.perf_counter()
            readers[key].warm()
            print(f"{key}: warm-up compile {time.perf_counter() - t:.1f} s")
    info = runtime_info(readers["openvino"].engine.runtime)
    print(f"runtime: {info}")

    levels = args.levels.split(",")
    t = time.perf_counter()
    splits = {
        f"tuned (seed {args.seed})": _generate(args.per_cell, args.seed, levels, args.long_side),
        f"held-out (seed {args.held_out_seed})": _generate(
            args.per_cell, args.held_out_seed, levels, args.long_side
        ),
    }
    count = sum(len(s) for s in splits.values())
    print(f"generated {count} photos in {time.perf_counter() - t:.0f} s")
    first = next(iter(splits.values()))[0][2].image
    baseline(first)  # one untimed read each: lazy imports, first runs
    for reader in readers.values():
        reader.read_image(first)

    results: dict[str, Any] = {}
    for name, samples in splits.items():
        results[name] = run_split(name, samples, readers, baseline, args.repeat)
    for name, res in results.items():
        report(name, res)
    for key in ("openvino", "openvino_bf16"):
        if key in readers:
            eng = readers[key].engine
            models = {m: getattr(eng, f"_{m}") for m in ("det", "cls", "rec")}
            parts = ", ".join(
                f"{m} {model.compiled_shapes} shapes, {model.compile_seconds:.1f} s"
                for m, model in models.items()
            )
            print(f"\n{key} compiles in this run (warm-up included): {parts}")

    if args.padding:
        print("\n== padding inputs to buckets (onnxruntime; not done by the engine)")
        for name, samples in splits.items():
            print(f"  {name}, {args.padding} photos")
            padding_check(samples[:: max(1, len(samples) // args.padding)], readers["onnxruntime"])

    if args.startup:
        import cv2

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "photo.jpg"
            cv2.imwrite(str(path), first)
            runs = startup(args.startup, path)
        print("\n== start-up: first read in a fresh process (imports + models + the read)")
        for backend, vals in runs.items():
            totals = [v[0] for v in vals]
            print(
                f"   {backend:12} median {statistics.median(totals):5.2f} s "
                f"(read alone {statistics.median(v[1] for v in vals):5.2f} s, peak memory "
                f"{statistics.median(v[2] for v in vals):4.0f} MiB) of {len(vals)}"
            )
        ratio = statistics.median(v[0] for v in runs["openvino"]) / statistics.median(
            v[0] for v in runs["onnxruntime"]
        )
        print(f"   openvino / onnxruntime {ratio:.2f}")
        results["startup"] = runs
    load = os.getloadavg()
    print(f"\nload average at end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, default=str, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
