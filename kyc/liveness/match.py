"""Face match: find the face in a photo or an ID-card front, embed it, and turn the
embedding distance into a 0..100 score whose thresholds are tied to measured
false-match rates (calibration: docs/liveness.md, scripts/bench_liveness.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kyc.errors import BadInput, ErrorCode
from kyc.liveness.engine import Box, Embedding, FaceEngine, get_engine
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


@dataclass(frozen=True)
class FaceComparison:
    score: float
    same_person: bool
    distance: float
    elapsed_ms: float
    threshold_score: float = SCORE_AT_SAME

    def to_json(self) -> dict[str, object]:
        return {
            "score": self.score,
            "same_person": self.same_person,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }


def _default_engine() -> FaceEngine:
    from kyc.config import get_settings

    return get_engine(get_settings().models_dir)


def largest_face(img: BGRImage, engine: FaceEngine, settings: LivenessSettings) -> Box:
    """The largest face in a photo or an ID-card front (whose portrait is small):
    large images are searched downscaled, small ones upsampled. NO_FACE if none."""
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


def embed_image(
    img: BGRImage, engine: FaceEngine, settings: LivenessSettings
) -> tuple[Embedding, Box]:
    """Embedding of the largest face in a BGR image (NO_FACE if there is none)."""
    box = largest_face(img, engine, settings)
    rgb = np.ascontiguousarray(img[:, :, ::-1])
    return engine.embed(rgb, box), box


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
) -> FaceComparison:
    """Compare the largest faces of two BGR images (either may be an ID-card front)."""
    started = time.perf_counter()
    eng = engine or _default_engine()
    ea, _ = embed_image(img_a, eng, settings)
    eb, _ = embed_image(img_b, eng, settings)
    d = distance(ea, eb)
    score, same, _ = judge(d, settings)
    return FaceComparison(score, same, d, (time.perf_counter() - started) * 1000.0)


def read_portrait(path: Path, images: object) -> BGRImage:
    """Decode a portrait / ID-card image file with the project's safe image reader."""
    from kyc.config import ImageLimits
    from kyc.imageio import read_image_file

    assert isinstance(images, ImageLimits)
    return read_image_file(path, images)
