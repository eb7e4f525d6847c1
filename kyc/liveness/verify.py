"""verify_video: the use case behind ``kyc verify-video`` and the API's liveness upload.

Imperative shell around the pure core: decode and track (analyse), then signals ->
baseline -> events -> challenge -> attack reasons -> liveness score -> face match ->
decision.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from kyc.liveness import evaluate as ev
from kyc.liveness.analyse import Track, analyse
from kyc.liveness.challenge import Challenge
from kyc.liveness.descriptors import FaceModels
from kyc.liveness.engine import DescribingEngine, Embedding, FaceEngine
from kyc.liveness.match import (
    FaceDescriptor,
    _default_engine,
    default_models,
    describe_image,
    distance,
    judge,
    judge_fused,
    template_distance,
    template_similarity,
)
from kyc.liveness.replay import (
    banding_peak,
    flicker_peak,
    screen_flicker,
    screen_framed,
    screen_moire,
)
from kyc.liveness.settings import LivenessSettings
from kyc.liveness.signals import FrameSignals, series


@dataclass(frozen=True)
class VideoVerdict:
    liveness: ev.LivenessOutcome
    match_score: float
    same_person: bool
    match_distance: float | None  # dlib's template distance
    decision: str
    reasons: list[ev.Reason]
    elapsed_ms: float
    # evidence for reviewers
    signals: list[FrameSignals] = field(default_factory=list)
    events: list[ev.ActionEvent] = field(default_factory=list)
    baseline: ev.Baseline | None = None
    best_frame_jpeg: bytes | None = None
    best_frame_t: float | None = None
    match_threshold_score: float = 70.0
    identity_distances: list[float] = field(default_factory=list)
    challenge_nonce: str | None = None
    mirrored: bool = False
    video: dict[str, Any] = field(default_factory=dict)
    scene_cuts: list[float] = field(default_factory=list)
    match_fused: float | None = None  # the fused similarity the match score comes from

    def to_json(self) -> dict[str, Any]:
        """Exactly the command-line contract's object."""
        return {
            "liveness": {
                "passed": self.liveness.passed,
                "score": self.liveness.score,
                "actions": [a.to_json() for a in self.liveness.actions],
            },
            "match": {"score": self.match_score, "same_person": self.same_person},
            "decision": self.decision,
            "reasons": [r.value for r in self.reasons],
            "elapsed_ms": round(self.elapsed_ms, 1),
        }

    def evidence_json(self) -> dict[str, Any]:
        """What a reviewer page plots: signal series, action windows, thresholds."""

        def num(x: float) -> float | None:
            return None if not math.isfinite(x) else round(x, 4)

        return {
            "signals": {
                "t": [round(s.t, 3) for s in self.signals],
                "face": [s.face for s in self.signals],
                "eye": [num(s.eye) for s in self.signals],
                "mouth": [num(s.mouth) for s in self.signals],
                "yaw": [num(s.yaw) for s in self.signals],
                "pitch": [num(s.pitch) for s in self.signals],
                "head_yaw": [num(s.head_yaw) for s in self.signals],
                "nonrigid": [num(s.nonrigid) for s in self.signals],
            },
            "baseline": None
            if self.baseline is None
            else {k: round(v, 4) for k, v in self.baseline.__dict__.items()},
            "events": [
                {
                    "action": e.action.value,
                    "start_s": round(e.start_s, 3),
                    "end_s": round(e.end_s, 3),
                    "peak": round(e.peak, 4),
                }
                for e in self.events
            ],
            "challenge_windows": [a.to_json() for a in self.liveness.actions],
            "challenge_nonce": self.challenge_nonce,
            "mirrored": self.mirrored,
            "best_frame_t": self.best_frame_t,
            "match_distance": self.match_distance,
            "match_fused": None if self.match_fused is None else round(self.match_fused, 4),
            "match_threshold_score": self.match_threshold_score,
            "identity_distances": [round(d, 4) for d in self.identity_distances],
            "video": self.video,
            "scene_cuts": self.scene_cuts,
        }


def _encode_jpeg_rgb(rgb: npt.NDArray[np.uint8], settings: LivenessSettings) -> bytes:
    import cv2

    from kyc.imageio import encode_jpeg

    scale = min(1.0, settings.best_frame_max_side / max(rgb.shape[:2]))
    if scale < 1.0:
        rgb = np.asarray(
            cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA),
            dtype=np.uint8,
        )
    return encode_jpeg(np.ascontiguousarray(rgb[:, :, ::-1]), settings.best_frame_jpeg_quality)


