"""PHOTOCOPY on drawn licenses: a colour license's block is mostly black on white, its
colour a small seal; a greyscale copy has none."""

from __future__ import annotations

import cv2
import numpy as np

from kyc.ocr.quality import Region, assess

LINE_H = 36


def license_photo(grey: bool) -> tuple[np.ndarray, Region]:
    """A 1600x1200 photo of a license: twelve text lines and a red seal of ~0.05% of the
    text block (as on a license photographed whole); ``grey``: a greyscale copy of it."""
    img = np.full((1200, 1600, 3), (90, 100, 110), np.uint8)
    cv2.rectangle(img, (150, 100), (1450, 1100), (236, 238, 240), -1)
    quads = []
    for k in range(12):
        top = 180 + 70 * k
        cv2.rectangle(img, (260, top + 10), (1340, top + LINE_H - 10), (30, 30, 30), -1)
        quads.append(
            np.array([[260, top], [1340, top], [1340, top + LINE_H], [260, top + LINE_H]]).astype(
                np.float32
            )
        )
    cv2.circle(img, (1200, 900), 12, (0, 0, 200), -1)  # the seal, mostly lost in the print
    if grey:
        grey_img = cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
        img = np.asarray(grey_img, np.uint8)
    return img, Region(quads, 0.0, "business_license")


def test_a_colour_license_with_little_colour_is_not_a_photocopy() -> None:
    image, region = license_photo(grey=False)
    report = assess(image, [region], LINE_H, [])
    # below the share that tells an ID card's tinted background from a copy's
    assert 0 < report.measures["colour"] < 0.001
    assert "PHOTOCOPY" not in report.warnings


def test_a_greyscale_copy_of_it_is_a_photocopy() -> None:
    image, region = license_photo(grey=True)
    report = assess(image, [region], LINE_H, [])
    assert report.measures["colour"] == 0
    assert "PHOTOCOPY" in report.warnings
