"""The paper exchange's fill rules: the backtest's, to the last decimal (``paper_book``)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.domain import fills
from cryptotrader.domain.enums import OrderStatus, OrderType, Side
from cryptotrader.domain.fills import fee_of, money
from cryptotrader.domain.markets import MarketRules
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import OrderReport
from cryptotrader.engines.backtest import _kernel as k
from cryptotrader.errors import InsufficientFunds, OrderRejected
from cryptotrader.exchanges.paper_book import PaperBook
from cryptotrader.exchanges.paper_orders import PaperOrder
from cryptotrader.risk.protection import exact, protection_levels

PAIR = Pair(base="BTC", quote="USDT")
FEE, SLIP = Decimal("0.001"), Decimal("0.0005")
H = 3_600_000


def book(usdt: str = "10000") -> PaperBook:
    return PaperBook(
        fee_rate=FEE, slippage=SLIP, rules=MarketRules(), balances={"USDT": Decimal(usdt)}
    )


def bought(amount: str = "0.1", price: float = 40_000.0) -> PaperBook:
    b = book()
    b.mark(PAIR, price, 0, trigger=False)
    b.submit(PAIR, Side.BUY, Decimal(amount), limit=None, coid="e", now=0)
    return b


def test_submit_when_market_buy_fills_at_price_plus_slippage_and_pays_the_fee() -> None:
    b = bought()
    order = b.orders["e"]
    fill = 40_000.0 * (1.0 + 0.0005)
    assert order.status is OrderStatus.FILLED
    assert order.fills[0].price == exact(fill)
    fee = fee_of(money(fill), Decimal("0.1"), FEE)
    assert order.fills[0].fee == fee
    assert b.free == {
        "USDT": Decimal(10000) - money(fill) * Decimal("0.1") - fee,
        "BTC": Decimal("0.1"),
    }


def test_submit_when_market_sell_fills_at_price_minus_slippage() -> None:
    b = bought()
    b.submit(PAIR, Side.SELL, Decimal("0.1"), limit=None, coid="x", now=1)
    assert b.orders["x"].fills[0].price == exact(40_000.0 * (1.0 - 0.0005))
    assert b.free["BTC"] == 0


def test_submit_when_no_price_yet_waits_for_the_next_candles_open() -> None:
    b = book()
    order = b.submit(PAIR, Side.BUY, Decimal("0.1"), limit=None, coid="e", now=0)
    assert order.status is OrderStatus.OPEN
    changed = b.candle(PAIR, H, 2 * H, 41_000.0, 41_500.0, 40_500.0, 41_200.0)
    assert changed == [order]
    assert order.fills[0].price == exact(41_000.0 * 1.0005)
    assert order.fills[0].at_ms == H


def test_submit_when_funds_are_short_raises_insufficient_funds() -> None:
    b = book("100")
    b.mark(PAIR, 40_000.0, 0, trigger=False)
    with pytest.raises(InsufficientFunds):
        b.submit(PAIR, Side.BUY, Decimal("0.1"), limit=None, coid="e", now=0)
    assert "e" not in b.orders
    assert b.free == {"USDT": Decimal(100)}


def test_submit_when_client_id_is_reused_refuses_and_counts_it() -> None:
    b = bought()
    with pytest.raises(OrderRejected, match="duplicate"):
        b.submit(PAIR, Side.BUY, Decimal("0.1"), limit=None, coid="e", now=1)
    assert b.duplicates == 1


def test_submit_when_below_the_minimum_notional_refuses() -> None:
    b = book()
    b.mark(PAIR, 40_000.0, 0, trigger=False)
    with pytest.raises(OrderRejected, match="notional"):
        b.submit(PAIR, Side.BUY, Decimal("0.0001"), limit=None, coid="e", now=0)


def protected(stop: float, take: float) -> PaperBook:
    b = bought()
    b.protect(PAIR, Decimal("0.1"), stop=exact(stop), take=exact(take), coid="e", now=0)
    return b


@pytest.mark.parametrize(
    ("candle", "leg", "level"),
    [
        ((38_000.0, 38_500.0, 37_000.0, 38_200.0), "e-sl", 38_000.0),  # gap down: at the open
        ((45_000.0, 46_000.0, 44_500.0, 45_500.0), "e-tp", 45_000.0),  # gap up: at the open
        ((40_000.0, 44_500.0, 38_500.0, 40_000.0), "e-sl", 39_000.0),  # both touched: stop first
        ((40_000.0, 44_500.0, 39_500.0, 44_000.0), "e-tp", 44_000.0),  # take-profit at its level
        ((40_000.0, 43_000.0, 38_990.0, 39_500.0), "e-sl", 39_000.0),  # stop at its level
    ],
)
def test_candle_when_protection_is_reached_fills_one_leg_and_cancels_the_other(
    candle: tuple[float, float, float, float], leg: str, level: float
) -> None:
    b = protected(39_000.0, 44_000.0)
    changed = b.candle(PAIR, H, 2 * H, *candle)
    other = "e-tp" if leg == "e-sl" else "e-sl"
    assert {o.client_order_id: o.status for o in changed} == {
        leg: OrderStatus.FILLED,
        other: OrderStatus.CANCELED,
    }
    assert b.orders[leg].fills[0].price == exact(level * (1.0 - 0.0005))
    assert b.used.get("BTC", 0) == 0
    assert b.free["BTC"] == 0


def test_candle_when_seen_twice_is_ignored() -> None:
    b = protected(39_000.0, 44_000.0)
    assert b.candle(PAIR, H, 2 * H, 40_000.0, 40_100.0, 39_900.0, 40_000.0) == []
    assert b.candle(PAIR, H, 2 * H, 38_000.0, 38_100.0, 37_000.0, 38_000.0) == []
    assert b.orders["e-sl"].is_open


def test_candle_when_another_pair_has_orders_reads_only_its_own_pair() -> None:
    eth = Pair(base="ETH", quote="USDT")
    b = protected(39_000.0, 44_000.0)
    assert (b.has_open(PAIR.symbol), b.has_open(eth.symbol)) == (True, False)
    # a crash on ETH is no stop of BTC's
    assert b.candle(eth, H, 2 * H, 2_000.0, 2_000.0, 1.0, 1.5) == []
    assert b.orders["e-sl"].is_open
    assert b.market(eth.symbol).price == 1.5
    changed = b.candle(PAIR, H, 2 * H, 38_000.0, 38_100.0, 37_000.0, 38_000.0)
    assert [o.client_order_id for o in changed] == ["e-sl", "e-tp"]
    assert not b.has_open(PAIR.symbol)


def test_quiet_candle_and_mark_when_the_pair_has_no_order_move_the_market_as_candle_and_mark() -> (
    None
):
    full, quiet = bought(), bought()
    moves = [(H, 41_000.0), (2 * H, 42_000.0), (2 * H, 1.0), (H, 2.0), (3 * H, 43_000.0)]
    for open_ms, close in moves:  # a candle seen before moves nothing
        full.candle(PAIR, open_ms, open_ms + H, close, close, close, close)
        quiet.quiet_candle(PAIR.symbol, open_ms, open_ms + H, close)
        assert full.state() == quiet.state()
        full.mark(PAIR, close + 1, open_ms + H, trigger=False)
        quiet.quiet_mark(PAIR.symbol, close + 1, open_ms + H)
        assert full.state() == quiet.state()
    assert quiet.market(PAIR.symbol).last_candle_ms == 3 * H


@settings(max_examples=200, deadline=None)
@given(
    st.floats(37_000.0, 46_000.0),
    st.floats(0.0, 3_000.0),
    st.floats(0.0, 3_000.0),
    st.sampled_from([39_000.0, 40_000.0]),
    st.sampled_from([44_000.0, None]),
)
def test_resting_when_only_a_protection_pair_rests_says_whether_candle_fills_nothing(
    o: float, up: float, down: float, stop: float, take: float | None
) -> None:
    b = bought()
    b.protect(
        PAIR,
        Decimal("0.1"),
        stop=exact(stop),
        take=None if take is None else exact(take),
        coid="e",
        now=0,
    )
    h, lo = o + up, o - down
    resting = b.resting(PAIR.symbol, o, h, lo)
    assert resting == (b.candle(PAIR, H, 2 * H, o, h, lo, o) == [])


def test_resting_when_a_market_or_limit_order_waits_is_false() -> None:
    waiting = book()  # a market order placed before any price: fills at the next candle
    waiting.submit(PAIR, Side.BUY, Decimal("0.1"), limit=None, coid="e", now=0)
    limit = bought()
    limit.submit(PAIR, Side.SELL, Decimal("0.1"), limit=Decimal(50_000), coid="x", now=0)
    candle = (40_000.0, 40_100.0, 39_900.0)
    assert not waiting.resting(PAIR.symbol, *candle)
    assert not limit.resting(PAIR.symbol, *candle)  # out of reach, but checked by ``candle``
    assert bought().resting(PAIR.symbol, *candle)  # no order at all


def test_cancel_when_one_leg_of_a_pair_cancels_both_and_frees_the_amount() -> None:
    b = protected(39_000.0, 44_000.0)
    assert b.used["BTC"] == Decimal("0.1")
    legs = b.cancel("e-sl", 5)
    assert [o.status for o in legs] == [OrderStatus.CANCELED, OrderStatus.CANCELED]
    assert (b.free["BTC"], b.used["BTC"]) == (Decimal("0.1"), Decimal(0))


def test_protect_when_the_amount_is_not_held_raises_insufficient_funds() -> None:
    b = bought()
    with pytest.raises(InsufficientFunds):
        b.protect(PAIR, Decimal("0.2"), stop=Decimal(39_000), take=None, coid="e", now=0)


def test_mark_when_triggering_treats_a_price_as_a_candle_without_range() -> None:
    b = protected(39_000.0, 44_000.0)
    assert b.mark(PAIR, 39_500.0, 10, trigger=True) == []
    changed = b.mark(PAIR, 38_900.0, 11, trigger=True)
    assert changed[0].client_order_id == "e-sl"
    assert changed[0].fills[0].price == exact(38_900.0 * (1.0 - 0.0005))


def test_limit_buy_when_the_low_reaches_it_fills_at_the_limit_without_slippage() -> None:
    b = book()
    b.mark(PAIR, 41_000.0, 0, trigger=False)
    order = b.submit(PAIR, Side.BUY, Decimal("0.1"), limit=Decimal(40_000), coid="l", now=0)
    assert order.type is OrderType.LIMIT
    assert order.is_open
    b.candle(PAIR, H, 2 * H, 41_000.0, 41_200.0, 39_800.0, 40_500.0)
    assert order.fills[0].price == Decimal("40000.0")
    assert b.used.get("USDT", 0) == 0


def test_restore_when_saved_gives_the_same_book() -> None:
    b = protected(39_000.0, 44_000.0)
    docs = [order.to_dict() for order in b.orders.values()]
    again = book()
    again.restore(b.state(), docs)
    assert again.state() == b.state()
    assert [o.to_dict() for o in again.orders.values()] == docs
    assert list(again.open) == ["e-sl", "e-tp"]
    assert again.has_open(PAIR.symbol)
    again.cancel("e-sl", 5)
    assert not again.has_open(PAIR.symbol)


def _every_kind_of_order() -> list[PaperOrder]:
    """Orders in every state a report describes: waiting, filled whole or in parts, canceled."""
    b = protected(39_000.0, 44_000.0)  # a market buy filled, a stop and a target resting
    b.mark(PAIR, 41_000.0, 3, trigger=False)
    b.submit(PAIR, Side.BUY, Decimal("0.1"), limit=Decimal(40_000), coid="l", now=3)
    b.submit(PAIR, Side.BUY, Decimal("0.02"), limit=Decimal(30_000), coid="c", now=3)
    b.cancel("c", 4)
    b.candle(PAIR, H, 2 * H, 41_000.0, 41_200.0, 39_800.0, 40_500.0)  # the limit buy fills
    thin = PaperBook(
        fee_rate=FEE, slippage=SLIP, rules=MarketRules(), balances={"USDT": Decimal(10_000)},
        max_fill=Decimal("0.03"),
    )  # fmt: skip
    thin.submit(PAIR, Side.BUY, Decimal("0.1"), limit=None, coid="w", now=0)  # waits a price
    for i, price in enumerate((40_000.0, 40_100.0, 40_300.0)):  # fills in parts
        thin.mark(PAIR, price, i + 1, trigger=False)
    b.candle(PAIR, 2 * H, 3 * H, 40_500.0, 40_600.0, 38_000.0, 38_500.0)  # the stop fills
    b.submit(PAIR, Side.BUY, Decimal("0.02"), limit=Decimal(30_000), coid="o", now=4)  # rests
    orders = [*b.orders.values(), *thin.orders.values()]
    assert {o.status for o in orders} == {
        OrderStatus.OPEN,
        OrderStatus.FILLED,
        OrderStatus.PARTIALLY_FILLED,
        OrderStatus.CANCELED,
    }
    assert {len(o.fills) for o in orders} == {0, 1, 3}
    return orders


def test_report_when_built_without_validation_equals_the_validated_report() -> None:
    """``PaperOrder.report`` skips pydantic's validation: it must build what validation does."""
    for order in _every_kind_of_order():
        report = order.report("USDT")
        validated = OrderReport.model_validate(dict(report))
        assert report == validated, order.client_order_id
        assert report.model_fields_set == validated.model_fields_set
        assert report.model_dump_json() == validated.model_dump_json()
        assert [str(v) for v in dict(report).values()] == [str(v) for v in dict(validated).values()]


