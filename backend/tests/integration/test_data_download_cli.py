"""``cryptotrader data download`` end to end: real ccxt, a local Binance server, the real CLI.

The CLI uses the wall clock, so the server here runs on the wall clock too and serves a
deterministic synthetic series (tests/support/builders.random_walk) that reaches the present.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from cryptotrader.cli import main
from cryptotrader.config import load_settings
from cryptotrader.domain import CandleArrays, Pair, Timeframe
from cryptotrader.marketdata import read_ohlcv, write_ohlcv
from cryptotrader.marketdata.frames import candle_frame
from cryptotrader.persistence.candles import open_candle_store
from tests.support.binance_server import BinanceServer
from tests.support.builders import random_walk
from tests.support.exchange_server import DROP, Fault, Listing, closed_port, running

pytestmark = pytest.mark.timeout(900)

HOUR = 3_600_000
CLI = Path(sys.executable).parent / "cryptotrader"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), out, err


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def recent_hours() -> CandleArrays:
    """1,500 synthetic hourly candles whose last ones lie in the future (served up to now)."""
    now_bucket = (time.time_ns() // 1_000_000) // HOUR * HOUR
    series = random_walk(1_500, seed=3, step_ms=HOUR)
    shift = now_bucket + 3 * HOUR - int(series.timestamps[-1])
    columns = (series.open, series.high, series.low, series.close, series.volume)
    return CandleArrays(series.timestamps + shift, *columns)


@pytest.fixture
def binance(recent_hours: CandleArrays) -> Iterator[BinanceServer]:
    server = BinanceServer()  # wall clock, like the CLI
    server.list_market(Listing("BTCUSDT", "BTC", "USDT", {Timeframe.H1: recent_hours}))
    with running(server):
        yield server


def assert_closed_prefix(got: CandleArrays, served: CandleArrays) -> None:
    """``got`` is the served series from its start, without holes, up to a closed candle."""
    n = len(got)
    for name in ("timestamps", "open", "high", "low", "close", "volume"):
        np.testing.assert_array_equal(getattr(got, name), getattr(served, name)[:n], err_msg=name)
    now = time.time_ns() // 1_000_000
    assert int(got.timestamps[-1]) + HOUR <= now  # the forming candle is not there
    assert int(got.timestamps[-1]) + 3 * HOUR > now  # ... and the last closed one is


def test_data_download_when_out_given_writes_the_closed_candles(
    binance: BinanceServer,
    recent_hours: CandleArrays,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "btc.parquet"
    since = f"{np.datetime64(int(recent_hours.timestamps[0]), 'ms')}Z"
    args = ["data", "download", "-e", "binance", "-p", "BTC/USDT", "-t", "1h"]
    code, stdout, _ = run(
        [*args, "--since", since, "--out", str(out), "--base-url", binance.base_url], capsys
    )
    assert code == 0
    assert "new candles" in stdout
    assert_closed_prefix(read_ohlcv(out).arrays, recent_hours)
    assert len(binance.calls("/api/v3/klines")) == 2  # 1,000 + the rest


def test_data_download_when_store_used_then_listed_by_info(
    binance: BinanceServer, recent_hours: CandleArrays, capsys: pytest.CaptureFixture[str]
) -> None:
    since = f"{np.datetime64(int(recent_hours.timestamps[500]), 'ms')}+00:00"
    args = ["data", "download", "-p", "btcusdt", "-t", "1h", "--base-url", binance.base_url]
    assert run([*args, "--since", since], capsys)[0] == 0
    code, stdout, _ = run(args, capsys)  # again: resumes, nothing or one new candle
    assert code == 0
    assert "binance BTC/USDT 1h" in stdout
    code, stdout, _ = run(["data", "info"], capsys)
    assert code == 0
    assert "binance" in stdout
    assert_closed_prefix(asyncio.run(stored_btc_hours()), recent_hours.slice(500, 1_500))


async def stored_btc_hours() -> CandleArrays:
    async with open_candle_store(load_settings()) as store:
        return await store.read_arrays(
            exchange="binance", pair=Pair.parse("BTC/USDT"), timeframe=Timeframe.H1
        )


def test_data_download_when_connection_drops_keeps_previous_out_file(
    binance: BinanceServer,
    recent_hours: CandleArrays,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "btc.csv"
    write_ohlcv(candle_frame(recent_hours.slice(0, 100)), out)
    before = out.read_bytes()
    binance.outage("/api/v3/klines", after=1, fault=Fault(DROP))
    args = ["data", "download", "-p", "BTC/USDT", "-t", "1h", "--out", str(out)]
    code, _, err = run([*args, "--base-url", binance.base_url], capsys)
    assert_one_line_error(code, err, "binance: cannot reach 127.0.0.1", "gave up after 4 attempts")
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["btc.csv"]
    first = binance.calls("/api/v3/klines")[0]
    assert int(first.params["startTime"]) == int(recent_hours.timestamps[100])  # resumed


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        (["-e", "krakken"], ["unknown exchange 'krakken'", "did you mean 'kraken'"]),
        (["-t", "2h"], ["unknown timeframe '2h'"]),
        (["-p", "BTC/EUR"], ["binance has no market BTC/EUR", "did you mean 'BTC/USDT'"]),
        (["--since", "last tuesday"], ["--since: cannot read 'last tuesday' as a date"]),
        (["--out", "btc.json"], ["unsupported file type"]),
        (["--base-url", "127.0.0.1:80"], ["must look like https://host"]),
        (["--since", "2024-02-01", "--until", "2024-01-01"], ["--until must be later"]),
    ],
)
def test_data_download_when_input_bad_fails_in_one_line_and_writes_nothing(
    binance: BinanceServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    fragments: list[str],
) -> None:
    # each option once: a default is left out where the case gives its own (a repeated
    # option is refused before anything else is read)
    defaults = {"-p": "BTC/USDT", "-t": "1h", "--out": str(tmp_path / "o.csv")}
    defaults["--base-url"] = binance.base_url
    args = [part for flag, value in defaults.items() if flag not in extra for part in (flag, value)]
    code, _, err = run(["data", "download", *args, *extra], capsys)
    assert_one_line_error(code, err, *fragments)
    assert list(tmp_path.iterdir()) == []
    assert binance.calls("/api/v3/klines") == []


def test_data_download_when_host_unreachable_exits_2_with_one_line_on_stderr(
    tmp_path: Path,
) -> None:
    port = closed_port()
    out = tmp_path / "btc.csv"
    args = [str(CLI), "data", "download", "-e", "binance", "-p", "BTC/USDT", "-t", "1h"]
    done = subprocess.run(  # noqa: S603 - our own entry point, fixed arguments
        [*args, "--out", str(out), "--base-url", f"http://127.0.0.1:{port}"],
        capture_output=True,
        text=True,
        timeout=600,  # bounded (it gives up after 4 attempts); a hang guard, not a speed check
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"error: binance: cannot reach 127.0.0.1:{port} (connection refused)"
        " (gave up after 4 attempts)\n"
    )
    assert list(tmp_path.iterdir()) == []
