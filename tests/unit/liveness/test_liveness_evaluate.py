"""The pure evaluator on synthetic signal sequences: events, challenge order, attack
heuristics, score and decision."""

from __future__ import annotations

import numpy as np
from liveness_synth import absent, frames, with_values

from kyc.liveness import evaluate as ev
from kyc.liveness.challenge import Action
from kyc.liveness.settings import LivenessSettings
from kyc.liveness.signals import FrameSignals

S = LivenessSettings()
A = Action


def _events(seq: list[FrameSignals], mirrored: bool = False) -> list[ev.ActionEvent]:
    base = ev.baseline(seq)
    assert base is not None
    return ev.detect_events(seq, base, S, mirrored)


def _kinds(events: list[ev.ActionEvent]) -> list[Action]:
    return [e.action for e in events]


def test_neutral_sequence_has_no_events() -> None:
    assert _events(frames(60)) == []


def test_blink_detected_relative_to_own_baseline() -> None:
    # glasses wearer: low eye openness overall; the blink is a drop relative to it
    seq = with_values(frames(60, eye=0.5), 1.0, 1.15, eye=0.2, nonrigid=0.08)
    events = _events(seq)
    assert _kinds(events) == [A.BLINK]
    assert 0.95 <= events[0].start_s <= 1.05
    assert 1.1 <= events[0].end_s <= 1.2


def test_slow_eye_narrowing_within_ratio_is_not_a_blink() -> None:
    seq = with_values(frames(60, eye=0.5), 1.0, 1.5, eye=0.42, nonrigid=0.08)
    assert _events(seq) == []


def test_long_eye_closure_is_not_a_blink() -> None:
    seq = with_values(frames(90), 1.0, 3.5, eye=0.2, nonrigid=0.08)
    assert A.BLINK not in _kinds(_events(seq))


def _noisy(n: int, eye: float, sigma: float, seed: int = 0) -> list[FrameSignals]:
    """A steady face whose eye openness jitters by ``sigma`` (landmark noise)."""
    rng = np.random.default_rng(seed)
    seq = frames(n, eye=eye)
    out = []
    for f in seq:
        e = eye + float(rng.normal(0.0, sigma))
        out.append(FrameSignals(**(f.__dict__ | {"eye": e, "eye_left": e, "eye_right": e})))
    return out


def test_dip_within_landmark_noise_is_not_a_blink() -> None:
    """A held eye closure (or a small face) jitters; single frames dip below the ratio but
    not by ``blink_min_snr`` noise sigmas below the baseline. A real blink does."""
    seq = _noisy(90, eye=0.3, sigma=0.04)
    dip = with_values(seq, 2.0, 2.0, eye=0.2, eye_left=0.2, eye_right=0.2)  # ~2.5-3.3 sigma
    assert A.BLINK not in _kinds(_events(dip))
    deep = with_values(seq, 2.0, 2.07, eye=0.03, eye_left=0.03, eye_right=0.03)  # ~9 sigma
    assert _kinds(_events(deep)) == [A.BLINK]


def test_one_eye_dip_is_not_a_blink() -> None:
    """A landmark slip on one eye (or a wink) lowers the mean; a blink closes both eyes."""
    seq = [
        FrameSignals(**(f.__dict__ | {"eye_left": 0.5, "eye_right": 0.5}))
        for f in frames(60, eye=0.5)
    ]
    one = with_values(seq, 1.0, 1.1, eye=0.3, eye_left=0.1, eye_right=0.5)
    assert _events(one) == []
    both = with_values(seq, 1.0, 1.1, eye=0.1, eye_left=0.1, eye_right=0.1)
    assert _kinds(_events(both)) == [A.BLINK]


def test_mouth_open_event() -> None:
    seq = with_values(frames(60), 2.0, 2.6, mouth=0.8, nonrigid=0.1)
    events = _events(seq)
    assert _kinds(events) == [A.MOUTH_OPEN]
    assert events[0].peak > 0.7


def test_turn_direction_and_mirroring() -> None:
    # nose toward the image's right edge
    seq = with_values(frames(60), 1.0, 1.6, yaw=0.25, head_yaw=20.0)
    assert _kinds(_events(seq)) == [A.TURN_LEFT]
    assert _kinds(_events(seq, mirrored=True)) == [A.TURN_RIGHT]
    seq = with_values(frames(60), 1.0, 1.6, yaw=-0.25, head_yaw=-20.0)
    assert _kinds(_events(seq)) == [A.TURN_RIGHT]


