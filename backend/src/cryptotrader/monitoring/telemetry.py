"""What a process reports: Prometheus metrics, and the same measures as InfluxDB points.

The engines call ``Telemetry`` at the moments that matter (an event published, an order sent, a
delivery handled, the bots sampled after a run of candles); each call updates Prometheus metrics
in memory and, when an ``InfluxWriter`` is attached, queues a point. Both are non-blocking:
nothing here waits on a network.

Trading points (equity, trades, reallocations, risk changes) carry the market's time (a replay's
candle time; the wall clock when trading live) so Grafana draws them where they happened;
operational points (latencies, bus lag, errors) carry the wall clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised, BusMessage, CapitalReallocated, OrderUpdated
from cryptotrader.monitoring.influx import InfluxWriter

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_LAG_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0)
_RISK_ALERTS = {"risk_reduced": "reduced", "risk_restored": "restored"}
_MIN_STREAM_MS = 10**12
"""Redis stream ids start with the server's time in ms; the in-process bus counts from 0."""


class WriterCollector(Collector):
    """The InfluxDB writer's counters, read when Prometheus scrapes."""

    def __init__(self, writer: InfluxWriter) -> None:
        self.writer = writer

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        """Written, dropped, queued, up."""
        writer = self.writer
        written = CounterMetricFamily(
            "cryptotrader_influx_points_written", "Points InfluxDB accepted"
        )
        written.add_metric([], writer.written)
        dropped = CounterMetricFamily(
            "cryptotrader_influx_points_dropped",
            "Points not written: buffer full (InfluxDB slow or down), or refused",
            labels=["reason"],
        )
        dropped.add_metric(["buffer_full"], writer.dropped)
        dropped.add_metric(["refused"], writer.failed)
        queued = GaugeMetricFamily("cryptotrader_influx_points_queued", "Points waiting")
        queued.add_metric([], writer.queued)
        up = GaugeMetricFamily("cryptotrader_influx_up", "1 while InfluxDB takes writes")
        up.add_metric([], 1 if writer.healthy else 0)
        yield from (written, dropped, queued, up)


