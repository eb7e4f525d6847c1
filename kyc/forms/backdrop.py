"""The backdrop photo check (stage 3 of RULES.md, R-DOC-1): the website principal alone,
in front of the operator's backdrop, face matching the ID portrait, the file a real JPEG
of at most 2 MB, not a photo of a screen, not blurred.

Pure measures (backdrop coverage, sharpness, screen pattern, file facts) on arrays and
bytes, and a thin shell (``check_backdrop``) that runs the face engine once per photo:
the faces are counted on the whole photo, and the match is the project's face match
(``kyc.liveness.match.compare_faces``, its calibrated 0..100 score) run on a crop around
the face found, so the photo is searched for faces only once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt

from kyc.config import ImageLimits
from kyc.errors import BadInput, ErrorCode
from kyc.forms.settings import BackdropSettings
from kyc.imageio import decode_image, sniff
from kyc.liveness.engine import Box, FaceEngine
from kyc.liveness.match import SCORE_AT_REVIEW, FaceComparison, compare_faces, largest_face
from kyc.liveness.replay import moire_peak
from kyc.liveness.scrfd import FaceCounter, default_face_counter
from kyc.liveness.settings import LivenessSettings

BGRImage = npt.NDArray[np.uint8]
Decision = Literal["pass", "review", "reject"]


@dataclass(frozen=True)
class FileFacts:
    jpeg: bool
    bytes: int
    within_limit: bool


def file_facts(data: bytes, max_bytes: int) -> FileFacts:
    """A real JPEG (by its bytes, not its name) of at most ``max_bytes``."""
    return FileFacts(sniff(data) == "jpeg", len(data), len(data) <= max_bytes)


@dataclass(frozen=True)
class BackdropCheck:
    faces: int
    match_score: float | None
    same_person: bool
    detected: bool
    coverage: float
    file: FileFacts
    reasons: tuple[str, ...]
    decision: Decision
    elapsed_ms: float = 0.0
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "faces": self.faces,
            "match": {
                "score": self.match_score if self.match_score is not None else 0.0,
                "same_person": self.same_person,
            },
            "backdrop": {"detected": self.detected, "coverage": round(self.coverage, 3)},
            "file": {
                "jpeg": self.file.jpeg,
                "bytes": self.file.bytes,
                "within_limit": self.file.within_limit,
            },
            "decision": self.decision,
            "reasons": list(self.reasons),
            "elapsed_ms": round(self.elapsed_ms, 1),
        }


# ---------------------------------------------------------------------------------------
# Pure measures
# ---------------------------------------------------------------------------------------


def person_mask(shape: tuple[int, ...], face: Box) -> npt.NDArray[np.bool_]:
    """Where the person probably is, from the face alone: the head (a little larger than
    the face box, hair included) and the shoulders and body below it, to the bottom."""
    h, w = shape[:2]
    m = np.zeros((h, w), np.uint8)
    cx, cy = (face.left + face.right) / 2, (face.top + face.bottom) / 2
    fw, fh = face.width, face.height
    cv2.ellipse(
        m, (int(cx), int(cy - 0.1 * fh)), (int(0.85 * fw), int(1.05 * fh)), 0, 0, 360, 1, -1
    )
    neck = face.bottom + 0.2 * fh
    body = np.array(
        [
            [cx - 0.7 * fw, neck],
            [cx + 0.7 * fw, neck],
            [cx + 2.0 * fw, face.bottom + 1.3 * fh],
            [cx + 2.4 * fw, h],
            [cx - 2.4 * fw, h],
            [cx - 2.0 * fw, face.bottom + 1.3 * fh],
        ],
        np.int32,
    )
    cv2.fillPoly(m, [body], 1)
    return m.astype(bool)


def behind_region(shape: tuple[int, ...], face: Box) -> npt.NDArray[np.bool_]:
    """The part of the photo that shows what is behind the person's head and shoulders:
    a box around the head (0.8 face heights above it, 1.9 face widths to each side of
    its centre, down to the shoulders), without the person."""
    h, w = shape[:2]
    cx = (face.left + face.right) / 2
    x0, x1 = int(max(0, cx - 1.9 * face.width)), int(min(w, cx + 1.9 * face.width))
    y0, y1 = int(max(0, face.top - 0.8 * face.height)), int(min(h, face.bottom + 1.0 * face.height))
    region = np.zeros((h, w), bool)
    region[y0:y1, x0:x1] = True
    return region & ~person_mask(shape, face)


def _lab(img: BGRImage) -> npt.NDArray[np.float32]:
    return np.asarray(cv2.cvtColor(img, cv2.COLOR_BGR2LAB), np.float32)


def plain_coverage(img: BGRImage, region: npt.NDArray[np.bool_], tol: float) -> float:
    """Share of ``region`` within ``tol`` (Lab distance) of its own dominant colour and
    smooth (a cloth of one colour: folds change the lightness slowly, not the hue)."""
    if region.sum() < 100:
        return 0.0
    lab = _lab(img)
    px = lab[region]
    centre = np.median(px, axis=0)
    # lightness may drift across folds and light; the colour itself may not
    d = np.sqrt(((px[:, 1:] - centre[1:]) ** 2).sum(axis=1) + (0.35 * (px[:, 0] - centre[0])) ** 2)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)
    grad = cv2.Laplacian(cv2.GaussianBlur(gray, (0, 0), 1.5), cv2.CV_32F)
    smooth = np.abs(grad[region]) < 4.0
    return float(((d <= tol) & smooth).mean())


def reference_coverage(
    img: BGRImage, region: npt.NDArray[np.bool_], ref: BGRImage, tol: float
) -> float:
    """Share of ``region`` whose colour the reference backdrop photo also shows: each
    pixel's chroma within ``tol`` of one of the reference's chroma clusters, and its
    lightness inside the reference's range (widened for the scene's light)."""
    if region.sum() < 100:
        return 0.0
    rl = _lab(np.asarray(cv2.resize(ref, (160, 120), interpolation=cv2.INTER_AREA), np.uint8))
    rl = rl.reshape(-1, 3)
    px = _lab(img)[region]
    sample = px[:: max(1, len(px) // 20000)]
    # the reference's colours: its chroma histogram's occupied cells, dilated by tol
    bins = 64
    ra = np.clip(((rl[:, 1:] - 0.0) / 256.0 * bins).astype(int), 0, bins - 1)
    hist = np.zeros((bins, bins), np.float32)
    np.add.at(hist, (ra[:, 0], ra[:, 1]), 1.0)
    occupied = (hist >= max(2.0, 0.002 * len(rl))).astype(np.uint8)
    k = max(1, int(round(tol / 256.0 * bins)))
    occupied = np.asarray(cv2.dilate(occupied, np.ones((2 * k + 1, 2 * k + 1), np.uint8)), np.uint8)
    sa = np.clip((sample[:, 1:] / 256.0 * bins).astype(int), 0, bins - 1)
    chroma_ok = occupied[sa[:, 0], sa[:, 1]] > 0
    lo, hi = np.percentile(rl[:, 0], 1) - 45, np.percentile(rl[:, 0], 99) + 45
    light_ok = (sample[:, 0] >= lo) & (sample[:, 0] <= hi)
    return float((chroma_ok & light_ok).mean())


def _log_chroma(px: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
    """Per pixel (N x 3, BGR) the logs of green/red and blue/red: a camera's white balance
    multiplies each channel by a gain, which only shifts these two numbers, and light and
    shade multiply all three alike, which leaves them as they are."""
    lg = np.log(px.astype(np.float64) + 1.0)
    return np.stack([lg[:, 1] - lg[:, 2], lg[:, 0] - lg[:, 2]], axis=1)


def colour_cast(img: BGRImage, region: npt.NDArray[np.bool_], ref: BGRImage) -> float:
    """How far the colour behind the person lies from the reference backdrop's, beyond
    light and shade: the distance of the two median log-chromaticities (``_log_chroma``).
    Two photos of one cloth differ by their white balances only (ratios off by a few
    percent: 0.10 is 7% on each); two cloths of close colours may differ by no more (a
    grey and a pale blue: 10% and 18%). Medians, so a printed name, the hair at the
    region's edge or a strip of wall beside the cloth do not move it."""
    if region.sum() < 100:
        return float("inf")
    small = np.asarray(cv2.resize(ref, (160, 120), interpolation=cv2.INTER_AREA), np.uint8)
    here = np.median(_log_chroma(img[region]), axis=0)
    there = np.median(_log_chroma(small.reshape(-1, 3)), axis=0)
    return float(np.hypot(*(here - there)))


