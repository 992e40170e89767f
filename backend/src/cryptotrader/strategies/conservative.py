"""The safe bot's strategy: high thresholds, trend agreement, no chop, no extreme greed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptotrader.domain.enums import BotKind
from cryptotrader.strategies.registry import register_strategy
from cryptotrader.strategies.weighted import WeightedParams, WeightedStrategy

DEFAULTS: dict[str, Any] = {
    "buy_threshold": 0.3,
    "sell_threshold": -0.1,
    "full_confidence": 0.6,
    "max_choppiness": 55.0,
    "max_fear_greed": 75.0,
    "require_trend_agreement": True,
}


@register_strategy("conservative")
class ConservativeStrategy(WeightedStrategy):
    """Weighted vote of the indicators, with every filter on (see ``strategies.weighted``).

    Defaults: buy at score >= 0.3 only when the higher-timeframe trend is up, the Choppiness
    Index is <= 55 (trending) and Fear & Greed is <= 75 (not extreme greed); sell at score <= -0.1
    or when the higher-timeframe trend turns down. Trades for the safe bot.
    """

    params_model = WeightedParams
    target_bot = BotKind.SAFE

    def __init__(self, params: Mapping[str, Any] | WeightedParams | None = None) -> None:
        if not isinstance(params, WeightedParams):
            params = {**DEFAULTS, **(params or {})}
        super().__init__(params)
