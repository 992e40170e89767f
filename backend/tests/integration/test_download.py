"""Downloads with real ccxt (Binance and Kraken classes) against local servers on 127.0.0.1.

The servers (tests/support/exchange_server.py) answer like the exchanges' public REST APIs and
serve real Binance BTC/USDT hourly candles from ../shared/data (the Kraken server serves the same
candles under Kraken's market id XBTUSDT: Kraken's own history is not in the shared data).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from cryptotrader.clock import TestClock
from cryptotrader.domain import CandleArrays, Pair, Timeframe
from cryptotrader.errors import (
    NetworkUnavailableError,
    RateLimitedError,
    TemporaryError,
    UnknownNameError,
)
from cryptotrader.exchanges.ccxt import open_exchange
from cryptotrader.exchanges.ccxt.download import (
    CandleDownloader,
    DownloadProgress,
    DownloadRequest,
    DownloadResult,
    Unavailable,
)
from cryptotrader.marketdata import read_ohlcv
from cryptotrader.marketdata.file_store import FileCandleStore
from cryptotrader.marketdata.sinks import CandleSink, FileSink, StoreSink
from cryptotrader.retry import RetryPolicy
from tests.support.binance_server import BINANCE_RATE_LIMIT_BODY, BinanceServer
from tests.support.exchange_server import DROP, ExchangeServer, Fault, Listing, closed_port, running
from tests.support.kraken_server import KRAKEN_RATE_LIMIT_BODY, KrakenServer

pytestmark = pytest.mark.timeout(900)

BTC = Pair.parse("BTC/USDT")
H1 = Timeframe.H1
HOUR = 3_600_000
SERVED = 2_600  # candles the servers hold; the one at index FORMING is still forming
FORMING = 2_500
FAST = RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=0.05)
KLINES = "/api/v3/klines"
OHLC = "/0/public/OHLC"


@pytest.fixture(scope="module")
def hours(shared_data: Path) -> CandleArrays:
    """The first 2,600 real BTC/USDT hours (August-December 2017, outages included)."""
    candles = read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays.slice(0, SERVED)
    assert np.any(np.diff(candles.timestamps) > HOUR), "the sample should include real gaps"
    return candles


def now_inside(candles: CandleArrays, index: int) -> int:
    """Half-way through candle ``index``: it is forming, the one before has closed."""
    return int(candles.timestamps[index]) + HOUR // 2


@pytest.fixture
def binance(hours: CandleArrays) -> Iterator[BinanceServer]:
    server = BinanceServer(now_ms=now_inside(hours, FORMING))
    server.list_market(Listing("BTCUSDT", "BTC", "USDT", {H1: hours}))
    with running(server):
        yield server


@pytest.fixture
def kraken(hours: CandleArrays) -> Iterator[KrakenServer]:
    server = KrakenServer(now_ms=now_inside(hours, FORMING))
    server.list_market(Listing("XBTUSDT", "XXBT", "USDT", {H1: hours}))
    with running(server):
        yield server


@pytest.fixture
def store(tmp_path: Path) -> FileCandleStore:
    return FileCandleStore(tmp_path / "candles")


def store_sink(store: FileCandleStore, exchange: str = "binance") -> StoreSink:
    return StoreSink(store, exchange=exchange, pair=BTC, timeframe=H1)


async def download(
    server: ExchangeServer,
    sink: CandleSink,
    *,
    since: int | None = None,
    until: int | None = None,
    pair: Pair = BTC,
    retry: RetryPolicy = FAST,
    progress: list[DownloadProgress] | None = None,
) -> DownloadResult:
    exchange_id = "kraken" if isinstance(server, KrakenServer) else "binance"
    async with open_exchange(
        exchange_id, base_url=server.base_url, timeout_s=5, rate_limit_ms=1
    ) as exchange:
        downloader = CandleDownloader(
            exchange=exchange,
            clock=TestClock(server.now_ms),
            retry=retry,
            progress=None if progress is None else progress.append,
        )
        return await downloader.download(DownloadRequest(pair, H1, since, until), sink)


async def stored(store: FileCandleStore, exchange: str = "binance") -> CandleArrays:
    return await store.read_arrays(exchange=exchange, pair=BTC, timeframe=H1)


def assert_same(a: CandleArrays, b: CandleArrays) -> None:
    for name in ("timestamps", "open", "high", "low", "close", "volume"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def start_times(server: ExchangeServer) -> list[int]:
    return [int(r.params["startTime"]) for r in server.calls(KLINES)]


# ---------------------------------------------------------------- Binance: paging


@pytest.mark.asyncio
async def test_binance_download_when_history_spans_pages_stores_exactly_the_served_candles(
    binance: BinanceServer, store: FileCandleStore, hours: CandleArrays
) -> None:
    progress: list[DownloadProgress] = []
    result = await download(
        binance, store_sink(store), since=int(hours.timestamps[0]), progress=progress
    )
    assert_same(await stored(store), hours.slice(0, FORMING))
    assert result.fetched == FORMING
    assert (result.first_ms, result.last_ms) == (
        int(hours.timestamps[0]),
        int(hours.timestamps[FORMING - 1]),
    )
    calls = binance.calls(KLINES)
    assert [c.params["limit"] for c in calls] == ["1000", "1000", "1000"]
    # every page starts one hour after the last candle of the page before
    assert start_times(binance) == [
        int(hours.timestamps[0]),
        int(hours.timestamps[999]) + HOUR,
        int(hours.timestamps[1999]) + HOUR,
    ]
    assert result.unavailable == []
    # spot markets only: one exchangeInfo, none of the futures hosts' endpoints
    assert [r.path for r in binance.requests if r.path != KLINES] == ["/api/v3/exchangeInfo"]
    assert progress[-1].done_ms == progress[-1].total_ms
    assert progress[-1].fetched == FORMING


@pytest.mark.asyncio
async def test_binance_download_when_no_since_starts_at_the_beginning_of_history(
    binance: BinanceServer, store: FileCandleStore, hours: CandleArrays
) -> None:
    result = await download(binance, store_sink(store))
    assert start_times(binance)[0] == 0
    assert_same(await stored(store), hours.slice(0, FORMING))
    assert result.unavailable == []  # "from the beginning" is not a shortfall


@pytest.mark.asyncio
async def test_binance_download_when_until_given_stops_before_it(
    binance: BinanceServer, store: FileCandleStore, hours: CandleArrays
) -> None:
    until = int(hours.timestamps[1500])
    await download(binance, store_sink(store), since=int(hours.timestamps[0]), until=until)
    assert_same(await stored(store), hours.slice(0, 1500))


# ---------------------------------------------------------------- Binance: resuming


@pytest.mark.asyncio
async def test_binance_download_when_interrupted_resumes_without_duplicates_or_holes(
    binance: BinanceServer, store: FileCandleStore, hours: CandleArrays
) -> None:
    binance.outage(KLINES, after=1, fault=Fault(DROP))  # connection dropped after one page
    with pytest.raises(NetworkUnavailableError, match="gave up after 3 attempts"):
        await download(binance, store_sink(store), since=int(hours.timestamps[0]))
    assert_same(await stored(store), hours.slice(0, 1000))  # the first page was kept

    binance.end_outage(KLINES)
    seen = len(binance.calls(KLINES))
    result = await download(binance, store_sink(store), since=int(hours.timestamps[0]))
    assert_same(await stored(store), hours.slice(0, FORMING))
    assert result.fetched == FORMING - 1000
    resumed = [int(c.params["startTime"]) for c in binance.calls(KLINES)[seen:]]
    assert resumed[0] == int(hours.timestamps[999]) + HOUR  # right after the last stored candle


@pytest.mark.asyncio
async def test_binance_download_when_since_before_stored_fetches_only_the_older_part(
    binance: BinanceServer, store: FileCandleStore, hours: CandleArrays
) -> None:
    await store_sink(store).write(hours.slice(1000, FORMING))
    result = await download(binance, store_sink(store), since=int(hours.timestamps[0]))
    assert_same(await stored(store), hours.slice(0, FORMING))
    assert result.fetched == 1000
    assert all(t < int(hours.timestamps[1000]) for t in start_times(binance))


@pytest.mark.asyncio
async def test_binance_download_when_up_to_date_asks_for_no_candles(
    binance: BinanceServer, store: FileCandleStore, hours: CandleArrays
) -> None:
    await download(binance, store_sink(store), since=int(hours.timestamps[0]))
    before = len(binance.calls(KLINES))
    result = await download(binance, store_sink(store))
    assert result.up_to_date
    assert len(binance.calls(KLINES)) == before


@pytest.mark.asyncio
async def test_binance_download_when_file_sink_interrupted_keeps_previous_file_then_resumes(
    binance: BinanceServer, tmp_path: Path, hours: CandleArrays
) -> None:
    out = tmp_path / "out" / "btc.csv.gz"
    first = int(hours.timestamps[0])
    await download(binance, FileSink(out, H1), since=first, until=int(hours.timestamps[1000]))
    before = out.read_bytes()

    binance.outage(KLINES, after=1, fault=Fault(503, {"code": -1001, "msg": "Internal error."}))
    with pytest.raises(
        TemporaryError, match=r"Internal error\. \(code -1001\) \(gave up after 3 attempts\)"
    ):
        await download(binance, FileSink(out, H1))
    assert out.read_bytes() == before  # the previous file is intact ...
    assert [p.name for p in out.parent.iterdir()] == ["btc.csv.gz"]  # ... and nothing partial

    binance.end_outage(KLINES)
    seen = len(binance.calls(KLINES))
    await download(binance, FileSink(out, H1))
    assert_same(read_ohlcv(out).arrays, hours.slice(0, FORMING))
    assert int(binance.calls(KLINES)[seen].params["startTime"]) == int(hours.timestamps[1000])


# ---------------------------------------------------------------- Binance: forming candle


@pytest.mark.asyncio
async def test_binance_download_when_last_candle_forming_stores_it_only_once_closed(
    binance: BinanceServer, store: FileCandleStore, hours: CandleArrays
) -> None:
    await download(binance, store_sink(store), since=int(hours.timestamps[0]))
    assert (await stored(store)).timestamps[-1] == hours.timestamps[FORMING - 1]

    binance.now_ms = int(hours.timestamps[FORMING + 1])  # FORMING has just closed
    result = await download(binance, store_sink(store))
    assert result.fetched == 1
    assert_same(await stored(store), hours.slice(0, FORMING + 1))


# ---------------------------------------------------------------- Binance: errors


@pytest.mark.asyncio
async def test_binance_download_when_rate_limited_waits_retry_after_then_succeeds(
    binance: BinanceServer, store: FileCandleStore, hours: CandleArrays
) -> None:
    binance.inject(
        KLINES,
        Fault(429, BINANCE_RATE_LIMIT_BODY, {"Retry-After": "1"}),
        Fault(418, BINANCE_RATE_LIMIT_BODY, {"Retry-After": "0"}),
    )
    progress: list[DownloadProgress] = []
    await download(binance, store_sink(store), since=int(hours.timestamps[0]), progress=progress)
    assert_same(await stored(store), hours.slice(0, FORMING))
    calls = binance.calls(KLINES)
    assert [c.status for c in calls[:3]] == [429, 418, 200]
    assert calls[1].at - calls[0].at >= 0.95  # Retry-After: 1 was honoured
    assert any(p.retrying and "rate limited" in p.retrying for p in progress)


@pytest.mark.asyncio
async def test_binance_download_when_banned_for_long_fails_at_once(
    binance: BinanceServer, store: FileCandleStore
) -> None:
    binance.inject(KLINES, Fault(418, BINANCE_RATE_LIMIT_BODY, {"Retry-After": "7200"}))
    started = time.monotonic()
    with pytest.raises(RateLimitedError, match=r"HTTP 418\), asked to wait 7200 s"):
        await download(binance, store_sink(store))
    assert time.monotonic() - started < 300  # at once: not the 7200 s asked (a loaded machine)
    assert len(binance.calls(KLINES)) == 1


@pytest.mark.asyncio
async def test_binance_download_when_host_unreachable_fails_within_bounded_time(
    store: FileCandleStore,
) -> None:
    port = closed_port()
    dead_url = f"http://127.0.0.1:{port}"

    async def download_from_dead_host() -> None:
        async with open_exchange("binance", base_url=dead_url, timeout_s=2) as exchange:
            downloader = CandleDownloader(exchange=exchange, clock=TestClock(0))  # default policy
            await downloader.download(DownloadRequest(BTC, H1), store_sink(store))

    started = time.monotonic()
    with pytest.raises(NetworkUnavailableError) as error:
        await download_from_dead_host()
    elapsed = time.monotonic() - started
    assert elapsed < 300  # bounded (default policy: 4 attempts, 3.5 s of waiting), on any machine
    assert str(error.value) == (
        f"binance: cannot reach 127.0.0.1:{port} (connection refused) (gave up after 4 attempts)"
    )
    assert await store.series() == []


@pytest.mark.asyncio
async def test_binance_download_when_pair_not_listed_suggests_a_listed_one(
    binance: BinanceServer, store: FileCandleStore
) -> None:
    with pytest.raises(
        UnknownNameError, match=r"binance has no market ETH/USDT; did you mean 'BTC/USDT'"
    ):
        await download(binance, store_sink(store), pair=Pair.parse("ETH/USDT"))
    assert binance.calls(KLINES) == []


@pytest.mark.asyncio
async def test_binance_download_when_exchange_answers_invalid_symbol_raises_unknown_name(
    binance: BinanceServer, store: FileCandleStore
) -> None:
    binance.inject(KLINES, Fault(400, {"code": -1121, "msg": "Invalid symbol."}))
    with pytest.raises(UnknownNameError, match=r"Invalid symbol\. \(code -1121\)"):
        await download(binance, store_sink(store))
    assert len(binance.calls(KLINES)) == 1  # not retried


@pytest.mark.asyncio
async def test_binance_download_when_since_before_listing_reports_where_data_starts(
    binance: BinanceServer, store: FileCandleStore, hours: CandleArrays
) -> None:
    asked = int(hours.timestamps[0]) - 10 * 24 * HOUR
    result = await download(binance, store_sink(store), since=asked)
    assert result.unavailable == [Unavailable(asked, int(hours.timestamps[0]))]
    assert result.history_note is None


# ---------------------------------------------------------------- Kraken


@pytest.mark.asyncio
async def test_kraken_download_when_since_older_than_its_window_gets_720_and_says_so(
    kraken: KrakenServer, store: FileCandleStore, hours: CandleArrays
) -> None:
    result = await download(kraken, store_sink(store, "kraken"), since=int(hours.timestamps[0]))
    window_start = FORMING + 1 - KrakenServer.HISTORY  # 720 served, the last one forming
    assert_same(await stored(store, "kraken"), hours.slice(window_start, FORMING))
    assert result.fetched == KrakenServer.HISTORY - 1
    assert result.unavailable == [
        Unavailable(int(hours.timestamps[0]), int(hours.timestamps[window_start]))
    ]
    assert result.history_note is not None
    assert "720" in result.history_note
    assert sorted(r.path for r in kraken.requests) == [
        "/0/public/AssetPairs",
        "/0/public/Assets",
        OHLC,
    ]


@pytest.mark.asyncio
async def test_kraken_download_when_resuming_inside_window_fetches_only_new_candles(
    kraken: KrakenServer, store: FileCandleStore, hours: CandleArrays
) -> None:
    await store_sink(store, "kraken").write(hours.slice(2000, 2400))
    result = await download(kraken, store_sink(store, "kraken"))
    assert_same(await stored(store, "kraken"), hours.slice(2000, FORMING))
    assert result.fetched == FORMING - 2400
    assert result.unavailable == []
    [call] = kraken.calls(OHLC)
    assert call.params["interval"] == "60"
    assert int(call.params["since"]) * 1000 < int(hours.timestamps[2400])


@pytest.mark.asyncio
async def test_kraken_download_when_stored_data_older_than_window_reports_the_hole(
    kraken: KrakenServer, store: FileCandleStore, hours: CandleArrays
) -> None:
    await store_sink(store, "kraken").write(hours.slice(0, 100))
    result = await download(kraken, store_sink(store, "kraken"))
    window_start = FORMING + 1 - KrakenServer.HISTORY
    assert result.unavailable == [
        Unavailable(int(hours.timestamps[99]) + HOUR, int(hours.timestamps[window_start]))
    ]
    assert len(await stored(store, "kraken")) == 100 + FORMING - window_start


@pytest.mark.asyncio
async def test_kraken_download_when_too_many_requests_retries_then_succeeds(
    kraken: KrakenServer, store: FileCandleStore, hours: CandleArrays
) -> None:
    kraken.inject(OHLC, Fault(200, KRAKEN_RATE_LIMIT_BODY), Fault(200, KRAKEN_RATE_LIMIT_BODY))
    result = await download(kraken, store_sink(store, "kraken"))
    assert result.fetched == KrakenServer.HISTORY - 1
    assert len(kraken.calls(OHLC)) == 3


@pytest.mark.asyncio
async def test_kraken_download_when_pair_not_listed_suggests_a_listed_one(
    kraken: KrakenServer, store: FileCandleStore
) -> None:
    with pytest.raises(UnknownNameError, match="kraken has no market ETH/USDT"):
        await download(kraken, store_sink(store, "kraken"), pair=Pair.parse("ETH/USDT"))
    assert kraken.calls(OHLC) == []
