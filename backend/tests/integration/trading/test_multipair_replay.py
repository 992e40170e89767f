"""``cryptotrader run --replay A --replay B``: several pairs traded together, in one process.

Real BTC/USDT and ETH/USDT daily candles from ../shared/data, the real pipeline (market data,
indicators, decisions, one order engine per pair on one paper account), a real database. What
must hold: every trade and every order is recorded under its own pair (client ids name it), both
pairs trade, and the limits across pairs hold at every moment (one position open at most, in
total, when ``runtime.max_open_positions`` is 1).
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cryptotrader.cli import main
from cryptotrader.config import load_settings
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.trades import Trade
from cryptotrader.engines import client_ids
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import ohlcv, orders, pairs, trades
from cryptotrader.persistence.tables import TradingPairRow
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.builders import read_shared_csv

END = datetime.max.replace(tzinfo=UTC)
ROWS = 700  # daily candles per pair: the warm-up (201) and about a year and a half of trading


def _files(shared_data: Path, tmp_path: Path) -> list[str]:
    args = []
    for name in ("binance_ETH-USDT_1d.csv", "binance_BTC-USDT_1d.csv"):
        path = tmp_path / name
        read_shared_csv(shared_data / name, rows=ROWS).to_csv(path, index=False)
        args += ["--replay", str(path)]
    return args


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


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", *args, "-q"])
    _, err = capsys.readouterr()
    assert exit_info.value.code == 0, err


@pytest.mark.shared_data
def test_two_pairs_replayed_together_trade_each_under_its_own_pair(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(_files(shared_data, tmp_path), capsys)
    found, ids, series = _stored()
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
    _run(_files(shared_data, tmp_path), capsys)
    found, _, _ = _stored()
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
            async with UnitOfWork(database) as uow:
                pair_id = await pairs.ensure_pair(
                    session=uow.session, exchange="binance", pair=Pair.parse("ETH/USDT")
                )
                row = await uow.session.get(TradingPairRow, pair_id)
                assert row is not None
                row.is_active = False
                await uow.commit()
        finally:
            await database.dispose()

    asyncio.run(deactivate())
    _run(_files(shared_data, tmp_path), capsys)
    found, _, series = _stored()
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
    _run(_files(shared_data, tmp_path), capsys)
    found, _, _ = _stored()
    by_bot = {bot: {t.pair.symbol for t in found if t.bot is bot} for bot in BotKind}
    assert by_bot[BotKind.AGGRESSIVE] == {"ETH/USDT"}
    assert by_bot[BotKind.SAFE] == {"BTC/USDT", "ETH/USDT"}
