"""Domain types: parsing, Decimal money, UTC timestamps and invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import numpy as np
import pytest
from pydantic import ValidationError

from cryptotrader.domain import (
    BotKind,
    Candle,
    Order,
    OrderType,
    Pair,
    Side,
    Timeframe,
    Trade,
    TradeStatus,
)
from cryptotrader.domain.values import to_decimal
from cryptotrader.errors import UnknownNameError, UserInputError

T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("text", ["BTC/USDT", "btc-usdt", "BTC_USDT", "BTCUSDT", " btcusdt "])
def test_pair_parse_when_any_common_spelling_gives_ccxt_symbol(text: str) -> None:
    assert Pair.parse(text).symbol == "BTC/USDT"


def test_pair_parse_when_not_a_pair_raises() -> None:
    with pytest.raises(UserInputError, match="not a trading pair"):
        Pair.parse("hello world")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1h", Timeframe.H1), ("1M", Timeframe.MO1), ("1min", Timeframe.M1), ("1D", Timeframe.D1)],
)
def test_timeframe_parse_when_alias_given_maps_to_timeframe(text: str, expected: Timeframe) -> None:
    assert Timeframe.parse(text) is expected


def test_timeframe_parse_when_unknown_suggests() -> None:
    with pytest.raises(UnknownNameError, match="did you mean '1h'"):
        Timeframe.parse("1hr")


def test_timeframe_spellings_when_asked_give_pandas_and_ccxt_forms() -> None:
    assert (Timeframe.M15.pandas_freq, Timeframe.M15.ccxt) == ("15min", "15m")
    assert Timeframe.W1.pandas_freq == "W-MON"


def test_timeframe_buckets_when_month_has_31_days_end_on_the_first() -> None:
    start = np.array([int(datetime(2024, 1, 17, 5, tzinfo=UTC).timestamp() * 1000)], dtype=np.int64)
    bucket = Timeframe.MO1.bucket_start(start)
    assert bucket[0] == int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)
    assert Timeframe.MO1.bucket_end(bucket)[0] == int(
        datetime(2024, 2, 1, tzinfo=UTC).timestamp() * 1000
    )


def test_to_decimal_when_float_keeps_its_shortest_repr() -> None:
    assert to_decimal(0.1) == Decimal("0.1")
    assert to_decimal("67450.00") == Decimal("67450.00")
    with pytest.raises(ValueError, match="finite"):
        to_decimal(float("nan"))


def test_candle_when_naive_timestamp_refused() -> None:
    with pytest.raises(ValidationError, match="timezone-aware"):
        Candle(
            pair=Pair.parse("BTC/USDT"),
            timeframe=Timeframe.H1,
            timestamp=datetime(2024, 1, 1),  # noqa: DTZ001
            open=1,
            high=1,
            low=1,
            close=1,
            volume=0,
        )


def test_candle_when_offset_given_normalised_to_utc() -> None:
    candle = Candle(
        pair=Pair.parse("BTC/USDT"),
        timeframe=Timeframe.H1,
        timestamp=datetime(2024, 1, 1, 2, tzinfo=timezone(timedelta(hours=2))),
        open="1.5",
        high=2,
        low=1,
        close=1.5,
        volume=0,
    )
    assert candle.timestamp == T0
    assert candle.open == Decimal("1.5")


def test_candle_when_high_below_close_refused() -> None:
    with pytest.raises(ValidationError, match="bracket"):
        Candle(
            pair=Pair.parse("BTC/USDT"),
            timeframe=Timeframe.H1,
            timestamp=T0,
            open=1,
            high=1,
            low=1,
            close=2,
            volume=0,
        )


def _order(**overrides: object) -> Order:
    fields: dict[str, object] = {
        "client_order_id": "ct-safe-1",
        "bot": BotKind.SAFE,
        "pair": Pair.parse("BTC/USDT"),
        "side": Side.BUY,
        "type": OrderType.MARKET,
        "quantity": "0.0045",
        "created_at": T0,
    }
    fields.update(overrides)
    return Order.model_validate(fields)


def test_order_when_limit_without_price_refused() -> None:
    with pytest.raises(ValidationError, match="needs a price"):
        _order(type=OrderType.LIMIT)


def test_order_when_long_stop_above_take_profit_refused() -> None:
    with pytest.raises(ValidationError, match="stop-loss must be below"):
        _order(stop_loss="70000", take_profit="66000")


def test_order_when_partially_filled_reports_remaining_quantity() -> None:
    assert _order(filled_quantity="0.0015").remaining_quantity == Decimal("0.0030")


def test_trade_when_closed_computes_pnl_net_of_fees_in_decimal() -> None:
    trade = Trade(
        bot=BotKind.AGGRESSIVE,
        pair=Pair.parse("BTC/USDT"),
        quantity="0.0045",
        entry_price="67450.00",
        entry_time=T0,
        stop_loss="66101.00",
        take_profit="74195.00",
        exit_price="74195.00",
        exit_time=T0 + timedelta(days=3),
        fees="0.64",
        status=TradeStatus.CLOSED,
    )
    assert trade.gross_pnl == Decimal("30.352500")
    assert trade.pnl == Decimal("29.712500")
    assert trade.risk_reward_ratio is not None
    assert round(trade.risk_reward_ratio, 2) == Decimal("5.00")


def test_trade_when_closed_without_exit_refused() -> None:
    with pytest.raises(ValidationError, match="closed trade needs an exit"):
        Trade(
            bot=BotKind.SAFE,
            pair=Pair.parse("BTC/USDT"),
            quantity=1,
            entry_price=1,
            entry_time=T0,
            status=TradeStatus.CLOSED,
        )