@pytest.mark.parametrize("price", [Decimal(0), Decimal(-1), Decimal("NaN")])
def test_submit_and_protect_when_a_price_is_not_positive_refuse_and_change_nothing(
    price: Decimal,
) -> None:
    b = bought()
    before = (b.state(), [o.to_dict() for o in b.orders.values()])
    with pytest.raises(OrderRejected):
        b.submit(PAIR, Side.BUY, Decimal("0.01"), limit=price, coid="x", now=1)
    with pytest.raises(OrderRejected):
        b.protect(PAIR, Decimal("0.1"), stop=price, take=None, coid="e", now=1)
    with pytest.raises(OrderRejected):
        b.protect(PAIR, Decimal("0.1"), stop=Decimal(39_000), take=price, coid="e", now=1)
    assert (b.state(), [o.to_dict() for o in b.orders.values()]) == before


def test_saved_when_an_order_changed_after_the_save_keeps_it_to_save() -> None:
    """``saved``: what changed between a save's documents and its commit is still to save."""
    b = protected(39_000.0, 44_000.0)
    state, orders, tick = b.state(), b.changes(), b.tick
    assert [coid for coid, _ in orders] == ["e", "e-sl", "e-tp"]
    b.cancel("e-sl", 5)  # both legs change before the save commits
    b.saved(state, orders, tick)
    assert sorted(b.changed) == ["e-sl", "e-tp"]
    assert b.dirty
    state, orders, tick = b.state(), b.changes(), b.tick
    b.saved(state, orders, tick)
    assert (b.changed, b.dirty) == ({}, False)


