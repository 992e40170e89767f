"""Repositories and the unit of work, identical on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from cryptotrader.domain import (
    BotKind,
    BotStatus,
    ExitReason,
    Order,
    OrderStatus,
    OrderType,
    Pair,
    RiskLevel,
    Side,
    Trade,
    TradeStatus,
)
from cryptotrader.errors import OperationalError
from cryptotrader.persistence import Database, UnitOfWork, deferred
from cryptotrader.persistence.repositories import (
    audit,
    bots,
    checkpoints,
    inbox,
    orders,
    reallocations,
    settings,
    trades,
)

T0 = datetime(2026, 2, 11, 14, 30, tzinfo=UTC)
BTC = Pair.parse("BTC/USDT")


async def _create_bots(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        for kind, name, capital, level, ratio in (
            (BotKind.SAFE, "Safe Bot", "700", RiskLevel.LOW, "0.01"),
            (BotKind.AGGRESSIVE, "Aggressive Bot", "300", RiskLevel.MAX, "0.03"),
        ):
            await bots.create_bot(
                session=uow.session,
                name=name,
                kind=kind,
                capital=Decimal(capital),
                risk_level=level,
                risk_ratio=Decimal(ratio),
            )
        await uow.commit()


def _order(client_order_id: str = "agg-0001", **changes: object) -> Order:
    fields: dict[str, object] = {
        "client_order_id": client_order_id,
        "bot": BotKind.AGGRESSIVE,
        "pair": BTC,
        "side": Side.BUY,
        "type": OrderType.LIMIT,
        "quantity": "0.0045",
        "price": "67450.00",
        "stop_loss": "66101.00",
        "take_profit": "74195.00",
        "created_at": T0,
    }
    fields.update(changes)
    return Order.model_validate(fields)


async def _capital(database: Database) -> dict[BotKind, Decimal]:
    async with UnitOfWork(database) as uow:
        return {row.type: row.capital for row in await bots.list_bots(session=uow.session)}


@pytest.mark.asyncio
async def test_unit_of_work_when_not_committed_or_failing_stores_nothing(
    database: Database,
) -> None:
    async with UnitOfWork(database) as uow:
        await audit.append_audit(session=uow.session, at=T0, actor="a", action="forgotten")

    async def failing() -> None:
        async with UnitOfWork(database) as uow:
            await audit.append_audit(session=uow.session, at=T0, actor="a", action="failed")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await failing()

    async with UnitOfWork(database) as uow:
        assert await audit.list_audit(session=uow.session) == []


@pytest.mark.asyncio
async def test_bots_when_capital_status_and_risk_change_survive_a_new_session(
    database: Database,
) -> None:
    await _create_bots(database)
    async with UnitOfWork(database) as uow:
        assert await bots.add_capital(
            session=uow.session, kind=BotKind.SAFE, delta=Decimal("-12.34567891")
        ) == Decimal("687.65432109")
        await bots.set_status(session=uow.session, kind=BotKind.SAFE, status=BotStatus.PAUSED)
        await bots.set_risk_ratio(session=uow.session, kind=BotKind.SAFE, ratio=Decimal("0.0025"))
        await uow.commit()

    async with UnitOfWork(database) as uow:
        safe = await bots.require_bot(session=uow.session, kind=BotKind.SAFE)
    assert (safe.capital, safe.status, safe.current_risk_ratio) == (
        Decimal("687.65432109"),
        BotStatus.PAUSED,
        Decimal("0.0025"),
    )


@pytest.mark.asyncio
async def test_orders_when_stored_and_read_back_equal_the_domain_order(database: Database) -> None:
    await _create_bots(database)
    order = _order()
    async with UnitOfWork(database) as uow:
        await orders.add_order(session=uow.session, order=order, exchange="binance")
        await uow.commit()

    async with UnitOfWork(database) as uow:
        assert await orders.get_order(session=uow.session, client_order_id="agg-0001") == order
        assert await orders.open_orders(session=uow.session, bot=BotKind.AGGRESSIVE) == [order]
        assert await orders.open_orders(session=uow.session, bot=BotKind.SAFE) == []


@pytest.mark.asyncio
async def test_orders_when_client_order_id_is_reused_refuse_a_second_order(
    database: Database,
) -> None:
    await _create_bots(database)
    async with UnitOfWork(database) as uow:
        await orders.add_order(session=uow.session, order=_order(), exchange="binance")
        await uow.commit()

    async with UnitOfWork(database) as uow:
        with pytest.raises(IntegrityError):
            await orders.add_order(
                session=uow.session, order=_order(quantity="1"), exchange="binance"
            )
    async with UnitOfWork(database) as uow:
        assert await orders.count_orders(session=uow.session) == 1


@pytest.mark.asyncio
async def test_record_fill_when_a_fill_is_replayed_counts_it_once_and_fills_the_order(
    database: Database,
) -> None:
    await _create_bots(database)
    async with UnitOfWork(database) as uow:
        await orders.add_order(session=uow.session, order=_order(), exchange="binance")
        await orders.update_order(
            session=uow.session,
            order=_order(status=OrderStatus.OPEN, exchange_order_id="B-42"),
        )
        await uow.commit()

    fills = [("f1", "0.0015", "67440"), ("f1", "0.0015", "67440"), ("f2", "0.0030", "67450")]
    recorded = []
    for fill_id, quantity, price in fills:
        async with UnitOfWork(database) as uow:
            recorded.append(
                await orders.record_fill(
                    session=uow.session,
                    client_order_id="agg-0001",
                    exchange_fill_id=fill_id,
                    quantity=Decimal(quantity),
                    price=Decimal(price),
                    fee=Decimal("0.01"),
                    filled_at=T0,
                )
            )
            await uow.commit()

    async with UnitOfWork(database) as uow:
        stored = await orders.get_order(session=uow.session, client_order_id="agg-0001")
        still_open = await orders.open_orders(session=uow.session)
    assert recorded == [True, False, True]
    assert stored is not None
    assert stored.status is OrderStatus.FILLED
    assert stored.exchange_order_id == "B-42"
    assert stored.filled_quantity == Decimal("0.0045")
    assert stored.average_fill_price == Decimal("67446.66666667")
    assert stored.fee == Decimal("0.02")
    assert still_open == []


@pytest.mark.asyncio
async def test_link_trade_when_deferred_sets_the_trade_on_the_orders_queued_update(
    database: Database,
) -> None:
    """An order updated and linked in one deferred transaction: one ``UPDATE``, not two."""
    await _create_bots(database)
    trade = Trade(
        bot=BotKind.AGGRESSIVE,
        pair=BTC,
        quantity="0.0045",
        entry_price="67450",
        entry_time=T0,
        stop_loss="66101",
        take_profit="74195",
    )
    async with UnitOfWork(database) as uow:
        for coid in ("entry", "other", "exit"):
            await orders.add_order(session=uow.session, order=_order(coid), exchange="binance")
        trade_id = await trades.add_trade(session=uow.session, trade=trade, exchange="binance")
        await uow.commit()

    filled = _order("entry", status=OrderStatus.FILLED, exchange_order_id="B-1")
    async with UnitOfWork(database) as uow:
        async with deferred.defer(uow.session):
            await orders.update_order(session=uow.session, order=_order("entry"))
            await orders.update_order(session=uow.session, order=filled)
            await orders.update_order(session=uow.session, order=_order("other"))
            await orders.link_trade(
                session=uow.session, client_order_ids=["entry", "exit"], trade_id=trade_id
            )
            # a later update of a linked order leaves its trade as the link set it
            await orders.update_order(session=uow.session, order=filled)
            # "entry" linked by its queued update; "exit", with no update queued, on its own
            assert deferred.queued(uow.session, orders._LINK_ONE, "b_coid", "entry") is None
            assert deferred.queued(uow.session, orders._LINK_ONE, "b_coid", "exit") is not None
            queued = deferred.queued(uow.session, orders._UPDATE, "b_coid", "entry")
            assert queued is not None
            assert queued["b_trade_id"] == trade_id
        await uow.commit()

    async with UnitOfWork(database) as uow:
        linked = await orders.trade_orders(session=uow.session, trade_id=trade_id)
        other = await orders.get_order(session=uow.session, client_order_id="other")
    assert [(o.client_order_id, o.status) for o in linked] == [
        ("entry", OrderStatus.FILLED),
        ("exit", OrderStatus.PENDING),
    ]
    assert linked[0].exchange_order_id == "B-1"
    assert other is not None  # updated, not linked: not among the trade's orders
    assert other.status is OrderStatus.PENDING


@pytest.mark.asyncio
async def test_trades_when_opened_then_closed_read_back_with_their_result(
    database: Database,
) -> None:
    await _create_bots(database)
    opened = Trade(
        bot=BotKind.AGGRESSIVE,
        pair=BTC,
        quantity="0.0045",
        entry_price="67450",
        entry_time=T0,
        stop_loss="66101",
        take_profit="74195",
        confidence=0.78,
    )
    closed = opened.model_copy(
        update={
            "exit_price": Decimal("74195"),
            "exit_time": T0 + timedelta(hours=5),
            "exit_reason": ExitReason.TAKE_PROFIT,
            "fees": Decimal("0.63"),
            "status": TradeStatus.CLOSED,
        }
    )
    async with UnitOfWork(database) as uow:
        trade_id = await trades.add_trade(
            session=uow.session, trade=opened, exchange="binance", indicators_snapshot={"rsi": 35.2}
        )
        await uow.commit()
    async with UnitOfWork(database) as uow:
        assert await trades.get_trade(session=uow.session, trade_id=trade_id) == opened
        await trades.update_trade(session=uow.session, trade_id=trade_id, trade=closed)
        await uow.commit()

    async with UnitOfWork(database) as uow:
        listed = await trades.list_trades(session=uow.session, status=TradeStatus.CLOSED)
        none_open = await trades.list_trades(session=uow.session, status=TradeStatus.OPEN)
    assert listed == [(trade_id, closed)]
    assert none_open == []


@pytest.mark.asyncio
async def test_apply_reallocation_when_replayed_for_the_same_trade_moves_money_once(
    database: Database,
) -> None:
    await _create_bots(database)
    async with UnitOfWork(database) as uow:
        trade_id = await trades.add_trade(
            session=uow.session,
            trade=Trade(
                bot=BotKind.AGGRESSIVE, pair=BTC, quantity="1", entry_price="1", entry_time=T0
            ),
            exchange="binance",
        )
        await uow.commit()

    async def reallocate() -> None:
        async with UnitOfWork(database) as uow:
            await reallocations.apply_reallocation(
                session=uow.session,
                from_bot=BotKind.AGGRESSIVE,
                to_bot=BotKind.SAFE,
                amount=Decimal("15.00000001"),
                ratio=Decimal("0.3"),
                trigger_trade_id=trade_id,
                at=T0,
            )
            await uow.commit()

    await reallocate()
    with pytest.raises(IntegrityError):
        await reallocate()

    capital = await _capital(database)
    assert capital == {
        BotKind.SAFE: Decimal("715.00000001"),
        BotKind.AGGRESSIVE: Decimal("284.99999999"),
    }
    assert sum(capital.values()) == Decimal(1000)
    async with UnitOfWork(database) as uow:
        (record,) = await reallocations.list_reallocations(session=uow.session)
    assert (record.amount, record.ratio_applied, record.trigger_trade_id) == (
        Decimal("15.00000001"),
        Decimal("0.3000"),
        trade_id,
    )


@pytest.mark.asyncio
async def test_apply_reallocation_when_amount_exceeds_capital_refuses_and_changes_nothing(
    database: Database,
) -> None:
    await _create_bots(database)
    async with UnitOfWork(database) as uow:
        with pytest.raises(OperationalError, match="capital is 300"):
            await reallocations.apply_reallocation(
                session=uow.session,
                from_bot=BotKind.AGGRESSIVE,
                to_bot=BotKind.SAFE,
                amount=Decimal("300.00000001"),
                ratio=Decimal("0.3"),
                trigger_trade_id=None,
                at=T0,
            )
    assert await _capital(database) == {
        BotKind.SAFE: Decimal(700),
        BotKind.AGGRESSIVE: Decimal(300),
    }


@pytest.mark.asyncio
async def test_settings_and_checkpoints_when_written_twice_keep_the_last_value(
    database: Database,
) -> None:
    async with UnitOfWork(database) as uow:
        for value in ({"ratio": "0.30"}, {"ratio": "0.25"}):
            await settings.put_setting(
                session=uow.session, key="reallocation", value=value, at=T0, updated_by="alice"
            )
            await checkpoints.save_checkpoint(
                session=uow.session, engine="indicator", key="BTC/USDT:1h", value=value, at=T0
            )
        await uow.commit()

    async with UnitOfWork(database) as uow:
        assert await settings.all_settings(session=uow.session) == {
            "reallocation": {"ratio": "0.25"}
        }
        assert await checkpoints.load_checkpoint(
            session=uow.session, engine="indicator", key="BTC/USDT:1h"
        ) == {"ratio": "0.25"}
        assert (
            await checkpoints.load_checkpoint(session=uow.session, engine="indicator", key="x")
            is None
        )


@pytest.mark.asyncio
async def test_audit_when_filtered_returns_newest_first(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        for minute, actor in enumerate(["alice", "bob", "alice"]):
            await audit.append_audit(
                session=uow.session,
                at=T0 + timedelta(minutes=minute),
                actor=actor,
                action="bot.pause",
                target="safe",
                details={"minute": minute},
                ip="127.0.0.1",
            )
        await uow.commit()

    async with UnitOfWork(database) as uow:
        entries = await audit.list_audit(session=uow.session, actor="alice")
    assert [entry.details for entry in entries] == [{"minute": 2}, {"minute": 0}]


@pytest.mark.asyncio
async def test_claim_message_when_two_transactions_race_only_one_wins(database: Database) -> None:
    async def claim(hold: float) -> bool:
        async with UnitOfWork(database) as uow:
            won = await inbox.claim_message(
                session=uow.session, consumer="portfolio", message_id="m-1", at=T0
            )
            await asyncio.sleep(hold)  # keep the transaction open while the other one tries
            await uow.commit()
            return won

    results = await asyncio.gather(claim(0.2), claim(0.0))

    assert sorted(results) == [False, True]
    async with UnitOfWork(database) as uow:
        assert await inbox.is_processed(session=uow.session, consumer="portfolio", message_id="m-1")
        assert not await inbox.is_processed(session=uow.session, consumer="other", message_id="m-1")
        assert await inbox.prune_processed(session=uow.session, before=T0 + timedelta(days=8)) == 1