def sharpness(face_crop: BGRImage) -> float:
    """Gradient energy of the face scaled to 160 px wide, per unit of its contrast: a
    focused face has sharp edges (eyes, lips, hairline) whatever its exposure."""
    gray = np.asarray(cv2.cvtColor(face_crop, cv2.COLOR_BGR2GRAY), np.float32)
    h, w = gray.shape
    if w < 8 or h < 8:
        return 0.0
    gray = np.asarray(
        cv2.resize(gray, (160, max(8, round(160 * h / w))), interpolation=cv2.INTER_AREA),
        np.float32,
    )
    contrast = float(np.percentile(gray, 95) - np.percentile(gray, 5))
    if contrast < 10:
        return 0.0
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    return float(np.percentile(np.sqrt(gx * gx + gy * gy), 95)) / contrast


def motion_streak(img: BGRImage, face: Box, min_lag_rel: float = 0.06) -> float:
    """How deeply the face's second derivative along some direction correlates negatively
    with itself a stroke's length away (0 = not at all, 0.5 = an ideal streak): a
    camera moved during the exposure adds the scene to itself shifted along its path, so
    every edge turns into a pair of edges one path length apart (derivative-correlation
    blur estimation, as in Yitzhaky and Kopeika). The second derivative decorrelates a
    face's own shapes within a few pixels, so a focused face scores near zero at lags
    beyond ``min_lag_rel`` of its width (a shake that short leaves the face legible).
    Measured on the face and a 0.3-face margin (in front of a backdrop: plain cloth; a
    margin helps, 0.15 or none below the chin separated worse), scaled to a 200 px wide
    face; 16 directions, lags up to 30% of its width. A repeated pattern beside the face
    (blinds, stripes) correlates negatively at half its period too and reads as a
    streak; so does a defocus wider than the lag limit (the second derivative of a
    blurred edge is a pair of lobes), which is blur as well."""
    h, w = img.shape[:2]
    m = 0.3
    crop = img[
        int(max(0, face.top - m * face.height)) : int(min(h, face.bottom + m * face.height)),
        int(max(0, face.left - m * face.width)) : int(min(w, face.right + m * face.width)),
    ]
    if face.width < 16 or crop.shape[0] < 16 or crop.shape[1] < 16:
        return 0.0
    gray = np.asarray(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY), np.float32)
    k = 200.0 / face.width
    gray = np.asarray(
        cv2.resize(
            gray, None, fx=k, fy=k, interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
        ),
        np.float32,
    )
    gray = np.asarray(cv2.GaussianBlur(gray, (0, 0), 1.5), np.float32)
    h, w = gray.shape
    parts = [
        cv2.Sobel(gray, cv2.CV_32F, 2, 0, ksize=3),
        cv2.Sobel(gray, cv2.CV_32F, 1, 1, ksize=3),
        cv2.Sobel(gray, cv2.CV_32F, 0, 2, ksize=3),
    ]
    shape = (2 * h, 2 * w)  # zero-padded: linear, not circular, correlation
    spectra = [np.fft.rfft2(p - p.mean(), s=shape) for p in parts]
    # the directional second derivative is c2*xx + 2cs*xy + s2*yy: its autocorrelation is
    # the same quadratic form over the nine cross-correlations of the three parts
    cross = [
        [np.fft.fftshift(np.fft.irfft2(a * np.conj(b), s=shape)) for b in spectra] for a in spectra
    ]
    first = max(2, round(min_lag_rel * 200))
    lags = np.arange(first, 61, dtype=np.float32)
    deepest = 0.0
    for i in range(16):
        t = np.pi * i / 16
        c, s = float(np.cos(t)), float(np.sin(t))
        wts = (c * c, 2 * c * s, s * s)
        ys, xs = h + lags * s, w + lags * c
        y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
        fy, fx = ys - y0, xs - x0
        ray = np.zeros(len(lags), np.float64)
        zero = 0.0
        for a in range(3):
            for b in range(3):
                r = cross[a][b]
                ab = wts[a] * wts[b]
                ray += ab * (
                    r[y0, x0] * (1 - fy) * (1 - fx)
                    + r[y0 + 1, x0] * fy * (1 - fx)
                    + r[y0, x0 + 1] * (1 - fy) * fx
                    + r[y0 + 1, x0 + 1] * fy * fx
                )
                zero += ab * float(r[h, w])
        if zero > 1e-9:
            deepest = min(deepest, float(ray.min()) / zero)
    return -deepest


