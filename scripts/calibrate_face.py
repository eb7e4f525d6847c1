"""Calibrate the fused face match (dlib distance, faceres and ArcFace cosines) and print its
numbers.

    nice uv run python scripts/calibrate_face.py [--reuse] [--out DIR] [--boot 1000]

Data (all public, ../shared/data): faces_lfw (100 people, 2 crops each), faces (press
photos, LivePortrait stills: one identity each), three frames of every face clip in
videos/ and videos/more (one identity per clip). Every photo / frame also gets
ID-portrait-style versions: ``small`` (the face area at ~100 px wide, JPEG quality 30,
grey for half of them) and ``card`` (a synthetic ID-card front photographed by kyc.synth
with the photo as its portrait, read by the OCR pipeline: its portrait crop, the image
the service matches a video against). Pairs: a live image (photo or frame) against a
live image or an ID-style one, never two versions of one source photo. Templates: every
clip through ``analyse`` (the product's own frame choice) against every ID-style portrait.

Pairs are of two kinds, fitted apart: "partial" if either image's faceres crop lies
less than ``match_min_coverage`` inside it (tight face crops such as LFW's), else
"whole"; templates always use the whole-crop fusion, with thresholds of their own.

People are split by a hash of their name into FIT (the z-normalisation, the weight and
the thresholds come from their pairs only) and HELD-OUT (both people of a pair held out);
numbers are printed for both, held-out ones with 95% intervals from a bootstrap over
people (pairs of one person are not independent).

Descriptors are cached in --out (default var/face-calib) and reused with --reuse.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from kyc.config import get_settings
from kyc.errors import BadInput
from kyc.liveness.descriptors import FaceModels, get_face_models
from kyc.liveness.engine import DescribingEngine, FaceEngine, get_engine
from kyc.liveness.faceres import normalise
from kyc.liveness.match import FaceDescriptor, describe_image, largest_face
from kyc.liveness.settings import LivenessSettings

Array = npt.NDArray[Any]
REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
# East-Asian people of the data (by name, public knowledge; clips as SOURCES.md says)
EAST_ASIAN = {
    "lfw:Ai_Sugiyama",
    "lfw:Candie_Kung",
    "lfw:Edward_Lu",
    "lfw:Gao_Qiang",
    "lfw:Gary_Locke",
    "lfw:Hee-Won_Han",
    "lfw:Jackie_Chan",
    "lfw:Karen_Mok",
    "lfw:Wang_Yi",
    "lfw:Wu_Yi",
    "lfw:Yao_Ming",
    "lfw:Zhang_Ziyi",
    "clip:d0",
    "clip:d12",
    "clip:c01",
    "clip:c03",
    "clip:c05",
    "clip:c08",
    "clip:c10",
    "clip:c12",
}
LIVE = ("photo", "frame")
HELD_OUT_SHARE = 0.5


def held_out(ident: str) -> bool:
    """Fixed split by a hash of the name: no threshold ever sees these people."""
    h = int(hashlib.sha256(f"face-split:{ident}".encode()).hexdigest()[:8], 16)
    return (h % 1000) / 1000.0 < HELD_OUT_SHARE


@dataclass
class Sample:
    ident: str
    source: str  # the source photo / frame (versions of one source share it)
    kind: str  # photo | frame | small | card
    dlib: Array
    faceres: Array
    arcface: Array
    coverage: float = 1.0  # share of faceres' crop inside the image (crop_coverage)


# --------------------------------------------------------------------------------------
# ID-portrait-style versions
# --------------------------------------------------------------------------------------


def small_version(img: Array, engine: FaceEngine, ls: LivenessSettings, grey: bool) -> Array:
    """The face area at ~100 px wide (a card portrait in a phone photo), JPEG q30."""
    b = largest_face(img, engine, ls)
    cx, cy = (b.left + b.right) / 2, (b.top + b.bottom) / 2 - 0.1 * b.height
    hw, hh = b.width * 0.85, b.height * 1.05
    h, w = img.shape[:2]
    x0, y0 = max(0, int(cx - hw)), max(0, int(cy - hh))
    x1, y1 = min(w, int(cx + hw)), min(h, int(cy + hh))
    crop = img[y0:y1, x0:x1]
    scale = 100.0 / max(1, crop.shape[1])
    small = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    if grey:
        small = cv2.cvtColor(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    _, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 30])
    return np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), np.uint8)


def card_version(path: Path, seed: str, reader: Any) -> Array | None:
    """The portrait the service matches against: a synthetic ID-card front photo
    (kyc.synth, clean or moderate, this photo as its portrait) read by the OCR pipeline,
    whose upright portrait crop (kyc.ocr.quality.portrait) is kept. None if the reading
    finds no card front."""
    from kyc.synth import generate, render

    # render_id_front records the portrait's path relative to shared/; the clip frames
    # are written to a temp folder, so make the root the common ancestor (only that
    # recorded string changes)
    render.shared_dir = lambda: Path("/")
    rng = random.Random(seed)
    if rng.random() < 0.5:
        sample = generate("id_card_front", "clean", rng, portrait=path)
    else:
        sample = generate("id_card_front", "moderate", rng, portrait=path)
    portrait = reader.read_image(np.asarray(sample.image, np.uint8)).portrait
    return None if portrait is None else np.asarray(portrait, np.uint8)


# --------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------


def photo_sources() -> list[tuple[str, str, Path]]:
    """(identity, kind, path) of every still photo."""
    out: list[tuple[str, str, Path]] = []
    for p in sorted((DATA / "faces_lfw").glob("*/*.jpg")):
        out.append((f"lfw:{p.parent.name}", "photo", p))
    for p in sorted((DATA / "faces").glob("*/*")):
        if p.parent.name in ("multi", "partial") or p.suffix.lower() not in (".jpg", ".png"):
            continue
        ident = f"still:{p.stem}" if p.parent.name == "liveportrait_stills" else p.parent.name
        out.append((f"faces:{ident}", "photo", p))
    return out


def clips() -> list[tuple[str, Path]]:
    vids = sorted((DATA / "videos").glob("d*.mp4"))
    vids += sorted((DATA / "videos" / "more").glob("c*.mp4"))
    return [(f"clip:{p.stem}", p) for p in vids]


def clip_frames(path: Path, engine: FaceEngine, ls: LivenessSettings, n: int = 3) -> list[Array]:
    """The most frontal, neutral frame of each of ``n`` equal parts of the clip (sampled
    every 0.5 s): what photos of this person look like."""
    from kyc.liveness.signals import frame_signals
    from kyc.liveness.video import VideoReader, to_rgb

    reader = VideoReader(path, ls)
    cands: list[tuple[float, float, Any]] = []
    next_t = 0.0
    for fr in reader.frames():
        if fr.t < next_t:
            continue
        next_t = fr.t + 0.5
        boxes = engine.detect(fr.gray)
        if not boxes:
            continue
        sig = frame_signals(fr.t, engine.landmarks(fr.gray, boxes[0]))
        cost = 3 * abs(sig.yaw) + sig.mouth + max(0.0, 0.45 - sig.eye)
        cands.append((fr.t, cost, fr))
    if not cands:
        return []
    end = cands[-1][0] + 1e-6
    best: dict[int, tuple[float, Any]] = {}
    for t, cost, fr in cands:
        k = min(n - 1, int(t / end * n))
        if k not in best or cost < best[k][0]:
            best[k] = (cost, fr)
    out = []
    for k in sorted(best):
        rgb = to_rgb(best[k][1], reader.info.turns)
        out.append(np.ascontiguousarray(rgb[:, :, ::-1]))
    return out


def describe(
    img: Array, engine: FaceEngine, models: FaceModels, ls: LivenessSettings
) -> FaceDescriptor | None:
    try:
        return describe_image(img, engine, models, ls)[0]
    except BadInput:
        return None


def build(
    engine: FaceEngine, models: FaceModels, ls: LivenessSettings, tmp: Path
) -> tuple[list[Sample], list[tuple[str, FaceDescriptor, list[FaceDescriptor]]], dict[str, int]]:
    samples: list[Sample] = []
    lost: dict[str, int] = {}

    def add(ident: str, source: str, kind: str, img: Array) -> None:
        d = describe(img, engine, models, ls)
        if d is None:
            lost[kind] = lost.get(kind, 0) + 1
            return
        samples.append(Sample(ident, source, kind, d.dlib, d.faceres, d.arcface, d.coverage))

    from kyc.ocr.pipeline import DocumentReader

    reader = DocumentReader(get_settings())
    rng = random.Random(13)
    live: list[tuple[str, str, str, Array, Path]] = []
    for ident, kind, path in photo_sources():
        img = np.asarray(cv2.imread(str(path), cv2.IMREAD_COLOR), np.uint8)
        live.append((ident, str(path.relative_to(DATA)), kind, img, path))
    templates: list[tuple[str, FaceDescriptor, list[FaceDescriptor]]] = []
    usable = []
    for ident, path in clips():
        try:
            frames = clip_frames(path, engine, ls)
        except BadInput as exc:  # e.g. c08's MPEG-4 Part 2: the product refuses it too
            print(f"  {path.name} skipped: {exc.code}")
            continue
        usable.append((ident, path))
        for i, img in enumerate(frames):
            fp = tmp / f"{path.stem}_{i}.png"
            cv2.imwrite(str(fp), img)
            live.append((ident, f"{path.stem}#{i}", "frame", img, fp))
    print(f"  {len(live)} live images; describing them and their ID-style versions")
    t0 = time.perf_counter()
    for n, (ident, source, kind, img, path) in enumerate(live):
        add(ident, source, kind, img)
        try:
            grey = ident.startswith("lfw:") or rng.random() < 0.5
            add(ident, source, "small", small_version(img, engine, ls, grey))
        except BadInput:
            lost["small"] = lost.get("small", 0) + 1
        if not ident.startswith("lfw:"):  # LFW crops are too tight for a card portrait
            card = card_version(path, f"card:{source}", reader)
            if card is None:
                lost["card (no front read)"] = lost.get("card (no front read)", 0) + 1
            else:
                add(ident, source, "card", card)
        if n % 50 == 49:
            print(f"  {n + 1}/{len(live)} ({time.perf_counter() - t0:.0f} s)")
    # templates: the product's own analysis of each clip (frame choice, crops)
    from kyc.liveness.analyse import analyse
    from kyc.liveness.verify import clip_descriptors

    for ident, path in usable:
        eng = DescribingEngine(
            engine, lambda rgb, pts: models.describe(np.ascontiguousarray(rgb[:, :, ::-1]), pts)
        )
        track = analyse(path, eng, ls)
        faces = clip_descriptors(track, eng)
        if faces:
            templates.append((ident, faces[0], faces))
    return samples, templates, lost


def save(out: Path, samples: list[Sample], templates: Any, lost: dict[str, int]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    meta = {
        "samples": [[s.ident, s.source, s.kind] for s in samples],
        "templates": [[ident, len(faces)] for ident, _, faces in templates],
        "lost": lost,
    }
    (out / "meta.json").write_text(json.dumps(meta))
    tpl_d = [f.dlib for _, _, faces in templates for f in faces]
    tpl_f = [f.faceres for _, _, faces in templates for f in faces]
    tpl_a = [f.arcface for _, _, faces in templates for f in faces]
    np.savez(
        out / "descriptors.npz",
        dlib=np.stack([s.dlib for s in samples]),
        faceres=np.stack([s.faceres for s in samples]),
        arcface=np.stack([s.arcface for s in samples]),
        tpl_arcface=np.stack(tpl_a),
        coverage=np.array([s.coverage for s in samples]),
        tpl_dlib=np.stack(tpl_d),
        tpl_faceres=np.stack(tpl_f),
    )


Template = tuple[str, Array, Array, Array]  # identity, its frames' dlib, faceres, ArcFace


def load(out: Path) -> tuple[list[Sample], list[Template], dict[str, int]]:
    meta = json.loads((out / "meta.json").read_text())
    # each z[key] reads the whole array anew: read each once (a row kept as a view of a
    # fresh copy per sample held every copy alive); caches of rounds 1-2 lack "arcface"
    # (rebuild them: no --reuse)
    with np.load(out / "descriptors.npz") as z:
        keys = ("dlib", "faceres", "arcface", "tpl_dlib", "tpl_faceres", "tpl_arcface")
        dl, fr, ar, tpl_dl, tpl_fr, tpl_ar = (z[k] for k in keys)
        cov = z["coverage"]
    samples = [
        Sample(i, s, k, dl[n], fr[n], ar[n], float(cov[n]))
        for n, (i, s, k) in enumerate(meta["samples"])
    ]
    templates = []
    at = 0
    for ident, count in meta["templates"]:
        end = at + count
        templates.append((ident, tpl_dl[at:end], tpl_fr[at:end], tpl_ar[at:end]))
        at = end
    return samples, templates, meta["lost"]


# --------------------------------------------------------------------------------------
# Pairs and statistics (pure)
# --------------------------------------------------------------------------------------


@dataclass
class Pairs:
    d: Array  # dlib distance
    c: Array  # faceres cosine
    r: Array  # ArcFace cosine
    genuine: Array  # bool
    a: Array  # identity index of each side
    b: Array
    id_style: Array  # bool: the second side is an ID-style version
    idents: list[str]
    coverage: Array  # the smaller crop coverage of the pair's two images


def pairs_of(samples: list[Sample], people: set[str]) -> Pairs:
    """Every allowed pair among ``people``: a live image against a live image (once) or an
    ID-style version; never two versions of one source."""
    sel = [s for s in samples if s.ident in people]
    idents = sorted({s.ident for s in sel})
    index = {p: i for i, p in enumerate(idents)}
    dl = np.stack([s.dlib for s in sel])
    fr = np.stack([s.faceres for s in sel])
    ar = np.stack([s.arcface for s in sel])
    ids = np.array([index[s.ident] for s in sel])
    src = np.array([s.source for s in sel])
    live = np.array([s.kind in LIVE for s in sel])
    cov = np.array([s.coverage for s in sel])
    n = len(sel)
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    ok = live[ii] & (src[ii] != src[jj]) & ((~live[jj]) | (ii < jj))
    i, j = ii[ok], jj[ok]
    d = np.linalg.norm(dl[i] - dl[j], axis=1)
    c = np.einsum("ij,ij->i", fr[i], fr[j])
    r = np.einsum("ij,ij->i", ar[i], ar[j])
    q = np.minimum(cov[i], cov[j])
    return Pairs(d, c, r, ids[i] == ids[j], ids[i], ids[j], ~live[j], idents, q)


def template_pairs(samples: list[Sample], templates: list[Template], people: set[str]) -> Pairs:
    """Each clip's template (mean descriptors of its analysed frames) against every
    ID-style portrait of ``people``."""
    ports = [s for s in samples if s.ident in people and s.kind not in LIVE]
    tpls = [t for t in templates if t[0] in people]
    idents = sorted({s.ident for s in ports} | {t[0] for t in tpls})
    index = {p: i for i, p in enumerate(idents)}
    pd = np.stack([s.dlib for s in ports])
    pf = np.stack([s.faceres for s in ports])
    pa = np.stack([s.arcface for s in ports])
    pid = np.array([index[s.ident] for s in ports])
    ds, cs, rs, ga, gb = [], [], [], [], []
    for ident, tdl, tfr, tar in tpls:
        mean_d = tdl.mean(axis=0)
        ds.append(np.linalg.norm(pd - mean_d, axis=1))
        cs.append(pf @ normalise(tfr.mean(axis=0)))
        rs.append(pa @ normalise(tar.mean(axis=0)))
        ga.append(np.full(len(ports), index[ident]))
        gb.append(pid)
    a, b = np.concatenate(ga), np.concatenate(gb)
    return Pairs(
        np.concatenate(ds),
        np.concatenate(cs),
        np.concatenate(rs),
        a == b,
        a,
        b,
        np.ones(len(a), bool),
        idents,
        np.ones(len(a)),  # templates are always judged by the whole-crop fusion
    )


MODELS = ("dlib", "faceres", "arcface")


def model_values(p: Pairs) -> list[Array]:
    """Each model's similarity of every pair, larger = more alike (dlib's distance
    negated)."""
    return [-p.d, p.c, p.r]


@dataclass
class Fusion:
    """Each model's similarity z-normalised on impostor pairs (``mean``/``sd`` of the
    larger-is-alike values of ``model_values``), mixed with weights ``w`` (sum 1)."""

    mean: tuple[float, ...]
    sd: tuple[float, ...]
    w: tuple[float, ...]

    def __call__(self, p: Pairs) -> Array:
        parts = zip(self.w, model_values(p), self.mean, self.sd, strict=True)
        return np.asarray(sum(w * (v - m) / sd for w, v, m, sd in parts))


def threshold_at(imp: Array, fmr: float) -> float:
    """The smallest similarity threshold (accept s >= t) whose empirical FMR on ``imp``
    is <= fmr: just above the k-th largest impostor, k = floor(fmr * n)."""
    srt = np.sort(imp)[::-1]
    k = int(np.floor(fmr * len(srt)))
    return float(np.nextafter(srt[k], np.inf)) if k < len(srt) else float(srt[-1])


def rates(s: Array, p: Pairs, t: float) -> tuple[float, float]:
    imp, gen = s[~p.genuine], s[p.genuine]
    return float(np.mean(imp >= t)), float(np.mean(gen < t))


def boot_ci(
    s: Array, p: Pairs, t: float, n_boot: int, seed: int = 0
) -> tuple[tuple[float, float], tuple[float, float]]:
    """95% intervals of (FMR, FNMR) at threshold t, resampling people with replacement
    (a pair's weight = product of its two people's draw counts)."""
    k = len(p.idents)
    imp = ~p.genuine
    fm = np.zeros((k, k))
    nm = np.zeros((k, k))
    np.add.at(fm, (p.a[imp], p.b[imp]), (s[imp] >= t).astype(float))
    np.add.at(nm, (p.a[imp], p.b[imp]), 1.0)
    fg = np.bincount(p.a[p.genuine], weights=(s[p.genuine] < t).astype(float), minlength=k)
    ng = np.bincount(p.a[p.genuine], minlength=k).astype(float)
    rng = np.random.default_rng(seed)
    fmrs, fnmrs = [], []
    for _ in range(n_boot):
        w = np.bincount(rng.integers(0, k, k), minlength=k).astype(float)
        den = w @ nm @ w
        fmrs.append((w @ fm @ w) / den if den else 0.0)
        gd = w @ ng
        fnmrs.append((w @ fg) / gd if gd else 0.0)
    q = (2.5, 97.5)
    lo_f, hi_f = np.percentile(fmrs, q)
    lo_n, hi_n = np.percentile(fnmrs, q)
    return (float(lo_f), float(hi_f)), (float(lo_n), float(hi_n))


def fnmr_at_fmr(s: Array, p: Pairs, fmr: float) -> float:
    t = threshold_at(s[~p.genuine], fmr)
    return rates(s, p, t)[1]


Fit = tuple[tuple[float, ...], float, float, float, int]  # weights, FNMR 0.1% / 1% / 0, models


def weight_grid(step: float = 0.05) -> list[tuple[float, ...]]:
    """Every weight triple on the simplex with the given step."""
    n = round(1 / step)
    return [
        (round((n - j - k) * step, 2), round(j * step, 2), round(k * step, 2))
        for j in range(n + 1)
        for k in range(n + 1 - j)
    ]


def fit_fusion(p: Pairs) -> tuple[Fusion, list[Fit]]:
    """z-normalise each model on the FIT impostor pairs; pick the weights (a 0.05 grid
    on the simplex) with the fewest FIT false non-matches at FMR 0.1%, then at 1%, then
    at the highest impostor (the widest margin), then the fewest models."""
    imp = ~p.genuine
    vals = model_values(p)
    mean = tuple(float(v[imp].mean()) for v in vals)
    sd = tuple(float(v[imp].std()) for v in vals)
    fits: list[Fit] = []
    for w in weight_grid():
        s = Fusion(mean, sd, w)(p)
        top = float(np.mean(s[p.genuine] <= s[imp].max()))
        used = sum(x > 0 for x in w)
        fits.append((w, fnmr_at_fmr(s, p, 0.001), fnmr_at_fmr(s, p, 0.01), top, used))
    best = min(fits, key=lambda f: (round(f[1], 6), round(f[2], 6), round(f[3], 6), f[4]))
    return Fusion(mean, sd, best[0]), sorted(fits, key=lambda f: (f[1], f[2], f[3], f[4]))


@dataclass
class Regime:
    """One kind of pair's fusion and its thresholds (FIT impostor quantiles, rounded up
    as the settings hold them)."""

    fusion: Fusion
    same: float
    review: float
    curve: list[Fit]

    def score(self, p: Pairs) -> Array:
        """The 0..100 score before clipping (kyc.liveness.match.score_from_fused)."""
        s = self.fusion(p)
        return np.asarray(60.0 + 10.0 * (s - self.review) / (self.same - self.review))


def fit_regime(p: Pairs) -> Regime:
    fusion, curve = fit_fusion(p)
    s = fusion(p)
    imp = s[~p.genuine]
    return Regime(fusion, up(threshold_at(imp, 0.001)), up(threshold_at(imp, 0.01)), curve)


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def up(x: float) -> float:
    """Rounded up to 3 decimals: a rounded threshold never accepts more impostors."""
    return math.ceil(x * 1000) / 1000


def pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def report(
    name: str, s: Array, p: Pairs, same: float, review: float, n_boot: int
) -> dict[str, Any]:
    ng, ni = int(p.genuine.sum()), int((~p.genuine).sum())
    out: dict[str, Any] = {"pairs": name, "genuine": ng, "impostor": ni}
    for label, t in (("same_person (70)", same), ("review (60)", review)):
        fmr, fnmr = rates(s, p, t)
        (fl, fh), (nl, nh) = boot_ci(s, p, t, n_boot)
        print(
            f"    {name:34} {label:17} FMR {pct(fmr)} [{pct(fl)}, {pct(fh)}]  "
            f"FNMR {pct(fnmr)} [{pct(nl)}, {pct(nh)}]  ({ng} genuine, {ni} impostor)"
        )
        out[label] = {"fmr": fmr, "fmr_ci": [fl, fh], "fnmr": fnmr, "fnmr_ci": [nl, nh]}
    right = float(np.mean((s >= same) == p.genuine))
    print(f"    {name:34} pairs right at same_person: {pct(right)}")
    out["right"] = right
    return out


def subset(p: Pairs, mask: Array) -> Pairs:
    return Pairs(
        p.d[mask],
        p.c[mask],
        p.r[mask],
        p.genuine[mask],
        p.a[mask],
        p.b[mask],
        p.id_style[mask],
        p.idents,
        p.coverage[mask],
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=REPO / "var" / "face-calib")
    ap.add_argument("--reuse", action="store_true", help="reuse the cached descriptors")
    ap.add_argument("--boot", type=int, default=1000)
    args = ap.parse_args()
    settings = get_settings()
    # d6 lasts 33.6 s: the product's 30 s limit would refuse it; its frames are still faces
    ls = settings.liveness.model_copy(update={"max_duration_s": 60.0})
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    if not (args.reuse and (args.out / "meta.json").is_file()):
        engine = get_engine(settings.models_dir)
        models = get_face_models(settings.models_dir)
        with tempfile.TemporaryDirectory() as tmp:
            samples_, templates_, lost_ = build(engine, models, ls, Path(tmp))
        save(args.out, samples_, templates_, lost_)
    samples, templates, lost = load(args.out)
    people = sorted({s.ident for s in samples})
    fit = {p for p in people if not held_out(p)}
    held = {p for p in people if held_out(p)}
    ea_fit, ea_held = len(fit & EAST_ASIAN), len(held & EAST_ASIAN)
    kinds = {k: sum(s.kind == k for s in samples) for k in ("photo", "frame", "small", "card")}
    print(f"run {started}: {len(samples)} descriptors {kinds}, not found: {lost}")
    print(
        f"  people: {len(fit)} fit ({ea_fit} East-Asian), {len(held)} held-out "
        f"({ea_held} East-Asian); templates: {len(templates)} clips"
    )
    pf, ph = pairs_of(samples, fit), pairs_of(samples, held)
    tau = ls.match_min_coverage
    cov = np.array([s.coverage for s in samples])
    lfw_s = np.array([s.ident.startswith("lfw:") for s in samples])
    print(
        f"  faceres crop coverage: LFW {cov[lfw_s].min():.2f}-{cov[lfw_s].max():.2f}, "
        f"others {cov[~lfw_s].min():.2f}-{cov[~lfw_s].max():.2f} (5th percentile "
        f"{np.percentile(cov[~lfw_s], 5):.2f}); partial below {tau:.2f}"
    )
    regimes: dict[str, Regime] = {}
    for name, mask in (("whole", pf.coverage >= tau), ("partial", pf.coverage < tau)):
        r = subset(pf, mask)
        regimes[name] = fit_regime(r)
        f = regimes[name].fusion
        stats = ", ".join(
            f"{m} mean {mu:.4f} sd {sd:.4f}" for m, mu, sd in zip(MODELS, f.mean, f.sd, strict=True)
        )
        print(
            f"\n{name} crops ({int(r.genuine.sum())} genuine / {int((~r.genuine).sum())} "
            f"impostor FIT pairs; impostor similarities, dlib's negated): {stats}"
        )
        print("  weights (dlib, faceres, ArcFace): FIT FNMR at FMR 0.1% / 1% / 0; best 8")
        for w, a, b, top, _used in regimes[name].curve[:8]:
            mark = "  <- chosen" if w == f.w else ""
            print(f"    w={w}: {pct(a)} / {pct(b)} / {pct(top)}{mark}")
        for w, a, b, top, _used in regimes[name].curve:
            if max(w) == 1.0:
                print(f"    alone w={w}: {pct(a)} / {pct(b)} / {pct(top)}")
        print(
            f"  thresholds (FIT impostors, rounded up): same {regimes[name].same:.3f} "
            f"(0.1%), review {regimes[name].review:.3f} (1%)"
        )
    one = fit_regime(pf)  # round 1's single fusion, for comparison

    def score(p: Pairs) -> Array:
        part = p.coverage < tau
        return np.where(part, regimes["partial"].score(p), regimes["whole"].score(p))

    s_fit, s_held = score(pf), score(ph)
    results: dict[str, Any] = {}
    print("\nsingle pairs, each by its crops' fusion, at the FIT thresholds (score 70 / 60):")
    results["fit"] = report("FIT", s_fit, pf, 70.0, 60.0, args.boot)
    results["held"] = report("HELD-OUT", s_held, ph, 70.0, 60.0, args.boot)
    results["held_id"] = report(
        "HELD-OUT live vs ID-style",
        s_held[ph.id_style],
        subset(ph, ph.id_style),
        70.0,
        60.0,
        args.boot,
    )
    lfw_h = np.array([p.startswith("lfw:") for p in ph.idents])
    both_lfw, no_lfw = lfw_h[ph.a] & lfw_h[ph.b], ~lfw_h[ph.a] & ~lfw_h[ph.b]
    results["held_lfw"] = report(
        "HELD-OUT LFW crops only",
        s_held[both_lfw],
        subset(ph, both_lfw),
        70.0,
        60.0,
        args.boot,
    )
    results["held_photos"] = report(
        "HELD-OUT photos/clips (no LFW)",
        s_held[no_lfw],
        subset(ph, no_lfw),
        70.0,
        60.0,
        args.boot,
    )
    s_one = one.score(ph)
    results["held_one_fusion"] = report(
        "HELD-OUT, one fusion (round 1)", s_one, ph, 70.0, 60.0, args.boot
    )
    ea_idx = np.array([p in EAST_ASIAN for p in ph.idents])
    ea_imp = ea_idx[ph.a] & ea_idx[ph.b] & ~ph.genuine
    print(
        f"    HELD-OUT East-Asian impostor pairs accepted: "
        f"{int((s_held[ea_imp] >= 70).sum())}/{int(ea_imp.sum())} (closest score "
        f"{s_held[ea_imp].max():.1f})"
    )
    ea_idx_f = np.array([p in EAST_ASIAN for p in pf.idents])
    ea_imp_f = ea_idx_f[pf.a] & ea_idx_f[pf.b] & ~pf.genuine
    print(
        f"    FIT East-Asian impostor pairs accepted: "
        f"{int((s_fit[ea_imp_f] >= 70).sum())}/{int(ea_imp_f.sum())}"
    )
    print("\n  each model alone vs fused: FNMR at each set's own FMR 0.1% / 1% point")
    lfw_f = np.array([p.startswith("lfw:") for p in pf.idents])
    sets = [("FIT", pf), ("HELD-OUT", ph)]
    sets += [("FIT no-LFW", subset(pf, ~lfw_f[pf.a] & ~lfw_f[pf.b]))]
    sets += [("HELD no-LFW", subset(ph, no_lfw)), ("HELD LFW", subset(ph, both_lfw))]
    for name, p in sets:
        for label, s in (
            ("dlib", -p.d),
            ("faceres", p.c),
            ("ArcFace", p.r),
            (f"one fusion (w={one.fusion.w})", one.score(p)),
            ("by crops", score(p)),
        ):
            print(
                f"    {name:12} {label:22} {pct(fnmr_at_fmr(s, p, 0.001))} / "
                f"{pct(fnmr_at_fmr(s, p, 0.01))}"
            )
    # margins: where the closest pairs sit, in score points (70 = the threshold)
    for name, p, s in (("FIT", pf, s_fit), ("HELD-OUT", ph, s_held)):
        gen, imp = s[p.genuine], s[~p.genuine]
        print(
            f"\n  margins ({name}, score): top impostor {imp.max():.1f}, 2nd "
            f"{np.sort(imp)[-2]:.1f}; genuine p5 {np.percentile(gen, 5):.1f}, min "
            f"{gen.min():.1f}"
        )
    # templates: the clip's frames are whole video frames: the whole-crop fusion
    print("\ntemplates (clip through analyse) vs ID-style portraits, whole-crop fusion:")
    tf = template_pairs(samples, templates, fit)
    th = template_pairs(samples, templates, held)
    fusion = regimes["whole"].fusion
    st_fit = fusion(tf)
    t_same = up(threshold_at(st_fit[~tf.genuine], 0.001))
    t_review = up(threshold_at(st_fit[~tf.genuine], 0.01))
    print(f"  template thresholds (FIT impostors): same {t_same:.3f}, review {t_review:.3f}")
    results["tpl_fit"] = report("templates FIT", st_fit, tf, t_same, t_review, args.boot)
    results["tpl_held"] = report("templates HELD-OUT", fusion(th), th, t_same, t_review, args.boot)
    print("\nsettings (kyc/liveness/settings.py):")
    whole, part = regimes["whole"], regimes["partial"]
    values: dict[str, float] = {}
    for prefix, reg in (("match_", whole), ("match_partial_", part)):
        for i, m in enumerate(MODELS):
            # the settings hold dlib's mean as a distance (the values here negate it)
            mean = -reg.fusion.mean[i] if m == "dlib" else reg.fusion.mean[i]
            values[f"{prefix}{m}_impostor_mean"] = round(mean, 4)
            values[f"{prefix}{m}_impostor_sd"] = round(reg.fusion.sd[i], 4)
            values[f"{prefix}{m}_weight"] = reg.fusion.w[i]
        values[f"{prefix}fused_same"] = reg.same
        values[f"{prefix}fused_review"] = reg.review
    values["match_template_fused_same"] = t_same
    values["match_template_fused_review"] = t_review
    for k, v in values.items():
        print(f"    {k} = {v}")
    (args.out / "results.json").write_text(json.dumps({"settings": values, **results}, indent=1))


if __name__ == "__main__":
    main()
