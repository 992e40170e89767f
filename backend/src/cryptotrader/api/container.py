"""The services of one running app, built once at startup and shared by every request."""

from __future__ import annotations

from dataclasses import dataclass, fields

from cryptotrader.api.metrics import ApiMetrics
from cryptotrader.api.ws.hub import Hub
from cryptotrader.bootstrap.services import UseCases


@dataclass(frozen=True, slots=True)
class Services(UseCases):
    """Everything a route can ask for: the use cases, the API's metrics and its hub."""

    metrics: ApiMetrics
    hub: Hub

    @classmethod
    def serving(cls, cases: UseCases, *, metrics: ApiMetrics, hub: Hub) -> Services:
        """``cases`` as the routes see them, with the API's own parts."""
        shared = {field.name: getattr(cases, field.name) for field in fields(UseCases)}
        return cls(**shared, metrics=metrics, hub=hub)
