"""PaperExchange on SQLite and PostgreSQL: its account survives a restart, as an exchange's does."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cryptotrader.clock import TestClock
from cryptotrader.domain.enums import OrderStatus
from cryptotrader.errors import OrderNotFound, OrderRejected, TemporaryError
from cryptotrader.exchanges.paper import PaperExchange
from cryptotrader.persistence import deferred
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories.paper import load_paper_account
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.trading import PAIR

pytestmark = pytest.mark.asyncio(loop_scope="function")

H = 3_600_000


def paper(database: Database) -> PaperExchange:
    return PaperExchange(
        database=database, clock=TestClock(0), initial_balances={"USDT": Decimal(1000)}
    )


async def test_paper_exchange_when_restarted_continues_where_its_last_change_left(
    database: Database,
) -> None:
    first = paper(database)
    await first.start()
    with pytest.raises(TemporaryError, match="no price"):
        await first.fetch_ticker(PAIR)
    await first.mark_price(PAIR, 40_000.0, at_ms=H)
    bought = await first.buy(PAIR, Decimal("0.01"), client_order_id="ct-a-1-e")
    assert bought.status is OrderStatus.FILLED
    await first.place_protection(
        PAIR, Decimal("0.01"), stop_loss=Decimal(39_000), take_profit=Decimal(44_000),
        client_order_id="ct-a-1-e",
    )  # fmt: skip
    await first.on_candle(
        PAIR, open_ms=H, close_ms=2 * H, open_=40_000.0, high=40_500.0, low=39_500.0, close=40_100.0
    )
    again = paper(database)
    await again.start()
    assert await again.fetch_balances() == await first.fetch_balances()
    assert [o.client_order_id for o in await again.fetch_open_orders(PAIR)] == [
        "ct-a-1-e-sl",
        "ct-a-1-e-tp",
    ]
    assert await again.fetch_order(PAIR, client_order_id="ct-a-1-e") == bought
    assert await again.fetch_my_trades(PAIR) == await first.fetch_my_trades(PAIR)
    with pytest.raises(OrderRejected, match="duplicate"):
        await again.buy(PAIR, Decimal("0.01"), client_order_id="ct-a-1-e")
    # The stop triggers on the next candle after the restart, as it would have without one.
    changed = await again.on_candle(
        PAIR,
        open_ms=2 * H,
        close_ms=3 * H,
        open_=40_000.0,
        high=40_000.0,
        low=38_000.0,
        close=38_500.0,
    )
    assert {r.client_order_id: r.status for r in changed} == {
        "ct-a-1-e-sl": OrderStatus.FILLED,
        "ct-a-1-e-tp": OrderStatus.CANCELED,
    }
    third = paper(database)
    await third.start()
    assert third.book.duplicates == 1
    assert (await third.get_balance("BTC")).total == 0


async def test_paper_exchange_when_market_data_fills_nothing_saves_nothing(
    database: Database,
) -> None:
    """A quiet candle or price (no order of the pair) moves the ticker without a transaction.

    The market state is saved with the account's next change; an order resting on the pair
    makes its candles fill, and be saved, as before.
    """
    exchange = paper(database)
    await exchange.start()

    async def saved() -> tuple[dict[str, object] | None, int]:
        async with UnitOfWork(database) as uow:
            state, orders = await load_paper_account(session=uow.session, account="paper")
        return state, len(orders)

    before = await saved()
    assert await exchange.mark_price(PAIR, 40_000.0, at_ms=H) == []
    candle = {"open_": 40_000.0, "high": 40_500.0, "low": 39_500.0, "close": 40_100.0}
    assert await exchange.on_candle(PAIR, open_ms=H, close_ms=2 * H, **candle) == []
    assert (await exchange.fetch_ticker(PAIR)).last == Decimal("40100.0")
    assert await saved() == before
    await exchange.buy(PAIR, Decimal("0.01"), client_order_id="ct-a-1-e")
    await exchange.place_protection(
        PAIR, Decimal("0.01"), stop_loss=Decimal(39_000), take_profit=Decimal(44_000),
        client_order_id="ct-a-1-e",
    )  # fmt: skip
    state, orders = await saved()
    assert state is not None
    assert (state["markets"], orders) == ({PAIR.symbol: [H, 40_100.0, 2 * H]}, 3)
    changed = await exchange.on_candle(
        PAIR, open_ms=2 * H, close_ms=3 * H, open_=40_000.0, high=40_000.0, low=38_000.0,
        close=38_500.0,
    )  # fmt: skip
    assert [r.client_order_id for r in changed] == ["ct-a-1-e-sl", "ct-a-1-e-tp"]
    state, _ = await saved()
    assert state is not None
    assert state["markets"] == {PAIR.symbol: [2 * H, 38_500.0, 3 * H]}


async def test_paper_exchange_when_asked_about_an_unknown_order_says_so(
    database: Database,
) -> None:
    exchange = paper(database)
    await exchange.start()
    assert await exchange.fetch_order(PAIR, client_order_id="ct-s-1-e") is None
    with pytest.raises(OrderNotFound):
        await exchange.cancel_order(PAIR, client_order_id="ct-s-1-e")


def unsaved(exchange: PaperExchange) -> bool:
    """Whether the account has changes not saved yet."""
    return exchange.book.dirty


async def test_paper_exchange_saved_in_a_transaction_is_saved_with_it_or_not_at_all(
    database: Database,
) -> None:
    """``unsaved`` leaves a batch's changes to ``save_in``: committed with the caller's records,
    or, when that transaction does not commit, still to save (the next save writes them)."""
    exchange = paper(database)
    await exchange.start()
    await exchange.mark_price(PAIR, 40_000.0, at_ms=H)
    async with exchange.unsaved():
        bought = await exchange.buy(PAIR, Decimal("0.01"), client_order_id="ct-a-1-e")
    assert unsaved(exchange)  # not saved by the block

    async def rolled_back() -> None:
        async with UnitOfWork(database) as uow:
            await exchange.save_in(uow.session)
            raise RuntimeError("the records failed")

    with pytest.raises(RuntimeError):
        await rolled_back()
    assert unsaved(exchange)
    async with UnitOfWork(database, read_only=True) as uow:
        _, orders = await load_paper_account(session=uow.session, account=exchange.account)
    assert orders == []  # nothing of the batch is saved

    async with UnitOfWork(database) as uow:
        async with deferred.defer(uow.session):
            await exchange.save_in(uow.session)
        await uow.commit()
    assert not unsaved(exchange)
    again = paper(database)
    await again.start()
    assert await again.fetch_order(PAIR, client_order_id="ct-a-1-e") == bought
    assert await again.fetch_balances() == await exchange.fetch_balances()


async def test_paper_exchange_changed_again_before_the_commit_stays_to_save(
    database: Database,
) -> None:
    exchange = paper(database)
    await exchange.start()
    await exchange.mark_price(PAIR, 40_000.0, at_ms=H)
    async with exchange.unsaved():
        await exchange.buy(PAIR, Decimal("0.01"), client_order_id="ct-a-1-e")
    async with UnitOfWork(database) as uow:
        await exchange.save_in(uow.session)
        async with exchange.unsaved():  # a change after the documents were taken
            await exchange.sell(PAIR, Decimal("0.01"), client_order_id="ct-a-1-x")
        await uow.commit()
    assert unsaved(exchange)
    await exchange.flush()
    again = paper(database)
    await again.start()
    assert await again.fetch_balances() == await exchange.fetch_balances()
    sold = await again.fetch_order(PAIR, client_order_id="ct-a-1-x")
    assert sold is not None
    assert sold.status is OrderStatus.FILLED


async def test_paper_exchange_discard_forgets_what_was_not_saved_as_a_crash_would(
    database: Database,
) -> None:
    exchange = paper(database)
    await exchange.start()
    await exchange.mark_price(PAIR, 40_000.0, at_ms=H)
    await exchange.buy(PAIR, Decimal("0.01"), client_order_id="ct-a-1-e")  # saved
    saved = await exchange.fetch_balances()
    assert not exchange.locked
    async with exchange.unsaved():  # placed, for a transaction that then fails
        await exchange.place_protection(
            PAIR, Decimal("0.01"), stop_loss=Decimal(39_000), take_profit=Decimal(44_000),
            client_order_id="ct-a-1-e",
        )  # fmt: skip
    unsaved = exchange.book.dirty
    await exchange.discard()
    assert (unsaved, exchange.book.dirty) == (True, False)
    assert await exchange.fetch_open_orders(PAIR) == []
    assert await exchange.fetch_order(PAIR, client_order_id="ct-a-1-e-sl") is None
    assert await exchange.fetch_balances() == saved
    await exchange.flush()  # nothing left to save: the legs never reach the database
    again = paper(database)
    await again.start()
    assert await again.fetch_open_orders(PAIR) == []
    assert await again.fetch_balances() == saved
    # the same ids may be placed again (a restart's protection), as after a crash
    placed = await exchange.place_protection(
        PAIR, Decimal("0.01"), stop_loss=Decimal(39_000), take_profit=Decimal(44_000),
        client_order_id="ct-a-1-e",
    )  # fmt: skip
    assert placed.stop_loss.status is OrderStatus.OPEN


async def test_paper_exchange_locked_while_a_change_and_its_save_are_under_way(
    database: Database,
) -> None:
    exchange = paper(database)
    await exchange.start()
    seen = []
    save = exchange._save

    async def saving(*, force: bool = False) -> None:
        seen.append(exchange.locked)
        await save(force=force)

    exchange._save = saving  # type: ignore[method-assign]
    await exchange.mark_price(PAIR, 40_000.0, at_ms=H)  # the market moved: nothing to save
    await exchange.buy(PAIR, Decimal("0.01"), client_order_id="ct-a-1-e")
    assert seen == [True]
    assert not exchange.locked
