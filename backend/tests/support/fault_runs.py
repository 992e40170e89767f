"""A multi-pair replay through the engines as separate processes, with faults injected.

``drive`` starts the engines (``cryptotrader engine NAME``) on a private Redis and on PostgreSQL
reached through a proxy the test controls, restarts any engine that dies (as the deployment's
service manager does: ``restart: unless-stopped``), injects the scheduled faults (an engine
killed with SIGKILL, Redis killed and restarted empty, every PostgreSQL connection cut), watches
the ``alerts`` channel as an idempotent consumer would, and returns once the order engine has
done every pair's last candle. ``final_state`` reads what the run left, for comparison with a
run without faults.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.engine import make_url

from cryptotrader.bus import Delivery, RedisBus, topics
from cryptotrader.bus.messages import AlertRaised
from cryptotrader.bus.partitions import partition_of, partition_topic
from cryptotrader.bus.redis_streams import DEFAULT_PREFIX
from cryptotrader.domain.enums import OrderStatus
from cryptotrader.engines.positions import load_positions
from cryptotrader.exchanges.paper_orders import PaperOrder
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import bots, checkpoints, orders, reallocations
from cryptotrader.persistence.repositories.paper import load_paper_account
from cryptotrader.persistence.tables import BotRow, OrderRow, TradeRow, TradingPairRow
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.faults import PrivateRedis
from tests.support.parity import stored_pair_rows
from tests.support.processes import ENGINE_CLI, LONG_RUNNING_ENGINES
from tests.support.tcp_proxy import TcpProxy

MARKET = "market-data"
WORKERS = ("indicator", "decision")
OBSERVER = "fault-observer"
PARTITIONS = 4
"""Work partitions of the indicator and decision workers (BTC/USDT and ETH/USDT: 3 and 1)."""


def groups(symbols: Sequence[str], workers: int) -> set[tuple[str, str]]:
    """The durable groups of the engines this harness runs (``Runtime.start``; the workers'
    partitions of ``symbols``): all back on a restarted Redis means every consumer recovered.

    Each indicator worker reads ``commands`` in a group of its own (``indicator@<consumer>``;
    ``--workers N`` names them ``1.0`` ... ``1.<N-1>``, a lone engine ``1``).
    """
    consumers = ["1"] if workers == 1 else [f"1.{index}" for index in range(workers)]
    found = {
        *((topics.COMMANDS, f"indicator@{consumer}") for consumer in consumers),
        (topics.SIGNALS, "order"),
        (topics.COMMANDS, "order"),
        (topics.COMMANDS, "portfolio"),
        (topics.ALERTS, OBSERVER),
    }
    for topic, group in ((topics.CANDLES, "indicator"), (topics.INDICATORS, "decision")):
        found |= {(partition_topic(topic, partition_of(s, PARTITIONS)), group) for s in symbols}
    return found


_DEADLINE_S = 1800.0
_POLL_S = 0.2

AlertKey = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Fault:
    """One fault: ``kind`` (worker, order, redis, postgres) ``at_s`` after the replay began."""

    at_s: float
    kind: str
    target: str = ""
    """The engine killed (worker, order)."""


@dataclass
class Outcome:
    """What a run did: how long it took, the faults injected, the engines' restarts, alerts."""

    duration_s: float
    injected: list[Fault]
    restarts: dict[str, int]
    alerts: list[tuple[str, AlertKey]]
    """Every delivery the observer got: (message id, content)."""
    redis_down_s: list[float] = field(default_factory=list)
    """Each Redis restart: seconds from the kill until the new server answered."""
    groups_back_s: list[float] = field(default_factory=list)
    """After each Redis restart: seconds from the new server's first answer until every
    engine's consumer group (and the observer's) was back on it."""


DATABASE_IDS = ("trade_id", "trigger_trade_id")
"""Details that are row ids: a transaction a kill rolled back consumed a PostgreSQL sequence
value, and an order engine takes trade ids from the sequence 32 at a time (a restarted one
starts a new block), so the same trade may get another id than in a run without faults. The
alert's text names the same id ("... profit, trade 127)"): compared as ``trade <row id>``."""


ROUNDED = ("confidence",)
"""Details printed as full floats: computed again on a history reloaded after a restart (its
window starts elsewhere), they may differ in the last bits; compared to 10 decimals."""


