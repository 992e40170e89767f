"""The API's watchdog raises ``engine_silent`` once and ``engine_recovered`` at the end, and the
daily digest once a day, on real databases and buses; a second watcher (a restarted or another
API process) raises nothing twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised, CandleClosed
from cryptotrader.bus.stream_bus import StreamBus
from cryptotrader.clock import TestClock
from cryptotrader.config import AlertSettings
from cryptotrader.domain.enums import BotKind, ExitReason, RiskLevel, TradeStatus
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.presence import HEARTBEAT_KEY, RuntimePresence
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.trades import Trade
from cryptotrader.persistence import Database
from cryptotrader.persistence.repositories import bots, settings, trades
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.services.watchdog import DailyDigest, EngineWatch, Watchdog
from tests.integration.api.harness import make_settings, running_api, wait_for

BTC = Pair(base="BTC", quote="USDT")
MINUTE = 60_000
STARTED = datetime(2026, 2, 11, 14, 0, tzinfo=UTC)  # the runtime's start; the clock is at 14:30


async def _beat(database: Database, clock: TestClock, *, stopped: bool = False) -> None:
    """The runtime's heartbeat as the runtime stores it, seen now."""
    now = clock.now()
    presence = RuntimePresence(
        started_at=STARTED,
        seen_at=now,
        stopped_at=now if stopped else None,
        pid=4242,
        mode="paper",
        market="BTC/USDT 1m from binance",
    )
    async with UnitOfWork(database) as uow:
        await settings.put_setting(
            session=uow.session, key=HEARTBEAT_KEY, value=presence.to_json(), at=now
        )
        await uow.commit()


async def _alerts(bus: StreamBus) -> list[AlertRaised]:
    page = await bus.history(topics.ALERTS, after="0-0", count=1000)
    return [m for _, m in page.messages if isinstance(m, AlertRaised)]


def _candle(clock: TestClock) -> CandleClosed:
    return CandleClosed(
        timestamp=clock.now(),
        exchange="binance",
        pair=BTC,
        timeframe=Timeframe.M1,
        open_time=clock.now() - timedelta(minutes=1),
        open="100",
        high="101",
        low="99",
        close="100.5",
        volume="3",
    )


def _watch(database: Database, bus: StreamBus, clock: TestClock) -> EngineWatch:
    return EngineWatch(
        database=database, bus=bus, clock=clock, timeframe=Timeframe.M1, silent_after=3
    )


@pytest.mark.asyncio
async def test_engine_watch_when_candles_stop_raises_silent_once_then_recovered_once(
    database: Database, bus: StreamBus, clock: TestClock
) -> None:
    watch = _watch(database, bus, clock)
    await _beat(database, clock)
    watch.observe(_candle(clock))
    assert await watch.check() is None

    clock.advance(3 * MINUTE)  # exactly three timeframes: not yet silent
    await _beat(database, clock)
    assert await watch.check() is None
    clock.advance(1000)
    await _beat(database, clock)
    silent = await watch.check()

    assert silent is not None
    assert (silent.kind, silent.severity) == ("engine_silent", "critical")
    assert silent.details["cause"] == "candles"
    assert silent.details["timeframe"] == "1m"
    assert silent.details["silent_s"] == "181"
    assert "no 1m candle for 3 timeframes" in silent.text
    clock.advance(MINUTE)
    await _beat(database, clock)
    assert await watch.check() is None, "raised twice in one episode"
    restarted = _watch(database, bus, clock)  # a restarted API process: starts counting again
    clock.advance(10 * MINUTE)
    await _beat(database, clock)
    assert await restarted.check() is None, "raised again after a restart"

    for process in (watch, restarted):  # every API process's hub sees every candle
        process.observe(_candle(clock))
    recovered = await restarted.check()

    assert recovered is not None
    assert (recovered.kind, recovered.severity) == ("engine_recovered", "info")
    assert recovered.details["cause"] == "candles"
    assert recovered.details["silent_s"] == str(11 * 60)
    assert await restarted.check() is None
    assert await watch.check() is None, "the other process announced the recovery again"
    assert [a.kind for a in await _alerts(bus)] == ["engine_silent", "engine_recovered"]


