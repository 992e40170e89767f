"""Every bus message schema, in one module.

Shaped like the original examples: flat JSON objects, decimals as strings (``"67450.00"``),
timestamps as ISO-8601 UTC with ``Z``, pairs as ccxt symbols (``"BTC/USDT"``; ``"BTCUSDT"`` is
accepted on input). Each message has a ``message_id`` (consumers record it to stay idempotent)
and a ``type`` naming the schema. Messages are built from and turned back into the domain types;
they carry no behaviour of their own. Events are past tense, commands imperative.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC
from decimal import Decimal
from typing import Annotated, Any, Literal, overload

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from cryptotrader.bus import topics
from cryptotrader.domain.enums import (
    Bias,
    BotKind,
    OrderStatus,
    OrderType,
    Side,
    SignalAction,
)
from cryptotrader.domain.market import Candle
from cryptotrader.domain.orders import Order
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.signals import IndicatorSignal, TradingSignal
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.trusted import trusted as _trusted
from cryptotrader.domain.values import Money, Price, Quantity, Ratio, UtcDatetime, ensure_utc

_WIRE = ConfigDict(frozen=True, extra="forbid", json_schema_serialization_defaults_required=True)
"""Wire models: frozen, strict; a field with a default is always sent, so clients may rely on it."""


def new_message_id() -> str:
    """A fresh, globally unique message id: 32 hex digits, laid out as a version 4 UUID's.

    The process's random prefix (the UUID's first 80 bits: 74 random, the version and variant
    bits as ``uuid.uuid4()`` sets them), then a counter in the last 48 (the UUID's ``node``).
    Unique within the process: the counter (``itertools.count``: one step per call, whatever
    the thread) never repeats under one prefix; a new prefix is drawn when it would wrap, and
    in a child after ``fork``, which would otherwise continue its parent's. Across processes
    two ids can only be equal if two prefixes are: with P processes ever writing to one
    database or bus, a chance below P**2 / 2**75 (3e-11 for a million processes). Every order
    update, alert and trade event takes one: ``os.urandom`` per id cost ~1.4 us, this ~0.3
    (docs/BENCHMARKS.md, issue 17).
    """
    prefix, numbers = _ids
    number = next(numbers)
    if number > _ID_LAST:
        _new_ids(numbers)
        return new_message_id()
    return prefix + hex(number | _ID_MARK)[3:]  # the mark's digit and "0x" cut: 12 digits


_UUID4_KEEP = ~((0xF000 << 64) | (0xC000 << 48))
_UUID4_SET = (0x4000 << 64) | (0x8000 << 48)
"""The version (4) and variant (RFC 4122) bits, as ``uuid.UUID(version=4)`` sets them."""
_ID_MARK = 1 << 48
_ID_LAST = _ID_MARK - 1
"""The counter's last value under one prefix (12 hex digits)."""
_ids_lock = threading.Lock()


def _draw_ids() -> tuple[str, Iterator[int]]:
    value = (int.from_bytes(os.urandom(16), "big") & _UUID4_KEEP) | _UUID4_SET
    return f"{value >> 48:020x}", itertools.count()


_ids = _draw_ids()
"""The process's id prefix (20 hex digits) and its counter."""


def _new_ids(spent: Iterator[int]) -> None:
    """Draw a new prefix and counter, unless another thread did since ``spent`` wrapped."""
    global _ids  # noqa: PLW0603 - new_message_id's state, replaced whole
    with _ids_lock:
        if _ids[1] is spent:
            _ids = _draw_ids()


def _ids_after_fork() -> None:
    """A forked child's own prefix (it would continue its parent's ids); its lock anew."""
    global _ids, _ids_lock
    _ids, _ids_lock = _draw_ids(), threading.Lock()


os.register_at_fork(after_in_child=_ids_after_fork)


def _pair(value: object) -> object:
    return Pair.parse(value) if isinstance(value, str) else value


def _plain(value: Decimal) -> str:
    """``format(value, "f")``: a decimal's digits without an exponent ("1E+2" is "100").

    ``str`` writes the same text unless it writes an exponent ("1E+2", "1E-7", "0E-8"), in
    half the time; every money field of every event comes through here (a Python call per
    field: pydantic's serializer has no fixed-point text of its own).
    """
    text = str(value)
    return format(value, "f") if "E" in text else text


_as_text = PlainSerializer(_plain, return_type=str)
PairText = Annotated[Pair, BeforeValidator(_pair), PlainSerializer(str, return_type=str)]
PriceText = Annotated[Price, _as_text]
QuantityText = Annotated[Quantity, _as_text]
MoneyText = Annotated[Money, _as_text]
RatioText = Annotated[Ratio, _as_text]


class BusMessage(BaseModel):
    """Base of every message: an id and the time the event happened (UTC)."""

    model_config = _WIRE

    message_id: str = Field(default_factory=new_message_id, min_length=1, max_length=64)
    timestamp: UtcDatetime


class IndicatorReading(BaseModel):
    """One indicator's reading inside ``IndicatorsComputed`` and ``SignalGenerated``."""

    model_config = _WIRE

    values: dict[str, float | None]
    signal: Bias
    label: str
    strength: float = Field(ge=-1, le=1)
    weight: float = Field(ge=0)

    @classmethod
    def from_domain(cls, signal: IndicatorSignal) -> IndicatorReading:
        """The wire form of an indicator signal."""
        return cls(
            values=signal.values,
            signal=signal.signal,
            label=signal.label,
            strength=signal.strength,
            weight=signal.weight,
        )

    def to_domain(
        self, name: str, timeframe: Timeframe, candle_time: UtcDatetime
    ) -> IndicatorSignal:
        """The domain signal, given what the enclosing message knows."""
        return IndicatorSignal(
            name=name,
            values=self.values,
            signal=self.signal,
            label=self.label,
            strength=self.strength,
            weight=self.weight,
            timeframe=timeframe,
            timestamp=candle_time,
        )


class CandleClosed(BusMessage):
    """A candle closed on an exchange (``candles``)."""

    type: Literal["candle_closed"] = "candle_closed"
    exchange: str
    pair: PairText
    timeframe: Timeframe
    open_time: UtcDatetime
    open: PriceText
    high: PriceText
    low: PriceText
    close: PriceText
    volume: QuantityText

    @classmethod
    def from_domain(cls, candle: Candle, *, exchange: str, at: UtcDatetime) -> CandleClosed:
        """Announce ``candle``; ``at`` is when it closed."""
        return cls(
            timestamp=at,
            exchange=exchange,
            pair=candle.pair,
            timeframe=candle.timeframe,
            open_time=candle.timestamp,
            open=candle.open,
            high=candle.high,
            low=candle.low,
            close=candle.close,
            volume=candle.volume,
        )

    def to_domain(self) -> Candle:
        """The candle."""
        return Candle(
            pair=self.pair,
            timeframe=self.timeframe,
            timestamp=self.open_time,
            open=self.open,
            high=self.high,
            low=self.low,
            close=self.close,
            volume=self.volume,
        )


class IndicatorsComputed(BusMessage):
    """Every indicator's reading of one closed candle (``indicators``)."""

    type: Literal["indicators_computed"] = "indicators_computed"
    pair: PairText
    timeframe: Timeframe
    candle_time: UtcDatetime
    indicators: dict[str, IndicatorReading]

    @classmethod
    def from_domain(
        cls,
        signals: Mapping[str, IndicatorSignal],
        *,
        pair: Pair,
        timeframe: Timeframe,
        candle_time: UtcDatetime,
        at: UtcDatetime,
    ) -> IndicatorsComputed:
        """Announce the readings of the candle that opened at ``candle_time``."""
        return cls(
            timestamp=at,
            pair=pair,
            timeframe=timeframe,
            candle_time=candle_time,
            indicators={k: IndicatorReading.from_domain(s) for k, s in signals.items()},
        )

    def to_domain(self) -> dict[str, IndicatorSignal]:
        """The readings, by indicator key."""
        return {
            name: reading.to_domain(name, self.timeframe, self.candle_time)
            for name, reading in self.indicators.items()
        }


class SignalGenerated(BusMessage):
    """The decision engine's verdict for one pair and one bot (``signals``)."""

    type: Literal["signal_generated"] = "signal_generated"
    pair: PairText
    timeframe: Timeframe
    action: SignalAction
    confidence: float = Field(ge=0, le=1)
    score: float = Field(ge=-1, le=1)
    strategy: str
    target_bot: BotKind
    contributions: dict[str, float] = Field(default_factory=dict)
    indicators: dict[str, IndicatorReading] = Field(default_factory=dict)

    @classmethod
    def from_domain(cls, signal: TradingSignal) -> SignalGenerated:
        """Announce ``signal`` (its timestamp is the message's)."""
        return cls(
            timestamp=signal.timestamp,
            pair=signal.pair,
            timeframe=signal.timeframe,
            action=signal.action,
            confidence=signal.confidence,
            score=signal.score,
            strategy=signal.strategy,
            target_bot=signal.target_bot,
            contributions=signal.contributions,
            indicators={k: IndicatorReading.from_domain(s) for k, s in signal.indicators.items()},
        )

    @classmethod
    def of_verdict(
        cls,
        *,
        message_id: str,
        timestamp: UtcDatetime,
        pair: Pair,
        timeframe: Timeframe,
        action: SignalAction,
        confidence: float,
        score: float,
        strategy: str,
        target_bot: BotKind,
        contributions: dict[str, float],
    ) -> SignalGenerated:
        """The decision worker's verdict on a run's last candle, not validated again.

        Every value is of its field's type already: ``timestamp`` aware UTC (``utc_from_ms``),
        ``confidence`` checked in [0, 1] and ``score`` clipped to [-1, 1] by the worker
        (``evaluate_rule``, ``_bot_decisions``), plain floats from numpy's ``tolist``.
        Validating cost about as much as deciding (a 50-pair candle time announces 100
        verdicts); ``tests/unit/bus/test_decision_messages.py`` checks it equals the validated one.
        """
        values: dict[str, Any] = {
            "message_id": message_id,
            "timestamp": timestamp,
            "type": "signal_generated",
            "pair": pair,
            "timeframe": timeframe,
            "action": action,
            "confidence": confidence,
            "score": score,
            "strategy": strategy,
            "target_bot": target_bot,
            "contributions": dict(contributions),
            "indicators": {},
        }
        return _trusted(cls, values, _VERDICT_GIVEN)

    def to_domain(self) -> TradingSignal:
        """The trading signal."""
        return TradingSignal(
            timestamp=self.timestamp,
            pair=self.pair,
            timeframe=self.timeframe,
            action=self.action,
            confidence=self.confidence,
            score=self.score,
            strategy=self.strategy,
            target_bot=self.target_bot,
            contributions=self.contributions,
            indicators={
                name: reading.to_domain(name, self.timeframe, self.timestamp)
                for name, reading in self.indicators.items()
            },
        )


class OrderUpdated(BusMessage):
    """An order was created or changed state on the exchange (``orders``)."""

    type: Literal["order_updated"] = "order_updated"
    client_order_id: str
    bot: BotKind
    pair: PairText
    side: Side
    order_type: OrderType
    quantity: QuantityText
    price: PriceText | None = None
    stop_loss: PriceText | None = None
    take_profit: PriceText | None = None
    status: OrderStatus
    exchange_order_id: str | None = None
    filled_quantity: QuantityText
    average_fill_price: PriceText | None = None
    fee: MoneyText
    created_at: UtcDatetime

    @classmethod
    def from_domain(cls, order: Order, *, at: UtcDatetime) -> OrderUpdated:
        """Announce ``order`` as it stands at ``at``.

        Not validated again: ``order`` is (its fields are this message's, same types, same
        checks); validating cost twice the rest (a 50-pair candle time builds about a hundred
        updates, docs/BENCHMARKS.md, issue 15).
        ``tests/unit/bus/test_bus_messages.py`` checks it equals the validated message.
        """
        o = order.__dict__  # every field of a model is in it: read once, not by ``getattr``
        values: dict[str, Any] = {  # in the message's field order (its JSON's)
            "message_id": new_message_id(),
            "timestamp": at if at.tzinfo is UTC else ensure_utc(at),
            "type": "order_updated",
            "client_order_id": o["client_order_id"],
            "bot": o["bot"],
            "pair": o["pair"],
            "side": o["side"],
            "order_type": o["type"],
            "quantity": o["quantity"],
            "price": o["price"],
            "stop_loss": o["stop_loss"],
            "take_profit": o["take_profit"],
            "status": o["status"],
            "exchange_order_id": o["exchange_order_id"],
            "filled_quantity": o["filled_quantity"],
            "average_fill_price": o["average_fill_price"],
            "fee": o["fee"],
            "created_at": o["created_at"],
        }
        return _trusted(cls, values, _GIVEN)

    def to_domain(self) -> Order:
        """The order."""
        fields = {name: getattr(self, name) for name in _ORDER_FIELDS}
        return Order(type=self.order_type, **fields)


# Order.type is spelled order_type on the wire: "type" names the message schema.
_ORDER_FIELDS = tuple(name for name in Order.model_fields if name != "type")
_GIVEN = frozenset(OrderUpdated.model_fields) - {"message_id", "type"}
"""The fields ``from_domain`` gives (the others take their defaults)."""


_VERDICT_GIVEN = frozenset(SignalGenerated.model_fields) - {"type"}
"""The fields ``SignalGenerated.of_verdict`` gives (as validation counts them)."""


Severity = Literal["info", "warning", "critical"]


class AlertRaised(BusMessage):
    """Something people must hear about (``alerts``); ``kind`` says what, ``text`` says it."""

    type: Literal["alert_raised"] = "alert_raised"
    kind: str = Field(min_length=1, max_length=64)
    severity: Severity = "info"
    text: str
    bot: BotKind | None = None
    pair: PairText | None = None
    side: Side | None = None
    price: PriceText | None = None
    risk: MoneyText | None = None
    potential_gain: MoneyText | None = None
    rr_ratio: MoneyText | None = None
    details: dict[str, str] = Field(default_factory=dict)


class CapitalReallocated(BusMessage):
    """Part of a winning trade's profit moved between bots (``rebalance``)."""

    type: Literal["capital_reallocated"] = "capital_reallocated"
    from_bot: BotKind
    to_bot: BotKind
    amount: MoneyText
    ratio: RatioText
    profit: MoneyText
    trigger_trade_id: int | None = None
    pair: PairText | None = Field(default=None, description="the market of the trigger trade")


class ControlBot(BusMessage):
    """Start, stop, pause or resume a bot (``commands``)."""

    type: Literal["control_bot"] = "control_bot"
    bot: BotKind
    action: Literal["start", "stop", "pause", "resume"]
    requested_by: str


class BotReconfigured(BusMessage):
    """A bot's strategy or parameters changed through the API (``commands``).

    The running indicator engine applies it at the next candle (its decisions then come from
    the new strategy) and says so with a ``bot_settings_applied`` alert and an audit row.
    """

    type: Literal["bot_reconfigured"] = "bot_reconfigured"
    bot: BotKind
    strategy: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)
    requested_by: str


