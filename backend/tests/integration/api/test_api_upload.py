"""Candle files uploaded to ``POST /api/market/series``: stored as a series the backtests use,
or refused with a 422 on the field at fault (the line and column named), or 413 when too large.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from cryptotrader.bus import InProcessBus
from cryptotrader.clock import TestClock
from cryptotrader.domain.market import CandleArrays
from cryptotrader.persistence import Database, UnitOfWork
from cryptotrader.persistence.repositories.audit import list_audit
from tests.integration.api.harness import ApiHarness, make_settings, running_api, synthetic_candles
from tests.integration.conftest import FAST

LIMIT = 64 * 1024


def synthetic_candles_h(count: int) -> CandleArrays:
    """Hourly candles starting on an hour (the upload checks the alignment)."""
    return synthetic_candles(count, start_ms=1_699_999_200_000)


def csv_text(arrays: CandleArrays, *, bad: tuple[int, str, str] | None = None) -> str:
    """The documented format; ``bad`` = (data row index, column, text) spoils one cell."""
    columns = ("open", "high", "low", "close", "volume")
    lines = ["timestamp,open,high,low,close,volume"]
    for i in range(len(arrays)):
        cells = {name: repr(float(getattr(arrays, name)[i])) for name in columns}
        if bad is not None and bad[0] == i:
            cells[bad[1]] = bad[2]
        lines.append(",".join([str(int(arrays.timestamps[i])), *(cells[c] for c in columns)]))
    return "\n".join(lines) + "\n"


@pytest_asyncio.fixture
async def upload_api(sqlite_db: Database, clock: TestClock) -> AsyncIterator[ApiHarness]:
    """The app with a small upload limit (64 KiB), trader and viewer logged in."""
    bus = InProcessBus(clock=clock, options=FAST)
    async with running_api(
        sqlite_db, bus, clock, settings=make_settings(max_upload_bytes=LIMIT)
    ) as api:
        await api.login("trader")
        await api.login("viewer")
        yield api
    await bus.close()


async def upload(
    api: ApiHarness, name: str, content: bytes, who: str = "trader", **form: str
) -> Any:
    return await api.post(
        who, "/api/market/series", files={"file": (name, content, "text/csv")}, data=form
    )


def field_error(answer: Any) -> tuple[str, str]:
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["detail"]
    return error["loc"][-1], error["msg"]


async def _finished(api: ApiHarness, job: int) -> dict[str, Any]:
    async with asyncio.timeout(600):  # a process pool on a loaded machine
        while True:
            status: dict[str, Any] = (await api.get("trader", f"/api/backtest/{job}")).json()
            if status["status"] in ("succeeded", "failed"):
                return status
            await asyncio.sleep(0.1)


@pytest.mark.asyncio
async def test_upload_when_named_like_the_shared_files_stores_the_series_for_backtests(
    upload_api: ApiHarness,
) -> None:
    api = upload_api
    arrays = synthetic_candles_h(600)
    packed = gzip.compress(csv_text(arrays).encode())
    answer = await upload(api, "kraken_ETH-USDT_1h.csv.gz", packed)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["imported"] == 600
    assert (body["gaps"], body["missing"]) == (0, 0)
    assert body["series"] | {"first": None, "last": None} == {
        "exchange": "kraken",
        "pair": "ETH/USDT",
        "timeframe": "1h",
        "count": 600,
        "first": None,
        "last": None,
    }
    query = {"exchange": "kraken", "pair": "ETH/USDT", "timeframe": "1h", "limit": 600}
    candles = (await api.get("viewer", "/api/market/candles", params=query)).json()["data"]
    assert [c["close"] for c in candles] == [float(v) for v in arrays.close]
    async with UnitOfWork(api.database) as uow:
        (row,) = [r for r in await list_audit(session=uow.session) if r.action == "market.import"]
    assert (row.actor, row.target) == ("trader", "series:kraken ETH/USDT 1h")

    launched = await api.post(
        "trader",
        "/api/backtest",
        json={
            "exchange": "kraken",
            "pair": "ETH/USDT",
            "timeframe": "1h",
            "strategy": "sma_cross",
            "params": {"fast": 5, "slow": 20},
        },
    )
    assert launched.status_code == 202, launched.text
    status = await _finished(api, launched.json()["id"])
    assert status["status"] == "succeeded", status
    result = (await api.get("trader", f"/api/backtest/{status['id']}/result")).json()
    assert result["results"][0]["candles"] == 600


@pytest.mark.asyncio
async def test_upload_when_a_cell_is_bad_names_its_line_and_column_and_stores_nothing(
    upload_api: ApiHarness,
) -> None:
    api = upload_api
    text = csv_text(synthetic_candles_h(50), bad=(2, "close", "12.5x"))
    field, message = field_error(await upload(api, "binance_BTC-USDT_1h.csv", text.encode()))
    assert field == "file"
    assert message.startswith("binance_BTC-USDT_1h.csv: line 4: close is not a number"), message
    assert "cryptotrader-upload" not in message  # the user's file name, not the server's copy
    assert (await api.get("viewer", "/api/market/series")).json()["count"] == 0

    misordered = synthetic_candles_h(50)
    stamps = misordered.timestamps.copy()
    stamps[[10, 11]] = stamps[[11, 10]]
    swapped = CandleArrays(
        stamps, *(getattr(misordered, c) for c in ("open", "high", "low", "close", "volume"))
    )
    field, message = field_error(
        await upload(api, "binance_BTC-USDT_1h.csv", csv_text(swapped).encode())
    )
    assert (field, "line 13" in message) == ("file", True), message


@pytest.mark.asyncio
async def test_upload_when_the_name_says_nothing_takes_the_form_or_asks_for_the_field(
    upload_api: ApiHarness,
) -> None:
    api = upload_api
    content = csv_text(synthetic_candles_h(100)).encode()
    field, message = field_error(await upload(api, "my candles.csv", content))
    assert field == "pair"
    assert message == "my candles.csv: cannot tell from the file name; pass pair", message

    answer = await upload(api, "my candles.csv", content, pair="SOL/USDT")
    assert answer.status_code == 201, answer.text
    series = answer.json()["series"]
    assert (series["exchange"], series["pair"], series["timeframe"]) == ("upload", "SOL/USDT", "1h")

    field, message = field_error(
        await upload(api, "x.csv", content, pair="SOL/USDT", timeframe="4h")
    )
    assert (field, message) == ("file", "x.csv: candles are 1h apart, not 4h; check timeframe")
    field, _ = field_error(await upload(api, "x.csv", content, pair="??/?"))
    assert field == "pair"


@pytest.mark.asyncio
async def test_upload_when_too_large_or_not_a_candle_file_is_refused(
    upload_api: ApiHarness,
) -> None:
    api = upload_api
    big = csv_text(synthetic_candles_h(2000)).encode()
    assert len(big) > LIMIT
    answer = await upload(api, "binance_BTC-USDT_1h.csv", big)
    assert answer.status_code == 413, answer.text
    assert str(LIMIT) in answer.json()["detail"]

    # a small archive that unpacks past 16 x the limit: refused while it is unpacked
    bomb = gzip.compress(b"timestamp,open,high,low,close,volume\n" + b"0" * (17 * LIMIT))
    assert len(bomb) < LIMIT
    field, message = field_error(await upload(api, "binance_BTC-USDT_1h.csv.gz", bomb))
    assert (field, "once decompressed" in message) == ("file", True), message

    field, message = field_error(await upload(api, "binance_BTC-USDT_1h.csv.gz", b"not gzip"))
    assert (field, "not a valid gzip file" in message) == ("file", True), message
    field, message = field_error(await upload(api, "candles.parquet", b"PAR1"))
    assert (field, message) == (
        "file",
        "candles.parquet: not a candle file (send a .csv or .csv.gz)",
    )
    assert (await api.get("viewer", "/api/market/series")).json()["count"] == 0


@pytest.mark.asyncio
async def test_upload_when_the_caller_only_reads_is_forbidden(upload_api: ApiHarness) -> None:
    content = csv_text(synthetic_candles_h(30)).encode()
    answer = await upload(upload_api, "binance_BTC-USDT_1h.csv", content, who="viewer")
    assert answer.status_code == 403, answer.text
