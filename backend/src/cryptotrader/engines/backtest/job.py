"""A backtest job as the API asks for it: the stored candles, the costs, and what runs on them.

The API's body is read once into a ``BacktestJob`` (``from_json``, in ``services.backtests``);
the job row stores ``as_json`` and the worker reads it back with ``from_json`` into the same
job. What runs is the kind's own request, the one the CLI builds from its options:
``SingleBacktest``, ``CompareBacktest`` or ``PortfolioSweep`` (several pairs: ``pairs``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from cryptotrader.config import TradingSettings
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import to_decimal
from cryptotrader.engines.backtest.config import BacktestConfig
from cryptotrader.engines.backtest.portfolio_sweep import PortfolioSweep
from cryptotrader.engines.backtest.requests import CompareBacktest, SingleBacktest
from cryptotrader.errors import UserInputError
from cryptotrader.risk.allocation import check_ratio

__all__ = ["BacktestJob", "Kind", "Market"]

Kind = Literal["single", "compare", "portfolio"]
Asked = SingleBacktest | CompareBacktest | PortfolioSweep

CONFIG_FIELDS = ("fee", "slippage", "stop_loss", "take_profit", "risk_ratio", "stake", "fill")
"""The fields that make a job's ``BacktestConfig`` (absent: the default)."""


@dataclass(frozen=True, slots=True)
class Market:
    """The stored candles a job reads: ``start`` <= open time < ``end`` (None: unbounded)."""

    exchange: str
    pair: Pair
    timeframe: Timeframe
    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> Market:
        """The market of a body or stored job (``exchange``, ``pair``, ``timeframe``, span).

        Raises:
            UserInputError: an unknown pair or timeframe, a time that is none.
        """
        return cls(
            exchange=str(stored.get("exchange") or "binance"),
            pair=Pair.parse(str(stored["pair"])),
            timeframe=Timeframe.parse(str(stored.get("timeframe") or Timeframe.H1)),
            start=_time(stored.get("start")),
            end=_time(stored.get("end")),
        )

    def of(self, pair: Pair) -> Market:
        """The same candles of another pair."""
        return replace(self, pair=pair)

    def as_json(self) -> dict[str, Any]:
        """The body's names; ``from_json`` reads it back equal."""
        return {
            "exchange": self.exchange,
            "pair": self.pair.symbol,
            "timeframe": str(self.timeframe),
            "start": None if self.start is None else self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class BacktestJob:
    """One job: its market, costs and fill convention, and the kind's request.

    ``pairs`` (portfolio only): several stored pairs traded together; ``market.pair`` is one.
    """

    market: Market
    asked: Asked
    config: BacktestConfig = field(default_factory=BacktestConfig)
    pairs: tuple[Pair, ...] = ()

    @property
    def kind(self) -> Kind:
        """``single``, ``compare`` or ``portfolio``."""
        if isinstance(self.asked, SingleBacktest):
            return "single"
        return "compare" if isinstance(self.asked, CompareBacktest) else "portfolio"

    def runs(self) -> int:
        """How many passes over the candles the job makes (its progress is candles x runs)."""
        if isinstance(self.asked, PortfolioSweep):
            return len(self.asked.ratios)
        return len(self.asked.strategies) if isinstance(self.asked, CompareBacktest) else 1

    @classmethod
    def from_json(
        cls, kind: str, stored: Mapping[str, Any], trading: TradingSettings
    ) -> BacktestJob:
        """A job from the API's body or its stored form; ``trading``: a portfolio's defaults.

        Checked in this order: market, costs, the kind's request (``parse``: strategies,
        parameters, capital, ratios).

        Raises:
            UnknownNameError: unknown strategy.
            UserInputError: the first problem found, in one line.
        """
        market = Market.from_json(stored)
        config = BacktestConfig.parse(**{name: stored.get(name) for name in CONFIG_FIELDS})
        if kind == "single":
            asked: Asked = SingleBacktest.parse(
                strategy=str(stored["strategy"]),
                capital=stored.get("initial_capital", 1000),
                params=stored.get("params") or {},
            )
        elif kind == "compare":
            asked = CompareBacktest.parse(
                strategies=[str(s) for s in stored["strategies"]],
                capital=stored.get("initial_capital", 1000),
                params=stored.get("params") or {},
            )
        elif kind == "portfolio":
            asked = _sweep(stored, trading)
        else:
            raise UserInputError(f"unknown backtest kind {kind!r}")
        pairs = tuple(Pair.parse(str(p)) for p in stored.get("pairs") or ())
        return cls(market=market, asked=asked, config=config, pairs=pairs)

    def as_json(self) -> dict[str, Any]:
        """The stored form: the body's names, a portfolio's defaults resolved (``ratios``)."""
        config = self.config.model_dump(mode="json", include=set(CONFIG_FIELDS))
        stored: dict[str, Any] = {**self.market.as_json(), **config}
        asked = self.asked
        if isinstance(asked, PortfolioSweep):
            stored |= {
                "safe_strategy": asked.safe_strategy,
                "aggressive_strategy": asked.aggressive_strategy,
                "safe_capital": str(asked.capital[0]),
                "aggressive_capital": str(asked.capital[1]),
                "ratios": [str(r) for r in asked.ratios],
                "swept": asked.swept,
                "on_deep_streak": asked.on_deep_streak,
                "pairs": [p.symbol for p in self.pairs] or None,
            }
        elif isinstance(asked, CompareBacktest):
            stored |= {"strategies": list(asked.strategies), "params": dict(asked.params)}
            stored["initial_capital"] = str(asked.capital)
        else:
            stored |= {"strategy": asked.strategy, "params": dict(asked.params)}
            stored["initial_capital"] = str(asked.capital)
        return stored


def _sweep(stored: Mapping[str, Any], trading: TradingSettings) -> PortfolioSweep:
    """The body's ratio or sweep, or the stored ``ratios`` (each checked again)."""
    named = ("safe_strategy", "aggressive_strategy", "safe_capital", "aggressive_capital")
    given = {k: stored[k] for k in named if stored.get(k) is not None}
    ratios = stored.get("ratios")
    sweep = PortfolioSweep.parse(
        trading,
        reallocation=None if ratios else stored.get("reallocation"),
        sweep=None if ratios else stored.get("sweep"),
        on_deep_streak=str(stored.get("on_deep_streak") or "quarter"),
        **given,
    )
    if not ratios:
        return sweep
    return replace(
        sweep,
        ratios=tuple(check_ratio(_decimal(r)) for r in ratios),
        swept=bool(stored.get("swept")),
    )


def _decimal(value: Any) -> Decimal:
    try:
        return to_decimal(value)
    except (ValueError, ArithmeticError):
        raise UserInputError(f"ratio {value!r} is not a number") from None


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise UserInputError(f"time {value!r} is not an ISO 8601 time") from None
