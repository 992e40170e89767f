"""Local HTTP servers on 127.0.0.1 that answer like alternative.me and Google Trends.

They speak the real wire formats (query parameters, JSON shapes, Google's anti-JSON prefixes and
its NID cookie + widget token handshake), so the real httpx client and the real pytrends library
can be tested without the internet. Every request is recorded server-side, which is how tests
prove that a cache hit never reached the network.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

# alternative.me classifies by these bands (checked against the shared history, 2018-2026).
_BANDS = (
    (25, "Extreme Fear"),
    (46, "Fear"),
    (54, "Neutral"),
    (75, "Greed"),
    (100, "Extreme Greed"),
)

GOOGLE_TOKEN = "APP6_UEAAAAAZ-local-test-token"
_EXPLORE_PREFIX = ")]}'\n"  # pytrends trims 4 characters from /api/explore
_WIDGET_PREFIX = ")]}',\n"  # and 5 from /api/widgetdata/*


def classification(value: int) -> str:
    """alternative.me's label for a value."""
    return next(label for bound, label in _BANDS if value <= bound)


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    cookies: str | None


@dataclass
class ServerState:
    """What the server answers and what it has seen; tests change it between calls."""

    requests: list[Recorded] = field(default_factory=list)
    fear_greed: list[tuple[int, int]] = field(default_factory=list)  # (epoch s, value), any order
    trends: list[tuple[int, int, bool]] = field(default_factory=list)  # (epoch s, value, partial)
    trends_keyword: str = "bitcoin"
    trends_drop_field: str | None = None  # leave this field out of the first timeline point
    status: int = 200
    raw_body: bytes | None = None  # answer this instead (malformed payload tests)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        """Paths of every request so far, in order."""
        with self.lock:
            return [r.path for r in self.requests]


class _Handler(BaseHTTPRequestHandler):
    state: ClassVar[ServerState]

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        state = self.state
        with state.lock:
            state.requests.append(Recorded(method, parts.path, query, self.headers.get("Cookie")))
        if state.status != 200:
            self._send(state.status, b'{"error": "test status"}', "application/json")
            return
        if state.raw_body is not None:
            self._send(200, state.raw_body, "application/json")
            return
        route = {
            ("GET", "/fng/"): self._fear_greed,
            ("GET", "/trends/explore/"): self._google_cookie,
            ("POST", "/trends/api/explore"): self._google_explore,
            ("GET", "/trends/api/widgetdata/multiline"): self._google_multiline,
        }.get((method, parts.path))
        if route is None:
            self._send(404, b"not found", "text/plain")
            return
        route(query)

    def _send(self, status: int, body: bytes, content_type: str, cookie: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if cookie:
            self.send_header("Set-Cookie", cookie)
        self.end_headers()
        self.wfile.write(body)

    # ------------------------------------------------------------------ alternative.me
    def _fear_greed(self, query: dict[str, list[str]]) -> None:
        if query.get("format") != ["json"] or "limit" not in query:
            self._send(400, b'{"metadata": {"error": "bad query"}}', "application/json")
            return
        limit = int(query["limit"][0])
        newest_first = sorted(self.state.fear_greed, reverse=True)
        chosen = newest_first if limit == 0 else newest_first[:limit]
        data = [
            {
                "value": str(value),
                "value_classification": classification(value),
                "timestamp": str(ts),
                **({"time_until_update": "3600"} if i == 0 else {}),
            }
            for i, (ts, value) in enumerate(chosen)
        ]
        body = {"name": "Fear and Greed Index", "data": data, "metadata": {"error": None}}
        self._send(200, json.dumps(body).encode(), "application/json")

    # ------------------------------------------------------------------ Google Trends
    def _google_cookie(self, query: dict[str, list[str]]) -> None:
        self._send(200, b"<html></html>", "text/html", cookie="NID=511=local; Path=/; HttpOnly")

    def _google_explore(self, query: dict[str, list[str]]) -> None:
        request = json.loads(query["req"][0])
        items = request["comparisonItem"]
        if [item["keyword"] for item in items] != [self.state.trends_keyword]:
            self._send(400, b"unknown keyword", "text/plain")
            return
        widget = {
            "request": {
                "time": items[0]["time"].replace(" ", "+"),
                "resolution": "WEEK",
                "comparisonItem": [{"geo": {}, "complexKeywordsRestriction": {}}],
                "requestOptions": {"property": "", "backend": "IZG", "category": 0},
            },
            "token": GOOGLE_TOKEN,
            "id": "TIMESERIES",
            "type": "fe_line_chart",
            "title": "Interest over time",
        }
        body = _EXPLORE_PREFIX + json.dumps({"widgets": [widget]})
        self._send(200, body.encode(), "application/json; charset=utf-8")

    def _google_multiline(self, query: dict[str, list[str]]) -> None:
        if query.get("token") != [GOOGLE_TOKEN] or "req" not in query or "tz" not in query:
            self._send(401, b"bad token", "text/html")
            return
        timeline: list[dict[str, Any]] = []
        for ts, value, partial in sorted(self.state.trends):
            start = datetime.fromtimestamp(ts, tz=UTC)
            point: dict[str, Any] = {
                "time": str(ts),
                "formattedTime": f"{start:%b %-d, %Y}",
                "formattedAxisTime": f"{start:%b %-d, %Y}",
                "value": [value],
                "hasData": [value > 0],
                "formattedValue": [str(value)],
            }
            if partial:
                point["isPartial"] = True
            if not timeline and self.state.trends_drop_field:
                point.pop(self.state.trends_drop_field, None)
            timeline.append(point)
        body = _WIDGET_PREFIX + json.dumps({"default": {"timelineData": timeline, "averages": []}})
        self._send(200, body.encode(), "application/json; charset=utf-8")


@dataclass
class LocalServer:
    """A running server: its base URL and its state."""

    url: str
    state: ServerState
    port: int


@contextmanager
def serve(state: ServerState | None = None) -> Iterator[LocalServer]:
    """Run the server on a free 127.0.0.1 port for the duration of the block."""
    current = state or ServerState()
    handler = type("Handler", (_Handler,), {"state": current})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    port = int(server.server_address[1])
    try:
        yield LocalServer(url=f"http://127.0.0.1:{port}", state=current, port=port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (connections are refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
