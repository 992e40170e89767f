"""``cryptotrader run`` on a market it cannot trade: one clear line, nothing recorded.

A file whose name does not say its pair (``sol.csv``) was replayed as ``runtime.pair``
(BTC/USDT) without a word; a replay shorter than the strategies' warm-up stored its candles and
traded nothing; a symbol the exchange does not list, or one listed too recently for the warm-up,
must be refused before anything is stored or the database is bound to that market.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cryptotrader.cli import main
from cryptotrader.config import load_settings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import ohlcv
from cryptotrader.persistence.repositories import settings as stored_settings
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.runtime_inputs import SOURCE_KEY
from tests.support.binance_server import BinanceServer
from tests.support.builders import read_shared_csv
from tests.support.feeds import local_binance


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    _, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), err


def one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def recorded() -> tuple[list[Any], Any]:
    """The stored candle series and the market the database is bound to."""

    async def read() -> tuple[list[Any], Any]:
        database = Database(load_settings().database_url)
        await upgrade(database)  # a refusal before the database was opened leaves no file
        try:
            async with UnitOfWork(database) as uow:
                series = await ohlcv.stored_series(session=uow.session)
                bound = await stored_settings.get_setting(session=uow.session, key=SOURCE_KEY)
                return series, bound
        finally:
            await database.dispose()

    return asyncio.run(read())


@pytest.mark.shared_data
def test_replay_of_a_file_whose_pair_cannot_be_told_is_refused_not_recorded_as_btc(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sol.csv"
    read_shared_csv(shared_data / "binance_BTC-USDT_4h.csv", rows=600).to_csv(path, index=False)
    code, err = run(["run", "--replay", str(path)], capsys)
    one_line_error(code, err, "sol.csv", "cannot tell its pair", "--pair")
    series, bound = recorded()
    assert series == []
    assert bound is None
    # told, it trades and records under the pair it was told
    code, err = run(["run", "--replay", str(path), "--pair", "SOL/USDT", "-q"], capsys)
    assert code == 0, err
    series, bound = recorded()
    assert {(s.exchange, s.pair.symbol) for s in series} == {("replay", "SOL/USDT")}
    assert bound["pair"] == "SOL/USDT"
    # the trades, and their P&L by pair, are SOL/USDT's
    with pytest.raises(SystemExit):
        main(["trades"])
    out, _ = capsys.readouterr()
    assert "P&L by pair" in out
    rows = [line for line in out.splitlines() if "USDT" in line]
    assert rows
    assert all("SOL/USDT" in line for line in rows), out


@pytest.mark.shared_data
def test_replay_shorter_than_the_warm_up_is_refused_and_binds_nothing(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "binance_ETH-USDT_4h.csv"
    read_shared_csv(shared_data / "binance_BTC-USDT_4h.csv", rows=120).to_csv(path, index=False)
    code, err = run(["run", "--replay", str(path)], capsys)
    one_line_error(code, err, "ETH/USDT 4h: 120 candles are too few", "warm-up needs at least")
    assert recorded() == ([], None)


@pytest.fixture
def binance(hours: CandleArrays, monkeypatch: pytest.MonkeyPatch) -> Iterator[BinanceServer]:
    markets = {"BTC/USDT": hours, "NEW/USDT": hours.slice(250, 400)}
    with local_binance(markets, monkeypatch) as (server, _):
        yield server


@pytest.mark.shared_data
def test_live_run_on_a_symbol_the_exchange_does_not_list_is_refused_in_one_line(
    binance: BinanceServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRYPTOTRADER_RUNTIME__PAIR", "DOGE/USDT")
    code, err = run(["run", "--no-api"], capsys)
    one_line_error(code, err, "binance has no spot market DOGE/USDT")
    assert recorded() == ([], None)


@pytest.mark.shared_data
def test_live_run_on_a_market_listed_too_recently_for_the_warm_up_is_refused(
    binance: BinanceServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRYPTOTRADER_RUNTIME__PAIR", "NEW/USDT")
    code, err = run(["run", "--no-api"], capsys)
    one_line_error(code, err, "closed NEW/USDT 1h candles, too few", "warm-up needs 201")
    assert recorded() == ([], None)


def test_live_run_whose_configured_history_is_shorter_than_the_warm_up_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRYPTOTRADER_EXCHANGE__BASE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("CRYPTOTRADER_RUNTIME__HISTORY_CANDLES", "100")
    code, err = run(["run", "--no-api"], capsys)
    one_line_error(code, err, "runtime.history_candles = 100 is too few", "201")
    assert recorded() == ([], None)


def _several(shared_data: Path, tmp_path: Path, *names: str, rows: int = 600) -> list[str]:
    """``--replay`` options of files named ``names``, each cut from the shared BTC/USDT 4h file."""
    args = []
    for name in names:
        path = tmp_path / name
        read_shared_csv(shared_data / "binance_BTC-USDT_4h.csv", rows=rows).to_csv(
            path, index=False
        )
        args += ["--replay", str(path)]
    return args


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("names", "extra", "fragments"),
    [
        (
            ("binance_BTC-USDT_4h.csv", "sol.csv"),
            [],
            ("sol.csv", "cannot tell its pair", "--pair"),
        ),
        (
            ("binance_BTC-USDT_4h.csv", "kraken_BTC-USDT_4h.csv"),
            [],
            ("two files of BTC/USDT", "one file per pair"),
        ),
        (
            ("binance_BTC-USDT_4h.csv", "binance_ETH-USDT_4h.csv"),
            ["--pair", "SOL/USDT"],
            ("--pair names the pair of one file",),
        ),
        (
            ("binance_BTC-USDT_4h.csv", "binance_ETH-BTC_4h.csv"),
            [],
            ("quoted in BTC, USDT",),
        ),
    ],
)
def test_several_files_that_cannot_trade_together_are_refused_in_one_line_and_record_nothing(
    names: tuple[str, ...],
    extra: list[str],
    fragments: tuple[str, ...],
    *,
    shared_data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = run(["run", *_several(shared_data, tmp_path, *names), *extra], capsys)
    one_line_error(code, err, *fragments)
    assert recorded() == ([], None)


@pytest.mark.shared_data
def test_several_files_one_too_short_for_the_warm_up_are_refused_and_bind_nothing(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long = _several(shared_data, tmp_path, "binance_BTC-USDT_4h.csv")
    short = _several(shared_data, tmp_path, "binance_ETH-USDT_4h.csv", rows=120)
    code, err = run(["run", *long, *short], capsys)
    one_line_error(code, err, "ETH/USDT 4h: 120 candles are too few", "warm-up needs at least")
    assert recorded() == ([], None)


@pytest.mark.shared_data
def test_several_files_of_one_pair_for_an_engine_process_are_refused_in_one_line(
    shared_data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An engine process takes several files as run does, and refuses what run refuses."""
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # never reached: refused before
    files = _several(shared_data, tmp_path, "binance_BTC-USDT_4h.csv", "kraken_BTC-USDT_4h.csv")
    code, err = run(["engine", "market-data", *files], capsys)
    one_line_error(code, err, "two files of BTC/USDT", "one file per pair")
    assert recorded() == ([], None)
