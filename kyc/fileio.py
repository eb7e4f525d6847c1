"""Read a file named on the command line (or in settings) without trusting what it claims.

At most ``limit + 1`` bytes are ever read, whatever the path is: a regular file, a device
that never ends (``/dev/zero``), a pipe, a FIFO without a writer (opened without blocking,
read as empty). Every failure is ``BadInput`` with a specific code.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from pathlib import Path

from kyc.errors import BadInput, ErrorCode


def _describe(path: Path) -> str:
    """The path for an error line: long names cut, so the line stays one readable line."""
    text = str(path)
    return text if len(text) <= 200 else text[:120] + f"...({len(text)} characters)"


def read_bounded(path: Path, limit: int, what: str = "file") -> bytes:
    """The bytes of ``path``: FILE_TOO_LARGE beyond ``limit``, FILE_NOT_FOUND when it does
    not exist, FILE_UNREADABLE for a directory, a missing permission or a bad name."""
    name = _describe(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise BadInput(ErrorCode.FILE_NOT_FOUND, f"{what} {name} does not exist") from None
    except OSError as exc:
        raise BadInput(
            ErrorCode.FILE_UNREADABLE, f"{what} {name} cannot be opened: {_reason(exc)}"
        ) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise BadInput(ErrorCode.FILE_UNREADABLE, f"{what} {name} is a directory")
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise BadInput(
                ErrorCode.FILE_TOO_LARGE,
                f"{what} {name} is {info.st_size} bytes; the limit is {limit} bytes",
            )
        # Blocking reads from here on: a pipe with a writer is read to its end (or the limit).
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise BadInput(
            ErrorCode.FILE_UNREADABLE, f"{what} {name} cannot be read: {_reason(exc)}"
        ) from None
    finally:
        os.close(fd)
    if total > limit:
        raise BadInput(
            ErrorCode.FILE_TOO_LARGE, f"{what} {name} is larger than the limit of {limit} bytes"
        )
    return b"".join(chunks)


def _reason(exc: OSError) -> str:
    if exc.errno is not None and exc.errno in errno.errorcode:
        return os.strerror(exc.errno)
    return type(exc).__name__
