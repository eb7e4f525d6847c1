"""Thin onnxruntime adapter for PaddleOCR's PP-OCR models (detector, angle classifier,
recogniser), with model files verified against the manifest.

The engine is built once per process and reused; every call is stateless (safe to share
between threads). Unlike RapidOCR's default pipeline it never upscales for detection and
exposes per-character probabilities with runner-up characters, which the field
validators use to resolve OCR confusions with check characters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from kyc.modelfiles import resolve
from kyc.ocr.settings import OcrSettings

FloatArray = npt.NDArray[np.float32]
Image = npt.NDArray[np.uint8]
Quad = npt.NDArray[np.float32]  # 4x2, image coordinates


@dataclass(frozen=True)
class CharReading:
    char: str
    prob: float
    alternatives: tuple[tuple[str, float], ...]  # runner-up characters at that step


@dataclass(frozen=True)
class TextReading:
    text: str
    chars: tuple[CharReading, ...]


def _session(path: Path, threads: int) -> object:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


class OcrEngine:
    """PP-OCRv4 det + rec and the v2 angle classifier on onnxruntime."""

    REC_HEIGHT = 48
    CLS_SHAPE = (48, 192)

    def __init__(self, settings: OcrSettings, models_dir: Path) -> None:
        from rapidocr_onnxruntime.ch_ppocr_det.utils import DBPostProcess

        self.settings = settings
        self._det = _session(resolve("ppocr_det", models_dir), settings.threads)
        self._rec = _session(resolve("ppocr_rec", models_dir), settings.threads)
        self._cls = _session(resolve("ppocr_cls", models_dir), settings.threads)
        meta = self._rec.get_modelmeta().custom_metadata_map  # type: ignore[attr-defined]
        self._charset: list[str] = ["", *meta["character"].splitlines(), " "]
        self._post = DBPostProcess(
            thresh=0.3,
            box_thresh=settings.det_box_thresh,
            max_candidates=1000,
            unclip_ratio=settings.det_unclip_ratio,
            use_dilation=True,
            score_mode="fast",
        )

    # -- detection -----------------------------------------------------------------
    def detect(self, image: Image, max_side: int | None = None) -> list[Quad]:
        """Text-line quads in ``image`` coordinates. The image is only ever downscaled."""
        limit = max_side or self.settings.det_max_side
        h, w = image.shape[:2]
        ratio = min(1.0, limit / max(h, w))
        rh = max(32, round(h * ratio / 32) * 32)
        rw = max(32, round(w * ratio / 32) * 32)
        resized = cv2.resize(image, (rw, rh), interpolation=cv2.INTER_AREA)
        # (x / 255 - 0.5) / 0.5, channels first, in one pass
        blob = cv2.dnn.blobFromImage(resized, 1 / 127.5, mean=(127.5, 127.5, 127.5))
        pred = self._det.run(None, {self._det.get_inputs()[0].name: blob})[0]  # type: ignore[attr-defined]
        boxes, _scores = self._post(pred, (h, w))
        quads: list[Quad] = []
        for box in boxes:
            quad = np.asarray(box, dtype=np.float32)
            quad[:, 0] = np.clip(quad[:, 0], 0, w - 1)
            quad[:, 1] = np.clip(quad[:, 1], 0, h - 1)
            side_a = float(np.linalg.norm(quad[0] - quad[1]))
            side_b = float(np.linalg.norm(quad[1] - quad[2]))
            if min(side_a, side_b) > 3:
                quads.append(quad)
        return quads

    # -- angle classification ------------------------------------------------------
    def upside_down(self, crops: list[Image]) -> list[float]:
        """Probability that each horizontal line crop is rotated by 180 degrees."""
        if not crops:
            return []
        ch, cw = self.CLS_SHAPE
        batch = np.stack([self._norm(c, ch, cw) for c in crops])
        out = self._cls.run(None, {self._cls.get_inputs()[0].name: batch})[0]  # type: ignore[attr-defined]
        return [float(p[1]) for p in out]

    # -- recognition ---------------------------------------------------------------
    def recognize(self, crops: list[Image]) -> list[TextReading]:
        """Text of each horizontal line crop, batched by similar aspect ratio."""
        results: list[TextReading] = [TextReading("", ())] * len(crops)
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
        step = self.settings.rec_batch
        for start in range(0, len(order), step):
            idx = order[start : start + step]
            ratio = max(crops[i].shape[1] / crops[i].shape[0] for i in idx)
            width = max(
                int(
                    math.ceil(
                        self.REC_HEIGHT * max(ratio, self.settings.rec_min_width / self.REC_HEIGHT)
                    )
                ),
                16,
            )
            batch = np.stack([self._norm(crops[i], self.REC_HEIGHT, width) for i in idx])
            probs = self._rec.run(None, {self._rec.get_inputs()[0].name: batch})[0]  # type: ignore[attr-defined]
            for row, i in enumerate(idx):
                results[i] = self._decode(probs[row])
        return results

    def _decode(self, probs: FloatArray) -> TextReading:
        best = probs.argmax(axis=1)
        chars: list[CharReading] = []
        prev = -1
        for t, k in enumerate(best):
            if k != 0 and k != prev:
                row = probs[t]
                top = np.argpartition(row, -4)[-4:]
                top = top[np.argsort(row[top])[::-1]]
                alts = tuple((self._charset[j], float(row[j])) for j in top if j not in (0, k))[:3]
                chars.append(CharReading(self._charset[k], float(probs[t, k]), alts))
            prev = int(k)
        return TextReading("".join(c.char for c in chars), tuple(chars))

    @staticmethod
    def _norm(crop: Image, height: int, width: int) -> FloatArray:
        h, w = crop.shape[:2]
        new_w = min(width, max(1, int(math.ceil(height * w / h))))
        resized = cv2.resize(crop, (new_w, height), interpolation=cv2.INTER_LINEAR)
        out = np.zeros((3, height, width), dtype=np.float32)
        out[:, :, :new_w] = ((resized.astype(np.float32) / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)
        return out


def crop_line(image: Image, quad: Quad, flip: bool = False, reading: float | None = None) -> Image:
    """Warp the text line inside ``quad`` to an upright horizontal strip.

    The quad's longer side is taken as the reading direction unless ``reading`` (an image
    angle in radians, known from the line's document) says which way the text runs: a
    near-square box of one or two characters has no reliable long side. ``flip`` turns
    the strip by 180 degrees (the angle classifier decides).
    """
    q = order_along_long_side(quad) if reading is None else order_along(quad, reading)
    width = int(round(max(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[3]))))
    height = int(round(max(np.linalg.norm(q[3] - q[0]), np.linalg.norm(q[2] - q[1]))))
    width, height = max(width, 4), max(height, 4)
    dst = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(q.astype(np.float32), dst)
    strip = np.asarray(
        cv2.warpPerspective(
            image, m, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        ),
        dtype=np.uint8,
    )
    return np.ascontiguousarray(strip[::-1, ::-1]) if flip else strip


def order_along(quad: Quad, reading: float) -> Quad:
    """Reorder the corners of a clockwise quad so that p0->p1 is the side that runs most
    nearly in the ``reading`` direction (p3 then lies below p0 in the text's frame)."""
    q = np.asarray(quad, dtype=np.float32)
    d = np.array([math.cos(reading), math.sin(reading)])
    edges = np.roll(q, -1, axis=0) - q
    lengths = np.maximum(np.linalg.norm(edges, axis=1), 1e-6)
    k = int(np.argmax(edges @ d / lengths))
    return np.roll(q, -k, axis=0)


def order_along_long_side(quad: Quad) -> Quad:
    """Reorder the corners so that p0->p1 is a long side, reading left to right when the
    line is upright-ish (p0 is the corner with the smaller x along the long axis)."""
    q = np.asarray(quad, dtype=np.float32)
    if np.linalg.norm(q[1] - q[0]) < np.linalg.norm(q[2] - q[1]):
        q = np.roll(q, -1, axis=0)
    # Prefer the orientation whose long axis points rightwards (or downwards if vertical).
    axis = q[1] - q[0]
    if axis[0] < 0 or (abs(axis[0]) < 1e-6 and axis[1] < 0):
        q = np.roll(q, 2, axis=0)
    return q
