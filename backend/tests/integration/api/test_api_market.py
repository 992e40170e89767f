"""Market data: stored series and candles, indicators and signals (computed or from the bus)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from cryptotrader.bus import topics
from cryptotrader.bus.messages import IndicatorReading, IndicatorsComputed
from cryptotrader.domain.enums import Bias, BotKind, ExitReason, TradeStatus
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.trades import Trade
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.persistence import UnitOfWork
from cryptotrader.persistence.repositories import trades
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


@pytest.mark.asyncio
async def test_chart_is_candles_with_aligned_indicator_series_and_trade_markers(
    api: ApiHarness,
) -> None:
    arrays = await seed_candles(api.database, 600)
    opened = utc_from_ms(int(arrays.timestamps[-50])) + timedelta(minutes=20)
    closed = utc_from_ms(int(arrays.timestamps[-40])) + timedelta(minutes=59)
    async with UnitOfWork(api.database) as uow:
        trade = Trade(
            bot=BotKind.SAFE,
            pair=BTC,
            quantity=Decimal("0.01"),
            entry_price=Decimal("30000.5"),
            entry_time=opened,
            exit_price=Decimal("30100.25"),
            exit_time=closed,
            exit_reason=ExitReason.TAKE_PROFIT,
            fees=Decimal("0.6"),
            status=TradeStatus.CLOSED,
        )
        trade_id = await trades.add_trade(session=uow.session, trade=trade, exchange="paper")
        await uow.commit()

    chart = (await api.get("viewer", "/api/market/chart", params=QUERY | {"limit": 300})).json()
    candles = chart["candles"]
    assert len(candles) == 300
    assert candles[-1]["close"] == float(arrays.close[-1])
    assert set(chart["series"]) >= {
        "sma_200", "ema_50", "bb_upper", "bb_middle", "bb_lower", "rsi_14", "macd", "macd_signal",
        "macd_hist",
    }  # fmt: skip
    assert all(len(values) == 300 for values in chart["series"].values())
    # warm-up candles before the window: even the 200-candle SMA has a value on the first one
    assert chart["series"]["sma_200"][0] == pytest.approx(float(arrays.close[-499:-299].mean()))
    entry, exit_ = [m for m in chart["markers"] if m["trade_id"] == trade_id]
    times = [m["at"] for m in chart["markers"]]
    assert times == sorted(times)
    assert entry | {"at": None} == {
        "trade_id": trade_id,
        "bot": "safe",
        "kind": "entry",
        "side": "buy",
        "at": None,
        "candle_time": candles[-50]["time"],
        "price": "30000.50000000",
        "pnl": None,
    }
    assert (exit_["kind"], exit_["candle_time"], exit_["price"]) == (
        "exit",
        candles[-40]["time"],
        "30100.25000000",
    )
    assert Decimal(exit_["pnl"]) == Decimal("0.01") * Decimal("99.75") - Decimal("0.6")
    other_bot = await api.get(
        "viewer", "/api/market/chart", params=QUERY | {"limit": 300, "bot": "aggressive"}
    )
    assert {m["bot"] for m in other_bot.json()["markers"]} <= {"aggressive"}
    assert trade_id not in {m["trade_id"] for m in other_bot.json()["markers"]}
    missing = await api.get("viewer", "/api/market/chart", params=QUERY | {"pair": "XRP/USDT"})
    assert missing.status_code == 404
    assert "no stored candles" in missing.json()["detail"]
    too_many = await api.get("viewer", "/api/market/chart", params=QUERY | {"limit": 5000})
    assert too_many.status_code == 422


@pytest.mark.asyncio
async def test_chart_when_the_engines_are_behind_the_store_ends_at_their_candle(
    api: ApiHarness,
) -> None:
    arrays = await seed_candles(api.database, 600)  # a replay stores its whole file up front
    current = utc_from_ms(int(arrays.timestamps[-101]))
    event = IndicatorsComputed(
        timestamp=current, pair=BTC, timeframe=Timeframe.H1, candle_time=current, indicators={}
    )
    await api.bus.publish(topics.INDICATORS, event)

    async def followed() -> bool:
        answer = await api.get("viewer", "/api/market/chart", params=QUERY | {"limit": 50})
        return bool(answer.json()["candles"][-1]["close"] == float(arrays.close[-101]))

    await wait_for(followed)
