"""Local HTTP servers that answer like exchanges' REST APIs: the shared machinery.

Real ccxt exchange classes talk to these over 127.0.0.1 (point them here by rewriting
``urls['api']``, e.g. with ``open_exchange(..., base_url=server.base_url)``), so tests exercise
ccxt's real request building, parsing and error handling without the internet. The venues are
``binance_server.BinanceServer`` and ``kraken_server.KrakenServer``.

Candles are only ever served up to the server's ``now_ms`` (fixed, or else the wall clock; the
candle whose bucket holds ``now_ms`` is the forming one and is served, like the real APIs do).
Faults are scripted per path: ``inject`` answers the next requests with given faults (HTTP 429
with ``Retry-After``, 418, a dropped connection ...), ``outage`` makes a path fail after some
successful answers until ``end_outage``, and ``stall`` **processes** the next request normally
(an order is recorded) but holds the answer back for a while, like an exchange that accepted an
order while the client timed out. Every request is recorded in ``requests`` for assertions.

Signed (private) routes are keyed by HTTP method and path (``_private_routes``) and receive the
whole ``Call``: method, headers, raw query and body, so that venues check signatures as the real
exchanges do (``binance_server``, ``kraken_server``).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, cast
from urllib.parse import parse_qsl, urlsplit

import numpy as np

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.timeframes import Timeframe

DROP = 0
"""``Fault.status`` that closes the connection without answering."""


@dataclass(frozen=True)
class Fault:
    """A scripted bad answer: an HTTP status with a JSON body and headers, or ``DROP``."""

    status: int
    body: object = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    at: float  # time.monotonic() when it arrived
    path: str
    params: dict[str, str]
    status: int  # what was answered (DROP for a dropped connection)
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """A request as a private route sees it: parameters from the query and the form body."""

    method: str
    path: str
    params: dict[str, str]
    headers: Mapping[str, str]  # names lower-cased
    query: str  # raw, as sent
    body: str  # raw, as sent


@dataclass(frozen=True)
class Reply:
    """What the handler writes back, once ``gate`` is set when there is one (a held answer)."""

    status: int
    body: object
    headers: Mapping[str, str]
    gate: threading.Event | None = None


@dataclass(frozen=True)
class Listing:
    """A market the fake exchange lists, with the candle series it serves per timeframe."""

    market_id: str  # exchange spelling: BTCUSDT (Binance), XBTUSDT (Kraken)
    base_id: str
    quote_id: str
    candles: dict[Timeframe, CandleArrays]


Answer = tuple[int, object, Mapping[str, str]]


def price_text(value: float) -> str:
    """A float as exchanges send it: 8 decimals when exact, else the shortest exact form."""
    fixed = f"{value:.8f}"
    if float(fixed) == value:
        return fixed
    return np.format_float_positional(value, trim="-")


class ExchangeServer:
    """A threaded HTTP server on 127.0.0.1 with scripted faults; subclasses add the routes."""

    _routes: ClassVar[dict[str, str]] = {}  # path -> method name (public GET routes)
    _private_routes: ClassVar[dict[tuple[str, str], str]] = {}  # (method, path) -> method name

    def __init__(self, *, now_ms: int | None = None) -> None:
        self._now_ms = now_ms
        self.listings: dict[str, Listing] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._faults: dict[str, deque[Fault]] = {}
        self._outages: dict[str, tuple[int, Fault]] = {}
        self._held: dict[tuple[str, str], deque[threading.Event]] = {}
        self._gates: list[threading.Event] = []
        self.observer: Callable[[Call, int], None] | None = None
        """Called with each request and its status once it is processed, before it is answered,
        under the server's lock (a crash test kills the client there: the exchange did the work,
        the client never learns it)."""
        self.clock_skew_ms = 0
        """Added to the server's clock: a positive skew puts the exchange ahead of us."""
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def now_ms(self) -> int:
        """The server's time: the one it was given, else the wall clock (for the CLI's clock)."""
        now = time.time_ns() // 1_000_000 if self._now_ms is None else self._now_ms
        return now + self.clock_skew_ms

    @now_ms.setter
    def now_ms(self, value: int) -> None:
        self._now_ms = value

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Listen on a free port of 127.0.0.1 in a daemon thread."""
        handler = _make_handler(self)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and free the port (held answers are let go)."""
        with self._lock:
            for gate in self._gates:
                gate.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    # ----------------------------------------------------------------- scripting

    def list_market(self, listing: Listing) -> None:
        """Serve ``listing`` (replaces a listing with the same market id)."""
        with self._lock:
            self.listings[listing.market_id] = listing

    def inject(self, path: str, *faults: Fault) -> None:
        """Answer the next ``len(faults)`` requests to ``path`` with ``faults``, in order."""
        with self._lock:
            self._faults.setdefault(path, deque()).extend(faults)

    def outage(self, path: str, *, after: int, fault: Fault) -> None:
        """Answer ``path`` normally ``after`` more times, then with ``fault`` until healed."""
        with self._lock:
            self._outages[path] = (after, fault)

    def hold(self, path: str, *, method: str = "POST") -> threading.Event:
        """Process the next ``method`` request to ``path``; answer it once the event is set.

        The test looks at the state while the answer is held (or lets the client time out),
        then sets the event: nothing depends on the machine's speed, as a fixed delay would.
        ``stop`` sets every event, so a held answer never outlives the server.
        """
        gate = threading.Event()
        with self._lock:
            self._held.setdefault((method, path), deque()).append(gate)
            self._gates.append(gate)
        return gate

    def end_outage(self, path: str) -> None:
        """Answer ``path`` normally again."""
        with self._lock:
            self._outages.pop(path, None)

    def calls(self, path: str) -> list[Request]:
        """Requests received for ``path``."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # ----------------------------------------------------------------- dispatch

    def handle(self, call: Call) -> Reply | None:
        """The answer to a request, or None to drop the connection."""
        with self._lock:
            fault = self._next_fault(call.path)
            if fault is None:
                answer = self._dispatch(call)
            else:
                answer = (fault.status, fault.body, fault.headers)
            status = answer[0]
            held = self._held.get((call.method, call.path))
            gate = held.popleft() if held and fault is None else None
            self.requests.append(
                Request(time.monotonic(), call.path, call.params, status, call.method, call.headers)
            )
            if self.observer is not None:
                self.observer(call, status)
        return None if status == DROP else Reply(*answer, gate=gate)

    def _dispatch(self, call: Call) -> Answer:
        private = self._private_routes.get((call.method, call.path))
        if private is not None:
            return cast(Answer, getattr(self, private)(call))
        public = self._routes.get(call.path) if call.method == "GET" else None
        if public is None:
            return 404, self._not_found(call.path), {}
        return cast(Answer, getattr(self, public)(call.params))

    def _next_fault(self, path: str) -> Fault | None:
        queue = self._faults.get(path)
        if queue:
            return queue.popleft()
        if path in self._outages:
            remaining, fault = self._outages[path]
            if remaining <= 0:
                return fault
            self._outages[path] = (remaining - 1, fault)
        return None

    def _not_found(self, path: str) -> object:
        return {"error": f"no route {path}"}

    def _served(self, listing: Listing, timeframe: Timeframe) -> CandleArrays:
        """The listing's candles up to and including the forming one at ``now_ms``."""
        candles = listing.candles[timeframe]
        stop = int(np.searchsorted(candles.timestamps, self.now_ms, side="right"))
        return candles.slice(0, stop)


def _make_handler(server: ExchangeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_DELETE(self) -> None:
            self._serve()

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            form = body if "json" not in (self.headers.get("Content-Type") or "") else ""
            params = dict(parse_qsl(parts.query)) | dict(parse_qsl(form))
            headers = {name.lower(): value for name, value in self.headers.items()}
            call = Call(self.command, parts.path, params, headers, parts.query, body)
            reply = server.handle(call)
            if reply is None:
                self.close_connection = True
                return
            if reply.gate is not None:
                reply.gate.wait()  # the work is done; the answer waits for the test (or stop())
            payload = json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the client gave up waiting (a stalled answer)
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:
            return  # keep test output clean

    return Handler


@contextmanager
def running(server: ExchangeServer) -> Iterator[ExchangeServer]:
    """Start ``server`` for the duration of the block."""
    server.start()
    try:
        yield server
    finally:
        server.stop()


def closed_port() -> int:
    """A 127.0.0.1 port with nothing listening (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
