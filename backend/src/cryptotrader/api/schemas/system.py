"""Health."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cryptotrader.api.schemas.common import Schema

Check = Literal["ok", "unavailable"]


class LivenessPublic(Schema):
    """The process is up and serving (it says nothing of what it depends on)."""

    status: Literal["ok"]
    version: str


class HealthPublic(Schema):
    """Readiness: whether every dependency requests need answers.

    ``redis`` is ``unused`` on the embedded default (bus and rate limits in memory).
    """

    status: Literal["ok", "degraded"]
    database: Check
    redis: Check | Literal["unused"]
    bus: Literal["memory", "redis"]
    rate_limits: Literal["memory", "redis"]
    influxdb: Literal["ok", "unavailable", "off"] = Field(
        description="the metrics writer: off when not configured; unavailable never fails /health "
        "(trading goes on, points are dropped and counted)"
    )
    version: str
