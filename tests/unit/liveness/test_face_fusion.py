"""Pure parts of the fused face match: the faceres crop, the fused similarity and its
0..100 score (anchors 70 = FMR 0.1%, 60 = 1%), template averaging."""

from __future__ import annotations

import itertools

import numpy as np

from kyc.liveness.faceres import (
    CROP_DOWN,
    CROP_SIDE,
    crop_coverage,
    crop_square,
    face_input,
    normalise,
)
from kyc.liveness.match import (
    SCORE_AT_REVIEW,
    SCORE_AT_SAME,
    FaceDescriptor,
    fused_similarity,
    is_partial,
    judge_fused,
    score_from_fused,
    template_similarity,
)
from kyc.liveness.settings import LivenessSettings


def _landmarks(eye_y: float, mouth_y: float, cx: float = 100.0) -> np.ndarray:
    pts = np.zeros((68, 2))
    pts[:, 0] = cx
    pts[36:42] = (cx - 20, eye_y)
    pts[42:48] = (cx + 20, eye_y)
    pts[48:68] = (cx, mouth_y)
    return pts


def test_crop_square_follows_eyes_and_mouth() -> None:
    cx, cy, side = crop_square(_landmarks(80.0, 130.0))
    d = 50.0
    assert (cx, cy, side) == (100.0, 80.0 + CROP_DOWN * d, CROP_SIDE * d)


def test_face_input_is_bgr_minus_vgg_means_and_zero_outside() -> None:
    img = np.zeros((200, 200, 3), np.uint8)
    img[:, :] = (10, 20, 30)  # B, G, R
    x = face_input(img, _landmarks(40.0, 90.0, cx=30.0))  # crop reaches past the edges
    assert x.shape == (224, 224, 3) and x.dtype == np.float32
    centre = x[112, 112]
    np.testing.assert_allclose(centre, [10 - 103.939, 20 - 116.779, 30 - 123.68], atol=1e-3)
    np.testing.assert_allclose(x[112, 0], [-103.939, -116.779, -123.68], atol=1e-3)


def test_fused_similarity_rises_with_both_models() -> None:
    s = LivenessSettings()
    base = fused_similarity(0.6, 0.5, s)
    assert fused_similarity(0.5, 0.5, s) > base  # closer in dlib
    assert fused_similarity(0.6, 0.6, s) > base  # more alike in faceres
    at_means = fused_similarity(s.match_dlib_impostor_mean, s.match_faceres_impostor_mean, s)
    assert abs(at_means) < 1e-12  # a typical impostor pair sits at 0


def test_score_anchors_and_clipping() -> None:
    s = LivenessSettings()
    assert score_from_fused(s.match_fused_same, s) == SCORE_AT_SAME
    assert score_from_fused(s.match_fused_review, s) == SCORE_AT_REVIEW
    values = np.linspace(-20, 40, 121)
    scores = [score_from_fused(float(v), s) for v in values]
    assert all(b >= a for a, b in itertools.pairwise(scores))
    assert scores[0] == 0.0 and scores[-1] == 100.0
    t = s.match_template_fused_same
    assert score_from_fused(t, s, template=True) == SCORE_AT_SAME


def test_judge_fused_bands() -> None:
    s = LivenessSettings()
    same, review = s.match_fused_same, s.match_fused_review
    assert judge_fused(same + 0.01, s)[1:] == (True, True)
    assert judge_fused((same + review) / 2, s)[1:] == (False, True)
    assert judge_fused(review - 0.01, s)[1:] == (False, False)


def test_template_averages_frames_before_comparing() -> None:
    s = LivenessSettings()
    rng = np.random.default_rng(0)
    truth_d = rng.normal(size=128) * 0.09
    truth_f = normalise(rng.normal(size=1024))
    frames = [
        FaceDescriptor(
            truth_d + rng.normal(size=128) * 0.03, normalise(truth_f + rng.normal(size=1024) * 0.03)
        )
        for _ in range(5)
    ]
    portrait = FaceDescriptor(truth_d, truth_f)
    fused, d, c = template_similarity(frames, portrait, s)
    singles = [
        fused_similarity(float(np.linalg.norm(f.dlib - truth_d)), float(f.faceres @ truth_f), s)
        for f in frames
    ]
    assert fused > max(singles)  # the mean is closer than any single frame
    assert d < min(float(np.linalg.norm(f.dlib - truth_d)) for f in frames)
    assert c > max(float(f.faceres @ truth_f) for f in frames)


def test_crop_coverage_whole_and_tight() -> None:
    pts = _landmarks(80.0, 130.0)  # crop square: centre (100, 104), side 160
    assert crop_coverage((400, 400, 3), pts) == 1.0
    # a tight crop ending 40 px around the face: 80 x 80 of the 160 x 160 square
    tight = pts - np.array([60.0, 64.0])
    assert abs(crop_coverage((80, 80, 3), tight) - 0.25) < 1e-9
    assert crop_coverage((10, 10), pts + 1000.0) == 0.0


def test_partial_pairs_use_their_own_fusion_and_thresholds() -> None:
    s = LivenessSettings()
    assert is_partial(s.match_min_coverage - 0.01, s)
    assert not is_partial(s.match_min_coverage, s)
    at_means = fused_similarity(
        s.match_partial_dlib_impostor_mean, s.match_partial_faceres_impostor_mean, s, True
    )
    assert abs(at_means) < 1e-12
    assert score_from_fused(s.match_partial_fused_same, s, partial=True) == SCORE_AT_SAME
    assert score_from_fused(s.match_partial_fused_review, s, partial=True) == SCORE_AT_REVIEW
    same = s.match_partial_fused_same
    assert judge_fused(same, s, partial=True)[1]
    assert not judge_fused(same - 0.01, s, partial=True)[1]
