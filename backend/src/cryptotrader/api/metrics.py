"""Prometheus metrics of the API, on a registry of its own (one per app, tests included)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


class ApiMetrics:
    """Requests, rate limiting, WebSocket clients and events.

    Labels are route templates (``/api/bots/{bot}``), never ids, user names or tokens.
    """

    def __init__(self) -> None:
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
            "cryptotrader_api_ws_clients", "Connected WebSocket clients", registry=self.registry
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

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