def test_saved_when_only_the_market_moved_after_the_save_stays_dirty() -> None:
    b = bought()
    state, orders, tick = b.state(), b.changes(), b.tick
    b.quiet_mark(PAIR.symbol, 41_000.0, 7)
    b.saved(state, orders, tick)
    assert (b.changed, b.dirty) == ({}, True)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31), st.sampled_from([(0.02, 0.04), (0.02, 0.10), (0.01, 0.03)]))
def test_candles_when_walked_close_a_position_where_the_backtest_kernel_does(
    seed: int, levels: tuple[float, float]
) -> None:
    """An entry at a candle's open, protected, then candles: the same exit bar and price."""
    rng = np.random.default_rng(seed)
    n = 40
    close = 40_000.0 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    open_ = np.r_[40_000.0, close[:-1]] * np.exp(rng.normal(0, 0.004, n))  # gaps too
    high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, 0.006, n)))
    low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, 0.006, n)))
    entries = np.zeros(n, dtype=np.bool_)
    entries[0] = True
    sl, tp = levels
    table, *_ = k.simulate(
        open_, high, low, close, entries, np.zeros(n, dtype=np.bool_), np.ones(n), 0,
        1e9, 0.001, 0.0005, sl, tp, 0.0, 1.0, 1e-5, 1e-5, 5.0, False,
        np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(n, np.int64), np.zeros(n, np.int64),
        False, 1,
    )  # fmt: skip
    b = PaperBook(
        fee_rate=FEE, slippage=SLIP, rules=MarketRules(), balances={"USDT": Decimal(10**9)}
    )
    b.candle(PAIR, 0, H, open_[0], high[0], low[0], close[0])
    b.mark(PAIR, float(open_[1]), H, trigger=False)
    entry = b.submit(PAIR, Side.BUY, Decimal("1"), limit=None, coid="e", now=H)
    stop, take = protection_levels(
        entry.fills[0].price, stop_loss=Decimal(str(sl)), take_profit=Decimal(str(tp))
    )
    b.protect(PAIR, Decimal("1"), stop=stop, take=take, coid="e", now=H)
    exit_bar = None
    for t in range(1, n):
        if any(
            o.status is OrderStatus.FILLED
            for o in b.candle(PAIR, t * H, (t + 1) * H, open_[t], high[t], low[t], close[t])
        ):
            exit_bar = t
            break
    row = table[0]
    assert float(entry.fills[0].price) == row[k.COL_ENTRY_PRICE]
    if row[k.COL_REASON] == fills.REASON_END:
        assert exit_bar is None
        return
    assert exit_bar == int(row[k.COL_EXIT_BAR])
    filled = next(o for o in (b.orders["e-sl"], b.orders["e-tp"]) if o.status is OrderStatus.FILLED)
    assert float(filled.fills[0].price) == row[k.COL_EXIT_PRICE]
    assert (filled.type is OrderType.STOP_LOSS) == (row[k.COL_REASON] == fills.REASON_STOP)
