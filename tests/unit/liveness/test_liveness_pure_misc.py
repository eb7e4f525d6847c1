"""Pure helpers of the adapters: container sniffing, rotation, score mapping."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from kyc.liveness.match import (
    SCORE_AT_REVIEW,
    SCORE_AT_SAME,
    distance,
    judge,
    score_from_distance,
    template_distance,
)
from kyc.liveness.settings import LivenessSettings
from kyc.liveness.video import rotation_turns, sniff_container, upright


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", "mp4"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", "matroska"),
        (b"hello, this is text", None),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", None),
        (b"", None),
    ],
)
def test_sniff_container(head: bytes, kind: str | None) -> None:
    assert sniff_container(head) == kind


@pytest.mark.parametrize(("deg", "turns"), [(0, 0), (90, 1), (-90, 3), (180, 2), (-180, 2)])
def test_rotation_turns(deg: float, turns: int) -> None:
    assert rotation_turns(deg) == turns


def test_upright_rotates_counter_clockwise() -> None:
    img = np.zeros((2, 3), np.uint8)
    img[0, 2] = 255  # top-right pixel
    out = upright(img, 1)
    assert out.shape == (3, 2)
    assert out[0, 0] == 255  # 90 degrees counter-clockwise: top-right goes top-left


def test_score_mapping_is_monotone_with_anchors() -> None:
    s = LivenessSettings()
    ds = np.linspace(0, 1.2, 50)
    scores = [score_from_distance(float(d), s) for d in ds]
    assert all(a >= b for a, b in itertools.pairwise(scores))
    assert scores[0] == 100.0 and scores[-1] == 0.0
    assert score_from_distance(s.match_same_distance, s) == SCORE_AT_SAME
    assert score_from_distance(s.match_review_distance, s) == SCORE_AT_REVIEW


def test_judge_thresholds() -> None:
    s = LivenessSettings()
    assert judge(s.match_same_distance - 0.01, s)[1:] == (True, True)
    assert judge((s.match_same_distance + s.match_review_distance) / 2, s)[1:] == (False, True)
    assert judge(s.match_review_distance + 0.01, s)[1:] == (False, False)


def test_template_thresholds_are_their_own() -> None:
    s = LivenessSettings()
    d = s.match_template_same_distance
    assert judge(d, s, template=True)[1] is True
    assert score_from_distance(d, s, template=True) == SCORE_AT_SAME
    assert score_from_distance(s.match_template_review_distance, s, template=True) == (
        SCORE_AT_REVIEW
    )
    between = (s.match_template_review_distance + s.match_review_distance) / 2
    assert judge(between, s)[2] is True and judge(between, s, template=True)[2] is False


def test_template_averages_out_per_frame_noise() -> None:
    """Frames of one face = its identity plus per-frame noise (pose, expression, blur):
    the mean is nearer the identity than a typical single frame is."""
    rng = np.random.default_rng(5)
    truth = rng.normal(0, 0.09, 128)
    for _ in range(20):
        frames = [truth + rng.normal(0, 0.03, 128) for _ in range(4)]
        single = float(np.median([distance(f, truth) for f in frames]))
        assert template_distance(frames, truth) < 0.75 * single
