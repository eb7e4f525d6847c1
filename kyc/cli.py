"""The ``kyc`` command line (contract: ../shared/DESIGN.md).

Exit status 0 when the command ran (whatever the verdict), 2 for bad input with a
one-line error on stderr, 1 for an internal failure. Each command group lives next to
the code it drives and registers itself here; heavy imports happen inside the commands.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from kyc.errors import ErrorCode, KycError

# Modules that contribute sub-commands through ``register(subparsers)``.
COMMAND_MODULES = (
    "kyc.ocr.cli",
    "kyc.liveness.cli",
    "kyc.filing.cli",
    "kyc.api.cli",
    "kyc.jobs.cli",
    "kyc.forms.cli",
)

Handler = Callable[[argparse.Namespace], int]


def print_json(obj: Any) -> None:
    """One JSON object on one line, UTF-8 kept readable (escaped where a value holds what
    UTF-8 cannot carry: a file name that is not UTF-8 comes back as lone surrogates)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(obj, ensure_ascii=True, separators=(",", ":"))
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


_MAX_ERROR_CHARS = 1000


def one_line(text: str) -> str:
    """``text`` on one printable line: control characters (CR, LF, ESC...) escaped, bidi
    overrides and lone surrogates too, and cut at ``_MAX_ERROR_CHARS``."""
    out = []
    for ch in text:
        if ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape", "backslashreplace").decode("ascii"))
    line = "".join(out)
    if len(line) > _MAX_ERROR_CHARS:
        line = line[:_MAX_ERROR_CHARS] + f"... ({len(line)} characters)"
    return line


def error_line(exc: KycError, subject: str | None = None) -> str:
    where = f"{subject}: " if subject else ""
    return one_line(f"kyc: {exc.code}: {where}{exc.detail}")


class ArgumentParser(argparse.ArgumentParser):
    """argparse with the contract's error line: usage, then ``kyc: INVALID_ARGUMENT: ...``
    on stderr and exit status 2 (as for any bad input)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, one_line(f"kyc: {ErrorCode.INVALID_ARGUMENT}: {message}") + "\n")


def _models_command(args: argparse.Namespace) -> int:
    from kyc.config import get_settings
    from kyc.inference import (
        ADAPTER_MODELS,
        ONNXRUNTIME_MODELS,
        RuntimeSettings,
        describe,
        runtime_info,
    )
    from kyc.modelfiles import status_all

    rows = status_all(get_settings().models_dir)
    runtime = describe(runtime_info(get_settings().runtime))  # what runs the ONNX models
    ort = describe(runtime_info(RuntimeSettings(backend="onnxruntime")))
    runs_on = dict.fromkeys(ADAPTER_MODELS, runtime) | dict.fromkeys(ONNXRUNTIME_MODELS, ort)
    if args.json:
        for row in rows:
            print_json(
                {
                    "name": row.entry.name,
                    "runtime": runs_on.get(row.entry.name),
                    "package": row.entry.package_spec,
                    "path": str(row.location) if row.location else None,
                    "sha256": row.entry.sha256,
                    "license": row.entry.license,
                    "status": row.status,
                }
            )
    else:
        print(f"runtime  {', '.join(ADAPTER_MODELS)} on {runtime}")
        print(f"runtime  {', '.join(ONNXRUNTIME_MODELS)} on {ort}")
        for row in rows:
            where = str(row.location) if row.location else "-"
            print(f"{row.status:8} {row.entry.name:22} {row.entry.package_spec}")
            print(f"         {where}")
            print(f"         {row.entry.license}")
    return 0 if all(r.usable for r in rows) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="kyc", description="Identity and document verification for ICP filings."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    models = sub.add_parser("models", help="list the model files and verify their sha256")
    models.add_argument("--json", action="store_true")
    models.set_defaults(func=_models_command)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Handler = args.func
    try:
        return func(args)
    except KycError as exc:
        print(error_line(exc), file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # internal failure: one line, no traceback
        print(one_line(f"kyc: INTERNAL: {type(exc).__name__}: {exc}"), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
