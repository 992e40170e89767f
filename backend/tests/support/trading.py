"""A trading kit for tests: the real order engine, portfolio and paper exchange on a test database.

``FaultyExchange`` is the real ``PaperExchange`` with scripted faults: a call can fail before the
order reaches the book (the exchange never received it) or after (it was accepted, and then the
answer was lost), the way a network timeout does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from cryptotrader.bus.messages import AlertRaised, BusMessage
from cryptotrader.clock import MarketClock
from cryptotrader.config import RuntimeSettings, Settings
from cryptotrader.domain.enums import BotKind, SignalAction
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.reports import OrderReport, ProtectionReport
from cryptotrader.domain.signals import TradingSignal
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.engines.order import OrderEngine
from cryptotrader.engines.order_deps import OrderEngineDeps
from cryptotrader.engines.portfolio import PortfolioManager
from cryptotrader.engines.progress import Progress
from cryptotrader.engines.reconcile import Reconciler
from cryptotrader.exchanges.base import VenueCapabilities
from cryptotrader.exchanges.paper import PaperExchange
from cryptotrader.persistence.database import Database
from cryptotrader.risk.manager import RiskLimits, RiskManager
from cryptotrader.risk.reducer import RiskReducer

PAIR = Pair(base="BTC", quote="USDT")
START_MS = 1_704_067_200_000
HOUR = 3_600_000

BEFORE, AFTER = "before", "after"
T = TypeVar("T")


class FaultyExchange(PaperExchange):
    """``PaperExchange`` whose calls fail as scripted: ``faults["buy"] = [(AFTER, error)]``.

    A fault ``BEFORE`` raises without touching the book; ``AFTER`` places the order, then
    raises (the answer was lost). ``calls`` counts every call by method.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.faults: dict[str, list[tuple[str, Exception]]] = defaultdict(list)
        self.calls: dict[str, int] = defaultdict(int)
        self.capabilities = VenueCapabilities(native_oco=True, client_order_id=True, paper=True)

    async def _run(self, method: str, call: Callable[[], Awaitable[T]]) -> T:
        self.calls[method] += 1
        fault = self.faults[method].pop(0) if self.faults[method] else None
        if fault is not None and fault[0] == BEFORE:
            raise fault[1]
        result = await call()
        if fault is not None:
            raise fault[1]
        return result

    async def buy(
        self, pair: Pair, amount: Decimal, price: Decimal | None = None, *, client_order_id: str
    ) -> OrderReport:
        parent = super().buy
        return await self._run(
            "buy", lambda: parent(pair, amount, price, client_order_id=client_order_id)
        )

    async def sell(
        self, pair: Pair, amount: Decimal, price: Decimal | None = None, *, client_order_id: str
    ) -> OrderReport:
        parent = super().sell
        return await self._run(
            "sell", lambda: parent(pair, amount, price, client_order_id=client_order_id)
        )

    async def place_protection(
        self,
        pair: Pair,
        amount: Decimal,
        *,
        stop_loss: Decimal,
        take_profit: Decimal | None,
        client_order_id: str,
    ) -> ProtectionReport:
        parent = super().place_protection
        return await self._run(
            "place_protection",
            lambda: parent(
                pair,
                amount,
                stop_loss=stop_loss,
                take_profit=take_profit,
                client_order_id=client_order_id,
            ),
        )

    async def fetch_order(self, pair: Pair, *, client_order_id: str) -> OrderReport | None:
        parent = super().fetch_order
        return await self._run("fetch_order", lambda: parent(pair, client_order_id=client_order_id))