class BotPairsChanged(BusMessage):
    """The pairs a bot opens positions on changed through the API or the CLI (``commands``).

    ``pairs`` None: every active pair of ``/config/pairs`` (narrowed by ``runtime.bot_pairs``
    when set). The running order engine applies it at the next candle and says so with a
    ``bot_pairs_applied`` alert and an audit row; a pair taken off opens nothing new, and its
    open position keeps its protection until it closes.
    """

    type: Literal["bot_pairs_changed"] = "bot_pairs_changed"
    bot: BotKind
    pairs: list[PairText] | None = None
    requested_by: str


class PairChanged(BusMessage):
    """A pair of ``/config/pairs`` added, activated or deactivated (``commands``).

    A running live runtime that follows ``/config/pairs`` (no ``--pair``) feeds an activated
    pair from its next candle on (its history checked and its warm-up back-filled first) and
    stops feeding a deactivated one once it holds no position; the order engine records when
    it took effect (``pairs_applied`` alert, ``pairs.applied`` audit row).
    """

    type: Literal["pair_changed"] = "pair_changed"
    exchange: str = Field(min_length=1, max_length=64)
    pair: PairText
    active: bool
    requested_by: str


class OptimizationProgress(BusMessage):
    """Where an optimisation job stands (``optimizations``); only its owner's sockets get it."""

    type: Literal["optimization_progress"] = "optimization_progress"
    job_id: int
    user_id: int
    status: Literal["queued", "running", "succeeded", "failed"]
    trials_done: int = Field(ge=0)
    trials_total: int = Field(ge=0)
    best_value: float | None = None
    window: int | None = Field(default=None, description="walk-forward window (1-based)")
    windows: int | None = None


