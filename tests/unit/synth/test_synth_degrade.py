from __future__ import annotations

import datetime as dt
from random import Random

import numpy as np
import pytest
from stdnum.cn import ric

from kyc.synth import HARD_CONDITIONS, WARNING_OF, expected_fields, generate
from kyc.synth import degrade as dg

TODAY = dt.date(2026, 6, 15)


def _doc_with_dot(w: int = 200, h: int = 120, at: tuple[int, int] = (30, 20)) -> np.ndarray:
    doc = np.full((h, w, 4), 255, np.uint8)
    x, y = at
    doc[y - 2 : y + 3, x - 2 : x + 3, :3] = 0
    return doc


def _dark_centroid(img: np.ndarray) -> tuple[float, float]:
    g = img.astype(np.float64).mean(axis=2)
    weight = np.clip(100 - g, 0, None)  # the dot only (background is 128, paper 255)
    ys, xs = np.mgrid[0 : g.shape[0], 0 : g.shape[1]]
    return float((xs * weight).sum() / weight.sum()), float((ys * weight).sum() / weight.sum())


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_homography_follows_placement_rotation_and_rescale(k: int) -> None:
    rng = Random(k)
    doc = _doc_with_dot()
    bg = np.full((300, 400, 3), 128, np.uint8)
    hom = dg.perspective_homography((200, 120), (400, 300), width_frac=0.6, tilt_x=8, angle=5)
    photo = dg.place(doc, bg, hom, rng, shadow=False)
    photo = dg.rescale(dg.rotate90(photo, k), 0.8)
    expected = photo.map_points([(30, 20)])[0]
    x, y = _dark_centroid(photo.image)
    assert abs(x - expected[0]) <= 0.7 and abs(y - expected[1]) <= 0.7


def test_fraction_inside_and_mask_coverage() -> None:
    quad = np.array([[-10, 0], [10, 0], [10, 10], [-10, 10]], np.float64)
    assert dg.fraction_inside(quad, (100, 100)) == pytest.approx(0.5, abs=0.01)
    mask = np.zeros((20, 20), np.uint8)
    mask[:, :5] = 1
    inner = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], np.float64)
    assert 0.4 < dg.mask_coverage(inner, mask) < 0.6


def _mean_in_quad(img: np.ndarray, quad: list[list[float]]) -> float:
    import cv2

    m = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(m, [np.round(np.array(quad)).astype(np.int32)], 1)
    return float(img.mean(axis=2)[m == 1].mean())


def _share_white_in_quad(img: np.ndarray, quad: list[list[float]]) -> float:
    import cv2

    m = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(m, [np.round(np.array(quad)).astype(np.int32)], 1)
    return float((img.min(axis=2)[m == 1] >= 245).mean())


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_field_quads_cover_printed_text(rotation: int) -> None:
    s = generate("id_card_back", "moderate", Random(rotation), today=TODAY, rotation=rotation)
    quad = np.array(s.truth["quad"])
    # text boxes are darker than the card around them
    for name in ("issuing_authority", "valid_from"):
        fq = s.truth["field_quads"][name]
        assert _mean_in_quad(s.image, fq) < _mean_in_quad(s.image, s.truth["quad"]) - 8, name
    # the document's top-left corner lands where the quarter turn puts it
    cx, cy = quad.mean(axis=0)
    tl = quad[0]
    expected_quadrant = {0: (-1, -1), 90: (-1, 1), 180: (1, 1), 270: (1, -1)}[rotation]
    assert (np.sign(tl[0] - cx), np.sign(tl[1] - cy)) == expected_quadrant


@pytest.mark.parametrize("condition", HARD_CONDITIONS)
def test_each_hard_condition_sets_its_warning(condition: str) -> None:
    s = generate("id_card_back", "hard", Random(1), today=TODAY, conditions=[condition])
    assert WARNING_OF[condition] in s.truth["warnings"]
    others = {WARNING_OF[c] for c in HARD_CONDITIONS if c != condition}
    assert not others & set(s.truth["warnings"])
    if condition in ("occlusion", "glare"):
        assert s.truth["hidden_fields"]
        assert set(expected_fields(s.truth)) < set(s.truth["fields"])
    if condition == "glare":  # the target field is partly washed out to white
        target = s.truth["conditions"]["glare"]["field"]
        fq = s.truth["field_quads"][target]
        assert _share_white_in_quad(s.image, fq) > 0.05


def test_identity_warnings_and_truth_consistency() -> None:
    s = generate("id_card_back", "clean", Random(2), today=TODAY, expired=True, temporary=True)
    assert {"EXPIRED", "TEMPORARY_ID"} <= set(s.truth["warnings"])
    assert s.truth["fields"]["valid_until"] < TODAY.isoformat()
    front = generate("id_card_front", "clean", Random(2), today=TODAY, expired=True)
    assert "EXPIRED" not in front.truth["warnings"]  # the front does not show validity
    f = front.truth["fields"]
    assert ric.is_valid(f["id_number"])
    assert ric.get_birth_date(f["id_number"]).isoformat() == f["birth_date"]
    assert (int(f["id_number"][16]) % 2 == 1) == (f["sex"] == "男")
    fresh = generate("id_card_back", "clean", Random(2), today=TODAY, expired=False)
    assert "EXPIRED" not in fresh.truth["warnings"]
    assert fresh.truth["fields"]["valid_until"] == "long_term" or (
        fresh.truth["fields"]["valid_until"] >= TODAY.isoformat()
    )


def test_low_resolution_shrinks_the_document() -> None:
    s = generate("id_card_back", "hard", Random(3), today=TODAY, conditions=["low_resolution"])
    assert s.truth["conditions"]["document_width_px"] < 500
    plain = generate("id_card_back", "moderate", Random(3), today=TODAY)
    assert plain.truth["conditions"]["document_width_px"] > 700


def test_both_sides_page_reports_each_card_in_the_photo() -> None:
    s = generate("id_card_both", "moderate", Random(4), today=TODAY)
    cards = s.truth["card_quads"]
    page = np.array(s.truth["quad"])
    lo, hi = page.min(axis=0), page.max(axis=0)
    for side in ("front", "back"):
        q = np.array(cards[side])
        assert q.shape == (4, 2)
        assert (q >= lo - 1).all() and (q <= hi + 1).all()  # the cards lie on the page
    # the id number is printed on the front card
    fq = np.array(s.truth["field_quads"]["id_number"]).mean(axis=0)
    front = np.array(cards["front"])
    assert front.min(axis=0)[0] <= fq[0] <= front.max(axis=0)[0]
    assert front.min(axis=0)[1] <= fq[1] <= front.max(axis=0)[1]
