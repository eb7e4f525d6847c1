"""The pure core of the video check: signals -> baseline -> action events -> challenge
result -> attack reasons -> liveness score and decision. No models, no I/O.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from kyc.liveness.challenge import Action
from kyc.liveness.settings import LivenessSettings
from kyc.liveness.signals import FrameSignals


class Reason(StrEnum):
    """Reason codes a verdict carries (stable: reviewers and re-verification read them)."""

    NO_FACE = "NO_FACE"
    MULTIPLE_FACES = "MULTIPLE_FACES"
    FACE_LEFT_FRAME = "FACE_LEFT_FRAME"
    IDENTITY_CHANGED = "IDENTITY_CHANGED"
    STATIC_PHOTO = "STATIC_PHOTO"  # only rigid (planar) motion: a photo moved by hand
    NO_LIVENESS_EVIDENCE = "NO_LIVENESS_EVIDENCE"  # no blink / mouth movement at all
    SCREEN_REPLAY = "SCREEN_REPLAY"  # a screen's pixel pattern (moiré) on the face
    SCREEN_FLICKER = "SCREEN_FLICKER"  # periodic brightness flicker (review: lamps flicker)
    SCREEN_FRAME = "SCREEN_FRAME"  # a screen's or a print's edges around the face (review)
    LOOPED_FRAMES = "LOOPED_FRAMES"
    SCENE_CUT = "SCENE_CUT"  # the video was edited (review; identity checked across it)
    CHALLENGE_FAILED = "CHALLENGE_FAILED"
    FACE_MISMATCH = "FACE_MISMATCH"
    MATCH_UNCERTAIN = "MATCH_UNCERTAIN"


# Reasons that reject outright; the others send the case to a reviewer.
REJECTING = frozenset(
    {
        Reason.NO_FACE,
        Reason.MULTIPLE_FACES,
        Reason.IDENTITY_CHANGED,
        Reason.STATIC_PHOTO,
        Reason.SCREEN_REPLAY,
        Reason.NO_LIVENESS_EVIDENCE,
        Reason.LOOPED_FRAMES,
        Reason.CHALLENGE_FAILED,
        Reason.FACE_MISMATCH,
    }
)


@dataclass(frozen=True)
class Baseline:
    """The subject's own neutral state, measured over the clip."""

    eye: float
    mouth: float
    yaw: float
    pitch: float  # degrees (3-D pose fit)
    head_yaw: float = 0.0  # degrees (3-D pose fit)
    head_roll: float = 0.0  # degrees (3-D pose fit)
    eye_noise: float = 0.0  # frame-to-frame landmark noise of ``eye`` (robust sigma)
    eye_left: float = math.nan  # each eye's open level (as ``eye``)
    eye_right: float = math.nan


@dataclass(frozen=True)
class ActionEvent:
    action: Action
    start_s: float
    end_s: float
    peak: float  # largest deviation from baseline during the event
    nonrigid: float  # largest planar-fit residual during the event


@dataclass(frozen=True)
class ActionResult:
    action: Action
    passed: bool
    start_s: float | None
    end_s: float | None

    def to_json(self) -> dict[str, object]:
        return {
            "action": self.action.value,
            "passed": self.passed,
            "start_s": None if self.start_s is None else round(self.start_s, 3),
            "end_s": None if self.end_s is None else round(self.end_s, 3),
        }


def _finite(values: Sequence[float]) -> npt.NDArray[np.float64]:
    arr = np.asarray(values, dtype=np.float64)
    return arr[np.isfinite(arr)]


def _noise(values: npt.NDArray[np.float64]) -> float:
    """Robust sigma of a series' frame-to-frame jitter (MAD of first differences / sqrt 2):
    what the landmarks add to a signal that does not change."""
    if values.size < 3:
        return 0.0
    d = np.diff(values)
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / math.sqrt(2.0))