class BacktestProgress(BusMessage):
    """Where a backtest job stands (``backtests``); only its owner's sockets get it.

    ``candles_done`` counts the candles simulated so far, over every strategy of a comparison
    (``candles_total`` = candles x strategies).
    """

    type: Literal["backtest_progress"] = "backtest_progress"
    job_id: int
    user_id: int
    status: Literal["queued", "running", "succeeded", "failed"]
    candles_done: int = Field(ge=0)
    candles_total: int = Field(ge=0)


class CredentialsRevoked(BusMessage):
    """Credentials revoked (``revocations``), for every API process.

    Each process forgets every credential matching one of the fields given (a user's, a login
    session's, a service token's) and re-checks its open WebSockets at once.
    """

    type: Literal["credentials_revoked"] = "credentials_revoked"
    user_id: int | None = None
    session_id: str | None = Field(default=None, max_length=64)
    token_id: int | None = None


# --- runs of candles: what the trading pipeline passes along ------------------------------------
# Candles catching up (a replay, a restart) travel in runs, one message per run, so that each
# engine computes on a whole run at once; a live candle is a run of one. Candle prices and
# indicator values are float64 columns, as in every engine and in ``ohlcv_data`` (money stays
# Decimal): JSON carries a float exactly, and NaN (not known yet) as null.