class Telemetry:
    """The metrics of one process (``api``, ``engines`` or one engine's name).

    Args:
        process: labels this process's engine-activity metrics.
        influx: where points go; None keeps Prometheus only.
        registry: the Prometheus registry (one per process; tests make their own).
    """

    def __init__(
        self,
        *,
        process: str = "engines",
        influx: InfluxWriter | None = None,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.process = process
        self.influx = influx
        self.observers: list[Callable[[str, BusMessage], None]] = []
        """Also told of every published event (the terminal's live view), in publishing order."""
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.equity = Gauge(
            "cryptotrader_bot_equity",
            "Capital plus the open position marked at the last close (quote currency)",
            ["bot"],
            registry=r,
        )
        self.capital = Gauge("cryptotrader_bot_capital", "Booked capital", ["bot"], registry=r)
        self.realised = Gauge(
            "cryptotrader_bot_realised_pnl", "Net P&L of the closed trades", ["bot"], registry=r
        )
        self.unrealised = Gauge(
            "cryptotrader_bot_unrealised_pnl",
            "P&L of the open position at the last close",
            ["bot"],
            registry=r,
        )
        self.drawdown = Gauge(
            "cryptotrader_bot_drawdown_ratio",
            "Fall of equity from its peak since this process started (0.1 = 10%)",
            ["bot"],
            registry=r,
        )
        self.risk_ratio = Gauge(
            "cryptotrader_bot_risk_ratio",
            "Share of capital risked per trade now",
            ["bot"],
            registry=r,
        )
        self.active = Gauge(
            "cryptotrader_bot_active",
            "1 while the bot trades (not paused or stopped)",
            ["bot"],
            registry=r,
        )
        self.open_positions = Gauge(
            "cryptotrader_bot_open_positions", "Open positions", ["bot"], registry=r
        )
        self.notifications = Counter(
            "cryptotrader_notifications",
            "Push notification attempts by channel (webpush, expo, ntfy) and outcome",
            ["channel", "outcome"],
            registry=r,
        )
        self.orders = Counter(
            "cryptotrader_orders",
            "Order updates by bot, side and status",
            ["bot", "side", "status"],
            registry=r,
        )
        self.trades = Counter(
            "cryptotrader_trades_closed",
            "Closed trades by bot, outcome and exit reason",
            ["bot", "outcome", "reason"],
            registry=r,
        )
        self.trades_opened = Counter(
            "cryptotrader_trades_opened", "Opened trades by bot", ["bot"], registry=r
        )
        self.reallocations = Counter(
            "cryptotrader_reallocations", "Capital reallocations between the bots", registry=r
        )
        self.reallocated = Counter(
            "cryptotrader_reallocated_amount",
            "Capital moved from the aggressive to the safe bot (quote currency)",
            registry=r,
        )
        self.risk_changes = Counter(
            "cryptotrader_risk_changes",
            "Risk reductions and restorations",
            ["bot", "direction"],
            registry=r,
        )
        self.breaker_trips = Counter(
            "cryptotrader_circuit_breaker_trips",
            "Bots paused by the circuit breaker or the risk manager",
            ["bot"],
            registry=r,
        )
        self.order_failures = Counter(
            "cryptotrader_order_failures",
            "Orders that failed (refused or unreachable)",
            ["bot"],
            registry=r,
        )
        self.exchange_errors = Counter(
            "cryptotrader_exchange_errors",
            "Exchange calls that failed, by kind",
            ["kind"],
            registry=r,
        )
        self.close_to_order = Histogram(
            "cryptotrader_close_to_order_seconds",
            "Candle close to its order sent (live data only: a replay's candles closed long ago)",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.round_trip = Histogram(
            "cryptotrader_order_round_trip_seconds",
            "Order sent to the exchange's answer",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.bus_lag = Histogram(
            "cryptotrader_bus_lag_seconds",
            "Message published to handled, by channel (Redis bus)",
            ["topic"],
            buckets=_LAG_BUCKETS,
            registry=r,
        )
        self.messages = Counter(
            "cryptotrader_engine_messages",
            "Bus messages handled, by engine group and channel",
            ["group", "topic"],
            registry=r,
        )
        self.last_activity = Gauge(
            "cryptotrader_engine_last_activity_timestamp_seconds",
            "When the engine last handled or published something (unix time)",
            ["engine"],
            registry=r,
        )
        self.candles = Counter(
            "cryptotrader_candles_traded", "Candles whose trading step ran", registry=r
        )
        self._peaks: dict[str, Decimal] = {}
        self._orders_by: dict[tuple[str, str, str], Counter] = {}
        """``orders``' child of each (bot, side, status), looked up once."""
        self.realised_pnl: dict[str, Decimal] | None = None
        """Each bot's realised P&L: seeded from the database, then added to as trades close."""
        if influx is not None:
            r.register(WriterCollector(influx))

    # --- events --------------------------------------------------------------------------------

    def published(self, events: Iterable[tuple[str, BusMessage]]) -> None:
        """Count what the order engine and the portfolio published (orders, trades, alerts)."""
        for topic, message in events:
            for observer in self.observers:
                observer(topic, message)
            if isinstance(message, OrderUpdated):
                key = (message.bot, message.side, message.status)
                counted = self._orders_by.get(key)
                if counted is None:  # labels() costs a lock and a conversion per call
                    counted = self._orders_by[key] = self.orders.labels(*key)
                counted.inc()
            elif isinstance(message, AlertRaised) and topic == topics.ALERTS:
                self._alert(message)
            elif isinstance(message, CapitalReallocated):
                self.reallocations.inc()
                self.reallocated.inc(float(message.amount))
                self._point(
                    "reallocation",
                    {"from_bot": str(message.from_bot), "to_bot": str(message.to_bot)},
                    {"amount": message.amount, "profit": message.profit},
                    _ms(message),
                )

    def _alert(self, alert: AlertRaised) -> None:
        bot = "" if alert.bot is None else str(alert.bot)
        kind = alert.kind
        if kind == "trade_closed":
            pnl = Decimal(alert.details.get("pnl", "0"))
            if self.realised_pnl is not None:
                self.realised_pnl[bot] = self.realised_pnl.get(bot, Decimal(0)) + pnl
            reason = alert.details.get("reason", "")
            self.trades.labels(bot, "win" if pnl > 0 else "loss", reason).inc()
            pair = "" if alert.pair is None else str(alert.pair)
            fields: dict[str, float | int | str | Decimal] = {"pnl": pnl, "reason": reason}
            if alert.price is not None:
                fields["exit_price"] = alert.price
            if "duration_s" in alert.details:
                fields["duration_s"] = int(alert.details["duration_s"])
            self._point("trade", {"bot": bot, "pair": pair}, fields, _ms(alert))
        elif kind == "trade_opened":
            self.trades_opened.labels(bot).inc()
        elif kind in _RISK_ALERTS:
            self.risk_changes.labels(bot, _RISK_ALERTS[kind]).inc()
            self._point(
                "risk_change",
                {"bot": bot, "direction": _RISK_ALERTS[kind]},
                {"text": alert.text},
                _ms(alert),
            )
        elif kind == "circuit_breaker" or (kind == "bot_paused" and alert.severity == "critical"):
            # the risk manager's loss streak, or the order engine's failures in a row (a person's
            # pause is a warning, not a trip)
            self.breaker_trips.labels(bot).inc()
            self._point("circuit_breaker", {"bot": bot}, {"text": alert.text}, _ms(alert))
        elif kind == "order_failed":
            self.order_failures.labels(bot).inc()

    # --- measures ------------------------------------------------------------------------------

    def bot_state(
        self,
        bot: str,
        *,
        capital: Decimal,
        realised: Decimal,
        unrealised: Decimal,
        risk_ratio: Decimal,
        active: bool,
        open_positions: int,
        at_ms: int,
    ) -> None:
        """One bot's money after a run of candles (equity = capital + open position's P&L)."""
        equity = capital + unrealised
        peak = max(self._peaks.get(bot, equity), equity)
        self._peaks[bot] = peak
        drawdown = (peak - equity) / peak if peak > 0 else Decimal(0)
        self.equity.labels(bot).set(float(equity))
        self.capital.labels(bot).set(float(capital))
        self.realised.labels(bot).set(float(realised))
        self.unrealised.labels(bot).set(float(unrealised))
        self.drawdown.labels(bot).set(float(drawdown))
        self.risk_ratio.labels(bot).set(float(risk_ratio))
        self.active.labels(bot).set(1 if active else 0)
        self.open_positions.labels(bot).set(open_positions)
        self._point(
            "bot",
            {"bot": bot},
            {
                "equity": equity,
                "capital": capital,
                "realised_pnl": realised,
                "unrealised_pnl": unrealised,
                "drawdown": drawdown,
                "risk_ratio": risk_ratio,
                "active": active,
                "open_positions": open_positions,
            },
            at_ms,
        )

    def order_sent(self, *, round_trip_s: float, close_to_order_s: float | None) -> None:
        """An order's exchange round trip, and (live) the time since its candle closed."""
        self.round_trip.observe(round_trip_s)
        fields: dict[str, float | int | str | Decimal] = {"round_trip_s": round_trip_s}
        if close_to_order_s is not None:
            self.close_to_order.observe(close_to_order_s)
            fields["close_to_order_s"] = close_to_order_s
        self._point("order_latency", {}, fields, _now_ms())

    def exchange_error(self, kind: str) -> None:
        """An exchange call failed (``kind``: the error's class)."""
        self.exchange_errors.labels(kind).inc()
        self._point("exchange_error", {"kind": kind}, {"count": 1}, _now_ms())

    def notification(self, *, channel: str, outcome: str) -> None:
        """One push attempt: ``sent``, ``retry``, ``gone`` (dead device) or ``failed``."""
        self.notifications.labels(channel, outcome).inc()
        self._point("notification", {"channel": channel, "outcome": outcome}, {"count": 1},
                    _now_ms())  # fmt: skip

    def handled(self, *, group: str, topic: str, entry_id: str) -> None:
        """A delivery was handled: activity, and its lag when the bus tells the publish time."""
        now = time.time()
        self.messages.labels(group, topic).inc()
        self.last_activity.labels(group).set(now)
        published_ms = _stream_ms(entry_id)
        if published_ms is not None:
            lag = max(0.0, now - published_ms / 1000)
            self.bus_lag.labels(topic).observe(lag)
            self._point("bus_lag", {"topic": topic}, {"seconds": lag}, int(now * 1000))

    def active_now(self, engine: str) -> None:
        """The engine did something (market data published a run, say)."""
        self.last_activity.labels(engine).set(time.time())

    def candles_traded(self, count: int) -> None:
        """Trading steps that ran."""
        self.candles.inc(count)

    def _point(
        self,
        measurement: str,
        tags: dict[str, str],
        fields: dict[str, float | int | bool | str | Decimal],
        at_ms: int,
    ) -> None:
        if self.influx is not None:
            self.influx.write(measurement, tags, fields, at_ms)


def _ms(message: BusMessage) -> int:
    return int(message.timestamp.timestamp() * 1000)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _stream_ms(entry_id: str) -> int | None:
    head = entry_id.partition("-")[0]
    if not head.isdigit():
        return None
    value = int(head)
    return value if value >= _MIN_STREAM_MS else None