def alert_key(alert: AlertRaised) -> AlertKey:
    """What an alert says (its message id and row ids aside): one event's copies say the same."""
    fields = alert.model_dump(mode="json", exclude={"message_id"})
    for name in DATABASE_IDS:
        if name in fields["details"]:
            named = f"trade {fields['details'][name]}"
            fields["text"] = re.sub(rf"\b{re.escape(named)}\b", "trade <row id>", fields["text"])
    details = {k: v for k, v in fields["details"].items() if k not in DATABASE_IDS}
    for name in ROUNDED:
        if name in details and details[name] not in ("None", ""):
            details[name] = f"{float(details[name]):.10f}"
    fields["details"] = details
    return tuple(sorted((k, repr(v)) for k, v in fields.items()))


class Supervisor:
    """The engines' processes, each restarted when it dies (market data: until it ends well).

    Args:
        files: the replayed files (one per pair), given to every engine.
        env: their environment (``DATABASE_URL``, ``REDIS_URL``, data folder).
        logs: where each engine's stderr goes (appended across restarts).
        workers: the indicator and decision engines' workers (``--workers``: one process
            starting them and restarting one that dies).
    """

    def __init__(
        self, files: Sequence[Path], env: Mapping[str, str], logs: Path, *, workers: int
    ) -> None:
        self.replay = [arg for path in files for arg in ("--replay", str(path))]
        self.workers = workers
        self.env = dict(env)
        self.logs = logs
        logs.mkdir(parents=True, exist_ok=True)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.restarts: dict[str, int] = {}
        self.market_done = False

    def start(self, name: str) -> None:
        """Start engine ``name`` (its stderr appended to ``logs/<name>.log``)."""
        with (self.logs / f"{name}.log").open("ab") as log:
            several = ["--workers", str(self.workers)] if name in WORKERS else []
            self.processes[name] = subprocess.Popen(  # noqa: S603 - our own entry point
                [*ENGINE_CLI, name, *self.replay, *several],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,  # its own process group: ``kill_all`` ends its workers
            )

    def start_all(self) -> None:
        """The long-running engines, once each says it runs (blocking: call in a thread)."""
        for name in LONG_RUNNING_ENGINES:
            self.start(name)
        for name in LONG_RUNNING_ENGINES:
            self._wait_for_banner(name)

    def _wait_for_banner(self, name: str) -> None:
        deadline = time.monotonic() + 300
        path = self.logs / f"{name}.log"
        while f"engine {name}" not in path.read_text(errors="replace"):
            assert self.processes[name].poll() is None, f"{name} exited: {path.read_text()}"
            assert time.monotonic() < deadline, f"engine {name} did not start"
            time.sleep(0.1)

    def kill(self, name: str) -> None:
        """SIGKILL engine ``name`` (by its pid); ``watch`` restarts it."""
        process = self.processes[name]
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)

    def watch(self) -> None:
        """Restart every engine that died; the market data ends when it exits with 0."""
        for name, process in list(self.processes.items()):
            code = process.poll()
            if code is None or (name == MARKET and self.market_done):
                continue
            if name == MARKET and code == 0:
                self.market_done = True
                continue
            self.restarts[name] = self.restarts.get(name, 0) + 1
            self.start(name)

    def stop(self) -> dict[str, int]:
        """SIGTERM every engine still running; their exit codes (blocking)."""
        running = {n: p for n, p in self.processes.items() if p.poll() is None}
        for process in running.values():
            process.send_signal(signal.SIGTERM)
        return {name: process.wait(timeout=120) for name, process in running.items()}

    def kill_all(self) -> None:
        """SIGKILL whatever still runs (a failed test)."""
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # and the workers a --workers one started
            process.wait(timeout=60)


