"""The second face embedding: ``faceres`` (HSE FaceRec by A. Savchenko, a MobileNet trained
for identity on VGGFace2), converted from its TensorFlow.js release to ONNX at set-up
(``kyc.modelconv``; manifest entry ``faceres``).

Pure part: the crop (from dlib's 68 landmarks) and the colour normalisation. Imperative
part: a backend that runs the network on a batch; ``ModelBackend`` (the inference
adapter: OpenVINO, onnxruntime as the fallback) is the default, and anything with the
same ``run`` method can replace it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from kyc.inference import Backend as RuntimeBackend
from kyc.inference import RuntimeSettings, load_model
from kyc.modelfiles import resolve

Image = npt.NDArray[np.uint8]
Batch = npt.NDArray[np.float32]
Embedding = npt.NDArray[np.float64]

MODEL_NAME = "faceres"
SIDE = 224
# The author's preprocessing (Keras VGGFace2 convention): BGR minus the VGG channel means.
# The JavaScript library feeds RGB 0..255 instead, which measurably hurts (docs/face_match.md).
VGG_MEANS_BGR = np.array([103.939, 116.779, 123.68], np.float32)
# The crop: a square of side CROP_SIDE * d centred CROP_DOWN * d below the eye midpoint
# (d = eye midpoint to mouth centre): the face box of the library's own detector,
# enlarged 1.4x, as measured in issue 13.
CROP_SIDE = 3.2
CROP_DOWN = 0.48


def crop_square(pts: npt.NDArray[np.float64]) -> tuple[float, float, float]:
    """(centre x, centre y, side) of the faceres crop from 68 dlib landmarks."""
    eyes = (pts[36:42].mean(axis=0) + pts[42:48].mean(axis=0)) / 2
    mouth = pts[48:68].mean(axis=0)
    d = float(np.linalg.norm(mouth - eyes))
    centre = eyes + CROP_DOWN * (mouth - eyes)
    return float(centre[0]), float(centre[1]), CROP_SIDE * max(d, 1.0)


def crop_coverage(shape: tuple[int, ...], pts: npt.NDArray[np.float64]) -> float:
    """Share of the faceres crop square that lies inside an image of ``shape`` (h, w,
    ...): 1 for a photo with room around the face, ~0.45 for a tight face crop (LFW's
    aligned 100 x 100 crops end at the chin and the brows), whose crop is then mostly
    padding and whose descriptors behave differently (docs/face_match.md)."""
    cx, cy, side = crop_square(pts)
    h, w = shape[:2]
    x0, y0, x1, y1 = cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2
    inside = max(0.0, min(w, x1) - max(0.0, x0)) * max(0.0, min(h, y1) - max(0.0, y0))
    return float(inside / (side * side))


def face_input(bgr: Image, pts: npt.NDArray[np.float64]) -> Batch:
    """The network input (224, 224, 3) float32 for the face with landmarks ``pts`` in a
    BGR image: the square crop (zero outside the image), area-resampled when shrinking,
    minus the VGG means."""
    import cv2

    cx, cy, side = crop_square(pts)
    x0, y0 = int(round(cx - side / 2)), int(round(cy - side / 2))
    n = max(1, int(round(side)))
    h, w = bgr.shape[:2]
    sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(w, x0 + n), min(h, y0 + n)
    square = np.zeros((n, n, 3), np.uint8)
    if sx1 > sx0 and sy1 > sy0:
        square[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = bgr[sy0:sy1, sx0:sx1]
    interp = cv2.INTER_AREA if n > SIDE else cv2.INTER_LINEAR
    resized = np.asarray(cv2.resize(square, (SIDE, SIDE), interpolation=interp), np.float32)
    return resized - VGG_MEANS_BGR


def normalise(features: npt.NDArray[np.floating]) -> Embedding:
    """Unit-length descriptors (rows): similarity is their dot product (cosine)."""
    f = np.asarray(features, np.float64)
    norms = np.linalg.norm(f, axis=-1, keepdims=True)
    return np.asarray(f / np.maximum(norms, 1e-12), np.float64)


def cosine(a: Embedding, b: Embedding) -> float:
    return float(np.dot(a, b) / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-12))


class Backend(Protocol):
    """Runs the network: (N, 224, 224, 3) float32 -> (N, 1024) features."""

    def run(self, batch: Batch) -> npt.NDArray[np.float32]: ...


class ModelBackend:
    """The network on the inference adapter (``kyc.inference``: OpenVINO by default,
    onnxruntime as the fallback and when ``runtime`` asks for it), loaded once. The
    model's one output is the descriptor (faceres's conversion keeps only its pooled
    features, ``kyc.modelconv``)."""

    def __init__(self, model_path: Path, threads: int = 1, runtime: RuntimeSettings | None = None):
        self.model = load_model(model_path, runtime or RuntimeSettings(), threads)
        self._input = self.model.input_names[0]

    def run(self, batch: Batch) -> npt.NDArray[np.float32]:
        out = self.model.run({self._input: np.ascontiguousarray(batch, np.float32)})
        return np.asarray(out[0], np.float32)


class FaceresEmbedder:
    """faceres descriptors of faces given by their 68 landmarks."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def embed(self, bgr: Image, pts: npt.NDArray[np.float64]) -> Embedding:
        """Unit 1024-d descriptor of the face with landmarks ``pts`` in a BGR image."""
        return np.asarray(self.embed_many([(bgr, pts)])[0], np.float64)

    def embed_many(self, faces: list[tuple[Image, npt.NDArray[np.float64]]]) -> Embedding:
        if not faces:
            return np.zeros((0, 1024), np.float64)
        batch = np.stack([face_input(img, pts) for img, pts in faces])
        return normalise(self.backend.run(batch))


@lru_cache(maxsize=2)
def get_faceres(
    models_dir: Path, threads: int = 1, backend: RuntimeBackend = "onnxruntime"
) -> FaceresEmbedder:
    """The process-wide faceres embedder (sha256-verified model, loaded on first use)."""
    path = resolve(MODEL_NAME, models_dir.resolve())
    return FaceresEmbedder(ModelBackend(path, threads, RuntimeSettings(backend=backend)))
