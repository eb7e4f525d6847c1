"""Files named on the command line, images and rotation metadata: bounded, coded, correct."""

from __future__ import annotations

import io
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from kyc.config import ImageLimits
from kyc.errors import BadInput, ErrorCode
from kyc.fileio import read_bounded
from kyc.imageio import decode_image, reduction
from kyc.liveness.video import matrix_turns

ONE = 65536


def code_of(path: Path, limit: int = 1000) -> ErrorCode:
    with pytest.raises(BadInput) as err:
        read_bounded(path, limit)
    return err.value.code


def test_read_bounded(tmp_path: Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"x" * 1000)
    assert read_bounded(p, 1000) == b"x" * 1000
    assert code_of(p, 999) is ErrorCode.FILE_TOO_LARGE
    assert code_of(Path("/dev/zero")) is ErrorCode.FILE_TOO_LARGE
    assert code_of(tmp_path / "missing") is ErrorCode.FILE_NOT_FOUND
    assert code_of(tmp_path) is ErrorCode.FILE_UNREADABLE
    assert code_of(tmp_path / ("a" * 5000)) is ErrorCode.FILE_UNREADABLE
    assert read_bounded(Path("/dev/null"), 10) == b""


def test_a_fifo_without_a_writer_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert read_bounded(fifo, 100) == b""


def test_a_fifo_with_a_writer_is_read_to_the_limit(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    holder = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # lets the writer open at once
    writer = os.open(fifo, os.O_WRONLY)
    try:
        os.write(writer, b"y" * 5000)
        with pytest.raises(BadInput) as err:
            read_bounded(fifo, 1000)
        assert err.value.code is ErrorCode.FILE_TOO_LARGE
    finally:
        os.close(writer)
        os.close(holder)


def _png(arr: np.ndarray, mode: str | None = None) -> bytes:
    buf = io.BytesIO()
    (Image.fromarray(arr, mode) if mode else Image.fromarray(arr)).save(buf, "PNG")
    return buf.getvalue()


def test_16_bit_greyscale_reads_like_its_8_bit_twin() -> None:
    rng = np.random.default_rng(1)
    grey8 = rng.integers(0, 256, (120, 160), dtype=np.uint8)
    twin = decode_image(_png(grey8), ImageLimits())
    deep = decode_image(_png(grey8.astype(np.uint16) * 257), ImageLimits())
    assert Image.open(io.BytesIO(_png(grey8.astype(np.uint16) * 257))).mode.startswith("I")
    assert np.array_equal(deep, twin)


def test_transparent_pixels_are_laid_on_white() -> None:
    rgba = np.zeros((80, 80, 4), np.uint8)  # fully transparent black
    out = decode_image(_png(rgba), ImageLimits())
    assert out.min() == 255


@pytest.mark.parametrize(
    ("w", "h", "cap", "factor"),
    [(4000, 3000, 24_000_000, 1), (8000, 6000, 24_000_000, 2), (8000, 6000, 10_000_000, 4)],
)
def test_reduction(w: int, h: int, cap: int, factor: int) -> None:
    assert reduction(w, h, cap) == factor
    assert (w // factor) * (h // factor) <= cap


@pytest.mark.parametrize("fmt", [".jpg", ".png"])
def test_large_photos_are_decoded_reduced(fmt: str) -> None:
    img = np.zeros((3000, 4000, 3), np.uint8)
    img[:, :, 1] = (np.arange(4000) % 256)[None, :]
    ok, buf = cv2.imencode(fmt, img)
    assert ok
    limits = ImageLimits(decode_max_pixels=2_999_999)  # 2000 x 1500 is one pixel over
    out = decode_image(buf.tobytes(), limits)
    assert out.shape == (750, 1000, 3)
    assert out.shape[0] * out.shape[1] <= limits.decode_max_pixels
    full = decode_image(buf.tobytes(), ImageLimits())
    assert full.shape == (3000, 4000, 3)


@pytest.mark.parametrize(
    ("matrix", "turns"),
    [
        ([ONE, 0, 0, 0, ONE, 0, 0, 0, 1 << 30], 0),
        ([0, -ONE, 0, ONE, 0, 0, 0, 0, 1 << 30], 1),
        ([-ONE, 0, 0, 0, -ONE, 0, 0, 0, 1 << 30], 2),
        ([0, ONE, 0, -ONE, 0, 0, 0, 0, 1 << 30], 3),
        ([2 * ONE, 0, 0, 0, 2 * ONE, 0, 0, 0, 1 << 30], 0),  # a uniform scale is harmless
        ([0] * 9, None),
        ([46340, -46340, 0, 46340, 46340, 0, 0, 0, 1 << 30], None),  # 45 degrees
        ([-ONE, 0, 0, 0, ONE, 0, 0, 0, 1 << 30], None),  # a mirror
        ([ONE, ONE // 2, 0, 0, ONE, 0, 0, 0, 1 << 30], None),  # a shear
        ([ONE, 0, 0], None),
    ],
)
def test_matrix_turns(matrix: list[int], turns: int | None) -> None:
    assert matrix_turns(matrix) == turns