def screen_peak(img: BGRImage, face: Box) -> float:
    """The strongest narrow spectral peak (``moire_peak``) of a 96 px patch at full
    resolution in the middle of the face: a screen's pixel grid and its moiré lie over
    the face as over everything it shows; skin does not repeat. (Beside the face a
    cloth's weave does: tuned genuine photos reached 2107 there, 93 on the face.)"""
    gray = np.asarray(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), np.uint8)
    h, w = gray.shape
    cx, cy = int((face.left + face.right) / 2), int((face.top + face.bottom) / 2)
    size = 96
    x0, y0 = max(0, min(w - size, cx - size // 2)), max(0, min(h - size, cy - size // 2))
    patch = gray[y0 : y0 + size, x0 : x0 + size]
    if patch.shape != (size, size):
        return 0.0
    v = moire_peak(patch, size)
    return float(v) if np.isfinite(v) else 0.0


def decide(
    faces: int,
    score: float | None,
    same: bool,
    detected: bool,
    file: FileFacts,
    screen: bool,
    blurred: bool,
    backdrop_unsure: bool = False,
) -> tuple[tuple[str, ...], Decision]:
    reasons: list[str] = []
    review: list[str] = []
    if not file.jpeg:
        reasons.append("NOT_JPEG")
    if not file.within_limit:
        reasons.append("FILE_TOO_LARGE")
    if faces == 0:
        reasons.append("NO_FACE")
    elif faces > 1:
        reasons.append("MULTIPLE_FACES")
    if faces >= 1 and score is not None and not same:
        if score >= SCORE_AT_REVIEW:
            review.append("FACE_MATCH_UNCERTAIN")
        else:
            reasons.append("FACE_MISMATCH")
    if faces >= 1 and not detected:
        reasons.append("NO_BACKDROP")
    elif faces >= 1 and backdrop_unsure:
        review.append("BACKDROP_UNCERTAIN")
    if screen:
        reasons.append("SCREEN_PHOTO")
    if blurred:
        reasons.append("BLUR")
    decision: Decision = "reject" if reasons else ("review" if review else "pass")
    return (*reasons, *review), decision


# ---------------------------------------------------------------------------------------
# Shell
# ---------------------------------------------------------------------------------------


def find_faces(
    img: BGRImage,
    engine: FaceEngine,
    settings: BackdropSettings,
    counter: FaceCounter | None = None,
) -> list[Box]:
    """Faces of the photo (largest first), found once on a copy at most ``detect_side``
    px long; faces much smaller than the largest (a picture on the wall) do not count.
    The HOG detector's faces first (the check works on them); then, with a ``counter``,
    the faces the CNN counts that no HOG face holds (a tightly cut face beside the
    principal, which HOG misses): they count and are matched too."""
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    k = min(1.0, settings.detect_side / max(h, w))
    small = np.asarray(cv2.resize(gray, None, fx=k, fy=k, interpolation=cv2.INTER_AREA), np.uint8)
    boxes = engine.detect_counting(small, settings.second_face_min_rel) or engine.detect(small, 1)
    boxes = [b.scaled(1.0 / k) for b in boxes]
    if not boxes:
        return []
    big = boxes[0].width
    faces = [b for b in boxes if b.width >= settings.second_face_min_rel * big]
    if counter is not None:
        cnn = counter.detect(img, settings.count_min_score)  # it scales the photo itself
        if cnn:
            cnn = [b for b in cnn if b.width >= settings.second_face_min_rel * cnn[0].width]
        if len(cnn) > len(faces):
            faces += [b for b in cnn if not any(_holds(f, b) for f in faces)]
    return faces


def _holds(a: Box, b: Box) -> bool:
    """Box ``a`` holds the centre of box ``b``: one face found by two detectors."""
    cx, cy = (b.left + b.right) / 2, (b.top + b.bottom) / 2
    return a.left <= cx <= a.right and a.top <= cy <= a.bottom


def check_backdrop(
    data: bytes,
    portrait: BGRImage,
    reference: BGRImage | None,
    engine: FaceEngine,
    settings: BackdropSettings,
    liveness: LivenessSettings,
    limits: ImageLimits,
    counter: FaceCounter | None = None,
) -> BackdropCheck:
    """The check of one backdrop photo; ``counter`` (the CNN that counts people) is the
    process's own when not given."""
    started = time.perf_counter()
    file = file_facts(data, settings.max_bytes)
    img = decode_image(data, limits, "backdrop photo")
    faces = find_faces(img, engine, settings, counter or default_face_counter())
    evidence: dict[str, Any] = {}
    score: float | None = None
    same = False
    detected = False
    coverage = 0.0
    screen = blurred = unsure = False
    cast: float | None = None
    if faces:
        face = faces[0]
        h, w = img.shape[:2]
        # the match runs on a crop around the face: its own detection then searches a
        # small image (the face engine's cost is in the search)
        m = 1.0
        x0, y0 = int(max(0, face.left - m * face.width)), int(max(0, face.top - m * face.height))
        x1, y1 = (
            int(min(w, face.right + m * face.width)),
            int(min(h, face.bottom + m * face.height)),
        )
        crop = np.ascontiguousarray(img[y0:y1, x0:x1])
        try:
            cmp = compare_faces(crop, portrait, liveness, engine)
        except BadInput as exc:
            if exc.code != ErrorCode.NO_FACE:
                raise
            largest_face(portrait, engine, liveness)  # NO_FACE of the portrait: bad input
            # the face found on the whole photo is too blurred or small to embed
            cmp = FaceComparison(0.0, False, 1.0, 0.0)
        for other in faces[1:3]:  # with several people, the principal may be any of them
            ox0, oy0 = (
                int(max(0, other.left - m * other.width)),
                int(max(0, other.top - m * other.height)),
            )
            ox1, oy1 = (
                int(min(w, other.right + m * other.width)),
                int(min(h, other.bottom + m * other.height)),
            )
            try:
                alt = compare_faces(
                    np.ascontiguousarray(img[oy0:oy1, ox0:ox1]), portrait, liveness, engine
                )
            except BadInput:
                continue  # a second face too small or blurred to embed
            if alt.score > cmp.score:
                cmp = alt
        score, same = cmp.score, cmp.same_person
        region = behind_region(img.shape, face)
        for other in faces[1:]:
            region &= ~person_mask(img.shape, other)
        small_k = min(1.0, 480 / max(h, w))
        small = np.asarray(
            cv2.resize(img, None, fx=small_k, fy=small_k, interpolation=cv2.INTER_AREA), np.uint8
        )
        small_region = (
            cv2.resize(
                region.astype(np.uint8),
                (small.shape[1], small.shape[0]),
                interpolation=cv2.INTER_NEAREST,
            )
            > 0
        )
        if reference is not None:
            coverage = reference_coverage(
                small, small_region, reference, settings.reference_tolerance
            )
            cast = colour_cast(small, small_region, reference)
        else:
            coverage = plain_coverage(small, small_region, settings.plain_tolerance)
        need = settings.min_coverage if reference is None else settings.min_coverage_reference
        detected = coverage >= need and (cast is None or cast <= settings.reference_max_cast)
        unsure = cast is not None and cast > settings.reference_sure_cast
        fcrop = img[
            int(max(0, face.top)) : int(face.bottom), int(max(0, face.left)) : int(face.right)
        ]
        sharp = sharpness(fcrop)
        streak = motion_streak(img, face)
        peak = screen_peak(img, face)
        screen = peak >= settings.screen_min_peak
        blurred = sharp < settings.min_sharpness or streak >= settings.max_streak
        evidence = {
            "face_box": [round(v, 1) for v in (face.left, face.top, face.right, face.bottom)],
            "sharpness": round(sharp, 3),
            "streak": round(streak, 3),
            "screen_peak": round(peak, 1),
            "colour_cast": None if cast is None else round(cast, 3),
            "distance": None if cmp.distance is None else round(cmp.distance, 4),
        }
    reasons, decision = decide(
        len(faces), score, same, detected, file, screen, blurred, backdrop_unsure=unsure
    )
    return BackdropCheck(
        faces=len(faces),
        match_score=score,
        same_person=same,
        detected=detected,
        coverage=coverage,
        file=file,
        reasons=reasons,
        decision=decision,
        elapsed_ms=(time.perf_counter() - started) * 1000.0,
        evidence=evidence,
    )
