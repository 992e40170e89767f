"""The InfluxDB writer: points queued without waiting, written in batches from a thread of its own.

Endpoint: the v1 write API (``POST /write?db=...&precision=ms``, line protocol) by default. It is
the one endpoint all three server generations take: InfluxDB 1.x natively, 2.x through its v1
compatibility API (a DBRP mapping from the database name to a bucket, a token as ``Authorization:
Token ...``), 3.x natively (the database name, a token). ``api="v2"`` writes to
``/api/v2/write?org=...&bucket=...`` instead (2.x without a DBRP mapping; 3.x accepts it too). The
client is httpx, already the project's HTTP client: the official clients each speak one
generation (``influxdb-client`` only ``/api/v2``, ``influxdb3-python`` only 3.x) and bring their
own batching machinery, when all this needs is one POST of a text body.

Never blocking the trading path: ``write`` appends to a bounded in-memory buffer and returns. A
full buffer drops the new point, counts it (``dropped``) and warns once. A failed batch is kept
and retried with a growing pause (at most ``max_backoff_s``) while new points keep filling the
buffer (and are dropped once it is full); a batch InfluxDB refuses as malformed (4xx) is dropped
and counted in ``failed``. The first failure of an outage is a warning, the recovery an info.
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections import deque
from collections.abc import Mapping
from typing import Literal

import httpx

from cryptotrader.monitoring.line_protocol import FieldValue, encode

log = logging.getLogger(__name__)

InfluxApi = Literal["v1", "v2"]
_Point = tuple[str, Mapping[str, str], Mapping[str, FieldValue], int]


class InfluxWriter:
    """Batched, bounded, non-blocking line-protocol writer (see the module docstring).

    Args:
        url: the server's base URL (``http://influxdb:8086``).
        database: the database (v1 API; 3.x) or bucket (v2 API).
        token: sent as ``Authorization: Token ...`` (2.x and 3.x); None for an open 1.x.
        api: ``v1`` (``/write``) or ``v2`` (``/api/v2/write``, needs ``org`` on 2.x).
        org: the 2.x organisation (v2 API).
        capacity: points held at most while InfluxDB is slow or down.
        batch_size: points per request.
        flush_interval_s: how long a point may wait for its batch to fill.
        timeout_s: per request.
        max_backoff_s: the longest pause between retries of a failed batch.

    Example:
        writer = InfluxWriter(url="http://127.0.0.1:8086", database="cryptotrader")
        writer.start()
        writer.write("equity", {"bot": "safe"}, {"value": 1012.5}, timestamp_ms)
        writer.close()
    """

    def __init__(
        self,
        *,
        url: str,
        database: str,
        token: str | None = None,
        api: InfluxApi = "v1",
        org: str | None = None,
        capacity: int = 50_000,
        batch_size: int = 5_000,
        flush_interval_s: float = 1.0,
        timeout_s: float = 5.0,
        max_backoff_s: float = 5.0,
    ) -> None:
        if capacity < batch_size or batch_size < 1:
            raise ValueError("the InfluxDB buffer must hold at least one batch of at least 1")
        self.url = url.rstrip("/")
        self.database = database
        self.capacity = capacity
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.max_backoff_s = max_backoff_s
        self._timeout_s = timeout_s
        if api == "v1":
            self._path, self._params = "/write", {"db": database, "precision": "ms"}
        else:
            self._path = "/api/v2/write"
            self._params = {"bucket": database, "precision": "ms", "org": org or ""}
        self._headers = {"Content-Type": "text/plain; charset=utf-8"}
        if token:
            self._headers["Authorization"] = f"Token {token}"
        self._buffer: deque[_Point] = deque()
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="influx-writer", daemon=True)
        self._warned_full = False
        self._failing = False
        self.written = 0
        """Points InfluxDB accepted."""
        self.dropped = 0
        """Points dropped because the buffer was full."""
        self.failed = 0
        """Points InfluxDB refused (malformed), or still unwritten at close."""
        self.last_error: str | None = None
        """Why the last write failed; None once a write succeeds again."""

    @property
    def healthy(self) -> bool:
        """False while writes fail (the buffer then fills, and drops)."""
        return not self._failing

    @property
    def queued(self) -> int:
        """Points waiting to be written."""
        return len(self._buffer)

    def start(self) -> None:
        """Start the writer thread."""
        self._thread.start()

    def write(
        self,
        measurement: str,
        tags: Mapping[str, str],
        fields: Mapping[str, FieldValue],
        timestamp_ms: int,
    ) -> None:
        """Queue one point; returns at once (a full buffer drops it, counted)."""
        if len(self._buffer) >= self.capacity:
            self.dropped += 1
            if not self._warned_full:
                self._warned_full = True
                log.warning(
                    "InfluxDB writer: buffer full (%d points), dropping new points until it "
                    "drains (counted in cryptotrader_influx_points_dropped_total)",
                    self.capacity,
                )
            return
        self._buffer.append((measurement, tags, fields, timestamp_ms))
        if len(self._buffer) >= self.batch_size:
            self._wake.set()

    def close(self, timeout_s: float = 5.0) -> None:
        """Write what is queued (one attempt), then stop the thread."""
        if not self._thread.is_alive():
            return
        self._closing.set()
        self._wake.set()
        self._thread.join(timeout_s)

    # --- the writer thread -----------------------------------------------------------------------

    def _run(self) -> None:
        # Plain http needs no CA bundle: loading the default one costs ~60 ms of CPU, a real share
        # of a short replay. The bare context trusts nothing, so it could never let TLS through
        # unverified; https URLs get the default verification.
        verify: ssl.SSLContext | bool = True
        if not self.url.lower().startswith("https:"):
            verify = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        with httpx.Client(
            base_url=self.url, headers=self._headers, timeout=self._timeout_s, verify=verify
        ) as client:
            pending: tuple[str, int] | None = None
            backoff = 0.0
            while True:
                closing = self._closing.is_set()
                if pending is None:
                    if not self._buffer:
                        if closing:
                            return
                        self._wake.wait(self.flush_interval_s)
                        self._wake.clear()
                        if not self._buffer:
                            continue
                    pending = self._take()
                    if pending is None:
                        continue
                if self._send(client, *pending):
                    pending, backoff = None, 0.0
                    continue
                if closing:
                    self.failed += pending[1] + len(self._buffer)
                    return
                backoff = min(self.max_backoff_s, backoff * 2 or 0.25)
                self._closing.wait(backoff)

    def _take(self) -> tuple[str, int] | None:
        lines = []
        buffer = self._buffer
        for _ in range(min(self.batch_size, len(buffer))):
            line = encode(*buffer.popleft())
            if line is not None:
                lines.append(line)
        if len(buffer) < self.capacity:
            self._warned_full = False
        return ("\n".join(lines), len(lines)) if lines else None

    def _send(self, client: httpx.Client, body: str, count: int) -> bool:
        """True when the batch is done with (written, or refused for good)."""
        try:
            response = client.post(self._path, params=self._params, content=body.encode())
        except httpx.HTTPError as exc:
            return self._failure(f"{type(exc).__name__}: {exc}")
        if response.status_code == 204 or response.is_success:
            self.written += count
            if self._failing:
                log.info("InfluxDB writer: writing again to %s", self.url)
            self._failing, self.last_error = False, None
            return True
        reason = f"HTTP {response.status_code}: {response.text[:200]}"
        if response.status_code in {408, 429} or response.status_code >= 500:
            return self._failure(reason)
        self.failed += count
        log.warning("InfluxDB writer: %d points refused (%s)", count, reason)
        return True

    def _failure(self, reason: str) -> bool:
        if not self._failing:
            log.warning("InfluxDB writer: cannot write to %s (%s); retrying", self.url, reason)
        self._failing, self.last_error = True, reason
        return False