@pytest.mark.asyncio
async def test_engine_watch_when_runtime_stops_beating_is_silent_and_a_beat_alone_does_not_recover(
    database: Database, bus: StreamBus, clock: TestClock
) -> None:
    watch = _watch(database, bus, clock)
    await _beat(database, clock)
    clock.advance(31_000)  # the heartbeat is stale after 30 s; no clean stop was stored

    silent = await watch.check()

    assert silent is not None
    assert silent.details["cause"] == "heartbeat"
    assert silent.details["pid"] == "4242"
    assert "stopped beating" in silent.text
    await _beat(database, clock)  # a new runtime beats, but no candle came yet
    assert await watch.check() is None
    clock.advance(20_000)
    watch.observe(_candle(clock))
    recovered = await watch.check()
    assert recovered is not None
    assert recovered.kind == "engine_recovered"


@pytest.mark.asyncio
async def test_engine_watch_when_runtime_stopped_cleanly_or_never_ran_raises_nothing(
    database: Database, bus: StreamBus, clock: TestClock
) -> None:
    watch = _watch(database, bus, clock)
    clock.advance(60 * MINUTE)
    assert await watch.check() is None  # never ran: no heartbeat at all
    await _beat(database, clock, stopped=True)
    clock.advance(60 * MINUTE)

    assert await watch.check() is None
    assert await _alerts(bus) == []


@pytest.mark.asyncio
async def test_engine_watch_when_two_processes_look_at_once_exactly_one_raises(
    database: Database, bus: StreamBus, clock: TestClock
) -> None:
    watches = [_watch(database, bus, clock) for _ in range(3)]
    await _beat(database, clock)
    clock.advance(10 * MINUTE)
    await _beat(database, clock)

    raised = await asyncio.gather(*(w.check() for w in watches))

    assert sum(alert is not None for alert in raised) == 1
    assert len(await _alerts(bus)) == 1


async def _seed_day(database: Database, day_end: datetime) -> None:
    """Two bots; in the 24 h before ``day_end``: a win, a loss opened the day before, an open
    trade; and a trade closed after ``day_end`` (belongs to the next digest)."""

    def closed(bot: BotKind, opened: datetime, hours: int, exit_price: int) -> Trade:
        return Trade(
            bot=bot,
            pair=BTC,
            quantity=Decimal("0.01"),
            entry_price=Decimal(30000),
            entry_time=opened,
            exit_price=Decimal(exit_price),
            exit_time=opened + timedelta(hours=hours),
            exit_reason=ExitReason.SIGNAL,
            fees=Decimal("0.6"),
            status=TradeStatus.CLOSED,
        )

    async with UnitOfWork(database) as uow:
        for name, kind, capital, level in (
            ("Safe", BotKind.SAFE, Decimal(700), RiskLevel.LOW),
            ("Aggressive", BotKind.AGGRESSIVE, Decimal(300), RiskLevel.MAX),
        ):
            await bots.create_bot(
                session=uow.session, name=name, kind=kind, capital=capital,
                risk_level=level, risk_ratio=Decimal("0.01"),
            )  # fmt: skip
        for trade in (
            closed(BotKind.AGGRESSIVE, day_end - timedelta(hours=5), 2, 31000),  # +9.4
            closed(BotKind.SAFE, day_end - timedelta(hours=30), 26, 29500),  # -5.6
            closed(BotKind.SAFE, day_end - timedelta(hours=1), 2, 32000),  # closes after the end
            Trade(
                bot=BotKind.SAFE,
                pair=BTC,
                quantity=Decimal("0.02"),
                entry_price=Decimal(30000),
                entry_time=day_end - timedelta(hours=3),
            ),
        ):
            await trades.add_trade(session=uow.session, trade=trade, exchange="paper")
        await uow.commit()


