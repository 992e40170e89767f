"""Local push providers on 127.0.0.1 speaking the real protocols, for the notifier's tests.

* ``ExpoServer``: Expo's push API (``/send`` with one ticket per message, ``/getReceipts``),
  including its error tickets (``DeviceNotRegistered``, ``MessageRateExceeded``), whole-request
  429 with ``Retry-After``, and the access-token check.
* ``NtfyServer``: ntfy's JSON publishing (``POST /`` with the topic in the body), bearer tokens.
* ``WebPushService``: a browser's push service. ``subscribe()`` makes a subscription as a
  browser does (a P-256 key pair and a 16-byte auth secret); a push must carry a valid VAPID
  JWT for this origin, and its aes128gcm body is DECRYPTED with the subscription's private key,
  so a received payload proves the whole Web Push path.

Every server records what it received; tests change the state between calls.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cryptotrader.notify.channels.webpush import WebPushSubscription


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class _Base(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(raw)


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- Expo ------------------------------------------------------------------------------------


@dataclass
class ExpoState:
    """What the Expo server answers, and the messages it accepted."""

    access_token: str | None = None
    dead_tokens: set[str] = field(default_factory=set)
    rate_limited: dict[str, int] = field(default_factory=dict)
    """token -> how many more sends answer a ``MessageRateExceeded`` ticket."""
    throttle_requests: int = 0
    """How many more ``/send`` requests answer HTTP 429."""
    retry_after: str = "0"
    accepted: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    receipts: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def messages_to(self, token: str) -> list[dict[str, Any]]:
        """The accepted messages for ``token``."""
        with self.lock:
            return [m for m in self.accepted if m["to"] == token]


class _ExpoHandler(_Base):
    state: ClassVar[ExpoState]

    def do_POST(self) -> None:
        state = self.state
        raw = self._body()
        if state.access_token and self.headers.get("Authorization") != (
            f"Bearer {state.access_token}"
        ):
            error = {"code": "UNAUTHORIZED", "message": "The bearer token is invalid."}
            self._send(401, {"errors": [error]})
            return
        if self.path.endswith("/getReceipts"):
            ids = json.loads(raw)["ids"]
            with state.lock:
                found = {i: state.receipts[i] for i in ids if i in state.receipts}
            self._send(200, {"data": found})
            return
        if not self.path.endswith("/send"):
            self._send(404, {"errors": [{"code": "NOT_FOUND", "message": self.path}]})
            return
        self._send_messages(raw)

    def _send_messages(self, raw: bytes) -> None:
        state = self.state
        with state.lock:
            state.requests += 1
            if state.throttle_requests > 0:
                state.throttle_requests -= 1
                error = {"code": "TOO_MANY_REQUESTS", "message": "Too many requests."}
                self._send(429, {"errors": [error]}, {"Retry-After": state.retry_after})
                return
        messages = json.loads(raw)
        if isinstance(messages, dict):
            messages = [messages]
        if not all(isinstance(m, dict) and isinstance(m.get("to"), str) for m in messages):
            error = {"code": "VALIDATION_ERROR", "message": '"to" is required'}
            self._send(400, {"errors": [error]})
            return
        self._send(200, {"data": [self._ticket(m) for m in messages]})

    def _ticket(self, message: dict[str, Any]) -> dict[str, Any]:
        state = self.state
        token = message["to"]
        with state.lock:
            if token in state.dead_tokens:
                return {
                    "status": "error",
                    "message": f'"{token}" is not a registered push notification recipient',
                    "details": {"error": "DeviceNotRegistered", "expoPushToken": token},
                }
            if state.rate_limited.get(token, 0) > 0:
                state.rate_limited[token] -= 1
                return {
                    "status": "error",
                    "message": "The device is receiving too many messages.",
                    "details": {"error": "MessageRateExceeded"},
                }
            ticket_id = str(uuid.uuid4())
            state.accepted.append(message)
            state.receipts[ticket_id] = {"status": "ok"}
        return {"status": "ok", "id": ticket_id}


@dataclass
class ExpoServer:
    """A running Expo push API: ``url`` is the push root to configure."""

    url: str
    state: ExpoState


@contextmanager
def expo_server(state: ExpoState | None = None) -> Iterator[ExpoServer]:
    """Run an Expo push API on 127.0.0.1 for the block."""
    current = state or ExpoState()
    handler = type("Handler", (_ExpoHandler,), {"state": current})
    with _serving(handler) as root:
        yield ExpoServer(url=f"{root}/--/api/v2/push", state=current)


# --- ntfy ------------------------------------------------------------------------------------


@dataclass
class NtfyState:
    """What the ntfy server answers, and what it published."""

    tokens: dict[str, str] = field(default_factory=dict)
    """topic -> the access token it requires (others are open)."""
    throttle_requests: int = 0
    published: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, topic: str) -> list[dict[str, Any]]:
        """The messages published on ``topic``."""
        with self.lock:
            return [m for m in self.published if m["topic"] == topic]


class _NtfyHandler(_Base):
    state: ClassVar[NtfyState]

    def do_POST(self) -> None:
        state = self.state
        try:
            body = json.loads(self._body())
            topic = body["topic"]
        except (ValueError, KeyError, TypeError):
            self._send(400, {"code": 40001, "http": 400, "error": "invalid request"})
            return
        required = state.tokens.get(topic)
        if required is not None and self.headers.get("Authorization") != f"Bearer {required}":
            self._send(403, {"code": 40301, "http": 403, "error": "forbidden"})
            return
        with state.lock:
            if state.throttle_requests > 0:
                state.throttle_requests -= 1
                error = {"code": 42901, "http": 429, "error": "limit reached: too many requests"}
                self._send(429, error)
                return
            event = {"id": uuid.uuid4().hex[:12], "time": int(time.time()), "event": "message"}
            state.published.append({**body, **event})
        self._send(200, {**event, "topic": topic, "message": body.get("message", "")})


@dataclass
class NtfyServer:
    """A running ntfy server."""

    url: str
    state: NtfyState


@contextmanager
def ntfy_server(state: NtfyState | None = None) -> Iterator[NtfyServer]:
    """Run an ntfy server on 127.0.0.1 for the block."""
    current = state or NtfyState()
    handler = type("Handler", (_NtfyHandler,), {"state": current})
    with _serving(handler) as root:
        yield NtfyServer(url=root, state=current)


# --- Web Push ---------------------------------------------------------------------------------


@dataclass
class BrowserKeys:
    """A subscription's private half, as only the browser holds it."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes


