"""PaddleOCR's PP-OCR models (detector, angle classifier, recogniser) on the inference
adapter (``kyc.inference``: OpenVINO by default, onnxruntime as the fallback), with model
files verified against the manifest.

The engine is built once per process and reused; every call is stateless (safe to share
between threads). Unlike RapidOCR's default pipeline it never upscales for detection and
exposes per-character probabilities with runner-up characters, which the field
validators use to resolve OCR confusions with check characters.

Input shapes and compiled models: OpenVINO runs a model fastest on a shape it has seen
before (a fixed-shape compile, or a shape its dynamic-shape model has already prepared:
the first run of a new shape there costs 1.5-2.3 times a later one), so the engine keeps
the shapes few. Detection canvases are already multiples of 32 (and nearly always one
of a few photo aspects); the angle classifier runs in batches of exactly ``CLS_BATCH``
rows, the last padded with empty rows (rows are independent: padding changes no row's
result); recognition widths are rounded up to a multiple of ``rec_width_step`` (the
right side padded, as the narrower line of a batch always was), and the workers run
each width up to ``REC_WARM_WIDTH`` once at start. That padding changes the
recogniser's numbers a little (it mixes the whole line) and is a setting of the
results' fingerprint; both back ends see the same inputs (docs/runtime.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from kyc.inference import Model, RuntimeSettings, Shape, load_model
from kyc.modelfiles import resolve
from kyc.ocr.layout import axes_agree, long_axis_angle, quad_height, quad_length
from kyc.ocr.settings import OcrSettings

FloatArray = npt.NDArray[np.float32]
Image = npt.NDArray[np.uint8]
Quad = npt.NDArray[np.float32]  # 4x2, image coordinates


# A run of the detection map at least this many line heights long along the text's
# direction is text (crossed_lines): a character is about one long, a watermark stroke
# across the line about one over the sine of its angle.
CROSS_RUN = 2.5


def _quads(boxes: Sequence[npt.ArrayLike], w: int, h: int) -> list[Quad]:
    """Boxes as quads inside the image, without slivers of 3 px or less across."""
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


@dataclass(frozen=True)
class CharReading:
    char: str
    prob: float
    alternatives: tuple[tuple[str, float], ...]  # runner-up characters at that step
    # Where along the crop the recogniser emitted it: the middle of its time step, as a
    # share of the crop's width (-1: not known)
    at: float = -1.0


@dataclass(frozen=True)
class TextReading:
    text: str
    chars: tuple[CharReading, ...]


class OcrEngine:
    """PP-OCRv4 det + rec and the v2 angle classifier."""

    REC_HEIGHT = 48
    CLS_SHAPE = (48, 192)
    CLS_BATCH = 8
    # Detection canvases of photos at the usual aspects (4:3, 16:9, either way up) at
    # the default 736 px: compiled when a worker starts.
    COMMON_CANVASES = ((544, 736), (736, 544), (416, 736), (736, 416))
    # Recognition widths up to this are run once when a worker starts (wider lines are
    # rare: a license's long address or scope line).
    REC_WARM_WIDTH = 1024

    def __init__(
        self, settings: OcrSettings, models_dir: Path, runtime: RuntimeSettings | None = None
    ) -> None:
        from rapidocr_onnxruntime.ch_ppocr_det.utils import DBPostProcess

        self.settings = settings
        self.runtime = runtime or RuntimeSettings()
        threads = settings.threads
        self._det: Model = load_model(resolve("ppocr_det", models_dir), self.runtime, threads)
        # Recognition widths vary line by line: one compiled model per width would be
        # compiled more often than run, so they run on the dynamic-shape model.
        self._rec: Model = load_model(
            resolve("ppocr_rec", models_dir), self.runtime, threads, fixed_shapes=False
        )
        self._cls: Model = load_model(resolve("ppocr_cls", models_dir), self.runtime, threads)
        self._charset: list[str] = ["", *self._rec.metadata["character"].splitlines(), " "]
        self._printed = np.array(mainland_print(self._charset), dtype=np.float32)
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
        found, crossed = self.detect_apart(image, max_side)
        return [*found, *crossed()]

    def detect_apart(
        self, image: Image, max_side: int | None = None
    ) -> tuple[list[Quad], Callable[[], list[Quad]]]:
        """The quads the detector boxes, and apart from them (worked out only when
        called) the lines recovered where another stroke crossed them
        (``_crossed_lines``)."""
        h, w = image.shape[:2]
        _n, _c, rh, rw = self.det_shape(h, w, max_side)
        resized = cv2.resize(image, (rw, rh), interpolation=cv2.INTER_AREA)
        # (x / 255 - 0.5) / 0.5, channels first, in one pass
        blob = cv2.dnn.blobFromImage(resized, 1 / 127.5, mean=(127.5, 127.5, 127.5))
        pred = self._det.run({self._det.input_names[0]: blob})[0]
        boxes, _scores = self._post(pred, (h, w))
        return _quads(boxes, w, h), lambda: _quads(
            self._crossed_lines(pred, list(boxes), (h, w)), w, h
        )

    def _crossed_lines(
        self,
        pred: npt.NDArray[np.float32],
        boxes: list[npt.NDArray[np.float32]],
        size: tuple[int, int],
    ) -> list[npt.NDArray[np.float32]]:
        """Lines lost where another stroke crosses them: a watermark written across the
        page (仅供办理备案使用) joins each line it crosses into one X-shaped region of
        the probability map, whose box is mostly empty and scores under the box
        threshold, so the whole line goes (a license's address, clean, under a faint
        pink diagonal). The map is opened with a line as long as CROSS_RUN line
        heights along the text's own direction (the peak of the boxes' directions):
        what runs that far along the text stays, strokes across it go. A box found
        there is added unless a box along the text already covers half of it (a
        watermark's tilted box over the line does not count)."""
        if len(boxes) < 3:
            return []
        h, w = size
        mh, mw = pred.shape[2:]
        to_map = np.array([mw / w, mh / h], np.float32)
        known = [np.asarray(b, np.float32) for b in boxes]
        on_map = [q * to_map for q in known]
        # the text's direction: the peak of the lines' directions weighted by length (a
        # mean would lean toward the watermark's long diagonals)
        bins = np.zeros(180)
        for q in on_map:
            angle = round(math.degrees(long_axis_angle(q))) % 180
            bins[angle] += quad_length(q)
        smooth = np.convolve(np.concatenate([bins[-3:], bins, bins[:3]]), np.ones(7), "valid")
        theta = math.radians(float(np.argmax(smooth)))
        run = max(5, round(CROSS_RUN * float(np.median([quad_height(q) for q in on_map]))))
        kernel = np.zeros((run, run), np.uint8)
        c = (run - 1) / 2
        dx, dy = math.cos(theta) * c, math.sin(theta) * c
        cv2.line(kernel, (round(c - dx), round(c - dy)), (round(c + dx), round(c + dy)), 1, 1)
        bitmap = (pred[0, 0] > 0.3).astype(np.uint8)
        along = cv2.morphologyEx(bitmap, cv2.MORPH_OPEN, kernel)
        if int(along.sum()) == int(bitmap.sum()):
            return []  # nothing crosses the text
        found, _ = self._post(pred * along[None, None].astype(np.float32), size)
        text_boxes = [
            k
            for k, q in zip(known, on_map, strict=True)
            if axes_agree(long_axis_angle(q), theta, math.radians(15))
        ]
        out = []
        for b in found:
            q = np.asarray(b, np.float32)
            half = 0.5 * max(1.0, float(cv2.contourArea(q)))
            if not any(cv2.intersectConvexConvex(q, k)[0] >= half for k in text_boxes):
                out.append(q)
        return out

    # -- angle classification ------------------------------------------------------
    def upside_down(self, crops: list[Image]) -> list[float]:
        """Probability that each horizontal line crop is rotated by 180 degrees."""
        if not crops:
            return []
        ch, cw = self.CLS_SHAPE
        rows = np.stack([self._norm(c, ch, cw) for c in crops])
        probs: list[float] = []
        # Runs of exactly CLS_BATCH rows (the last padded): one compiled shape, warmed
        # at start, whatever the number of lines (40 lines in one batch of 40 were a new
        # shape: compiled in the request, 0.2 s).
        for start in range(0, len(rows), self.CLS_BATCH):
            batch = pad_rows(rows[start : start + self.CLS_BATCH], self.CLS_BATCH)
            out = self._cls.run({self._cls.input_names[0]: batch})[0]
            probs.extend(float(p[1]) for p in out[: len(rows) - start])
        return probs

    # -- recognition ---------------------------------------------------------------
    def recognize(self, crops: list[Image]) -> list[TextReading]:
        """Text of each horizontal line crop, batched by similar aspect ratio."""
        results: list[TextReading] = [TextReading("", ())] * len(crops)
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
        step = self.settings.rec_batch
        for start in range(0, len(order), step):
            idx = order[start : start + step]
            ratio = max(crops[i].shape[1] / crops[i].shape[0] for i in idx)
            width = rec_width(ratio, self.settings.rec_min_width, self.settings.rec_width_step)
            batch = np.stack([self._norm(crops[i], self.REC_HEIGHT, width) for i in idx])
            probs = only_printed(self._rec.run({self._rec.input_names[0]: batch})[0], self._printed)
            for row, i in enumerate(idx):
                # each time step covers width / steps columns of the batch; the crop
                # fills the first (its resized width) of them
                filled = _resized_width(crops[i], self.REC_HEIGHT, width)
                results[i] = self._decode(probs[row], width / probs.shape[1] / filled)
        return results

    # -- compiled shapes ------------------------------------------------------------
    def warm(self) -> None:
        """Prepare the shapes most photos need now rather than at the first requests:
        the detection canvases of photos (the usual aspects compiled), the classifier's
        one batch shape, the recognition widths (service and batch workers call this at
        start)."""
        ch, cw = self.CLS_SHAPE
        det = self._det.input_names[0]
        self._det.warm([{det: (1, 3, h, w)} for h, w in self.COMMON_CANVASES])
        # Photos of any other aspect up to about 2.3:1 either way up: prepared on the
        # dynamic-shape model (a first run there costs 1.5-2x a later one)
        side = self.det_shape(self.settings.det_max_side, self.settings.det_max_side)[2]
        others = [
            canvas
            for short in range(320, side, 32)
            for canvas in ((short, side), (side, short))
            if canvas not in self.COMMON_CANVASES
        ]
        self._det.warm([{det: (1, 3, h, w)} for h, w in [(side, side), *others]], fixed=False)
        self._cls.warm([{self._cls.input_names[0]: (self.CLS_BATCH, 3, ch, cw)}])
        step, least = self.settings.rec_width_step, self.settings.rec_min_width
        widths = range(rec_width(0.0, least, step), self.REC_WARM_WIDTH + 1, step)
        self._rec.warm(
            [
                {self._rec.input_names[0]: (n, 3, self.REC_HEIGHT, w)}
                for n in range(1, self.settings.rec_batch + 1)
                for w in widths
            ]
        )

    def det_shape(self, h: int, w: int, max_side: int | None = None) -> Shape:
        """The detector's input shape for an ``h`` x ``w`` image."""
        return det_input_shape(h, w, max_side or self.settings.det_max_side)

    def _decode(self, probs: FloatArray, step_share: float = 0.0) -> TextReading:
        """Best path decoding; ``step_share``: one time step's share of the crop's
        width (for ``CharReading.at``)."""
        best = probs.argmax(axis=1)
        chars: list[CharReading] = []
        prev = -1
        for t, k in enumerate(best):
            if k != 0 and k != prev:
                row = probs[t]
                top = np.argpartition(row, -4)[-4:]
                top = top[np.argsort(row[top])[::-1]]
                alts = tuple((self._charset[j], float(row[j])) for j in top if j not in (0, k))[:3]
                at = (t + 0.5) * step_share if step_share else -1.0
                chars.append(CharReading(self._charset[k], float(probs[t, k]), alts, at))
            prev = int(k)
        return TextReading("".join(c.char for c in chars), tuple(chars))

    @staticmethod
    def _norm(crop: Image, height: int, width: int) -> FloatArray:
        new_w = _resized_width(crop, height, width)
        resized = cv2.resize(crop, (new_w, height), interpolation=cv2.INTER_LINEAR)
        out = np.zeros((3, height, width), dtype=np.float32)
        out[:, :, :new_w] = ((resized.astype(np.float32) / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)
        return out


def mainland_print(charset: Sequence[str]) -> list[bool]:
    """Which of the recogniser's characters the documents we read may print: all but the
    traditional forms that simplified Chinese replaced (CC-CEDICT's traditional
    characters that are not also simplified ones, ``zhon.cedict``: 廣, 會, 號, not 乾 or
    后) and Japanese kana. The recogniser learnt both Chinese scripts and Japanese; on
    our documents (mainland ones, and passport data pages in Latin letters) a
    traditional form is a misread of the simplified character printed there, and a kana
    a misread of something else (a run of MRZ fillers read as へへへ)."""
    from zhon import cedict

    traditional_only = set(cedict.traditional) - set(cedict.simplified)
    return [c not in traditional_only and not _kana(c) for c in charset]


def _kana(c: str) -> bool:
    """Hiragana, katakana (with the phonetic extensions) and half-width katakana; not
    the katakana middle dot and long-vowel mark, which stand for the · and the dash that
    Chinese print uses too."""
    if len(c) != 1 or c in "・ー":
        return False
    return 0x3041 <= ord(c) <= 0x30FF or 0x31F0 <= ord(c) <= 0x31FF or 0xFF66 <= ord(c) <= 0xFF9D


def only_printed(probs: FloatArray, printed: FloatArray) -> FloatArray:
    """The recogniser's per-step probabilities given that only ``printed`` characters
    (a 0/1 weight per class, the CTC blank included as 1) can be on the page: the others
    set to 0 and each step renormalised."""
    kept = probs * printed
    total = kept.sum(axis=-1, keepdims=True)
    return np.asarray(kept / np.maximum(total, np.float32(1e-12)), dtype=np.float32)


def rec_width(ratio: float, least: int, step: int, height: int = OcrEngine.REC_HEIGHT) -> int:
    """The recogniser's input width for a batch whose widest line is ``ratio`` times as
    wide as high: that line at the model's height, at least ``least`` px, rounded up to a
    multiple of ``step`` (the narrower lines, and the rest of the step, are padded)."""
    natural = max(int(math.ceil(height * max(ratio, least / height))), 16)
    return -(-natural // step) * step


def _resized_width(crop: Image, height: int, width: int) -> int:
    """The width a line crop takes in a model input ``height`` high and ``width`` wide:
    scaled to the height, cut at the width."""
    h, w = crop.shape[:2]
    return min(width, max(1, int(math.ceil(height * w / h))))


def det_input_shape(h: int, w: int, limit: int) -> Shape:
    """The detector's input for an ``h`` x ``w`` image: scaled so that its longer side is
    at most ``limit`` (never up), each side rounded to a multiple of 32."""
    ratio = min(1.0, limit / max(h, w))
    return (1, 3, max(32, round(h * ratio / 32) * 32), max(32, round(w * ratio / 32) * 32))


def pad_rows(batch: FloatArray, multiple: int) -> FloatArray:
    """``batch`` with all-zero rows appended up to a multiple of ``multiple`` rows."""
    extra = -len(batch) % multiple
    if not extra:
        return batch
    return np.concatenate([batch, np.zeros((extra, *batch.shape[1:]), dtype=batch.dtype)])


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
