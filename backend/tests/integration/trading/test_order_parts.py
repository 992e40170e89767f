"""The order engine's parts, each built alone from an ``OrderEngineDeps`` (no OrderEngine)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cryptotrader.bus.messages import OrderUpdated
from cryptotrader.clock import MarketClock
from cryptotrader.config import Settings
from cryptotrader.domain.enums import BotKind, OrderStatus, OrderType, Side
from cryptotrader.domain.orders import Order
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines import client_ids
from cryptotrader.engines.order_deps import OrderEngineDeps
from cryptotrader.engines.order_events import Announcer
from cryptotrader.engines.order_send import OrderSender
from cryptotrader.engines.order_state import TradingState
from cryptotrader.engines.order_store import OrderStore
from cryptotrader.engines.portfolio import PortfolioManager
from cryptotrader.engines.progress import Progress
from cryptotrader.errors import (
    NetworkUnavailableError,
    OperationalError,
    OrderOutcomeUnknown,
    OrderRejected,
)
from cryptotrader.outbox import decode_row, outbox_for
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import outbox as outbox_rows
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.risk.manager import RiskLimits, RiskManager
from cryptotrader.risk.reducer import RiskReducer
from tests.support.trading import AFTER, BEFORE, PAIR, START_MS, FaultyExchange, RecordingBus

pytestmark = pytest.mark.asyncio(loop_scope="function")

BOT = BotKind.AGGRESSIVE


class Parts:
    """A store and a sender on ``database``, sharing one state, as the engine wires them."""

    def __init__(self, database: Database, *, failures_to_pause: int = 3) -> None:
        settings = Settings()
        self.clock = MarketClock(START_MS)
        self.exchange = FaultyExchange(
            database=database,
            clock=self.clock,
            fee=settings.runtime.fee,
            slippage=settings.runtime.slippage,
            initial_balances={"USDT": Decimal(1000)},
        )
        self.portfolio = PortfolioManager(
            database=database, clock=self.clock, trading=settings.trading, reducer=RiskReducer()
        )
        self.bus = RecordingBus()
        self.state = TradingState(trading_allowed=True)
        progress = Progress(key="paper:test:BTC/USDT:1h", timeframe=Timeframe.H1)
        self.deps = OrderEngineDeps(
            database=database,
            exchange=self.exchange,
            portfolio=self.portfolio,
            risk=RiskManager(limits=RiskLimits.from_settings(settings.runtime, live_allowed=False)),
            bus=self.bus,  # type: ignore[arg-type]
            clock=self.clock,
            progress=progress,
            pair=PAIR,
            venue="paper",
            fee_rate=settings.runtime.fee,
            retry_delay_s=0.0,
            failures_to_pause=failures_to_pause,
        )
        self.announcer = Announcer(self.deps)
        self.store = OrderStore(self.deps, announcer=self.announcer, state=self.state)
        self.sender = OrderSender(
            self.deps, store=self.store, announcer=self.announcer, state=self.state
        )

    async def start(self) -> None:
        await self.exchange.start()
        await self.portfolio.ensure_bots()
        await self.exchange.mark_price(PAIR, 40_000.0, at_ms=START_MS)

    def buy(self, step_ms: int = START_MS) -> Order:
        coid = client_ids.decision_id(BOT, PAIR.symbol, step_ms, client_ids.ENTRY)
        return self.sender.new_order(BOT, coid, OrderType.MARKET, Decimal("0.001"), side=Side.BUY)


async def test_the_store_writes_an_order_before_it_is_sent(database: Database) -> None:
    parts = Parts(database)
    await parts.start()
    order = parts.buy()
    await parts.store.store_new(order)
    stored = await parts.store.stored(order.client_order_id)
    assert stored is not None
    assert stored.status is OrderStatus.PENDING
    assert [type(m) for _, m in parts.bus.published] == [OrderUpdated]
    assert await parts.store.lookup(stored.client_order_id) is None  # never sent


async def test_the_store_stops_trading_when_the_exchange_cannot_say(database: Database) -> None:
    parts = Parts(database)
    await parts.start()
    parts.exchange.faults["fetch_order"] += [(BEFORE, NetworkUnavailableError("down"))] * 3
    with pytest.raises(OperationalError, match="fate is unknown"):
        await parts.store.lookup("ct-anything")
    assert not parts.state.trading_allowed


async def test_the_sender_looks_an_ambiguous_order_up_rather_than_send_it_twice(
    database: Database,
) -> None:
    parts = Parts(database)
    await parts.start()
    order = parts.buy()
    await parts.store.store_new(order)
    parts.exchange.faults["buy"].append(
        (AFTER, OrderOutcomeUnknown("timeout", client_order_id="x"))
    )
    parts.state.failures[BOT] = 2
    report = await parts.sender.send(order)
    assert report is not None
    assert report.status is OrderStatus.FILLED
    assert parts.exchange.calls["buy"] == 1
    assert parts.state.failures[BOT] == 0


async def test_the_sender_pauses_a_bot_after_failures_in_a_row(database: Database) -> None:
    parts = Parts(database, failures_to_pause=2)
    await parts.start()
    parts.exchange.faults["buy"] += [(BEFORE, OrderRejected("-2010 rejected"))] * 2
    for step in (START_MS, START_MS + 3_600_000):
        order = parts.buy(step_ms=step)
        await parts.store.store_new(order)
        assert await parts.sender.send(order) is None
    assert parts.bus.kinds().count("order_failed") == 2
    assert "bot_paused" in parts.bus.kinds()
    assert parts.state.failures[BOT] == 0


async def test_the_store_writes_the_order_update_with_the_order_sent_once_committed(
    database: Database,
) -> None:
    parts = Parts(database, failures_to_pause=1)
    await parts.start()
    outbox = outbox_for(database, parts.deps.bus)
    outbox.hold()  # as a process killed between the commit and the send
    order = parts.buy()
    await parts.store.store_new(order)
    parts.exchange.faults["buy"].append((BEFORE, OrderRejected("-2010 rejected")))
    assert await parts.sender.send(order) is None  # refused: recorded, alerted, bot paused
    assert parts.bus.published == []  # held: every event waits in the outbox
    async with UnitOfWork(database, read_only=True) as uow:
        written = await outbox_rows.pending(session=uow.session, before=None, limit=100)
    staged = [event for row in written for event in decode_row(row.payload)]
    assert [(t, type(m).__name__) for t, m in staged] == [
        ("orders", "OrderUpdated"),  # pending, with the order
        ("orders", "OrderUpdated"),  # rejected, with its status
        ("alerts", "AlertRaised"),  # order_failed, with the rejected status
        ("alerts", "AlertRaised"),  # bot_paused, with the pause
    ]
    assert len(written) == 3  # the alert is in the status's row: one transaction
    assert await outbox.recover() == 0  # nothing left by another process: its own follow
    assert [m.message_id for _, m in parts.bus.published] == [m.message_id for _, m in staged]
    assert parts.bus.kinds() == ["order_failed", "bot_paused"]
