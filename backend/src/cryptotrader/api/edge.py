"""The one middleware every request crosses: address, request id, rate limit, body size, metrics.

Pure ASGI (no per-request task or body buffering), so it adds microseconds. It resolves the
client address (``client_ip``), tags the request with an id (``X-Request-ID``, echoed back),
refuses it when the rate limiter says so (429/503 as JSON, or a policy close on a WebSocket),
refuses a body above ``max_body_bytes`` (or the larger limit of an upload route) with 413 before
anything reads it (by its ``Content-Length``, or while it streams in when it has none),
adds security headers, and records the Prometheus request metrics by route template.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cryptotrader.api.client_ip import TrustedProxies
from cryptotrader.api.metrics import ApiMetrics
from cryptotrader.api.ratelimit import RateLimiter, Verdict

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _bearer(scope: Scope) -> str | None:
    value = _header(scope, b"authorization")
    if value is None or not value.lower().startswith("bearer "):
        return None
    return value[7:].strip()


class EdgeMiddleware:
    """See the module docstring.

    Args:
        app: the application.
        proxies: who may set ``X-Forwarded-For``.
        limiter: the rate limiter.
        metrics: where request metrics go.
        max_body_bytes: the largest request body read.
        upload_limits: a larger limit for the POSTs to these paths (file uploads).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        proxies: TrustedProxies,
        limiter: RateLimiter,
        metrics: ApiMetrics,
        max_body_bytes: int = 64 * 1024,
        upload_limits: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.proxies = proxies
        self.limiter = limiter
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.upload_limits = dict(upload_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one HTTP request or WebSocket handshake."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        ip = self.proxies.client_ip(scope)
        given = _header(scope, b"x-request-id")
        request_id = given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["client_ip"] = ip
        state["request_id"] = request_id
        verdict = await self.limiter.check(scope["path"], _bearer(scope), ip)
        if verdict is not None:
            self.metrics.rate_limited.labels(verdict.bucket, str(verdict.status)).inc()
            await _refuse(scope, send, verdict, request_id)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        await self._http(scope, receive, send, request_id)

    async def _http(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        started = time.perf_counter()
        status = 500
        limit = self.max_body_bytes
        if scope.get("method") == "POST":
            limit = self.upload_limits.get(scope["path"], limit)
        if _declared_length(scope) > limit:
            self.metrics.requests.labels(str(scope.get("method", "")), "unmatched", "413").inc()
            await _refuse(scope, send, _too_large(limit), request_id)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, _too_large(limit).detail)
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                cached = any(key.lower() == b"cache-control" for key, _ in headers)
                headers.extend(
                    h for h in _SECURITY_HEADERS if not (cached and h[0] == b"cache-control")
                )
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        finally:
            route = _route(scope)
            method = str(scope.get("method", ""))
            self.metrics.request(method, route, status, time.perf_counter() - started)


def _declared_length(scope: Scope) -> int:
    value = _header(scope, b"content-length")
    if value is None:
        return 0
    try:
        return int(value)
    except ValueError:
        return 0  # the server refuses a malformed length before we see it


def _too_large(limit: int) -> Verdict:
    return Verdict(
        status=413, bucket="body", detail=f"the request body exceeds {limit} bytes", retry_after=0
    )


def _route(scope: Scope) -> str:
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


async def _refuse(scope: Scope, send: Send, verdict: Verdict, request_id: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": verdict.detail[:120]})
        return
    body = json.dumps({"detail": verdict.detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-request-id", request_id.encode()),
        *_SECURITY_HEADERS,
    ]
    if verdict.retry_after > 0:
        headers.append((b"retry-after", str(verdict.retry_after).encode()))
    await send({"type": "http.response.start", "status": verdict.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
