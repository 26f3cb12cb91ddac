"""Pure ASGI middlewares that guard the HTTP API before any route, dependency or parser runs.

Order, outermost first (see :func:`siaga.api.app.create_app`):

1. :class:`SecurityHeadersMiddleware` — CSP, nosniff, no-referrer and frame denial on every response,
   including errors and the 413/429 answers below.
2. :class:`AuthFailureLimitMiddleware` — an address that collected too many 401 answers in a sliding
   window is answered 429 (with ``Retry-After``) before its request reaches authentication.
3. :class:`RequestBodyLimitMiddleware` — a body larger than the limit is refused with 413 while it is
   being read (at once when ``Content-Length`` says so, otherwise as soon as the streamed bytes pass the
   limit), so no route ever holds more than the limit in memory; a JSON body with a duplicated key is
   refused with 422 naming the key.

They are plain ASGI (no ``BaseHTTPMiddleware``): they see the raw ``receive``/``send`` messages, never
buffer a response, and add no task or thread per request.
"""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from email.message import Message
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as AsgiMessage

OSM_TILE_ORIGIN = "https://tile.openstreetmap.org"
"""The opt-in OpenStreetMap tile layer of the console (``siaga/web/static/console.js``)."""

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # Leaflet positions tiles, markers and panes by assigning element.style from JavaScript (the
        # CSSOM), which CSP does not restrict; our pages and scripts write no style="" attribute and no
        # <style> element, so inline styles stay blocked too.
        "style-src 'self'",
        f"img-src 'self' data: {OSM_TILE_ORIGIN}",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    )
)

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


async def _send_json(
    send: Send, status: int, body: dict[str, Any], headers: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    payload = json.dumps(body).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode("ascii")),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload, "more_body": False})


class SecurityHeadersMiddleware:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response (a header the app set itself is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: AsgiMessage) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AuthFailureLimitMiddleware:
    """Answers 429 to a client address that got more than ``limit`` 401s in the last ``window_s``.

    Each address keeps the times of its last ``limit`` failures (a sliding window): once it holds
    ``limit`` failures and the oldest is younger than ``window_s``, every request from that address is
    answered 429 with ``Retry-After`` (seconds until the oldest failure leaves the window) before it
    reaches the app. Other addresses are unaffected. At most ``max_addresses`` addresses are tracked
    (least recently failed evicted first), so memory stays bounded under a spray of addresses, and an
    address whose failures have all left the window is forgotten.

    The address is the ASGI ``client`` host: behind a reverse proxy run uvicorn with
    ``--proxy-headers --forwarded-allow-ips=<proxy>`` so it is the real caller's.

    Paths starting with one of ``exempt_prefixes`` are neither counted nor blocked: the device position
    endpoints, where many phones share one carrier NAT address (one misconfigured phone must not cut
    off every ambulance behind it) and a 256-bit device secret cannot be guessed anyway.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        window_s: float,
        max_addresses: int,
        clock: Callable[[], float] = time.monotonic,
        exempt_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.exempt_prefixes = exempt_prefixes
        self.limit = limit
        self.window_s = window_s
        self.max_addresses = max_addresses
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def retry_after_s(self, address: str) -> float | None:
        """Seconds until ``address`` may try again, or None when it is not blocked."""
        failures = self._failures.get(address)
        if failures is None or len(failures) < self.limit:
            return None
        remaining = failures[0] + self.window_s - self.clock()
        return remaining if remaining > 0 else None

    def record_failure(self, address: str) -> None:
        """Count one 401 answered to ``address`` (and forget addresses whose failures all expired)."""
        now = self.clock()
        failures = self._failures.pop(address, None)
        # least recently failed first: drop those whose newest failure has left the window
        while self._failures:
            oldest = next(iter(self._failures.values()))
            if oldest[-1] > now - self.window_s:
                break
            self._failures.popitem(last=False)
        if failures is None:
            failures = deque(maxlen=self.limit)
            while len(self._failures) >= self.max_addresses:
                self._failures.popitem(last=False)
        failures.append(now)
        self._failures[address] = failures  # most recently failed last

    @property
    def tracked_addresses(self) -> int:
        return len(self._failures)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0 or scope["path"].startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        wait_s = self.retry_after_s(address)
        if wait_s is not None:
            retry_after = max(1, math.ceil(wait_s))
            await _send_json(
                send,
                429,
                {
                    "detail": (
                        f"too many failed authentications from {address}: {self.limit} in "
                        f"{self.window_s:g} s; try again in {retry_after} s"
                    ),
                    "error": "TooManyAuthFailures",
                    "retry_after_s": retry_after,
                    "code": "too_many_requests",
                    "params": {"retry_after_s": retry_after},
                },
                [(b"retry-after", str(retry_after).encode("ascii"))],
            )
            return

        async def watch_status(message: AsgiMessage) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                self.record_failure(address)
            await send(message)

        await self.app(scope, receive, watch_status)


class DuplicateKeyError(ValueError):
    """A JSON object names the same key twice."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(key)
        result[key] = value
    return result


