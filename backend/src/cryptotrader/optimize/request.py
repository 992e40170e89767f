"""An optimisation as it is asked for: by ``cryptotrader optimize`` and by the API's job.

The command reads its options, and the API its body, into one ``OptimizationRequest``
(``parse``: every check that needs no candles, one-line errors); ``check`` refuses candles it
cannot use. The API job stores ``as_json`` and its worker reads it back with ``from_json``
(the same request), then both edges run it through ``plan``, ``walk_forward`` and ``evaluator``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from cryptotrader.config import TradingSettings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import to_decimal
from cryptotrader.engines.backtest import BacktestConfig
from cryptotrader.engines.backtest.config import check_capital
from cryptotrader.errors import UserInputError
from cryptotrader.optimize.evaluate import Evaluator, TrialEvaluator
from cryptotrader.optimize.objectives import Objectives, parse_objectives
from cryptotrader.optimize.pipeline import WalkForwardSpec, check_walk_forward
from cryptotrader.optimize.portfolio import PortfolioEvaluator, build_portfolio_space
from cryptotrader.optimize.space import SearchSpace, build_space
from cryptotrader.optimize.study import StudyPlan, check_plan
from cryptotrader.optimize.walkforward import windows
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.base import BaseStrategy

__all__ = ["API_LABELS", "OptimizationRequest"]

WalkLabels = tuple[str, str, str]
API_LABELS: WalkLabels = ("walk_forward.train", "walk_forward.test", "walk_forward.step")


@dataclass(frozen=True, slots=True)
class OptimizationRequest:
    """One study (or walk-forward) of a strategy, or of both bots, on one market's candles.

    ``strategy`` is ``"portfolio"`` when ``bots`` names the safe and aggressive strategies
    (the reallocation ratio and the reducer's steps are searched). ``study`` is the study's
    name; empty, ``plan`` derives it from what defines the study (a rerun resumes it).
    """

    strategy: str
    pair: Pair
    timeframe: Timeframe
    capital: Decimal = Decimal(1000)
    config: BacktestConfig = field(default_factory=BacktestConfig)
    ranges: Mapping[str, str] = field(default_factory=dict)
    fixed: Mapping[str, str] = field(default_factory=dict)
    protection: bool = True
    objectives: tuple[str, ...] = ("sharpe",)
    min_trades: int = 10
    max_drawdown: float | None = None
    sampler: str = "tpe"
    trials: int = 100
    seed: int | None = None
    early_stop: int | None = None
    grid_points: int = 5
    timeout: float | None = None
    walk_forward: WalkForwardSpec | None = None
    monte_carlo: int = 1000
    bots: tuple[str, str] | None = None
    study: str = ""

    @classmethod
    def parse(cls, **values: Any) -> OptimizationRequest:
        """A request from its fields, checked as far as no candle is needed.

        Strategy, ranges, pinned values, objectives, sampler and counts, capital (walk-forward
        lengths are checked when they are turned into candles, ``WalkForwardSpec.of_lengths``).

        Raises:
            UnknownNameError: unknown strategy.
            UserInputError: the first problem found, in one line.
        """
        asked = cls(**values)
        asked.validate()
        return asked

    def validate(self) -> None:
        """Refuse what cannot run, before any candle is read or study written (see ``parse``)."""
        check_capital(self.capital)
        if self.bots is not None:
            for name in self.bots:
                create_strategy(name)
        check_plan(self.plan("sqlite:///unused", name="check"))
        if 0 < self.monte_carlo < 10:
            raise UserInputError(f"--monte-carlo {self.monte_carlo}: at least 10 runs (0: none)")

    def space(self) -> SearchSpace:
        """What the study searches (UserInputError: bad range or pinned value)."""
        if self.bots is not None:
            return build_portfolio_space(ranges=self.ranges, fixed=self.fixed)
        return build_space(
            self.strategy,
            ranges=self.ranges,
            fixed=self.fixed,
            protection=self.protection,
            sizing=self.config.stake is None,
        )

    def goals(self) -> Objectives:
        """The objectives and the feasibility limits (UserInputError: unknown objective)."""
        return parse_objectives(
            self.objectives, min_trades=self.min_trades, max_drawdown=self.max_drawdown
        )

    def plan(
        self,
        storage: str,
        *,
        candles: CandleArrays | None = None,
        name: str | None = None,
        heartbeat_s: int = 5,
    ) -> StudyPlan:
        """The study plan in ``storage``; its identity includes ``candles``' span when given.

        The name is ``name``, else ``study``, else derived from the plan's identity (the same
        command on the same data names the same study, so a rerun resumes it).
        """
        plan = StudyPlan(
            name=name or self.study,
            storage=storage,
            space=self.space(),
            objectives=self.goals(),
            sampler=self.sampler,
            seed=self.seed,
            trials=self.trials,
            timeout=self.timeout,
            patience=self.early_stop,
            grid_points=self.grid_points,
            context={} if candles is None else self._context(candles),
            heartbeat_s=heartbeat_s,
        )
        if plan.name:
            return plan
        identity = {**plan.identity(), "sampler": self.sampler, "seed": self.seed}
        digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:10]
        named = f"{self.strategy}-{self.pair.symbol.replace('/', '')}-{self.timeframe}-{digest}"
        return replace(plan, name=named)

    def _context(self, candles: CandleArrays) -> dict[str, Any]:
        """What else a resumed study must share: the data and the backtest's terms."""
        ts = candles.timestamps
        config = self.config
        context: dict[str, Any] = {
            "data": {"candles": len(candles), "first": int(ts[0]), "last": int(ts[-1]),
                     "timeframe": str(self.timeframe), "pair": self.pair.symbol},
            "backtest": {"fee": str(config.fee), "slippage": str(config.slippage),
                         "stake": None if config.stake is None else str(config.stake),
                         "fill": config.fill, "capital": str(self.capital)},
        }  # fmt: skip
        if self.bots is not None:
            context["portfolio"] = {"safe": self.bots[0], "aggressive": self.bots[1]}
        return context

    def study_names(self, windows: int | None) -> list[str]:
        """The studies a run writes: one, or one per walk-forward window."""
        return [f"{self.study}-wf{i}" for i in range(windows)] if windows else [self.study]

    def strategies(self) -> list[BaseStrategy[Any]]:
        """The strategy instances whose indicators the candles feed (default parameters)."""
        names = self.bots if self.bots is not None else (self.strategy,)
        return [create_strategy(n) for n in names]

    def check(self, candles: CandleArrays) -> int | None:
        """Refuse candles the request cannot use; returns the walk-forward's window count.

        Raises:
            UserInputError: windows that do not fit, or too few candles for the strategy.
        """
        walk = self.walk_forward
        if walk is None:
            if self.bots is None and len(candles) <= self.evaluator(candles).warmup():
                raise UserInputError(f"{len(candles)} candles are too few for {self.strategy!r}")
            return None
        check_walk_forward(walk, len(candles))
        spans = windows(
            len(candles), train=walk.train, test=walk.test, step=walk.step, anchored=walk.anchored
        )
        return len(spans)

    def evaluator(
        self,
        candles: CandleArrays,
        trading: TradingSettings | None = None,
        dependencies: Mapping[str, Any] | None = None,
    ) -> TrialEvaluator:
        """What scores a trial: the strategy's evaluator, or both bots' (``bots``)."""
        if self.bots is not None:
            return PortfolioEvaluator(
                candles, self.timeframe, safe=self.bots[0], aggressive=self.bots[1],
                config=self.config, trading=trading, dependencies=dependencies, pair=self.pair,
            )  # fmt: skip
        return Evaluator(
            self.strategy, candles, self.timeframe, config=self.config, trading=trading,
            capital=float(self.capital), dependencies=dependencies,
        )  # fmt: skip

    def title(self, candles: int) -> str:
        """The report's title."""
        return f"Optimisation of {self.strategy} - {self.pair} {self.timeframe} - {candles} candles"

    def as_json(self) -> dict[str, Any]:
        """The stored form (the API body's names; ``from_json`` reads it back equal)."""
        config = self.config
        walk = self.walk_forward
        lengths = None if walk is None else {
            "train": walk.train, "test": walk.test, "step": walk.step, "anchored": walk.anchored
        }  # fmt: skip
        return {
            "strategy": self.strategy,
            "pair": self.pair.symbol,
            "timeframe": str(self.timeframe),
            "initial_capital": str(self.capital),
            "fee": str(config.fee),
            "slippage": str(config.slippage),
            "stake": None if config.stake is None else str(config.stake),
            "fill": config.fill,
            "ranges": dict(self.ranges),
            "fixed": dict(self.fixed),
            "protection": self.protection,
            "objectives": list(self.objectives),
            "min_trades": self.min_trades,
            "max_drawdown": self.max_drawdown,
            "sampler": self.sampler,
            "trials": self.trials,
            "seed": self.seed,
            "early_stop": self.early_stop,
            "grid_points": self.grid_points,
            "timeout": self.timeout,
            "walk_forward": lengths,
            "monte_carlo": self.monte_carlo,
            "bots": None if self.bots is None else list(self.bots),
            "study": self.study,
        }

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> OptimizationRequest:
        """A request from its stored form or the API's body (other keys: the job's, ignored).

        Absent optional fields take their defaults; walk-forward lengths given as durations
        (``"25d"``) become candles. Nothing else is checked beyond the types (``validate``
        does, and running a request checks as it goes).

        Raises:
            UserInputError: a field of the wrong kind, a length that is none.
        """
        try:
            return cls(**_fields(stored))
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise UserInputError(f"optimisation request: {exc}") from None


