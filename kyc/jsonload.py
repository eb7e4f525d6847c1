"""The one JSON loader of the CLI and the API: the same limits, the same errors.

``loads`` accepts RFC 8259 JSON in UTF-8, with or without a UTF-8 byte-order mark, and
refuses with ``BadInput``:

- more bytes than the limit (REQUEST_TOO_LARGE);
- text that is not UTF-8 (UTF-16/32 included), not JSON, ``NaN``/``Infinity``, or an
  object with a key twice (INVALID_JSON: two parsers could read such a body differently);
- arrays/objects nested deeper than the limit (JSON_TOO_DEEP), also where Python's own
  parser would run out of recursion;
- a number literal longer than the limit, or a float that overflows (NUMBER_TOO_LARGE):
  no 5000-digit integer reaches ``int()``;
- a string holding a lone UTF-16 surrogate (INVALID_CHARACTER): it cannot be stored.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from kyc.config import InputLimits
from kyc.errors import BadInput, ErrorCode
from kyc.fileio import read_bounded

_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\xfe\xff", b"\xff\xfe")
_SURROGATE = re.compile("[\ud800-\udfff]")


def loads(
    data: bytes, limits: InputLimits, what: str = "body", max_bytes: int | None = None
) -> Any:
    """Parse ``data`` (bytes of JSON) within ``limits``; ``max_bytes`` overrides the size
    limit (default ``limits.json_body_bytes``)."""
    limit = limits.json_body_bytes if max_bytes is None else max_bytes
    if len(data) > limit:
        raise BadInput(
            ErrorCode.REQUEST_TOO_LARGE,
            f"{what} is {len(data)} bytes of JSON; the limit is {limit} bytes",
        )
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    elif data.startswith(_OTHER_BOMS):
        raise BadInput(ErrorCode.INVALID_JSON, f"{what}: JSON must be UTF-8, not UTF-16/32")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(ErrorCode.INVALID_JSON, f"{what}: not UTF-8 (byte {exc.start})") from None
    digits = limits.json_max_number_chars

    def number_int(literal: str) -> int:
        if len(literal) > digits:
            raise BadInput(
                ErrorCode.NUMBER_TOO_LARGE,
                f"{what}: a number of {len(literal)} characters; the limit is {digits}",
            )
        return int(literal)

    def number_float(literal: str) -> float:
        if len(literal) > digits:
            raise BadInput(
                ErrorCode.NUMBER_TOO_LARGE,
                f"{what}: a number of {len(literal)} characters; the limit is {digits}",
            )
        value = float(literal)
        if not math.isfinite(value):
            raise BadInput(ErrorCode.NUMBER_TOO_LARGE, f"{what}: {literal} overflows a double")
        return value

    def constant(name: str) -> Any:
        raise BadInput(ErrorCode.INVALID_JSON, f"{what}: {name} is not JSON")

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise BadInput(
                    ErrorCode.INVALID_JSON, f"{what}: the key {_show(key)} appears twice"
                )
            out[key] = value
        return out

    try:
        value = json.loads(
            text,
            parse_int=number_int,
            parse_float=number_float,
            parse_constant=constant,
            object_pairs_hook=pairs,
        )
    except json.JSONDecodeError as exc:
        raise BadInput(
            ErrorCode.INVALID_JSON,
            f"{what}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
        ) from None
    except RecursionError:
        raise BadInput(
            ErrorCode.JSON_TOO_DEEP,
            f"{what}: nested deeper than the limit of {limits.json_max_depth}",
        ) from None
    check_tree(value, limits.json_max_depth, what)
    return value


def load_file(path: Path, limits: InputLimits, what: str, max_bytes: int | None = None) -> Any:
    """Read (at most the limit) and parse a JSON file named on the command line."""
    limit = limits.json_file_bytes if max_bytes is None else max_bytes
    data = read_bounded(path, limit, what)
    return loads(data, limits, f"{what} {path}", max_bytes=limit)


def check_tree(value: Any, max_depth: int, what: str = "body") -> None:
    """Depth and lone surrogates, without recursion (a tree may come from elsewhere)."""
    stack: list[tuple[Any, str, int]] = [(value, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > max_depth:
                raise BadInput(
                    ErrorCode.JSON_TOO_DEEP,
                    f"{what}: {path or '$'} is nested deeper than the limit of {max_depth}",
                )
            if isinstance(node, dict):
                for key, child in node.items():
                    where = f"{path}.{key}" if path else str(key)
                    if isinstance(key, str) and _SURROGATE.search(key):
                        raise BadInput(
                            ErrorCode.INVALID_CHARACTER, f"{what}: a key holds a lone surrogate"
                        )
                    stack.append((child, where, depth + 1))
            else:
                for i, child in enumerate(node):
                    stack.append((child, f"{path}[{i}]", depth + 1))
        elif isinstance(node, str) and _SURROGATE.search(node):
            raise BadInput(
                ErrorCode.INVALID_CHARACTER,
                f"{what}: {path or '$'}: a lone UTF-16 surrogate (\\u{ord(_first(node)):04x})",
            )


def _first(text: str) -> str:
    match = _SURROGATE.search(text)
    return match.group(0) if match else "?"


def _show(key: str) -> str:
    shown = key if len(key) <= 40 else key[:40] + "..."
    return json.dumps(shown, ensure_ascii=True)