class AlertObserver:
    """Consumes ``alerts`` in a group of its own, as the notifier does, recording each delivery."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, AlertKey]] = []
        self.bus: RedisBus | None = None

    async def start(self, url: str) -> None:
        """Subscribe (before the first alert: the group reads from the stream's start)."""
        self.bus = await RedisBus.connect(url)
        await self.bus.subscribe(
            topics.ALERTS, group=OBSERVER, consumer="o1", handler=self._handle, from_start=True
        )

    async def _handle(self, delivery: Delivery) -> None:
        message = delivery.message
        assert isinstance(message, AlertRaised)
        self.seen.append((message.message_id, alert_key(message)))

    async def close(self) -> None:
        """Stop consuming."""
        if self.bus is not None:
            await self.bus.close()


async def drive(
    files: Sequence[Path],
    env: Mapping[str, str],
    folder: Path,
    *,
    redis: PrivateRedis,
    postgres_url: str,
    last_opens: Mapping[str, int],
    faults: Sequence[Fault] = (),
    workers: int = 1,
) -> Outcome:
    """Run the replay through the engines with ``faults``, until every pair's last candle is done.

    Args:
        postgres_url: the run's database, reached directly by the test; the engines reach it
            through a proxy whose connections ``postgres`` faults cut.
        last_opens: each pair's last candle (open ms), by order checkpoint key
            (``paper:<exchange>:<pair>:<timeframe>``).
        workers: each of the indicator and decision engines' workers (``--workers``).
    """
    database_url = make_url(postgres_url)
    proxy = TcpProxy(database_url.host or "127.0.0.1", database_url.port or 5432)
    await proxy.start()
    through_proxy = database_url.set(host="127.0.0.1", port=proxy.port)
    engines = Supervisor(
        files,
        {
            **env,
            "DATABASE_URL": through_proxy.render_as_string(hide_password=False),
            "REDIS_URL": redis.url,
            "CRYPTOTRADER_BUS_PARTITIONS": str(PARTITIONS),
        },
        folder / "logs",
        workers=workers,
    )
    symbols = [key.split(":")[2] for key in last_opens]
    observer = AlertObserver()
    database = Database(postgres_url)
    injected: list[Fault] = []
    groups_back: list[float] = []
    redis_down: list[float] = []
    watchers: list[asyncio.Task[None]] = []
    stopped = False
    try:
        await observer.start(redis.url)
        await asyncio.to_thread(engines.start_all)
        began = time.monotonic()
        engines.start(MARKET)
        schedule = sorted(faults, key=lambda f: f.at_s)
        while not await _done(database, last_opens):
            assert time.monotonic() - began < _DEADLINE_S, "the replay did not finish"
            while schedule and schedule[0].at_s <= time.monotonic() - began:
                fault = schedule.pop(0)
                down = await _inject(fault, engines, redis, proxy, symbols)
                injected.append(fault)
                if fault.kind == "redis":
                    redis_down.append(down)
                    back = _groups_back(redis.url, groups(symbols, workers), groups_back)
                    watchers.append(asyncio.create_task(back))
            engines.watch()
            await asyncio.sleep(_POLL_S)
        duration = time.monotonic() - began
        while not engines.market_done:  # it stays until the order engine is done, then ends
            assert time.monotonic() - began < _DEADLINE_S, "the market data did not end"
            engines.watch()
            await asyncio.sleep(_POLL_S)
        await asyncio.gather(*watchers)
        codes = await asyncio.to_thread(engines.stop)
        stopped = True
        assert set(codes.values()) <= {0}, codes  # SIGTERM stops each one cleanly
        await _drained(redis.url)
    finally:
        for watcher in watchers:
            watcher.cancel()
        if not stopped:
            await asyncio.to_thread(engines.kill_all)
        await observer.close()
        await database.dispose()
        await proxy.close()
    return Outcome(
        duration, injected, engines.restarts, list(observer.seen), redis_down, groups_back
    )


async def _inject(
    fault: Fault,
    engines: Supervisor,
    redis: PrivateRedis,
    proxy: TcpProxy,
    symbols: Sequence[str],
) -> float:
    """Injects ``fault``; how long Redis was down (a Redis restart), else 0."""
    if fault.kind == "worker" and engines.workers > 1:
        await _kill_worker(redis.url, fault.target, symbols[0])
    elif fault.kind in {"worker", "order"}:
        await asyncio.to_thread(engines.kill, fault.target)
    elif fault.kind == "redis":
        return await asyncio.to_thread(redis.restart_empty)
    elif fault.kind == "postgres":
        proxy.cut()
    else:
        raise AssertionError(f"unknown fault {fault.kind}")
    return 0.0


async def _done(database: Database, last_opens: Mapping[str, int]) -> bool:
    async with UnitOfWork(database) as uow:
        for key, last_open in last_opens.items():
            mark = await checkpoints.load_checkpoint(session=uow.session, engine="order", key=key)
            if mark is None or mark["candle_ms"] < last_open or not mark["complete"]:
                return False
    return True


async def _kill_worker(url: str, group: str, symbol: str) -> None:
    """SIGKILL the worker of ``group`` that holds ``symbol``'s partition (its lease says its
    pid); its ``--workers`` parent starts it again, the survivor takes its pairs meanwhile."""
    client = Redis.from_url(url, decode_responses=True)
    key = f"{DEFAULT_PREFIX}lease:{group}:{partition_of(symbol, PARTITIONS)}"
    deadline = time.monotonic() + 60
    try:
        while not (owner := await client.get(key)):  # taken again after a Redis restart
            assert time.monotonic() < deadline, f"nobody holds {key}"
            await asyncio.sleep(0.1)
    finally:
        await client.aclose()
    holder = str(owner)  # <consumer>@<host>:<pid>|<token>
    os.kill(int(holder.split("|", 1)[0].rsplit(":", 1)[1]), signal.SIGKILL)


async def _groups_back(url: str, wanted: set[tuple[str, str]], found: list[float]) -> None:
    """Until every engine's consumer group exists on the restarted Redis; records how long."""
    began = time.monotonic()
    bus = await RedisBus.connect(url)
    try:
        while True:
            back = {(t, g) for t, _ in wanted for g in await bus.groups(t)}
            if back >= wanted:
                found.append(time.monotonic() - began)
                return
            assert time.monotonic() - began < 300, f"groups still missing: {wanted - back}"
            await asyncio.sleep(0.05)
    finally:
        await bus.close()


async def _drained(url: str) -> None:
    """Until the observer has read and acked every alert on the stream."""
    client = Redis.from_url(url, decode_responses=True)
    stream = f"{DEFAULT_PREFIX}{topics.ALERTS}"
    deadline = time.monotonic() + 120
    try:
        while await client.exists(stream):
            groups = {g["name"]: g for g in await client.xinfo_groups(stream)}
            last = (await client.xinfo_stream(stream))["last-generated-id"]
            mine = groups.get(OBSERVER)
            if mine and mine["last-delivered-id"] == last and not mine["pending"]:
                return
            assert time.monotonic() < deadline, f"alerts not drained: {mine}"
            await asyncio.sleep(0.05)
    finally:
        await client.aclose()


async def final_state(url: str) -> dict[str, Any]:
    """What a run left: trades, bots, reallocations, orders, the paper account; and the
    invariants: no order sent twice or unwritten, no open position without its stop-loss."""
    database = Database(url)
    try:
        async with UnitOfWork(database) as uow:
            session = uow.session
            bot_rows = await bots.list_bots(session=session)
            moved = await reallocations.list_reallocations(session=session, limit=10**6)
            rows = (await session.execute(OrderRow.__table__.select())).all()
            still_open = await orders.open_orders(session=session)
            positions = await load_positions(session=session)
            account, paper_orders = await load_paper_account(session=session, account="paper")
            named = (  # bots and pairs by name too: their row ids may differ as well
                select(TradeRow.id, BotRow.type, TradingPairRow.symbol, TradeRow.opened_at)
                .join(BotRow, BotRow.id == TradeRow.bot_id)
                .join(TradingPairRow, TradingPairRow.id == TradeRow.pair_id)
            )
            opened = {row[0]: tuple(row[1:]) for row in (await session.execute(named)).all()}
        trades = await stored_pair_rows(database)
    finally:
        await database.dispose()
    assert account is not None
    assert account["duplicates"] == 0  # the exchange never got one id twice
    held = {doc["coid"]: PaperOrder.from_dict(doc) for doc in paper_orders}
    assert set(held) <= {row.client_order_id for row in rows}  # each written before it was sent
    for position in positions.values():
        assert not position.unprotected, position
        assert held[f"{position.protection}-sl"].is_open, position
    return {
        "trades": trades,
        "bots": [(b.type, b.capital, b.current_risk_ratio, b.status) for b in bot_rows],
        # the trade by what it is (bot, pair, opening time), not by row ids (``DATABASE_IDS``)
        "reallocations": sorted(
            (
                r.amount,
                None if r.trigger_trade_id is None else opened[r.trigger_trade_id],
                r.created_at,
            )
            for r in moved
        ),
        "orders": sorted(
            (r.client_order_id, r.status, r.quantity, r.filled_quantity, r.average_fill_price)
            for r in rows
            if r.status is not OrderStatus.CANCELED or r.filled_quantity
        ),
        "open_orders": sorted(o.client_order_id for o in still_open),
        "free": {k: Decimal(v) for k, v in account["free"].items() if Decimal(v)},
        "used": {k: Decimal(v) for k, v in account["used"].items() if Decimal(v)},
    }
