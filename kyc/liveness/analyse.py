"""The imperative pass over a video: detect at reduced resolution, track between frames,
68 landmarks (and, given the model, the 468-point face mesh) on every analysed frame,
embeddings only on a few sharp, frontal frames.

Output is a plain ``Track``; everything after it (signals, events, decisions) is pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from kyc.liveness.engine import Box, Embedding, FaceEngine, box_of, count_faces
from kyc.liveness.evaluate import is_cut
from kyc.liveness.facemesh import MIN_SCORE, FaceMeshModel
from kyc.liveness.replay import ROW_BINS, framing_sides, moire_peak, row_profile
from kyc.liveness.settings import LivenessSettings
from kyc.liveness.signals import Landmarks, derolled
from kyc.liveness.video import Frame, GrayImage, VideoInfo, VideoReader, to_rgb

THUMB = 16


@dataclass
class _Candidate:
    segment: int  # shot between scene cuts
    t: float
    quality: float
    frame: Frame  # kept undecoded to RGB until chosen
    box: Box  # face box in the upright, full-resolution frame


@dataclass(frozen=True)
class Track:
    info: VideoInfo
    times: list[float]
    shapes: list[Landmarks | None]
    thumbs: npt.NDArray[np.float32]  # (N, THUMB*THUMB) grey face-area thumbnails
    scene_thumbs: npt.NDArray[np.float32]  # (N, THUMB*THUMB) grey whole-frame thumbnails
    face_counts: list[int]  # faces per full-frame detection
    embeddings: list[tuple[float, Embedding]]  # (t, embedding) from sharp frontal frames
    embedding_segments: list[int]  # the shot (between scene cuts) of each embedding
    cuts: list[float]  # times of scene cuts (abrupt whole-frame changes)
    best_frame: npt.NDArray[np.uint8] | None  # RGB crop of the best frame
    best_t: float | None
    duration_s: float
    decoded_frames: int = 0
    analysed_frames: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    moire: list[float] = field(default_factory=list)  # per analysed frame (NaN: no face)
    brightness_t: list[float] = field(default_factory=list)  # every decoded frame
    brightness: list[float] = field(default_factory=list)  # its mean grey level
    row_profiles: npt.NDArray[np.float32] = field(  # (N, ROW_BINS) per analysed frame
        default_factory=lambda: np.zeros((0, ROW_BINS), np.float32)
    )
    framing: list[int] = field(default_factory=list)  # framing_sides (-1: not measured)
    # the face mesh's points per analysed frame (None: no face, or the mesh not trusted);
    # None when the analysis ran without the mesh model
    meshes: list[Landmarks | None] | None = None


def _resize(img: GrayImage, scale: float) -> GrayImage:
    import cv2

    if abs(scale - 1.0) < 1e-3:
        return img
    h, w = img.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(cv2.resize(img, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _clip_box(box: Box, w: int, h: int) -> Box | None:
    left, top = max(0.0, box.left), max(0.0, box.top)
    right, bottom = min(float(w - 1), box.right), min(float(h - 1), box.bottom)
    if right - left < 8 or bottom - top < 8:
        return None
    return Box(left, top, right, bottom, box.score)


def _expand(box: Box, f: float) -> Box:
    cx, cy = (box.left + box.right) / 2, (box.top + box.bottom) / 2
    hw, hh = box.width * (0.5 + f), box.height * (0.5 + f)
    return Box(cx - hw, cy - hh, cx + hw, cy + hh, box.score)


def _deviation(a: Box, b: Box) -> float:
    """How far box b is from box a, in units of a's width (centre shift + size change)."""
    w = max(a.width, 1.0)
    dcx = abs((a.left + a.right) - (b.left + b.right)) / 2
    dcy = abs((a.top + a.bottom) - (b.top + b.bottom)) / 2
    return max(dcx, dcy) / w + abs(a.width - b.width) / w


def _full_detect(
    engine: FaceEngine, gray: GrayImage, settings: LivenessSettings
) -> tuple[Box | None, int]:
    scale = min(1.0, settings.detect_short_side / min(gray.shape[:2]))
    small = _resize(gray, scale)
    boxes = engine.detect_counting(small, settings.second_face_min_rel)
    if not boxes:
        return None, 0
    return boxes[0].scaled(1.0 / scale), count_faces(boxes, settings.second_face_min_rel)


