"""``/health`` and ``/metrics`` (no authentication: they carry no secret and no user data)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from cryptotrader import __version__
from cryptotrader.api.deps import ServicesDep
from cryptotrader.api.metrics import CONTENT_TYPE
from cryptotrader.api.schemas.system import Check, HealthPublic
from cryptotrader.errors import OperationalError

router = APIRouter(tags=["system"])


@router.get(
    "/health",
    responses={503: {"model": HealthPublic, "description": "the database does not answer"}},
)
async def health(services: ServicesDep, response: Response) -> HealthPublic:
    """Liveness and readiness: 200 when the database answers, 503 otherwise."""
    database: Check = "ok"
    try:
        await services.database.check()
    except OperationalError:
        database = "unavailable"
        response.status_code = 503
    kind = "redis" if services.settings.redis_url else "memory"
    return HealthPublic(
        status="ok" if database == "ok" else "degraded",
        database=database,
        bus=kind,
        rate_limits=kind,
        version=__version__,
    )


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}, "description": "Prometheus text format"}},
)
async def metrics(services: ServicesDep) -> Response:
    """Prometheus metrics (requests, latency, rate limiting, WebSocket clients and events)."""
    return Response(services.metrics.render(), media_type=CONTENT_TYPE)
