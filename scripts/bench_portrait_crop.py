"""The ID-card portrait crop (kyc.ocr.quality.portrait_window) on the generator's cards:
does it hold the whole face and none of the printed digits?

    nice uv run python scripts/bench_portrait_crop.py [--split tuned|heldout] [--n 10]
        [--levels clean,moderate] [--ocr]

Cards: kyc.synth ID-card fronts of the chosen split (its fonts, layouts, cameras,
watermark texts), photographed at each level, with press photos of ../shared/data/faces
as portraits (the people are split too: tuned cards use one half, held-out cards the
other). Each card is read by the OCR pipeline once; both crop rules are computed from that
reading's front region: the card-frame rule of before (``locate_face=False``) and the
face-located one.

Measured against the generator's truth (the card's quad in the photo, the fields' boxes
on the flat card), in card pixels (10 px/mm):
- whole face: the face's 68 landmarks on the flat card (dlib), their box raised by 30%
  of its height for the forehead, all inside the crop (share inside >= 0.995);
- digits: the area of the birth date, address and ID-number boxes inside the crop; a
  crop "shows digits" if any of them has more than 1% of its box inside;
- with --ocr: the text detector and recogniser run on the crop itself (>= 2 digits read).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kyc.config import get_settings
from kyc.liveness.engine import get_engine
from kyc.ocr import quality
from kyc.ocr.pipeline import DocumentReader
from kyc.synth import generate

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DIGIT_FIELDS = ("birth_date", "address", "id_number")


def portraits(split: str) -> list[Path]:
    """Press photos and stills, people split by a hash of the name (half each)."""
    out = []
    for p in sorted((DATA / "faces").glob("*/*")):
        if p.parent.name in ("multi", "partial") or p.suffix.lower() not in (".jpg", ".png"):
            continue
        who = p.stem if p.parent.name == "liveportrait_stills" else p.parent.name
        h = int(hashlib.sha256(f"crop-split:{who}".encode()).hexdigest()[:8], 16) % 2
        if (h == 1) == (split == "heldout"):
            out.append(p)
    return out


def face_region(document: np.ndarray, engine: Any) -> np.ndarray | None:
    """The face on the flat card: landmark box, top raised by 30% of its height."""
    gray = cv2.cvtColor(document[:, :, :3], cv2.COLOR_BGR2GRAY)
    boxes = engine.detect(gray, 1)
    if not boxes:
        return None
    pts = engine.landmarks(gray, boxes[0])
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    return np.array([[x0, y0 - 0.3 * (y1 - y0)], [x1, y0 - 0.3 * (y1 - y0)], [x1, y1], [x0, y1]])


def share_inside(region: np.ndarray, crop_poly: np.ndarray, size: tuple[int, int]) -> float:
    w, h = size
    a = np.zeros((h + 200, w + 200), np.uint8)
    b = np.zeros_like(a)
    off = np.array([100, 100])
    cv2.fillPoly(a, [np.round(region + off).astype(np.int32)], 1)
    cv2.fillPoly(b, [np.round(crop_poly + off).astype(np.int32)], 1)
    area = int(a.sum())
    return float((a & b).sum()) / area if area else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="tuned", choices=("tuned", "heldout"))
    ap.add_argument("--n", type=int, default=10, help="cards per level")
    ap.add_argument("--levels", default="clean,moderate")
    ap.add_argument("--ocr", action="store_true", help="also read digits in the crop")
    ap.add_argument("--seed", default="crop")
    ap.add_argument("--dump", type=Path, help="write crops with digits read / faces cut here")
    args = ap.parse_args()
    s = get_settings()
    reader = DocumentReader(s)
    engine = get_engine(s.models_dir)
    faces = portraits(args.split)
    seen: list[tuple[np.ndarray, quality.Region]] = []
    original = quality.portrait

    def recording(image: np.ndarray, front: quality.Region) -> np.ndarray:
        seen.append((image, front))
        return original(image, front)

    quality.portrait = recording
    print(f"split {args.split}: {len(faces)} portrait photos; {args.n} cards per level")
    rules = (("card frame (before)", False), ("face-located", True))
    for level in args.levels.split(","):
        stats: dict[str, dict[str, list[float]]] = {
            name: {"face": [], "digits": [], "ocr": [], "ms": []} for name, _ in rules
        }
        no_front = 0
        for i in range(args.n):
            rng = random.Random(f"{args.seed}:{args.split}:{level}:{i}")
            src = faces[i % len(faces)]
            card = generate("id_card_front", level, rng, split=args.split, portrait=src)
            truth = card.truth
            seen.clear()
            reader.read_image(np.asarray(card.image, np.uint8))
            region = face_region(np.asarray(card.document, np.uint8), engine)
            if not seen or region is None:
                no_front += 1
                continue
            image, front = seen[0]
            dw, dh = truth["document_size"]
            doc = np.array([[0, 0], [dw, 0], [dw, dh], [0, dh]], np.float32)
            to_photo = cv2.getPerspectiveTransform(doc, np.asarray(truth["quad"], np.float32))
            for name, locate in rules:
                t0 = time.perf_counter()
                m, (cw, ch) = quality.portrait_window(image, front, locate_face=locate)
                ms = (time.perf_counter() - t0) * 1000
                corners = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float64)
                photo = cv2.perspectiveTransform(
                    corners.reshape(-1, 1, 2), np.linalg.inv(m)
                ).reshape(-1, 2)
                on_card = cv2.perspectiveTransform(
                    photo.reshape(-1, 1, 2), np.linalg.inv(to_photo)
                ).reshape(-1, 2)
                st = stats[name]
                st["ms"].append(ms)
                st["face"].append(share_inside(region, on_card, (dw, dh)))
                worst = 0.0
                for f in DIGIT_FIELDS:
                    if f not in truth["field_boxes"]:
                        continue
                    x0, y0, x1, y1 = truth["field_boxes"][f]
                    box = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)
                    worst = max(worst, share_inside(box, on_card, (dw, dh)))
                st["digits"].append(worst)
                texts: list[str] = []
                if args.ocr:
                    crop = np.asarray(
                        cv2.warpPerspective(image, m, (cw, ch), flags=cv2.INTER_LINEAR), np.uint8
                    )
                    quads = reader.engine.detect(crop)
                    from kyc.ocr.engine import crop_line

                    texts = [
                        t.text for t in reader.engine.recognize([crop_line(crop, q) for q in quads])
                    ]
                    st["ocr"].append(sum(ch.isdigit() for t in texts for ch in t))
                bad = (st["ocr"][-1] >= 2 if args.ocr else worst > 0.01) or st["face"][-1] < 0.995
                if args.dump and bad:
                    args.dump.mkdir(parents=True, exist_ok=True)
                    tag = f"{level}{i}_{'face' if locate else 'frame'}"
                    dump = cv2.warpPerspective(image, m, (cw, ch), flags=cv2.INTER_LINEAR)
                    cv2.imwrite(str(args.dump / f"{tag}.png"), dump)
                    print(
                        f"    {tag}: read {texts}, face share {st['face'][-1]:.3f}, "
                        f"digit share {worst:.3f}"
                    )

        print(f"\n{level}: {args.n} cards, {no_front} without a front read or a face on the card")
        for name, _ in rules:
            st = stats[name]
            n = len(st["face"])
            whole = sum(f >= 0.995 for f in st["face"])
            digits = sum(d > 0.01 for d in st["digits"])
            line = (
                f"  {name:20} whole face {whole}/{n} (min share {min(st['face'], default=0):.3f}), "
                f"digit boxes in {digits}/{n} (max share {max(st['digits'], default=0):.3f})"
            )
            if args.ocr:
                line += f", >= 2 digits read {sum(x >= 2 for x in st['ocr'])}/{n}"
            line += f", median {statistics.median(st['ms']) if st['ms'] else 0:.0f} ms"
            print(line)


if __name__ == "__main__":
    main()