@pytest.mark.asyncio
async def test_daily_digest_when_its_time_comes_sums_the_day_per_bot_once(
    database: Database, bus: StreamBus, clock: TestClock
) -> None:
    at = time(20, 0)
    digest = DailyDigest(database=database, bus=bus, clock=clock, at=at)
    day_end = datetime(2026, 2, 11, 20, 0, tzinfo=UTC)  # the clock starts at 14:30 that day
    await _seed_day(database, day_end)
    assert await digest.check() is None, "a first start sent yesterday's digest"

    clock.set(int(day_end.timestamp() * 1000) + 5000)
    sent = await digest.check()

    assert sent is not None
    assert (sent.kind, sent.severity) == ("daily_digest", "info")
    assert sent.details["period_start"] == (day_end - timedelta(days=1)).isoformat()
    assert sent.details["period_end"] == day_end.isoformat()
    assert Decimal(sent.details["pnl"]) == Decimal("3.8")
    assert Decimal(sent.details["capital"]) == Decimal(1000)
    assert (sent.details["trades_opened"], sent.details["trades_closed"]) == ("3", "2")
    figures = {
        key: sent.details[f"{key}:aggressive"] for key in ("opened", "closed", "wins", "losses")
    }
    assert figures == {"opened": "1", "closed": "1", "wins": "1", "losses": "0"}
    assert Decimal(sent.details["pnl:aggressive"]) == Decimal("9.4")
    assert Decimal(sent.details["pnl:safe"]) == Decimal("-5.6")
    assert (sent.details["opened:safe"], sent.details["losses:safe"]) == ("2", "1")
    assert (sent.details["open:safe"], sent.details["open:aggressive"]) == ("1", "0")  # stored now
    assert Decimal(sent.details["capital:safe"]) == Decimal(700)
    assert "P&L +3.8 over 2 closed trades" in sent.text

    assert await digest.check() is None
    restarted = DailyDigest(database=database, bus=bus, clock=clock, at=at)
    assert await restarted.check() is None, "sent twice after a restart"
    clock.advance(24 * 60 * MINUTE)
    again = await restarted.check()
    assert again is not None
    assert again.details["period_start"] == day_end.isoformat()
    assert [a.kind for a in await _alerts(bus)] == ["daily_digest", "daily_digest"]


@pytest.mark.asyncio
async def test_daily_digest_when_the_api_was_down_at_its_time_is_sent_when_it_returns(
    database: Database, bus: StreamBus, clock: TestClock
) -> None:
    digest = DailyDigest(database=database, bus=bus, clock=clock, at=time(20, 0))
    assert await digest.check() is None
    clock.advance(30 * 60 * MINUTE)  # down from 14:30 to 20:30 the next day: two slots passed

    late = await digest.check()

    assert late is not None
    assert late.details["period_end"] == "2026-02-12T20:00:00+00:00"
    assert await digest.check() is None, "one digest for the latest slot, not one per slot"


@pytest.mark.asyncio
async def test_watchdog_when_it_looks_runs_the_engine_watch_and_the_digest(
    database: Database, bus: StreamBus, clock: TestClock
) -> None:
    watchdog = Watchdog(
        database=database,
        bus=bus,
        clock=clock,
        config=AlertSettings(silent_after_candles=1, digest_time=time(0, 0)),
        timeframe="1m",
    )
    await _beat(database, clock)
    assert await watchdog.check() == []
    clock.advance(2 * MINUTE)
    await _beat(database, clock)
    # No bots exist: the digest sums an empty portfolio; the engine is silent.
    clock.set(int(datetime(2026, 2, 12, 0, 0, 1, tzinfo=UTC).timestamp() * 1000))
    await _beat(database, clock)

    kinds = sorted(a.kind for a in await watchdog.check())

    assert kinds == ["daily_digest", "engine_silent"]


@pytest.mark.asyncio
async def test_api_when_running_watches_and_raises_engine_silent_on_the_alerts_stream(
    database: Database, bus: StreamBus, clock: TestClock
) -> None:
    # The API's own watchdog (started by its lifespan), looking every 50 ms of wall time.
    settings = make_settings().model_copy(
        update={"alerts": AlertSettings(check_interval_s=0.05, digest_enabled=False)}
    )
    await _beat(database, clock)
    clock.advance(60_000)  # the runtime stopped beating a minute ago, without a clean stop
    async with running_api(database, bus, clock, settings=settings):

        async def raised() -> bool:
            return any(a.kind == "engine_silent" for a in await _alerts(bus))

        await wait_for(raised)
    assert [a.kind for a in await _alerts(bus)] == ["engine_silent"]
