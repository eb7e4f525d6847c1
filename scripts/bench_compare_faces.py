"""Speed of one compare-faces call: the fused match against the dlib-only match it
replaced (largest face + dlib embedding of each image + distance: the code of 7c0a5c5,
before issue 13, its face search copied here as ``old_largest_face``), interleaved in one
process on the same images. Also: how far the face search of now (a coarse pass first)
moves each image's descriptors from those of the old search (the same box refined by
the same landmarks should give nearly the same descriptors).

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
from kyc.errors import BadInput, ErrorCode
from kyc.liveness.engine import Box, FaceEngine
from kyc.liveness.faceres import cosine
from kyc.liveness.match import (
    compare_faces,
    describe_image,
    distance,
    judge,
    largest_face,
    load_models,
    read_portrait,
)
from kyc.liveness.settings import LivenessSettings
from kyc.synth import generate

FACES = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces"


def old_largest_face(img: np.ndarray, engine: FaceEngine, settings: LivenessSettings) -> Box:
    """kyc.liveness.match.largest_face of 7c0a5c5: <= 1024 px, upsampled 0, 1, 2."""
    import cv2

    gray = np.asarray(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    longest = max(gray.shape[:2])
    scale = min(1.0, 1024.0 / longest)
    small = gray
    if scale < 1.0:
        small = np.asarray(
            cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA),
            dtype=np.uint8,
        )
    for upsample in (0, 1, 2):
        if upsample == 2 and longest > 1200:
            break
        boxes = engine.detect(small, upsample)
        boxes = [b for b in boxes if b.width / scale >= settings.portrait_min_face_px]
        if boxes:
            return boxes[0].scaled(1.0 / scale)
    raise BadInput(ErrorCode.NO_FACE, "no face found in the image")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cards", type=int, default=3)
    args = ap.parse_args()
    s = get_settings()
    engine, models = load_models(s.models_dir)

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

    def old_embed(img: np.ndarray) -> np.ndarray:
        box = old_largest_face(img, engine, s.liveness)
        return engine.embed(np.ascontiguousarray(img[:, :, ::-1]), box)

    def old(a: np.ndarray, b: np.ndarray) -> None:
        judge(distance(old_embed(a), old_embed(b)), s.liveness)

    def new(a: np.ndarray, b: np.ndarray) -> None:
        compare_faces(a, b, s.liveness, engine, models)

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
    from kyc.liveness import match

    shifts = []
    for img in {id(x): x for pair in pairs for x in pair}.values():
        now, _ = describe_image(img, engine, models, s.liveness)
        searched = match.largest_face
        match.largest_face = old_largest_face  # the old search, all else as now
        try:
            before, _ = describe_image(img, engine, models, s.liveness)
        finally:
            match.largest_face = searched
        shifts.append((distance(now.dlib, before.dlib), cosine(now.faceres, before.faceres)))
    print(
        "  descriptors, coarse-first search vs the old one, same image: dlib distance max "
        f"{max(d for d, _ in shifts):.4f}, faceres cosine min {min(c for _, c in shifts):.4f}"
    )
    print(f"  dlib-only (before) median {med['old']:.0f} ms, fused median {med['new']:.0f} ms")
    print(
        f"  ratio of medians {med['new'] / med['old']:.3f}, "
        f"median per-pair ratio {statistics.median(per_pair):.3f}"
    )


if __name__ == "__main__":
    main()
