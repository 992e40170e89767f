"""Decision worker: each bot's strategy inputs in, both bots' decisions on each candle out.

One ``DecisionEngine`` (one strategy) per bot decides a whole run of candles at once
(``DecisionEngine.decide``: row ``t`` is exactly what the rule says on candle ``t``). The run's
candles travel on with the decisions, so that the order engine gets every candle and both bots'
verdicts on it in one ordered stream. The verdict on the run's last candle (each live candle's)
is also announced as a ``SignalGenerated`` with its indicator contributions.

The runs of one read (a live candle time: every pair's candle) are decided together
(``handle_many``): each bot's rule is evaluated once over the pairs' rows laid end to end
(``decide_together``) instead of once per pair. That is exact: a rule reads at most
``lookback`` rows back (docs/strategies.md), and a run whose inputs carry ``lookback - 1`` rows
before it reads only its own rows there; a run with fewer (a series' start) is decided alone.

Several decision workers share the pairs (``bus.partitions``); a run a dead worker left unacked
comes again to the pair's next worker: the messages it publishes carry the same ids
(``bus.message_ids``), and a run whose candles this worker decided already is dropped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from itertools import chain
from typing import Any

import numpy as np

from cryptotrader.bus import topics
from cryptotrader.bus.message_ids import run_message_id
from cryptotrader.bus.messages import (
    BotDecisions,
    BusMessage,
    DecisionsMade,
    RuleInputs,
    SignalGenerated,
    StrategyInputsComputed,
)
from cryptotrader.bus.protocol import Delivery, MessageBus
from cryptotrader.domain.enums import BotKind, SignalAction
from cryptotrader.domain.market import FloatArray
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.decision import DecisionEngine, rows_contributions
from cryptotrader.engines.workers.runs import column
from cryptotrader.strategies import create_strategy
from cryptotrader.strategies.base import BaseStrategy, Decisions, StrategyInputs
from cryptotrader.strategies.context import ContextArrays, nan_to_zero

BUY, SELL, HOLD = 1, -1, 0
_Series = tuple[str, str, str]
"""exchange, symbol, timeframe"""
ACTIONS = {BUY: SignalAction.BUY, SELL: SignalAction.SELL, HOLD: SignalAction.HOLD}


class DecisionWorker:
    """Consumes ``indicators``, publishes ``DecisionsMade`` (and ``SignalGenerated``).

    Args:
        bus: the message bus.
        engines: one decision engine per bot.
    """

    def __init__(self, *, bus: MessageBus, engines: Mapping[BotKind, DecisionEngine]) -> None:
        self._bus = bus
        self._engines = dict(engines)
        self._configs = {bot: _config(e.strategy) for bot, e in self._engines.items()}
        self._decided: dict[_Series, tuple[int, int]] = {}
        """The pass and last candle decided per series: a run seen again is dropped, unless the
        market data began another pass since (``pass_ms``: what was decided was lost)."""

    async def handle(self, delivery: Delivery) -> None:
        """Decide a run of candles for both bots."""
        message = delivery.message
        if not isinstance(message, StrategyInputsComputed):
            return
        if not self._fresh(message, {}):
            return  # a run handled again (its worker died before acking it): decided already
        decided = {
            bot: decide(self._engine(bot, message.inputs[bot]), message.inputs[bot])
            for bot in self._engines
        }
        await self._publish([(message, decided)])

    async def handle_many(self, deliveries: Sequence[Delivery]) -> None:
        """Decide the runs of one read together; publish as ``handle`` would, run after run."""
        seen: dict[_Series, tuple[int, int]] = {}  # a run twice in one read: decided once
        runs = [
            d.message
            for d in deliveries
            if isinstance(d.message, StrategyInputsComputed) and self._fresh(d.message, seen)
        ]
        if runs:
            await self._publish(list(zip(runs, self._decide_together(runs), strict=True)))

    def _decide_together(
        self, runs: Sequence[StrategyInputsComputed]
    ) -> list[dict[BotKind, BotDecisions]]:
        """Each run's decisions, every bot's rule evaluated once over the runs it can join."""
        decided: list[dict[BotKind, BotDecisions]] = [{} for _ in runs]
        for bot in self._engines:
            joined: dict[int, tuple[DecisionEngine, list[int]]] = {}
            for i, message in enumerate(runs):
                rows = message.inputs[bot]
                engine = self._engine(bot, rows)
                if rows.lead == engine.strategy.lookback - 1:
                    joined.setdefault(id(engine), (engine, []))[1].append(i)
                else:  # a series' start: the rule must see nothing before its first row
                    decided[i][bot] = decide(engine, rows)
            for engine, members in joined.values():
                together = decide_together(engine, [runs[i].inputs[bot] for i in members])
                for i, one in zip(members, together, strict=True):
                    decided[i][bot] = one
        return decided

    async def _publish(
        self, decided: Sequence[tuple[StrategyInputsComputed, dict[BotKind, BotDecisions]]]
    ) -> None:
        """Each run's decisions, then the verdicts on its last candle (deterministic ids).

        Every run's messages in one ``publish_many``, in run order (one round trip on Redis,
        not two per run).
        """
        out: list[BusMessage] = []
        marks: list[tuple[_Series, tuple[int, int]]] = []
        for message, bots in decided:
            key = _series(message)
            out.extend(self._messages(message, key, bots))
            marks.append((key, (message.pass_ms, message.candles.open_times[-1])))
        await self._bus.publish_many(topics.SIGNALS, out)
        self._decided.update(marks)

    def _messages(
        self, message: StrategyInputsComputed, key: _Series, decided: dict[BotKind, BotDecisions]
    ) -> list[BusMessage]:
        """The run's ``DecisionsMade``, then its ``SignalGenerated`` (one per bot).

        What the messages share (the series and run in the ids, the last candle's time) is
        worked out once per run, not once per message.
        """
        times = message.candles.open_times
        about = (*key, times[0], times[-1])
        out: list[BusMessage] = [
            DecisionsMade.of_run(
                message, message_id=run_message_id("decisions_made", *about), bots=decided
            )
        ]
        last = utc_from_ms(times[-1])
        out.extend(
            _announced(bot, self._engines[bot], decisions, message, about=about, last=last)
            for bot, decisions in decided.items()
        )
        return out

    def _fresh(self, message: StrategyInputsComputed, seen: dict[_Series, tuple[int, int]]) -> bool:
        """True (noted in ``seen``) unless its candles were decided (or seen) in this pass."""
        key, mark = _series(message), (message.pass_ms, message.candles.open_times[-1])
        if mark <= max(self._decided.get(key, (-1, -1)), seen.get(key, (-1, -1))):
            return False
        seen[key] = mark
        return True

    def _engine(self, bot: BotKind, rows: RuleInputs) -> DecisionEngine:
        """The bot's engine, rebuilt when the inputs come from another strategy or parameters.

        The indicator worker swaps a bot's strategy at a candle (a change through the API);
        the rule follows at the same candle.
        """
        engine = self._engines[bot]
        wanted = (rows.strategy, rows.params)
        if rows.params and wanted != self._configs[bot]:
            strategy = create_strategy(rows.strategy, rows.params)
            engine = DecisionEngine(strategy=strategy, pair=engine.pair, target_bot=bot)
            self._engines[bot] = engine
            self._configs[bot] = wanted
        return engine


def _series(message: StrategyInputsComputed) -> _Series:
    return message.exchange, message.pair.symbol, message.timeframe.value


def _config(strategy: BaseStrategy[Any]) -> tuple[str, dict[str, Any]]:
    return strategy.name, strategy.params.model_dump(mode="json")


def rule_inputs(rows: RuleInputs) -> StrategyInputs:
    """The rule's inputs from their wire form."""
    context = ContextArrays(*(column(rows.context[name]) for name in ContextArrays.__slots__))
    return StrategyInputs(
        series={name: column(values) for name, values in rows.series.items()},
        strengths={name: column(values) for name, values in rows.strengths.items()},
        weights=rows.weights,
        context=context,
    )


def decide(engine: DecisionEngine, rows: RuleInputs) -> BotDecisions:
    """One bot's decisions on each candle of the run."""
    inputs = rule_inputs(rows)
    return _bot_decisions(engine, inputs, engine.decide(inputs), [(rows.lead, len(inputs))])[0]


def decide_together(engine: DecisionEngine, runs: Sequence[RuleInputs]) -> list[BotDecisions]:
    """``decide`` of each run, the rule evaluated once over the runs' rows end to end.

    Each run must carry ``lookback - 1`` rows before its own (``lead``): a rule reads at most
    ``lookback`` rows back, so its rows then read only rows of the same run. Runs whose inputs
    differ in shape (other series or weights) are decided one by one.
    """
    first = runs[0]
    alike = all(
        r.weights == first.weights
        and r.series.keys() == first.series.keys()
        and r.strengths.keys() == first.strengths.keys()
        for r in runs
    )
    if len(runs) == 1 or not alike:
        return [decide(engine, rows) for rows in runs]
    inputs = StrategyInputs(
        series={name: _joined([r.series[name] for r in runs]) for name in first.series},
        strengths={name: _joined([r.strengths[name] for r in runs]) for name in first.strengths},
        weights=first.weights,
        context=ContextArrays(
            *(_joined([r.context[name] for r in runs]) for name in ContextArrays.__slots__)
        ),
    )
    spans = []
    start = 0
    for rows in runs:
        stop = start + len(rows.context["trend"])
        spans.append((start + rows.lead, stop))
        start = stop
    return _bot_decisions(engine, inputs, engine.decide(inputs), spans)


def _joined(columns: Iterable[list[float | None]]) -> FloatArray:
    values: list[float | None] = []
    for one in columns:  # extending one list: ~20 % less than chaining the runs' columns
        values += one
    return column(values)


def _bot_decisions(
    engine: DecisionEngine,
    inputs: StrategyInputs,
    decisions: Decisions,
    spans: Sequence[tuple[int, int]],
) -> list[BotDecisions]:
    """The decisions of each span of rows ``start:stop`` (a run's, after its lead).

    Every span's actions, scores and shown rows are computed at once over the rows decided
    together (element by element: the same values as span by span), then cut into lists.
    """
    actions = np.where(decisions.exits, SELL, np.where(decisions.entries, BUY, HOLD))
    score = nan_to_zero(decisions.score).clip(-1.0, 1.0)  # +-inf: +-1 either way
    all_actions, all_confidence, all_scores = (
        actions.tolist(),
        decisions.confidence.tolist(),
        score.tolist(),
    )
    # every buy (an entry records its signal's shares), and each span's last row: its verdict
    # is announced as a signal, a hold included, and the app shows each indicator's share of
    # it; nothing reads a sale's (about half the rows of a replay: a third of the stage's time)
    buys = np.flatnonzero(actions == BUY)
    bounds = np.asarray(spans, dtype=np.intp).reshape(-1, 2)
    los = np.searchsorted(buys, bounds[:, 0]).tolist()
    his = np.searchsorted(buys, bounds[:, 1]).tolist()
    buy_rows = buys.tolist()
    shown: list[list[int]] = []
    for (start, stop), lo, hi in zip(spans, los, his, strict=True):
        rows = buy_rows[lo:hi]
        if stop > start and (not rows or rows[-1] != stop - 1):
            rows.append(stop - 1)
        shown.append(rows)
    # every span's shares at once: the same arithmetic row by row (``rows_contributions``)
    shares = iter(
        rows_contributions(inputs.strengths, inputs.weights, list(chain.from_iterable(shown)))
    )
    name = engine.strategy.name
    return [
        BotDecisions.of_rows(
            strategy=name,
            actions=all_actions[start:stop],
            confidence=all_confidence[start:stop],
            score=all_scores[start:stop],
            contributions={str(row - start): next(shares) for row in rows},
        )
        for (start, stop), rows in zip(spans, shown, strict=True)
    ]


def _announced(
    bot: BotKind,
    engine: DecisionEngine,
    decisions: BotDecisions,
    message: StrategyInputsComputed,
    *,
    about: tuple[str | int, ...],
    last: datetime,
) -> SignalGenerated:
    """The verdict on the run's last candle: every live candle's, one per run when catching up.

    A replay's thousands of past verdicts would only flood the channel. Built as the message
    at once (``SignalGenerated.of_verdict``), not as a ``TradingSignal`` validated twice.
    ``about``: the series and run (its id's parts); ``last``: the last candle's open time (the
    decisions cover the run's candles, so its last row is the run's last candle).
    """
    i = len(decisions.actions) - 1
    score = decisions.score[i]
    return SignalGenerated.of_verdict(
        message_id=run_message_id("signal_generated", *about, bot.value),
        timestamp=last,
        pair=message.pair,
        timeframe=message.timeframe,
        action=ACTIONS[decisions.actions[i]],
        confidence=decisions.confidence[i],
        score=0.0 if math.isnan(score) else score,
        strategy=decisions.strategy,
        target_bot=engine.target_bot,
        contributions=decisions.contributions.get(str(i), {}),
    )
