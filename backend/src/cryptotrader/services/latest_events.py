"""The latest indicator readings and signals seen on the bus, per market (this process only)."""

from __future__ import annotations

from cryptotrader.bus.messages import BusMessage, IndicatorsComputed, SignalGenerated
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.timeframes import Timeframe


class LatestEvents:
    """Keeps the newest ``IndicatorsComputed`` and ``SignalGenerated`` per market (and bot)."""

    def __init__(self) -> None:
        self._indicators: dict[tuple[str, Timeframe], IndicatorsComputed] = {}
        self._signals: dict[tuple[str, Timeframe, BotKind], SignalGenerated] = {}

    def observe(self, message: BusMessage) -> None:
        """Remember ``message`` if it is newer than what is kept for its market."""
        if isinstance(message, IndicatorsComputed):
            key = (message.pair.symbol, message.timeframe)
            kept = self._indicators.get(key)
            if kept is None or kept.candle_time <= message.candle_time:
                self._indicators[key] = message
        elif isinstance(message, SignalGenerated):
            bot_key = (message.pair.symbol, message.timeframe, message.target_bot)
            kept_signal = self._signals.get(bot_key)
            if kept_signal is None or kept_signal.timestamp <= message.timestamp:
                self._signals[bot_key] = message

    def indicators(self, symbol: str, timeframe: Timeframe) -> IndicatorsComputed | None:
        """The newest readings of a market, or None."""
        return self._indicators.get((symbol, timeframe))

    def signal(self, symbol: str, timeframe: Timeframe, bot: BotKind) -> SignalGenerated | None:
        """The newest signal of a market for one bot, or None."""
        return self._signals.get((symbol, timeframe, bot))
