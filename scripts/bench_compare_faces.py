"""Speed of one compare-faces call: the fused match against the dlib-only match it
replaced (largest face + dlib embedding of each image + distance, the code before issue
13, still in kyc.liveness.match), interleaved in one process on the same images.

    nice uv run python scripts/bench_compare_faces.py [--reps 3]

Images: press photo pairs of ../shared/data/faces and a press photo against synthetic
ID-card front photos (kyc.synth, moderate, upright ones). Prints per-call medians, the
ratio of medians and the median per-pair ratio, and the load average (the machine is
shared: compare only numbers of one run).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path

import numpy as np

from kyc.config import get_settings
from kyc.errors import BadInput
from kyc.liveness.match import (
    compare_faces,
    distance,
    embed_image,
    judge,
    largest_face,
    load_models,
    read_portrait,
)
from kyc.synth import generate

FACES = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cards", type=int, default=3)
    args = ap.parse_args()
    s = get_settings()
    engine, faceres = load_models(s.models_dir)

    def photo(name: str) -> np.ndarray:
        return read_portrait(FACES / name, s.images)

    pairs = [
        (photo("obama/obama1.jpg"), photo("obama/obama2.jpg")),
        (photo("biden/biden1.jpg"), photo("kit_harington/kit1.jpg")),
        (photo("rose_leslie/rose1.jpg"), photo("alex_lacamoire/alex1.jpg")),
    ]
    seed = 0
    while len(pairs) < 3 + args.cards:
        card = generate("id_card_front", "moderate", random.Random(f"speed{seed}")).image
        seed += 1
        try:
            largest_face(card, engine, s.liveness)  # upright cards only: the old code's case
        except BadInput:
            continue
        pairs.append((photo("obama/obama3.jpg"), np.asarray(card, np.uint8)))

    def old(a: np.ndarray, b: np.ndarray) -> None:
        ea, _ = embed_image(a, engine, s.liveness)
        eb, _ = embed_image(b, engine, s.liveness)
        judge(distance(ea, eb), s.liveness)

    def new(a: np.ndarray, b: np.ndarray) -> None:
        compare_faces(a, b, s.liveness, engine, faceres)

    new(*pairs[0])  # warm both
    times: dict[str, list[list[float]]] = {"old": [[] for _ in pairs], "new": [[] for _ in pairs]}
    for _ in range(args.reps):
        for i, (a, b) in enumerate(pairs):
            for name, fn in (("old", old), ("new", new)):
                t = time.perf_counter()
                fn(a, b)
                times[name][i].append((time.perf_counter() - t) * 1000)
    med = {k: statistics.median(x for row in v for x in row) for k, v in times.items()}
    per_pair = [
        statistics.median(n) / statistics.median(o)
        for o, n in zip(times["old"], times["new"], strict=True)
    ]
    print(f"load average {os.getloadavg()[0]:.1f}; {len(pairs)} pairs x {args.reps}")
    print(f"  dlib-only (before) median {med['old']:.0f} ms, fused median {med['new']:.0f} ms")
    print(
        f"  ratio of medians {med['new'] / med['old']:.3f}, "
        f"median per-pair ratio {statistics.median(per_pair):.3f}"
    )


if __name__ == "__main__":
    main()
