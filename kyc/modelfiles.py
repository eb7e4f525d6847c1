"""Locate and verify the model files listed in ``models/manifest.json``.

A model is found in ``<models_dir>/<file name>`` (a user-supplied copy) or inside its
registry package; either way its sha256 must match the manifest. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kyc.errors import ErrorCode, SystemFault


@dataclass(frozen=True)
class ModelEntry:
    name: str
    description: str
    package: str
    version: str
    path: str
    sha256: str
    license: str


@dataclass(frozen=True)
class ModelStatus:
    entry: ModelEntry
    location: Path | None
    status: str  # "ok" | "missing" | "corrupt"


def load_manifest(models_dir: Path) -> list[ModelEntry]:
    manifest = models_dir / "manifest.json"
    try:
        raw = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemFault(
            ErrorCode.CONFIG_ERROR, f"cannot read model manifest {manifest}: {exc}"
        ) from exc
    return [ModelEntry(**item) for item in raw["models"]]


def manifest_hash(models_dir: Path) -> str:
    """Hash of the manifest: identifies the model set a result was produced with."""
    entries = load_manifest(models_dir)
    joined = "\n".join(f"{e.name}:{e.sha256}" for e in sorted(entries, key=lambda e: e.name))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def _package_dir(package: str) -> Path | None:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _candidates(entry: ModelEntry, models_dir: Path) -> list[Path]:
    found = [models_dir / Path(entry.path).name]
    pkg = _package_dir(entry.package)
    if pkg is not None:
        found.append(pkg / entry.path)
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check(entry: ModelEntry, models_dir: Path) -> ModelStatus:
    existing = [p for p in _candidates(entry, models_dir) if p.is_file()]
    if not existing:
        return ModelStatus(entry, None, "missing")
    location = existing[0]
    status = "ok" if _sha256(location) == entry.sha256 else "corrupt"
    return ModelStatus(entry, location, status)


def _fix_hint(entry: ModelEntry) -> str:
    return (
        f"reinstall it with `uv sync --reinstall-package {entry.package}` "
        f"({entry.package}=={entry.version}) or place the original file in models/"
    )


@lru_cache(maxsize=32)
def _resolve_cached(name: str, models_dir: Path) -> Path:
    entries = {e.name: e for e in load_manifest(models_dir)}
    if name not in entries:
        raise SystemFault(ErrorCode.MODEL_MISSING, f"model {name!r} is not in the manifest")
    entry = entries[name]
    status = check(entry, models_dir)
    if status.status == "missing":
        raise SystemFault(
            ErrorCode.MODEL_MISSING,
            f"model file {entry.path} of package {entry.package} not found; {_fix_hint(entry)}",
        )
    if status.status == "corrupt":
        raise SystemFault(
            ErrorCode.MODEL_CORRUPT,
            f"model file {status.location} fails its sha256 check; {_fix_hint(entry)}",
        )
    assert status.location is not None
    return status.location


def resolve(name: str, models_dir: Path) -> Path:
    """The verified path of model ``name``; raises SystemFault naming the file and the fix."""
    return _resolve_cached(name, models_dir.resolve())


def status_all(models_dir: Path) -> list[ModelStatus]:
    return [check(e, models_dir) for e in load_manifest(models_dir)]
