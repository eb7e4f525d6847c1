"""``kyc check-filing``: exit 0 when it ran, 2 with the offending key's path on bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from filing_factory import CREDIT_CODE, enterprise

from kyc.cli import main
from kyc.filing.check import RULE_IDS


def write(tmp_path: Path, name: str, obj: Any) -> str:
    p = tmp_path / name
    p.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return str(p)


def test_runs_and_prints_the_contract_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filing = write(tmp_path, "f.json", enterprise())
    code = main(["check-filing", filing, "--today", "2026-06-01", "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    lines = out.out.strip().splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert set(obj) == {"filing_type", "path", "rules", "ok"}
    assert obj["filing_type"] == "first" and obj["path"] == "video_check"
    assert [r["id"] for r in obj["rules"]] == list(RULE_IDS)
    assert all(set(r) == {"id", "status", "reason"} for r in obj["rules"])
    assert obj["ok"] is True


def test_failing_verdict_still_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    filing = write(tmp_path, "f.json", enterprise())
    registry = write(
        tmp_path,
        "r.json",
        [
            {
                "certificate_number": CREDIT_CODE,
                "domains": ["x.com"],
                "provider": "us",
                "account_id": "b",
            }
        ],
    )
    code = main(["check-filing", filing, "--registry", registry, "--today", "2026-06-01", "--json"])
    obj = json.loads(capsys.readouterr().out)
    assert code == 0
    assert obj["ok"] is False and obj["path"] == "backdrop_photo"
    failed = {r["id"] for r in obj["rules"] if r["status"] == "failed"}
    assert {"R-SUBJ-10", "R-REJ-4", "R-MINI-2"} <= failed


def test_missing_key_exits_2_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    obj = enterprise()
    del obj["subject"]["principal"]["name"]
    code = main(["check-filing", write(tmp_path, "f.json", obj), "--json"])
    out = capsys.readouterr()
    assert code == 2
    assert out.out == ""
    assert out.err.strip() == "kyc: MISSING_FIELD: subject.principal.name: missing"


def test_bad_domain_exits_2_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    obj = enterprise()
    obj["websites"].append(dict(obj["websites"][0], domains=["ok.com", "not a domain"]))
    code = main(["check-filing", write(tmp_path, "f.json", obj), "--json"])
    err = capsys.readouterr().err
    assert code == 2
    assert "websites[1].domains[1]: not a domain" in err
    assert len(err.strip().splitlines()) == 1


def test_bad_registry_exits_2_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filing = write(tmp_path, "f.json", enterprise())
    registry = write(tmp_path, "r.json", [{"certificate_number": "X", "domains": ["a.com"]}])
    code = main(["check-filing", filing, "--registry", registry, "--json"])
    assert code == 2
    assert "registry[0].provider: missing" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "code_text"),
    [("{not json", "INVALID_JSON"), ("", "INVALID_JSON"), (b"\xff\xfe\x00", "INVALID_JSON")],
    ids=["broken", "empty", "not-utf8"],
)
def test_invalid_json_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes, code_text: str
) -> None:
    p = tmp_path / "f.json"
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    assert main(["check-filing", str(p), "--json"]) == 2
    err = capsys.readouterr().err
    assert code_text in err and len(err.strip().splitlines()) == 1


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-filing", str(tmp_path / "nope.json"), "--json"]) == 2
    assert "FILE_NOT_FOUND" in capsys.readouterr().err


def test_bad_today_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    filing = write(tmp_path, "f.json", enterprise())
    assert main(["check-filing", filing, "--today", "June 1st", "--json"]) == 2
    assert "--today" in capsys.readouterr().err


def test_today_changes_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    filing = write(tmp_path, "f.json", enterprise())
    main(["check-filing", filing, "--today", "2026-06-01", "--json"])
    before = json.loads(capsys.readouterr().out)
    main(["check-filing", filing, "--today", "2036-01-01", "--json"])
    after = json.loads(capsys.readouterr().out)
    status = {r["id"]: r["status"] for r in after["rules"]}
    assert before["ok"] is True
    assert status["R-DOC-3"] == "failed"  # the synthetic ID card ran out in 2035
