"""The exchange contract every venue implements: ccxt-backed ones and the paper exchange.

Engines talk to ``BaseExchange`` only. Every method is async; amounts, prices and money are
``Decimal``; every order carries **our** client order id so that a retry or a restart can look
the order up instead of sending it twice. Errors are ours, named by their reaction
(``errors.py``): ``TemporaryError`` (retry with backoff), ``OrderRejected`` /
``InsufficientFunds`` (never retry as is), ``OperationalError`` (stop the bot and alert), and
``OrderOutcomeUnknown`` from the order-placing methods (the order may or may not have been
placed: ``fetch_order`` by its client id before anything else, never re-send blindly).

Venue differences are data (``VenueCapabilities``), never ``if name == "kraken"`` in engines.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal

from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.markets import MarketRules
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import (
    Balance,
    BracketReport,
    FillReport,
    OrderReport,
    ProtectionReport,
    ReplaceReport,
    Ticker,
)
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import OrderRejected


@dataclass(frozen=True, slots=True)
class VenueCapabilities:
    """What a venue does natively; the rest is emulated by the adapter or the order engine.

    Attributes:
        native_oco: one order links stop-loss and take-profit (Binance OCO).
        native_stop_loss: the exchange holds a stop order (else the engine watches prices).
        conditional_close: a stop/take-profit can be attached to the entry (Kraken ``close``).
        client_order_id: the venue stores and searches by our client order id.
        paper: fills are simulated; no real money moves.
        native_bracket: ``place_bracket`` places a limit entry with its stop-loss and
            take-profit as one order list (Binance OTOCO): protected from the fill, by the
            exchange. Elsewhere the protection is placed after the fill (a crash between the
            two leaves the position unprotected until the restart protects it).
        take_profit_by_engine: ``place_protection`` places the stop-loss only and returns
            ``take_profit=None``: the venue cannot hold a take-profit beside it (no OCO, and a
            spot sell order reserves the amount, so a second one would be refused). The order
            engine watches the take-profit price and, when it is reached, cancels the ``-sl``
            order and sells at market.
        atomic_exit: ``replace_with_sale`` cancels a protective order (with its order list) and
            sells at market in one request (Binance ``cancelReplace``): an exit never leaves a
            moment with the coin held and no stop. Elsewhere the exit cancels, then sells.
    """

    native_oco: bool = False
    native_stop_loss: bool = True
    conditional_close: bool = False
    client_order_id: bool = True
    paper: bool = False
    take_profit_by_engine: bool = False
    native_bracket: bool = False
    atomic_exit: bool = False


class BaseExchange(ABC):
    """An exchange account: market data, balances, orders and their protection.

    Implementations: ``exchanges.ccxt.venue.CcxtVenue`` (Binance, Kraken, any ccxt id) and
    ``exchanges.paper.PaperExchange`` (simulated fills, persisted state).
    """

    name: str
    capabilities: VenueCapabilities

    # --- market data ---------------------------------------------------------------------------

    @abstractmethod
    async def market_rules(self, pair: Pair) -> MarketRules:
        """Amount step and minimums of ``pair`` (loads markets on first use)."""

    @abstractmethod
    async def fetch_ticker(self, pair: Pair) -> Ticker:
        """Best bid/ask and last price."""

    @abstractmethod
    async def fetch_ohlcv(
        self, pair: Pair, timeframe: Timeframe, *, since_ms: int | None = None, limit: int = 500
    ) -> CandleArrays:
        """Candles from ``since_ms`` (the newest ``limit`` when omitted), oldest first."""

    # --- account -------------------------------------------------------------------------------

    @abstractmethod
    async def get_balance(self, asset: str) -> Balance:
        """Free and used amount of ``asset`` (zero when the account holds none)."""

    @abstractmethod
    async def fetch_balances(self) -> dict[str, Balance]:
        """Every non-zero balance, by asset."""

    # --- orders --------------------------------------------------------------------------------

    @abstractmethod
    async def buy(
        self, pair: Pair, amount: Decimal, price: Decimal | None = None, *, client_order_id: str
    ) -> OrderReport:
        """Buy ``amount`` at market (``price`` None) or with a limit ``price``."""

    @abstractmethod
    async def sell(
        self, pair: Pair, amount: Decimal, price: Decimal | None = None, *, client_order_id: str
    ) -> OrderReport:
        """Sell ``amount`` at market (``price`` None) or with a limit ``price``."""

    @abstractmethod
    async def place_protection(
        self,
        pair: Pair,
        amount: Decimal,
        *,
        stop_loss: Decimal,
        take_profit: Decimal | None,
        client_order_id: str,
    ) -> ProtectionReport:
        """Protect a long position of ``amount`` with a stop-loss and an optional take-profit.

        A sell stop at ``stop_loss`` and a sell limit at ``take_profit`` are linked so that one
        filling cancels the other (natively where the venue can, else by the adapter). Their
        client ids are ``client_order_id`` with the suffixes ``-sl`` and ``-tp``. Where
        ``capabilities.take_profit_by_engine`` is set, only the stop-loss is placed and the
        report's ``take_profit`` is None: the order engine watches the take-profit price.
        """

    async def place_bracket(
        self,
        pair: Pair,
        amount: Decimal,
        *,
        price: Decimal,
        stop_loss: Decimal,
        take_profit: Decimal,
        client_order_id: str,
        protection_client_order_id: str,
    ) -> BracketReport:
        """Buy ``amount`` with a limit ``price``, protected from its fill, as one order list.

        Only where ``capabilities.native_bracket``. The entry's client id is
        ``client_order_id``; the legs' are ``protection_client_order_id`` with ``-sl`` and
        ``-tp`` (as ``place_protection``'s). The legs sell ``amount`` once the entry fills, less
        the fee where the venue takes it from the coin bought (what will be held).

        Raises:
            OrderRejected: the venue has no such order list (the default).
        """
        raise OrderRejected(f"{self.name}: no native entry-with-protection order list")

    async def replace_with_sale(
        self, pair: Pair, amount: Decimal, *, cancel_client_order_id: str, client_order_id: str
    ) -> ReplaceReport:
        """Cancel ``cancel_client_order_id`` (and its order list) and sell at market, atomically.

        Only where ``capabilities.atomic_exit``. The sale is ``amount`` capped to what the
        account holds once the cancel released it (a fee taken in the base asset leaves less).

        Raises:
            CancelReplaceFailed: the order to cancel was not open; nothing was done.
            OrderRejected: the sale was refused (the cancel may have been done: look the
                protection up).
            OrderOutcomeUnknown: carries the sale's id: look the sale and the stop up.
            TemporaryError, OperationalError: as ``sell``.
        """
        raise OrderRejected(f"{self.name}: no atomic cancel-and-sell")

    @abstractmethod
    async def cancel_order(self, pair: Pair, *, client_order_id: str) -> OrderReport:
        """Cancel one of our orders; an order already final is returned as it is."""

    @abstractmethod
    async def fetch_order(self, pair: Pair, *, client_order_id: str) -> OrderReport | None:
        """Our order as the exchange knows it, or None if the exchange never received it."""

    @abstractmethod
    async def fetch_open_orders(self, pair: Pair | None = None) -> list[OrderReport]:
        """Every open order (of ``pair``, or all)."""

    @abstractmethod
    async def fetch_my_trades(self, pair: Pair, *, since_ms: int | None = None) -> list[FillReport]:
        """Our fills on ``pair`` since ``since_ms``, oldest first."""

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections."""
