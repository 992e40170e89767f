"""Every event that follows a database change goes through the outbox, written with the change.

The API's services (bot control, settings, pairs, the live switch), the watchdog's alerts, and the
runtime's bot control (``bot_<action>`` alerts): real SQLite and PostgreSQL, the in-process bus
and Redis. The relay is held as in a process killed between the commit and the send: nothing may
be on the bus yet, and each event must wait in ``outbox``, in the row of its change.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.bus import Delivery, StreamBus, topics
from cryptotrader.bus.messages import AlertRaised, BotPairsChanged, BotReconfigured, ControlBot
from cryptotrader.clock import TestClock
from cryptotrader.config import Settings, load_settings
from cryptotrader.domain.enums import BotKind, BotStatus
from cryptotrader.engines.portfolio import PortfolioManager
from cryptotrader.engines.workers.control import ControlWorker
from cryptotrader.outbox import decode_row, outbox_for
from cryptotrader.persistence import Database, UnitOfWork
from cryptotrader.persistence.repositories import audit, bots, settings
from cryptotrader.persistence.repositories import outbox as rows
from cryptotrader.risk.reducer import RiskReducer
from cryptotrader.runtime_inputs import RunOptions
from cryptotrader.services.bots import BotService
from cryptotrader.services.context import Actor, Origin, Role
from cryptotrader.services.platform_config import PlatformConfigService

ADMIN = Actor(user_id=1, username="carol", role=Role.ADMIN)
ORIGIN = Origin(ip="127.0.0.1")


async def staged(database: Database) -> list[list[tuple[str, str]]]:
    """Each row left in ``outbox``: its events as (topic, kind or type)."""
    async with UnitOfWork(database, read_only=True) as uow:
        left = await rows.pending(session=uow.session, before=None, limit=100)
    return [
        [(t, m.kind if isinstance(m, AlertRaised) else type(m).__name__) for t, m in events]
        for events in (decode_row(row.payload) for row in left)
    ]


async def on_bus(bus: StreamBus, topic: str) -> list[str]:
    page = await bus.history(topic, after="0-0", count=100)
    return [type(m).__name__ for _, m in page.messages]


@pytest.mark.asyncio
async def test_services_write_their_events_with_their_change_sent_once_recovered(
    database: Database, bus: StreamBus, clock: TestClock
) -> None:
    portfolio = PortfolioManager(
        database=database, clock=clock, trading=Settings().trading, reducer=RiskReducer()
    )
    await portfolio.ensure_bots()
    outbox = outbox_for(database, bus)
    outbox.hold()  # as a process killed between its commits and their sends
    bots = BotService(database=database, bus=bus, clock=clock, trading=Settings().trading)
    platform = PlatformConfigService(database=database, bus=bus, clock=clock, ring=None)

    await bots.control(ADMIN, BotKind.SAFE, "pause", ORIGIN)
    await bots.update_settings(ADMIN, BotKind.SAFE, {"params": {}}, ORIGIN)
    pair = await platform.add_pair(ADMIN, "binance", "ETH/USDT", ORIGIN)
    await bots.set_pairs(ADMIN, BotKind.SAFE, ["ETH/USDT"], ORIGIN)
    await platform.set_pair_active(ADMIN, pair.id, False, ORIGIN)

    assert await on_bus(bus, topics.COMMANDS) == []  # nothing sent before the relay may
    assert await on_bus(bus, topics.ALERTS) == []
    assert await staged(database) == [  # one row per change, its events in it
        [("commands", "ControlBot")],
        [("alerts", "bot_settings_changed"), ("commands", "BotReconfigured")],
        [("commands", "PairChanged")],
        [("commands", "BotPairsChanged")],
        [("commands", "PairChanged")],
    ]
    async with UnitOfWork(database, read_only=True) as uow:  # and the changes committed
        requested = await settings.get_setting(
            session=uow.session, key="bots.safe.requested_status"
        )
    assert requested is not None
    assert requested["action"] == "pause"

    await outbox.recover()  # released: sends what this process committed, in order
    assert outbox.published == 6
    assert await on_bus(bus, topics.COMMANDS) == [
        "ControlBot", "BotReconfigured", "PairChanged", "BotPairsChanged", "PairChanged",
    ]  # fmt: skip
    assert await on_bus(bus, topics.ALERTS) == ["AlertRaised"]
    await outbox.close()
    assert await staged(database) == []


@pytest.mark.asyncio
@pytest.mark.timeout(600)
async def test_runtime_bot_control_writes_its_alert_with_the_change(tmp_path: Path) -> None:
    config = load_settings(data_dir=tmp_path)  # the embedded default: SQLite, in-process bus
    runtime = await open_runtime(config, RunOptions(engines=("portfolio",)))
    try:
        await runtime.start()
        assert runtime.outbox is not None
        before = runtime.outbox.published
        alerts: asyncio.Queue[AlertRaised] = asyncio.Queue()

        async def seen(delivery: object) -> None:
            message = getattr(delivery, "message", None)
            if isinstance(message, AlertRaised):
                alerts.put_nowait(message)

        await runtime.bus.subscribe(topics.ALERTS, group="test", consumer="t", handler=seen)
        await runtime.bus.publish(
            topics.COMMANDS,
            ControlBot(
                timestamp=datetime.now(UTC), bot=BotKind.SAFE, action="pause",
                requested_by="carol",
            ),
        )  # fmt: skip
        async with asyncio.timeout(60):
            alert = await alerts.get()
        assert alert.kind == "bot_paused"
        assert runtime.outbox.published == before + 1  # relayed: it was written with the pause
    finally:
        await runtime.close()


@pytest.mark.asyncio
async def test_a_bot_command_delivered_again_is_applied_once(
    database: Database, bus: StreamBus, clock: TestClock
) -> None:
    portfolio = PortfolioManager(
        database=database, clock=clock, trading=Settings().trading, reducer=RiskReducer()
    )
    await portfolio.ensure_bots()
    worker = ControlWorker(bus=bus, portfolio=portfolio)
    resume = ControlBot(
        timestamp=clock.now(), bot=BotKind.SAFE, action="resume", requested_by="carol"
    )
    delivery = Delivery(topics.COMMANDS, "control", "1-0", resume, 1)
    await worker.handle(delivery)
    async with UnitOfWork(database) as uow:  # the engine pauses it since (failed orders)
        await portfolio.pause(
            BotKind.SAFE, reason="3 consecutive order failures", session=uow.session
        )
        await uow.commit()

    await worker.handle(delivery)  # the same command again (sent again after Redis lost it)

    async with UnitOfWork(database, read_only=True) as uow:
        row = await bots.get_bot(session=uow.session, kind=BotKind.SAFE)
    assert row is not None
    assert row.status is BotStatus.PAUSED


@pytest.mark.asyncio
async def test_a_bot_change_applied_again_writes_no_second_alert_nor_audit_row(
    database: Database, bus: StreamBus, clock: TestClock
) -> None:
    portfolio = PortfolioManager(
        database=database, clock=clock, trading=Settings().trading, reducer=RiskReducer()
    )
    await portfolio.ensure_bots()
    reconfigured = BotReconfigured(
        timestamp=clock.now(), bot=BotKind.SAFE, strategy="sma_cross", requested_by="carol"
    )
    changed = BotPairsChanged(
        timestamp=clock.now(), bot=BotKind.SAFE, pairs=["BTC/USDT"], requested_by="carol"
    )
    assert not await portfolio.applied_already(reconfigured)
    first = await portfolio.settings_applied(reconfigured, candle_ms=0)
    first += await portfolio.pairs_applied(changed, candle_ms=0, pairs=("BTC/USDT",))
    assert [getattr(event, "kind", None) for _, event in first] == [
        "bot_settings_applied", "bot_pairs_applied",
    ]  # fmt: skip
    assert await portfolio.applied_already(reconfigured)
    assert await portfolio.applied_already(changed)
    # the same changes again (sent again after Redis lost them): nothing written, nothing sent
    assert await portfolio.settings_applied(reconfigured, candle_ms=0) == []
    assert await portfolio.pairs_applied(changed, candle_ms=0, pairs=("BTC/USDT",)) == []
    async with UnitOfWork(database, read_only=True) as uow:
        for action in ("bot.settings.applied", "bot.pairs.applied"):
            assert len(await audit.list_audit(session=uow.session, action=action)) == 1


@pytest.mark.asyncio
async def test_each_indicator_worker_applies_a_strategy_change_and_the_first_announces_it(
    database: Database, clock: TestClock
) -> None:
    """With several indicator workers (``--workers N``), each applies a change to its pairs.

    A shared group on ``commands`` gave the change to one worker: the other workers' pairs kept
    the old strategy. Each worker now records that it applied it (``bot.settings@<worker>``),
    and only the first writes the alert and the audit row.
    """
    portfolio = PortfolioManager(
        database=database, clock=clock, trading=Settings().trading, reducer=RiskReducer()
    )
    await portfolio.ensure_bots()
    change = BotReconfigured(
        timestamp=clock.now(), bot=BotKind.SAFE, strategy="sma_cross", requested_by="carol"
    )
    first = await portfolio.settings_applied(change, candle_ms=0, worker="1.0")
    assert [getattr(event, "kind", None) for _, event in first] == ["bot_settings_applied"]
    assert await portfolio.applied_already(change, worker="1.0")
    assert not await portfolio.applied_already(change, worker="1.1")  # not applied there yet
    assert await portfolio.settings_applied(change, candle_ms=0, worker="1.1") == []
    assert await portfolio.applied_already(change, worker="1.1")  # a copy sent again: dropped
    async with UnitOfWork(database, read_only=True) as uow:
        assert len(await audit.list_audit(session=uow.session, action="bot.settings.applied")) == 1


@pytest.mark.asyncio
@pytest.mark.timeout(600)
async def test_indicator_workers_read_strategy_changes_each_in_a_group_of_its_own(
    tmp_path: Path,
) -> None:
    config = load_settings(data_dir=tmp_path)  # the embedded default: SQLite, in-process bus
    runtime = await open_runtime(config, RunOptions(engines=("indicator",), consumer="1.1"))
    try:
        await runtime.start()
        assert await runtime.bus.groups(topics.COMMANDS) == ["indicator@1.1"]
    finally:
        await runtime.close()
