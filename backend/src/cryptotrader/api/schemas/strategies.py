"""Registered strategies and their parameter schemas."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from cryptotrader.api.schemas.common import Schema


class ParameterSpecPublic(Schema):
    """One parameter; bounds keep JSON Schema's meaning (exclusive ones are strict)."""

    name: str
    kind: Literal["integer", "number", "boolean", "choice", "string"]
    default: Any = Field(description="what the strategy applies when the parameter is not given")
    nullable: bool
    description: str | None
    minimum: float | None
    maximum: float | None
    exclusive_minimum: float | None
    exclusive_maximum: float | None
    choices: list[str] | None
    search: dict[str, Any] | None = Field(
        description="the optimiser's search range (low, high, step, log), when tunable"
    )


class StrategySpecPublic(Schema):
    """A registered strategy."""

    name: str
    description: str
    target_bot: str | None
    parameters: list[ParameterSpecPublic]


class StrategiesPublic(Schema):
    """Every registered strategy."""

    data: list[StrategySpecPublic]
    count: int
