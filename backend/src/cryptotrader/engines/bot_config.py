"""A bot's effective configuration: what is stored on it, with the settings' defaults filled in.

Read by the portfolio engine (protection of a bot's trades) and by the services (what the API
shows), so it lives below both.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from cryptotrader.config import TradingSettings
from cryptotrader.domain.bots import DEFAULT_STRATEGY, BotConfig
from cryptotrader.domain.enums import BotKind
from cryptotrader.persistence.tables import BotRow
from cryptotrader.strategies import create_strategy

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EffectiveConfig:
    """A bot's configuration with every default filled in."""

    strategy: str
    params: dict[str, Any]
    stop_loss: Decimal
    take_profit: Decimal
    risk_ratio: Decimal


def stored_config(row: BotRow) -> BotConfig:
    """The configuration stored on a bot (the default strategy when none was set)."""
    return config_of(row.type, row.strategy_config)


def config_of(kind: BotKind, raw: dict[str, Any] | None) -> BotConfig:
    """``stored_config`` from the bot's kind and its ``strategy_config`` column."""
    try:
        return BotConfig.model_validate({"strategy": DEFAULT_STRATEGY[kind], **(raw or {})})
    except ValidationError:
        log.warning("bot %s has an unreadable strategy_config; showing defaults", kind)
        return BotConfig(strategy=DEFAULT_STRATEGY[kind])


def effective_config(config: BotConfig, kind: BotKind, trading: TradingSettings) -> EffectiveConfig:
    """``config`` with the settings' defaults for what it leaves unset.

    Raises:
        UnknownNameError: the strategy is not registered.
        UserInputError: a parameter is unknown or invalid.
    """
    defaults = trading.safe if kind is BotKind.SAFE else trading.aggressive
    return EffectiveConfig(
        strategy=config.strategy,
        params=json.loads(_full_params(config.strategy, json.dumps(config.params, sort_keys=True))),
        stop_loss=config.stop_loss or defaults.stop_loss,
        take_profit=config.take_profit or defaults.take_profit,
        risk_ratio=config.risk_ratio or defaults.risk_ratio,
    )


@functools.lru_cache(maxsize=256)
def _full_params(strategy: str, params: str) -> str:
    # Validating parameters builds the strategy: remembered per (strategy, parameters), since
    # every read of the bots needs it. JSON in and out keeps the cached value immutable.
    return json.dumps(create_strategy(strategy, json.loads(params)).params.model_dump(mode="json"))
