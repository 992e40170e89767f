"""Portfolio backtest: the safe and the aggressive bot side by side on the same candles.

Each bot runs its own strategy with its own capital, protection and risk ratio. After every
winning aggressive trade, ``ratio x profit`` (rounded down to 1e-8) moves from the aggressive
bot's capital to the safe bot's, at the trade's exit. Each bot's ``RiskReducer`` scales its risk
ratio after losing and winning streaks; a paused bot trades no more. Money is conserved: the
total capital changes only by the trades' net P&L (fees included); reallocations only move it.

Bots are simulated trade by trade in time order: the kernel runs one bot to its next event (a
closed trade or a refused entry); the earliest event is applied; a safe-bot trade not yet entered
when a reallocation lands is simulated again with the new capital.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

import numpy as np

from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.backtest import _kernel as k
from cryptotrader.engines.backtest.engine import BacktestEngine, Progress
from cryptotrader.engines.backtest.ledger import FillTimes, net_pnl
from cryptotrader.engines.backtest.metrics import Metrics, TradeOutcomes, compute_metrics
from cryptotrader.engines.backtest.result import BacktestResult, EquityCurve
from cryptotrader.engines.backtest.simulation import KernelRun, Simulation
from cryptotrader.errors import UserInputError
from cryptotrader.indicators.engine import CandleInput, as_arrays
from cryptotrader.risk.allocation import check_ratio, settle_trade
from cryptotrader.risk.reducer import RiskReducer, RiskState
from cryptotrader.strategies.base import BaseStrategy

__all__ = [
    "BothBots",
    "PortfolioBacktest",
    "PortfolioResult",
    "PortfolioSetup",
    "Reallocation",
    "RiskEvent",
    "check_ratio",
    "parse_sweep",
]


@dataclass(frozen=True, slots=True)
class Reallocation:
    """Profit moved from the aggressive bot to the safe bot after a winning trade."""

    time: datetime
    amount: Decimal
    profit: Decimal
    trade_index: int
    pair: Pair | None = None


@dataclass(frozen=True, slots=True)
class RiskEvent:
    """A bot's risk ratio changed after a trade."""

    time: datetime
    bot: BotKind
    before: Decimal
    after: Decimal
    reason: str
    pair: Pair | None = None


class BotFigures(Protocol):
    """What a portfolio result holds per bot: its metrics and its equity."""

    @property
    def metrics(self) -> Metrics:
        """The bot's own metrics."""

    @property
    def equity(self) -> EquityCurve:
        """The bot's own equity."""


BotResult = TypeVar("BotResult", bound=BotFigures)


@dataclass(frozen=True, slots=True, kw_only=True)
class BothBots(Generic[BotResult]):
    """Both bots at one reallocation ratio: each bot, both as one account, what moved between.

    ``combined`` and ``combined_equity`` are both bots as one account (``combine_bots``). The
    one-pair result (``PortfolioResult``) and the several-pair one
    (``multipair.MultiPairResult``) are this, with their own per-bot result.
    """

    reallocation_ratio: Decimal
    safe: BotResult
    aggressive: BotResult
    combined: Metrics
    combined_equity: EquityCurve
    reallocations: tuple[Reallocation, ...]
    risk_changes: tuple[RiskEvent, ...]

    @property
    def initial_capital(self) -> Decimal:
        """Both bots' starting capital."""
        return self.safe.metrics.initial_capital + self.aggressive.metrics.initial_capital


@dataclass(frozen=True, slots=True, kw_only=True)
class PortfolioResult(BothBots[BacktestResult]):
    """Both bots on one pair: each bot's result is a whole backtest's."""


