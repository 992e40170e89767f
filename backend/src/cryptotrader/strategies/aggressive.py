"""The aggressive bot's strategy: lower thresholds, no filters, quick to react."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptotrader.domain.enums import BotKind
from cryptotrader.strategies.registry import register_strategy
from cryptotrader.strategies.weighted import WeightedParams, WeightedStrategy

DEFAULTS: dict[str, Any] = {
    "buy_threshold": 0.2,
    "sell_threshold": -0.05,
    "full_confidence": 0.4,
}


@register_strategy("aggressive")
class AggressiveStrategy(WeightedStrategy):
    """Weighted vote of the indicators, with no filter by default (see ``strategies.weighted``).

    Defaults: buy at score >= 0.2 whatever the higher-timeframe trend, choppiness or sentiment;
    sell as soon as the score drops to -0.05. Trades for the aggressive bot.
    """

    params_model = WeightedParams
    target_bot = BotKind.AGGRESSIVE

    def __init__(self, params: Mapping[str, Any] | WeightedParams | None = None) -> None:
        if not isinstance(params, WeightedParams):
            params = {**DEFAULTS, **(params or {})}
        super().__init__(params)