def test_blink_while_turned_away_is_not_counted() -> None:
    seq = with_values(frames(60), 1.0, 1.6, yaw=0.3, head_yaw=24.0)
    seq = with_values(seq, 1.2, 1.3, eye=0.3, nonrigid=0.1)
    assert _kinds(_events(seq)) == [A.TURN_LEFT]


def test_eyes_held_half_closed_are_not_a_blink() -> None:
    """Looking down or frowning lowers the lids for a while: the eye signal dips below the
    blink ratio but the eyes are not open just before and after, as a blink's are."""
    seq = frames(90, eye=0.5)
    seq = with_values(seq, 1.0, 3.0, eye=0.38)  # lowered lids, above the blink ratio
    seq = with_values(seq, 1.8, 2.2, eye=0.3, nonrigid=0.08)  # dips below it
    assert _events(seq) == []
    # the same dip from open eyes and back is a blink
    seq = with_values(frames(90, eye=0.5), 1.8, 2.2, eye=0.3, nonrigid=0.08)
    assert _kinds(_events(seq)) == [A.BLINK]


def test_blink_at_the_very_end_of_the_clip_is_not_complete() -> None:
    seq = with_values(frames(30, eye=0.5), 1.8, 2.0, eye=0.2, nonrigid=0.08)
    assert A.BLINK not in _kinds(_events(seq))


def _nod(seq: list[FrameSignals], t0: float, depth: float, **others: float) -> list[FrameSignals]:
    """A head dip starting at t0: down over 0.2 s, held 0.2 s, back up over 0.2 s."""
    base = seq[0].pitch
    seq = with_values(seq, t0, t0 + 0.2, pitch=base + depth / 2, **others)
    seq = with_values(seq, t0 + 0.2 + 1e-6, t0 + 0.4, pitch=base + depth, **others)
    return with_values(seq, t0 + 0.4 + 1e-6, t0 + 0.6, pitch=base + depth / 2, **others)


def test_nod_is_a_head_dip_and_back_up() -> None:
    events = _events(_nod(frames(60), 2.0, 22.0))
    assert _kinds(events) == [A.NOD]
    assert 2.1 <= events[0].start_s <= 2.3
    assert events[0].peak >= 20.0


def test_small_head_dip_is_not_a_nod() -> None:
    """People talking move their heads by 5-12 degrees; a nod is >= nod_deg."""
    assert _events(_nod(frames(60), 2.0, 12.0)) == []


def test_head_held_down_is_not_a_nod() -> None:
    """Down and staying down (looking at the phone's lower edge) has no way back up."""
    seq = with_values(frames(60), 2.0, 4.0, pitch=5.0 + 25.0)
    assert _events(seq) == []
    # ... nor a clip that starts with the head down and comes up
    seq = with_values(frames(60), 0.0, 0.8, pitch=5.0 + 25.0)
    assert _events(seq) == []


def test_head_tilted_back_is_not_a_nod() -> None:
    assert _events(_nod(frames(60), 2.0, -25.0)) == []


def test_turn_with_some_pitch_is_a_turn_not_a_nod() -> None:
    """A turn that also dips the head: yaw dominates, so it is no nod."""
    seq = _nod(frames(60), 2.0, 18.0, yaw=0.3, head_yaw=30.0)
    assert _kinds(_events(seq)) == [A.TURN_LEFT]


def test_nod_with_some_yaw_is_a_nod_not_a_turn() -> None:
    """A nod that also crosses the turn threshold (the jaw-based yaw is noisy when the
    head dips): pitch dominates the 3-D pose change, so it is no turn."""
    seq = _nod(frames(60), 2.0, 25.0, yaw=0.15, head_yaw=10.0)
    assert _kinds(_events(seq)) == [A.NOD]


def test_head_jerk_is_not_a_turn() -> None:
    """Laughing or talking people jerk the head by 12-19 degrees for <= 0.25 s; a turn
    is held for turn_min_s."""
    seq = with_values(frames(60), 1.0, 1.2, yaw=0.2, head_yaw=19.0)
    assert _events(seq) == []


def test_sideways_lean_is_not_a_turn() -> None:
    """Rolling the head (a lean) moves the jaw-based yaw; the 3-D yaw change must
    dominate the roll change."""
    seq = with_values(frames(60), 1.0, 1.6, yaw=0.15, head_yaw=8.0, head_roll=20.0)
    assert _events(seq) == []


def test_very_short_turn_is_ignored() -> None:
    seq = with_values(frames(60), 1.0, 1.0, yaw=0.3)  # one frame (1/15 s)
    assert _events(seq) == []


