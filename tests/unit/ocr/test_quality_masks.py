"""The quality checks' pixel masks, counted with OpenCV's 8-bit operations, against their
definitions written in numpy: the same pixels and the same numbers."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kyc.ocr import quality


def _cases(count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(11)
    out = []
    for t in range(count):
        h, w = (int(v) for v in rng.integers(1, 50, 2))
        image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        if t % 3 == 0:  # bright paper: the highlight and median paths near 245-255
            image[:] = rng.integers(235, 256, (h, w, 3), dtype=np.uint8)
        on = 255 if t % 2 else 1  # masks come as 0/255 and as 0/1
        mask = ((rng.random((h, w)) < rng.random()) * on).astype(np.uint8)
        out.append((image, mask))
    return out


@pytest.mark.parametrize(("image", "mask"), _cases(120))
def test_masks_and_counts_equal_their_numpy_definitions(
    image: np.ndarray, mask: np.ndarray
) -> None:
    hsv = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2HSV), np.uint8)
    hue, sat, val = (hsv[:, :, i] for i in range(3))
    inside = mask > 0

    values = val[inside]
    median = quality.u8_median(hsv, 2, mask)
    assert (median is None) if not values.size else median == float(np.median(values))

    ycc = cv2.cvtColor(image, cv2.COLOR_BGR2YCrCb).astype(np.int16)
    cr, cb = ycc[:, :, 1], ycc[:, :, 2]
    skin = (cr >= 138) & (cr <= 180) & (cb >= 80) & (cb <= 125) & (sat >= 45)
    skin &= (hue >= 5) & (hue <= 25)
    assert np.array_equal(quality.skin_mask(image, hsv), skin)

    for paper in (200.0, 233.5, 240.0, 243.5, 250.0):
        level = max(245.0, paper + 12.0)
        bright = ((val >= level) & (sat <= 40) & inside).astype(np.uint8)
        assert np.array_equal(quality.highlight_mask(hsv, paper, 1.0, mask), bright)

    coloured = (sat >= 60) & (val >= 60) & inside
    share = float(coloured.sum()) / max(1, int(inside.sum()))
    assert quality.colour_share(hsv, mask) == share


def _stamp_share_by_definition(crop: np.ndarray) -> float:
    lab = cv2.cvtColor(crop, cv2.COLOR_BGR2LAB).astype(np.int16)
    light, a = lab[:, :, 0], lab[:, :, 1]
    paper_l, ink_l = float(np.percentile(light, 90)), float(np.percentile(light, 3))
    paper_a = float(np.median(a[light >= paper_l - 5]))
    red = a - paper_a >= quality.STAMP_RED_A
    inked = (light < (paper_l + ink_l) / 2) | red
    return float(red.sum()) / int(inked.sum()) if inked.any() else 0.0


def test_percentiles_and_stamp_share_equal_numpy_on_line_crops() -> None:
    rng = np.random.default_rng(12)
    for t in range(400):
        h, w = (int(v) for v in rng.integers(1, 40, 2))
        crop = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        if t % 2:  # paper with a little ink and a reddish cast, as line crops are
            crop = np.clip(crop // 8 + int(rng.integers(150, 240)), 0, 255).astype(np.uint8)
            crop[..., 2] = np.clip(crop[..., 2].astype(int) + int(rng.integers(0, 80)), 0, 255)
        gray = np.asarray(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY), np.uint8)
        qs = (0, 3, 5, 25, 50, 90, 97, 100)
        assert quality.u8_percentiles(gray, qs) == [float(v) for v in np.percentile(gray, qs)]
        assert quality.stamp_ink_share(crop) == _stamp_share_by_definition(crop)


def _whiten_by_definition(image: np.ndarray, ink: float) -> np.ndarray:
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    light = gray >= ink - 12
    if not light.any():
        return image
    out = image.copy()
    out[light] = np.median(image[light], axis=0).astype(np.uint8)
    return out


def test_whiten_equals_its_numpy_definition() -> None:
    from kyc.ocr.pipeline import whiten

    rng = np.random.default_rng(13)
    for _ in range(200):
        h, w = (int(v) for v in rng.integers(1, 60, 2))
        image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        ink = float(rng.uniform(-20.0, 280.0))  # also nothing light, and everything
        got, want = whiten(image, ink), _whiten_by_definition(image, ink)
        assert got.dtype == want.dtype and np.array_equal(got, want)
