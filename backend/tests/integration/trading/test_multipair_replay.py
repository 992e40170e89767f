"""``cryptotrader run --replay A --replay B``: several pairs traded together, in one process.

Real BTC/USDT and ETH/USDT daily candles from ../shared/data, the real pipeline (market data,
indicators, decisions, one order engine per pair on one paper account), a real database. What
must hold: every trade and every order is recorded under its own pair (client ids name it), both
pairs trade, and the limits across pairs hold at every moment (one position open at most, in
total, when ``runtime.max_open_positions`` is 1).

While a paced replay runs, the API's own services change what trades: a bot's pairs (``PUT
/api/bots/{bot}/pairs``) and a pair's activation (``/config/pairs``). What must hold: each change
is recorded with the candle it took effect from, and no entry breaks it from that candle on.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised
from cryptotrader.bus.protocol import Delivery
from cryptotrader.cli import main
from cryptotrader.config import load_settings
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.trades import Trade
from cryptotrader.engines import client_ids
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import audit, ohlcv, orders, pairs, trades
from cryptotrader.persistence.tables import TradingPairRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.runtime import Runtime
from cryptotrader.runtime_inputs import RunOptions
from cryptotrader.services.bots import BotService
from cryptotrader.services.context import Actor, Origin, Role
from cryptotrader.services.platform_config import PlatformConfigService
from tests.support.builders import read_shared_csv

END = datetime.max.replace(tzinfo=UTC)
ADMIN = Actor(user_id=1, username="alice", role=Role.ADMIN)
ORIGIN = Origin(ip="127.0.0.1")
PACE = 86_400 * 40.0  # one daily candle every 25 ms: the changes below land mid-run
ROWS = 700  # daily candles per pair: the warm-up (201) and about a year and a half of trading


def _files(shared_data: Path, tmp_path: Path) -> list[str]:
    args = []
    for name in ("binance_ETH-USDT_1d.csv", "binance_BTC-USDT_1d.csv"):
        path = tmp_path / name
        read_shared_csv(shared_data / name, rows=ROWS).to_csv(path, index=False)
        args += ["--replay", str(path)]
    return args


def _replays(shared_data: Path, tmp_path: Path) -> tuple[Path, ...]:
    given = _files(shared_data, tmp_path)
    return tuple(Path(p) for p in given[1::2])


async def _deactivate(database: Database, symbol: str) -> int:
    async with UnitOfWork(database) as uow:
        pair_id = await pairs.ensure_pair(
            session=uow.session, exchange="binance", pair=Pair.parse(symbol)
        )
        row = await uow.session.get(TradingPairRow, pair_id)
        assert row is not None
        row.is_active = False
        await uow.commit()
    return pair_id


async def _paced(shared_data: Path, tmp_path: Path) -> tuple[Runtime, list[AlertRaised]]:
    """Both pairs' replay, paced, opened (not started); the alerts it will publish."""
    runtime = await open_runtime(
        load_settings(), RunOptions(replay=_replays(shared_data, tmp_path), speed=PACE)
    )
    alerts: list[AlertRaised] = []

    async def collect(delivery: Delivery) -> None:
        if isinstance(delivery.message, AlertRaised):
            alerts.append(delivery.message)

    await runtime.bus.subscribe(topics.ALERTS, group="test", consumer="t", handler=collect)
    return runtime, alerts


def _platform(runtime: Runtime) -> PlatformConfigService:
    """The API's service that changes the active pairs, on the runtime's database and bus."""
    return PlatformConfigService(
        database=runtime.database, bus=runtime.bus, clock=runtime.clock, ring=None
    )


async def _until_traded(runtime: Runtime, bot: BotKind | None, symbol: str) -> None:
    """Until a trade of ``bot`` (None: any) on ``symbol`` is recorded (the replay runs on)."""
    async with asyncio.timeout(600):
        while True:
            async with UnitOfWork(runtime.database) as uow:
                listed = await trades.list_trades(session=uow.session, bot=bot, limit=100_000)
            if any(t.pair.symbol == symbol for _, t in listed):
                return
            assert not runtime.failed.is_set(), runtime.error
            await asyncio.sleep(0.05)


