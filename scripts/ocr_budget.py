"""Where the document pipeline's time goes, and how fast it could be at best.

On photos from the benchmark's generator, per document kind: the median time of this
pipeline and of RapidOCR's default pipeline on the same images in the same run, and the
share of our time spent inside the three models (onnxruntime runs only).
Three bounds follow, each a median per-image ratio to RapidOCR's time on the same image:

- ``skip labels``: our time less the recognition of every line that is only a printed
  label, a footer or a QR caption, as if a layout model knew those lines for free (their
  share of the recognition input width, times the recognition time);
- ``models only``: as if everything around the models (decoding, resizing, grouping,
  extraction, quality checks, JPEG) took no time at all;
- ``both``: the two together.

A bound above a speed target says no tuning around the models reaches it: the models'
work itself has to shrink (fewer pixels for detection, fewer or narrower lines for
recognition), and the benchmark shows what each of those costs in accuracy.

    uv run python scripts/ocr_budget.py --per-cell 4 --seed 7
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

# Lines that only caption a license's QR code or footer: nothing of them is a field.
CAPTIONS = frozenset(
    (
        "(副本)",
        "（副本）",
        "扫描二维码登录",
        "国家企业信用",
        "信息公示系统",
        "国家市场监督管理总局监制",
    )
)
# Titles are read: 临时居民身份证 (TEMPORARY_ID) is only there.
TITLES = frozenset(("中华人民共和国", "居民身份证", "营业执照"))


def _label_texts() -> frozenset[str]:
    """Every printed label the extractors know, and each character of a two-character
    one (licenses print 名  称 spaced apart), plus the captions."""
    from kyc.ocr.documents import business_license, id_card_back, id_card_front

    labels = {
        *id_card_front.KEYWORDS,
        *id_card_back.KEYWORDS,
        *business_license.KEYWORDS,
        *(label for labels in business_license.LABELS.values() for label in labels),
    } - TITLES
    halves = {c for label in labels if len(label) == 2 for c in label}
    return frozenset(labels | halves | CAPTIONS)


def _label_only(text: str, labels: frozenset[str]) -> bool:
    compact = text.replace(" ", "")
    return compact in labels or "公示系统网址" in compact or "gsxt" in compact


class _Clock:
    """Seconds spent in each onnxruntime session's ``run``, per image."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, session: Any, key: str) -> None:
        run: Callable[..., Any] = session.run

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return run(*args, **kwargs)
            finally:
                self.seconds[key] += time.perf_counter() - t

        session.run = timed


def _rec_width(crop: np.ndarray[Any, Any], min_width: int) -> float:
    return max(float(min_width), 48.0 * float(crop.shape[1]) / float(crop.shape[0]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-cell", type=int, default=4, help="images per kind and level")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--levels", default="clean,moderate,hard")
    args = parser.parse_args(argv)

    import random

    from rapidocr_onnxruntime import RapidOCR

    from kyc.config import get_settings
    from kyc.ocr.engine import TextReading
    from kyc.ocr.pipeline import DocumentReader
    from kyc.synth import KINDS, generate

    settings = get_settings()
    reader = DocumentReader(settings)
    engine = reader.engine
    baseline = RapidOCR()
    clock = _Clock()
    labels = _label_texts()
    clock.wrap(engine._det, "det")
    clock.wrap(engine._cls, "cls")
    clock.wrap(engine._rec, "rec")
    calls: list[tuple[list[Any], list[TextReading]]] = []
    recognize = engine.recognize

    def recorded(crops: list[Any]) -> list[TextReading]:
        texts = recognize(crops)
        calls.append((crops, texts))
        return texts

    engine.recognize = recorded  # type: ignore[method-assign]

    rng = random.Random(args.seed)
    rows: dict[str, list[dict[str, float]]] = defaultdict(list)
    first = True
    for level in args.levels.split(","):
        for kind in KINDS:
            for _ in range(args.per_cell):
                image = generate(kind, level, rng).image
                if first:  # warm-up, not timed
                    reader.read_image(image)
                    baseline(image)
                    first = False
                clock.seconds.clear()
                calls.clear()
                t = time.perf_counter()
                reader.read_image(image)
                ours = time.perf_counter() - t
                t = time.perf_counter()
                baseline(image)
                base = time.perf_counter() - t
                models = sum(clock.seconds.values())
                widths = [
                    (_rec_width(c, settings.ocr.rec_min_width), _label_only(r.text, labels))
                    for crops, texts in calls
                    for c, r in zip(crops, texts, strict=True)
                ]
                total_w = sum(w for w, _ in widths) or 1.0
                label_share = sum(w for w, lab in widths if lab) / total_w
                skip = clock.seconds["rec"] * label_share
                rows[kind].append(
                    {
                        "ours": ours,
                        "base": base,
                        "det": clock.seconds["det"],
                        "cls": clock.seconds["cls"],
                        "rec": clock.seconds["rec"],
                        "models": models,
                        "label_share": label_share,
                        "bound_skip": (ours - skip) / base,
                        "bound_models": models / base,
                        "bound_both": (models - skip) / base,
                    }
                )

    def med(kind_rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in kind_rows)

    print(
        f"{'kind':17} {'n':>3} {'ours':>7} {'RapidOCR':>9} {'ratio':>6} "
        f"{'det':>6} {'cls':>5} {'rec':>6} {'models':>7} {'labels':>7} "
        f"{'skip labels':>12} {'models only':>12} {'both':>6}"
    )
    everything = [r for kind_rows in rows.values() for r in kind_rows]
    for name, kind_rows in [*rows.items(), ("all", everything)]:
        ratio = statistics.median(r["ours"] / r["base"] for r in kind_rows)
        print(
            f"{name:17} {len(kind_rows):3d} {1000 * med(kind_rows, 'ours'):5.0f}ms "
            f"{1000 * med(kind_rows, 'base'):7.0f}ms {ratio:6.3f} "
            f"{1000 * med(kind_rows, 'det'):4.0f}ms {1000 * med(kind_rows, 'cls'):3.0f}ms "
            f"{1000 * med(kind_rows, 'rec'):4.0f}ms "
            f"{100 * statistics.median(r['models'] / r['ours'] for r in kind_rows):6.0f}% "
            f"{100 * med(kind_rows, 'label_share'):6.0f}% "
            f"{med(kind_rows, 'bound_skip'):12.3f} {med(kind_rows, 'bound_models'):12.3f} "
            f"{med(kind_rows, 'bound_both'):6.3f}"
        )
    print(
        "ratio: median per-image ratio to RapidOCR; models: share of our time inside "
        "onnxruntime; labels: share of recognition width on label-only lines; bounds: "
        "see the script's docstring"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