def _fields(stored: Mapping[str, Any]) -> dict[str, Any]:
    walk = stored.get("walk_forward")
    bots = stored.get("bots")
    timeframe = Timeframe.parse(str(stored["timeframe"]))
    found: dict[str, Any] = {
        "strategy": str(stored["strategy"]),
        "pair": Pair.parse(str(stored["pair"])),
        "timeframe": timeframe,
        "config": BacktestConfig.parse(
            **{k: stored.get(k) for k in ("fee", "slippage", "stake", "fill")}
        ),
        "ranges": {str(k): str(v) for k, v in (stored.get("ranges") or {}).items()},
        "fixed": {str(k): _text(v) for k, v in (stored.get("fixed") or {}).items()},
        "objectives": tuple(str(o) for o in _listed(stored.get("objectives"))) or ("sharpe",),
        "walk_forward": None
        if not walk
        else WalkForwardSpec.of_lengths(
            str(walk["train"]),
            str(walk["test"]),
            None if walk.get("step") is None else str(walk["step"]),
            anchored=bool(walk.get("anchored", False)),
            timeframe=timeframe,
            labels=API_LABELS,
        ),
        "bots": None if bots is None else (str(bots[0]), str(bots[1])),
        "study": str(stored.get("study") or ""),
    }
    if stored.get("initial_capital") is not None:
        found["capital"] = to_decimal(stored["initial_capital"])
    for name in ("min_trades", "trials", "grid_points", "monte_carlo"):
        if stored.get(name) is not None:
            found[name] = int(stored[name])
    for name in ("seed", "early_stop"):
        found[name] = None if stored.get(name) is None else int(stored[name])
    for name in ("max_drawdown", "timeout"):
        found[name] = None if stored.get(name) is None else float(stored[name])
    if stored.get("protection") is not None:
        found["protection"] = bool(stored["protection"])
    if stored.get("sampler") is not None:
        found["sampler"] = str(stored["sampler"])
    return found


def _listed(value: Any) -> Sequence[Any]:
    return [value] if isinstance(value, str) else list(value or [])


def _text(value: Any) -> str:
    """A pinned value as the space parses it (JSON ``true`` as ``true``, not ``True``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
