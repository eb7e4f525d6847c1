"""The request guard: the first thing every request meets (a pure ASGI middleware).

- **Body size.** Every request body is capped: by its route's own limit where one is
  registered (uploads, ``set_body_limit``), otherwise by ``limits.json_body_bytes``. A
  ``Content-Length`` above the cap is refused at once (413, nothing read); a body sent
  without one is counted as it arrives and refused when it passes the cap.
- **JSON.** A JSON body (``application/json`` or ``+json``) is read whole and parsed by
  the shared loader (``kyc.jsonload``, the CLI's as well) before any handler sees it:
  depth, number size, duplicate keys, NaN, byte-order mark and encoding are judged the
  same way everywhere, and refused with a code.

Refusals answer ``{"error": CODE, "detail": ...}`` like every other error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kyc.api.errors import status_for
from kyc.config import InputLimits
from kyc.errors import BadInput, ErrorCode
from kyc.jsonload import loads

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PARSE_INLINE_BYTES = 64 * 1024


class RequestTooLarge(StarletteHTTPException):
    """A body passed its cap while a handler read it (an HTTPException, so that FastAPI
    hands it to the error handlers instead of calling it a parsing failure)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(status_code=413, detail=detail)
        self.code = code


@dataclass(frozen=True)
class BodyLimit:
    max_bytes: int
    code: ErrorCode  # what a body over the cap is called on this route


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    main, _, sub = media.partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


class RequestGuard:
    def __init__(
        self,
        app: ASGIApp,
        limits: InputLimits,
        route_limit: Callable[[Scope], BodyLimit | None],
    ) -> None:
        self.app = app
        self.limits = limits
        self.route_limit = route_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.route_limit(scope) or BodyLimit(
            self.limits.json_body_bytes, ErrorCode.REQUEST_TOO_LARGE
        )
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        declared = _content_length(headers.get(b"content-length"))
        if declared is not None and declared > limit.max_bytes:
            await _refuse(send, 413, str(limit.code), _too_large(limit.max_bytes))
            return
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        if scope.get("method") in _BODY_METHODS and is_json(content_type):
            await self._json(scope, receive, send, limit)
            return
        await self._counted(scope, receive, send, limit)

    async def _json(self, scope: Scope, receive: Receive, send: Send, limit: BodyLimit) -> None:
        cap = min(limit.max_bytes, self.limits.json_body_bytes)
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            total += len(body)
            if total > cap:
                await _refuse(send, 413, str(ErrorCode.REQUEST_TOO_LARGE), _too_large(cap))
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        data = b"".join(chunks)
        if data:
            try:
                if len(data) > _PARSE_INLINE_BYTES:  # keep the event loop free
                    await run_in_threadpool(loads, data, self.limits, "the request body", cap)
                else:
                    loads(data, self.limits, "the request body", max_bytes=cap)
            except BadInput as exc:
                await _refuse(send, status_for(exc), str(exc.code), exc.detail)
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": data, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: BodyLimit) -> None:
        total = 0
        started = False

        async def counted() -> Message:
            nonlocal total
            message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > limit.max_bytes:
                    raise RequestTooLarge(str(limit.code), _too_large(limit.max_bytes))
            return message

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watch)
        except RequestTooLarge as exc:
            if started:
                raise
            await _refuse(send, 413, exc.code, str(exc.detail))


def _too_large(limit: int) -> str:
    return f"the request body is larger than the limit of {limit} bytes"


def _content_length(raw: bytes | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        return None


async def _refuse(send: Send, status: int, code: str, detail: str) -> None:
    body = json.dumps({"error": code, "detail": detail}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def route_limits(
    routes: Callable[[], list[object]], by_path: dict[str, BodyLimit]
) -> Callable[[Scope], BodyLimit | None]:
    """The cap of the route a request will reach, from ``by_path`` (route path -> limit)."""

    def lookup(scope: Scope) -> BodyLimit | None:
        if not by_path:
            return None
        for route in routes():
            path = getattr(route, "path", None)
            if path not in by_path:
                continue
            matches = getattr(route, "matches", None)
            if matches is not None and matches(scope)[0] == Match.FULL:
                return by_path[path]
        return None

    return lookup
