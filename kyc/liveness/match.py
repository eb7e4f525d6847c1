"""Face match: find the face in a photo or an ID-card front, describe it with three
embeddings (dlib's ResNet, faceres and ArcFace), fuse their similarities into one score,
and map it to 0..100 with thresholds tied to measured false-match rates: 70 = FMR 0.1%,
60 = 1% (calibration: docs/face_match.md, scripts/calibrate_face.py).

The dlib-only helpers (``distance``, ``judge``, ``score_from_distance``,
``template_distance``) stay for the clip's identity-change check and its benchmark.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kyc.errors import BadInput, ErrorCode
from kyc.liveness.descriptors import FaceModels, get_face_models
from kyc.liveness.engine import Box, Embedding, FaceEngine, get_engine
from kyc.liveness.faceres import cosine, crop_coverage, normalise
from kyc.liveness.settings import LivenessSettings

BGRImage = npt.NDArray[np.uint8]

# Score anchors: the 0.1%-FMR distance maps to 70 and the 1%-FMR distance to 60 (the
# convention comparable services use: 70 ~ 1/1,000). Linear in between and beyond.
SCORE_AT_SAME = 70.0
SCORE_AT_REVIEW = 60.0


def distance(a: Embedding, b: Embedding) -> float:
    return float(np.linalg.norm(a - b))


def _anchors(settings: LivenessSettings, template: bool) -> tuple[float, float]:
    if template:
        return settings.match_template_same_distance, settings.match_template_review_distance
    return settings.match_same_distance, settings.match_review_distance


def score_from_distance(d: float, settings: LivenessSettings, template: bool = False) -> float:
    """Monotone map distance -> 0..100: 0 -> 100, same-threshold -> 70, review-threshold
    -> 60, 1.0 (far beyond any same-person pair) -> 0. ``template``: the distance is
    from a multi-frame template (``template_distance``), with its own calibration."""
    same, review = _anchors(settings, template)
    xs = [0.0, same, review, max(1.0, review + 0.1)]
    ys = [100.0, SCORE_AT_SAME, SCORE_AT_REVIEW, 0.0]
    return round(float(np.interp(d, xs, ys)), 2)


MODELS = ("dlib", "faceres", "arcface")


@dataclass(frozen=True)
class FaceDescriptor:
    """One face, described by the three models: dlib's 128-d embedding (compare by
    Euclidean distance), faceres' unit 1024-d and ArcFace's unit 512-d descriptors
    (compare by cosine). ``coverage``: the share of faceres' crop inside the image
    (``crop_coverage``)."""

    dlib: Embedding
    faceres: Embedding
    arcface: Embedding
    coverage: float = 1.0


@dataclass(frozen=True)
class Similarities:
    """How alike two faces are by each model: dlib's distance (smaller = more alike),
    faceres' and ArcFace's cosines (larger = more alike); None where not measured."""

    dlib: float | None
    faceres: float | None
    arcface: float | None


def similarities(a: FaceDescriptor, b: FaceDescriptor) -> Similarities:
    return Similarities(
        distance(a.dlib, b.dlib), cosine(a.faceres, b.faceres), cosine(a.arcface, b.arcface)
    )


def models_used(settings: LivenessSettings, partial: bool) -> frozenset[str]:
    """The models the fusion of this kind of pair weighs (weight > 0)."""
    p = "match_partial_" if partial else "match_"
    return frozenset(m for m in MODELS if float(getattr(settings, f"{p}{m}_weight")) > 0)


def is_partial(coverage: float, settings: LivenessSettings) -> bool:
    """A pair whose faceres crops are partly padding (one side a tight face crop) is
    judged by the calibration of such pairs: its impostor cosines run higher and faceres
    is weaker there, so its z-normalisation, weight and thresholds are its own."""
    return coverage < settings.match_min_coverage


def fused_similarity(sim: Similarities, settings: LivenessSettings, partial: bool = False) -> float:
    """The fused similarity of a pair: each model's similarity in standard deviations
    above its impostor mean (z-normalised on the calibration's impostor pairs of the
    same kind: whole crops, or ``partial`` ones), mixed with that kind's weights (they
    sum to 1; a model the calibration found no use for has weight 0). Larger = more
    alike; ~0 for a typical impostor pair."""
    p = "match_partial_" if partial else "match_"
    total = 0.0
    for model in MODELS:
        value: float | None = getattr(sim, model)
        w = float(getattr(settings, f"{p}{model}_weight"))
        if w == 0.0:
            continue
        if value is None:
            raise ValueError(f"the fusion weighs {model} ({w}) but it was not measured")
        mean = float(getattr(settings, f"{p}{model}_impostor_mean"))
        sd = float(getattr(settings, f"{p}{model}_impostor_sd"))
        total += w * ((mean - value) / sd if model == "dlib" else (value - mean) / sd)
    return total


def _fused_anchors(
    settings: LivenessSettings, template: bool, partial: bool = False
) -> tuple[float, float]:
    if template:
        return settings.match_template_fused_same, settings.match_template_fused_review
    if partial:
        return settings.match_partial_fused_same, settings.match_partial_fused_review
    return settings.match_fused_same, settings.match_fused_review


def score_from_fused(
    s: float, settings: LivenessSettings, template: bool = False, partial: bool = False
) -> float:
    """Monotone map fused similarity -> 0..100, linear through the two anchors (the 0.1%
    FMR threshold -> 70, the 1% one -> 60), clipped to 0..100."""
    same, review = _fused_anchors(settings, template, partial)
    score = SCORE_AT_REVIEW + (SCORE_AT_SAME - SCORE_AT_REVIEW) * (s - review) / (same - review)
    return round(min(100.0, max(0.0, score)), 2)


def judge_fused(
    s: float, settings: LivenessSettings, template: bool = False, partial: bool = False
) -> tuple[float, bool, bool]:
    """(score, same_person, review) of a fused similarity: same at the 0.1%-FMR
    threshold, review from the 1% one (of single-image pairs of whole or ``partial``
    crops, or of template-vs-portrait pairs with ``template``)."""
    same, review = _fused_anchors(settings, template, partial)
    return score_from_fused(s, settings, template, partial), s >= same, s >= review


def template_similarity(
    faces: list[FaceDescriptor], portrait: FaceDescriptor, settings: LivenessSettings
) -> tuple[float, Similarities]:
    """(fused similarity, each model's) of the mean of several descriptors of one face
    (frames of a clip) against a portrait's: averaging cancels much of the per-frame
    variation (docs/face_match.md). The frames are whole video frames, so the
    whole-crop fusion (its template thresholds are calibrated on the same pairs,
    whatever the portrait's crop coverage)."""
    mean = FaceDescriptor(
        np.mean(np.stack([f.dlib for f in faces]), axis=0),
        normalise(np.mean(np.stack([f.faceres for f in faces]), axis=0)),
        normalise(np.mean(np.stack([f.arcface for f in faces]), axis=0)),
    )
    sim = similarities(mean, portrait)
    return fused_similarity(sim, settings), sim


@dataclass(frozen=True)
class FaceComparison:
    score: float
    same_person: bool
    distance: float | None  # dlib's embedding distance (None: not weighed, not run)
    elapsed_ms: float
    threshold_score: float = SCORE_AT_SAME
    faceres_cosine: float | None = None
    arcface_cosine: float | None = None
    fused: float | None = None  # the fused similarity the score comes from
    coverage: float | None = None  # the smaller faceres crop coverage of the two faces

    def to_json(self) -> dict[str, object]:
        return {
            "score": self.score,
            "same_person": self.same_person,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }


def _default_engine() -> FaceEngine:
    from kyc.config import get_settings

    return get_engine(get_settings().models_dir)


def load_models(models_dir: Path) -> tuple[FaceEngine, FaceModels]:
    """The face models of the process, loaded once; faceres, ArcFace and the face mesh
    (0.4 s with its compile) in a second thread while dlib's load (onnxruntime's import
    and session set-up wait on no lock there, which hides them behind dlib's ~3 s;
    measured in docs/face_match.md)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        second = pool.submit(get_face_models, models_dir)
        engine = get_engine(models_dir)
        return engine, second.result()


def default_models() -> FaceModels:
    """The process-wide descriptor models of the configured models folder."""
    from kyc.config import get_settings

    return get_face_models(get_settings().models_dir)


# HOG search passes: (longest side the image is searched at, upsampling). The first,
# at <= 512 px, finds faces of >= 80 px there (>= 160 px at 1024) at about a quarter
# of the cost of the 1024 px pass; a face it finds is the largest (every smaller one is
# below its detection size), its box as that pass places it (its descriptors differ
# from those of the 1024 px box by up to 0.08 in dlib distance, like another photo of
# the face: the calibration describes photos with this search). Then <= 1024 px as it
# is, upsampled once, twice (small images only: card portraits). The coarse pass is
# skipped for images of <= COARSE_MIN px (there it would cost >= 44% of the next one).
SEARCH_PASSES = ((512, 0), (1024, 0), (1024, 1), (1024, 2))
COARSE_MIN = 768


def largest_face(img: BGRImage, engine: FaceEngine, settings: LivenessSettings) -> Box:
    """The largest face in a photo or an ID-card front (whose portrait is small):
    large images are searched downscaled (first coarsely, ``SEARCH_PASSES``), small
    ones upsampled. NO_FACE if none."""
    import cv2

    gray = np.asarray(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    longest = max(gray.shape[:2])
    resized: dict[float, npt.NDArray[np.uint8]] = {}
    for limit, upsample in SEARCH_PASSES:
        if upsample == 2 and longest > 1200:
            break
        if limit < 1024 and longest <= COARSE_MIN:
            continue
        scale = min(1.0, limit / longest)
        if scale not in resized:
            resized[scale] = gray
            if scale < 1.0:
                resized[scale] = np.asarray(
                    cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA),
                    dtype=np.uint8,
                )
        boxes = engine.detect(resized[scale], upsample)
        boxes = [b for b in boxes if b.width / scale >= settings.portrait_min_face_px]
        if boxes:
            return boxes[0].scaled(1.0 / scale)
    raise BadInput(ErrorCode.NO_FACE, "no face found in the image")


def upright_face(
    img: BGRImage, engine: FaceEngine, settings: LivenessSettings
) -> tuple[BGRImage, Box]:
    """The image turned so that its largest face is upright, and that face's box. The
    HOG detector finds upright faces, and an ID card is often photographed turned by a
    quarter turn: when no face is found as the image is, the other orientations are
    searched (a quarter turn either way, then a half turn) and the first with a face
    wins. An image with a face as it is is never turned: the detector's score cannot
    tell upright from upside down (measured on small portraits: 0.45 upright vs 0.56
    upside down), so an upside-down card may be matched upside down, a non-match (the
    API matches the OCR's upright portrait crop instead). NO_FACE if none has one."""
    try:
        return img, largest_face(img, engine, settings)
    except BadInput:
        pass
    for k in (1, 3, 2):
        turned = np.ascontiguousarray(np.rot90(img, k))
        try:
            return turned, largest_face(turned, engine, settings)
        except BadInput:
            continue
    raise BadInput(ErrorCode.NO_FACE, "no face found in the image (in any orientation)")


def embed_image(
    img: BGRImage, engine: FaceEngine, settings: LivenessSettings
) -> tuple[Embedding, Box]:
    """Embedding of the largest face in a BGR image (NO_FACE if there is none)."""
    box = largest_face(img, engine, settings)
    rgb = np.ascontiguousarray(img[:, :, ::-1])
    return engine.embed(rgb, box), box


@dataclass(frozen=True)
class LocatedFace:
    """The largest face of an image, found and landmarked, not yet described: a window
    of one face size around it (BGR and RGB), dlib's fitted shape and its 68 points in
    the window, faceres' crop coverage, and the box in the image turned upright."""

    window: BGRImage
    rgb: BGRImage
    shape: object
    pts: npt.NDArray[np.float64]
    coverage: float
    box: Box


def locate_face(img: BGRImage, engine: FaceEngine, settings: LivenessSettings) -> LocatedFace:
    """The largest face of a BGR image (NO_FACE if there is none), landmarked once for
    every model (dlib's alignment, faceres' crop, ArcFace's five points)."""
    img, box = upright_face(img, engine, settings)
    # dlib wants RGB: flip a window of one face size around the face, not the whole
    # photo (the same landmarks and descriptors: both read well inside that window)
    h, w = img.shape[:2]
    m = max(box.width, box.height)
    x0, y0 = int(max(0, box.left - m)), int(max(0, box.top - m))
    x1, y1 = int(min(w, box.right + m)), int(min(h, box.bottom + m))
    window = img[y0:y1, x0:x1]
    rgb = np.ascontiguousarray(window[:, :, ::-1])
    shape, pts = engine.fit(rgb, box.scaled(1, -x0, -y0))
    return LocatedFace(window, rgb, shape, pts, crop_coverage(window.shape, pts), box)


def describe_face(face: LocatedFace, engine: FaceEngine, models: FaceModels) -> FaceDescriptor:
    """The three descriptors of a located face."""
    faceres, arcface = models.describe(face.window, face.pts)
    return FaceDescriptor(engine.embed_shape(face.rgb, face.shape), faceres, arcface, face.coverage)


def pair_similarities(
    a: LocatedFace, b: LocatedFace, engine: FaceEngine, models: FaceModels, used: frozenset[str]
) -> Similarities:
    """Each model's similarity of two located faces, for the models ``used`` only (None
    for the others: not run)."""

    def dlib(f: LocatedFace) -> Embedding:
        return engine.embed_shape(f.rgb, f.shape)

    def faceres(f: LocatedFace) -> Embedding:
        return models.faceres.embed(f.window, f.pts)

    def arcface(f: LocatedFace) -> Embedding:
        return models.arcface.embed(f.window, f.pts)

    return Similarities(
        distance(dlib(a), dlib(b)) if "dlib" in used else None,
        cosine(faceres(a), faceres(b)) if "faceres" in used else None,
        cosine(arcface(a), arcface(b)) if "arcface" in used else None,
    )


def describe_image(
    img: BGRImage, engine: FaceEngine, models: FaceModels, settings: LivenessSettings
) -> tuple[FaceDescriptor, Box]:
    """The three descriptors of the largest face in a BGR image (NO_FACE if there is
    none). The box is in the image turned upright (``upright_face``)."""
    face = locate_face(img, engine, settings)
    return describe_face(face, engine, models), face.box


def judge(d: float, settings: LivenessSettings, template: bool = False) -> tuple[float, bool, bool]:
    """(score, same_person, review): same at the 0.1%-FMR distance, review up to 1%
    (of single-image pairs, or of template-vs-portrait pairs with ``template``)."""
    same, review = _anchors(settings, template)
    return score_from_distance(d, settings, template), d <= same, d <= review


def template_distance(embeddings: list[Embedding], portrait: Embedding) -> float:
    """Distance from the mean of several embeddings of one face (frames of a clip) to a
    portrait's: averaging cancels much of the per-frame variation (expression, pose,
    blur), which halves the false non-matches at the same false-match rate on the
    benchmark pairs (docs/liveness.md)."""
    return distance(np.mean(np.stack(embeddings), axis=0), portrait)


def compare_faces(
    img_a: BGRImage,
    img_b: BGRImage,
    settings: LivenessSettings,
    engine: FaceEngine | None = None,
    models: FaceModels | None = None,
) -> FaceComparison:
    """Compare the largest faces of two BGR images (either may be an ID-card front) on
    the fused score of the embeddings the pair's kind weighs: a model with weight 0 is
    not run (dlib's ResNet, most of a call's time, for two whole faces today)."""
    started = time.perf_counter()
    eng = engine or _default_engine()
    mods = models or default_models()
    la, lb = locate_face(img_a, eng, settings), locate_face(img_b, eng, settings)
    coverage = min(la.coverage, lb.coverage)
    partial = is_partial(coverage, settings)
    sim = pair_similarities(la, lb, eng, mods, models_used(settings, partial))
    s = fused_similarity(sim, settings, partial)
    score, same, _ = judge_fused(s, settings, partial=partial)
    elapsed = (time.perf_counter() - started) * 1000.0
    return FaceComparison(
        score,
        same,
        sim.dlib,
        elapsed,
        faceres_cosine=sim.faceres,
        arcface_cosine=sim.arcface,
        fused=s,
        coverage=coverage,
    )


def read_portrait(path: Path, images: object) -> BGRImage:
    """Decode a portrait / ID-card image file with the project's safe image reader."""
    from kyc.config import ImageLimits
    from kyc.imageio import read_image_file

    assert isinstance(images, ImageLimits)
    return read_image_file(path, images)