def combine_bots(
    safe: tuple[EquityCurve, Metrics],
    aggressive: tuple[EquityCurve, Metrics],
    *,
    timeframe: Timeframe,
    initial_capital: Decimal,
    trades: TradeOutcomes,
) -> tuple[EquityCurve, Metrics]:
    """Both bots as one account: their equity summed (held when either holds), and its metrics.

    The one-pair portfolio (here) and the several-pair one (multipair.py) both combine so;
    ``trades`` are both bots' trades in the order they closed.
    """
    (safe_equity, safe_metrics), (aggressive_equity, aggressive_metrics) = safe, aggressive
    equity = EquityCurve(
        safe_equity.times,
        safe_equity.values + aggressive_equity.values,
        safe_equity.held | aggressive_equity.held,
    )
    metrics = compute_metrics(
        equity=equity.values,
        times=equity.times,
        timeframe=timeframe,
        initial_capital=initial_capital,
        final_capital=safe_metrics.final_capital + aggressive_metrics.final_capital,
        fees_paid=safe_metrics.fees_paid + aggressive_metrics.fees_paid,
        trades=trades,
        exposure=float(equity.held.mean()) if len(equity) else 0.0,
    )
    return equity, metrics


@dataclass
class _Bot:
    kind: BotKind
    strategy: BaseStrategy[Any]
    sim: Simulation
    initial: Decimal
    cash: Decimal
    base_risk: Decimal
    state: RiskState = field(default_factory=RiskState)
    next_start: int = 0
    pending: KernelRun | None = None
    done: bool = False
    rows: list[list[float]] = field(default_factory=list)
    refused: int = 0
    transfers: list[tuple[int, float, Decimal]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PortfolioSetup:
    """Both bots' simulations on one candle series, ready for any reallocation ratio."""

    timeframe: Timeframe
    safe: tuple[BaseStrategy[Any], Simulation, Decimal]
    aggressive: tuple[BaseStrategy[Any], Simulation, Decimal]


class PortfolioBacktest:
    """Backtests both bots together.

    Args:
        engine: supplies costs, protection and the bots' settings (``engine.trading``).
        reducer: the risk-reduction rules (DESIGN.md defaults).

    Example:
        >>> portfolio = PortfolioBacktest(engine=BacktestEngine())
        >>> result = portfolio.run(frame, Timeframe.H1)  # doctest: +SKIP
    """

    def __init__(self, *, engine: BacktestEngine, reducer: RiskReducer | None = None) -> None:
        self.engine = engine
        self.reducer = reducer or RiskReducer()

    def setup(
        self,
        data: CandleInput,
        timeframe: Timeframe,
        *,
        safe: BaseStrategy[Any],
        aggressive: BaseStrategy[Any],
        capital: tuple[Decimal, Decimal] | None = None,
    ) -> PortfolioSetup:
        """Indicators and decisions of both strategies (computed once for any ratio)."""
        trading = self.engine.trading
        capitals = capital or (trading.safe.capital, trading.aggressive.capital)
        candles = as_arrays(data)
        sims = [
            self.engine.simulation(strategy, candles, timeframe, bot=bot)
            for strategy, bot in ((safe, BotKind.SAFE), (aggressive, BotKind.AGGRESSIVE))
        ]
        return PortfolioSetup(
            timeframe, (safe, sims[0], capitals[0]), (aggressive, sims[1], capitals[1])
        )

    def run(
        self,
        data: CandleInput,
        timeframe: Timeframe,
        *,
        safe: BaseStrategy[Any],
        aggressive: BaseStrategy[Any],
        capital: tuple[Decimal, Decimal] | None = None,
        reallocation_ratio: Decimal | None = None,
    ) -> PortfolioResult:
        """Both bots over ``data``; the ratio defaults to the trading settings' (0.30).

        Raises:
            UserInputError: ratio out of 0.10 - 0.50, capital out of range, data too short.
        """
        prepared = self.setup(data, timeframe, safe=safe, aggressive=aggressive, capital=capital)
        ratio = reallocation_ratio or self.engine.trading.reallocation_ratio
        return self.simulate(prepared, ratio)

    def sweep(self, prepared: PortfolioSetup, ratios: list[Decimal]) -> list[PortfolioResult]:
        """``simulate`` for each ratio, on the same prepared indicators."""
        return [self.simulate(prepared, ratio) for ratio in ratios]

    def simulate(
        self, prepared: PortfolioSetup, ratio: Decimal, *, progress: Progress | None = None
    ) -> PortfolioResult:
        """One portfolio run at reallocation ``ratio``.

        ``progress(done, total)`` is told the candle each applied event reached (events are
        applied in time order), then that every candle is done.
        """
        check_ratio(ratio)
        bots = [self._bot(BotKind.AGGRESSIVE, prepared.aggressive)]
        bots.append(self._bot(BotKind.SAFE, prepared.safe))
        aggressive, safe = bots
        times = FillTimes(safe.sim.candles.timestamps, prepared.timeframe)
        total = len(safe.sim.candles)
        reallocations: list[Reallocation] = []
        risk_changes: list[RiskEvent] = []
        while True:
            for bot in bots:
                self._fetch(bot)
            waiting = [b for b in bots if b.pending is not None]
            if not waiting:
                break
            bot = min(waiting, key=lambda b: self._event_key(b, first=False))
            if progress is not None:
                progress(min(self._event_key(bot, first=False)[0], total), total)
            pnl, moved = self._commit(bot, times, risk_changes, ratio)
            if moved > 0:
                self._reallocate(
                    aggressive=aggressive,
                    safe=safe,
                    profit=pnl,
                    amount=moved,
                    times=times,
                    log=reallocations,
                )
        if progress is not None:
            progress(total, total)
        return self._results(
            prepared=prepared,
            ratio=ratio,
            safe=safe,
            aggressive=aggressive,
            reallocations=reallocations,
            risk_changes=risk_changes,
        )

    def _bot(self, kind: BotKind, entry: tuple[BaseStrategy[Any], Simulation, Decimal]) -> _Bot:
        strategy, sim, capital = entry
        _, _, risk = self.engine.protection(kind)
        return _Bot(kind, strategy, sim, capital, capital, risk)

    def _fetch(self, bot: _Bot) -> None:
        if bot.done or bot.pending is not None:
            return
        if bot.state.paused:
            bot.done = True
            return
        ratio = float(bot.base_risk * bot.state.multiplier)
        out = bot.sim.run(
            start=bot.next_start, cash=float(bot.cash), risk_ratio=ratio, max_events=1
        )
        if out.table.shape[0] == 0 and out.refused.shape[0] == 0:
            bot.done = True
        else:
            bot.pending = out

    def _event_key(self, bot: _Bot, *, first: bool) -> tuple[int, int, int]:
        """When the pending event happens: its exit (or refusal), or with ``first`` its entry."""
        out = bot.pending
        assert out is not None
        order = 0 if bot.kind is BotKind.AGGRESSIVE else 1
        if out.table.shape[0] == 0:
            phase = k.PHASE_CLOSE if bot.sim.config.fill == "close" else k.PHASE_OPEN
            return int(out.refused[0]), phase, order
        row = out.table[0]
        if first:
            return int(row[k.COL_ENTRY_BAR]), int(row[k.COL_ENTRY_PHASE]), order
        return int(row[k.COL_EXIT_BAR]), int(row[k.COL_EXIT_PHASE]), order

    def _commit(
        self, bot: _Bot, times: FillTimes, changes: list[RiskEvent], ratio: Decimal
    ) -> tuple[Decimal, Decimal]:
        """Apply the bot's pending event; ``(net P&L, amount reallocated)`` (zeros: refusal)."""
        out = bot.pending
        assert out is not None
        bot.pending = None
        bot.next_start = out.next_start
        if out.table.shape[0] == 0:
            bot.refused += 1
            return Decimal(0), Decimal(0)
        row = out.table[0].tolist()
        cfg = bot.sim.config
        pnl = net_pnl(row, cfg.fee, cfg.market.amount_step)
        bot.rows.append(row)
        settled = settle_trade(
            kind=bot.kind,
            capital=bot.cash,
            state=bot.state,
            pnl=pnl,
            reducer=self.reducer,
            ratio=ratio,
        )
        bot.cash, bot.state, change = settled.capital, settled.state, settled.change
        if change is not None:
            when = utc_from_ms(times.ms(int(row[k.COL_EXIT_BAR]), int(row[k.COL_EXIT_PHASE])))
            changes.append(
                RiskEvent(
                    when,
                    bot.kind,
                    bot.base_risk * change.before,
                    bot.base_risk * change.after,
                    change.reason,
                )
            )
        return pnl, settled.reallocation

    def _reallocate(
        self,
        *,
        aggressive: _Bot,
        safe: _Bot,
        profit: Decimal,
        amount: Decimal,
        times: FillTimes,
        log: list[Reallocation],
    ) -> None:
        """Credit ``amount`` (already taken from the aggressive bot) to the safe bot."""
        row = aggressive.rows[-1]
        bar, phase = int(row[k.COL_EXIT_BAR]), int(row[k.COL_EXIT_PHASE])
        safe.cash += amount
        aggressive.transfers.append((bar, -float(amount), -amount))
        safe.transfers.append((bar, float(amount), amount))
        log.append(
            Reallocation(
                utc_from_ms(times.ms(bar, phase)), amount, profit, len(aggressive.rows) - 1
            )
        )
        # A safe trade sized before this money arrived but entering after it is sized again.
        # The bot is flat with no entry signal before that trade's signal: the run resumes at
        # the signal, not at the last event (a long quiet spell is not walked again each time).
        if safe.pending is not None and self._event_key(safe, first=True)[:2] >= (bar, phase):
            safe.next_start = max(safe.next_start, self._signal_bar(safe))
            safe.pending = None

    @staticmethod
    def _signal_bar(bot: _Bot) -> int:
        """The bar whose close signalled the pending entry (or refusal)."""
        out = bot.pending
        assert out is not None
        if out.table.shape[0] == 0:
            bar, phase = (
                int(out.refused[0]),
                (k.PHASE_CLOSE if bot.sim.config.fill == "close" else k.PHASE_OPEN),
            )
        else:
            bar, phase = int(out.table[0][k.COL_ENTRY_BAR]), int(out.table[0][k.COL_ENTRY_PHASE])
        return bar - 1 if phase == k.PHASE_OPEN else bar

    def _results(
        self,
        *,
        prepared: PortfolioSetup,
        ratio: Decimal,
        safe: _Bot,
        aggressive: _Bot,
        reallocations: list[Reallocation],
        risk_changes: list[RiskEvent],
    ) -> PortfolioResult:
        results = []
        for bot in (safe, aggressive):
            table = np.array(bot.rows, dtype=np.float64).reshape(-1, k.N_COLUMNS)
            results.append(
                self.engine.result(
                    strategy=bot.strategy,
                    candles=bot.sim.candles,
                    timeframe=prepared.timeframe,
                    bot=bot.kind,
                    capital=bot.initial,
                    table=table,
                    refused=bot.refused,
                    transfers=bot.transfers,
                )
            )
        safe_result, aggressive_result = results
        # both bots' trades in exit order, as their exact outcomes: no ``Trade`` built here
        exits = np.concatenate([r.trade_times()[1] for r in results])
        equity, combined = combine_bots(
            (safe_result.equity, safe_result.metrics),
            (aggressive_result.equity, aggressive_result.metrics),
            timeframe=prepared.timeframe,
            initial_capital=safe.initial + aggressive.initial,
            trades=TradeOutcomes.joined(
                [r.outcomes for r in results], np.argsort(exits, kind="stable").tolist()
            ),
        )
        return PortfolioResult(
            reallocation_ratio=ratio,
            safe=safe_result,
            aggressive=aggressive_result,
            combined=combined,
            combined_equity=equity,
            reallocations=tuple(reallocations),
            risk_changes=tuple(risk_changes),
        )


def parse_sweep(text: str) -> list[Decimal]:
    """``start:stop:step`` (inclusive) as ratios, e.g. ``0.1:0.5:0.1`` -> 0.1, 0.2, ... 0.5.

    Raises:
        UserInputError: malformed, or a ratio out of 0.10 - 0.50.
    """
    try:
        start, stop, step = (Decimal(part) for part in text.split(":"))
    except (ValueError, ArithmeticError):
        raise UserInputError(f"--sweep-reallocation {text!r}: write it START:STOP:STEP") from None
    if step <= 0 or stop < start:
        raise UserInputError(f"--sweep-reallocation {text!r}: need STEP > 0 and STOP >= START")
    ratios = []
    value = start
    while value <= stop:
        ratios.append(check_ratio(value))
        value += step
    return ratios
