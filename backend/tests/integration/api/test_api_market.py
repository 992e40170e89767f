"""Market data: stored series and candles, indicators and signals (computed or from the bus)."""

from __future__ import annotations

import pytest

from cryptotrader.bus import topics
from cryptotrader.bus.messages import IndicatorReading, IndicatorsComputed
from cryptotrader.domain.enums import Bias
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import utc_from_ms
from tests.integration.api.harness import BTC, ApiHarness, seed_candles, wait_for

QUERY = {"pair": "BTC/USDT", "timeframe": "1h", "exchange": "binance"}


@pytest.mark.asyncio
async def test_candles_when_stored_are_served_newest_window_oldest_first(
    api_any_db: ApiHarness,
) -> None:
    api = api_any_db
    arrays = await seed_candles(api.database, 1200)
    series = (await api.get("viewer", "/api/market/series")).json()
    assert series["data"][0] | {"first": None, "last": None} == {
        "exchange": "binance",
        "pair": "BTC/USDT",
        "timeframe": "1h",
        "count": 1200,
        "first": None,
        "last": None,
    }
    page = (await api.get("viewer", "/api/market/candles", params=QUERY | {"limit": 100})).json()
    assert page["count"] == 100
    assert page["data"][-1]["close"] == float(arrays.close[-1])
    times = [c["time"] for c in page["data"]]
    assert times == sorted(times)
    start = utc_from_ms(int(arrays.timestamps[10])).isoformat()
    end = utc_from_ms(int(arrays.timestamps[20])).isoformat()
    ranged = await api.get(
        "viewer", "/api/market/candles", params=QUERY | {"start": start, "end": end}
    )
    assert ranged.json()["count"] == 10
    none = await api.get("viewer", "/api/market/candles", params=QUERY | {"pair": "XRP/USDT"})
    assert none.json()["count"] == 0


@pytest.mark.asyncio
async def test_indicators_and_signals_when_no_event_was_seen_are_computed_on_stored_candles(
    api: ApiHarness,
) -> None:
    arrays = await seed_candles(api.database, 1500)
    indicators = (await api.get("viewer", "/api/market/indicators", params=QUERY)).json()
    assert indicators["source"] == "computed"
    assert indicators["candle_time"] == utc_from_ms(int(arrays.timestamps[-1])).isoformat().replace(
        "+00:00", "Z"
    )
    names = {reading["name"] for reading in indicators["data"]}
    assert {"rsi_14", "macd", "ema_50", "sma_200"} <= names
    signals = (await api.get("viewer", "/api/market/signals", params=QUERY)).json()
    assert {s["bot"] for s in signals["data"]} == {"safe", "aggressive"}
    assert {s["strategy"] for s in signals["data"]} == {"conservative", "aggressive"}
    assert all(
        s["source"] == "computed" and s["action"] in ("buy", "sell", "hold")
        for s in signals["data"]
    )
    missing = await api.get("viewer", "/api/market/indicators", params=QUERY | {"pair": "XRP/USDT"})
    assert missing.status_code == 404


@pytest.mark.asyncio
async def test_indicators_when_the_engine_published_them_are_served_from_the_bus(
    api: ApiHarness,
) -> None:
    reading = IndicatorReading(
        values={"rsi_14": 25.0}, signal=Bias.BULLISH, label="oversold", strength=0.8, weight=1.0
    )
    event = IndicatorsComputed(
        timestamp=api.clock.now(),
        pair=BTC,
        timeframe=Timeframe.H4,
        candle_time=api.clock.now(),
        indicators={"rsi_14": reading},
    )
    await api.bus.publish(topics.INDICATORS, event)

    async def served() -> bool:
        answer = await api.get(
            "viewer", "/api/market/indicators", params=QUERY | {"timeframe": "4h"}
        )
        return answer.status_code == 200

    await wait_for(served)
    body = (
        await api.get("viewer", "/api/market/indicators", params=QUERY | {"timeframe": "4h"})
    ).json()
    assert body["source"] == "engine"
    assert body["data"] == [
        {
            "name": "rsi_14",
            "values": {"rsi_14": 25.0},
            "signal": "bullish",
            "label": "oversold",
            "strength": 0.8,
            "weight": 1.0,
        }
    ]
