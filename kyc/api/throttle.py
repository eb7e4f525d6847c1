"""Failed-authentication throttling: per client address and per presented credential.

Each failed attempt (an API key or reviewer token that matches nothing) is counted for
the client's address and for the credential itself (by a hash; the token is never kept).
``limit`` failures within ``window_s`` lock that address or credential for ``lock_s``:
every attempt from it is then answered 429 with ``Retry-After``, before the credential
is even looked up, so a locked client learns nothing more. A correct credential does not
clear the address's count (an attacker holding one key cannot reset his guessing).

In memory, per server process, bounded: at most ``max_tracked`` addresses and credentials
are remembered (the least recently failed are forgotten first). Pure apart from the clock,
which is injected.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kyc.api.errors import ApiCode, ApiError
from kyc.api.runtime import Runtime
from kyc.store import repo

log = logging.getLogger("kyc.api")


@dataclass(frozen=True)
class Lock:
    scope: str  # "ip" or "key"
    subject: str  # the address, or the credential's fingerprint
    failures: int
    retry_after_s: int


@dataclass
class _Entry:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


def fingerprint(token: str) -> str:
    """A short, non-reversible name of a credential for counters and the audit log."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class AuthThrottle:
    def __init__(
        self,
        *,
        ip_limit: int,
        key_limit: int,
        window_s: float,
        lock_s: float,
        max_tracked: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = {"ip": ip_limit, "key": key_limit}
        self.window_s = window_s
        self.lock_s = lock_s
        self.max_tracked = max_tracked
        self.clock = clock
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def _subjects(self, ip: str, token: str | None) -> list[tuple[str, str]]:
        out = [("ip", ip)]
        if token:
            out.append(("key", fingerprint(token)))
        return out

    def locked(self, ip: str, token: str | None) -> Lock | None:
        """The lock that refuses this attempt now, if any."""
        now = self.clock()
        with self._lock:
            for scope, subject in self._subjects(ip, token):
                entry = self._entries.get((scope, subject))
                if entry is not None and entry.locked_until > now:
                    wait = max(1, int(entry.locked_until - now + 0.999))
                    return Lock(scope, subject, len(entry.failures), wait)
        return None

    def failed(self, ip: str, token: str | None) -> list[Lock]:
        """Count a failed attempt; the locks it starts (to be audited)."""
        now = self.clock()
        started: list[Lock] = []
        with self._lock:
            for scope, subject in self._subjects(ip, token):
                key = (scope, subject)
                entry = self._entries.pop(key, None) or _Entry()
                self._entries[key] = entry  # most recent last
                while entry.failures and entry.failures[0] <= now - self.window_s:
                    entry.failures.popleft()
                entry.failures.append(now)
                limit = self.limits[scope]
                while len(entry.failures) > limit:
                    entry.failures.popleft()
                if len(entry.failures) >= limit and entry.locked_until <= now:
                    entry.locked_until = now + self.lock_s
                    started.append(Lock(scope, subject, len(entry.failures), int(self.lock_s)))
            while len(self._entries) > self.max_tracked:
                self._entries.popitem(last=False)
        return started

    def tracked(self) -> int:
        with self._lock:
            return len(self._entries)


# --------------------------------------------------------------------------- the shell


def client_address(request: Any) -> str:
    """The client's address (from X-Forwarded-For only where uvicorn trusts the proxy)."""
    client = getattr(request, "client", None)
    return str(client.host) if client is not None and client.host else "unknown"


def refusal(lock: Lock) -> ApiError:
    what = "address" if lock.scope == "ip" else "credential"
    return ApiError(
        429,
        ApiCode.TOO_MANY_ATTEMPTS,
        f"too many failed authentications from this {what}; retry in {lock.retry_after_s} s",
        {"Retry-After": str(lock.retry_after_s)},
    )


def record_failure(rt: Runtime, throttle: AuthThrottle, ip: str, token: str, kind: str) -> None:
    """Count a failed authentication; audit the locks it starts (never the token)."""
    started = throttle.failed(ip, token)
    if not started:
        return
    with rt.sessions() as s:
        for lock in started:
            repo.audit(
                s,
                "system",
                "auth.lockout",
                None,
                {
                    "credential": kind,
                    "scope": lock.scope,
                    "subject": lock.subject,
                    "failures": lock.failures,
                    "locked_s": lock.retry_after_s,
                },
            )
        s.commit()
    log.warning("auth lock-out: %s %s", kind, ",".join(lock.scope for lock in started))
