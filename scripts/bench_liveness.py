"""Benchmark of the video identity check (numbers go to docs/liveness.md).

    nice uv run python scripts/bench_liveness.py [--out DIR] [--quick]

1. Face-pair calibration on ../shared/data/faces, frames of ../shared/data/videos (one
   identity per clip) and ID-portrait-style degradations of them: distance distributions,
   the distance at 0.1% and 1% false-match rate, FMR/FNMR at the configured thresholds.
2. Genuine clips with challenges they perform (labels below): BPCER.
3. Attack videos generated here with PyAV/libx264 into --out (default: a temp dir):
   APCER per attack type.
4. Speed per second of video against a naive loop (face_recognition HOG detection +
   encoding on every frame) on the same clips in the same run; a 5 s 720p clip.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt

from kyc.config import get_settings
from kyc.liveness import simulate as sim
from kyc.liveness.analyse import Track, analyse
from kyc.liveness.challenge import Action, Challenge
from kyc.liveness.engine import Embedding, FaceEngine, get_engine
from kyc.liveness.match import FaceDescriptor, distance, embed_image, template_distance
from kyc.liveness.settings import LivenessSettings
from kyc.liveness.simulate import GEOMETRIES, hand_held, looped, read_frames, splice, two_faces
from kyc.liveness.verify import verify_video

BGR = npt.NDArray[Any]  # cv2 returns loosely typed arrays
REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
NOW = datetime(2026, 1, 1, tzinfo=UTC)

A = Action
LABELS_FILE = REPO / "tests" / "data" / "liveness_labels.json"
CLIP_MAX_S = 20.0  # longer clips are cut to 20 s (the product's limit is 30 s)


@dataclass(frozen=True)
class ClipLabels:
    name: str
    file: str
    split: str  # "tuned" or "held_out": thresholds are never set on held-out clips
    sure: list[tuple[Action, float, float]]  # what the frames show, marked by eye
    unsure: list[tuple[Action, float, float]]  # neither required nor forbidden


def load_labels() -> dict[str, ClipLabels]:
    raw = json.loads(LABELS_FILE.read_text())["clips"]
    out: dict[str, ClipLabels] = {}
    for name, c in raw.items():
        sure = [(Action(e["action"]), e["start"], e["end"]) for e in c["events"] if e["sure"]]
        unsure = [(Action(e["action"]), e["start"], e["end"]) for e in c["events"] if not e["sure"]]
        out[name] = ClipLabels(name, c["file"], c["split"], sure, unsure)
    return out


LABELS = load_labels()
SPEED_CLIPS = ("d0", "d3", "d6", "d10", "d12", "d18")  # the speed table's clips since 2026-11


def imread(path: str) -> BGR:
    img = cv2.imread(path)
    if img is None:
        raise FileNotFoundError(path)
    return np.asarray(img, dtype=np.uint8)


# --------------------------------------------------------------------------------------
# video I/O
# --------------------------------------------------------------------------------------


REUSE = False  # --reuse: keep videos already generated in --out


def write_video(path: Path, frames: Iterable[BGR], fps: float) -> Path:
    if REUSE and path.is_file():
        return path
    return sim.write_video(path, frames, fps)


# --------------------------------------------------------------------------------------
# attack generators
# --------------------------------------------------------------------------------------


def screen_look(frames: Iterable[BGR], rng: random.Random, fps: float) -> Iterator[BGR]:
    """Replay on a screen: the picture inside a dark bezel, moiré, refresh flicker."""
    phase = rng.uniform(0, 6.3)
    for i, f in enumerate(frames):
        h, w = f.shape[:2]
        out = np.full_like(f, 20)
        inner = cv2.resize(f, (int(w * 0.8), int(h * 0.8)))
        y0, x0 = (h - inner.shape[0]) // 2, (w - inner.shape[1]) // 2
        yy, xx = np.mgrid[0 : inner.shape[0], 0 : inner.shape[1]]
        moire = 12 * np.sin(0.9 * xx + 0.35 * yy + phase)
        flicker = 1.0 + 0.06 * math.sin(2 * math.pi * 7.0 * i / fps)
        inner = np.clip(inner.astype(np.float32) * flicker + moire[..., None], 0, 255)
        out[y0 : y0 + inner.shape[0], x0 : x0 + inner.shape[1]] = inner.astype(np.uint8)
        yield out


# --------------------------------------------------------------------------------------
# ID-portrait-style degradations
# --------------------------------------------------------------------------------------


def face_crop(img: BGR, engine: FaceEngine, ls: LivenessSettings) -> BGR:
    from kyc.liveness.match import largest_face

    b = largest_face(img, engine, ls)
    cx, cy = (b.left + b.right) / 2, (b.top + b.bottom) / 2 - 0.1 * b.height
    hw, hh = b.width * 0.85, b.height * 1.05
    h, w = img.shape[:2]
    x0, y0 = max(0, int(cx - hw)), max(0, int(cy - hh))
    x1, y1 = min(w, int(cx + hw)), min(h, int(cy + hh))
    return img[y0:y1, x0:x1]


def id_style(img: BGR, kind: str, rng: random.Random) -> BGR:
    """An ID-card portrait look: ~100x125 px, then one of grey / colour shift / blur /
    JPEG / print halftone; upscaled x3 as a card scan at 300-600 dpi would be."""
    small = cv2.resize(img, (100, 125), interpolation=cv2.INTER_AREA)
    if kind == "grey":
        g = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        small = cv2.cvtColor(g, cv2.COLOR_GRAY2BGR)
    elif kind == "colour":
        shift = np.array([rng.uniform(-25, 25) for _ in range(3)], np.float32)
        small = np.clip(small.astype(np.float32) * rng.uniform(0.8, 1.1) + shift, 0, 255).astype(
            np.uint8
        )
    elif kind == "blur":
        small = cv2.GaussianBlur(small, (0, 0), 1.0)
    elif kind == "jpeg":
        _, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 25])
        small = np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), dtype=np.uint8)
    elif kind == "halftone":
        big = cv2.resize(small, (400, 500), interpolation=cv2.INTER_CUBIC).astype(np.float32)
        yy, xx = np.mgrid[0:500, 0:400]
        screen = 40 * np.sin(xx * 1.6) * np.sin(yy * 1.6)
        big = np.clip(big + screen[..., None], 0, 255).astype(np.uint8)
        small = cv2.resize(
            cv2.GaussianBlur(big, (0, 0), 1.2), (100, 125), interpolation=cv2.INTER_AREA
        )
    return cv2.resize(small, (300, 375), interpolation=cv2.INTER_CUBIC)


DEGRADATIONS = ("grey", "colour", "blur", "jpeg", "halftone")


def neutral_frame(frames: list[BGR], fps: float, engine: FaceEngine) -> BGR:
    """The most ID-photo-like frame (frontal, mouth closed, eyes open), sampled every
    0.5 s: what a card portrait of this person would show."""
    from kyc.liveness.signals import frame_signals

    best, best_cost = frames[0], math.inf
    for i in range(0, len(frames), max(1, int(fps / 2))):
        gray = np.asarray(cv2.cvtColor(frames[i], cv2.COLOR_BGR2GRAY), dtype=np.uint8)
        boxes = engine.detect(gray)
        if not boxes:
            continue
        sig = frame_signals(0.0, engine.landmarks(gray, boxes[0]))
        cost = 3 * abs(sig.yaw) + sig.mouth + max(0.0, 0.45 - sig.eye)
        if cost < best_cost:
            best, best_cost = frames[i], cost
    return best


# --------------------------------------------------------------------------------------
# 1. face pairs
# --------------------------------------------------------------------------------------


def identity_images(engine: FaceEngine, per_clip: int = 3) -> dict[str, list[BGR]]:
    """Photos per identity; for each clip, the most photo-like (frontal, neutral) frame of
    each third of the clip stands for a photo of that person."""
    ids: dict[str, list[BGR]] = defaultdict(list)
    for d in sorted((DATA / "faces").iterdir()):
        if d.name in ("multi", "partial", "liveportrait_stills"):
            continue
        for f in sorted(d.iterdir()):
            ids[d.name].append(imread(str(f)))
    for f in sorted((DATA / "faces" / "liveportrait_stills").iterdir()):
        ids[f"still_{f.stem}"].append(imread(str(f)))
    for clip in SPEED_CLIPS:
        frames, fps = read_frames(DATA / LABELS[clip].file, CLIP_MAX_S)
        n = len(frames)
        for k in range(per_clip):
            part = frames[k * n // per_clip : (k + 1) * n // per_clip]
            ids[f"clip_{clip}"].append(neutral_frame(part, fps, engine))
    return ids


@dataclass
class PairStats:
    genuine: list[float]
    impostor: list[float]
    genuine_id: list[float]  # genuine pairs where one side is ID-style
    impostor_id: list[float]
    # a two-photo template (mean embedding of two other photos / frames of an identity)
    # vs an ID-style portrait: what verify_video compares (a clip's frames vs the card)
    template_genuine: list[float]
    template_impostor: list[float]


def face_pairs(engine: FaceEngine, ls: LivenessSettings, rng: random.Random) -> PairStats:
    ids = identity_images(engine)
    emb: list[tuple[str, int, str, Embedding]] = []  # (identity, photo, variant, embedding)
    for name, imgs in ids.items():
        for k, img in enumerate(imgs):
            try:
                e, _ = embed_image(img, engine, ls)
            except Exception:
                continue
            emb.append((name, k, "orig", e))
            crop = face_crop(img, engine, ls)
            for kind in DEGRADATIONS:
                try:
                    e2, _ = embed_image(id_style(crop, kind, rng), engine, ls)
                except Exception:
                    print(f"  (no face found in {name}#{k} {kind})", file=sys.stderr)
                    continue
                emb.append((name, k, kind, e2))
    st = PairStats([], [], [], [], [], [])
    for (n1, k1, v1, e1), (n2, k2, v2, e2) in itertools.combinations(emb, 2):
        if v1 != "orig" and v2 != "orig":
            continue  # compare a card portrait with a photo / video frame, not two cards
        d = distance(e1, e2)
        idpair = v1 != "orig" or v2 != "orig"
        if n1 == n2:
            if k1 == k2:
                continue  # same source photo: not an independent pair
            (st.genuine_id if idpair else st.genuine).append(d)
        else:
            (st.impostor_id if idpair else st.impostor).append(d)
    photos: dict[str, list[tuple[int, Embedding]]] = defaultdict(list)
    for n, k, v, e in emb:
        if v == "orig":
            photos[n].append((k, e))
    for n_id, k_id, v_id, e_id in emb:
        if v_id == "orig":
            continue
        for n, plist in photos.items():
            others = [e for k, e in plist if not (n == n_id and k == k_id)]
            for a, b in itertools.combinations(others, 2):
                d = template_distance([a, b], e_id)
                (st.template_genuine if n == n_id else st.template_impostor).append(d)
    n_ids = len({e[0] for e in emb})
    print(f"face pairs: {n_ids} identities, {len(emb)} embeddings")
    close: list[tuple[float, str]] = []
    for (n1, k1, v1, e1), (n2, k2, v2, e2) in itertools.combinations(emb, 2):
        if (v1 == "orig" or v2 == "orig") and n1 != n2:
            close.append((distance(e1, e2), f"{n1}#{k1}/{v1} vs {n2}#{k2}/{v2}"))
    for d, label in sorted(close)[:5]:
        print(f"  closest impostor pair {d:.3f}: {label}")
    return st


def rate_below(values: list[float], thr: float) -> float:
    return sum(v <= thr for v in values) / max(1, len(values))


def report_pairs(st: PairStats, ls: LivenessSettings) -> None:
    imp = st.impostor + st.impostor_id
    gen = st.genuine + st.genuine_id
    print(
        f"  genuine pairs {len(st.genuine)} (+{len(st.genuine_id)} ID-style), "
        f"impostor pairs {len(st.impostor)} (+{len(st.impostor_id)} ID-style)"
    )
    for label, vals in (
        ("genuine", st.genuine),
        ("genuine ID-style", st.genuine_id),
        ("impostor", st.impostor),
        ("impostor ID-style", st.impostor_id),
    ):
        if vals:
            q = np.percentile(vals, [0, 5, 50, 95, 100])
            print(
                f"  {label:18s} distance min/p5/median/p95/max " + " ".join(f"{x:.3f}" for x in q)
            )
    imp_sorted = sorted(imp)
    for target in (0.001, 0.01):
        k = int(math.floor(target * len(imp_sorted)))
        emp = imp_sorted[k] if k < len(imp_sorted) else imp_sorted[-1]
        mu, sd = statistics.fmean(imp), statistics.pstdev(imp)
        z = {0.001: 3.09, 0.01: 2.326}[target]
        print(
            f"  FMR {target:.1%}: empirical distance {emp:.3f} (below it {k} of {len(imp)}), "
            f"normal fit mu-{z}sd = {mu - z * sd:.3f}"
        )
    for label, thr in (
        ("same_person", ls.match_same_distance),
        ("review", ls.match_review_distance),
    ):
        print(
            f"  {label} threshold {thr:.3f}: FMR {rate_below(imp, thr):.3%} "
            f"(ID-style {rate_below(st.impostor_id, thr):.3%}), "
            f"FNMR {1 - rate_below(gen, thr):.2%} "
            f"(photo {1 - rate_below(st.genuine, thr):.2%}, "
            f"ID-style {1 - rate_below(st.genuine_id, thr):.2%})"
        )
    acc = (
        sum(d <= ls.match_same_distance for d in gen) + sum(d > ls.match_same_distance for d in imp)
    ) / (len(gen) + len(imp))
    print(f"  pair accuracy at same_person: {acc:.2%}")
    tg, ti = st.template_genuine, sorted(st.template_impostor)
    if tg and ti:
        print(
            f"  two-photo template vs ID-style: genuine {len(tg)}, impostor {len(ti)} pairs; "
            "genuine min/p5/median/p95/max "
            + " ".join(f"{x:.3f}" for x in np.percentile(tg, [0, 5, 50, 95, 100]))
        )
        for target in (0.001, 0.01):
            k = int(math.floor(target * len(ti)))
            emp = ti[min(k, len(ti) - 1)]
            print(
                f"    FMR {target:.1%}: empirical distance {emp:.3f}, "
                f"FNMR there {1 - rate_below(tg, emp):.2%}"
            )
        for label, thr in (
            ("template same_person", ls.match_template_same_distance),
            ("template review", ls.match_template_review_distance),
        ):
            print(
                f"    {label} threshold {thr:.3f}: FMR {rate_below(ti, thr):.3%}, "
                f"FNMR {1 - rate_below(tg, thr):.2%}"
            )


# --------------------------------------------------------------------------------------
# 2./3. genuine clips and attacks
# --------------------------------------------------------------------------------------

NONRIGID = (A.BLINK, A.MOUTH_OPEN)


def performed(labels: list[tuple[Action, float, float]], seq: tuple[Action, ...]) -> bool:
    """``seq`` happens in this order among the labelled events (by start time)."""
    it = iter(a for a, _, _ in sorted(labels, key=lambda e: e[1]))
    return all(any(a == b for b in it) for a in seq)


def could_perform(labels: list[tuple[Action, float, float]], seq: tuple[Action, ...]) -> bool:
    """``seq`` can happen in this order within the labelled spans: each action at some
    moment of an event of its kind, no earlier than the previous action's moment. A
    span of speech (one long unsure mouth event) thus holds a mouth opening at any time
    in it, after a blink inside it too."""
    t = -math.inf
    for a in seq:
        moments = [max(t0, t) for b, t0, t1 in labels if b == a and t1 >= t]
        if not moments:
            return False
        t = min(moments)
    return True


def surely_not_performed(clip: str, seq: tuple[Action, ...]) -> bool:
    """Not even the events marked unsure (speech counts as mouth openings) can perform
    ``seq`` in order: the clip certainly does not."""
    c = LABELS[clip]
    return not could_perform(c.sure + c.unsure, seq)


def all_challenges() -> list[tuple[Action, ...]]:
    out = []
    for n in (2, 3):
        for seq in itertools.permutations(list(Action), n):
            if any(a in NONRIGID for a in seq):
                out.append(seq)
    return out


def challenge(seq: tuple[Action, ...] | None) -> Challenge | None:
    if seq is None:
        return None
    return Challenge("bench", seq, NOW + timedelta(minutes=5))


@dataclass
class Case:
    kind: str
    name: str
    video: Path
    portrait: BGR
    challenges: list[tuple[Action, ...] | None]
    split: str = "tuned"


SIGNALS: dict[str, list[tuple[str, str, dict[str, float]]]] = defaultdict(list)
# each clip analysed once: its track and the three descriptors of its embedded frames
TRACKS: dict[Path, tuple[Track, list[FaceDescriptor]]] = {}


def attack_signals(track: Track) -> dict[str, float]:
    """The value behind each attack reason, for the margins table: non-rigid p95
    (STATIC_PHOTO), median moiré peak (SCREEN_REPLAY), banding peak and flicker
    amplitude (SCREEN_FLICKER), share of full detections with two faces, share of the
    measured frames with a ring around the face (SCREEN_FRAME)."""
    from kyc.liveness.replay import banding_peak, flicker_peak
    from kyc.liveness.signals import nonrigid_residuals

    nr = np.asarray(nonrigid_residuals(track.shapes), dtype=np.float64)
    nr = nr[np.isfinite(nr)]
    mo = np.asarray(track.moire, dtype=np.float64)
    mo = mo[np.isfinite(mo)]
    counts = track.face_counts
    return {
        "static_p95": float(np.percentile(nr, 95)) if nr.size else math.nan,
        "moire": float(np.median(mo)) if mo.size else math.nan,
        "banding": banding_peak(track.row_profiles),
        "flicker_amp": flicker_peak(track.brightness_t, track.brightness)[1],
        "two_faces": sum(n >= 2 for n in counts) / max(1, len(counts)),
        "framed": sum(n >= 4 for n in track.framing) / max(1, sum(n >= 0 for n in track.framing)),
    }


def print_margins() -> None:
    """Per signal: the range over genuine clips (tuned / held-out) and over each attack
    type, so the distance from the decision boundary can be read off."""
    keys = ("static_p95", "moire", "banding", "flicker_amp", "two_faces", "framed")
    print("\n  attack signals (min-max per set):")
    for kind in sorted(SIGNALS):
        for split in ("tuned", "held_out"):
            rows = [v for sp, _, v in SIGNALS[kind] if sp == split]
            if not rows:
                continue
            parts = []
            for k in keys:
                vals = [r[k] for r in rows if math.isfinite(r[k])]
                if vals:
                    parts.append(f"{k} {min(vals):.3g}-{max(vals):.3g}")
            print(f"    {kind:24s} {split:8s} n={len(rows):2d} " + ", ".join(parts))


def evaluate_case(
    case: Case, engine: FaceEngine, ls: LivenessSettings, tracks: dict[str, Track] | None = None
) -> list[tuple[str, list[str], tuple[Action, ...] | None, float | None]]:
    """Analyse the video once, judge it under each challenge as verify_video does (the
    fused match of the clip's template against the portrait's three descriptors):
    (decision, reasons, seq, dlib template distance). Genuine tracks are kept in
    ``tracks``."""
    from kyc.liveness.match import default_models, describe_image
    from kyc.liveness.verify import clip_descriptors, describing_engine, verdict_from_track

    models = default_models()
    portrait, _ = describe_image(case.portrait, engine, models, ls)
    cached = TRACKS.get(case.video)  # a genuine clip is analysed once for all its cases
    if cached is None:
        describing = describing_engine(engine, models)
        track = analyse(case.video, describing, ls, models.mesh)
        cached = (track, clip_descriptors(track, describing))
        TRACKS[case.video] = cached
    track, clip = cached
    if tracks is not None and case.kind == "genuine":
        tracks[case.name] = track
    sig = attack_signals(track)
    SIGNALS[case.kind].append((case.split, case.name, sig))
    print(
        f"  {case.split[:4]} {case.kind:24s} {case.name:18s} signals "
        + " ".join(f"{k}={v:.3g}" for k, v in sig.items())
    )
    out = []
    for seq in case.challenges:
        v = verdict_from_track(
            track, portrait, challenge(seq), ls, False, time.perf_counter(), clip
        )
        out.append((v.decision, [r.value for r in v.reasons], seq, v.match_distance))
    return out


FACE_PX: int | None = None  # --face-px: every clip scaled down to faces this wide


def face_width(frames: list[BGR]) -> float | None:
    """Median width of the largest face dlib's detector finds in five of the frames."""
    from kyc.config import get_settings

    engine = get_engine(get_settings().models_dir)
    widths = []
    for f in frames[:: max(1, len(frames) // 5)][:5]:
        boxes = engine.detect(np.asarray(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY), np.uint8))
        if boxes:
            widths.append(max(b.width for b in boxes))
    return statistics.median(widths) if widths else None


def clip_video(name: str, out: Path) -> tuple[Path, list[BGR], float]:
    """The clip as a phone would upload it: H.264/HEVC kept as is; other codecs (MPEG-4
    part 2, MPEG-1 in the shared data) re-encoded to H.264; clips over 20 s cut. With
    ``--face-px N``, scaled down (area) so that the face is about N px wide, and
    re-encoded."""
    src = DATA / LABELS[name].file
    frames, fps = read_frames(src, CLIP_MAX_S)
    with av.open(str(src)) as c:
        codec = c.streams.video[0].codec_context.name
    width = face_width(frames) if FACE_PX else None
    if FACE_PX and width and width > FACE_PX:
        k = FACE_PX / width
        frames = [
            np.ascontiguousarray(
                cv2.resize(f, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)[
                    : int(f.shape[0] * k) // 2 * 2, : int(f.shape[1] * k) // 2 * 2
                ]
            )
            for f in frames
        ]
        src = write_video(out / f"{name}_face{FACE_PX}.mp4", frames, fps)
    elif not (codec in ("h264", "hevc") and len(frames) / fps < CLIP_MAX_S - 0.1):
        src = write_video(out / f"{name}_h264.mp4", frames, fps)
    # kept in memory for portraits and attacks: the first 8 s at <= 480 px short side
    # (all 26 clips at full size took 7.5 GB)
    keep = []
    for f in frames[: int(8 * fps) + 1]:
        scale = min(1.0, 480.0 / min(f.shape[:2]))
        if scale < 1.0:
            f = cv2.resize(f, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        keep.append(f)
    return src, keep, fps


def build_cases(
    out: Path, engine: FaceEngine, ls: LivenessSettings, rng: random.Random
) -> tuple[list[Case], list[Case]]:
    """Genuine cases of every labelled clip and attacks of every type; each case carries
    the split of the clip it was made from."""
    clips: dict[str, tuple[list[BGR], float]] = {}
    paths: dict[str, Path] = {}
    for name in LABELS:
        paths[name], frames, fps = clip_video(name, out)
        clips[name] = (frames, fps)

    def portrait_of(name: str, kind: str = "jpeg") -> BGR:
        frames, cfps = clips[name]
        return id_style(face_crop(neutral_frame(frames, cfps, engine), engine, ls), kind, rng)

    photo = {p.stem: imread(str(p)) for p in (DATA / "faces").rglob("*.jpg")}
    attacks_dir = DATA / "attacks"
    f1, f2, t1 = (imread(str(attacks_dir / f"image_{k}.jpg")) for k in ("F1", "F2", "T1"))
    fps = 25.0
    challenges = all_challenges()
    split = {n: c.split for n, c in LABELS.items()}

    genuine: list[Case] = []
    portraits: dict[str, BGR] = {}
    for i, (name, lab) in enumerate(LABELS.items()):
        portraits[name] = portrait_of(name, DEGRADATIONS[i % len(DEGRADATIONS)])
        doable = [s for s in challenges if performed(lab.sure, s)]
        pick = rng.sample(doable, min(4, len(doable)))
        genuine.append(
            Case("genuine", name, paths[name], portraits[name], [None, *pick], lab.split)
        )

    def random_ch(k: int) -> list[tuple[Action, ...] | None]:
        return [None, *rng.sample(challenges, k)]

    attacks: list[Case] = []
    # still photos of a person moved by hand (portrait: the same person)
    for stem, portrait_src in (
        ("obama1", photo["obama2"]),
        ("d30", photo["d30"]),
        ("biden1", photo["biden2"]),
    ):
        v = write_video(out / f"still_{stem}.mp4", hand_held(photo[stem], 5, fps, rng), fps)
        attacks.append(Case("still_photo", stem, v, portrait_src, random_ch(3), "tuned"))
    for name in ("d10", "c05", "c19", "c33"):  # a frame of a clip, held up by hand
        frames, _ = clips[name]
        v = write_video(
            out / f"still_{name}.mp4", hand_held(frames[len(frames) // 3], 5, fps, rng), fps
        )
        attacks.append(
            Case("still_photo", f"{name}_frame", v, portraits[name], random_ch(3), split[name])
        )
    v = write_video(out / "print_F1.mp4", hand_held(f1, 5, fps, rng), fps)
    attacks.append(Case("print", "F1", v, t1, random_ch(3), "tuned"))
    # screen replays: the tablet sample (drawn moiré and flicker, as before) and every
    # clip replayed on a simulated screen (sub-pixels, tone, PWM banding, bezel, angle)
    v = write_video(out / "screen_F2.mp4", screen_look(hand_held(f2, 5, fps, rng), rng, fps), fps)
    attacks.append(Case("screen_replay_drawn", "F2", v, t1, random_ch(3), "tuned"))
    for k, name in enumerate(LABELS):
        frames, cfps = clips[name]
        g = GEOMETRIES[k % len(GEOMETRIES)]
        v = write_video(
            out / f"replay_{name}_{g.name}.mp4",
            sim.screen_replay(frames[: int(5 * cfps)], cfps, g, rng),
            cfps,
        )
        # the replay of a recorded clip: no challenge, and the challenges it performs
        lab = LABELS[name]
        doable = [s for s in challenges if performed([e for e in lab.sure if e[1] < 5.0], s)]
        chs: list[tuple[Action, ...] | None] = [None, *rng.sample(doable, min(1, len(doable)))]
        attacks.append(
            Case("screen_replay", f"{name}/{g.name}", v, portraits[name], chs, split[name])
        )
    # splice of two people (first half one, second half the other)
    for a, b in (("d10", "d18"), ("d0", "d12"), ("c01", "c03"), ("c27", "c40")):
        fa, afps = clips[a]
        fb, _ = clips[b]
        v = write_video(out / f"splice_{a}_{b}.mp4", splice(fa[: int(8 * afps)], fb), afps)
        attacks.append(Case("splice", f"{a}+{b}", v, portraits[a], [None], split[a]))
    attacks.append(
        Case(
            "splice",
            "hamilton_footage",
            DATA / "videos" / "short_hamilton_clip.mp4",
            imread(str(DATA / "faces" / "lin_manuel_miranda" / "lin1.png")),
            [None],
            "tuned",
        )
    )
    for a, other in (("d10", "obama1"), ("d12", "d30"), ("c15", "obama1")):
        fa, afps = clips[a]
        v = write_video(out / f"two_{a}.mp4", two_faces(fa[: int(6 * afps)], photo[other]), afps)
        attacks.append(Case("two_faces", f"{a}+{other}", v, portraits[a], [None], split[a]))
    tmpl = imread(str(DATA / "documents" / "templates" / "fan_new.jpg"))
    v = write_video(out / "noface_card.mp4", hand_held(tmpl, 4, fps, rng), fps)
    attacks.append(Case("no_face", "card", v, photo["obama1"], [None], "tuned"))
    # impostor portrait (East-Asian pairs included), ID-card style
    for clip, other in (
        ("d0", "d12"),
        ("d12", "d0"),
        ("d10", "d18"),
        ("c01", "c05"),
        ("c05", "c12"),
        ("c03", "c10"),
        ("c10", "c08"),
        ("c25", "c31"),
        ("c27", "c40"),
        ("c19", "c15"),
    ):
        doable = [s for s in challenges if performed(LABELS[clip].sure, s)]
        attacks.append(
            Case(
                "impostor_portrait",
                f"{clip}_vs_{other}",
                paths[clip],
                portraits[other],
                [None, *rng.sample(doable, min(1, len(doable)))],
                split[clip],
            )
        )
    # challenge not performed (genuine clip, matching portrait)
    for name in LABELS:
        not_done = [s for s in challenges if surely_not_performed(name, s)]
        attacks.append(
            Case(
                "challenge_not_performed",
                name,
                paths[name],
                portraits[name],
                list(rng.sample(not_done, min(4, len(not_done)))),
                split[name],
            )
        )
    # looped frames: a 1.2 s segment repeated
    for name, start in (("d10", 100), ("d18", 80), ("d12", 30), ("c03", 60), ("c40", 20)):
        frames, cfps = clips[name]
        v = write_video(out / f"loop_{name}.mp4", looped(frames[start:], cfps), cfps)
        attacks.append(Case("looped_frames", name, v, portraits[name], [None], split[name]))
    return genuine, attacks


def _overlaps(ev_start: float, ev_end: float, lab: tuple[Action, float, float]) -> bool:
    tol = 0.15  # one or two analysed frames either side of the marked frames
    return ev_start <= lab[2] + tol and ev_end >= lab[1] - tol


def actions_and_challenges(tracks: dict[str, Track], ls: LivenessSettings) -> None:
    """Per split: every labelled (sure) action found by the detector (recall), every
    detected event that the frames do not show (false events), and every 2-3-action
    challenge (with a blink or mouth_open) against every clip's detected events:
    performed ones must pass, surely-not-performed ones must fail."""
    from kyc.liveness.evaluate import evaluate_challenge
    from kyc.liveness.verify import judge_track

    for split in ("tuned", "held_out"):
        found: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # labelled, found, false
        done = failed = undone = passed = 0
        for name, track in tracks.items():
            lab = LABELS[name]
            if lab.split != split:
                continue
            events = judge_track(track, None, ls, False)[2]
            for act, t0, t1 in lab.sure:
                hit = any(
                    e.action is act and _overlaps(e.start_s, e.end_s, (act, t0, t1)) for e in events
                )
                found[act.value][0] += 1
                found[act.value][1] += hit
                if not hit:
                    print(f"    {split}: missed {name} {act.value} {t0:.2f}-{t1:.2f}")
            for e in events:
                if not any(
                    e.action is a and _overlaps(e.start_s, e.end_s, (a, t0, t1))
                    for a, t0, t1 in lab.sure + lab.unsure
                ):
                    found[e.action.value][2] += 1
                    print(
                        f"    {split}: false {name} {e.action.value} {e.start_s:.2f}-{e.end_s:.2f}"
                    )
            for seq in all_challenges():
                ok = all(r.passed for r in evaluate_challenge(seq, events))
                if performed(lab.sure, seq):
                    done += 1
                    failed += not ok
                elif surely_not_performed(name, seq):
                    undone += 1
                    passed += ok
        total = [sum(v[k] for v in found.values()) for k in range(3)]
        parts = ", ".join(f"{k} {v[1]}/{v[0]} (false {v[2]})" for k, v in sorted(found.items()))
        print(
            f"  {split}: actions found {total[1]}/{total[0]} = {total[1] / max(1, total[0]):.1%}, "
            f"false events {total[2]}: {parts}"
        )
        print(
            f"  {split}: all {len(all_challenges())} challenges: performed {done}, "
            f"failed {failed}; surely not performed {undone}, passed {passed}"
        )


# --------------------------------------------------------------------------------------
# 4. speed
# --------------------------------------------------------------------------------------


def naive_loop(path: Path) -> int:
    """face_recognition's documented way: HOG detection + encoding on every frame."""
    import face_recognition

    n = 0
    with av.open(str(path)) as c:
        for f in c.decode(video=0):
            rgb = f.to_ndarray(format="rgb24")
            locs = face_recognition.face_locations(rgb)
            face_recognition.face_encodings(rgb, locs)
            n += 1
    return n


def speed(out: Path, engine: FaceEngine, ls: LivenessSettings, seconds: float) -> None:
    from kyc.liveness.match import default_models
    from kyc.liveness.verify import verdict_from_track

    mesh = default_models().mesh
    ours: list[float] = []
    video_only: list[float] = []
    naive: list[float] = []
    portrait = imread(str(DATA / "faces" / "obama" / "obama1.jpg"))
    portrait_emb, _ = embed_image(portrait, engine, ls)
    for name in SPEED_CLIPS:
        frames, fps = read_frames(DATA / LABELS[name].file, seconds)
        clip = write_video(out / f"speed_{name}.mp4", frames, fps)
        dur = len(frames) / fps
        t0 = time.perf_counter()
        verify_video(clip, portrait, None, ls, NOW, engine=engine)
        t1 = time.perf_counter()
        verdict_from_track(analyse(clip, engine, ls, mesh), portrait_emb, None, ls, False, t1)
        tv = time.perf_counter()
        naive_loop(clip)
        t2 = time.perf_counter()
        ours.append((t1 - t0) / dur)
        video_only.append((tv - t1) / dur)
        naive.append((t2 - tv) / dur)
        print(
            f"  {name}: {dur:.1f} s of video, ours end to end {t1 - t0:.2f} s, "
            f"video part {tv - t1:.2f} s, naive {t2 - tv:.2f} s, "
            f"ratio {(tv - t1) / (t2 - tv):.3f}"
        )
    mo, mv, mn = (statistics.median(x) for x in (ours, video_only, naive))
    print(
        f"  per second of video: ours end to end median {mo:.3f} s (ratio {mo / mn:.3f}), "
        f"video part median {mv:.3f} s, naive median {mn:.3f} s, "
        f"ratio {mv / mn:.3f} ({mn / mv:.1f}x faster); "
        f"totals ratio {sum(video_only) / sum(naive):.3f}"
    )
    speed_720p(out, engine, ls)


def speed_720p(out: Path, engine: FaceEngine, ls: LivenessSettings, runs: int = 5) -> None:
    """A 5-second 1280x720 clip (d3 upscaled and padded, 30 fps), verify_video end to end
    with a 1.2 MP press photo as the portrait; median of ``runs`` (machine load printed)."""
    import os

    frames, fps = read_frames(DATA / "videos" / "d3.mp4", 5.0)
    big = []
    for f in frames:
        up = cv2.resize(f, (720, 720))
        canvas = np.full((720, 1280, 3), 200, np.uint8)
        canvas[:, 280:1000] = up
        big.append(canvas)
    clip = write_video(out / "speed_720p.mp4", big, fps)
    portrait = imread(str(DATA / "faces" / "obama" / "obama1.jpg"))
    verify_video(clip, portrait, None, ls, NOW, engine=engine)  # warm caches
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        verify_video(clip, portrait, None, ls, NOW, engine=engine)
        times.append(time.perf_counter() - t0)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        "  5 s 1280x720 clip, verify_video end to end (portrait + video): "
        f"median {statistics.median(times):.2f} s of {runs} runs "
        f"({', '.join(f'{t:.2f}' for t in sorted(times))}); load average {load}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=None, help="keep the generated videos here")
    ap.add_argument("--speed-seconds", type=float, default=3.0)
    ap.add_argument("--skip", nargs="*", default=[], choices=["pairs", "videos", "speed"])
    ap.add_argument("--reuse", action="store_true", help="reuse videos already in --out")
    ap.add_argument(
        "--cases",
        choices=["all", "genuine", "attacks"],
        default="all",
        help="judge only the genuine cases or only the attacks (two processes in parallel)",
    )
    ap.add_argument(
        "--only",
        choices=["speed720"],
        default=None,
        help="speed720: only the 5 s 720p clip (under a minute)",
    )
    ap.add_argument(
        "--face-px",
        type=int,
        default=None,
        help="scale every clip down so that its face is about this wide (e.g. 80)",
    )
    args = ap.parse_args()
    global REUSE, FACE_PX  # noqa: PLW0603
    REUSE = args.reuse
    FACE_PX = args.face_px
    settings = get_settings()
    ls = settings.liveness
    rng = random.Random(20261129)
    started = time.perf_counter()
    t0 = time.perf_counter()
    engine = get_engine(settings.models_dir)
    print(f"models loaded in {time.perf_counter() - t0:.2f} s")
    out_ctx = tempfile.TemporaryDirectory() if args.out is None else None
    out = Path(out_ctx.name) if out_ctx is not None else args.out
    out.mkdir(parents=True, exist_ok=True)
    if args.only == "speed720":
        print("\n== 4. speed: 5 s 720p clip")
        speed_720p(out, engine, ls)
        args.skip = ["pairs", "videos", "speed"]
    if "pairs" not in args.skip:
        print("\n== 1. face pairs")
        report_pairs(face_pairs(engine, ls, rng), ls)
    if "videos" not in args.skip:
        print("\n== 2./3. genuine clips and attacks")
        genuine, attacks = build_cases(out, engine, ls, rng)
        results: dict[tuple[str, str], list[bool]] = defaultdict(list)
        tracks: dict[str, Track] = {}
        todo = {"all": genuine + attacks, "genuine": genuine, "attacks": attacks}[args.cases]
        for case in todo:
            for decision, reasons, seq, dist in evaluate_case(case, engine, ls, tracks):
                ok = decision == "pass"
                results[(case.split, case.kind)].append(ok)
                seq_s = "-" if seq is None else ",".join(a.value for a in seq)
                flag = "" if ok == (case.kind == "genuine") else "   <-- ERROR"
                d_s = "-" if dist is None else f"{dist:.3f}"
                print(
                    f"  {case.split[:4]} {case.kind:24s} {case.name:18s} [{seq_s:32s}] d={d_s:5s} "
                    f"{decision:6s} {' '.join(reasons)}{flag}"
                )
        for split in ("tuned", "held_out"):
            g = results.pop((split, "genuine"), [])
            print(
                f"\n  {split}: BPCER (genuine not passed): {g.count(False)}/{len(g)} = "
                f"{g.count(False) / max(1, len(g)):.1%}"
            )
            total: list[bool] = []
            for (sp, kind), oks in sorted(results.items()):
                if sp != split:
                    continue
                total += oks
                print(
                    f"  {split}: APCER {kind:24s}: {sum(oks)}/{len(oks)} = "
                    f"{sum(oks) / len(oks):.1%}"
                )
            print(
                f"  {split}: APCER all attacks: {sum(total)}/{len(total)} = "
                f"{sum(total) / max(1, len(total)):.1%}"
            )
        actions_and_challenges(tracks, ls)
        print_margins()
    if "speed" not in args.skip:
        print("\n== 4. speed")
        speed(out, engine, ls, args.speed_seconds)
    print(f"\nbenchmark wall time {time.perf_counter() - started:.0f} s")
    if out_ctx is not None:
        out_ctx.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
