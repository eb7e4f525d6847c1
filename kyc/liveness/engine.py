"""Thin dlib adapter: HOG face detector, 68-point shape predictor, ResNet embedding.

Model files come from ``kyc.modelfiles.resolve`` (sha256-verified, never downloaded). A
``FaceEngine`` loads them once; ``get_engine`` caches one per process and models dir.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kyc.modelfiles import resolve

Image = npt.NDArray[np.uint8]
Embedding = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float
    score: float = 0.0

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def scaled(self, f: float, dx: float = 0.0, dy: float = 0.0) -> Box:
        return Box(
            self.left * f + dx,
            self.top * f + dy,
            self.right * f + dx,
            self.bottom * f + dy,
            self.score,
        )


def box_of(points: npt.NDArray[np.float64]) -> Box:
    """The box dlib's HOG detector would give for a face with these 68 landmarks (the
    shape predictor was trained on such boxes). Offsets measured on the shared clips:
    the detector's box starts 12% of the landmark height above the brows and ends 6.5%
    above the chin, and is ~9% wider."""
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    w, h = x1 - x0, y1 - y0
    return Box(
        float(x0 - 0.04 * w), float(y0 - 0.12 * h), float(x1 + 0.05 * w), float(y1 - 0.065 * h)
    )


# dlib's HOG detector finds faces from about 55-60 px wide at an image's own scale and
# from about 30 px upsampled once (three press photos scaled down in 5 px steps: found
# at 60 and up, none at 50 or less; upsampled, all down to 30).
HOG_MIN_FACE = 60.0


def count_faces(boxes: Sequence[Box], min_rel: float) -> int:
    """Faces (largest first) at least ``min_rel`` as wide as the largest."""
    return sum(1 for b in boxes if b.width >= min_rel * boxes[0].width) if boxes else 0


class FaceEngine:
    """dlib models, loaded once. Images are uint8 grey (H, W) or RGB (H, W, 3), handed
    to dlib contiguous: dlib misreads a strided view (a crop of a frame), and found no
    face, or another one, from run to run in a crop where the copy holds one."""

    def __init__(self, models_dir: Path) -> None:
        import dlib

        self._dlib = dlib
        self.detector = dlib.get_frontal_face_detector()
        self.shape68 = dlib.shape_predictor(str(resolve("dlib_landmarks_68", models_dir)))
        self.encoder = dlib.face_recognition_model_v1(
            str(resolve("dlib_face_embedding", models_dir))
        )

    def detect(self, img: Image, upsample: int = 0) -> list[Box]:
        """Faces found by the HOG detector, largest first."""
        rects, scores, _ = self.detector.run(np.ascontiguousarray(img), upsample, 0.0)
        boxes = [
            Box(r.left(), r.top(), r.right(), r.bottom(), float(s))
            for r, s in zip(rects, scores, strict=True)
        ]
        return sorted(boxes, key=lambda b: -b.width * b.height)

    def detect_counting(self, img: Image, min_rel: float) -> list[Box]:
        """Faces, largest first, looked for finely enough to count every face at least
        ``min_rel`` as wide as the largest: where such a face would be below the
        detector's reach (HOG_MIN_FACE) at this scale, looked for upsampled once too,
        and those boxes kept where they count more faces (the two scales box one face
        0.7-1.3 as wide, so the upsampled count alone can lose one)."""
        boxes = self.detect(img, 0)
        if boxes and min_rel * boxes[0].width < HOG_MIN_FACE:
            finer = self.detect(img, 1)
            if count_faces(finer, min_rel) > count_faces(boxes, min_rel):
                return finer
        return boxes

    def _shape(self, img: Image, box: Box) -> Any:
        rect = self._dlib.rectangle(
            int(round(box.left)), int(round(box.top)), int(round(box.right)), int(round(box.bottom))
        )
        return self.shape68(np.ascontiguousarray(img), rect)

    def landmarks(self, img: Image, box: Box) -> npt.NDArray[np.float64]:
        shape = self._shape(img, box)
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)

    def embed(self, rgb: Image, box: Box, jitters: int = 0) -> Embedding:
        """128-d embedding of the face in ``box`` (aligned by its 68 landmarks)."""
        return self.embed_landmarks(rgb, box, jitters)[0]

    def embed_landmarks(
        self, rgb: Image, box: Box, jitters: int = 0
    ) -> tuple[Embedding, npt.NDArray[np.float64]]:
        """The embedding and the 68 landmarks it was aligned by (one shape fit)."""
        shape, pts = self.fit(rgb, box)
        return self.embed_shape(rgb, shape, jitters), pts

    def fit(self, rgb: Image, box: Box) -> tuple[Any, npt.NDArray[np.float64]]:
        """The 68-landmark shape of the face in ``box`` (dlib's object, for
        ``embed_shape``) and its points."""
        shape = self._shape(rgb, box)
        return shape, np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)

    def embed_shape(self, rgb: Image, shape: Any, jitters: int = 0) -> Embedding:
        """128-d embedding of the face aligned by a fitted ``shape`` (the ResNet: the
        dominant cost of describing a face)."""
        vec = self.encoder.compute_face_descriptor(np.ascontiguousarray(rgb), shape, jitters)
        return np.asarray(vec, dtype=np.float64)


# The other models' descriptors of a face (faceres, ArcFace) from an RGB image and its
# 68 landmarks.
SecondDescriptor = Callable[[Image, npt.NDArray[np.float64]], tuple[Embedding, Embedding]]


class DescribingEngine(FaceEngine):
    """An engine that shares another's loaded dlib models and, for every face it embeds,
    also computes the other models' descriptors (``second(rgb, landmarks)``), kept by the dlib
    embedding it belongs to. One per call (``verify_video``): it holds that call's
    descriptors, the shared engine holds none."""

    def __init__(self, inner: FaceEngine, second: SecondDescriptor) -> None:
        self._dlib = inner._dlib
        self.detector = inner.detector
        self.shape68 = inner.shape68
        self.encoder = inner.encoder
        self._second = second
        self._seconds: dict[bytes, tuple[Embedding, Embedding]] = {}

    def embed(self, rgb: Image, box: Box, jitters: int = 0) -> Embedding:
        emb, pts = self.embed_landmarks(rgb, box, jitters)
        self._seconds[emb.tobytes()] = self._second(rgb, pts)
        return emb

    def second_of(self, embedding: Embedding) -> tuple[Embedding, Embedding] | None:
        """The other descriptors of the face whose dlib embedding is ``embedding``."""
        return self._seconds.get(np.asarray(embedding, np.float64).tobytes())


@lru_cache(maxsize=2)
def get_engine(models_dir: Path) -> FaceEngine:
    """The process-wide engine for ``models_dir`` (models load on the first call)."""
    return FaceEngine(models_dir.resolve())
