"""Portfolio backtest over several pairs: both bots trade every pair, on merged candle times.

The rules are the runtime's (docs/backtesting.md, "Several pairs"), so that a multi-pair replay
and this backtest make the same trades. A *step* is one candle open time of the merged series;
inside a step, in this order (pairs in sorted-symbol order, then bots aggressive before safe):

0. stops and take-profits the step's candles reach (the kernel's ``touch`` rule);
1. exits decided at the step's close (filled at that pair's next open, or at the close with
   ``fill="close"``), each settled through ``risk.allocation.settle_trade`` before the next;
2. entries decided at the step's close, each sized on the bot's capital after everything before
   it (risk on the capital, cost capped by ``risk.limits.free_capital``) and admitted by
   ``risk.limits.entry_refusal``, the very rule the runtime's ``RiskManager`` applies, on the book
   of both bots' open positions; a refused entry is skipped, not queued;
3. positions still open at a pair's last candle close there (``END_OF_DATA``).

A bot opens positions only on its pairs (``runtime.bot_pairs``; default every pair), as live.

Why an event queue rather than a walk over every candle: what a position does once opened depends
only on its own pair (stops, take-profit, exit signals), so each position's exit is found at its
entry with numpy on that pair's arrays, and the merged loop visits only entries and exits. The
signals themselves are the strategies' vectorised decisions, computed once per pair.

With one pair this makes exactly the trades of ``PortfolioBacktest`` (proved by
``tests/unit/engines/backtest/test_multipair.py``); the CLI keeps that engine for one pair.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from cryptotrader.config import RuntimeSettings, TradingSettings
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.fills import REASON_END, REASON_SIGNAL, money, touch
from cryptotrader.domain.market import CandleArrays, FloatArray, IntArray
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import DAY_MS, Timeframe
from cryptotrader.domain.trades import Trade
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.backtest import _kernel as k
from cryptotrader.engines.backtest.config import BacktestConfig, check_capital
from cryptotrader.engines.backtest.engine import BacktestEngine, Progress
from cryptotrader.engines.backtest.ledger import FillTimes, TradeBook, equity_curve, net_pnl
from cryptotrader.engines.backtest.metrics import Metrics, TradeOutcomes, compute_metrics
from cryptotrader.engines.backtest.portfolio import (
    BothBots,
    Reallocation,
    RiskEvent,
    combine_bots,
)
from cryptotrader.engines.backtest.result import EquityCurve
from cryptotrader.engines.backtest.simulation import Simulation
from cryptotrader.errors import UserInputError
from cryptotrader.risk.allocation import check_ratio, settle_trade
from cryptotrader.risk.limits import (
    CrossPairLimits,
    OpenPosition,
    ProposedEntry,
    entry_refusal,
    free_capital,
)
from cryptotrader.risk.reducer import RiskReducer, RiskReducerConfig, RiskState
from cryptotrader.strategies.base import BaseStrategy, BoolArray

__all__ = [
    "BOT_ORDER",
    "BotOutcome",
    "MultiPairResult",
    "PairOutcome",
    "PairSeries",
    "PortfolioRequest",
    "run_portfolio",
]

BOT_ORDER = (BotKind.AGGRESSIVE, BotKind.SAFE)
"""Bots inside a stage of a step: the runtime's order (``engines.workers.trading``)."""

STAGE_STOP, STAGE_EXIT, STAGE_ENTRY, STAGE_END = 0, 1, 2, 3
PROGRESS_REPORTS = 200
"""Most progress reports in one run (one per 1/200 of the merged steps at most)."""
_FIRST_WINDOW = 256
"""Bars searched first for a position's exit; the window grows fourfold until it is found."""


@dataclass(frozen=True, slots=True)
class PairSeries:
    """One pair's candles (a file, or a series stored in the database)."""

    pair: Pair
    candles: CandleArrays


