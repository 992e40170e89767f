"""Crash safety on Binance: `kill -9` of a trader at many moments, never a coin left unstopped.

A trader process (``tests.support.binance_crash``: the real order engine and trading worker on
a real ``BinanceVenue``, ccxt, against the local Binance server) trades 300 real hourly candles.
The server kills it with SIGKILL at chosen moments: right after it **processed** one of the
trader's requests and before answering it (the exchange did the work, the trader never learns
it), either at the n-th entry (where the window was: the coin bought, its stop not yet placed)
or at the n-th signed request of any kind. At that instant, with the trader dead, the account is
read: if it holds the coin while no active stop-loss covers it, the moment is unprotected (a
crash there leaves the position without protection until a restart places it). The trader is
restarted (it reconciles first) until it finishes.

With Binance's OTOCO brackets and its cancelReplace exits (the engine's path where
``native_bracket`` and ``atomic_exit`` are set) no kill moment may leave the coin unprotected,
inside an exit included: the stop is canceled and the coin sold in one request. Kills are aimed
at entries, at any signed request, and at exits (the n-th cancelReplace, or the n-th cancel of
the old path); a moment is *inside an exit* when the request just processed was one. Without
them (both hidden: the path of every other venue) kills right after an entry, and right after an
exit's cancel, must find the window, which proves the check can see it. Afterwards: every order
the exchange holds was written to the database first, none was placed twice, and the positions
the database holds are the coin the account holds, each under its stop.

``CRASH_TEST_SEEDS`` (default 1: the suite's run; the nightly CI run sets 5) seeds with brackets
(one without), each with ``KILLS`` kills; the figures are printed (``-s``) for docs/security.md.
One seed takes 6-7 minutes at load 20 (two run at once).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import orders, trades
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.binance_crash import CrashMarket
from tests.support.builders import read_shared_csv
from tests.support.exchange_server import Call, running
from tests.support.spot_account import Kind

SEEDS = range(int(os.environ.get("CRASH_TEST_SEEDS") or "1"))
KILLS = 6
CANDLES = 300
CLI = [sys.executable, "-m", "tests.support.binance_crash"]
EXITS = {
    ("POST", "/api/v3/order/cancelReplace"),
    ("DELETE", "/api/v3/order"),
    ("DELETE", "/api/v3/orderList"),
}


@dataclass(frozen=True)
class Moment:
    """The account at one kill."""

    target: str  # "entry", "exit" or "any"
    request: str  # the request processed just before the kill
    held: Decimal
    stopped: Decimal
    exiting: bool  # that request was an exit's (a cancelReplace, or a cancel before a sale)

    @property
    def unprotected(self) -> bool:
        return self.held > 0 and self.stopped < self.held


@dataclass
class Killer:
    """Watches the server's requests; kills the trader at its target (under the server lock)."""

    server: CrashMarket
    pid: int = 0
    target: tuple[str, int] | None = None
    seen: Counter[str] = field(default_factory=Counter)
    moments: list[Moment] = field(default_factory=list)
    fired: threading.Event = field(default_factory=threading.Event)

    def arm(self, pid: int, target: tuple[str, int] | None) -> None:
        self.pid, self.target, self.seen = pid, target, Counter()
        self.fired.clear()

    def __call__(self, call: Call, status: int) -> None:
        if "x-mbx-apikey" not in call.headers or status != 200 or self.fired.is_set():
            return
        entry = call.path.endswith("/otoco") or (
            call.path == "/api/v3/order" and call.method == "POST" and call.params["side"] == "BUY"
        )
        exiting = (call.method, call.path) in EXITS
        self.seen["any"] += 1
        self.seen["entry"] += entry
        self.seen["exit"] += exiting
        if self.target is None or self.seen[self.target[0]] != self.target[1]:
            return
        os.kill(self.pid, signal.SIGKILL)
        self.fired.set()
        account = self.server.account
        held = account.free.get("BTC", Decimal(0)) + account.locked.get("BTC", Decimal(0))
        stops = [o for o in account.orders if o.is_open and o.kind is Kind.STOP_LOSS]
        self.moments.append(
            Moment(
                target=self.target[0],
                request=f"{call.method} {call.path}",
                held=held,
                stopped=sum((o.amount for o in stops), Decimal(0)),
                exiting=exiting,
            )
        )


@dataclass
class Outcome:
    moments: list[Moment]
    runs: int