async def _after_run(runtime: Runtime, action: str) -> tuple[list[Trade], list[dict[str, object]]]:
    """Once the replay ended: every trade, and the details of the ``action`` audit rows (oldest
    first)."""
    await runtime.wait()
    async with UnitOfWork(runtime.database) as uow:
        listed = await trades.list_trades(session=uow.session, limit=100_000)
        rows = await audit.list_audit(session=uow.session, action=action)
    return [t for _, t in listed], [r.details or {} for r in sorted(rows, key=lambda r: r.id)]


def _stored() -> tuple[list[Trade], dict[int, list[str]], set[str]]:
    """Every trade, each trade's order ids, and the stored candle series' symbols."""

    async def read() -> tuple[list[Trade], dict[int, list[str]], set[str]]:
        database = Database(load_settings().database_url)
        try:
            async with UnitOfWork(database) as uow:
                listed = await trades.list_trades(session=uow.session, limit=100_000)
                ids = {
                    trade_id: [
                        o.client_order_id
                        for o in await orders.trade_orders(session=uow.session, trade_id=trade_id)
                    ]
                    for trade_id, _ in listed
                }
                series = await ohlcv.stored_series(session=uow.session)
            return [t for _, t in listed], ids, {s.pair.symbol for s in series}
        finally:
            await database.dispose()

    return asyncio.run(read())