@dataclass
class WebPushState:
    """Subscriptions, what the push service received (decrypted) and what it refused."""

    origin: str = ""
    browsers: dict[str, BrowserKeys] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)
    throttle_requests: int = 0
    received: list[tuple[str, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    """(subscription id, decrypted JSON payload, request headers)."""
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def payloads(self, subscription_id: str) -> list[dict[str, Any]]:
        """The decrypted payloads pushed to one subscription."""
        with self.lock:
            return [p for sid, p, _ in self.received if sid == subscription_id]


class _PushHandler(_Base):
    state: ClassVar[WebPushState]

    def do_POST(self) -> None:
        state = self.state
        body = self._body()
        sid = self.path.rsplit("/", 1)[-1]
        with state.lock:
            browser = state.browsers.get(sid)
            gone = sid in state.gone
            throttled = state.throttle_requests > 0
            if throttled:
                state.throttle_requests -= 1
        if browser is None or gone:
            self._send(410, {"reason": "subscription expired"})
            return
        if throttled:
            self._send(429, {"reason": "slow down"}, {"Retry-After": "0"})
            return
        problem = self._check_vapid()
        if problem is None and self.headers.get("Content-Encoding") != "aes128gcm":
            problem = "Content-Encoding must be aes128gcm"
        if problem is None and not self.headers.get("TTL"):
            problem = "TTL header missing"
        if problem is not None:
            with state.lock:
                state.refused.append(problem)
            self._send(401 if "VAPID" in problem else 400, {"reason": problem})
            return
        clear = http_ece.decrypt(
            body, private_key=browser.private_key, auth_secret=browser.auth, version="aes128gcm"
        )
        with state.lock:
            state.received.append((sid, json.loads(clear), dict(self.headers.items())))
        self.send_response(201)
        self.send_header("Location", f"{state.origin}/message/{uuid.uuid4().hex}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _check_vapid(self) -> str | None:
        header = self.headers.get("Authorization", "")
        scheme, _, rest = header.partition(" ")
        parts = dict(p.split("=", 1) for p in rest.split(",") if "=" in p)
        if scheme.lower() != "vapid" or "t" not in parts or "k" not in parts:
            return "VAPID Authorization header missing"
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64url(parts["k"]))
        try:
            claims = jwt.decode(
                parts["t"], key=public, algorithms=["ES256"], audience=self.state.origin
            )
        except jwt.PyJWTError as exc:
            return f"VAPID token invalid: {exc}"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return "VAPID sub claim missing"
        return None


@dataclass
class WebPushService:
    """A running push service."""

    url: str
    state: WebPushState

    def subscribe(self) -> tuple[str, WebPushSubscription]:
        """A new subscription, made as a browser makes one; returns (id, subscription)."""
        private = ec.generate_private_key(ec.SECP256R1())
        public = private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        auth = uuid.uuid4().bytes
        sid = uuid.uuid4().hex
        with self.state.lock:
            self.state.browsers[sid] = BrowserKeys(private, auth)
        endpoint = f"{self.url}/push/{sid}"
        return sid, WebPushSubscription(endpoint, _b64url(public), _b64url(auth))


@contextmanager
def web_push_service(state: WebPushState | None = None) -> Iterator[WebPushService]:
    """Run a Web Push service on 127.0.0.1 for the block."""
    current = state or WebPushState()
    handler = type("Handler", (_PushHandler,), {"state": current})
    with _serving(handler) as root:
        current.origin = root
        yield WebPushService(url=root, state=current)
