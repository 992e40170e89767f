"""The portfolio's money, under random trading (hypothesis ``RuleBasedStateMachine``).

Random entries (bot, confidence, price), exits on a signal, candles reaching stops and
take-profits, with random fee and slippage rates, go through the real order engine, portfolio
manager and paper exchange on SQLite. After every step:

* total capital = initial capital + realised P&L - fees (each trade's net P&L booked to 1e-8);
* every reallocation = ratio x the net profit of its winning aggressive trigger trade (down to
  1e-8), and no other trade reallocates;
* each bot's risk ratio is its base ratio times the multiplier an independent model of the
  reducer's rules gives for its sequence of wins and losses;
* no balance of the paper account is ever negative.
"""

from __future__ import annotations

import asyncio
import shutil
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from cryptotrader.config import RuntimeSettings, Settings
from cryptotrader.domain.enums import BotKind, ExitReason, SignalAction, TradeStatus
from cryptotrader.engines import client_ids
from cryptotrader.engines.portfolio import booked
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import bots, reallocations, trades
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.trading import PAIR, Kit, open_kit

RATIO = Decimal("0.30")
BASE = {BotKind.SAFE: Decimal("0.01"), BotKind.AGGRESSIVE: Decimal("0.03")}


def model_multiplier(outcomes: list[bool]) -> Decimal:
    """DESIGN.md's reducer, written again plainly: 3 losses -> 1/2, 5 -> 1/4, 2 wins -> a step."""
    level, losses, wins = 0, 0, 0
    for won in outcomes:
        if won:
            losses, wins = 0, wins + 1
            if wins == 2:
                level, wins = max(level - 1, 0), 0
        else:
            losses, wins = losses + 1, 0
            level = 2 if losses >= 5 else max(level, 1) if losses >= 3 else level
    return (Decimal(1), Decimal("0.5"), Decimal("0.25"))[level]


