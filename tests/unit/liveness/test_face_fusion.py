"""Pure parts of the fused face match: the faceres crop, ArcFace's alignment, the fused
similarity and its 0..100 score (anchors 70 = FMR 0.1%, 60 = 1%), template averaging."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

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
    Similarities,
    fused_similarity,
    is_partial,
    judge_fused,
    models_used,
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


def _equal_weights(s: LivenessSettings) -> LivenessSettings:
    third = 1.0 / 3.0
    weights = {
        f"match_{k}{m}_weight": third
        for k in ("", "partial_")
        for m in ("dlib", "faceres", "arcface")
    }
    return s.model_copy(update=weights)


def _at_means(s: LivenessSettings, partial: bool = False) -> Similarities:
    p = "match_partial_" if partial else "match_"
    return Similarities(
        *(getattr(s, f"{p}{m}_impostor_mean") for m in ("dlib", "faceres", "arcface"))
    )


def test_the_calibrated_weights_are_a_mix() -> None:
    s = LivenessSettings()
    for p in ("match_", "match_partial_"):
        w = [getattr(s, f"{p}{m}_weight") for m in ("dlib", "faceres", "arcface")]
        assert all(0.0 <= x <= 1.0 for x in w) and abs(sum(w) - 1.0) < 1e-9


def test_fused_similarity_rises_with_each_model() -> None:
    s = _equal_weights(LivenessSettings())
    base = fused_similarity(Similarities(0.6, 0.5, 0.3), s)
    assert fused_similarity(Similarities(0.5, 0.5, 0.3), s) > base  # closer in dlib
    assert fused_similarity(Similarities(0.6, 0.6, 0.3), s) > base  # more alike in faceres
    assert fused_similarity(Similarities(0.6, 0.5, 0.4), s) > base  # more alike in ArcFace
    # a model with weight 0 has no say
    only_arc = s.model_copy(
        update={"match_dlib_weight": 0.0, "match_faceres_weight": 0.0, "match_arcface_weight": 1.0}
    )
    assert fused_similarity(Similarities(0.1, 0.9, 0.3), only_arc) == fused_similarity(
        Similarities(0.9, 0.1, 0.3), only_arc
    )
    for settings in (s, LivenessSettings()):
        at_means = fused_similarity(_at_means(settings), settings)
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
    s = _equal_weights(LivenessSettings())
    rng = np.random.default_rng(0)
    truth_d = rng.normal(size=128) * 0.09
    truth_f = normalise(rng.normal(size=1024))
    truth_a = normalise(rng.normal(size=512))
    frames = [
        FaceDescriptor(
            truth_d + rng.normal(size=128) * 0.03,
            normalise(truth_f + rng.normal(size=1024) * 0.03),
            normalise(truth_a + rng.normal(size=512) * 0.05),
        )
        for _ in range(5)
    ]
    portrait = FaceDescriptor(truth_d, truth_f, truth_a)
    fused, sim = template_similarity(frames, portrait, s)
    singles = [
        (
            float(np.linalg.norm(f.dlib - truth_d)),
            float(f.faceres @ truth_f),
            float(f.arcface @ truth_a),
        )
        for f in frames
    ]
    assert fused > max(fused_similarity(Similarities(*x), s) for x in singles)  # mean closer
    assert sim.dlib is not None and sim.faceres is not None and sim.arcface is not None
    assert sim.dlib < min(x[0] for x in singles)
    assert sim.faceres > max(x[1] for x in singles)
    assert sim.arcface > max(x[2] for x in singles)


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
    at_means = fused_similarity(_at_means(s, partial=True), s, True)
    assert abs(at_means) < 1e-12
    assert score_from_fused(s.match_partial_fused_same, s, partial=True) == SCORE_AT_SAME
    assert score_from_fused(s.match_partial_fused_review, s, partial=True) == SCORE_AT_REVIEW
    same = s.match_partial_fused_same
    assert judge_fused(same, s, partial=True)[1]
    assert not judge_fused(same - 0.01, s, partial=True)[1]


def test_arcface_alignment_puts_the_five_points_on_the_template() -> None:
    from kyc.liveness.arcface import TEMPLATE, five_points, similarity

    rng = np.random.default_rng(1)
    pts = rng.uniform(50, 150, size=(68, 2))
    five = five_points(pts)
    np.testing.assert_allclose(five[0], pts[36:42].mean(axis=0))
    np.testing.assert_allclose(five[2], pts[30])
    # five points that are the template turned, scaled and moved map back onto it
    angle, scale = 0.3, 2.5
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    src = TEMPLATE @ rot.T * scale + np.array([40.0, -7.0])
    m = similarity(src, TEMPLATE)
    back = src @ m[:, :2].T + m[:, 2]
    np.testing.assert_allclose(back, TEMPLATE, atol=1e-9)
    # a mirrored face is not un-mirrored (no reflection): the fit is then inexact
    mirrored = src * np.array([-1.0, 1.0])
    m2 = similarity(mirrored, TEMPLATE)
    assert np.linalg.det(m2[:, :2]) > 0


def test_arcface_input_is_rgb_scaled_to_plus_minus_one_and_black_outside() -> None:
    from kyc.liveness.arcface import SIDE, TEMPLATE, face_input

    img = np.zeros((112, 112, 3), np.uint8)
    img[:, :] = (10, 20, 30)  # B, G, R
    pts = np.zeros((68, 2))
    pts[36:42], pts[42:48], pts[30], pts[48], pts[54] = TEMPLATE  # already aligned
    x = face_input(img, pts)
    assert x.shape == (3, SIDE, SIDE) and x.dtype == np.float32
    np.testing.assert_allclose(
        x[:, 56, 56], [(30 - 127.5) / 127.5, (20 - 127.5) / 127.5, (10 - 127.5) / 127.5], atol=1e-6
    )
    moved = face_input(img, pts + 100.0)  # the face 100 px down and right of the template
    assert moved[0, 5, 5] == x[0, 5, 5]  # (105, 105): inside the image
    np.testing.assert_allclose(moved[:, 100, 100], [-1.0, -1.0, -1.0])  # (200, 200): beyond it


def test_a_model_the_fusion_weighs_must_be_measured() -> None:
    s = LivenessSettings()
    only_arc = s.model_copy(
        update={"match_dlib_weight": 0.0, "match_faceres_weight": 0.0, "match_arcface_weight": 1.0}
    )
    assert models_used(only_arc, partial=False) == {"arcface"}
    # the models with weight 0 need not run
    assert fused_similarity(Similarities(None, None, 0.5), only_arc) > 0
    with pytest.raises(ValueError):
        fused_similarity(Similarities(0.5, 0.5, None), only_arc)
    mixed = s.model_copy(
        update={
            "match_partial_dlib_weight": 0.5,
            "match_partial_faceres_weight": 0.0,
            "match_partial_arcface_weight": 0.5,
        }
    )
    assert models_used(mixed, partial=True) == {"dlib", "arcface"}