@pytest.fixture(scope="module")
def series(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("series") / "binance_BTC-USDT_1h.csv"
    frame = read_shared_csv(shared_data / "binance_BTC-USDT_1h.csv.gz", rows=21_000 + CANDLES)
    frame.iloc[21_000:].to_csv(path, index=False)  # 300 real candles of 2020
    return path


def _plan(seed: int) -> list[tuple[str, int]]:
    """Where each run is killed: in turn at its n-th entry, signed request and exit."""
    rng = random.Random(seed)
    return [
        ("entry", rng.randint(1, 4)) if k % 3 == 0
        else ("any", rng.randint(5, 400)) if k % 3 == 1
        else ("exit", rng.randint(1, 4))
        for k in range(KILLS)
    ]  # fmt: skip


def _crashy(series: Path, folder: Path, seed: int, *, bracket: bool) -> Outcome:
    folder.mkdir()
    server = CrashMarket()
    server.trade("BTCUSDT", "BTC", "USDT", price=f"{_first_open(series):.2f}")
    server.account.deposit("USDT", "1000")  # the two bots' capitals (700 + 300)
    killer = Killer(server)
    server.observer = killer
    plan = _plan(seed)
    runs = 0
    with running(server):
        while True:
            target = plan[runs] if runs < len(plan) else None
            command = [*CLI, str(folder), server.base_url, str(series)]
            process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
                [*command, *([] if bracket else ["--no-bracket"])],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=Path(__file__).parents[3],
            )
            killer.arm(process.pid, target)
            out, err = process.communicate(timeout=1800)
            runs += 1
            if process.returncode == 0:
                assert "done" in out, err
                break
            assert process.returncode == -signal.SIGKILL, err[-3000:]
            assert killer.fired.is_set()
        asyncio.run(_check_end(folder, server))
    assert len(killer.moments) >= 1, "the trader was never killed"
    return Outcome(killer.moments, runs)


def _first_open(series: Path) -> float:
    with series.open() as lines:
        header = next(lines).strip().split(",")
        row = next(lines).strip().split(",")
    return float(row[header.index("open")])


async def _check_end(folder: Path, server: CrashMarket) -> None:
    """Every order at the exchange written first, none placed twice; the positions are the coin."""
    database = Database(f"sqlite:///{folder / 'cryptotrader.db'}")
    try:
        async with UnitOfWork(database) as uow:
            open_trades = await trades.open_trades(session=uow.session)
            written = {
                order.client_order_id
                for trade_id, _ in await trades.list_trades(session=uow.session, limit=10**5)
                for order in await orders.trade_orders(session=uow.session, trade_id=trade_id)
            } | {o.client_order_id for o in await orders.open_orders(session=uow.session)}
    finally:
        await database.dispose()
    account = server.account
    placed = [o.client_id for o in account.orders]
    assert len(placed) == len(set(placed)), "an order was placed twice"
    filled = {o.client_id for o in account.orders if o.filled > 0}
    assert filled <= written, "the exchange filled orders the database does not hold"
    held = account.free.get("BTC", Decimal(0)) + account.locked.get("BTC", Decimal(0))
    assert held == sum((t.quantity for _, t in open_trades), Decimal(0))
    stopped = sum(
        (o.amount for o in account.orders if o.is_open and o.kind is Kind.STOP_LOSS), Decimal(0)
    )
    assert stopped >= held


def _seeds(series: Path, folder: Path, *, bracket: bool, seeds: range = SEEDS) -> list[Outcome]:
    """Every seed's crashes, two seeds at a time (each has its own server and account)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(
            pool.map(lambda s: _crashy(series, folder / f"seed{s}", s, bracket=bracket), seeds)
        )


def _report(name: str, outcomes: list[Outcome]) -> tuple[list[Moment], list[Moment]]:
    """Print the figures; returns the moments and those inside an exit."""
    moments = [m for o in outcomes for m in o.moments]
    exits = [m for m in moments if m.exiting]
    bare = [m for m in moments if m.unprotected]
    print(  # noqa: T201 - the figures for docs/security.md (pytest -s)
        f"{name}: {len(moments)} kill moments ({sum(m.target == 'entry' for m in moments)} "
        f"right after an entry, {len(exits)} inside an exit), {len(bare)} with the coin held "
        f"and no stop ({sum(m.exiting for m in bare)} of them inside an exit); "
        f"{sum(o.runs for o in outcomes)} runs"
    )
    return moments, exits


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.timeout(3600)
def test_kill_9_on_binance_with_brackets_never_leaves_the_coin_without_its_stop(
    series: Path, tmp_path: Path
) -> None:
    outcomes = _seeds(series, tmp_path, bracket=True)
    moments, exits = _report("binance with brackets and cancelReplace exits", outcomes)
    assert [m for m in moments if m.unprotected] == []
    assert exits, "no kill landed inside an exit"
    assert any(m.request == "POST /api/v3/order/cancelReplace" for m in exits)


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.timeout(3600)
def test_kill_9_without_brackets_finds_the_windows_they_close(series: Path, tmp_path: Path) -> None:
    outcomes = _seeds(series, tmp_path, bracket=False, seeds=range(1))  # one seed shows it
    moments, exits = _report("binance without brackets (other venues' path)", outcomes)
    after_entries = [m for m in moments if m.target == "entry"]
    assert after_entries
    assert all(m.unprotected for m in after_entries)  # bought, its stop not placed yet
    assert exits
    assert all(m.unprotected for m in exits)  # its stop canceled, the sale not yet sent
