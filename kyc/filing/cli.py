"""Sub-commands of this package (registered by kyc.cli): ``kyc check-filing``."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from kyc.errors import BadInput, ErrorCode


def _today(text: str | None) -> date:
    if text is None:
        return date.today()  # the shell reads the clock; the core takes it as an argument
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(ErrorCode.INVALID_FIELD, f"--today: not a date YYYY-MM-DD: {text}") from None


def _check_filing(args: argparse.Namespace) -> int:
    from kyc.cli import print_json
    from kyc.config import get_settings
    from kyc.filing.check import check_filing
    from kyc.filing.contract import clean_filing
    from kyc.filing.model import parse_filing, parse_registry
    from kyc.jsonload import load_file

    limits = get_settings().limits
    today = _today(args.today)
    filing = load_file(Path(args.filing), limits, "filing")
    order = parse_filing(clean_filing(filing, limits))
    registry: tuple[Any, ...] = ()
    if args.registry:
        loaded = load_file(
            Path(args.registry), limits, "registry", max_bytes=limits.registry_file_bytes
        )
        registry = parse_registry(loaded)
    check = check_filing(order, registry, today)
    if args.json:
        print_json(check.to_json())
    else:
        print(f"filing_type: {check.filing_type}  path: {check.path}  ok: {check.ok}")
        for r in check.rules:
            print(f"{r.status:8} {r.reason}")
    return 0


def register(sub: Any) -> None:
    """Add ``check-filing`` to the ``kyc`` parser."""
    p = sub.add_parser(
        "check-filing",
        help="run the rules of RULES.md on a filing order (a result per rule)",
    )
    p.add_argument("filing", metavar="FILING.json")
    p.add_argument("--registry", metavar="REGISTRY.json", help="filings already known")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="the date to judge on (default: today)")
    p.add_argument("--json", action="store_true", help="print the contract JSON object")
    p.set_defaults(func=_check_filing)
