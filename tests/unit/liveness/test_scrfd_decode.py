"""SCRFD's output decoding and non-maximum suppression on made-up outputs."""

from __future__ import annotations

import numpy as np

from kyc.liveness.scrfd import ANCHORS, SIDE, STRIDES, decode, letterbox, nms


def _outputs(
    hits: dict[tuple[int, int], tuple[float, tuple[float, float, float, float]]],
) -> list[np.ndarray]:
    """Scores and box distances per stride; ``hits`` maps (stride, anchor index) to a
    score and the distances (left, top, right, bottom) in stride units."""
    scores, dists = [], []
    for stride in STRIDES:
        n = (SIDE // stride) ** 2 * ANCHORS
        s = np.zeros((1, n, 1), np.float32)
        d = np.zeros((1, n, 4), np.float32)
        for (st, i), (score, dist) in hits.items():
            if st == stride:
                s[0, i, 0], d[0, i] = score, dist
        scores.append(s)
        dists.append(d)
    return scores + dists


def test_an_anchor_becomes_its_box_in_photo_pixels() -> None:
    # stride 16, cell (x 10, y 5) = anchor index (5 * 40 + 10) * 2: centre (160, 80)
    out = _outputs({(16, (5 * 40 + 10) * 2): (0.9, (2.0, 3.0, 4.0, 5.0))})
    (box,) = decode(out, 0.5, 0.35)
    assert (box.left, box.top, box.right, box.bottom) == (256.0, 64.0, 448.0, 320.0)
    assert abs(box.score - 0.9) < 1e-6
    assert decode(out, 0.5, 0.95) == []  # under the threshold


def test_overlapping_detections_of_one_face_keep_the_best() -> None:
    a = (5 * 40 + 10) * 2
    out = _outputs(
        {
            (16, a): (0.8, (2.0, 3.0, 4.0, 5.0)),
            (16, a + 1): (0.9, (2.0, 3.0, 4.2, 5.0)),  # the same face, the other anchor
            (32, 0): (0.7, (0.0, 0.0, 2.0, 2.0)),  # another face, top left
        }
    )
    boxes = decode(out, 1.0, 0.35)
    assert [round(b.score, 1) for b in boxes] == [0.9, 0.7]
    b = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], np.float64)
    assert nms(b, np.array([0.5, 0.9, 0.6]), 0.4) == [1, 2]  # 0 overlaps 1 by 0.68


def test_letterbox_keeps_the_aspect_and_scales_back() -> None:
    img = np.full((400, 800, 3), 255, np.uint8)
    x, k = letterbox(img)
    assert x.shape == (1, 3, SIDE, SIDE) and k == SIDE / 800
    assert x[0, 0, 0, 0] > 0.99 and x[0, 0, SIDE - 1, 0] < -0.99  # photo on top, black below