def _performance() -> list[FrameSignals]:
    seq = frames(90)
    seq = with_values(seq, 1.0, 1.1, eye=0.3, nonrigid=0.08)  # blink
    seq = with_values(seq, 2.0, 2.8, yaw=0.25, head_yaw=20.0)  # turn_left
    return with_values(seq, 4.0, 4.6, mouth=0.9, nonrigid=0.12)  # mouth_open


def test_challenge_in_order_passes_with_timings() -> None:
    results = ev.evaluate_challenge([A.BLINK, A.TURN_LEFT, A.MOUTH_OPEN], _events(_performance()))
    assert [r.passed for r in results] == [True, True, True]
    assert results[1].start_s is not None and 1.9 <= results[1].start_s <= 2.1
    assert results[2].end_s is not None and 4.5 <= results[2].end_s <= 4.7


def test_challenge_out_of_order_fails_from_the_first_missing_action() -> None:
    results = ev.evaluate_challenge([A.MOUTH_OPEN, A.BLINK], _events(_performance()))
    assert [r.passed for r in results] == [True, False]
    assert results[1].start_s is None
    results = ev.evaluate_challenge([A.NOD, A.BLINK], _events(_performance()))
    assert [r.passed for r in results] == [False, False]


def test_overlapping_actions_count_in_start_order() -> None:
    seq = with_values(frames(90), 1.0, 2.6, mouth=0.9, nonrigid=0.1)
    seq = with_values(seq, 2.5, 2.6, eye=0.3, nonrigid=0.1)  # blink as the mouth closes
    results = ev.evaluate_challenge([A.MOUTH_OPEN, A.BLINK], _events(seq))
    assert [r.passed for r in results] == [True, True]
    results = ev.evaluate_challenge([A.BLINK, A.MOUTH_OPEN], _events(seq))
    assert [r.passed for r in results] == [True, False]


def test_event_inside_the_previous_action_does_not_count() -> None:
    seq = with_values(frames(90), 1.0, 3.0, mouth=0.9, nonrigid=0.1)
    seq = with_values(seq, 1.5, 2.0, yaw=0.3, head_yaw=24.0)  # a turn wholly inside the open mouth
    results = ev.evaluate_challenge([A.MOUTH_OPEN, A.TURN_LEFT], _events(seq))
    assert [r.passed for r in results] == [True, False]


def test_challenge_uses_later_repeat_of_an_action() -> None:
    seq = with_values(_performance(), 5.0, 5.1, eye=0.3, nonrigid=0.08)  # second blink
    results = ev.evaluate_challenge([A.TURN_LEFT, A.BLINK], _events(seq))
    assert [r.passed for r in results] == [True, True]
    assert results[1].start_s is not None and results[1].start_s >= 5.0


def test_face_presence_reasons() -> None:
    assert ev.face_presence_reasons(frames(60), S) == []
    assert ev.face_presence_reasons(absent(frames(60), 0.0, 3.0), S) == [ev.Reason.NO_FACE]
    gone = absent(frames(60), 1.0, 1.8)
    assert ev.face_presence_reasons(gone, S) == [ev.Reason.FACE_LEFT_FRAME]
    flicker = absent(frames(60), 1.0, 1.0)  # one missed frame is tolerated
    assert ev.face_presence_reasons(flicker, S) == []


def test_multiple_faces_needs_repeated_sightings() -> None:
    assert not ev.multiple_faces([1, 1, 2, 1, 1, 1, 1], S)
    assert ev.multiple_faces([2, 2, 1, 2, 2], S)


def test_static_face_is_flagged() -> None:
    assert ev.is_static(frames(60, nonrigid=0.01), S)
    assert not ev.is_static(frames(60, nonrigid=0.05), S)


def test_still_scene_is_not_a_loop() -> None:
    """A person holding still before a static background matches every earlier frame;
    a loop repeats *changing* frames."""
    rng = np.random.default_rng(1)
    times = [i / 15 for i in range(60)]
    still = np.full((60, 256), 120.0, np.float32) + rng.normal(0, 0.05, (60, 256)).astype(
        np.float32
    )
    assert not ev.looped(times, still, S, S.loop_max_frame_diff)


def test_looped_frames_detected_but_not_motion() -> None:
    rng = np.random.default_rng(0)
    times = [i / 15 for i in range(60)]
    moving = rng.uniform(0, 255, (60, 256)).astype(np.float32)
    assert not ev.looped(times, moving, S)
    segment = moving[:15]
    loop = np.concatenate([segment] * 4) + rng.normal(0, 0.3, (60, 256)).astype(np.float32)
    assert ev.looped(times, loop, S)


