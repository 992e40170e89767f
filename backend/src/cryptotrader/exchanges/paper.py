"""``PaperExchange``: an exchange account whose fills are simulated; no real money moves.

It follows the backtester's conventions (``paper_book``): fills with fee and slippage, stop-loss
and take-profit pairs (native OCO: one filling cancels the other) triggered inside each incoming
candle by the backtest kernel's own rules, or by a price. Replaying candles, a market order sent
after a candle closed fills at the next candle's open (the runtime marks that price first), so a
paper run reproduces a backtest's fills exactly.

The account (balances, orders, fills, what the market last showed) is saved in the database after
every change, in its own transactions: like a real exchange, it does not lose an order our side
crashed after sending. A restart continues where the last change left it. Inside ``held()`` (a
batch of orders sent together) the saves wait for ``flush()`` or the end of the block: one
transaction for the batch. The caller flushes before it records anything the held reports say,
so a crash before the flush loses orders the exchange "never received" and our records still
call pending: they are looked up, found missing and sent again, as with a real venue. Inside
``unsaved()`` the batch's changes are saved by ``save_in`` in the very transaction that records
the reports instead: both or neither, the same two outcomes of a crash with one transaction
fewer. Market data (candles, tickers) comes from the runtime through
``on_candle``/``mark_price``/``on_price``, and, for live paper trading, candles from
``market_data`` (a public venue).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.clock import Clock
from cryptotrader.domain.enums import Side
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.markets import MarketRules
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import Balance, FillReport, OrderReport, ProtectionReport, Ticker
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import ms_from_utc, utc_from_ms
from cryptotrader.errors import OperationalError, TemporaryError
from cryptotrader.exchanges.base import BaseExchange, VenueCapabilities
from cryptotrader.exchanges.paper_book import PaperBook
from cryptotrader.exchanges.paper_orders import PaperOrder
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories.paper import load_paper_account, save_paper_account
from cryptotrader.persistence.uow import UnitOfWork, after_commit
from cryptotrader.risk.protection import exact


class PaperExchange(BaseExchange):
    """A simulated account, persisted in the database.

    Args:
        database: where the account is kept (the platform's database).
        clock: stamps orders placed before any market data was seen.
        account: the account's name (several can live in one database).
        fee: fee per fill as a fraction of the notional (0.001 = 0.1%).
        slippage: price slippage of market and stop fills (0.0005 = 0.05%).
        rules: amount step and minimums (Binance BTC/USDT's by default).
        initial_balances: free balances of a new account, by asset.
        market_data: a public venue for ``fetch_ohlcv`` (live paper trading), if any.
        max_fill: the most a market order fills at one price (a thin book); None: whole.

    Example:
        paper = PaperExchange(database=db, clock=clock, initial_balances={"USDT": Decimal(1000)})
        await paper.start()
        await paper.mark_price(pair, 42_000.0, at_ms=...)
        report = await paper.buy(pair, Decimal("0.001"), client_order_id="ct-a-1-e")
    """

    name = "paper"
    capabilities = VenueCapabilities(
        native_oco=True, native_stop_loss=True, client_order_id=True, paper=True
    )

    def __init__(
        self,
        *,
        database: Database,
        clock: Clock,
        account: str = "paper",
        fee: Decimal = Decimal("0.001"),
        slippage: Decimal = Decimal("0.0005"),
        rules: MarketRules | None = None,
        initial_balances: Mapping[str, Decimal] | None = None,
        market_data: BaseExchange | None = None,
        max_fill: Decimal | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self.account = account
        self.rules = rules or MarketRules()
        self._initial = dict(initial_balances or {})
        self._market_data = market_data
        self.book = PaperBook(
            fee_rate=fee,
            slippage=slippage,
            rules=self.rules,
            balances=self._initial,
            max_fill=max_fill,
        )
        self._lock = asyncio.Lock()
        self._started = False
        self._held = 0

    async def start(self) -> None:
        """Load the saved account, or open a new one with the initial balances."""
        async with UnitOfWork(self._database) as uow:
            state, orders = await load_paper_account(session=uow.session, account=self.account)
        if state is None:
            self.book.dirty = True
            await self._save()
        else:
            self.book.restore(state, orders)
        self._started = True

    # --- market data ---------------------------------------------------------------------------

    async def market_rules(self, pair: Pair) -> MarketRules:
        """The configured rules (the same for every pair)."""
        return self.rules

    async def fetch_ticker(self, pair: Pair) -> Ticker:
        """The last price the market showed, with slippage as the spread.

        Raises:
            TemporaryError: no price of ``pair`` was seen yet.
        """
        state = self.book.market(pair.symbol)
        if state.price is None or state.price_ms is None:
            raise TemporaryError(f"paper: no price of {pair} yet")
        slip = self.book.slip
        return Ticker(
            pair=pair,
            bid=exact(state.price * (1.0 - slip)),
            ask=exact(state.price * (1.0 + slip)),
            last=exact(state.price),
            timestamp=utc_from_ms(state.price_ms),
        )

    async def fetch_ohlcv(
        self, pair: Pair, timeframe: Timeframe, *, since_ms: int | None = None, limit: int = 500
    ) -> CandleArrays:
        """Candles of the public venue given as ``market_data``.

        Raises:
            OperationalError: no market data venue was given.
        """
        if self._market_data is None:
            raise OperationalError("the paper exchange has no market data source")
        return await self._market_data.fetch_ohlcv(pair, timeframe, since_ms=since_ms, limit=limit)

    # --- account -------------------------------------------------------------------------------

    async def get_balance(self, asset: str) -> Balance:
        """Free and used amount of ``asset``."""
        free = self.book.free.get(asset, Decimal(0))
        return Balance(asset=asset, free=free, used=self.book.used.get(asset, Decimal(0)))

    async def fetch_balances(self) -> dict[str, Balance]:
        """Every non-zero balance."""
        assets = sorted(set(self.book.free) | set(self.book.used))
        balances = {asset: await self.get_balance(asset) for asset in assets}
        return {asset: b for asset, b in balances.items() if b.total != 0}

    # --- orders --------------------------------------------------------------------------------

    async def buy(
        self, pair: Pair, amount: Decimal, price: Decimal | None = None, *, client_order_id: str
    ) -> OrderReport:
        """Buy at market (fills at the last price plus slippage) or with a limit."""
        return await self._submit(pair, Side.BUY, amount, price, client_order_id)

    async def sell(
        self, pair: Pair, amount: Decimal, price: Decimal | None = None, *, client_order_id: str
    ) -> OrderReport:
        """Sell at market (fills at the last price minus slippage) or with a limit."""
        return await self._submit(pair, Side.SELL, amount, price, client_order_id)

    async def place_protection(
        self,
        pair: Pair,
        amount: Decimal,
        *,
        stop_loss: Decimal,
        take_profit: Decimal | None,
        client_order_id: str,
    ) -> ProtectionReport:
        """An OCO pair ``<id>-sl`` / ``<id>-tp`` selling ``amount``; see ``BaseExchange``."""
        async with self._lock:
            try:
                stop, take = self.book.protect(
                    pair,
                    amount,
                    stop=stop_loss,
                    take=take_profit,
                    coid=client_order_id,
                    now=self._now(pair),
                )
            finally:
                await self._save()
        return ProtectionReport(
            stop_loss=stop.report(pair.quote),
            take_profit=None if take is None else take.report(pair.quote),
            native_oco=True,
        )

    async def cancel_order(self, pair: Pair, *, client_order_id: str) -> OrderReport:
        """Cancel an open order (both legs of an OCO pair).

        Raises:
            OrderNotFound: no order has this client id.
        """
        async with self._lock:
            legs = self.book.cancel(client_order_id, self._now(pair))
            await self._save()
        return legs[0].report(pair.quote)

    async def fetch_order(self, pair: Pair, *, client_order_id: str) -> OrderReport | None:
        """The order as the paper exchange holds it, or None if it never received it."""
        order = self.book.orders.get(client_order_id)
        return None if order is None else order.report(pair.quote)

    async def fetch_open_orders(self, pair: Pair | None = None) -> list[OrderReport]:
        """Every open order (of ``pair``, or all)."""
        return [
            o.report(Pair.parse(o.symbol).quote)
            for o in self.book.orders.values()
            if o.is_open and (pair is None or o.symbol == pair.symbol)
        ]

    async def fetch_my_trades(self, pair: Pair, *, since_ms: int | None = None) -> list[FillReport]:
        """Every fill on ``pair`` at or after ``since_ms``, oldest first."""
        fills = [
            fill
            for order in self.book.orders.values()
            if order.symbol == pair.symbol
            for fill in order.fill_reports(pair.quote)
            if since_ms is None or ms_from_utc(fill.timestamp) >= since_ms
        ]
        return sorted(fills, key=lambda f: (f.timestamp, f.fill_id))

    # --- the market, as the runtime sees it ----------------------------------------------------

    async def on_candle(
        self,
        pair: Pair,
        *,
        open_ms: int,
        close_ms: int,
        open_: float,
        high: float,
        low: float,
        close: float,
    ) -> list[OrderReport]:
        """A candle closed: fill what it reached; returns the orders that changed."""
        if self.quiet_candle(pair.symbol, open_ms, close_ms, close):
            return []
        async with self._lock:
            changed = self.book.candle(pair, open_ms, close_ms, open_, high, low, close)
            await self._save()
        return self._reports(changed, pair)

    async def mark_price(self, pair: Pair, price: float, *, at_ms: int) -> list[OrderReport]:
        """The market now trades at ``price`` (e.g. the next candle's open).

        Nothing triggers but market orders waiting for a price.
        """
        if self.quiet_mark(pair.symbol, price, at_ms):
            return []
        async with self._lock:
            changed = self.book.mark(pair, price, at_ms, trigger=False)
            await self._save()
        return self._reports(changed, pair)

    async def on_price(self, pair: Pair, price: float, *, at_ms: int) -> list[OrderReport]:
        """A traded price (live ticks): fill and trigger what it reaches."""
        async with self._lock:
            changed = self.book.mark(pair, price, at_ms, trigger=True)
            await self._save()
        return self._reports(changed, pair)

    # --- internals -----------------------------------------------------------------------------

    async def _submit(
        self, pair: Pair, side: Side, amount: Decimal, price: Decimal | None, coid: str
    ) -> OrderReport:
        async with self._lock:
            try:
                order = self.book.submit(
                    pair, side, amount, limit=price, coid=coid, now=self._now(pair)
                )
            finally:
                await self._save()
        return order.report(pair.quote)

    def quiet_candle(self, symbol: str, open_ms: int, close_ms: int, close: float) -> bool:
        """``on_candle`` at once when the candle can fill nothing; False (nothing done) if not.

        Quiet: no order of the pair to fill, no unsaved change, nobody in the lock. What the
        locked path does then (move the market state, save nothing, report nothing) needs
        neither the lock nor a save, nor an ``await``: most candles of a replay are quiet.
        """
        if not self.quiet(symbol):
            return False
        self.book.quiet_candle(symbol, open_ms, close_ms, close)
        return True

    def quiet_mark(self, symbol: str, price: float, at_ms: int) -> bool:
        """``mark_price`` at once when nothing can fill (see ``quiet_candle``); else False."""
        if not self.quiet(symbol):
            return False
        self.book.quiet_mark(symbol, price, at_ms)
        return True

    def resting(self, symbol: str, o: float, h: float, lo: float) -> bool:
        """True when a candle (open, high, low) on ``symbol`` and the next open fill nothing.

        As ``quiet``, but the pair may hold stop-loss / take-profit pairs the candle does not
        reach (``PaperBook.resting``): ``on_candle`` and ``mark_price`` would then only move the
        market state (``quiet_candle``, ``quiet_mark`` on the book), save and report nothing.
        """
        return (
            not self.book.dirty and not self._lock.locked() and self.book.resting(symbol, o, h, lo)
        )

    def levels(self, symbol: str) -> list[tuple[float, float]] | None:
        """The stop / take-profit levels resting on ``symbol`` (``PaperBook.levels``).

        None when a candle may do more than move the market state whatever its prices: another
        order waits, a change is unsaved, or someone holds the lock.
        """
        if self.book.dirty or self._lock.locked():
            return None
        return self.book.levels(symbol)

    @property
    def locked(self) -> bool:
        """True while someone holds the account's lock (a change, and its save, under way)."""
        return self._lock.locked()

    def quiet(self, symbol: str) -> bool:
        """True when market data on ``symbol`` can fill nothing (see ``quiet_candle``)."""
        book = self.book
        return not book.has_open(symbol) and not book.dirty and not self._lock.locked()

    def _now(self, pair: Pair) -> int:
        stamp = self.book.market(pair.symbol).price_ms
        return stamp if stamp is not None else self._clock.timestamp_ms()

    @staticmethod
    def _reports(orders: list[PaperOrder], pair: Pair) -> list[OrderReport]:
        return [order.report(pair.quote) for order in orders]

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """Saves wait for ``flush()`` or the end of the block (one transaction for a batch).

        Record nothing a report from inside the block says before ``flush()``: the account
        must hold what our records say it holds.
        """
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held:
                await self.flush()

    @asynccontextmanager
    async def unsaved(self) -> AsyncIterator[None]:
        """Like ``held``, but the block's changes wait for ``save_in`` (or any later save).

        For a caller that records the reports of the block in one transaction: the account is
        saved in it (``save_in``), and both are committed together or not at all.
        """
        self.hold()
        try:
            yield
        finally:
            self.release()

    def hold(self) -> None:
        """``unsaved()`` without a context manager (on every candle with an open order)."""
        self._held += 1

    def release(self) -> None:
        """The end of a ``hold()``: the changes still wait for ``save_in`` or a later save."""
        self._held -= 1

    async def save_in(self, session: AsyncSession) -> None:
        """Write what changed in the caller's transaction (the one recording its answers).

        Once it commits, what it wrote counts as saved; if it does not, the changes are still to
        save (the next save writes them). The documents are taken at once, without the lock:
        taking it here, inside a transaction, could wait for a save that waits for this
        transaction's writer lock.
        """
        book = self.book
        if not book.dirty:
            return
        state, orders, tick = book.state(), book.changes(), book.tick
        await save_paper_account(
            session=session, account=self.account, state=state, orders=orders,
            at=self._clock.now(),
        )  # fmt: skip
        after_commit(session, lambda: book.saved(state, orders, tick))

    async def discard(self) -> None:
        """Forget every change not saved: the account as its last save left it.

        What a crash at this moment leaves. For a caller whose transaction was to save changes
        that must not outlive it (``save_in``), when that transaction failed: saving them later
        would keep orders our database never wrote.
        """
        async with UnitOfWork(self._database) as uow:
            state, orders = await load_paper_account(session=uow.session, account=self.account)
        if state is None:  # never saved (not started): a new account
            state = {"free": {k: str(v) for k, v in self._initial.items()}, "used": {}}
            state |= {"markets": {}, "seq": 0, "duplicates": 0}
        book = self.book
        book.restore(state, orders)
        book.changed.clear()
        book.dirty = False

    async def flush(self) -> None:
        """Save what changed now, held or not."""
        async with self._lock:
            await self._save(force=True)

    async def _save(self, *, force: bool = False) -> None:
        """Write what changed (nothing when nothing did, or while ``held``)."""
        if not self.book.dirty or (self._held and not force):
            return
        changes = self.book.take_changes()
        async with UnitOfWork(self._database) as uow:
            await save_paper_account(
                session=uow.session,
                account=self.account,
                state=self.book.state(),
                orders=changes,
                at=self._clock.now(),
            )
            await uow.commit()
