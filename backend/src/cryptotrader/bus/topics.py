"""Bus channels: one stream per channel (Redis) or one in-process queue per channel.

Dead letters of a channel go to ``dead_letter_topic(channel)``.
"""

from __future__ import annotations

CANDLES = "candles"
"""Closed candles, from the market data engine."""
INDICATORS = "indicators"
"""Indicator readings of a closed candle, from the indicator engine."""
SIGNALS = "signals"
"""Trading signals, from the decision engine."""
ORDERS = "orders"
"""Order updates (submitted, filled, canceled ...), from the order engine."""
ALERTS = "alerts"
"""Things people must hear about (trades, risk changes, failures), for the API and Discord."""
REBALANCE = "rebalance"
"""Capital reallocations between bots, from the portfolio manager."""
COMMANDS = "commands"
"""Bot control (start, stop, pause, resume), from the API and the Discord bot."""
OPTIMIZATIONS = "optimizations"
"""Progress of optimisation jobs, from the API process running them."""
BACKTESTS = "backtests"
"""Progress of backtest jobs (candles simulated), from the API process running them."""
REVOCATIONS = "revocations"
"""Credentials revoked (logout, password change, deactivation, token revocation), from the API
process that revoked them to every API process (each drops them and closes their sockets)."""

ALL_TOPICS: tuple[str, ...] = (
    CANDLES, INDICATORS, SIGNALS, ORDERS, ALERTS, REBALANCE, COMMANDS, OPTIMIZATIONS, REVOCATIONS,
    BACKTESTS,
)  # fmt: skip

RESENT_TOPICS = frozenset({ORDERS, ALERTS, REBALANCE, COMMANDS})
"""The channels whose events follow database changes: written with them in the outbox, and sent
again after Redis restarted empty (only the last ``outbox.RETAIN``: a consumer further behind
lost the rest). Candles, inputs and decisions are published again by the market data."""

_DEAD_LETTER_SUFFIX = ".dead"


def dead_letter_topic(topic: str) -> str:
    """Where messages of ``topic`` that cannot be processed are moved, with the reason."""
    return f"{topic}{_DEAD_LETTER_SUFFIX}"
