from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "gen_documents.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_documents", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_writes_images_and_truth_deterministically(tmp_path: Path) -> None:
    gen = _load()
    args = ["--n", "2", "--seed", "4", "--kinds", "id_card_back", "--levels", "clean,hard"]
    args += ["--today", "2026-06-15"]
    assert gen.main([*args, "--out", str(tmp_path / "a")]) == 0
    assert gen.main([*args, "--out", str(tmp_path / "b")]) == 0
    lines = (tmp_path / "a" / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    rows = [json.loads(line) for line in lines]
    assert [r["truth"]["conditions"]["level"] for r in rows] == ["clean", "hard"]
    for r in rows:
        assert (tmp_path / "a" / r["file"]).stat().st_size > 10_000
        assert r["truth"]["document_type"] == "id_card_back"
        assert r["truth"]["reference_date"] == "2026-06-15"
        a = (tmp_path / "a" / r["file"]).read_bytes()
        assert a == (tmp_path / "b" / r["file"]).read_bytes()
    assert lines == (tmp_path / "b" / "truth.jsonl").read_text(encoding="utf-8").splitlines()


def test_rejects_unknown_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gen = _load()
    with pytest.raises(SystemExit) as exc:
        gen.main(["--n", "1", "--out", str(tmp_path), "--kinds", "selfie"])
    assert exc.value.code == 2
    assert "selfie" in capsys.readouterr().err
