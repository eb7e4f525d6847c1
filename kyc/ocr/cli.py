"""``kyc ocr``: read documents from images (contract in ../shared/DESIGN.md)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from kyc.errors import BadInput, ErrorCode

# kyc.ocr.types.TypeHint (not imported here: the CLI starts without numpy)
TYPE_HINTS = ("auto", "id_card", "business_license", "passport", "permit", "unit_certificate")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "ocr", help="read ID cards, business licenses and other certificates from images"
    )
    p.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    p.add_argument("--type", choices=TYPE_HINTS, default="auto")
    p.add_argument("--json", action="store_true", help="one JSON object per image and line")
    p.add_argument("--today", help="reference date for expiry checks (YYYY-MM-DD)")
    p.add_argument(
        "--save-dir", type=Path, help="write the portrait and the filing-ready JPEG here"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import datetime as dt

    from kyc.cli import error_line, one_line, print_json
    from kyc.config import get_settings
    from kyc.imageio import read_image_file
    from kyc.ocr.pipeline import DocumentReader

    today = None
    if args.today:
        try:
            today = dt.date.fromisoformat(args.today)
        except ValueError as exc:
            raise BadInput(
                ErrorCode.INVALID_FIELD, f"--today: {args.today!r} is not a date"
            ) from exc
    settings = get_settings()
    reader: DocumentReader | None = None  # models load once, at the first good image
    status = 0
    for path in args.images:
        try:
            started = time.perf_counter()
            image = read_image_file(path, settings.images)
            reader = reader or DocumentReader(settings)
            result = reader.read_image(image, args.type, today, started)
        except BadInput as exc:
            print(error_line(exc), file=sys.stderr)
            status = 2
            continue
        if result.document_type == "unknown":
            print(
                one_line(
                    f"kyc: {ErrorCode.NOT_A_DOCUMENT}: {path}: no document of a known type found"
                ),
                file=sys.stderr,
            )
            status = 2
        if args.save_dir:
            _save(args.save_dir, path, result)
        if args.json:
            print_json({"file": str(path), **result.to_json()})
        else:
            _print_human(path, result.to_json())
    return status


def _save(folder: Path, path: Path, result: Any) -> None:
    from kyc.imageio import encode_jpeg

    folder.mkdir(parents=True, exist_ok=True)
    if result.filing_jpeg:
        (folder / f"{path.stem}.filing.jpg").write_bytes(result.filing_jpeg)
    if result.portrait is not None:
        (folder / f"{path.stem}.portrait.jpg").write_bytes(encode_jpeg(result.portrait, 92))


def _print_human(path: Path, obj: dict[str, Any]) -> None:
    print(
        f"{path}: {obj['document_type']}  quality {obj['quality']:.2f}  {obj['elapsed_ms']:.0f} ms"
    )
    for name, f in obj["fields"].items():
        mark = {True: "ok", False: "INVALID", None: ""}[f["valid"]]
        print(f"  {name:22} {f['value']!s:40} {f['confidence']:.2f} {mark}")
    if obj["warnings"]:
        print("  warnings: " + ", ".join(obj["warnings"]))