FloatColumn = list[float | None]


class CandleRun(BaseModel):
    """Consecutive closed candles of one series as columns (open times in epoch ms)."""

    model_config = _WIRE

    open_times: list[int] = Field(min_length=1)
    open: list[float]
    high: list[float]
    low: list[float]
    close: list[float]
    volume: list[float]


class Batch(Sequence[str]):
    """The symbols of the pairs whose runs are traded together, held as their wire text.

    On the wire (format 2, since 2026-12-05): one string, the symbols joined by commas
    (``"BTC/USDT,ETH/USDT"``; ``""``: none). Format 1 was a JSON list of the symbols, still
    read (a stream may hold such messages across an upgrade). The same list of 100 symbols
    was in every run message of a 100-pair candle time, decoded and encoded in every engine
    (pydantic validated each of its 100 strings: 5.6 us a message, against 0.5 us for one
    string): the text now goes through the indicator and decision engines as it came, and is
    split only where the symbols are read (the trading worker, once per batch: ``members``).
    A sequence of the symbols (``tuple(batch)``, ``in``, ``==`` a list or tuple of them).
    """

    __slots__ = ("text",)
    SEPARATOR = ","

    def __init__(self, text: str = "") -> None:
        self.text = text

    @classmethod
    def of(cls, symbols: Iterable[str]) -> Batch:
        """The batch of ``symbols`` (in their order).

        Raises:
            ValueError: a symbol is empty or holds the separator.
        """
        items = list(symbols)
        for symbol in items:
            if not symbol or cls.SEPARATOR in symbol:
                raise ValueError(f"not a symbol of a batch: {symbol!r}")
        return cls(cls.SEPARATOR.join(items))

    @classmethod
    def parse(cls, text: str) -> Batch:
        """The batch written as ``text`` (format 2).

        Raises:
            ValueError: an empty symbol (a separator at either end, or two in a row).
        """
        sep = cls.SEPARATOR
        if text and (text[0] == sep or text[-1] == sep or sep + sep in text):
            raise ValueError("a batch's symbols are separated by single commas")
        return cls(text)

    def symbols(self) -> tuple[str, ...]:
        """The symbols, in order.

        Split once per distinct text: every run of a candle time names the same batch.
        """
        return _split(self.text)[0]

    def members(self) -> frozenset[str]:
        """The symbols as a set (cached as ``symbols``)."""
        return _split(self.text)[1]

    def __bool__(self) -> bool:
        return bool(self.text)

    def __len__(self) -> int:
        return len(self.symbols())

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return self.symbols()[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self.symbols())

    def __contains__(self, symbol: object) -> bool:
        return symbol in self.members()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Batch):
            return self.text == other.text
        if isinstance(other, list | tuple):
            return self.symbols() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.symbols())

    def __repr__(self) -> str:
        return f"Batch({self.text!r})"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        text = core_schema.no_info_after_validator_function(cls.parse, core_schema.str_schema())
        listed = core_schema.no_info_after_validator_function(
            cls.of, core_schema.list_schema(core_schema.str_schema())
        )
        return core_schema.json_or_python_schema(
            json_schema=core_schema.union_schema([text, listed]),
            python_schema=core_schema.union_schema(
                [core_schema.is_instance_schema(cls), text, listed]
            ),
            serialization=core_schema.plain_serializer_function_ser_schema(
                _batch_out, info_arg=True
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        if handler.mode == "serialization":
            return {"type": "string"}
        return handler(schema)


def _batch_out(batch: Batch, info: core_schema.SerializationInfo) -> str | list[str]:
    """JSON: the text; a Python dump: a list of the symbols, as before."""
    return batch.text if info.mode_is_json() else list(batch.symbols())


_SPLITS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
_SPLITS_KEPT = 16


def _split(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    found = _SPLITS.get(text)
    if found is None:
        symbols = tuple(text.split(Batch.SEPARATOR)) if text else ()
        found = (symbols, frozenset(symbols))
        if len(_SPLITS) >= _SPLITS_KEPT:
            _SPLITS.clear()  # a few batches live at a time (a candle time's, the next one's)
        _SPLITS[text] = found
    return found


class _RunMessage(BusMessage):
    """A run of candles of one series, and the first price after its last close when known."""

    exchange: str = Field(description="where the candles come from (binance, replay, demo)")
    pair: PairText
    timeframe: Timeframe
    candles: CandleRun
    next_open: float | None = Field(default=None, description="the next candle's open")
    next_open_ms: int | None = None
    final: bool = Field(default=False, description="a replay ends with this run")
    batch: Batch = Field(
        default_factory=Batch,
        description=(
            "several pairs: the symbols whose runs cover the same candle times and are traded "
            "together (sorted), joined by commas; empty for one pair (a JSON list of them, the "
            "format before 2026-12-05, is still read)"
        ),
    )
    batch_ms: int | None = Field(
        default=None, description="several pairs: the first candle time of the batch"
    )
    previous_open_ms: int | None = Field(
        default=None,
        description=(
            "the candle the run follows (None: a series starts, or not known): the order engine "
            "acts on no run that follows a candle it has not done"
        ),
    )
    pass_ms: int = Field(
        default=0,
        ge=0,
        description=(
            "when the market data began publishing this pass of the series (epoch ms): a pass "
            "begins at its start and again when it publishes from the order engine's checkpoint "
            "(runs in flight lost); a worker computes a run of a later pass again"
        ),
    )

    def carried(self) -> dict[str, Any]:
        """What a message made from this run carries on: every field but its id and candles."""
        return {name: getattr(self, name) for name in _CARRIED}


_CARRIED = (
    "timestamp", "exchange", "pair", "timeframe", "next_open", "next_open_ms", "final", "batch",
    "batch_ms", "previous_open_ms", "pass_ms",
)  # fmt: skip


class CandlesClosed(_RunMessage):
    """Candles closed (``candles``); ``previous_open_ms`` chains runs (None: a series starts)."""

    type: Literal["candles_closed"] = "candles_closed"
    history_from_ms: int | None = Field(
        default=None, description="where the series' stored history starts"
    )


class RuleInputs(BaseModel):
    """One strategy's rule inputs over a run, with ``lead`` earlier rows its lookback reads."""

    model_config = _WIRE

    strategy: str
    params: dict[str, Any] = Field(
        default_factory=dict, description="the strategy's parameters (the decision rule's too)"
    )
    lead: int = Field(ge=0)
    series: dict[str, FloatColumn]
    strengths: dict[str, FloatColumn]
    weights: dict[str, float]
    context: dict[str, FloatColumn]


class StrategyInputsComputed(_RunMessage):
    """Each bot's strategy inputs over a run of candles (``indicators``)."""

    type: Literal["strategy_inputs_computed"] = "strategy_inputs_computed"
    inputs: dict[BotKind, RuleInputs]


class BotDecisions(BaseModel):
    """One bot's decision on each candle of a run: 1 buy, -1 sell, 0 hold."""

    model_config = _WIRE

    strategy: str
    actions: list[int]
    confidence: list[float]
    score: list[float]
    contributions: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="by row index, for the rows that buy and the run's last row",
    )

    @classmethod
    def of_rows(
        cls,
        *,
        strategy: str,
        actions: list[int],
        confidence: list[float],
        score: list[float],
        contributions: dict[str, dict[str, float]],
    ) -> BotDecisions:
        """The decision worker's decisions on a run, not validated again.

        The values are of the fields' types already (plain ints and floats from numpy's
        ``tolist``); ``tests/unit/bus/test_decision_messages.py`` checks it equals the validated.
        """
        values = {
            "strategy": strategy,
            "actions": actions,
            "confidence": confidence,
            "score": score,
            "contributions": contributions,
        }
        return _trusted(cls, values, _BOT_DECISIONS_GIVEN)


_BOT_DECISIONS_GIVEN = frozenset(BotDecisions.model_fields)


class DecisionsMade(_RunMessage):
    """Both bots' decisions over a run of candles, with the candles (``signals``)."""

    type: Literal["decisions_made"] = "decisions_made"
    bots: dict[BotKind, BotDecisions]

    @classmethod
    def of_run(
        cls, run: _RunMessage, *, message_id: str, bots: dict[BotKind, BotDecisions]
    ) -> DecisionsMade:
        """The decisions on ``run``, not validated again.

        ``run`` is a validated message and its fields are this one's: validating again cost
        most of building (a 50-pair candle time builds 50, with the batch's 50 symbols each);
        ``tests/unit/bus/test_decision_messages.py`` checks it equals the validated message.
        """
        values: dict[str, Any] = {}
        for name in _DECISIONS_FIELDS:  # in the message's field order (its JSON's)
            if name == "message_id":
                values[name] = message_id
            elif name == "type":
                values[name] = "decisions_made"
            elif name == "bots":
                values[name] = dict(bots)
            else:  # the batch too: immutable, shared
                values[name] = getattr(run, name)
        return _trusted(cls, values, _DECISIONS_GIVEN)


_DECISIONS_FIELDS = tuple(DecisionsMade.model_fields)
_DECISIONS_GIVEN = frozenset({"message_id", "candles", "bots", *_CARRIED})
"""The fields ``DecisionsMade(message_id=, candles=, bots=, **run.carried())`` counts as set."""


Message = Annotated[
    CandleClosed
    | IndicatorsComputed
    | SignalGenerated
    | OrderUpdated
    | AlertRaised
    | CapitalReallocated
    | ControlBot
    | CandlesClosed
    | StrategyInputsComputed
    | DecisionsMade
    | OptimizationProgress
    | BacktestProgress
    | BotReconfigured
    | BotPairsChanged
    | PairChanged
    | CredentialsRevoked,
    Field(discriminator="type"),
]
"""Any bus message, told apart by its ``type``."""

TOPIC_MESSAGES: dict[str, tuple[type[BusMessage], ...]] = {
    topics.CANDLES: (CandleClosed, CandlesClosed),
    topics.INDICATORS: (IndicatorsComputed, StrategyInputsComputed),
    topics.SIGNALS: (SignalGenerated, DecisionsMade),
    topics.ORDERS: (OrderUpdated,),
    topics.ALERTS: (AlertRaised,),
    topics.REBALANCE: (CapitalReallocated,),
    topics.COMMANDS: (ControlBot, BotReconfigured, BotPairsChanged, PairChanged),
    topics.OPTIMIZATIONS: (OptimizationProgress,),
    topics.BACKTESTS: (BacktestProgress,),
    topics.REVOCATIONS: (CredentialsRevoked,),
}
"""Which messages each channel carries; anything else on a channel is malformed."""
