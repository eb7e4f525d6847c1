"""Progress of a run: a bar with rate and ETA on a terminal, plain periodic lines when
not one. ``progress_line`` is pure; ``Progress`` writes."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


def _duration(seconds: float) -> str:
    s = int(round(seconds))
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"


def progress_line(
    finished: int, failed: int, total: int, processed: int, elapsed_s: float, bar_width: int = 0
) -> str:
    """``finished`` of ``total`` (``failed`` among them); the rate counts only the items
    this invocation ``processed`` (a resumed run's earlier items took no time here)."""
    rate = 60.0 * processed / elapsed_s if elapsed_s > 0 and processed else 0.0
    left = max(0, total - finished)
    eta = _duration(60.0 * left / rate) if rate > 0 else "?"
    pct = 100.0 * finished / total if total else 100.0
    bar = ""
    if bar_width > 0:
        filled = int(bar_width * finished / total) if total else bar_width
        bar = "[" + "#" * filled + "." * (bar_width - filled) + "] "
    fail = f" ({failed} failed)" if failed else ""
    return (
        f"{bar}{finished}/{total} {pct:3.0f}%{fail}  {rate:.1f} items/min  "
        f"ETA {eta if left else '0s'}  elapsed {_duration(elapsed_s)}"
    )


class Progress:
    def __init__(
        self,
        total: int,
        finished: int = 0,
        failed: int = 0,
        stream: TextIO | None = None,
        tty: bool | None = None,
        every_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        enabled: bool = True,
    ) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.total, self.finished, self.failed = total, finished, failed
        self.processed = 0
        self.every_s = every_s
        self.clock = clock
        self.started = clock()
        self._last = -1e9
        self._shown = -1  # items finished at the last plain line
        self.enabled = enabled

    def begin(self) -> None:
        """The workers are ready: rate and ETA count from now, not from start-up."""
        self.started = self.clock()

    def update(self, failed: bool) -> None:
        self.finished += 1
        self.processed += 1
        self.failed += int(failed)
        self._emit(final=False)

    def _emit(self, final: bool) -> None:
        if not self.enabled:
            return
        now = self.clock()
        elapsed = now - self.started
        if self.tty:
            line = progress_line(
                self.finished, self.failed, self.total, self.processed, elapsed, 30
            )
            self.stream.write("\r" + line + "\x1b[K" + ("\n" if final else ""))
            self.stream.flush()
        elif (final and self._shown != self.finished) or now - self._last >= self.every_s:
            self._last, self._shown = now, self.finished
            line = progress_line(self.finished, self.failed, self.total, self.processed, elapsed)
            self.stream.write("reverify: " + line + "\n")
            self.stream.flush()

    def close(self) -> None:
        self._emit(final=True)
