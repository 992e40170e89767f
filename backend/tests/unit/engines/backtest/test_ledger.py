"""The ledger's integer money equals the ``Decimal`` sums of the built trades, bit for bit.

A backtest's capital, fees and trade metrics come from the kernel's table in integers
(``ledger.build_ledger``); the ``Trade`` objects are built only when read. Whatever the prices,
quantities, fee rate, amount step and capital, both give the same ``Decimal`` figures (value and
exponent) and the same float ratios, or the integer path declines and the trades are summed.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.domain import BotKind, Pair, Timeframe
from cryptotrader.domain.fills import money
from cryptotrader.engines.backtest import _kernel as k
from cryptotrader.engines.backtest.ledger import (
    FillTimes,
    Ledger,
    TradeBook,
    _integer_ledger,
    build_ledger,
    equity_curve,
    money_units,
)
from cryptotrader.engines.backtest.metrics import TradeOutcomes, compute_metrics

HOUR = 3_600_000
prices = st.one_of(
    st.floats(min_value=1e-6, max_value=2e6, allow_nan=False, allow_infinity=False),
    # exact halves of 1e-8 and their float neighbours: where rounding x * 1e8 could go wrong
    st.integers(min_value=1, max_value=10**13).map(lambda u: (u + 0.5) / 1e8),
    st.integers(min_value=1, max_value=10**13).map(lambda u: np.nextafter((u + 0.5) / 1e8, 0)),
)
rows = st.lists(
    st.tuples(prices, prices, st.integers(min_value=1, max_value=10**13), st.integers(0, 3)),
    max_size=40,
)


def table_of(trades: list[tuple[float, float, int, int]]) -> np.ndarray:
    table = np.zeros((len(trades), k.N_COLUMNS))
    for i, (entry, exit_, steps, reason) in enumerate(trades):
        table[i, k.COL_ENTRY_BAR], table[i, k.COL_EXIT_BAR] = i, i + 1
        table[i, k.COL_ENTRY_PRICE], table[i, k.COL_EXIT_PRICE] = entry, exit_
        table[i, k.COL_STEPS], table[i, k.COL_REASON] = steps, reason
        table[i, k.COL_CONFIDENCE] = 0.5
    return table


def book_of(table: np.ndarray, fee: Decimal, step: Decimal) -> TradeBook:
    return TradeBook(
        table,
        fee_rate=fee,
        amount_step=step,
        stops=(Decimal("0.02"), Decimal("0.1")),
        times=FillTimes(HOUR * np.arange(table.shape[0] + 2, dtype=np.int64), Timeframe.H1),
        bot=BotKind.SAFE,
        pair=Pair.parse("BTC/USDT"),
    )


def summed(book: TradeBook, capital: Decimal) -> Ledger:
    """The reference: the built trades' ``Decimal`` P&L and fees, added one by one."""
    fees_paid = Decimal(0)
    for trade in book.trades:
        assert trade.pnl is not None
        capital += trade.pnl
        fees_paid += trade.fees
    return Ledger(capital, fees_paid, TradeOutcomes.of_trades(book.trades))


def metrics_of(ledger: Ledger, capital: Decimal) -> object:
    return compute_metrics(
        equity=np.array([float(capital)]),
        times=np.array([HOUR], dtype=np.int64),
        timeframe=Timeframe.H1,
        initial_capital=capital,
        final_capital=ledger.final_capital,
        fees_paid=ledger.fees_paid,
        trades=ledger.outcomes,
        exposure=0.0,
    )


@settings(max_examples=300, deadline=None)
@given(
    trades=rows,
    fee=st.sampled_from([Decimal(0), Decimal("0.001"), Decimal("0.00075"), Decimal("0.0001")]),
    step=st.sampled_from([Decimal("1e-8"), Decimal("0.00001"), Decimal("0.001"), Decimal(1)]),
    capital=st.sampled_from([Decimal(1000), Decimal("1234.56"), Decimal(10**9), Decimal(10**12)]),
)
def test_build_ledger_when_any_table_equals_the_decimal_sums_of_its_trades(
    trades: list[tuple[float, float, int, int]], fee: Decimal, step: Decimal, capital: Decimal
) -> None:
    table = table_of(trades)
    reference = summed(book_of(table, fee, step), capital)
    fast = _integer_ledger(table, capital, fee, step)
    ledger = build_ledger(book_of(table, fee, step), initial_capital=capital)
    for candidate in (ledger,) if fast is None else (ledger, fast):
        assert repr(candidate.final_capital) == repr(reference.final_capital)
        assert repr(candidate.fees_paid) == repr(reference.fees_paid)
        assert list(candidate.outcomes.returns) == list(reference.outcomes.returns)
        assert repr(metrics_of(candidate, capital)) == repr(metrics_of(reference, capital))


