"""The command line on hostile input: exit 2 with one coded line, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kyc.cli import main, one_line, print_json
from kyc.synth.filing import enterprise_filing


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def one_coded_line(err: str, code: str) -> None:
    lines = err.rstrip("\n").split("\n")
    assert len(lines) == 1, err
    assert lines[0].startswith(f"kyc: {code}: "), err


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/dev/zero", "FILE_TOO_LARGE"),
        ("/nonexistent/x.jpg", "FILE_NOT_FOUND"),
        ("/tmp", "FILE_UNREADABLE"),
        ("a" * 5000 + ".jpg", "FILE_UNREADABLE"),
        ("/dev/null", "EMPTY_FILE"),
    ],
)
def test_ocr_refuses_odd_paths(capsys: pytest.CaptureFixture[str], path: str, code: str) -> None:
    status, out, err = run(capsys, "ocr", path, "--json")
    assert status == 2 and out == ""
    one_coded_line(err, code)


def test_ocr_error_lines_stay_one_line_whatever_the_file_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = tmp_path / "a\r\nkyc: FAKE\x1b[31m\u202e.jpg"
    name.write_bytes(b"not an image")
    status, _out, err = run(capsys, "ocr", str(name), "--json")
    assert status == 2
    one_coded_line(err, "UNSUPPORTED_FORMAT")
    assert "\x1b" not in err and "\u202e" not in err and "\\r\\n" in err


def write(tmp_path: Path, text: str | bytes) -> str:
    p = tmp_path / "f.json"
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return str(p)


def filing(**subject: Any) -> dict[str, Any]:
    return enterprise_filing("acct", "example.com", **subject)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"x":' * 10_000 + "{}" + "}" * 10_000, "JSON_TOO_DEEP"),
        (json.dumps(filing())[:-1] + ', "n": ' + "7" * 5000 + "}", "NUMBER_TOO_LARGE"),
        (json.dumps(filing())[:-1] + ', "n": NaN}', "INVALID_JSON"),
        (json.dumps(filing(name="a\u202eb")), "INVALID_CHARACTER"),
        (json.dumps(filing(name="x" * 1_000_000)), "TEXT_TOO_LONG"),
        ("x" * 3 * 1024 * 1024, "FILE_TOO_LARGE"),
    ],
    ids=["deep", "huge-int", "nan", "bidi", "long-name", "huge-file"],
)
def test_check_filing_refusals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, code: str
) -> None:
    status, out, err = run(capsys, "check-filing", write(tmp_path, text), "--json")
    assert status == 2 and out == "", err
    one_coded_line(err, code)


def test_check_filing_accepts_a_bom_and_ignores_unknown_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = {**filing(), "unknown": {"deep": [1, 2, {"x": None}]}}
    data = b"\xef\xbb\xbf" + json.dumps(body, ensure_ascii=False).encode()
    status, out, err = run(capsys, "check-filing", write(tmp_path, data), "--today=2026-06-01")
    assert status == 0, err
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(filing()), encoding="utf-8")
    assert run(capsys, "check-filing", str(plain), "--today=2026-06-01")[1] == out


def test_check_filing_registry_from_dev_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = write(tmp_path, json.dumps(filing()))
    status, _out, err = run(capsys, "check-filing", f, "--registry", "/dev/zero")
    assert status == 2
    one_coded_line(err, "FILE_TOO_LARGE")


@pytest.mark.parametrize(
    "argv", [["ocr"], ["ocr", "x.jpg", "--type", "passportx"], ["nosuch"], ["--bogus"]]
)
def test_argument_errors_are_coded(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: kyc")
    assert err.rstrip("\n").split("\n")[-1].startswith("kyc: INVALID_ARGUMENT: ")


def test_print_json_survives_file_names_that_are_not_utf8(
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = b"\xff\xfe.jpg".decode("utf-8", "surrogateescape")
    print_json({"file": name})
    out = capsys.readouterr().out
    assert json.loads(out) == {"file": name}


def test_one_line_escapes_and_cuts() -> None:
    assert one_line("a\nb\rc\x00d\u202e") == "a\\nb\\rc\\x00d\\u202e"
    assert one_line("名前 ok") == "名前 ok"
    assert len(one_line("x" * 5000)) < 1100
