"""Thresholds of the video identity check.

Every number here is either a limit on the input or a threshold whose measurement is
recorded in docs/liveness.md (the benchmark `scripts/bench_liveness.py` re-measures them).
"""

from __future__ import annotations

from pydantic import BaseModel


class LivenessSettings(BaseModel):
    # --- input limits -------------------------------------------------------------------
    max_video_bytes: int = 50 * 1024 * 1024
    max_duration_s: float = 30.0
    min_duration_s: float = 1.0
    max_video_pixels: int = 1920 * 1920  # 1080p in either orientation fits
    max_video_side: int = 4096
    challenge_ttl_s: int = 300
    challenge_actions: int = 3

    # --- analysis budget ------------------------------------------------------------------
    analysis_fps: float = 15.0  # frames analysed per second of video (by timestamp)
    work_short_side: int = 720  # frames are analysed at most this large (short side, px)
    decode_prefetch: int = 8  # frames decoded ahead in a background thread (0: inline)
    detect_short_side: int = 320  # full-frame detection runs on a frame this tall/wide
    full_detect_every_s: float = 1.0  # full-frame detection (counts faces) this often
    roi_detect_every: int = 4  # confirm the tracked face by a small ROI detection every N frames
    embed_slot_s: float = 1.0  # keep one candidate frame per slot for embeddings
    max_embeddings: int = 5
    threads: int = 2

    # --- action thresholds, relative to the subject's own neutral baseline ----------------
    blink_baseline_pct: float = 50.0  # the eyes' open level: this percentile of openness
    blink_ratio: float = 0.72  # eye openness below this fraction of baseline = closed
    blink_max_s: float = 1.5
    # normalised mouth opening above baseline (the face mesh's lips: tuned openings
    # 0.41-1.26 but d3's grimace 0.30, <= 0.17 where no label is; docs/liveness.md)
    mouth_open_delta: float = 0.30
    mouth_min_s: float = 0.12
    turn_delta: float = 0.12  # yaw (nose offset / face width) away from baseline
    turn_min_s: float = 0.3  # held: head jerks of people laughing last <= 0.25 s; turns >= 0.33 s
    nod_deg: float = 15.0  # head pitch (3-D pose fit) this far below the baseline, degrees
    nod_min_s: float = 0.1
    nod_window_s: float = 1.5  # head near baseline (< nod_return x nod_deg) this close before
    nod_return: float = 0.4  # ... and after the dip: down *and back up*, not a held pose
    axis_ratio: float = 1.0  # a turn's yaw change >= this x its pitch change (and vice versa)
    event_nonrigid_min: float = 0.03  # landmark deformation an action must show (planar fit)
    max_turn_for_blink: float = 0.15
    blink_max_head_yaw_deg: float = 20.0  # beyond, the far eye's landmarks are guesses
    blink_open_ratio: float = 0.8  # eyes open (median >= this x baseline) before and after
    blink_open_window_s: float = 0.7  # ... within this long: narrowed eyes held are no blink
    # the dip below the baseline in landmark-noise sigmas. Set on dlib's lids (tuned
    # blinks >= 4.8, noise within a held eye closure <= 3.5); on the iris model's lids
    # tuned blinks reach >= 8.9 and no candidate outside a blink exists to bound it
    blink_min_snr: float = 4.0

    # --- attack heuristics ----------------------------------------------------------------
    min_face_fraction: float = 0.5  # below: NO_FACE
    face_gap_s: float = 0.5  # longer absence (or < 90% presence): FACE_LEFT_FRAME
    second_face_min_rel: float = 0.35  # a second face at least this wide (rel. to main)
    multi_face_fraction: float = 0.3  # of full detections that see two faces
    static_nonrigid_p95: float = 0.04  # below: the face deforms like a flat photo
    loop_max_diff: float = 1.2  # mean abs grey diff of face thumbnails (0..255)
    # same, whole-frame thumbnails (re-encoded repeats). What decides there is the motion
    # test below (a repeat matches at most half as closely as the run moves: loops
    # 0.02-0.40 of it, the 26 genuine clips' closest runs >= 0.71, at full size and with
    # 80 px faces alike); this only bounds "almost exactly": the loops' repeats match to
    # 0.12-0.18 at full size but to 0.23-0.48 with 80 px faces (compression), where 0.25
    # let three of five loops pass (docs/liveness.md)
    loop_max_frame_diff: float = 1.0
    loop_min_frames: int = 6
    loop_min_lag_s: float = 0.6
    loop_min_motion: float = 2.0  # the repeated run changes >= this x its match difference
    # screen replay (docs/liveness.md): median moiré peak of clips without a screen 12-34,
    # replays 197-459; flicker amplitude without a screen <= 1.2%, simulated screens 3.7-4.3%
    moire_min_peak: float = 80.0  # median spectral peak / ring level on the face
    moire_every: int = 3  # measured on every 3rd analysed frame (~5 per second)
    flicker_min_ratio: float = 100.0  # brightness peak power / median band power
    flicker_min_amplitude: float = 0.025  # ... and a sine amplitude of this share of mean
    # rolling-shutter banding of a pulsed backlight (replay.banding_peak): tuned genuine
    # clips 2.2-16.4, physical screen replays of tuned clips 99-409; the boundary sits
    # at their geometric middle (~2.4x from each). Review only: an LED lamp pulsing at
    # 200+ Hz bands a real scene the same way
    banding_min_ratio: float = 40.0
    # a screen's or a print's edges in a ring around the face (replay.framing_sides,
    # docs/liveness.md): no genuine frame shows one (0 of 549 measured in the 26 clips;
    # three sides closed in 18), replays with the whole screen in view 75-100% of their
    # frames. Review only: a real rectangle (a picture frame, a window with a desk
    # before it) can ring a face
    framed_min_share: float = 0.15
    framing_every: int = 6  # measured on every 6th analysed frame (~2.5 per second)
    identity_change_distance: float = 0.6  # embedding distance between parts of the clip
    cut_min_diff: float = 20.0  # whole-frame thumbnail change (0..255) of a scene cut
    cut_ratio: float = 8.0  # ... and this many times the clip's median change

    # --- face match (calibrated on ../shared/data/faces, see docs/liveness.md) ------------
    match_same_distance: float = 0.45  # distance at the 0.1% false-match target -> score 70
    match_review_distance: float = 0.52  # 1% false-match target -> score 60
    # a clip's template (mean of its frame embeddings) vs the portrait: calibrated on
    # two-photo templates vs ID-style portraits of other people (0.1%: 0.444, 1%: 0.487)
    match_template_same_distance: float = 0.44
    match_template_review_distance: float = 0.48
    # fused match (dlib distance, faceres and ArcFace cosines), docs/face_match.md:
    # written by scripts/calibrate_face.py, run of 2026-12-06 21:01 UTC, from its FIT
    # people only (66 people), for each kind of pair on its own: whole crops (215
    # genuine / 5,425 impostor pairs) and partial ones (below; 119 / 27,674):
    # z-normalisation on the impostor pairs, the weights (a 0.05 grid) with the fewest
    # FIT false non-matches at FMR 0.1%, then 1%, then at the top impostor, then the
    # fewest models; the empirical 0.1% / 1% impostor quantiles (rounded up) -> 70 / 60.
    # Whole crops: ArcFace alone (every mix with it missed none either; alone it also
    # clears the top impostor by the widest margin).
    match_dlib_impostor_mean: float = 0.8268
    match_dlib_impostor_sd: float = 0.1181
    match_faceres_impostor_mean: float = 0.3514
    match_faceres_impostor_sd: float = 0.0771
    match_faceres_weight: float = 0.0
    match_arcface_impostor_mean: float = 0.0067
    match_arcface_impostor_sd: float = 0.0661
    match_arcface_weight: float = 1.0
    match_dlib_weight: float = 0.0
    match_fused_same: float = 3.277
    match_fused_review: float = 2.704
    # pairs whose faceres crop is partly padding on one side (coverage below this: tight
    # face crops, LFW's measured 0.33-0.62; photos, frames, small and card portraits
    # 0.61-1.0, 5th percentile 0.85) have a fusion and thresholds of their own
    # (docs/face_match.md)
    match_min_coverage: float = 0.70
    match_partial_dlib_impostor_mean: float = 0.8061
    match_partial_dlib_impostor_sd: float = 0.0923
    match_partial_faceres_impostor_mean: float = 0.346
    match_partial_faceres_impostor_sd: float = 0.0871
    match_partial_faceres_weight: float = 0.3
    match_partial_arcface_impostor_mean: float = 0.0107
    match_partial_arcface_impostor_sd: float = 0.0697
    match_partial_arcface_weight: float = 0.5
    match_partial_dlib_weight: float = 0.2
    match_partial_fused_same: float = 3.228
    match_partial_fused_review: float = 2.208
    # the clip's template vs an ID-style portrait (84 genuine / 2,464 impostor FIT pairs)
    match_template_fused_same: float = 3.2
    match_template_fused_review: float = 2.561
    portrait_min_face_px: int = 40
    best_frame_max_side: int = 480
    best_frame_jpeg_quality: int = 85