@settings(max_examples=300, deadline=None)
@given(values=st.lists(prices, max_size=50))
def test_money_units_when_any_price_rounds_like_money(values: list[float]) -> None:
    units = money_units(np.array(values, dtype=float))
    assert units is not None
    assert [Decimal(int(u)).scaleb(-8) for u in units] == [money(v) for v in values]


def test_build_ledger_when_read_does_not_build_the_trades() -> None:
    book = book_of(table_of([(100.0, 110.0, 10**8, 0)]), Decimal("0.001"), Decimal("1e-8"))
    ledger = build_ledger(book, initial_capital=Decimal(1000))
    assert book._built is None
    pnl = book.trades[0].pnl
    assert pnl is not None
    assert ledger.final_capital == Decimal(1000) + pnl


def running_sums(
    table: np.ndarray, close: np.ndarray, transfers: list[tuple[int, float]]
) -> tuple[np.ndarray, np.ndarray]:
    """The reference equity: cash and holding summed over every bar, then marked at the close."""
    n = close.shape[0]
    steps = table[:, k.COL_STEPS].astype(np.int64)
    entry_bar = table[:, k.COL_ENTRY_BAR].astype(np.int64)
    exit_bar = table[:, k.COL_EXIT_BAR].astype(np.int64)
    cash_delta = np.bincount(
        entry_bar,
        weights=-(table[:, k.COL_ENTRY_PRICE] * (steps * 1e-8) * (1.0 + 0.001)),
        minlength=n,
    )
    cash_delta += np.bincount(
        exit_bar, weights=table[:, k.COL_EXIT_PRICE] * (steps * 1e-8) * (1.0 - 0.001), minlength=n
    )
    for bar, amount in transfers:
        cash_delta[bar] += amount
    held = np.zeros(n + 1, dtype=np.int64)
    np.add.at(held, entry_bar, steps)
    np.add.at(held, exit_bar, -steps)
    holding = np.cumsum(held[:n])
    return 1000.0 + np.cumsum(cash_delta) + holding * 1e-8 * close, holding > 0


@settings(max_examples=200, deadline=None)
@given(
    spans=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), max_size=12),
    transfers=st.lists(st.tuples(st.integers(0, 59), st.floats(-500, 500)), max_size=4),
    data=st.data(),
)
def test_equity_curve_when_fills_and_transfers_equals_the_running_sums(
    spans: list[tuple[int, int]], transfers: list[tuple[int, float]], data: st.DataObject
) -> None:
    bar, rows = 0, []
    for gap, length in spans:  # one position at a time; an exit and the next entry may share a bar
        entry = bar + gap
        if entry + length >= 60:
            break
        rows.append((entry, entry + length))
        bar = entry + length
    table = np.zeros((len(rows), k.N_COLUMNS))
    for i, (entry, exit_) in enumerate(rows):
        table[i, k.COL_ENTRY_BAR], table[i, k.COL_EXIT_BAR] = entry, exit_
        table[i, k.COL_ENTRY_PRICE] = data.draw(st.floats(1, 1e5))
        table[i, k.COL_EXIT_PRICE] = data.draw(st.floats(1, 1e5))
        table[i, k.COL_STEPS] = data.draw(st.integers(1, 10**12))
    close = np.array(data.draw(st.lists(st.floats(1, 1e5), min_size=60, max_size=60)))
    curve, held = equity_curve(
        table, close, initial_capital=1000.0, fee=0.001, step=1e-8, transfers=transfers
    )
    expected_curve, expected_held = running_sums(table, close, transfers)
    assert curve.tobytes() == expected_curve.tobytes()
    assert (held == expected_held).all()