@dataclass(frozen=True, slots=True)
class PortfolioRequest:
    """Everything a multi-pair portfolio backtest needs, nothing read from elsewhere.

    Attributes:
        series: one entry per pair (any order; they trade in sorted-symbol order).
        timeframe: the candles' timeframe (every series has it).
        safe, aggressive: the bots' strategies.
        capital: ``(safe, aggressive)`` initial capital; None: the trading settings'.
        reallocation_ratio: None: the trading settings' (0.30).
        config: costs, fill convention, market rules (protection: the bots' own).
        trading: the bots' settings (capital, protection, risk ratio).
        runtime: the risk manager's limits (open positions, exposure, daily loss).
        on_deep_streak: after 5 losses, ``quarter`` the risk or ``pause`` the bot.
        dependencies: indicator dependencies (``fear_greed=DailySeries``).
    """

    series: tuple[PairSeries, ...]
    timeframe: Timeframe
    safe: BaseStrategy[Any]
    aggressive: BaseStrategy[Any]
    capital: tuple[Decimal, Decimal] | None = None
    reallocation_ratio: Decimal | None = None
    config: BacktestConfig = field(default_factory=BacktestConfig)
    trading: TradingSettings = field(default_factory=TradingSettings)
    runtime: RuntimeSettings = field(default_factory=RuntimeSettings)
    on_deep_streak: str = "quarter"
    dependencies: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PairOutcome:
    """One bot's trading on one pair."""

    pair: Pair
    bot: BotKind
    trades: tuple[Trade, ...]
    net_pnl: Decimal
    fees_paid: Decimal
    refused_entries: int

    @property
    def win_rate(self) -> float | None:
        """Share of closed trades with a positive net P&L."""
        if not self.trades:
            return None
        return sum(1 for t in self.trades if (t.pnl or 0) > 0) / len(self.trades)


@dataclass(frozen=True, slots=True)
class BotOutcome:
    """One bot over every pair: metrics on the merged equity, and each pair's share."""

    bot: BotKind
    strategy: str
    metrics: Metrics
    equity: EquityCurve
    trades: tuple[Trade, ...]
    pairs: tuple[PairOutcome, ...]
    refused_entries: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MultiPairResult(BothBots[BotOutcome]):
    """Both bots over several pairs: each bot over every pair (``BotOutcome``), the series."""

    timeframe: Timeframe
    series: tuple[PairSeries, ...]

    @property
    def pairs(self) -> tuple[Pair, ...]:
        """The pairs, in the order they trade (sorted symbols)."""
        return tuple(s.pair for s in self.series)

    @property
    def trades(self) -> tuple[Trade, ...]:
        """Both bots' trades in the order they closed."""
        return tuple(sorted((*self.safe.trades, *self.aggressive.trades), key=_closed_at))


def _closed_at(trade: Trade) -> Any:
    return trade.exit_time


@dataclass
class _Lane:
    """One bot on one pair: its signals, and its open position or next entry signal."""

    pair_index: int
    bot_index: int
    sim: Simulation
    steps: IntArray  # merged step of each of the pair's bars
    signals: list[int]  # bars whose close signals an entry (never the last bar), rising
    exit_mask: BoolArray  # bars whose close signals an exit
    exits: list[bool]  # the same, for the Python scan
    next_signal: int = 0  # index into ``signals``
    entry: tuple[int, int, float, int, float, float, float] | None = None
    exit_: tuple[int, int, float, int] | None = None
    rows: list[list[float]] = field(default_factory=list)
    refused: int = 0
    pnl: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class _Bars:
    """One pair's candles as Python lists (scalar reads in the loop) and the arrays (windows)."""

    n: int
    open: list[float]
    high: list[float]
    low: list[float]
    close: list[float]
    open_ms: list[int]
    close_ms: list[int]
    arrays: CandleArrays

    @classmethod
    def of(cls, candles: CandleArrays, timeframe: Timeframe) -> _Bars:
        return cls(
            len(candles),
            candles.open.tolist(),
            candles.high.tolist(),
            candles.low.tolist(),
            candles.close.tolist(),
            candles.timestamps.tolist(),
            timeframe.bucket_end(candles.timestamps).tolist(),
            candles,
        )


_SCAN_BARS = 64
"""Bars walked one by one before a position's exit is searched for with numpy windows: most
positions close within them, where a window's fixed cost would dominate."""


def _first_exit(  # noqa: PLR0917 - one tight search
    bars: _Bars, exits: list[bool], exit_mask: BoolArray, first: int, stop: float, take: float
) -> int:
    """The first bar from ``first`` reaching ``stop`` or ``take``, or signalling an exit (-1: none).

    A bar reaches a level as the kernel's ``touch`` says: by its open, its low or its high.
    """
    n = bars.n
    o, h, lo = bars.open, bars.high, bars.low
    scanned = min(n, first + _SCAN_BARS)
    for j in range(first, scanned):
        if exits[j] or o[j] <= stop or o[j] >= take or lo[j] <= stop or h[j] >= take:
            return j
    a = bars.arrays
    start, width = scanned, _FIRST_WINDOW
    while start < n:
        end = min(n, start + width)
        hit = (a.open[start:end] <= stop) | (a.open[start:end] >= take)
        hit |= a.low[start:end] <= stop
        hit |= a.high[start:end] >= take
        hit |= exit_mask[start:end]
        at = int(np.argmax(hit))
        if hit[at]:
            return start + at
        start, width = end, width * 4
    return -1