def test_identity_change_needs_a_split_not_an_outlier() -> None:
    # four frames of one person, one odd frame 0.62 from two of them but close to others
    one = [
        [0.0, 0.3, 0.3, 0.62, 0.3],
        [0.3, 0.0, 0.3, 0.62, 0.3],
        [0.3, 0.3, 0.0, 0.4, 0.3],
        [0.62, 0.62, 0.4, 0.0, 0.3],
        [0.3, 0.3, 0.3, 0.3, 0.0],
    ]
    assert not ev.identity_changed(one, S)
    two = [
        [0.0, 0.3, 0.8, 0.75],
        [0.3, 0.0, 0.7, 0.8],
        [0.8, 0.7, 0.0, 0.3],
        [0.75, 0.8, 0.3, 0.0],
    ]
    assert ev.identity_changed(two, S)
    # one frame far from all others (a head turned toward profile) is no second person
    turned = [
        [0.0, 0.3, 0.35, 0.65],
        [0.3, 0.0, 0.24, 0.68],
        [0.35, 0.24, 0.0, 0.67],
        [0.65, 0.68, 0.67, 0.0],
    ]
    assert not ev.identity_changed(turned, S)


def test_outcome_and_decision() -> None:
    events = _events(_performance())
    ok = ev.liveness_outcome([A.BLINK, A.MOUTH_OPEN], events, [])
    assert ok.passed and ok.score == 1.0
    assert ev.decide(ok, same_person=True, review_match=True) == ("pass", [])
    decision, reasons = ev.decide(ok, same_person=False, review_match=True)
    assert decision == "review" and reasons == [ev.Reason.MATCH_UNCERTAIN]
    decision, reasons = ev.decide(ok, same_person=False, review_match=False)
    assert decision == "reject" and reasons == [ev.Reason.FACE_MISMATCH]

    failed = ev.liveness_outcome([A.NOD, A.BLINK], events, [])
    assert not failed.passed and ev.Reason.CHALLENGE_FAILED in failed.reasons
    assert 0.0 < failed.score < 1.0
    assert ev.decide(failed, True, True)[0] == "reject"

    attacked = ev.liveness_outcome(None, events, [ev.Reason.MULTIPLE_FACES])
    assert not attacked.passed and attacked.score == 0.0

    soft = ev.liveness_outcome(None, events, [ev.Reason.FACE_LEFT_FRAME])
    assert soft.passed and soft.score < 1.0
    assert ev.decide(soft, True, True)[0] == "review"


def test_no_challenge_requires_nonrigid_evidence() -> None:
    turns_only = _events(with_values(frames(60), 1.0, 1.6, yaw=0.25, head_yaw=20.0))
    out = ev.liveness_outcome(None, turns_only, [])
    assert not out.passed and out.reasons == [ev.Reason.NO_LIVENESS_EVIDENCE]


def test_scene_cut_detection() -> None:
    calm = [0.5, 0.7, 0.6, 0.8, 0.5]
    assert ev.is_cut(35.0, calm, S)
    assert not ev.is_cut(5.0, calm, S)  # ordinary motion
    shaky = [6.0, 8.0, 7.5, 9.0, 7.0]
    assert not ev.is_cut(22.0, shaky, S)  # hand-held: big changes are normal


def test_identity_across_cuts_uses_the_strict_match_threshold() -> None:
    # two shots whose faces are 0.56 apart: below the in-clip split threshold (0.6) but
    # beyond the same-person threshold, so a cut between them reveals a splice
    dist = [[0.0, 0.56], [0.56, 0.0]]
    assert not ev.identity_changed(dist, S)
    assert ev.identity_changed_across_cuts(dist, [0, 1], S)
    assert not ev.identity_changed_across_cuts(dist, [0, 0], S)
    close = [[0.0, 0.3], [0.3, 0.0]]
    assert not ev.identity_changed_across_cuts(close, [0, 1], S)


def test_loop_threshold_can_be_given_for_whole_frame_thumbnails() -> None:
    rng = np.random.default_rng(1)
    times = [i / 15 for i in range(48)]
    segment = rng.uniform(0, 255, (12, 256)).astype(np.float32)
    noise = rng.normal(0, 0.8, (48, 256)).astype(np.float32)  # mean abs ~0.64 per frame
    loop = np.concatenate([segment] * 4) + noise
    assert ev.looped(times, loop, S)  # below the face-thumbnail threshold
    assert not ev.looped(times, loop, S, 0.5)  # above a stricter one given
