"""What ``run``, ``run --replay`` and ``demo`` show while the bots trade.

Three faces of the alerts the engines publish (told by the runtime's telemetry, in this process,
without a consumer of its own on the bus): ``live`` (a progress
bar with the candle rate for a replay, both bots' capital, one line per trade opened or closed,
reallocation and risk change), ``quiet`` (the banner and the end summary only) and ``json`` (one
JSON object per event on stdout, for services and log collectors).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from cryptotrader.bus.messages import AlertRaised, BusMessage
    from cryptotrader.runtime import Runtime

LogFormat = Literal["live", "quiet", "json"]

_REFRESH_S = 0.5
_CAPITAL_EVERY_S = 2.0
_STYLE = {"trade_opened": "cyan", "reallocation": "magenta", "info": "", "warning": "yellow"}


@dataclass
class RunTally:
    """What this run did, for the end summary."""

    reallocations: int = 0
    moved: Decimal = Decimal(0)
    risk_changes: int = 0
    opened: int = 0
    closed: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


class LiveView:
    """Prints the run's events as they happen; ``start`` after the runtime started.

    Args:
        runtime: the running engines (its bus carries the alerts, its trading worker counts).
        console: where lines go (stderr for ``live``; ``json`` writes to stdout).
        mode: live, quiet or json.
        total: candles a replay will process (None: live data, no end).
    """

    def __init__(
        self, runtime: Runtime, console: Console, mode: LogFormat, total: int | None
    ) -> None:
        self.runtime = runtime
        self.console = console
        self.mode = mode
        self.total = total
        self.tally = RunTally()
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._capital = ""
        self._capital_at = 0.0
        self._capital_changed = True  # read once at the start, then after trades and transfers
        self._listening = False

    def listen(self) -> None:
        """Hear the alerts (before the runtime starts: the first trades count too)."""
        self.runtime.telemetry.observers.append(self._observe)
        self._listening = True

    def show(self) -> None:
        """Draw the progress bar and the bots' capital (``live`` mode), once market data flows."""
        if self.mode != "live":
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns: list[ProgressColumn] = [TextColumn("{task.description}")]
        if self.total is not None:
            columns += [BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
        columns += [TextColumn("{task.fields[rate]}"), TimeElapsedColumn()]
        self._progress = Progress(*columns, console=self.console, transient=True)
        self._task = self._progress.add_task(
            "candles", total=self.total, rate="", capital="", start=True
        )
        self._progress.start()
        self._ticker = asyncio.create_task(self._tick(), name="terminal-view")

    async def stop(self) -> None:
        """Stop drawing and listening (the alerts already received are printed); idempotent."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        if self._progress is not None:
            with contextlib.suppress(Exception):  # the database closing after a failure
                await self._refresh()
            self._progress.stop()
            self._progress = None
        if self._listening:
            self._listening = False
            self.runtime.telemetry.observers.remove(self._observe)

    def _observe(self, topic: str, alert: BusMessage) -> None:
        from cryptotrader.bus import topics
        from cryptotrader.bus.messages import AlertRaised

        if topic != topics.ALERTS or not isinstance(alert, AlertRaised):
            return
        self._count(alert)
        if alert.kind in ("trade_closed", "reallocation"):
            self._capital_changed = True
        if self.mode == "json":
            print(alert.model_dump_json(), flush=True)  # noqa: T201 - one event per line, stdout
        elif self.mode == "live":
            self.console.print(_line(alert), highlight=False, soft_wrap=True)

    def _count(self, alert: AlertRaised) -> None:
        tally = self.tally
        tally.kinds[alert.kind] = tally.kinds.get(alert.kind, 0) + 1
        if alert.kind == "reallocation":
            tally.reallocations += 1
            tally.moved += Decimal(alert.details.get("amount", "0"))
        elif alert.kind == "trade_opened":
            tally.opened += 1
        elif alert.kind == "trade_closed":
            tally.closed += 1
        elif alert.kind.startswith("risk"):
            tally.risk_changes += 1

    async def _tick(self) -> None:
        while True:
            await self._refresh()
            await asyncio.sleep(_REFRESH_S)

    async def _refresh(self) -> None:
        assert self._progress is not None
        assert self._task is not None
        trading = self.runtime.trading
        done = 0 if trading is None else trading.candles_done
        task = self._progress.tasks[0]
        elapsed = task.elapsed or 0.0
        rate = f"{done / elapsed:,.0f} candles/s" if elapsed > 0 and done else ""
        now = time.monotonic()
        if self._capital_changed and now - self._capital_at >= _CAPITAL_EVERY_S:
            self._capital_at = now
            self._capital_changed = False
            with contextlib.suppress(Exception):  # the database closing at the end of a run
                self._capital = await _capital(self.runtime)
        self._progress.update(
            self._task,
            completed=done,
            rate=rate,
            description=f"candles  {self._capital}" if self._capital else "candles",
        )


async def _capital(runtime: Runtime) -> str:
    from cryptotrader.persistence.repositories import bots
    from cryptotrader.persistence.uow import UnitOfWork

    async with UnitOfWork(runtime.database) as uow:
        rows = await bots.list_bots(session=uow.session)
    return "  ".join(f"{row.type.value} {row.capital:,.2f}" for row in rows)


def _line(alert: AlertRaised) -> str:
    at = f"{alert.timestamp:%Y-%m-%d %H:%M}"
    style = _STYLE.get(alert.kind) or _STYLE.get(alert.severity) or ""
    text = escape(_text(alert))
    if alert.kind == "trade_closed":
        style = "green" if Decimal(alert.details.get("pnl", "0")) > 0 else "red"
    if alert.severity == "critical":
        style = "bold red"
    return f"[dim]{at}[/] [{style}]{text}[/]" if style else f"[dim]{at}[/] {text}"


def _text(alert: AlertRaised) -> str:
    """Trades in a trader's units (prices to the cent); every other alert as its own text."""
    bot = alert.bot.value if alert.bot is not None else ""
    details = alert.details
    if alert.kind == "trade_opened" and alert.price is not None:
        return (
            f"{bot:<10} opened  {details.get('quantity', '')} at {alert.price:,.2f}  "
            f"stop {Decimal(details.get('stop_loss', '0')):,.2f} ({details.get('stop_pct', '')}%)  "
            f"take {Decimal(details.get('take_profit', '0')):,.2f} ({details.get('take_pct', '')}%)"
        )
    if alert.kind == "trade_closed" and alert.price is not None:
        pnl = Decimal(details.get("pnl", "0"))
        return (
            f"{bot:<10} closed  {details.get('quantity', '')} at {alert.price:,.2f}  "
            f"{details.get('reason', '')}  P&L {pnl:+,.2f} ({details.get('pnl_pct', '')}%)"
        )
    return alert.text


def dump_summary_json(rows: list[dict[str, str]]) -> str:
    """The end summary as one JSON line (``--log-format json``)."""
    return json.dumps({"kind": "summary", "bots": rows}, separators=(",", ":"))
