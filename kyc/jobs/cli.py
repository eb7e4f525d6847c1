"""``kyc reverify``: re-run the pipeline over stored submissions (contract:
../shared/DESIGN.md). Prints the report as a table (or JSON with ``--json``); ``--report
FILE`` writes the JSON; progress goes to stderr."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from kyc.errors import BadInput, ErrorCode


def register(sub: Any) -> None:
    p = sub.add_parser(
        "reverify",
        help="re-run document reading, face match and liveness on stored submissions",
        description=(
            "Re-run the current pipeline over stored submissions and report every filing "
            "whose decision or a field would change. Old results are kept; a run killed "
            "part way resumes when started again with the same options."
        ),
    )
    p.add_argument("--since", help="only filings submitted on or after DATE (YYYY-MM-DD)")
    p.add_argument("--filing", action="append", default=[], metavar="ID", help="only these filings")
    p.add_argument("--engine", choices=("local", "ray"), default="local")
    p.add_argument("--address", help="Ray cluster address (auto or host:port); default: local")
    p.add_argument("--workers", type=int, help="worker processes / Ray actors")
    p.add_argument("--dry-run", action="store_true", help="plan only; record nothing")
    p.add_argument("--report", type=Path, metavar="FILE", help="write the JSON report here")
    p.add_argument("--json", action="store_true", help="print the JSON report, not the table")
    p.add_argument("--run", metavar="RUN_ID", help="print the report of a stored run")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=_reverify)


def parse_since(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise BadInput(ErrorCode.INVALID_DATE, f"--since must be YYYY-MM-DD: {text!r}") from exc


def _write_report(obj: dict[str, Any], path: Path | None) -> None:
    if path is None:
        return
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise BadInput(ErrorCode.FILE_NOT_FOUND, f"cannot write the report {path}: {exc}") from exc


def _reverify(args: argparse.Namespace) -> int:
    from kyc.jobs.model import Selection
    from kyc.jobs.progress import Progress
    from kyc.jobs.report import render_table, report_json
    from kyc.jobs.runner import Context, Options, execute, make_engine, prepare, stored_report

    selection = Selection(parse_since(args.since), tuple(sorted(set(args.filing))))
    options = Options(
        selection=selection,
        engine=args.engine,
        address=args.address,
        workers=args.workers,
        dry_run=args.dry_run,
    )
    options.check()  # bad options fail before the store is opened
    if options.engine == "ray" and options.address and not args.dry_run:
        from kyc.jobs.engines import check_address

        check_address(options.address)
    from kyc.config import get_settings
    from kyc.store.open import open_store

    settings = get_settings()
    engine_, sessions, cipher, blobs = open_store(settings)
    ctx = Context(settings, sessions, cipher, blobs)
    try:
        if args.run:
            report = stored_report(ctx, args.run)
        else:
            prepared = prepare(ctx, options)
            plan = prepared.plan
            progress = Progress(
                total=plan.total,
                finished=len(plan.finished),
                enabled=not args.quiet and not args.dry_run,
            )
            engine = None if args.dry_run or not plan.items else make_engine(settings, options)
            report = execute(ctx, prepared, engine, progress)
    finally:
        engine_.dispose()
    obj = report_json(report)
    _write_report(obj, args.report)
    if args.json:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_table(report))
    sys.stdout.flush()
    return 0
