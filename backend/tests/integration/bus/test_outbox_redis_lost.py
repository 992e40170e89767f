"""Redis restarted EMPTY: the outbox sends again what Redis lost, exactly once to idempotent
consumers (the bot changes a runtime applies too: one ``*_applied`` alert each); rows sent are
kept ``retain``, then deleted.

The restart is real: a private ``redis-server`` without persistence, killed with SIGKILL and
started empty on the same port (``tests.support.faults``), over SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from cryptotrader.bus import Delivery, InProcessBus, RedisBus, topics
from cryptotrader.bus.messages import AlertRaised, BotPairsChanged, BotReconfigured
from cryptotrader.clock import TestClock
from cryptotrader.config import TradingSettings
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.market import CandleArrays
from cryptotrader.engines.portfolio import PortfolioManager
from cryptotrader.engines.workers.trading import TradingWorker
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.outbox import Outbox
from cryptotrader.persistence import Database, UnitOfWork
from cryptotrader.persistence.repositories import audit, inbox
from cryptotrader.persistence.repositories import outbox as rows
from cryptotrader.risk.reducer import RiskReducer
from tests.integration.bus.test_bus_group_lost import until
from tests.integration.conftest import FAST
from tests.integration.trading.test_live_settings import Engines, engines, publish
from tests.support.faults import private_redis
from tests.support.outbox_crash import T0

STEPS = 4


def alert(step: int) -> AlertRaised:
    return AlertRaised(
        message_id=f"alert-{step}", timestamp=T0, kind="trade_closed", severity="info",
        text=f"step {step}",
    )  # fmt: skip


async def kept(database: Database) -> tuple[int, int]:
    """(rows not sent, rows in the table)."""
    async with UnitOfWork(database, read_only=True) as uow:
        return (
            await rows.count(session=uow.session),
            await rows.count(session=uow.session, retained=True),
        )


@pytest.mark.asyncio
@pytest.mark.timeout(300)
async def test_outbox_when_redis_restarts_empty_sends_what_it_lost_again_exactly_once(
    database: Database, tmp_path: Path
) -> None:
    with private_redis(tmp_path / "redis") as redis:
        bus = await RedisBus.connect(redis.url, options=FAST)
        consumer_bus = await RedisBus.connect(redis.url, options=FAST)
        outbox = Outbox(database, bus, delete_every_s=0.05)
        assert await outbox.check_epoch() == 0  # the epoch recorded: nothing lost yet
        stop = asyncio.Event()
        relay = asyncio.create_task(outbox.run(stop))
        applied: list[str] = []
        deliveries = 0
        gate = asyncio.Event()

        async def idempotent(delivery: Delivery) -> None:  # claim, apply, commit; slow at first
            nonlocal deliveries
            deliveries += 1
            await gate.wait()
            async with UnitOfWork(database) as uow:
                fresh = await inbox.claim_message(
                    session=uow.session, consumer=delivery.group, message_id=delivery.message.
                    message_id, at=T0,
                )  # fmt: skip
                await uow.commit()
            if fresh:
                applied.append(delivery.message.message_id)

        try:
            await consumer_bus.subscribe(
                topics.ALERTS, group="notifier", consumer="n-1", handler=idempotent
            )
            for step in range(STEPS):
                async with UnitOfWork(database) as uow:
                    await outbox.add(uow.session, [(topics.ALERTS, alert(step))])
                    await uow.commit()
            assert outbox.published == STEPS  # on Redis, read by nobody but the first
            await until(lambda: deliveries >= 1)
            async with asyncio.timeout(60):
                while await kept(database) != (0, STEPS):  # noqa: ASYNC110 - marked sent, kept
                    await asyncio.sleep(0.05)

            await asyncio.to_thread(redis.restart_empty)  # every stream and group gone
            gate.set()  # the consumer applies its first one and finds its group gone
            await until(lambda: outbox.published == 2 * STEPS)  # sent again: a new epoch
            await until(lambda: len(applied) == STEPS)
            await asyncio.sleep(0.5)  # nothing else comes
            assert applied == [f"alert-{step}" for step in range(STEPS)]  # once each, in order
            assert outbox.published == 2 * STEPS  # once per restart, not at every check
        finally:
            stop.set()
            await relay
            await consumer_bus.close()
            await bus.close()


@pytest.mark.asyncio
@pytest.mark.timeout(300)
async def test_outbox_when_restarted_with_redis_empty_meanwhile_sends_the_kept_rows_again(
    database: Database, tmp_path: Path
) -> None:
    with private_redis(tmp_path / "redis") as redis:
        bus = await RedisBus.connect(redis.url, options=FAST)
        try:
            first = Outbox(database, bus)
            first.hold()
            assert await first.recover() == 0  # the epoch recorded: nothing lost yet
            async with UnitOfWork(database) as uow:
                await first.add(uow.session, [(topics.ALERTS, alert(0))])
                await uow.commit()
            await first.close()  # sent, kept
        finally:
            await bus.close()
        await asyncio.to_thread(redis.restart_empty)  # the whole stack restarts
        bus = await RedisBus.connect(redis.url, options=FAST)
        try:
            page = await bus.history(topics.ALERTS, after="0-0", count=10)
            assert page.messages == []  # Redis lost it
            restarted = Outbox(database, bus)
            restarted.hold()
            assert await restarted.recover() == 1
            page = await bus.history(topics.ALERTS, after="0-0", count=10)
            assert [m.message_id for _, m in page.messages] == ["alert-0"]
            again = Outbox(database, bus)  # another process of the same epoch: nothing twice
            again.hold()
            assert await again.recover() == 0
        finally:
            await bus.close()


@pytest.mark.asyncio
async def test_outbox_sent_rows_are_kept_retain_then_pruned(database: Database) -> None:
    clock = TestClock(1_770_820_200_000)
    bus = InProcessBus()
    outbox = Outbox(database, bus, clock=clock, retain=timedelta(minutes=5))
    try:
        async with UnitOfWork(database) as uow:
            await rows.add(session=uow.session, payload="[]", at=clock.now())
            ids = [await rows.add(session=uow.session, payload="[]", at=clock.now())]
            await rows.mark_sent(session=uow.session, ids=ids, at=clock.now())
            await uow.commit()
        clock.advance(4 * 60_000)
        await outbox.prune_sent()
        assert await kept(database) == (1, 2)  # sent 4 minutes ago: kept
        clock.advance(2 * 60_000)
        await outbox.prune_sent()
        assert await kept(database) == (1, 1)  # sent 6 minutes ago: gone; the unsent one stays
    finally:
        await bus.close()


def pairs_engine(portfolio: PortfolioManager, clock: TestClock) -> TradingWorker:
    """The order engine's part that applies the bots' pairs, wired as ``bootstrap`` wires it."""
    return TradingWorker(
        lanes=[], feed=None, clock=clock, max_decision_age_ms=None,
        on_pairs_applied=lambda change, ms, chosen, untraded: portfolio.pairs_applied(
            change, candle_ms=ms, pairs=chosen, untraded=untraded
        ),
        pairs_applied_already=portfolio.applied_already,
    )  # fmt: skip


async def all_sent(database: Database) -> None:
    """Until every row written is sent."""
    async with asyncio.timeout(60):
        while (await kept(database))[0]:  # noqa: ASYNC110 - a table, not an event
            await asyncio.sleep(0.05)


async def write_changes(database: Database, outbox: Outbox) -> None:
    """A strategy change and a pairs change, written as the API writes them."""
    async with UnitOfWork(database) as uow:
        await outbox.add(uow.session, [
            (topics.COMMANDS, BotReconfigured(
                timestamp=T0, bot=BotKind.AGGRESSIVE, strategy="sma_cross",
                params={"fast": 5, "slow": 20}, requested_by="carol",
            )),
            (topics.COMMANDS, BotPairsChanged(
                timestamp=T0, bot=BotKind.SAFE, pairs=["BTC/USDT"], requested_by="carol",
            )),
        ])  # fmt: skip
        await uow.commit()


async def next_candle(
    wired: Engines, trading: TradingWorker, candles: CandleArrays, index: int
) -> None:
    """The candle ``index``: the indicator engine's run, the order engine's pairs changes."""
    await publish(wired.publisher, candles, index, index + 1)
    await trading._apply_pairs(int(candles.timestamps[index]))  # what its next batch does first
    await until(lambda: len(wired.decided) == index - 498)


@pytest.mark.asyncio
@pytest.mark.timeout(300)
@pytest.mark.shared_data
async def test_bot_changes_sent_again_after_redis_restarts_empty_are_applied_and_announced_once(
    database: Database, tmp_path: Path, shared_data: Path
) -> None:
    candles = read_ohlcv(shared_data / "binance_BTC-USDT_4h.csv").arrays.slice(0, 600)
    clock = TestClock(int(candles.timestamps[500]))
    with private_redis(tmp_path / "redis") as redis:
        bus = await RedisBus.connect(redis.url, options=FAST)
        consumer_bus = await RedisBus.connect(redis.url, options=FAST)
        outbox = Outbox(database, bus, delete_every_s=0.05)
        assert await outbox.check_epoch() == 0
        stop = asyncio.Event()
        relay = asyncio.create_task(outbox.run(stop))
        portfolio = PortfolioManager(
            database=database, clock=clock, trading=TradingSettings(), reducer=RiskReducer(),
            outbox=outbox,
        )  # fmt: skip
        await portfolio.ensure_bots()
        wired = await engines(database, clock, portfolio)  # the indicator engine, as wired
        trading = pairs_engine(portfolio, clock)
        delivered: list[str] = []

        async def consume(delivery: Delivery) -> None:
            if delivery.group == "indicator":
                await wired.indicators.reconfigure(delivery)
            else:
                await trading.reconfigure(delivery)
            delivered.append(delivery.group)  # handled

        try:
            await wired.publisher.store(candles)
            await publish(wired.publisher, candles, 0, 500)
            await until(lambda: len(wired.decided) == 1)
            for group in ("indicator", "order"):
                await consumer_bus.subscribe(
                    topics.COMMANDS, group=group, consumer=f"{group}-1", handler=consume
                )
            await write_changes(database, outbox)
            await until(lambda: len(delivered) == 4)  # each group reads both
            await next_candle(wired, trading, candles, 500)  # applies them
            await all_sent(database)  # the commands' row and the two alerts'

            await asyncio.to_thread(redis.restart_empty)  # every stream and group gone
            await until(lambda: len(delivered) == 8)  # both commands sent again, read again
            assert not wired.indicators.pending  # the copies were dropped, not applied again
            assert not trading.pending_pairs
            await next_candle(wired, trading, candles, 501)  # a copy would apply here
            await asyncio.sleep(0.5)  # nothing else comes
            await all_sent(database)  # whatever was written
            page = await bus.history(topics.ALERTS, after="0-0", count=100)
            kinds = [m.kind for _, m in page.messages if isinstance(m, AlertRaised)]
            assert sorted(kinds) == ["bot_pairs_applied", "bot_settings_applied"]  # sent again
            async with UnitOfWork(database, read_only=True) as uow:
                for action in ("bot.settings.applied", "bot.pairs.applied"):
                    assert len(await audit.list_audit(session=uow.session, action=action)) == 1
        finally:
            stop.set()
            await relay
            await wired.bus.close()
            await consumer_bus.close()
            await bus.close()