def _replayed(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[list[Trade], dict[int, list[str]], set[str]]:
    """``run --replay`` of both pairs to its end, then what ``_stored`` reads."""
    with pytest.raises(SystemExit) as exit_info:
        main(["run", *_files(shared_data, tmp_path), "-q"])
    _, err = capsys.readouterr()
    assert exit_info.value.code == 0, err
    return _stored()


@pytest.mark.shared_data
def test_two_pairs_replayed_together_trade_each_under_its_own_pair(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found, ids, series = _replayed(shared_data, tmp_path, capsys)
    assert series == {"BTC/USDT", "ETH/USDT"}
    assert {t.pair.symbol for t in found} == {"BTC/USDT", "ETH/USDT"}
    for trade_id, trade in zip(ids, found, strict=True):
        assert ids[trade_id], trade
        for coid in ids[trade_id]:
            parsed = client_ids.parse(coid)
            assert parsed is not None, coid
            assert parsed.pair == client_ids.pair_code(trade.pair.symbol), (coid, trade.pair)


@pytest.mark.shared_data
def test_the_open_position_limit_holds_across_pairs_at_every_moment(
    shared_data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRYPTOTRADER_RUNTIME__MAX_OPEN_POSITIONS", "1")
    found, _, _ = _replayed(shared_data, tmp_path, capsys)
    assert {t.pair.symbol for t in found} == {"BTC/USDT", "ETH/USDT"}
    spans = sorted(found, key=lambda t: (t.entry_time, t.exit_time or END))
    for earlier, later in itertools.pairwise(spans):
        assert later.entry_time >= (earlier.exit_time or END), (earlier, later)  # one at a time


@pytest.mark.shared_data
def test_a_pair_deactivated_through_config_pairs_opens_nothing(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def deactivate() -> None:
        database = Database(load_settings().database_url)
        await upgrade(database)
        try:
            await _deactivate(database, "ETH/USDT")
        finally:
            await database.dispose()

    asyncio.run(deactivate())
    found, _, series = _replayed(shared_data, tmp_path, capsys)
    assert series == {"BTC/USDT", "ETH/USDT"}  # its candles are still read and stored
    assert found
    assert {t.pair.symbol for t in found} == {"BTC/USDT"}


@pytest.mark.shared_data
def test_a_bot_narrowed_to_some_pairs_opens_only_on_them(
    shared_data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRYPTOTRADER_RUNTIME__BOT_PAIRS", '{"aggressive": ["eth/usdt"]}')
    found, _, _ = _replayed(shared_data, tmp_path, capsys)
    by_bot = {bot: {t.pair.symbol for t in found if t.bot is bot} for bot in BotKind}
    assert by_bot[BotKind.AGGRESSIVE] == {"ETH/USDT"}
    assert by_bot[BotKind.SAFE] == {"BTC/USDT", "ETH/USDT"}


@pytest.mark.shared_data
@pytest.mark.asyncio(loop_scope="function")
@pytest.mark.timeout(1800)
async def test_a_bots_pairs_changed_while_running_apply_from_the_next_candle_and_say_so(
    shared_data: Path, tmp_path: Path
) -> None:
    runtime, alerts = await _paced(shared_data, tmp_path)
    try:
        platform = _platform(runtime)
        await platform.add_pair(ADMIN, "binance", "XRP/USDT", ORIGIN)  # known, not in the files
        await runtime.start()
        await _until_traded(runtime, BotKind.AGGRESSIVE, "ETH/USDT")
        async with UnitOfWork(runtime.database) as uow:
            listed = await trades.list_trades(session=uow.session, bot=BotKind.AGGRESSIVE)
        eth_id = next(i for i, t in listed if t.pair.symbol == "ETH/USDT")
        service = BotService(
            database=runtime.database,
            bus=runtime.bus,
            clock=runtime.clock,
            trading=load_settings().trading,
        )
        await service.set_pairs(ADMIN, BotKind.AGGRESSIVE, ["BTC/USDT", "XRP/USDT"], ORIGIN)
        found, applied = await _after_run(runtime, "bot.pairs.applied")
        async with UnitOfWork(runtime.database) as uow:
            kept = next(
                t
                for i, t in await trades.list_trades(session=uow.session, limit=100_000)
                if i == eth_id
            )
    finally:
        await runtime.close()
    (change,) = applied
    assert change["pairs"] == ["BTC/USDT", "XRP/USDT"]
    assert change["untraded"] == ["XRP/USDT"]
    assert change["requested_by"] == "alice"
    since = datetime.fromisoformat(str(change["from_candle"]))
    aggressive = [t for t in found if t.bot is BotKind.AGGRESSIVE]
    # a decision at a candle from ``since`` on fills at a later open: none on ETH/USDT after it
    assert {t.pair.symbol for t in aggressive if t.entry_time > since} <= {"BTC/USDT"}
    assert any(t.pair.symbol == "ETH/USDT" for t in aggressive if t.entry_time <= since)
    assert kept.stop_loss is not None  # the position open at the change kept its protection
    said = [a for a in alerts if a.kind == "bot_pairs_applied"]
    assert [a.details["from_candle"] for a in said] == [change["from_candle"]]
    assert "a replay trades only the pairs of its files" in said[0].text
    untraded = [a for a in alerts if a.kind == "pairs_applied"]
    assert untraded
    assert "no candles for XRP/USDT" in untraded[0].text


@pytest.mark.shared_data
@pytest.mark.asyncio(loop_scope="function")
@pytest.mark.timeout(1800)
async def test_a_pair_activated_while_running_trades_from_its_next_candle(
    shared_data: Path, tmp_path: Path
) -> None:
    runtime, alerts = await _paced(shared_data, tmp_path)
    try:
        eth = await _deactivate(runtime.database, "ETH/USDT")
        await runtime.start()
        await _until_traded(runtime, None, "BTC/USDT")
        platform = _platform(runtime)
        await platform.set_pair_active(ADMIN, eth, True, ORIGIN)
        found, applied = await _after_run(runtime, "pairs.applied")
    finally:
        await runtime.close()
    assert [(a["closed"], a["opened"]) for a in applied] == [
        (["ETH/USDT"], []),  # deactivated at start: said at the first candle
        ([], ["ETH/USDT"]),
    ]
    since = datetime.fromisoformat(str(applied[1]["from_candle"]))
    first_btc = min(t.entry_time for t in found if t.pair.symbol == "BTC/USDT")
    # activated mid-run, once the first trade was recorded: from the candle its entry filled at
    # the open of, or a later one
    assert since >= first_btc
    on_eth = [t for t in found if t.pair.symbol == "ETH/USDT"]
    assert on_eth  # it trades from then on ...
    assert min(t.entry_time for t in on_eth) > since  # ... and not before
    said = [a.details for a in alerts if a.kind == "pairs_applied"]
    assert [d.get("opened") for d in said] == [None, "ETH/USDT"]
