"""Reconciliation: before any new order, our database and the exchange must agree.

On start (and again at each candle while it has not succeeded) the ``Reconciler``:

1. asks the exchange about every order our database does not hold as final, and records what
   it says (an entry that filled opens its trade; a stop that filled closes its trade and settles
   it). An order the exchange never received stays pending: a protection is sent with the same
   ids, an entry or exit by its resumed step; an order we hold as open but the exchange does not
   know is an inconsistency a person must look at;
2. loads the open positions and protects each one without its stop-loss (or closes it at market
   when that fails): no position is left without its stop;
3. checks the exchange holds at least the base amount our positions hold;
4. warns about open orders with our prefix that our database does not know.

If any of it fails, trading stays off (``trading_allowed`` False): no new order, cancels still
allowed, and a critical alert says why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from cryptotrader.domain.enums import OrderStatus, Side
from cryptotrader.domain.orders import Order
from cryptotrader.engines import client_ids
from cryptotrader.engines.order import OrderEngine
from cryptotrader.engines.positions import load_positions
from cryptotrader.errors import OperationalError, TraderError
from cryptotrader.persistence.repositories import orders
from cryptotrader.persistence.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """What a reconciliation found; ``ok`` False means trading stays off (``error`` says why)."""

    ok: bool
    orders_checked: int = 0
    positions: int = 0
    protected: int = 0
    error: str | None = None


class Reconciler:
    """Brings the order engine in line with the exchange.

    Args:
        engine: the order engine (its exchange, database and positions).
    """

    def __init__(self, *, engine: OrderEngine) -> None:
        self.engine = engine

    async def run(self) -> Reconciliation:
        """Reconcile; sets ``engine.trading_allowed`` to the outcome."""
        engine = self.engine
        engine.trading_allowed = False
        symbol = engine.deps.pair.symbol
        step = engine.deps.progress.step_ms
        engine.deps.progress.step_ms = None  # each change is checkpointed at its own step
        try:
            async with UnitOfWork(engine.deps.database) as uow:
                engine.positions = await load_positions(session=uow.session, pair=symbol)
            checked = await self._orders()
            async with UnitOfWork(engine.deps.database) as uow:  # what the exchange said, recorded
                engine.positions = await load_positions(session=uow.session, pair=symbol)
            protected = await self._protect()
            await self._balances()
            await self._foreign_orders()
        except TraderError as exc:
            log.error("reconciliation failed: %s", exc)
            await engine.alert(
                "reconciliation_failed",
                f"reconciliation with the exchange failed, no new order until it succeeds: {exc}",
                bot=None,
                severity="critical",
            )
            return Reconciliation(ok=False, error=str(exc))
        finally:
            engine.deps.progress.step_ms = step
        engine.trading_allowed = True
        return Reconciliation(
            ok=True, orders_checked=checked, positions=len(engine.positions), protected=protected
        )

    async def _orders(self) -> int:
        engine = self.engine
        async with UnitOfWork(engine.deps.database) as uow:
            pending = [
                o
                for o in await orders.open_orders(session=uow.session)
                if o.pair.symbol == engine.deps.pair.symbol
            ]
        others = []
        for order in pending:
            report = await engine.lookup(order.client_order_id)
            if report is None:
                await self._never_received(order)
            elif order.side is Side.BUY:
                await engine.resume_entry(order, report)
            else:
                others.append(report)
        await engine.apply_reports(others)  # together: a filled leg before its canceled twin
        return len(pending)

    @staticmethod
    async def _never_received(order: Order) -> None:
        if order.status is not OrderStatus.PENDING:
            raise OperationalError(
                f"order {order.client_order_id} is {order.status} here but the exchange does "
                "not know it: check the account by hand"
            )
        # Never sent: a protection leg is sent as it is by ``_protect`` (same client ids, so the
        # orders are those a run without the crash would have placed); an entry or exit stays
        # pending for its step, which resumes and sends it, or expires it when the step is too
        # old (``OrderEngine.expire_pending``).

    async def _protect(self) -> int:
        engine = self.engine
        protected = 0
        for position in list(engine.positions.values()):
            if not position.unprotected:
                continue
            entry = await engine.lookup(position.entry_id)
            if entry is not None and entry.average_price is not None:
                position.entry_price = entry.average_price  # exact, for the protection levels
            await engine.protect(position)
            protected += 1
        return protected

    async def _balances(self) -> None:
        engine = self.engine
        pair = engine.deps.pair
        held = sum((p.quantity for p in engine.positions.values()), Decimal(0))
        if held == 0:
            return
        balance = await engine.deps.exchange.get_balance(pair.base)
        # A position is what its entry left held (a fee taken in the coin deducted), so the
        # two agree; twice the fee rate is still allowed for a trade whose fee could not be
        # read (recorded as bought). A position sold by hand is far below it.
        if balance.total < held * (1 - 2 * engine.deps.fee_rate):
            raise OperationalError(
                f"the exchange holds {balance.total} {pair.base} but our open positions hold "
                f"{held}: check the account by hand"
            )

    async def _foreign_orders(self) -> None:
        engine = self.engine
        for report in await engine.deps.exchange.fetch_open_orders(engine.deps.pair):
            if not client_ids.belongs_to(report.client_order_id, engine.deps.pair.symbol):
                continue
            if await engine.stored(report.client_order_id) is None:
                await engine.alert(
                    "unknown_order",
                    f"the exchange holds order {report.client_order_id}, which our database "
                    "does not know",
                    bot=None,
                    severity="warning",
                )
