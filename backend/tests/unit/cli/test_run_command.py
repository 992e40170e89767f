"""``cryptotrader run | engine | trades | demo``: what a person sees, and what is refused.

Every refusal is one line on stderr with exit code 2. Paper trading never reads the stored API
keys; live trading needs every lock open and says which are closed.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from cryptotrader.cli import main
from cryptotrader.config import load_settings
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import api_keys, ohlcv
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.builders import read_shared_csv


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), out, err


def one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def series(shared_data: Path, tmp_path: Path) -> Path:
    """1,500 real 4h candles of BTC/USDT."""
    path = tmp_path / "binance_BTC-USDT_4h.csv"
    read_shared_csv(shared_data / "binance_BTC-USDT_4h.csv", rows=1500).to_csv(path, index=False)
    return path


@pytest.mark.shared_data
def test_run_replay_then_trades_lists_what_the_bots_did(
    series: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["run", "--replay", str(series)], capsys)
    assert code == 0, err
    assert "paper trading on a replay" in err
    assert "realised P&L" in out
    # the live view: one line per trade opened and closed, the summary says what this run did
    opened = [line for line in err.splitlines() if " opened  " in line]
    closed = [line for line in err.splitlines() if " closed  " in line and "P&L" in line]
    assert opened
    assert closed
    assert f"this run: {len(opened)} trades opened, {len(closed)} closed" in out
    assert "reallocations (" in out
    assert "open position" in out  # the open positions table, or "no open position"
    code, out, _ = run(["trades", "--json"], capsys)
    assert code == 0
    listed = json.loads(out)
    assert listed
    assert {"id", "bot", "pair", "entry_price", "entry_time", "quantity", "pnl", "status"} <= set(
        listed[0]
    )
    assert isinstance(listed[0]["entry_price"], str)  # money as text
    code, out, _ = run(["trades", "--bot", "safe", "--json"], capsys)
    assert {t["bot"] for t in json.loads(out)} <= {"safe"}
    code, out, _ = run(["trades"], capsys)
    assert f"{len(listed):,} trades (newest first, times in UTC)" in out
    code, out, _ = run(["trades", "--limit", "1"], capsys)
    assert f"the newest 1 of {len(listed):,} trades" in out  # a listing says how many exist
    code, out, _ = run(["trades", "--pair", "ETH/USDT", "--json"], capsys)
    assert (code, json.loads(out)) == (0, [])  # the replay traded BTC/USDT only
    code, out, _ = run(["trades", "--pair", "BTC/USDT"], capsys)
    assert f"{len(listed):,} trades (newest first, times in UTC)" in out
    # the same replay again resumes at its end: it says so and how to start over
    code, out, err = run(["run", "--replay", str(series)], capsys)
    assert code == 0, err
    assert "nothing left to replay" in err
    unwrapped = "".join(err.split())  # rich folds long lines, even inside a path
    assert f"CRYPTOTRADER_DATA_DIR=DIRcryptotraderrun--replay{series}" in unwrapped
    assert "this run: 0 trades opened, 0 closed" in out


@pytest.mark.shared_data
def test_run_replay_when_api_keys_are_stored_never_reads_them_in_paper_mode(
    series: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def store_unreadable_key() -> None:
        database = Database(load_settings().database_url)
        await upgrade(database)
        async with UnitOfWork(database) as uow:
            await api_keys.put_api_key(
                session=uow.session,
                exchange="binance",
                ciphertexts=("not-a-fernet-token", "neither", None),
                updated_by="test",
            )
            await uow.commit()
        await database.dispose()

    asyncio.run(store_unreadable_key())
    code, _, err = run(["run", "--replay", str(series)], capsys)
    assert code == 0, err  # decrypting would have failed: the keys were never touched


@pytest.mark.shared_data
def test_run_replay_when_the_database_holds_another_replay_refuses_to_mix_them(
    series: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["run", "--replay", str(series)], capsys)[0] == 0
    other = tmp_path / "binance_BTC-USDT_4h_other.csv"
    read_shared_csv(series, rows=1000).to_csv(other, index=False)
    code, _, err = run(["run", "--replay", str(other)], capsys)
    one_line_error(code, err, "this database trades", "CRYPTOTRADER_DATA_DIR")


def test_run_when_the_exchange_is_unreachable_says_so_and_how_to_replay(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRYPTOTRADER_EXCHANGE__BASE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("CRYPTOTRADER_EXCHANGE__TIMEOUT_S", "2")
    code, _, err = run(["run", "--no-api"], capsys)
    one_line_error(code, err, "binance is unreachable", "cryptotrader run --replay FILE", "demo")


@pytest.mark.shared_data
def test_run_when_offline_then_replay_follows_the_readme_order(
    series: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRYPTOTRADER_EXCHANGE__BASE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("CRYPTOTRADER_EXCHANGE__TIMEOUT_S", "2")
    assert run(["run", "--no-api"], capsys)[0] == 2  # offline: traded nothing, bound nothing
    code, _, err = run(["run", "--no-api", "--replay", str(series)], capsys)
    assert code == 0, err

    async def stored_exchanges() -> set[str]:
        database = Database(load_settings().database_url)
        try:
            async with UnitOfWork(database) as uow:
                return {s.exchange for s in await ohlcv.stored_series(session=uow.session)}
        finally:
            await database.dispose()

    # stored under the file's exchange, where the API's backtests look for them
    assert asyncio.run(stored_exchanges()) == {"binance"}
    code, _, err = run(["run", "--no-api"], capsys)  # a replay's database is not a live one's
    one_line_error(code, err, "a replay of BTC/USDT 4h from binance", "not live BTC/USDT")


@pytest.mark.parametrize(
    ("env", "fragments"),
    [
        ({}, ["--i-understand-real-money", "exchange.mode = live", "live_trading_enabled"]),
        (
            {
                "CRYPTOTRADER_EXCHANGE__MODE": "live",
                "CRYPTOTRADER_TRADING__LIVE_TRADING_ENABLED": "true",
            },
            ["--i-understand-real-money"],
        ),
    ],
)
def test_run_live_when_a_lock_is_closed_lists_the_closed_ones(
    env: dict[str, str],
    fragments: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, _, err = run(["run", "--live"], capsys)
    one_line_error(code, err, "live trading needs", *fragments)


def test_run_live_when_no_key_is_stored_refuses(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRYPTOTRADER_EXCHANGE__MODE", "live")
    monkeypatch.setenv("CRYPTOTRADER_TRADING__LIVE_TRADING_ENABLED", "true")
    monkeypatch.setenv("CRYPTOTRADER_EXCHANGE__BASE_URL", "http://127.0.0.1:1")
    code, _, err = run(["run", "--live", "--i-understand-real-money"], capsys)
    one_line_error(code, err, "no API key stored for binance")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["engine", "order"], "REDIS_URL"),
        (["engine", "orders"], "unknown engine 'orders'"),
        (["engine", "order", "--workers", "2"], "engine order runs as one process"),
        (["run", "--replay", "x.csv", "--speed", "fast"], "--speed 'fast'"),
        (["run", "--replay", "x.csv", "--speed", "0"], "must be > 0"),
        (["trades", "--bot", "greedy"], "expected safe or aggressive"),
    ],
)
def test_commands_when_given_bad_input_answer_with_one_line(
    args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(args, capsys)
    one_line_error(code, err, fragment)


def test_demo_when_run_says_the_market_is_synthetic(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["demo", "--candles", "600"], capsys)
    assert code == 0, err
    assert "SYNTHETIC" in err
    assert "NOT real prices" in " ".join(err.split())
    assert "realised P&L" in out


@pytest.mark.shared_data
def test_run_replay_with_json_log_format_prints_one_json_object_per_event(
    series: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["run", "--replay", str(series), "--log-format", "json"], capsys)
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    kinds = {event.get("kind") for event in events}
    assert {"trade_opened", "trade_closed", "summary"} <= kinds
    assert events[-1]["kind"] == "summary"
    assert {row["bot"] for row in events[-1]["bots"]} == {"safe", "aggressive"}
    assert all(isinstance(row["capital"], str) for row in events[-1]["bots"])  # money as text


def test_run_refuses_an_unknown_log_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["run", "--replay", "x.csv", "--log-format", "xml"], capsys)
    assert code == 2
    assert err.strip() == "error: --log-format 'xml': expected live or json"
