"""PortfolioManager on SQLite and PostgreSQL; bot control over the in-process bus and Redis."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from cryptotrader.bus import StreamBus, topics
from cryptotrader.bus.messages import AlertRaised, CapitalReallocated, ControlBot
from cryptotrader.bus.protocol import Delivery
from cryptotrader.clock import TestClock
from cryptotrader.config import Settings
from cryptotrader.domain.enums import BotKind, BotStatus, ExitReason, Side, TradeStatus
from cryptotrader.domain.trades import Trade
from cryptotrader.engines import day_realised
from cryptotrader.engines.portfolio import PortfolioManager, booked
from cryptotrader.engines.workers.control import ControlWorker
from cryptotrader.persistence import driver
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import bots, reallocations, trades
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.risk.reducer import RiskReducer, RiskReducerConfig
from tests.support.trading import PAIR

pytestmark = pytest.mark.asyncio(loop_scope="function")

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def closed(bot: BotKind, entry: str, exit_: str, hours: int) -> Trade:
    return Trade(
        bot=bot,
        pair=PAIR,
        side=Side.BUY,
        quantity=Decimal("0.01"),
        entry_price=Decimal(entry),
        entry_time=T0 + timedelta(hours=hours),
        exit_price=Decimal(exit_),
        exit_time=T0 + timedelta(hours=hours + 1),
        exit_reason=ExitReason.SIGNAL,
        fees=Decimal("0.8"),
        status=TradeStatus.CLOSED,
    )


async def settle(portfolio: PortfolioManager, database: Database, trade: Trade) -> list[object]:
    async with UnitOfWork(database) as uow:
        trade_id = await trades.add_trade(session=uow.session, trade=trade, exchange="paper")
        assert trade.exit_time is not None
        events = await portfolio.settle(
            session=uow.session, trade_id=trade_id, trade=trade, at=trade.exit_time
        )
        await uow.commit()
    return [message for _, message in events]


async def manager(database: Database, **reducer: object) -> PortfolioManager:
    portfolio = PortfolioManager(
        database=database,
        clock=TestClock(0),
        trading=Settings().trading,
        reducer=RiskReducer(RiskReducerConfig.model_validate(reducer)),
    )
    await portfolio.ensure_bots()
    return portfolio


async def test_settle_when_the_aggressive_bot_wins_moves_ratio_x_profit_to_safe(
    database: Database,
) -> None:
    portfolio = await manager(database)
    trade = closed(BotKind.AGGRESSIVE, "40000", "41000", 0)  # +10 gross, -0.8 fees
    events = await settle(portfolio, database, trade)
    moved = next(e for e in events if isinstance(e, CapitalReallocated))
    assert moved.amount == Decimal("2.76")  # 0.30 x 9.20
    said = next(e for e in events if isinstance(e, AlertRaised) and e.kind == "reallocation")
    assert moved.pair == said.pair == trade.pair  # the market of the winning trade
    async with UnitOfWork(database) as uow:
        safe = await bots.require_bot(session=uow.session, kind=BotKind.SAFE)
        aggressive = await bots.require_bot(session=uow.session, kind=BotKind.AGGRESSIVE)
        [row] = await reallocations.list_reallocations(session=uow.session)
    assert safe.capital == Decimal("702.76")
    assert aggressive.capital == Decimal(300) + Decimal("9.2") - Decimal("2.76")
    assert row.trigger_trade_id == moved.trigger_trade_id
    assert row.ratio_applied == Decimal("0.30")


async def test_settle_when_the_safe_bot_wins_moves_nothing(database: Database) -> None:
    portfolio = await manager(database)
    events = await settle(portfolio, database, closed(BotKind.SAFE, "40000", "41000", 0))
    assert not [e for e in events if isinstance(e, CapitalReallocated)]


async def test_settle_when_losses_and_wins_follow_moves_the_risk_ratio_by_the_reducer(
    database: Database,
) -> None:
    portfolio = await manager(database)
    ratios = []
    outcomes = ["39000"] * 5 + ["41000"] * 4
    for hour, exit_ in enumerate(outcomes):
        await settle(portfolio, database, closed(BotKind.SAFE, "40000", exit_, hour * 2))
        async with UnitOfWork(database) as uow:
            ratios.append(
                (await bots.require_bot(session=uow.session, kind=BotKind.SAFE)).current_risk_ratio
            )
    expected = [
        "0.0100",
        "0.0100",
        "0.0050",
        "0.0050",
        "0.0025",
        "0.0025",
        "0.0050",
        "0.0050",
        "0.0100",
    ]
    assert ratios == [Decimal(r) for r in expected]
    async with UnitOfWork(database) as uow:
        view = await portfolio.terms(BotKind.SAFE, session=uow.session)
        capital = (await bots.require_bot(session=uow.session, kind=BotKind.SAFE)).capital
    assert view.risk_ratio == Decimal("0.01")
    total = sum(
        (booked(closed(BotKind.SAFE, "40000", e, 0).pnl or Decimal(0)) for e in outcomes),
        Decimal(0),
    )
    assert capital == Decimal(700) + total


async def test_settle_when_configured_to_pause_pauses_the_bot_after_five_losses(
    database: Database,
) -> None:
    portfolio = await manager(database, on_deep_streak="pause")
    events: list[object] = []
    for hour in range(5):
        events += await settle(
            portfolio, database, closed(BotKind.AGGRESSIVE, "40000", "39000", hour * 2)
        )
    alerts = [e for e in events if isinstance(e, AlertRaised)]
    [breaker] = [a for a in alerts if a.kind == "circuit_breaker"]
    assert breaker.severity == "critical"
    assert breaker.details["losses"] == "5"
    assert breaker.details["cause"] == breaker.text
    reduced = [a for a in alerts if a.kind == "risk_reduced"]
    assert reduced
    assert Decimal(reduced[0].details["new_risk"]) < Decimal(reduced[0].details["old_risk"])
    async with UnitOfWork(database) as uow:
        row = await bots.require_bot(session=uow.session, kind=BotKind.AGGRESSIVE)
    assert row.status is BotStatus.PAUSED
    await portfolio.control(BotKind.AGGRESSIVE, "resume", by="alice")
    async with UnitOfWork(database) as uow:
        row = await bots.require_bot(session=uow.session, kind=BotKind.AGGRESSIVE)
        view = await portfolio.terms(BotKind.AGGRESSIVE, session=uow.session)
    assert row.status is BotStatus.RUNNING
    assert view.risk_ratio == Decimal("0.0075")  # resumed at quarter risk


async def test_control_when_a_command_arrives_on_the_bus_pauses_and_resumes(
    database: Database, bus: StreamBus
) -> None:
    portfolio = await manager(database)
    worker = ControlWorker(bus=bus, portfolio=portfolio)
    alerts: list[AlertRaised] = []
    done = asyncio.Event()

    async def collect(delivery: Delivery) -> None:
        assert isinstance(delivery.message, AlertRaised)
        alerts.append(delivery.message)
        if len(alerts) == 2:
            done.set()

    await bus.subscribe(topics.ALERTS, group="test", consumer="t", handler=collect)
    await bus.subscribe(topics.COMMANDS, group="portfolio", consumer="p", handler=worker.handle)
    for action in ("pause", "resume"):
        await bus.publish(
            topics.COMMANDS,
            ControlBot(timestamp=T0, bot=BotKind.SAFE, action=action, requested_by="alice"),
        )
    await asyncio.wait_for(done.wait(), 60)
    assert [a.kind for a in alerts] == ["bot_paused", "bot_running"]
    async with UnitOfWork(database) as uow:
        row = await bots.require_bot(session=uow.session, kind=BotKind.SAFE)
    assert row.status is BotStatus.RUNNING


async def test_day_realised_when_trades_settle_follows_the_database_read_once(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The daily loss limit's P&L of the day: read once, then kept by the settlements
    # (committed ones only), equal to a read of the trades at every step.
    portfolio = await manager(database)
    real = trades.realised_since
    reads = counted_reads(monkeypatch, await bot_kinds(database))
    day = T0 + timedelta(hours=2)

    async def today(bot: BotKind) -> Decimal:
        async with UnitOfWork(database) as uow:
            bot_id = (await bots.require_bot(session=uow.session, kind=bot)).id
            kept = await portfolio.day_realised.since(uow.session, bot, day, bot_id)
            await uow.commit()
        async with UnitOfWork(database) as uow:
            stored = await real(session=uow.session, bot=bot, since=day)
        assert kept == stored
        return kept

    await settle(portfolio, database, closed(BotKind.SAFE, "40000", "39000", 0))  # the day before
    await settle(portfolio, database, closed(BotKind.SAFE, "40000", "41000", 2))
    first = await today(BotKind.SAFE)
    await settle(portfolio, database, closed(BotKind.SAFE, "40000", "39500", 4))
    await settle(portfolio, database, closed(BotKind.SAFE, "40000", "41000", 0))  # closed before
    await settle(portfolio, database, closed(BotKind.AGGRESSIVE, "40000", "39000", 4))
    second = await today(BotKind.SAFE)
    assert second != first
    assert reads == [BotKind.SAFE]
    async with UnitOfWork(database) as uow:  # a settlement rolled back: read again
        trade = closed(BotKind.SAFE, "40000", "38000", 6)
        trade_id = await trades.add_trade(session=uow.session, trade=trade, exchange="paper")
        await portfolio.settle(session=uow.session, trade_id=trade_id, trade=trade, at=T0)
    assert await today(BotKind.SAFE) == second
    assert await today(BotKind.AGGRESSIVE) < 0
    assert reads == [BotKind.SAFE, BotKind.SAFE, BotKind.AGGRESSIVE]


async def bot_kinds(database: Database) -> dict[int, BotKind]:
    async with UnitOfWork(database) as uow:
        return {(await bots.require_bot(session=uow.session, kind=k)).id: k for k in BotKind}


def counted_reads(monkeypatch: pytest.MonkeyPatch, kinds: dict[int, BotKind]) -> list[BotKind]:
    """The bots whose P&L of the day ``DayRealised`` reads from the trades, in order."""
    rows = driver.rows
    reads: list[BotKind] = []

    async def counted(session: Any, statement: Any, params: Any = None) -> list[Any]:
        if statement is day_realised._REALISED:
            reads.append(kinds[params["b_bot_id"]])
        return await rows(session, statement, params)

    monkeypatch.setattr(driver, "rows", counted)
    return reads


async def test_day_realised_when_the_day_turns_with_nothing_closed_since_is_zero_unread(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new day's sum without a read when no trade of the bot closed at or after its start
    # (the read's latest close and the settlements since are before it); read otherwise.
    portfolio = await manager(database)
    kinds = await bot_kinds(database)
    ids = {kind: bot_id for bot_id, kind in kinds.items()}
    reads = counted_reads(monkeypatch, kinds)

    async def on(day: datetime, bot: BotKind = BotKind.SAFE) -> Decimal:
        async with UnitOfWork(database) as uow:
            kept = await portfolio.day_realised.since(uow.session, bot, day, ids[bot])
            await uow.commit()
        async with UnitOfWork(database) as uow:
            stored = await trades.realised_since(session=uow.session, bot=bot, since=day)
        assert kept == stored
        assert str(kept) == str(stored)
        return kept

    day = timedelta(days=1)
    await settle(portfolio, database, closed(BotKind.SAFE, "40000", "41000", 2))  # at 03:00
    assert await on(T0) > 0  # read
    assert await on(T0 + day) == 0  # turned: the latest close it knows is before: not read
    assert await on(T0 + 2 * day) == 0
    assert reads == [BotKind.SAFE]
    await settle(portfolio, database, closed(BotKind.SAFE, "40000", "39000", 24 * 2 + 5))
    assert await on(T0 + 2 * day) < 0  # the day's sum grown by the settlement: not read
    assert await on(T0 + 3 * day) == 0
    assert reads == [BotKind.SAFE]
    await settle(portfolio, database, closed(BotKind.SAFE, "40000", "39500", 24 * 4 + 1))
    assert await on(T0 + 4 * day) < 0  # settled on the 3rd's sum, closed on the 4th: read
    assert reads == [BotKind.SAFE, BotKind.SAFE]
    assert await on(T0 + 5 * day) == 0
    assert reads == [BotKind.SAFE, BotKind.SAFE]
    async with UnitOfWork(database) as uow:  # a settlement rolled back: read again
        trade = closed(BotKind.SAFE, "40000", "38000", 24 * 5 + 2)
        trade_id = await trades.add_trade(session=uow.session, trade=trade, exchange="paper")
        await portfolio.settle(session=uow.session, trade_id=trade_id, trade=trade, at=T0)
    assert await on(T0 + 5 * day) == 0
    assert reads == [BotKind.SAFE] * 3
    assert await on(T0 + 6 * day, BotKind.AGGRESSIVE) == 0  # never read for this bot: read
    assert reads[-1] is BotKind.AGGRESSIVE