class PortfolioMachine(RuleBasedStateMachine):
    template: Path
    seen: ClassVar[dict[str, int]] = {"closed": 0, "reallocations": 0, "reduced": 0}
    """What the examples went through, so that the test knows it exercised each rule."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.kit: Kit | None = None
        self.price = 40_000.0

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    @initialize(
        fee=st.sampled_from(["0", "0.001", "0.0025"]),
        slippage=st.sampled_from(["0", "0.0005", "0.002"]),
    )
    def start(self, fee: str, slippage: str) -> None:
        folder = self.template.parent / f"run{id(self)}"
        folder.mkdir()
        shutil.copy(self.template, folder / "db.sqlite")
        self.database = Database(f"sqlite:///{folder / 'db.sqlite'}")
        runtime = RuntimeSettings(fee=Decimal(fee), slippage=Decimal(slippage))
        self.kit = self.run(open_kit(self.database, runtime=runtime))

    def teardown(self) -> None:
        if self.kit is not None:
            self.run(self.database.dispose())
        self.loop.close()

    @rule(
        bot=st.sampled_from(BotKind),
        confidence=st.floats(0.05, 1.0),
        move=st.floats(-0.01, 0.01),
    )
    def enter(self, bot: BotKind, confidence: float, move: float) -> None:
        kit = self.kit
        assert kit is not None
        self.candle(move)
        signal = kit.signal(bot, SignalAction.BUY, confidence)
        self.run(kit.engine.open_position(signal, step_ms=kit.step_ms))

    @rule(bot=st.sampled_from(BotKind), confidence=st.floats(0.2, 1.0), won=st.booleans())
    def trade_through(self, bot: BotKind, confidence: float, won: bool) -> None:
        """An entry, then a candle running through its take-profit (won) or its stop."""
        self.enter(bot, confidence, 0.0)
        self.candle(0.12 if won else -0.12)

    @rule(bot=st.sampled_from(BotKind), move=st.floats(-0.05, 0.05))
    def exit_on_signal(self, bot: BotKind, move: float) -> None:
        kit = self.kit
        assert kit is not None
        self.candle(move)
        coid = client_ids.decision_id(bot, PAIR.symbol, kit.step_ms, client_ids.EXIT)
        self.run(kit.engine.close_position(bot, reason=ExitReason.SIGNAL, client_order_id=coid))

    @rule(move=st.floats(-0.12, 0.12), wick=st.floats(0.0, 0.04))
    def candle(self, move: float, wick: float = 0.0) -> None:
        kit = self.kit
        assert kit is not None
        open_ = self.price
        close = max(open_ * (1 + move), 100.0)
        high, low = max(open_, close) * (1 + wick), min(open_, close) * (1 - wick)
        self.run(kit.candle(open_, high, low, close, next_open=close))
        self.price = close

    def _closed(self) -> list[tuple[int, Any]]:
        async def read() -> list[tuple[int, Any]]:
            async with UnitOfWork(self.database) as uow:
                listed = await trades.list_trades(session=uow.session, limit=10_000)
            return sorted(
                ((i, t) for i, t in listed if t.status is TradeStatus.CLOSED),
                key=lambda item: (item[1].exit_time, item[0]),
            )

        return list(self.run(read()))

    @invariant()
    def money_is_conserved(self) -> None:
        if self.kit is None:
            return
        closed = self._closed()
        for _, trade in closed:
            assert trade.pnl == trade.gross_pnl - trade.fees

        async def capitals() -> Decimal:
            async with UnitOfWork(self.database) as uow:
                rows = await bots.list_bots(session=uow.session)
            return sum((row.capital for row in rows), Decimal(0))

        realised = sum((booked(t.pnl) for _, t in closed if t.pnl is not None), Decimal(0))
        assert self.run(capitals()) == Decimal(1000) + realised

    @invariant()
    def reallocations_are_ratio_times_profit(self) -> None:
        if self.kit is None:
            return
        closed = dict(self._closed())

        async def moved() -> list[Any]:
            async with UnitOfWork(self.database) as uow:
                return await reallocations.list_reallocations(session=uow.session, limit=10_000)

        rows = self.run(moved())
        by_trade = {row.trigger_trade_id: row.amount for row in rows}
        seen = PortfolioMachine.seen
        seen["closed"] = max(seen["closed"], len(closed))
        seen["reallocations"] = max(seen["reallocations"], len(rows))
        for trade_id, trade in closed.items():
            pnl = trade.pnl
            assert pnl is not None
            if trade.bot is BotKind.AGGRESSIVE and pnl * RATIO >= Decimal("1e-8"):
                assert by_trade[trade_id] == (pnl * RATIO).quantize(Decimal("1e-8"), ROUND_DOWN)
            else:
                assert trade_id not in by_trade

    @invariant()
    def risk_follows_the_reducer(self) -> None:
        if self.kit is None:
            return
        closed = [t for _, t in self._closed()]

        async def ratios() -> dict[BotKind, Decimal]:
            async with UnitOfWork(self.database) as uow:
                return {
                    r.type: r.current_risk_ratio for r in await bots.list_bots(session=uow.session)
                }

        stored = self.run(ratios())
        for bot in BotKind:
            outcomes = [t.pnl is not None and t.pnl > 0 for t in closed if t.bot is bot]
            assert stored[bot] == BASE[bot] * model_multiplier(outcomes)
            if stored[bot] < BASE[bot]:
                PortfolioMachine.seen["reduced"] += 1

    @invariant()
    def no_balance_is_negative(self) -> None:
        if self.kit is None:
            return
        book = self.kit.exchange.book
        assert all(v >= 0 for v in book.free.values())
        assert all(v >= 0 for v in book.used.values())


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database each example copies (migrating each time would be slow)."""
    path = tmp_path_factory.mktemp("machine") / "template.sqlite"

    async def migrate() -> None:
        database = Database(f"sqlite:///{path}")
        await upgrade(database)
        await database.dispose()

    asyncio.run(migrate())
    return path


def test_portfolio_when_trading_at_random_keeps_its_invariants(template: Path) -> None:
    PortfolioMachine.template = template
    assert Settings().trading.reallocation_ratio == RATIO
    machine = PortfolioMachine.TestCase
    machine.settings = settings(
        max_examples=25,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    machine().runTest()
    seen = PortfolioMachine.seen
    assert seen["closed"] >= 5, seen
    assert seen["reallocations"] >= 1, seen
    assert seen["reduced"] >= 1, seen
