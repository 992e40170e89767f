"""``/health``, ``/health/live`` and ``/metrics``: no authentication, no secret, no user data.

``/health`` is readiness: 200 only when every dependency requests need answers (the database,
and Redis when configured: bus, rate limits and tickets live there); 503 otherwise, so a load
balancer or orchestrator stops routing to it. ``/health/live`` is liveness: 200 while the process
serves, whatever its dependencies (restart it only when that one fails).

``/metrics`` asks for ``api.metrics_token`` as a bearer token when one is set (Prometheus'
``authorization`` scrape setting); without it, restrict ``/metrics`` at the reverse proxy.
"""

from __future__ import annotations

import hmac
from typing import Literal

from fastapi import APIRouter, Request, Response

from cryptotrader import __version__
from cryptotrader.api.deps import ServicesDep
from cryptotrader.api.metrics import CONTENT_TYPE
from cryptotrader.api.schemas.common import ErrorPublic
from cryptotrader.api.schemas.system import Check, HealthPublic, LivenessPublic
from cryptotrader.errors import AuthenticationFailed, OperationalError

router = APIRouter(tags=["system"])


@router.get(
    "/health",
    responses={
        503: {"model": HealthPublic, "description": "the database or Redis does not answer"}
    },
)
async def health(services: ServicesDep, response: Response) -> HealthPublic:
    """Readiness: 200 when the database and Redis (if configured) answer, 503 otherwise.

    ``status`` is ``degraded`` when a dependency fails; a failing InfluxDB only says so (the
    metrics writer drops points, trading goes on), it never turns the answer into a 503.
    """
    database: Check = "ok"
    try:
        await services.database.check()
    except OperationalError:
        database = "unavailable"
    redis: Check | Literal["unused"] = "unused"
    if services.settings.redis_url:
        redis = "ok" if await services.store.ping() else "unavailable"
    ready = database == "ok" and redis != "unavailable"
    if not ready:
        response.status_code = 503
    kind = "redis" if services.settings.redis_url else "memory"
    influx = services.metrics.influx
    influxdb = "off" if influx is None else "ok" if influx.healthy else "unavailable"
    return HealthPublic(
        status="ok" if ready and influxdb != "unavailable" else "degraded",
        database=database,
        redis=redis,
        bus=kind,
        rate_limits=kind,
        influxdb=influxdb,
        version=__version__,
    )


@router.get("/health/live")
async def liveness() -> LivenessPublic:
    """Liveness: 200 while the process serves requests (dependencies are ``/health``'s job)."""
    return LivenessPublic(status="ok", version=__version__)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE: {}}, "description": "Prometheus text format"},
        401: {"model": ErrorPublic, "description": "api.metrics_token is set and was not sent"},
    },
)
async def metrics(services: ServicesDep, request: Request) -> Response:
    """Prometheus metrics (requests, latency, rate limiting, WebSocket clients and events).

    Raises:
        AuthenticationFailed: ``api.metrics_token`` is set and the request does not carry it.
    """
    token = services.settings.api.metrics_token
    if token is not None:
        sent = request.headers.get("authorization", "")
        expected = f"Bearer {token.get_secret_value()}"
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise AuthenticationFailed("/metrics needs Authorization: Bearer <api.metrics_token>")
    return Response(services.metrics.render(), media_type=CONTENT_TYPE)
