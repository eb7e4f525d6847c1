"""Multipart uploads read by the service itself (python-multipart's streaming parser).

Why not FastAPI's ``UploadFile``: Starlette's parser spools the whole body before a handler
can look at it and refuses a part header over 4 KiB, so a photo named with 10,000
characters failed as a generic 400. Here:

- the one file part (``file``) is counted while it arrives and refused as soon as it
  passes its limit (413 with the route's code), kept in memory (photos) or written to a
  temporary file (videos);
- a file name is never used: any length and any characters are accepted (a part header
  may take ``limits.multipart_header_bytes``);
- the other parts are short text fields (all together at most
  ``limits.multipart_fields_bytes``), UTF-8, each at most once;
- everything malformed is INVALID_MULTIPART (400): no boundary, a broken part header, a
  body that ends before its closing boundary, a second file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from kyc.config import InputLimits
from kyc.errors import BadInput, ErrorCode

FILE_FIELD = "file"


@dataclass
class Upload:
    fields: dict[str, str]
    size: int
    sha256: str
    data: bytes | None = None  # in memory (``spool_dir`` None)
    path: Path | None = None  # on disk (the caller deletes it)


@dataclass
class _Part:
    name: str = ""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    is_file: bool = False
    text: bytearray = field(default_factory=bytearray)


class _Reader:
    def __init__(self, file_limit: int, file_code: ErrorCode, limits: InputLimits) -> None:
        self.file_limit = file_limit
        self.file_code = file_code
        self.limits = limits
        self.fields: dict[str, str] = {}
        self.fields_bytes = 0
        self.part = _Part()
        self.header_name = bytearray()
        self.header_value = bytearray()
        self.seen_file = False
        self.size = 0
        self.digest = hashlib.sha256()
        self.pending: list[bytes] = []  # file bytes not yet written
        self.ended = False

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        self.part.headers.append((bytes(self.header_name).lower(), bytes(self.header_value)))
        self.header_name.clear()
        self.header_value.clear()

    def on_headers_finished(self) -> None:
        disposition = next((v for k, v in self.part.headers if k == b"content-disposition"), b"")
        _kind, params = parse_options_header(disposition)
        if b"name" not in params:
            raise BadInput(ErrorCode.INVALID_MULTIPART, "a part without a name")
        self.part.name = params[b"name"].decode("utf-8", "replace")
        if self.part.name == FILE_FIELD:
            if self.seen_file:
                raise BadInput(ErrorCode.INVALID_MULTIPART, "more than one file part")
            self.seen_file = self.part.is_file = True
        elif self.part.name in self.fields:
            raise BadInput(
                ErrorCode.INVALID_MULTIPART, f"the field {self.part.name[:40]!r} appears twice"
            )

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.part.is_file:
            self.size += len(chunk)
            if self.size > self.file_limit:
                raise BadInput(
                    self.file_code, f"the file is larger than the limit of {self.file_limit} bytes"
                )
            self.digest.update(chunk)
            self.pending.append(chunk)
            return
        self.fields_bytes += len(chunk)
        if self.fields_bytes > self.limits.multipart_fields_bytes:
            raise BadInput(
                ErrorCode.REQUEST_TOO_LARGE,
                f"the form fields are larger than {self.limits.multipart_fields_bytes} bytes",
            )
        self.part.text += chunk

    def on_part_end(self) -> None:
        if self.part.is_file:
            return
        try:
            self.fields[self.part.name] = self.part.text.decode("utf-8")
        except UnicodeDecodeError:
            raise BadInput(
                ErrorCode.INVALID_FIELD, f"{self.part.name[:40]}: not UTF-8 text"
            ) from None

    def on_end(self) -> None:
        self.ended = True


async def read_multipart(
    request: Request,
    *,
    file_limit: int,
    file_code: ErrorCode,
    limits: InputLimits,
    spool_dir: Path | None = None,
) -> Upload:
    """The file part and the text fields of a ``multipart/form-data`` request."""
    content_type = request.headers.get("content-type", "")
    media, params = parse_options_header(content_type)
    if media != b"multipart/form-data":
        raise BadInput(
            ErrorCode.INVALID_MULTIPART,
            "send the file as multipart/form-data (a part named 'file')",
        )
    boundary = params.get(b"boundary")
    if not boundary:
        raise BadInput(ErrorCode.INVALID_MULTIPART, "the multipart body has no boundary")
    reader = _Reader(file_limit, file_code, limits)
    try:
        parser = MultipartParser(
            boundary,
            reader.callbacks(),  # type: ignore[arg-type]
            max_header_count=32,
            max_header_size=limits.multipart_header_bytes,
        )
    except FormParserError as exc:
        raise BadInput(ErrorCode.INVALID_MULTIPART, f"invalid multipart boundary: {exc}") from None
    path: Path | None = None
    out: Any = None
    memory = bytearray()
    try:
        if spool_dir is not None:
            spool_dir.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=spool_dir, suffix=".upload")
            path = Path(name)
            out = os.fdopen(fd, "wb")
        async for chunk in request.stream():
            try:
                parser.write(chunk)
            except FormParserError as exc:
                raise BadInput(
                    ErrorCode.INVALID_MULTIPART, f"invalid multipart body: {exc}"
                ) from None
            if reader.pending:
                block = b"".join(reader.pending)
                reader.pending.clear()
                if out is not None:
                    await run_in_threadpool(out.write, block)
                else:
                    memory += block
        try:
            parser.finalize()
        except FormParserError as exc:
            raise BadInput(ErrorCode.INVALID_MULTIPART, f"invalid multipart body: {exc}") from None
        if not reader.ended:
            raise BadInput(
                ErrorCode.INVALID_MULTIPART, "the multipart body ends before its closing boundary"
            )
        if not reader.seen_file:
            raise BadInput(ErrorCode.MISSING_FIELD, f"{FILE_FIELD}: missing (the file part)")
        if reader.size == 0:
            raise BadInput(ErrorCode.EMPTY_FILE, "the file is empty")
        if out is not None:
            await run_in_threadpool(out.close)
            out = None
    except BaseException:
        if out is not None:
            out.close()
        if path is not None:
            path.unlink(missing_ok=True)
        raise
    finally:
        if out is not None:
            with contextlib.suppress(OSError):
                out.close()
    return Upload(
        fields=reader.fields,
        size=reader.size,
        sha256=reader.digest.hexdigest(),
        data=bytes(memory) if path is None else None,
        path=path,
    )


def multipart_schema(properties: dict[str, Any]) -> dict[str, Any]:
    """``openapi_extra`` documenting a multipart body with a required ``file`` part."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": [FILE_FIELD],
                        "properties": {
                            FILE_FIELD: {"type": "string", "format": "binary"},
                            **properties,
                        },
                    }
                }
            },
        }
    }


def form_bool(value: str | None, name: str) -> bool:
    """A form field's boolean as FastAPI reads one (true/false, 1/0, yes/no, on/off)."""
    if value is None:
        return False
    text = value.strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off", ""):
        return False
    raise BadInput(ErrorCode.INVALID_FIELD, f"{name}: not a boolean")