def _roi_detect(engine: FaceEngine, gray: GrayImage, prev: Box) -> Box | None:
    h, w = gray.shape[:2]
    roi = _clip_box(_expand(prev, 0.5), w, h)
    if roi is None:
        return None
    x0, y0, x1, y1 = int(roi.left), int(roi.top), int(roi.right), int(roi.bottom)
    crop = gray[y0:y1, x0:x1]
    scale = min(1.0, 100.0 / max(prev.width, 1.0))  # face ~100 px: above HOG's 80 px window
    boxes = engine.detect(_resize(crop, scale))
    if not boxes:
        return None
    return boxes[0].scaled(1.0 / scale, x0, y0)


def _landmarks(engine: FaceEngine, gray: GrayImage, box: Box) -> Landmarks:
    """68 landmarks, computed on a crop around the box (the predictor only samples pixels
    near the box; handing dlib the whole frame costs a full-frame conversion per call)."""
    h, w = gray.shape[:2]
    roi = _clip_box(_expand(box, 0.5), w, h)
    if roi is None:
        return engine.landmarks(gray, box)
    x0, y0, x1, y1 = int(roi.left), int(roi.top), int(roi.right) + 1, int(roi.bottom) + 1
    crop = np.ascontiguousarray(gray[y0:y1, x0:x1])
    pts = engine.landmarks(crop, box.scaled(1.0, -x0, -y0))
    out: Landmarks = pts + np.array([x0, y0], dtype=np.float64)
    return out


