"""Sub-commands ``check-form`` and ``check-backdrop`` (contract: ../shared/DESIGN.md).
Heavy imports happen in the handlers."""

from __future__ import annotations

import argparse
from typing import Any


def _check_form(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kyc.cli import print_json
    from kyc.config import get_settings
    from kyc.filing.contract import clean_filing
    from kyc.filing.model import parse_filing
    from kyc.forms.check import check_form
    from kyc.imageio import read_image_file
    from kyc.jsonload import load_file
    from kyc.ocr.engine import OcrEngine

    settings = get_settings()
    filing = load_file(Path(args.filing), settings.limits, "filing")
    order = parse_filing(clean_filing(filing, settings.limits))
    image = read_image_file(Path(args.image), settings.images)
    engine = OcrEngine(settings.ocr, settings.models_dir)
    print_json(check_form(image, order, engine, settings.forms).to_json())
    return 0


def _check_backdrop(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kyc.cli import print_json
    from kyc.config import get_settings
    from kyc.errors import BadInput, ErrorCode
    from kyc.forms.backdrop import check_backdrop
    from kyc.imageio import read_image_file
    from kyc.liveness.engine import get_engine
    from kyc.liveness.match import read_portrait

    settings = get_settings()
    path = Path(args.image)
    try:
        size = path.stat().st_size
        if size > settings.images.max_bytes:
            raise BadInput(
                ErrorCode.FILE_TOO_LARGE,
                f"{path} is {size / 1e6:.1f} MB; the limit is "
                f"{settings.images.max_bytes / 1e6:.0f} MB",
            )
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise BadInput(ErrorCode.FILE_NOT_FOUND, f"{path} does not exist") from exc
    portrait = read_portrait(Path(args.portrait), settings.images)
    reference = (
        read_image_file(Path(args.backdrop_ref), settings.images) if args.backdrop_ref else None
    )
    result = check_backdrop(
        data,
        portrait,
        reference,
        get_engine(settings.models_dir),
        settings.backdrop,
        settings.liveness,
        settings.images,
    )
    print_json(result.to_json())
    return 0


def register(sub: Any) -> None:
    """Add ``check-form`` and ``check-backdrop`` to the ``kyc`` parser."""
    p = sub.add_parser("check-form", help="check a photo or scan of the signed verification form")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--filing", required=True, help="the filing order (JSON of check-filing)")
    p.add_argument("--json", action="store_true", help="print JSON (the only output form)")
    p.set_defaults(func=_check_form)

    p = sub.add_parser("check-backdrop", help="check the principal's photo before the backdrop")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--portrait", required=True, help="face photo or ID-card front")
    p.add_argument("--backdrop-ref", default=None, help="a photo of the operator's backdrop")
    p.add_argument("--json", action="store_true", help="print JSON (the only output form)")
    p.set_defaults(func=_check_backdrop)
