"""Prometheus metrics of the API, on a registry of its own (one per app, tests included).

With several worker processes (``cryptotrader api --workers N``) each worker writes its values
to files in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode, chosen by that
variable when the worker starts) and ``/metrics`` sums them across workers, whichever answers.
Request latencies and the WebSocket client count also go to InfluxDB when it is configured.
"""

from __future__ import annotations

import os
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from cryptotrader.monitoring.influx import InfluxWriter
from cryptotrader.monitoring.telemetry import WriterCollector

CONTENT_TYPE = CONTENT_TYPE_LATEST
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


class ApiMetrics:
    """Requests, rate limiting, WebSocket clients and events.

    Labels are route templates (``/api/bots/{bot}``), never ids, user names or tokens.

    Args:
        influx: where request latencies and WebSocket client counts also go; None: Prometheus only.
        engines: the registry of engines running in this process, served with the API's (it
            already reports the InfluxDB writer they share).
    """

    def __init__(
        self, *, influx: InfluxWriter | None = None, engines: CollectorRegistry | None = None
    ) -> None:
        self.influx = influx
        self.engines = engines
        self.multiprocess_dir = os.environ.get(MULTIPROCESS_ENV) or None
        self._clients = 0
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "cryptotrader_api_requests_total",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "cryptotrader_api_request_seconds",
            "HTTP request duration by method and route template",
            ["method", "route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "cryptotrader_api_rate_limited_total",
            "Requests refused by the rate limiter (429) or because its store was down (503)",
            ["bucket", "status"],
            registry=self.registry,
        )
        self.ws_clients = Gauge(
            "cryptotrader_api_ws_clients",
            "Connected WebSocket clients",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.ws_dropped = Counter(
            "cryptotrader_api_ws_dropped_total",
            "WebSocket clients disconnected for falling behind",
            registry=self.registry,
        )
        self.ws_events = Counter(
            "cryptotrader_api_ws_events_total",
            "Bus events fanned out to WebSocket clients, by topic",
            ["topic"],
            registry=self.registry,
        )
        if influx is not None and self.multiprocess_dir is None and engines is None:
            self.registry.register(WriterCollector(influx))

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        """One HTTP request answered."""
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)
        if self.influx is not None:
            self.influx.write(
                "api_request",
                {"method": method, "route": route, "status": str(status)},
                {"seconds": seconds},
                time.time_ns() // 1_000_000,
            )

    def clients(self, count: int) -> None:
        """The number of WebSocket clients of this process (a point when it changed)."""
        self.ws_clients.set(count)
        if self.influx is not None and count != self._clients:
            self._clients = count
            self.influx.write(
                "ws_clients",
                {"pid": str(os.getpid())},
                {"count": count},
                time.time_ns() // 1_000_000,
            )

    def render(self) -> bytes:
        """The text exposition format (summed over the workers in multiprocess mode)."""
        if self.multiprocess_dir is None:
            engines = b"" if self.engines is None else generate_latest(self.engines)
            return generate_latest(self.registry) + engines
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path=self.multiprocess_dir)  # type: ignore[no-untyped-call]
        return generate_latest(merged)

    def close(self) -> None:
        """This worker is going away: its live gauges stop counting."""
        if self.multiprocess_dir is not None:
            mark_process_dead(os.getpid(), self.multiprocess_dir)  # type: ignore[no-untyped-call]