def _thumb(gray: GrayImage, box: Box | None) -> npt.NDArray[np.float32]:
    import cv2

    h, w = gray.shape[:2]
    region = gray
    if box is not None:
        b = _clip_box(box, w, h)
        if b is not None:
            region = gray[int(b.top) : int(b.bottom), int(b.left) : int(b.right)]
    # cheap pre-shrink by striding: each thumbnail pixel still averages >= ~100 samples
    step = max(1, min(region.shape[:2]) // (THUMB * 10))
    region = region[::step, ::step]
    small = cv2.resize(region, (THUMB, THUMB), interpolation=cv2.INTER_AREA)
    return np.asarray(small, dtype=np.float32).reshape(-1)


def _moire(gray: GrayImage, box: Box) -> float:
    """Spectral peak of the face's inner region (moiré of a screen), see replay.py."""
    h, w = gray.shape[:2]
    b = _clip_box(_expand(box, -0.2), w, h)  # the inner 60%: skin, no hair or background
    if b is None:
        return math.nan
    return moire_peak(gray[int(b.top) : int(b.bottom), int(b.left) : int(b.right)])


def _quality(gray: GrayImage, box: Box, pts: Landmarks) -> float:
    """Sharp, frontal, eyes open, large: what an embedding and a reviewer want."""
    import cv2

    h, w = gray.shape[:2]
    b = _clip_box(box, w, h)
    if b is None:
        return 0.0
    face = gray[int(b.top) : int(b.bottom), int(b.left) : int(b.right)]
    face = _resize(face, min(1.0, 96.0 / max(face.shape)))
    sharp = float(cv2.Laplacian(face, cv2.CV_32F).var())
    p = derolled(pts)
    jaw = p[16, 0] - p[0, 0]
    yaw = abs((p[30, 0] - (p[0, 0] + p[16, 0]) / 2) / jaw) if abs(jaw) > 1e-6 else 1.0
    eye_w = abs(p[39, 0] - p[36, 0]) + abs(p[45, 0] - p[42, 0])
    eye_h = abs(p[41, 1] - p[37, 1]) + abs(p[46, 1] - p[44, 1])
    eyes = min(1.0, 4.0 * eye_h / max(eye_w, 1e-6))
    frontal = max(0.0, 1.0 - 4.0 * yaw)
    size = min(1.0, box.width / 120.0)
    return float(math.log1p(sharp) * frontal * eyes * size)


def analyse(
    path: Path, engine: FaceEngine, settings: LivenessSettings, mesh: FaceMeshModel | None = None
) -> Track:
    """One pass over the video, with the face mesh on every frame with a face when
    ``mesh`` is given. Raises BadInput (via VideoReader) for unusable files."""
    import time

    reader = VideoReader(path, settings)
    step = 1.0 / settings.analysis_fps
    next_t = 0.0
    next_full = 0.0
    times: list[float] = []
    shapes: list[Landmarks | None] = []
    meshes: list[Landmarks | None] = []
    thumbs: list[npt.NDArray[np.float32]] = []
    counts: list[int] = []
    slots: dict[tuple[int, int], _Candidate] = {}
    prev: Landmarks | None = None
    prev_box: Box | None = None
    prev_scene: npt.NDArray[np.float32] | None = None
    scene_diffs: list[float] = []
    scenes: list[npt.NDArray[np.float32]] = []
    cuts: list[float] = []
    since_roi = 0
    decoded = 0
    last_t = 0.0
    timing = {"detect": 0.0, "landmarks": 0.0, "mesh": 0.0, "select": 0.0}
    frame: Frame
    moire: list[float] = []
    bright_t: list[float] = []
    bright: list[float] = []
    rows: list[npt.NDArray[np.float32]] = []
    framing: list[int] = []
    for frame in reader.frames(settings.decode_prefetch):
        decoded += 1
        last_t = frame.t
        bright_t.append(frame.t)
        bright.append(float(frame.gray[::4, ::4].mean()))
        if frame.t + 1e-6 < next_t:
            continue
        next_t = frame.t + step - 0.25 * step
        gray = frame.gray
        h, w = gray.shape[:2]
        box: Box | None = None
        t0 = time.perf_counter()
        scene = _thumb(gray, None)
        if prev_scene is not None:
            diff = float(np.abs(scene - prev_scene).mean())
            if is_cut(diff, scene_diffs, settings):
                cuts.append(frame.t)
                prev = None  # re-detect after a cut
            scene_diffs.append(diff)
        prev_scene = scene
        scenes.append(scene)
        rows.append(row_profile(gray))
        detected = True  # the frontal face detector sees the face in this very frame
        if prev is None or frame.t >= next_full:
            box, n = _full_detect(engine, gray, settings)
            counts.append(n)
            next_full = frame.t + settings.full_detect_every_s
            since_roi = 0
        else:
            box = box_of(prev)
            if prev_box is not None:  # constant-velocity prediction
                dx = (box.left + box.right - prev_box.left - prev_box.right) / 2
                dy = (box.top + box.bottom - prev_box.top - prev_box.bottom) / 2
                box = box.scaled(1.0, dx, dy)
            since_roi += 1
            detected = False
            if since_roi >= settings.roi_detect_every:
                detected = True
                since_roi = 0
                found = _roi_detect(engine, gray, box)
                if found is None:
                    box, n = _full_detect(engine, gray, settings)
                    counts.append(n)
                else:
                    box = found
        t1 = time.perf_counter()
        timing["detect"] += t1 - t0
        pts: Landmarks | None = None
        if box is not None:
            cx, cy = (box.left + box.right) / 2, (box.top + box.bottom) / 2
            if 0 <= cx < w and 0 <= cy < h:
                pts = _landmarks(engine, gray, box)
                fitted = box_of(pts)
                if _deviation(box, fitted) > 0.08:  # the box lagged the face: refit once
                    pts = _landmarks(engine, gray, fitted)
                    box = box_of(pts)
        t2 = time.perf_counter()
        timing["landmarks"] += t2 - t1
        if mesh is not None:
            fit = mesh.fit(gray, pts) if pts is not None else None
            meshes.append(fit.points if fit is not None and fit.score >= MIN_SCORE else None)
            t_mesh = time.perf_counter()
            timing["mesh"] += t_mesh - t2
            t2 = t_mesh
        prev_box = None if prev is None else box_of(prev)
        prev = pts
        times.append(frame.t)
        shapes.append(pts)
        thumbs.append(_thumb(gray, box if pts is not None else None))
        sample = (len(times) - 1) % settings.moire_every == 0  # the 1st, (1+k)th, ...
        if pts is not None and box is not None and sample:
            moire.append(_moire(gray, box))
        else:
            moire.append(math.nan)
        if pts is not None and box is not None and (len(times) - 1) % settings.framing_every == 0:
            framing.append(framing_sides(gray, (box.left, box.top, box.right, box.bottom)))
        else:
            framing.append(-1)
        if pts is not None and box is not None and detected:
            # embeddings only where the frontal detector itself found the face: a head
            # turned to profile is tracked on, but its landmarks (and an embedding of
            # it) are guesses, far from the person's frontal embeddings
            q = _quality(gray, box, pts)
            slot = int(frame.t / settings.embed_slot_s)
            key = (len(cuts), slot)
            cur = slots.get(key)
            if cur is None or q > cur.quality:
                full_box = box.scaled(1.0 / frame.scale)  # embeddings use full resolution
                slots[key] = _Candidate(len(cuts), frame.t, q, frame, full_box)
        timing["select"] += time.perf_counter() - t2
    duration = last_t
    t3 = time.perf_counter()
    embeddings, best = _embed_spread(engine, slots, duration, settings, reader.info.turns)
    timing["embed"] = time.perf_counter() - t3
    return Track(
        info=reader.info,
        times=times,
        shapes=shapes,
        thumbs=np.stack(thumbs) if thumbs else np.zeros((0, THUMB * THUMB), np.float32),
        scene_thumbs=np.stack(scenes) if scenes else np.zeros((0, THUMB * THUMB), np.float32),
        face_counts=counts,
        embeddings=[(t, e) for _, t, e in embeddings],
        embedding_segments=[s for s, _, _ in embeddings],
        cuts=cuts,
        best_frame=None if best is None else _crop(best, reader.info.turns, 1.0)[0],
        best_t=None if best is None else best.t,
        duration_s=duration,
        decoded_frames=decoded,
        analysed_frames=len(times),
        timings=timing,
        moire=moire,
        brightness_t=bright_t,
        brightness=bright,
        row_profiles=np.stack(rows) if rows else np.zeros((0, ROW_BINS), np.float32),
        framing=framing,
        meshes=meshes if mesh is not None else None,
    )


def _crop(cand: _Candidate, turns: int, margin: float) -> tuple[npt.NDArray[np.uint8], Box]:
    """RGB crop around the candidate's face (with margin) and the face box inside it."""
    rgb = to_rgb(cand.frame, turns)
    h, w = rgb.shape[:2]
    b = _clip_box(_expand(cand.box, margin), w, h) or Box(0, 0, w - 1, h - 1)
    x0, y0 = int(b.left), int(b.top)
    crop = np.ascontiguousarray(rgb[y0 : int(b.bottom), x0 : int(b.right)])
    return crop, cand.box.scaled(1.0, -x0, -y0)


def _embed_spread(
    engine: FaceEngine,
    slots: dict[tuple[int, int], _Candidate],
    duration: float,
    settings: LivenessSettings,
    turns: int,
) -> tuple[list[tuple[int, float, Embedding]], _Candidate | None]:
    """Embed the best candidate of each of K equal parts of the clip (K grows with the
    duration, 2..max_embeddings) and of every shot between scene cuts, so a splice of
    two people shows in the embeddings. Returns (shot, t, embedding) in time order."""
    if not slots:
        return [], None
    k = max(2, min(settings.max_embeddings, math.ceil(duration / 2.5)))
    bins: dict[tuple[int, int], _Candidate] = {}
    for cand in slots.values():
        key = (cand.segment, min(k - 1, int(cand.t / max(duration, 1e-6) * k)))
        cur = bins.get(key)
        if cur is None or cand.quality > cur.quality:
            bins[key] = cand
    chosen = sorted(bins.values(), key=lambda c: -c.quality)
    # every shot first, then the best of the rest, up to max_embeddings (+1 per extra shot)
    shots: dict[int, _Candidate] = {}
    for cand in chosen:
        shots.setdefault(cand.segment, cand)
    picked = list(shots.values())
    for cand in chosen:
        if len(picked) >= settings.max_embeddings + len(shots) - 1:
            break
        if cand not in picked:
            picked.append(cand)
    out: list[tuple[int, float, Embedding]] = []
    for cand in sorted(picked, key=lambda c: c.t):
        crop, box = _crop(cand, turns, 0.6)
        out.append((cand.segment, cand.t, engine.embed(crop, box)))
    best = max(slots.values(), key=lambda c: c.quality)
    return out, best