class RecordingBus:
    """Keeps what the engines publish (the bus itself is tested in ``tests/integration/bus``)."""

    def __init__(self) -> None:
        self.published: list[tuple[str, BusMessage]] = []

    async def publish(self, topic: str, message: BusMessage) -> str:
        self.published.append((topic, message))
        return str(len(self.published))

    async def publish_many(self, topic: str, messages: Sequence[BusMessage]) -> list[str]:
        return [await self.publish(topic, m) for m in messages]

    def kinds(self) -> list[str]:
        """``kind`` of every alert, in order."""
        return [m.kind for _, m in self.published if isinstance(m, AlertRaised)]

    def alerts(self, kind: str) -> list[AlertRaised]:
        """The alerts of one ``kind``."""
        return [m for _, m in self.published if isinstance(m, AlertRaised) and m.kind == kind]


@dataclass
class Kit:
    """A wired order engine on a test database."""

    database: Database
    clock: MarketClock
    exchange: FaultyExchange
    portfolio: PortfolioManager
    engine: OrderEngine
    reconciler: Reconciler
    bus: RecordingBus
    settings: Settings = field(default_factory=Settings)

    async def candle(
        self, open_: float, high: float, low: float, close: float, *, next_open: float | None = None
    ) -> None:
        """One candle through the paper market (then the next open, when given)."""
        self.clock.observe(self.clock.timestamp_ms() + HOUR)
        opened = self.clock.timestamp_ms() - HOUR
        self.engine.deps.progress.step_ms = opened
        reports = await self.exchange.on_candle(
            PAIR,
            open_ms=opened,
            close_ms=opened + HOUR,
            open_=open_,
            high=high,
            low=low,
            close=close,
        )
        await self.engine.apply_reports(reports)
        if next_open is not None:
            await self.exchange.mark_price(PAIR, next_open, at_ms=opened + HOUR)

    def signal(
        self, bot: BotKind, action: SignalAction = SignalAction.BUY, confidence: float = 1.0
    ) -> TradingSignal:
        """A signal of ``bot`` on the last candle."""
        return TradingSignal(
            timestamp=utc_from_ms(self.clock.timestamp_ms() - HOUR),
            pair=PAIR,
            timeframe=Timeframe.H1,
            action=action,
            confidence=confidence,
            score=0.5,
            strategy="test",
            target_bot=bot,
            contributions={"rsi_14": 0.25, "macd": 0.25},
        )

    @property
    def step_ms(self) -> int:
        """The open time of the last candle."""
        return self.clock.timestamp_ms() - HOUR


async def open_kit(
    database: Database,
    *,
    runtime: RuntimeSettings | None = None,
    reducer: RiskReducer | None = None,
    exchange: FaultyExchange | None = None,
    clock: MarketClock | None = None,
) -> Kit:
    """The kit on ``database`` (migrated), reconciled and ready to trade."""
    settings = Settings()
    runtime = runtime or settings.runtime
    clock = clock or MarketClock(START_MS)
    exchange = exchange or FaultyExchange(
        database=database,
        clock=clock,
        fee=runtime.fee,
        slippage=runtime.slippage,
        initial_balances={"USDT": Decimal(1000)},
    )
    await exchange.start()
    portfolio = PortfolioManager(
        database=database, clock=clock, trading=settings.trading, reducer=reducer or RiskReducer()
    )
    await portfolio.ensure_bots()
    bus = RecordingBus()
    deps = OrderEngineDeps(
        database=database,
        exchange=exchange,
        portfolio=portfolio,
        risk=RiskManager(limits=RiskLimits.from_settings(runtime, live_allowed=False)),
        bus=bus,  # type: ignore[arg-type]
        clock=clock,
        progress=Progress(key="paper:test:BTC/USDT:1h", timeframe=Timeframe.H1),
        pair=PAIR,
        venue="paper",
        fee_rate=runtime.fee,
        retry_delay_s=0.0,
        failures_to_pause=runtime.order_failures_to_pause,
    )
    engine = OrderEngine(deps=deps)
    reconciler = Reconciler(engine=engine)
    assert (await reconciler.run()).ok
    return Kit(database, clock, exchange, portfolio, engine, reconciler, bus)