@dataclass
class _Bot:
    kind: BotKind
    strategy: BaseStrategy[Any]
    initial: Decimal
    capital: Decimal
    base_risk: Decimal
    state: RiskState = field(default_factory=RiskState)
    closed: list[tuple[int, Decimal]] = field(default_factory=list)  # (exit ms, net P&L)
    transfers: list[tuple[int, float, Decimal]] = field(default_factory=list)  # (step, ...)
    trade_count: int = 0


Admission = Callable[..., str | None]


def run_portfolio(
    request: PortfolioRequest, *, progress: Progress | None = None
) -> MultiPairResult:
    """Both bots over every pair of ``request`` (see the module docstring).

    ``progress(done, total)`` counts the candles of every pair that the merged loop has passed
    (``total``: all of them), now and then as it goes.

    Raises:
        UserInputError: no series, a pair given twice, a series of too few candles for a
            strategy's warm-up (named with its pair), a capital or ratio out of range.
    """
    return _Run(request).result(progress)


class _Run:
    """One multi-pair run: the lanes, the bots, the event queue, then the results."""

    def __init__(self, request: PortfolioRequest) -> None:
        if not request.series:
            raise UserInputError("a portfolio backtest needs at least one candle series")
        series = sorted(request.series, key=lambda s: s.pair.symbol)
        symbols = [s.pair.symbol for s in series]
        for first, second in itertools.pairwise(symbols):
            if first == second:
                raise UserInputError(f"{first} is given twice: one series per pair")
        self.request = request
        self.series = series
        trading = request.trading
        capital = request.capital or (trading.safe.capital, trading.aggressive.capital)
        self.ratio = check_ratio(request.reallocation_ratio or trading.reallocation_ratio)
        deep = "pause" if request.on_deep_streak == "pause" else "quarter"
        self.reducer = RiskReducer(RiskReducerConfig(on_deep_streak=deep))
        self.config = request.config
        self.engines = [
            BacktestEngine(
                config=request.config,
                trading=trading,
                dependencies=request.dependencies,
                pair=s.pair,
            )
            for s in series
        ]
        self.times = _merged_times([s.candles.timestamps for s in series])
        self.close_ms: IntArray = request.timeframe.bucket_end(self.times)
        strategies = {BotKind.SAFE: request.safe, BotKind.AGGRESSIVE: request.aggressive}
        initial = {BotKind.SAFE: capital[0], BotKind.AGGRESSIVE: capital[1]}
        self.bots = []
        for kind in BOT_ORDER:
            amount = check_capital(initial[kind])
            _, _, risk = self.engines[0].protection(kind)
            self.bots.append(_Bot(kind, strategies[kind], amount, amount, risk))
        self.lanes: list[list[_Lane]] = []
        for p, (s, engine) in enumerate(zip(series, self.engines, strict=True)):
            steps = np.searchsorted(self.times, s.candles.timestamps).astype(np.int64)
            row = []
            for b, bot in enumerate(self.bots):
                try:
                    sim = engine.simulation(
                        bot.strategy, s.candles, request.timeframe, bot=bot.kind
                    )
                except UserInputError as exc:
                    raise UserInputError(f"{s.pair.symbol}: {exc}") from None
                n = len(s.candles)
                signals = np.flatnonzero(sim.decisions.entries[: max(n - 1, 0)]).tolist()
                if not request.runtime.opens_on(bot.kind, s.pair.symbol):
                    signals = []  # ``runtime.bot_pairs``: this bot opens nothing on this pair
                exits = sim.decisions.exits
                row.append(_Lane(p, b, sim, steps, signals, exits, exits.tolist()))
            self.lanes.append(row)
        self.bars = [_Bars.of(s.candles, request.timeframe) for s in series]
        self.queue: list[tuple[int, int, int, int]] = []
        self.reallocations: list[Reallocation] = []
        self.risk_changes: list[RiskEvent] = []
        self.limits = CrossPairLimits.from_settings(request.runtime)
        self.book: dict[tuple[int, int], OpenPosition] = {}
        """The open positions of both bots on every pair, by (pair, bot) index."""

    # --- the merged loop ------------------------------------------------------------------

    def simulate(self, progress: Progress | None = None) -> None:
        for row in self.lanes:
            for lane in row:
                self._queue_entry(lane, 0)
        queue = self.queue
        # candles[s]: the candles of every pair opening before merged step s
        per_step = np.bincount(
            np.concatenate([lane_row[0].steps for lane_row in self.lanes]),
            minlength=len(self.times),
        )
        candles = np.concatenate(([0], np.cumsum(per_step))).tolist()
        total = candles[-1]
        every = max(1, len(self.times) // PROGRESS_REPORTS)
        report_at = every
        while queue:
            step, stage, p, b = heapq.heappop(queue)
            if progress is not None and step >= report_at:
                progress(candles[step], total)
                report_at = step + every
            lane = self.lanes[p][b]
            if stage == STAGE_ENTRY:
                self._enter(lane)
            else:
                self._exit(lane)
        if progress is not None:
            progress(total, total)

    def _queue_entry(self, lane: _Lane, first_bar: int) -> None:
        """Queue the lane's next entry signal at or after ``first_bar`` (none: it is done)."""
        i = bisect.bisect_left(lane.signals, first_bar)
        lane.next_signal = i
        if i < len(lane.signals):
            bar = lane.signals[i]
            heapq.heappush(
                self.queue, (int(lane.steps[bar]), STAGE_ENTRY, lane.pair_index, lane.bot_index)
            )

    def _enter(self, lane: _Lane) -> None:
        bot = self.bots[lane.bot_index]
        if bot.state.paused:
            return  # a paused bot opens nothing more; its lanes are done
        sim, cfg = lane.sim, self.config
        bars = self.bars[lane.pair_index]
        signal = lane.signals[lane.next_signal]
        fill_close = cfg.fill == "close"
        bar, phase = (signal, k.PHASE_CLOSE) if fill_close else (signal + 1, k.PHASE_OPEN)
        base = bars.close[signal] if fill_close else bars.open[bar]
        slip, fee = float(cfg.slippage), float(cfg.fee)
        price = base * (1.0 + slip)
        stop = price * (1.0 - sim.stop_loss)
        take = price * (1.0 + sim.take_profit)
        confidence = float(sim.decisions.confidence[signal])
        market = cfg.market
        free = free_capital(self.book.values(), bot=bot.kind, capital=bot.capital, fee_rate=cfg.fee)
        steps = k.size_steps(
            float(bot.capital), float(free), price, stop, confidence,
            float(bot.base_risk * bot.state.multiplier), float(cfg.stake or 0), fee,
            float(market.amount_step), float(market.min_amount), float(market.min_notional),
        )  # fmt: skip
        notional = money(price) * steps * market.amount_step
        if steps == 0 or self._refusal(lane, bot, notional, signal) is not None:
            lane.refused += 1
            self._queue_entry(lane, signal + 1)
            return
        pair = self.series[lane.pair_index].pair.symbol
        self.book[lane.pair_index, lane.bot_index] = OpenPosition(bot.kind, pair, notional)
        lane.entry = (bar, phase, price, steps, confidence, stop, take)
        self._queue_exit(lane, bar if not fill_close else bar + 1)

    def _refusal(self, lane: _Lane, bot: _Bot, notional: Decimal, signal: int) -> str | None:
        """Why the cross-pair risk limits (``risk.limits``, as the runtime) refuse this entry."""
        step = int(lane.steps[signal])
        day = int(self.close_ms[step]) // DAY_MS * DAY_MS  # the UTC day of the step's close
        return entry_refusal(
            ProposedEntry(bot.kind, self.series[lane.pair_index].pair.symbol, notional),
            book=self.book.values(),
            capitals={b.kind: b.capital for b in self.bots},
            realised_today=realised_since(bot.closed, day),
            fee_rate=self.config.fee,
            limits=self.limits,
        )

    def _queue_exit(self, lane: _Lane, first: int) -> None:
        """Find the open position's exit on its own pair and queue it (see the module doc)."""
        assert lane.entry is not None
        bars = self.bars[lane.pair_index]
        n = bars.n
        _, _, _, _, _, stop, take = lane.entry
        slip = float(self.config.slippage)
        found = _first_exit(bars, lane.exits, lane.exit_mask, first, stop, take)
        if found < 0:
            exit_ = (n - 1, k.PHASE_CLOSE, bars.close[n - 1] * (1.0 - slip), REASON_END)
            key = (int(lane.steps[n - 1]), STAGE_END)
        else:
            reason, level = touch(bars.open[found], bars.high[found], bars.low[found], stop, take)
            if reason != 0:
                exit_ = (found, k.PHASE_INTRABAR, level * (1.0 - slip), reason)
                key = (int(lane.steps[found]), STAGE_STOP)
            elif self.config.fill == "close":
                exit_ = (found, k.PHASE_CLOSE, bars.close[found] * (1.0 - slip), REASON_SIGNAL)
                key = (int(lane.steps[found]), STAGE_EXIT)
            elif found + 1 < n:
                exit_ = (
                    found + 1,
                    k.PHASE_OPEN,
                    bars.open[found + 1] * (1.0 - slip),
                    REASON_SIGNAL,
                )
                key = (int(lane.steps[found]), STAGE_EXIT)
            else:  # an exit signal at the last close: nothing left to fill it at
                exit_ = (n - 1, k.PHASE_CLOSE, bars.close[n - 1] * (1.0 - slip), REASON_END)
                key = (int(lane.steps[n - 1]), STAGE_END)
        lane.exit_ = exit_
        heapq.heappush(self.queue, (*key, lane.pair_index, lane.bot_index))

    def _exit(self, lane: _Lane) -> None:
        assert lane.entry is not None
        assert lane.exit_ is not None
        bot = self.bots[lane.bot_index]
        bar, phase, price, steps, confidence, _, _ = lane.entry
        exit_bar, exit_phase, exit_price, reason = lane.exit_
        row = [0.0] * k.N_COLUMNS
        row[k.COL_ENTRY_BAR], row[k.COL_ENTRY_PHASE], row[k.COL_ENTRY_PRICE] = bar, phase, price
        row[k.COL_EXIT_BAR], row[k.COL_EXIT_PHASE] = exit_bar, exit_phase
        row[k.COL_EXIT_PRICE], row[k.COL_STEPS] = exit_price, steps
        row[k.COL_REASON], row[k.COL_CONFIDENCE] = reason, confidence
        lane.rows.append(row)
        lane.entry = lane.exit_ = None
        del self.book[lane.pair_index, lane.bot_index]
        cfg = self.config
        pnl = net_pnl(row, cfg.fee, cfg.market.amount_step)
        lane.pnl += pnl
        bars = self.bars[lane.pair_index]
        exit_ms = bars.close_ms[exit_bar] if exit_phase == k.PHASE_CLOSE else bars.open_ms[exit_bar]
        bot.closed.append((exit_ms, pnl))
        bot.trade_count += 1
        pair = self.series[lane.pair_index].pair
        settled = settle_trade(
            kind=bot.kind,
            capital=bot.capital,
            state=bot.state,
            pnl=pnl,
            reducer=self.reducer,
            ratio=self.ratio,
        )
        bot.capital, bot.state = settled.capital, settled.state
        if settled.change is not None:
            change = settled.change
            self.risk_changes.append(
                RiskEvent(
                    utc_from_ms(exit_ms),
                    bot.kind,
                    bot.base_risk * change.before,
                    bot.base_risk * change.after,
                    change.reason,
                    pair,
                )
            )
        if settled.reallocation > 0:
            amount = settled.reallocation
            safe = self.bots[BOT_ORDER.index(BotKind.SAFE)]
            safe.capital += amount
            step = int(lane.steps[exit_bar])
            bot.transfers.append((step, -float(amount), -amount))
            safe.transfers.append((step, float(amount), amount))
            self.reallocations.append(
                Reallocation(utc_from_ms(exit_ms), amount, pnl, bot.trade_count - 1, pair)
            )
        if reason == REASON_END:
            return
        fill_close = cfg.fill == "close"
        resume = exit_bar + 1 if fill_close and reason == REASON_SIGNAL else exit_bar
        self._queue_entry(lane, resume)

    # --- results --------------------------------------------------------------------------

    def result(self, progress: Progress | None = None) -> MultiPairResult:
        self.simulate(progress)
        tf = self.request.timeframe
        closes = tf.bucket_end(self.times)
        outcomes = {}
        for b, bot in enumerate(self.bots):
            outcomes[bot.kind] = self._bot_outcome(b, bot, closes)
        safe, aggressive = outcomes[BotKind.SAFE], outcomes[BotKind.AGGRESSIVE]
        trades = tuple(sorted((*safe.trades, *aggressive.trades), key=_closed_at))
        equity, combined = combine_bots(
            (safe.equity, safe.metrics),
            (aggressive.equity, aggressive.metrics),
            timeframe=tf,
            initial_capital=safe.metrics.initial_capital + aggressive.metrics.initial_capital,
            trades=TradeOutcomes.of_trades(trades),
        )
        return MultiPairResult(
            reallocation_ratio=self.ratio,
            timeframe=tf,
            series=tuple(self.series),
            safe=safe,
            aggressive=aggressive,
            combined=combined,
            combined_equity=equity,
            reallocations=tuple(self.reallocations),
            risk_changes=tuple(self.risk_changes),
        )

    def _bot_outcome(self, b: int, bot: _Bot, closes: IntArray) -> BotOutcome:
        cfg, tf = self.config, self.request.timeframe
        stop_loss, take_profit, _ = self.engines[0].protection(bot.kind)
        size = self.times.shape[0]
        values: FloatArray = np.full(size, float(bot.initial))
        held = np.zeros(size, dtype=bool)
        pairs = []
        trades: list[Trade] = []
        final = bot.initial
        fees = Decimal(0)
        for p, s in enumerate(self.series):
            lane = self.lanes[p][b]
            table = np.array(lane.rows, dtype=np.float64).reshape(-1, k.N_COLUMNS)
            book = TradeBook(
                table,
                fee_rate=cfg.fee,
                amount_step=cfg.market.amount_step,
                stops=(stop_loss, take_profit),
                times=FillTimes(s.candles.timestamps, tf),
                bot=bot.kind,
                pair=s.pair,
            )
            own = book.trades
            paid = sum((t.fees for t in own), Decimal(0))
            pairs.append(PairOutcome(s.pair, bot.kind, own, lane.pnl, paid, lane.refused))
            trades.extend(own)
            final += lane.pnl
            fees += paid
            curve, mask = equity_curve(
                table,
                s.candles.close,
                initial_capital=0.0,
                fee=float(cfg.fee),
                step=float(cfg.market.amount_step),
            )
            at = np.searchsorted(s.candles.timestamps, self.times, side="right") - 1
            seen = at >= 0
            values[seen] += curve[at[seen]]
            held[seen] |= mask[at[seen]]
        moved = np.zeros(size)
        for step, amount, exact in bot.transfers:
            moved[step] += amount
            final += exact
        values += np.cumsum(moved)
        ordered = tuple(sorted(trades, key=_closed_at))
        metrics = compute_metrics(
            equity=values,
            times=closes,
            timeframe=tf,
            initial_capital=bot.initial,
            final_capital=final,
            fees_paid=fees,
            trades=TradeOutcomes.of_trades(ordered),
            exposure=float(held.mean()) if size else 0.0,
        )
        return BotOutcome(
            bot.kind,
            bot.strategy.describe(),
            metrics,
            EquityCurve(closes, values, held),
            ordered,
            tuple(pairs),
            sum(p.refused_entries for p in pairs),
        )


def _merged_times(stamps: Sequence[IntArray]) -> IntArray:
    """Every open time of any series, once, rising (each series' times rise)."""
    if len(stamps) == 1:
        return stamps[0].astype(np.int64)
    merged = np.sort(np.concatenate(stamps), kind="stable")
    keep = np.empty(merged.shape[0], dtype=bool)
    keep[:1] = True
    np.not_equal(merged[1:], merged[:-1], out=keep[1:])
    result: IntArray = merged[keep]
    return result


_OUT_OF_ORDER_MS = 7 * DAY_MS
"""How far before a later one a trade can close in the merged order (a pair's gap)."""


def realised_since(closed: Sequence[tuple[int, Decimal]], since_ms: int) -> Decimal:
    """Net P&L of the ``(exit ms, pnl)`` trades closed at or after ``since_ms``.

    Trades are settled in merged-step order: their exit times rise, except across a pair's gap.
    """
    total = Decimal(0)
    for ms, pnl in reversed(closed):
        if ms >= since_ms:
            total += pnl
        elif ms < since_ms - _OUT_OF_ORDER_MS:
            break
    return total


def series_of(pairs: Sequence[tuple[Pair, CandleArrays]]) -> tuple[PairSeries, ...]:
    """``PairSeries`` of ``(pair, candles)`` tuples."""
    return tuple(PairSeries(pair, candles) for pair, candles in pairs)