def duplicate_json_key(body: bytes) -> str | None:
    """The first key named twice in one object of the JSON document ``body``, or None.

    A body that is not valid JSON gives None: the route's own parser answers it.
    """
    try:
        json.loads(body, object_pairs_hook=_refuse_duplicates)
    except DuplicateKeyError as error:
        return error.key
    except ValueError:  # not JSON (or not UTF-8): the route's parser reports it
        return None
    return None


def is_json_request(scope: Scope) -> bool:
    """Whether FastAPI will parse this request's body as JSON (no content type, or application/*json)."""
    content_type = None
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            content_type = value.decode("latin-1")
    if not content_type:
        return True
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    is_json = subtype == "json" or subtype.endswith("+json")
    return message.get_content_maintype() == "application" and is_json


class RequestBodyLimitMiddleware:
    """Refuses request bodies over ``max_body_bytes`` with 413 while reading, and duplicate JSON keys.

    - ``Content-Length`` above the limit: 413 at once, nothing read.
    - A JSON body (what FastAPI parses as JSON): read here, counting as it arrives (413 once over the
      limit), checked for duplicate keys (422 naming the key), then handed to the app in one message.
      Paths under ``own_json_checks`` (the device endpoints, whose decoders refuse duplicate keys
      themselves, with their own reason codes and metrics) skip the duplicate check.
    - Any other body streams through to the app, counted chunk by chunk; past the limit this middleware
      answers 413 itself and the app sees the client as disconnected (anything it then sends is dropped).
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, own_json_checks: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.own_json_checks = own_json_checks

    def _too_large(self) -> dict[str, Any]:
        return {
            "detail": f"request body too large: the limit is {self.max_body_bytes} bytes",
            "error": "RequestTooLarge",
            "code": "payload_too_large",
            "params": {"limit_bytes": self.max_body_bytes},
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = None
        if declared is not None and declared > self.max_body_bytes:
            await _send_json(send, 413, self._too_large(), [(b"connection", b"close")])
            return
        if declared == 0:
            await self.app(scope, receive, send)
            return
        if is_json_request(scope):
            await self._json(scope, receive, send)
        else:
            await self._streamed(scope, receive, send)

    async def _json(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await _send_json(send, 413, self._too_large(), [(b"connection", b"close")])
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        del chunks
        path: str = scope.get("path", "")
        checked_by_route = bool(self.own_json_checks) and path.startswith(self.own_json_checks)
        if body and not checked_by_route:
            key = duplicate_json_key(body)
            if key is not None:
                await _send_json(
                    send,
                    422,
                    {
                        "detail": f"duplicate key {key!r} in the JSON body: each key may appear once",
                        "error": "ValidationError",
                        "code": "validation_error",
                        "params": {},
                        "errors": [
                            {"field": key, "message": "duplicate key", "code": "duplicate_key", "params": {}}
                        ],
                    },
                )
                return
        delivered = False

        async def replay() -> AsgiMessage:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # waits for the disconnect, as the server's own receive would

        await self.app(scope, replay, send)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send) -> None:
        size = 0
        answered = False
        started = False

        async def counted() -> AsgiMessage:
            nonlocal size, answered
            if answered:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > self.max_body_bytes:
                    answered = True
                    if not started:  # (an app that answers before reading its body gets cut short)
                        await _send_json(send, 413, self._too_large(), [(b"connection", b"close")])
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: AsgiMessage) -> None:
            nonlocal started
            if answered:
                return  # we already answered 413; the app's reaction to the disconnect is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except Exception:
            if not answered:
                raise
