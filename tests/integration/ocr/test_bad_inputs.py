"""Every bad image gets exit status 2 and a one-line error with a specific code."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from kyc.cli import main

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels but carries almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["ocr", *args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    ("name", "make", "code"),
    [
        ("empty.jpg", lambda: b"", "EMPTY_FILE"),
        ("notes.jpg", lambda: "这不是图片 just text\n".encode() * 20, "UNSUPPORTED_FORMAT"),
        ("huge.png", lambda: png_header_only(30000, 30000), "IMAGE_TOO_LARGE"),
        ("bomb.png", lambda: png_header_only(50000, 50000), "IMAGE_TOO_LARGE"),
        ("tiny.png", lambda: png_header_only(10, 10), "IMAGE_TOO_SMALL"),
    ],
)
def test_bad_file_gets_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, make: object, code: str
) -> None:
    path = tmp_path / name
    path.write_bytes(make())  # type: ignore[operator]
    status, out, err = run(capsys, str(path), "--json")
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and f"kyc: {code}:" in err
    assert "Traceback" not in err


def test_truncated_jpeg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    whole = (SHARED / "faces" / "obama" / "obama1.jpg").read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole[: len(whole) // 3])
    status, _out, err = run(capsys, str(path), "--json")
    assert status == 2
    assert "kyc: CORRUPT_IMAGE:" in err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _out, err = run(capsys, str(tmp_path / "nope.jpg"))
    assert status == 2 and "kyc: FILE_NOT_FOUND:" in err


def test_photo_without_document_is_not_a_document(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, str(SHARED / "faces" / "biden" / "biden1.jpg"), "--json")
    assert status == 2
    assert "kyc: NOT_A_DOCUMENT:" in err
    assert '"document_type":"unknown"' in out and "NOT_A_DOCUMENT" in out


def test_one_bad_image_does_not_stop_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    good = SHARED / "documents" / "1c3a0f9896bf493980d69f8ddeb7a19a.png"
    status, out, err = run(capsys, str(empty), str(good), "--json")
    assert status == 2
    assert "EMPTY_FILE" in err
    assert out.count("\n") == 1 and '"document_type":"id_card_both"' in out