def baseline(frames: Sequence[FrameSignals], eye_pct: float = 50.0) -> Baseline | None:
    """Neutral state: medians of yaw and pitch; eyes at their ``eye_pct`` percentile (the
    open level); mouth at its 20th percentile (people talk). Actions are short, so they
    barely move these. None without a face."""
    eye = _finite([f.eye for f in frames])
    left = _finite([f.eye_left for f in frames])
    right = _finite([f.eye_right for f in frames])
    if eye.size == 0:
        return None
    mouth = _finite([f.mouth for f in frames])
    yaw = _finite([f.yaw for f in frames])
    pitch = _finite([f.pitch for f in frames])
    head_yaw = _finite([f.head_yaw for f in frames])
    head_roll = _finite([f.head_roll for f in frames])
    return Baseline(
        eye=float(np.percentile(eye, eye_pct)),
        eye_noise=_noise(eye),
        mouth=float(np.percentile(mouth, 20)) if mouth.size else 0.0,
        yaw=float(np.median(yaw)) if yaw.size else 0.0,
        pitch=float(np.median(pitch)) if pitch.size else 0.0,
        head_yaw=float(np.median(head_yaw)) if head_yaw.size else 0.0,
        head_roll=float(np.median(head_roll)) if head_roll.size else 0.0,
        eye_left=float(np.percentile(left, eye_pct)) if left.size else math.nan,
        eye_right=float(np.percentile(right, eye_pct)) if right.size else math.nan,
    )


