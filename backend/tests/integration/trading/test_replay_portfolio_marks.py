"""The portfolio of a two-pair replay prices every open position from its own pair's candles.

``run --replay A --replay B`` records its paper trades under the ``paper`` venue and the
replayed candles under their source (``binance``); the portfolio must still mark each open
position at its own pair's newest close the replay has reached. Real BTC/USDT and ETH/USDT daily
candles from ../shared/data, cut at 2019-04-14: both pairs then hold an open position when the
replay ends.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from cryptotrader.cli import main
from cryptotrader.config import load_settings
from cryptotrader.domain.enums import BotKind, Side
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import trades
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.services.context import Actor, Role
from cryptotrader.services.portfolio import PortfolioService
from tests.support.builders import read_shared_csv

ROWS = 606  # 2017-08-17 to 2019-04-14: a BTC and an ETH position are open at the end
LAST_CLOSE = {"BTC/USDT": Decimal("5131.3"), "ETH/USDT": Decimal("167.23")}
"""The files' last closes (their 2019-04-14 candles)."""
VIEWER = Actor(user_id=1, username="viewer", role=Role.VIEWER)


FILES = {"BTC/USDT": "binance_BTC-USDT_1d.csv", "ETH/USDT": "binance_ETH-USDT_1d.csv"}


def _files(shared_data: Path, tmp_path: Path) -> list[str]:
    args = []
    for name in FILES.values():
        path = tmp_path / name
        read_shared_csv(shared_data / name, rows=ROWS).to_csv(path, index=False)
        args += ["--replay", str(path)]
    return args


async def _store_the_files_later_candles(shared_data: Path) -> None:
    """Store the 30 candles after 2019-04-14, as a replay of the longer file has stored them
    before publishing them; the runtime stopped at 2019-04-14 has not reached them."""
    database = Database(load_settings().database_url)
    try:
        store = SqlCandleStore(database)
        for symbol, name in FILES.items():
            later = read_shared_csv(shared_data / name, rows=ROWS + 30).iloc[ROWS:]
            assert (later["close"] != float(LAST_CLOSE[symbol])).all()
            price = {c: later[c].to_numpy(np.float64) for c in ("open", "high", "low", "close")}
            candles = CandleArrays(
                timestamps=later["timestamp"].to_numpy(np.int64),
                open=price["open"],
                high=price["high"],
                low=price["low"],
                close=price["close"],
                volume=later["volume"].to_numpy(np.float64),
            )
            await store.write(
                exchange="binance", pair=Pair.parse(symbol), timeframe=Timeframe.D1, candles=candles
            )
    finally:
        await database.dispose()


async def _read() -> tuple[dict[BotKind, tuple[Decimal, int]], dict[BotKind, Decimal]]:
    """Each bot's unrealised P&L and unpriced positions, and what the last closes make of them."""
    settings = load_settings()
    database = Database(settings.database_url)
    try:
        view = await PortfolioService(database=database, settings=settings).portfolio(VIEWER)
        async with UnitOfWork(database) as uow:
            listed = await trades.list_trades(session=uow.session, limit=100_000)
    finally:
        await database.dispose()
    held = [t for _, t in listed if t.exit_time is None]
    assert {t.pair.symbol for t in held} == set(LAST_CLOSE)  # both pairs hold a position
    expected = dict.fromkeys(BotKind, Decimal(0))
    for trade in held:
        direction = 1 if trade.side is Side.BUY else -1
        gross = (LAST_CLOSE[trade.pair.symbol] - trade.entry_price) * trade.quantity * direction
        expected[trade.bot] += (gross - trade.fees).quantize(Decimal("0.00000001"))
    got = {b.bot: (b.unrealised_pnl, b.unpriced_positions) for b in view.bots}
    return got, expected


@pytest.mark.shared_data
def test_two_pairs_replayed_price_each_open_position_at_its_own_pairs_last_close(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", *_files(shared_data, tmp_path), "-q"])
    _, err = capsys.readouterr()
    assert exit_info.value.code == 0, err
    got, expected = asyncio.run(_read())
    assert got == {bot: (pnl, 0) for bot, pnl in expected.items()}


@pytest.mark.shared_data
def test_a_replay_marks_open_positions_at_the_close_it_reached_not_the_files_last(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A replay stores its whole file before publishing it: the stored candles after the one
    the runtime reached are prices from its future, never a mark (a paced replay, part done)."""
    with pytest.raises(SystemExit) as exit_info:
        main(["run", *_files(shared_data, tmp_path), "-q"])
    _, err = capsys.readouterr()
    assert exit_info.value.code == 0, err
    asyncio.run(_store_the_files_later_candles(shared_data))
    got, expected = asyncio.run(_read())
    assert got == {bot: (pnl, 0) for bot, pnl in expected.items()}
