"""Manifest entries from an npm tarball and converted files: located, sha256-checked,
set-up-only sources reported as not kept (no fault), damage reported as corrupt."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from kyc.errors import SystemFault
from kyc.modelfiles import archive_member, check, load_manifest, resolve, status_all


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tarball(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _setup(tmp_path: Path, graph: bytes = b'{"g": 1}') -> tuple[Path, bytes]:
    models = tmp_path / "models"
    (models / "npm").mkdir(parents=True)
    tgz = _tarball({"package/models/m.json": graph})
    (models / "npm" / "pkg-1.0.0.tgz").write_bytes(tgz)
    converted = b"onnx bytes"
    (models / "m.onnx").write_bytes(converted)
    manifest = {
        "about": "test",
        "models": [
            {
                "name": "pkg",
                "description": "",
                "package": "pkg",
                "version": "1.0.0",
                "source": "npm",
                "path": "pkg-1.0.0.tgz",
                "sha256": _sha(tgz),
                "license": "MIT",
                "setup_only": True,
            },
            {
                "name": "m_graph",
                "description": "",
                "package": "pkg",
                "version": "1.0.0",
                "source": "npm",
                "archive": "pkg",
                "path": "package/models/m.json",
                "sha256": _sha(b'{"g": 1}'),
                "license": "x",
                "setup_only": True,
            },
            {
                "name": "m",
                "description": "",
                "package": "kyc.modelconv.tfjs",
                "version": "1",
                "source": "converted",
                "converted_from": ["m_graph"],
                "path": "m.onnx",
                "sha256": _sha(converted),
                "license": "x",
            },
        ],
    }
    (models / "manifest.json").write_text(json.dumps(manifest))
    return models, tgz


def test_npm_member_and_converted_file_verify(tmp_path: Path) -> None:
    models, _ = _setup(tmp_path)
    rows = {r.entry.name: r for r in status_all(models)}
    assert {n: r.status for n, r in rows.items()} == {"pkg": "ok", "m_graph": "ok", "m": "ok"}
    assert rows["pkg"].entry.package_spec == "npm:pkg==1.0.0"
    entry = next(e for e in load_manifest(models) if e.name == "m_graph")
    assert archive_member(entry, models) == b'{"g": 1}'
    assert resolve("m", models) == (models / "m.onnx").resolve()


def test_sources_may_be_gone_once_converted(tmp_path: Path) -> None:
    models, _ = _setup(tmp_path)
    (models / "npm" / "pkg-1.0.0.tgz").unlink()
    rows = {r.entry.name: r for r in status_all(models)}
    assert rows["pkg"].status == "not-kept" and rows["m_graph"].status == "not-kept"
    assert all(r.usable for r in rows.values())
    (models / "m.onnx").unlink()
    missing = next(r for r in status_all(models) if r.entry.name == "m")
    assert missing.status == "missing" and not missing.usable


def test_a_changed_member_is_corrupt(tmp_path: Path) -> None:
    models, _ = _setup(tmp_path)
    tgz = _tarball({"package/models/m.json": b'{"g": 2}'})
    (models / "npm" / "pkg-1.0.0.tgz").write_bytes(tgz)
    manifest = json.loads((models / "manifest.json").read_text())
    manifest["models"][0]["sha256"] = _sha(tgz)  # the tarball is "right", its member is not
    (models / "manifest.json").write_text(json.dumps(manifest))
    entry = next(e for e in load_manifest(models) if e.name == "m_graph")
    assert check(entry, models).status == "corrupt"
    with pytest.raises(SystemFault, match="sha256"):
        archive_member(entry, models)
