"""Health."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cryptotrader.api.schemas.common import Schema

Check = Literal["ok", "unavailable"]


class HealthPublic(Schema):
    """Whether the API and what it depends on answer."""

    status: Literal["ok", "degraded"]
    database: Check
    bus: Literal["memory", "redis"]
    rate_limits: Literal["memory", "redis"]
    influxdb: Literal["ok", "unavailable", "off"] = Field(
        description="the metrics writer: off when not configured; unavailable never fails /health "
        "(trading goes on, points are dropped and counted)"
    )
    version: str