def _runs(
    frames: Sequence[FrameSignals], cond: Callable[[FrameSignals], bool], max_gap_s: float
) -> list[tuple[int, int]]:
    """Maximal runs [i, j] of face frames meeting ``cond``; runs separated by less than
    ``max_gap_s`` of non-meeting frames are merged; frames without a face break a run."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    last: int | None = None
    for i, f in enumerate(frames):
        if not f.face:
            if start is not None and last is not None:
                runs.append((start, last))
            start = last = None
            continue
        if cond(f):
            if start is None:
                start = i
            elif last is not None and f.t - frames[last].t > max_gap_s:
                runs.append((start, last))
                start = i
            last = i
    if start is not None and last is not None:
        runs.append((start, last))
    return runs


def _duration(frames: Sequence[FrameSignals], i: int, j: int) -> float:
    """Duration of a run, counting half a frame interval on each side."""
    lo = frames[i].t - (frames[i].t - frames[i - 1].t) / 2 if i > 0 else frames[i].t
    hi = frames[j].t + (frames[j + 1].t - frames[j].t) / 2 if j + 1 < len(frames) else frames[j].t
    return hi - lo


def _event(
    action: Action,
    frames: Sequence[FrameSignals],
    run: tuple[int, int],
    dev: Callable[[FrameSignals], float],
) -> ActionEvent:
    i, j = run
    seg = frames[i : j + 1]
    peak = max(dev(f) for f in seg)
    nonrigid = max((f.nonrigid for f in seg if math.isfinite(f.nonrigid)), default=0.0)
    return ActionEvent(action, frames[i].t, frames[j].t, peak, nonrigid)


def _peak(
    frames: Sequence[FrameSignals], run: tuple[int, int], dev: Callable[[FrameSignals], float]
) -> FrameSignals:
    i, j = run
    return max(frames[i : j + 1], key=dev)


def _near(
    frames: Sequence[FrameSignals],
    run: tuple[int, int],
    window_s: float,
    cond: Callable[[FrameSignals], bool],
) -> bool:
    """Some face frame within ``window_s`` before the run's start meets ``cond``, and some
    face frame within ``window_s`` after its end does too (the motion goes and comes back)."""
    i, j = run
    t0, t1 = frames[i].t, frames[j].t
    before = any(f.face and cond(f) for f in frames[:i] if t0 - f.t <= window_s)
    after = any(f.face and cond(f) for f in frames[j + 1 :] if f.t - t1 <= window_s)
    return before and after


def _open_around(
    frames: Sequence[FrameSignals],
    run: tuple[int, int],
    window_s: float,
    level: float,
) -> bool:
    """The eyes are open on both sides of the run: the median openness of the face frames
    within ``window_s`` before its start, and of those within ``window_s`` after its end,
    reach ``level``. A median, not a single frame: within a held closure, landmark noise
    lifts single frames, never half of them."""
    i, j = run
    t0, t1 = frames[i].t, frames[j].t
    before = [f.eye for f in frames[:i] if f.face and t0 - f.t <= window_s and math.isfinite(f.eye)]
    after = [
        f.eye for f in frames[j + 1 :] if f.face and f.t - t1 <= window_s and math.isfinite(f.eye)
    ]
    if not before or not after:
        return False
    return float(np.median(before)) >= level and float(np.median(after)) >= level


def _dev(value: float, base: float) -> float:
    return value - base if math.isfinite(value) else 0.0


def detect_events(
    frames: Sequence[FrameSignals],
    base: Baseline,
    settings: LivenessSettings,
    mirrored: bool = False,
) -> list[ActionEvent]:
    """Every action the subject performed, in time order.

    * blink: both eyes below ``blink_ratio`` x their own baseline, at most
      ``blink_max_s``, with the head roughly frontal (a turned head narrows the eyes
      too); the median openness within ``blink_open_window_s`` before and after at least
      ``blink_open_ratio`` x baseline (eyes held half-closed - looking down, a frown, a
      held closure - are not a blink); and the dip ``blink_min_snr`` landmark-noise
      sigmas deep (noise inside a held closure is not a blink);
    * mouth_open: mouth opening ``mouth_open_delta`` above baseline for ``mouth_min_s``;
    * turn_left / turn_right: yaw ``turn_delta`` away from baseline for ``turn_min_s``,
      with the head's yaw change (3-D pose, degrees) at least ``axis_ratio`` times its
      pitch and its roll change: a nod or a sideways lean is not a turn. ``turn_left``
      is the nose moving toward the image's right edge (+yaw) unless ``mirrored``;
    * nod: head pitch (3-D pose) ``nod_deg`` below baseline (looking down) for
      ``nod_min_s``, from and back to within ``nod_return`` x ``nod_deg`` of the baseline
      within ``nod_window_s`` on either side (down *and back up*), with the pitch change
      at least ``axis_ratio`` times the yaw and the roll change (a turn is not a nod).

    Mouth events must also deform the face beyond a planar fit (``event_nonrigid_min``).
    Blinks need not: a blink moves 8 of 68 points, too few to lift the RMS residual over
    all of them for narrow eyes or small faces; a tilted photo cannot fake one anyway, as
    the eye ratio is divided by the rigid face aspect, and its landmark jitter is what the
    noise gate measures.
    """
    s = settings
    gap = 0.1
    events: list[ActionEvent] = []
    sign = -1.0 if mirrored else 1.0

    def both_closed(f: FrameSignals) -> bool:
        """Each eye below ``blink_ratio`` of its own open level: a blink closes both
        (a landmark slip on one eye, or a wink, is not a blink)."""
        if not (math.isfinite(f.eye_left) and math.isfinite(f.eye_right)):
            return True  # signals without per-eye values: the mean decides
        return (
            f.eye_left < s.blink_ratio * base.eye_left
            and f.eye_right < s.blink_ratio * base.eye_right
        )

    def eye_closed(f: FrameSignals) -> bool:
        return (
            math.isfinite(f.eye)
            and f.eye < s.blink_ratio * base.eye
            and both_closed(f)
            and abs(f.yaw - base.yaw) < s.max_turn_for_blink
            and not abs(_dev(f.head_yaw, base.head_yaw)) > s.blink_max_head_yaw_deg
        )

    open_level = base.eye * s.blink_open_ratio

    for run in _runs(frames, eye_closed, gap):
        if _duration(frames, *run) <= s.blink_max_s and _open_around(
            frames, run, s.blink_open_window_s, open_level
        ):
            low = min(f.eye for f in frames[run[0] : run[1] + 1] if math.isfinite(f.eye))
            if base.eye - low >= s.blink_min_snr * base.eye_noise:
                events.append(_event(Action.BLINK, frames, run, lambda f: 1.0 - f.eye / base.eye))

    def mouth_open(f: FrameSignals) -> bool:
        return math.isfinite(f.mouth) and f.mouth - base.mouth > s.mouth_open_delta

    for run in _runs(frames, mouth_open, gap):
        if _duration(frames, *run) >= s.mouth_min_s:
            ev = _event(Action.MOUTH_OPEN, frames, run, lambda f: f.mouth - base.mouth)
            if ev.nonrigid >= s.event_nonrigid_min:
                events.append(ev)

    def head_yaw_dev(f: FrameSignals) -> float:
        return abs(_dev(f.head_yaw, base.head_yaw))

    def roll_dev(f: FrameSignals) -> float:
        return abs(_dev(f.head_roll, base.head_roll))

    def yaw_dominates(f: FrameSignals) -> bool:
        return head_yaw_dev(f) >= s.axis_ratio * max(abs(pitch_dev(f)), roll_dev(f))

    def pitch_dev(f: FrameSignals) -> float:
        return _dev(f.pitch, base.pitch)

    def yaw_dev(f: FrameSignals) -> float:
        return sign * _dev(f.yaw, base.yaw)

    for action, direction in ((Action.TURN_LEFT, 1.0), (Action.TURN_RIGHT, -1.0)):

        def turned(f: FrameSignals, d: float = direction) -> float:
            return d * yaw_dev(f)

        def beyond(f: FrameSignals, g: Callable[[FrameSignals], float] = turned) -> bool:
            return g(f) > s.turn_delta

        for run in _runs(frames, beyond, gap):
            peak = _peak(frames, run, turned)
            if _duration(frames, *run) >= s.turn_min_s and yaw_dominates(peak):
                events.append(_event(action, frames, run, turned))

    def head_down(f: FrameSignals) -> bool:
        return pitch_dev(f) > s.nod_deg

    def head_level(f: FrameSignals) -> bool:
        return math.isfinite(f.pitch) and abs(pitch_dev(f)) < s.nod_return * s.nod_deg

    for run in _runs(frames, head_down, gap):
        peak = _peak(frames, run, pitch_dev)
        if (
            _duration(frames, *run) >= s.nod_min_s
            and pitch_dev(peak) >= s.axis_ratio * max(head_yaw_dev(peak), roll_dev(peak))
            and _near(frames, run, s.nod_window_s, head_level)
        ):
            events.append(_event(Action.NOD, frames, run, pitch_dev))

    events.sort(key=lambda e: (e.start_s, e.end_s))
    return events


def evaluate_challenge(
    actions: Sequence[Action], events: Sequence[ActionEvent]
) -> list[ActionResult]:
    """Match the required actions, in order, to the earliest fitting events (greedy
    earliest matching finds an in-order match whenever one exists). An action counts only
    if it starts after the previous matched action started and does not end before it
    ended: it may overlap the previous one's end (a blink as the mouth closes), but an
    event wholly inside the previous action is incidental motion, not the next action."""
    results: list[ActionResult] = []
    prev: ActionEvent | None = None
    failed = False
    for action in actions:
        found: ActionEvent | None = None
        if not failed:
            for ev in events:
                if ev.action is not action:
                    continue
                if prev is not None and (ev.start_s <= prev.start_s or ev.end_s < prev.end_s):
                    continue
                found = ev
                break
        if found is None:
            failed = True
            results.append(ActionResult(action, False, None, None))
        else:
            prev = found
            results.append(ActionResult(action, True, found.start_s, found.end_s))
    return results


# --------------------------------------------------------------------------------------
# attack heuristics
# --------------------------------------------------------------------------------------


def face_presence_reasons(
    frames: Sequence[FrameSignals], settings: LivenessSettings
) -> list[Reason]:
    """NO_FACE when the face is seen in too few frames; FACE_LEFT_FRAME when it is gone
    for longer than ``face_gap_s`` or missing in more than 10% of frames."""
    if not frames:
        return [Reason.NO_FACE]
    seen = [f.face for f in frames]
    fraction = sum(seen) / len(seen)
    if fraction < settings.min_face_fraction:
        return [Reason.NO_FACE]
    longest = 0.0
    gap_start: float | None = None
    for f in frames:
        if not f.face:
            gap_start = f.t if gap_start is None else gap_start
            longest = max(longest, f.t - gap_start)
        else:
            if gap_start is not None:
                longest = max(longest, f.t - gap_start)
            gap_start = None
    if longest >= settings.face_gap_s or fraction < 0.9:
        return [Reason.FACE_LEFT_FRAME]
    return []


def multiple_faces(face_counts: Sequence[int], settings: LivenessSettings) -> bool:
    """More than one (large enough) face in a share of the full-frame detections."""
    if not face_counts:
        return False
    many = sum(1 for n in face_counts if n >= 2)
    return many >= 2 and many / len(face_counts) >= settings.multi_face_fraction


def has_nonrigid_event(events: Sequence[ActionEvent]) -> bool:
    """A blink or a mouth opening: the face deformed as no flat picture can."""
    return any(e.action in (Action.BLINK, Action.MOUTH_OPEN) for e in events)


def is_static(frames: Sequence[FrameSignals], settings: LivenessSettings) -> bool:
    """The face moves only as a plane would (photo, print, tablet held by hand)."""
    res = _finite([f.nonrigid for f in frames])
    if res.size < 5:
        return False
    return float(np.percentile(res, 95)) < settings.static_nonrigid_p95


def looped(
    times: Sequence[float],
    thumbs: npt.NDArray[np.float32],
    settings: LivenessSettings,
    max_diff: float | None = None,
) -> bool:
    """A run of ``loop_min_frames`` consecutive frames that repeats, at least
    ``loop_min_lag_s`` later, an earlier run almost exactly (looped or duplicated video).

    ``thumbs`` holds one small grey thumbnail per frame (N x K): of the face area
    (``loop_max_diff``) or of the whole frame (pass ``loop_max_frame_diff``).

    A repeat counts only where the repeated run itself *changes*: its frames differ from
    one another at least ``loop_min_motion`` times as much as they differ from their
    repeats (a loop repeats motion exactly; stillness matches itself as well as it moves). A
    still scene (a person holding still before a static background) matches itself at
    every lag; that is stillness, not a loop, and stillness alone is no attack."""
    n = len(times)
    if n < 2 * settings.loop_min_frames:
        return False
    t = np.asarray(times)
    tol = settings.loop_max_diff if max_diff is None else max_diff
    flat = thumbs.reshape(n, -1).astype(np.float32)
    diff = np.abs(flat[:, None, :] - flat[None, :, :]).mean(axis=2)
    close = diff < tol
    lag_ok = (t[None, :] - t[:, None]) >= settings.loop_min_lag_s
    hits = close & lag_ok
    step = np.append(np.diagonal(diff, offset=1), 0.0)  # frame i -> i+1
    k = settings.loop_min_frames
    # longest run along each diagonal (frame i+k matches frame j+k)
    for offset in range(1, n):
        diag = np.diagonal(hits, offset=offset)
        if diag.size < k:
            break
        run = 0
        for i, v in enumerate(diag):
            run = run + 1 if v else 0
            if run >= k:
                first = i - k + 1  # the earlier run: frames first .. i
                motion = float(step[first:i].mean())
                match = float(np.diagonal(diff, offset=offset)[first : i + 1].mean())
                if motion >= settings.loop_min_motion * max(match, 0.02):
                    return True
    return False


def is_cut(diff: float, previous: Sequence[float], settings: LivenessSettings) -> bool:
    """A scene cut: the whole frame changes abruptly (mean abs difference of 16x16 grey
    thumbnails above ``cut_min_diff`` and ``cut_ratio`` times the clip's median so far).
    A selfie recording has none; an edited video (splice) has one at each join."""
    if diff < settings.cut_min_diff:
        return False
    if len(previous) < 3:
        return True
    return diff > settings.cut_ratio * max(float(np.median(previous)), 0.5)


def identity_changed_across_cuts(
    dist: Sequence[Sequence[float]], segments: Sequence[int], settings: LivenessSettings
) -> bool:
    """Across a scene cut the faces must match as strictly as a portrait does: the
    nearest pair of embeddings from two different shots farther than
    ``match_same_distance`` means two people."""
    shots = sorted(set(segments))
    for a, b in itertools.combinations(shots, 2):
        ia = [i for i, s in enumerate(segments) if s == a]
        ib = [j for j, s in enumerate(segments) if s == b]
        if min(dist[i][j] for i in ia for j in ib) > settings.match_same_distance:
            return True
    return False


def identity_changed(dist: Sequence[Sequence[float]], settings: LivenessSettings) -> bool:
    """The clip's embeddings (``dist``: their pairwise distance matrix) fall into two
    groups, each of at least two embeddings, whose every cross pair is farther than
    ``identity_change_distance``: two people, each seen for a while (a splice). One odd
    frame cannot split the clip: a head turning toward profile gives an embedding
    0.56-0.65 from the same person's frontal ones (c22), as far as two different people
    can be (0.56, d0 and d12). Splices with a visible join are caught across the scene
    cut (``identity_changed_across_cuts``) whatever the number of embeddings."""
    n = len(dist)
    if n < 4:
        return False
    for mask in range(1, 2 ** (n - 1)):
        group = [i for i in range(n) if mask >> i & 1]
        rest = [j for j in range(n) if not mask >> j & 1]
        if len(group) < 2 or len(rest) < 2:
            continue
        if min(dist[i][j] for i in group for j in rest) > settings.identity_change_distance:
            return True
    return False


# --------------------------------------------------------------------------------------
# score and decision
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LivenessOutcome:
    passed: bool
    score: float
    actions: list[ActionResult]
    reasons: list[Reason]


def liveness_outcome(
    challenge_actions: Sequence[Action] | None,
    events: Sequence[ActionEvent],
    attack_reasons: Sequence[Reason],
) -> LivenessOutcome:
    """Liveness passes when the challenge (if any) is performed in order, at least one
    non-rigid action (blink / mouth) is present, and no attack reason rejects.

    The score is 0 with a rejecting attack reason, otherwise the mean of: share of
    challenge actions performed (1 without a challenge), evidence of non-rigid motion
    (1 with a blink or mouth event), and 0.5 off for each non-rejecting reason."""
    reasons = list(dict.fromkeys(attack_reasons))
    nonrigid = has_nonrigid_event(events)
    if challenge_actions:
        results = evaluate_challenge(challenge_actions, events)
        share = sum(r.passed for r in results) / len(results)
        if share < 1.0:
            reasons.append(Reason.CHALLENGE_FAILED)
    else:
        results = []
        share = 1.0
    if not nonrigid and Reason.STATIC_PHOTO not in reasons:
        reasons.append(Reason.NO_LIVENESS_EVIDENCE)
    rejecting = any(r in REJECTING for r in reasons)
    score = 0.0 if _hard(reasons) else (share + float(nonrigid)) / 2.0
    soft = sum(1 for r in reasons if r not in REJECTING)
    score = max(0.0, score - 0.25 * soft)
    return LivenessOutcome(not rejecting, round(score, 3), results, reasons)


def _hard(reasons: Sequence[Reason]) -> bool:
    return any(r in REJECTING and r is not Reason.CHALLENGE_FAILED for r in reasons)


def decide(
    liveness: LivenessOutcome, same_person: bool, review_match: bool
) -> tuple[str, list[Reason]]:
    """``reject`` on any rejecting reason or a clear face mismatch; ``review`` on soft
    reasons or an uncertain match; otherwise ``pass``."""
    reasons = list(liveness.reasons)
    if not same_person:
        reasons.append(Reason.MATCH_UNCERTAIN if review_match else Reason.FACE_MISMATCH)
    if any(r in REJECTING for r in reasons):
        return "reject", reasons
    if reasons:
        return "review", reasons
    return "pass", reasons
