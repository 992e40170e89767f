"""A bot's strategy changed through the API reaches the running engines and applies at the next
candle, with an audit row and an alert saying from which candle.

Real pieces throughout: the API's ``BotService`` publishes the change on the bus, the indicator
and decision workers of the runtime consume it, the portfolio manager records it (SQLite file).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cryptotrader.bus import InProcessBus, topics
from cryptotrader.bus.messages import AlertRaised, DecisionsMade, StrategyInputsComputed
from cryptotrader.bus.protocol import Delivery
from cryptotrader.clock import TestClock
from cryptotrader.config import TradingSettings
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.decision import DecisionEngine
from cryptotrader.engines.portfolio import PortfolioManager
from cryptotrader.engines.workers.decisions import DecisionWorker
from cryptotrader.engines.workers.indicators import IndicatorWorker
from cryptotrader.engines.workers.market_data import Publisher, Series
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import audit
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.risk.reducer import RiskReducer, RiskReducerConfig
from cryptotrader.services.bots import BotService
from cryptotrader.services.context import Actor, Origin, Role
from cryptotrader.strategies import create_strategy

pytestmark = pytest.mark.asyncio(loop_scope="function")

PAIR = Pair.parse("BTC/USDT")
ADMIN = Actor(user_id=1, username="alice", role=Role.ADMIN)


async def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@dataclass
class Engines:
    """The runtime's indicator and decision workers on one bus, and what they published."""

    bus: InProcessBus
    indicators: IndicatorWorker
    publisher: Publisher
    inputs: list[StrategyInputsComputed] = field(default_factory=list)
    decided: list[DecisionsMade] = field(default_factory=list)
    alerts: list[AlertRaised] = field(default_factory=list)

    async def collect(self, delivery: Delivery) -> None:
        message = delivery.message
        if isinstance(message, StrategyInputsComputed):
            self.inputs.append(message)
        elif isinstance(message, DecisionsMade):
            self.decided.append(message)
        elif isinstance(message, AlertRaised):
            self.alerts.append(message)


async def engines(database: Database, clock: TestClock, portfolio: PortfolioManager) -> Engines:
    """Wired as ``bootstrap`` wires them (the portfolio records applied changes)."""
    bus = InProcessBus(clock=clock)
    strategies = {
        BotKind.SAFE: create_strategy("conservative"),
        BotKind.AGGRESSIVE: create_strategy("aggressive"),
    }
    indicators = IndicatorWorker(
        bus=bus,
        store=SqlCandleStore(database),
        strategies=strategies,
        on_applied=lambda change, ms: portfolio.settings_applied(change, candle_ms=ms),
        applied_already=portfolio.applied_already,
    )
    decisions = DecisionWorker(
        bus=bus,
        engines={
            b: DecisionEngine(strategy=s, pair=PAIR, target_bot=b) for b, s in strategies.items()
        },
    )
    series = Series("binance", PAIR, Timeframe.H4)
    wired = Engines(
        bus,
        indicators,
        Publisher(bus=bus, store=SqlCandleStore(database), clock=clock, series=series),
    )
    await bus.subscribe(topics.CANDLES, group="indicator", consumer="i", handler=indicators.handle)
    await bus.subscribe(
        topics.COMMANDS, group="indicator", consumer="i", handler=indicators.reconfigure
    )
    await bus.subscribe(topics.INDICATORS, group="decision", consumer="d", handler=decisions.handle)
    for topic in (topics.INDICATORS, topics.SIGNALS, topics.ALERTS):
        await bus.subscribe(topic, group="test", consumer="t", handler=wired.collect)
    return wired


async def publish(publisher: Publisher, candles: CandleArrays, start: int, stop: int) -> None:
    """Candles ``start`` to ``stop`` as one run, chained to the one before."""
    await publisher.publish(
        candles.slice(start, stop),
        previous_ms=int(candles.timestamps[start - 1]) if start else None,
        history_from_ms=int(candles.timestamps[0]),
        next_open=(float(candles.open[stop]), int(candles.timestamps[stop])),
    )


@pytest.mark.shared_data
async def test_a_strategy_changed_through_the_api_decides_from_the_next_candle_and_says_so(
    shared_data: Path, tmp_path: Path
) -> None:
    candles = read_ohlcv(shared_data / "binance_BTC-USDT_4h.csv").arrays.slice(0, 600)
    clock = TestClock(int(candles.timestamps[500]))
    database = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    await upgrade(database)
    trading = TradingSettings()
    portfolio = PortfolioManager(
        database=database, clock=clock, trading=trading, reducer=RiskReducer(RiskReducerConfig())
    )
    await portfolio.ensure_bots()
    wired = await engines(database, clock, portfolio)
    await wired.publisher.store(candles)
    inputs, decided, alerts = wired.inputs, wired.decided, wired.alerts
    try:
        await publish(wired.publisher, candles, 0, 500)
        await until(lambda: len(decided) == 1, "the first run's decisions")
        assert decided[0].bots[BotKind.AGGRESSIVE].strategy == "aggressive"
        service = BotService(database=database, bus=wired.bus, clock=clock, trading=trading)
        await service.update_settings(
            ADMIN,
            BotKind.AGGRESSIVE,
            {"strategy": "sma_cross", "params": {"fast": 5, "slow": 20}},
            Origin(ip="127.0.0.1"),
        )
        await until(lambda: BotKind.AGGRESSIVE in wired.indicators.pending, "the change to arrive")
        assert not [a for a in alerts if a.kind == "bot_settings_applied"]  # not before a candle
        await publish(wired.publisher, candles, 500, 501)
        await until(lambda: len(decided) == 2, "the next candle's decisions")
        await until(
            lambda: any(a.kind == "bot_settings_applied" for a in alerts), "the applied alert"
        )
    finally:
        await wired.bus.close()
    changed = inputs[1].inputs[BotKind.AGGRESSIVE]
    assert (changed.strategy, changed.params) == ("sma_cross", {"fast": 5, "slow": 20})
    assert decided[1].bots[BotKind.AGGRESSIVE].strategy == "sma_cross"
    assert decided[1].bots[BotKind.SAFE].strategy == "conservative"  # the other bot untouched
    # the rule at that candle is sma_cross's, on the whole history (as a restart would compute)
    closes = candles.close[:501]
    fast, slow = closes[-5:].mean(), closes[-20:].mean()
    assert decided[1].bots[BotKind.AGGRESSIVE].score == [1.0 if fast > slow else -1.0]
    applied = next(a for a in alerts if a.kind == "bot_settings_applied")
    candle_500 = utc_from_ms(int(candles.timestamps[500]))
    assert applied.bot is BotKind.AGGRESSIVE
    assert applied.details["from_candle"] == candle_500.isoformat()
    assert "sma_cross" in applied.text
    async with UnitOfWork(database) as uow:
        rows = await audit.list_audit(session=uow.session, action="bot.settings.applied")
    assert len(rows) == 1
    assert rows[0].target == "bot:aggressive"
    assert rows[0].details is not None
    assert rows[0].details["from_candle"] == candle_500.isoformat()
    assert rows[0].details["requested_by"] == "alice"
    await database.dispose()