def judge_track(
    track: Track,
    challenge: Challenge | None,
    settings: LivenessSettings,
    mirrored: bool,
) -> tuple[
    list[FrameSignals], ev.Baseline | None, list[ev.ActionEvent], ev.LivenessOutcome, list[float]
]:
    """Liveness part of the verdict from a Track (pure apart from the Track itself)."""
    sig = series(track.times, track.shapes, track.meshes)
    base = ev.baseline(sig, settings.blink_baseline_pct)
    events = ev.detect_events(sig, base, settings, mirrored) if base is not None else []
    reasons = ev.face_presence_reasons(sig, settings)
    if ev.multiple_faces(track.face_counts, settings):
        reasons.append(ev.Reason.MULTIPLE_FACES)
    embs = [e for _, e in track.embeddings]
    matrix = [[distance(a, b) for b in embs] for a in embs]
    id_dists = [matrix[i][j] for i, j in itertools.combinations(range(len(embs)), 2)]
    if ev.identity_changed(matrix, settings) or ev.identity_changed_across_cuts(
        matrix, track.embedding_segments, settings
    ):
        reasons.append(ev.Reason.IDENTITY_CHANGED)
    if track.cuts:
        reasons.append(ev.Reason.SCENE_CUT)
    if ev.is_static(sig, settings) and not ev.has_nonrigid_event(events):
        # a person holding still is as planar as a photo (genuine clips reach a p95 of
        # 0.026): only a static face that also never blinks nor opens the mouth rejects
        reasons.append(ev.Reason.STATIC_PHOTO)
    if screen_moire(track.moire, settings.moire_min_peak):
        reasons.append(ev.Reason.SCREEN_REPLAY)
    flicker = flicker_peak(track.brightness_t, track.brightness)
    banding = banding_peak(track.row_profiles)
    if (
        screen_flicker(*flicker, settings.flicker_min_ratio, settings.flicker_min_amplitude)
        or banding >= settings.banding_min_ratio
    ):
        reasons.append(ev.Reason.SCREEN_FLICKER)
    if screen_framed(track.framing, settings.framed_min_share):
        reasons.append(ev.Reason.SCREEN_FRAME)
    present = [i for i, s in enumerate(sig) if s.face]
    if (
        present and ev.looped([sig[i].t for i in present], track.thumbs[present], settings)
    ) or ev.looped(track.times, track.scene_thumbs, settings, settings.loop_max_frame_diff):
        reasons.append(ev.Reason.LOOPED_FRAMES)
    actions = challenge.actions if challenge is not None else None
    outcome = ev.liveness_outcome(actions, events, reasons)
    return sig, base, events, outcome, id_dists


def verify_video(
    video_path: Path,
    portrait: npt.NDArray[np.uint8],
    challenge: Challenge | None,
    settings: LivenessSettings,
    now: datetime,
    mirrored: bool = False,
    engine: FaceEngine | None = None,
    models: FaceModels | None = None,
) -> VideoVerdict:
    """Judge a selfie video against a challenge (optional) and a portrait (BGR image,
    a face photo or a whole ID-card front). Broken inputs raise BadInput; every failed
    check is a reason code in the verdict."""
    started = time.perf_counter()
    if challenge is not None:
        challenge.check_not_expired(now)
    eng = engine or _default_engine()
    mods = models or default_models()
    portrait_desc, _ = describe_image(portrait, eng, mods, settings)
    describing = describing_engine(eng, mods)
    track = analyse(video_path, describing, settings, mods.mesh)
    clip = clip_descriptors(track, describing)
    return verdict_from_track(track, portrait_desc, challenge, settings, mirrored, started, clip)


def describing_engine(engine: FaceEngine, models: FaceModels) -> DescribingEngine:
    """``engine`` (shared models) that also takes the faceres and ArcFace descriptors of
    every frame the analysis embeds (analyse works on RGB crops; both want BGR)."""
    return DescribingEngine(
        engine, lambda rgb, pts: models.describe(np.ascontiguousarray(rgb[:, :, ::-1]), pts)
    )


def clip_descriptors(track: Track, engine: FaceEngine) -> list[FaceDescriptor]:
    """The three descriptors of every embedded frame of the clip; empty when the analysis
    did not run on a ``DescribingEngine`` (then the match falls back to dlib alone)."""
    if not isinstance(engine, DescribingEngine):
        return []
    out = []
    for _, emb in track.embeddings:
        second = engine.second_of(emb)
        if second is None:
            return []
        out.append(FaceDescriptor(emb, *second))
    return out


def verdict_from_track(
    track: Track,
    portrait_emb: Embedding | FaceDescriptor,
    challenge: Challenge | None,
    settings: LivenessSettings,
    mirrored: bool,
    started: float,
    clip: list[FaceDescriptor] | None = None,
) -> VideoVerdict:
    """The verdict from an analysed video and the portrait's descriptor. With both
    descriptors of the portrait and of the clip's frames (``clip``), the match is the
    fused template score; with a dlib embedding alone, dlib's template distance."""
    sig, base, events, outcome, id_dists = judge_track(track, challenge, settings, mirrored)
    fused: float | None = None
    if isinstance(portrait_emb, FaceDescriptor) and clip:
        fused, sim = template_similarity(clip, portrait_emb, settings)
        score, same, review = judge_fused(fused, settings, template=True)
        d: float | None = sim.dlib
    elif track.embeddings:
        dlib_portrait = (
            portrait_emb.dlib if isinstance(portrait_emb, FaceDescriptor) else portrait_emb
        )
        d_tpl = template_distance([e for _, e in track.embeddings], dlib_portrait)
        score, same, review = judge(d_tpl, settings, template=True)
        d = d_tpl
    else:
        d, score, same, review = None, 0.0, False, False
    decision, reasons = ev.decide(outcome, same, review)
    jpeg = _encode_jpeg_rgb(track.best_frame, settings) if track.best_frame is not None else None
    return VideoVerdict(
        liveness=outcome,
        match_score=score,
        same_person=same,
        match_distance=d,
        match_fused=fused,
        decision=decision,
        reasons=reasons,
        elapsed_ms=(time.perf_counter() - started) * 1000.0,
        signals=sig,
        events=events,
        baseline=base,
        best_frame_jpeg=jpeg,
        best_frame_t=track.best_t,
        identity_distances=id_dists,
        challenge_nonce=None if challenge is None else challenge.nonce,
        mirrored=mirrored,
        scene_cuts=[round(c, 3) for c in track.cuts],
        video={
            "codec": track.info.codec,
            "width": track.info.width,
            "height": track.info.height,
            "duration_s": round(track.duration_s, 3),
            "decoded_frames": track.decoded_frames,
            "analysed_frames": track.analysed_frames,
            "rotation_turns": track.info.turns,
        },
    )
