"""What the order engine's parts share: the open positions and whether trading may go on."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cryptotrader.domain.enums import BotKind
from cryptotrader.engines.positions import Position
from cryptotrader.risk.limits import OpenPosition


@dataclass(slots=True)
class TradingState:
    """The open positions, the failures in a row, and the gates on new orders.

    One instance is given to each part of the order engine; the engine is the only writer of
    ``orders``, so this is what the database holds once the current transaction commits.
    """

    positions: dict[BotKind, Position] = field(default_factory=dict)
    failures: dict[BotKind, int] = field(default_factory=lambda: dict.fromkeys(BotKind, 0))
    trading_allowed: bool = False
    """False until reconciliation succeeded: no new order is sent (cancels still are)."""
    checked_through_ms: float = math.inf
    """Decisions of candles opened after this cannot have stored orders (they were never reached
    before this process), so no lookup is needed; the trading worker sets it to the checkpoint
    it resumed from."""

    def book(self) -> tuple[OpenPosition, ...]:
        """The open positions as the risk limits count them (notional at the entry fill)."""
        return tuple(
            OpenPosition(p.bot, p.trade.pair.symbol, p.quantity * p.entry_price)
            for p in self.positions.values()
        )
