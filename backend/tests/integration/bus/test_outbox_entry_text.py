"""The relay sends the row's JSON of each message as its stream entry: the same entries.

The outbox encodes a transaction's events once, for its row; on Redis the relay used to
encode each message again for its stream entry (``codec.encode``). The entries it writes now
are byte for byte those: ``data`` (``model_dump_json()``'s text) and ``type``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cryptotrader import outbox as relay
from cryptotrader.bus import StreamBus, topics
from cryptotrader.bus.codec import encode
from cryptotrader.bus.leases import RedisLeases
from cryptotrader.bus.messages import AlertRaised, BusMessage, CapitalReallocated, OrderUpdated
from cryptotrader.bus.transport import StreamTransport
from cryptotrader.domain import BotKind, Order, OrderStatus, OrderType, Pair, Side
from cryptotrader.persistence import UnitOfWork
from cryptotrader.persistence.migrate import upgrade
from tests.integration.conftest import close_database, open_database

T0 = datetime(2026, 2, 11, 14, 30, 2, tzinfo=UTC)


class Recording:
    """A stream transport that keeps what is appended (as Redis would: not message objects)."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, dict[str, str]]] = []

    async def add_each(self, entries: Sequence[tuple[str, Mapping[str, str]]]) -> list[str]:
        start = len(self.entries)
        self.entries.extend((stream, dict(fields)) for stream, fields in entries)
        return [f"{start + i}-0" for i in range(len(entries))]


def stream_bus(recording: Recording, *, partitions: int = 0) -> StreamBus:
    leases = cast(RedisLeases, object()) if partitions else None
    return StreamBus(
        cast(StreamTransport, recording), prefix="p:", partitions=partitions, leases=leases
    )


def events(text: str, amount: Decimal) -> list[tuple[str, BusMessage]]:
    order = Order(
        client_order_id="agg-1.x_2",
        bot=BotKind.AGGRESSIVE,
        pair=Pair.parse("BTC/USDT"),
        side=Side.BUY,
        type=OrderType.LIMIT,
        quantity=amount,
        price=amount,
        stop_loss=None,
        take_profit=None,
        status=OrderStatus.FILLED,
        exchange_order_id="x-1",
        filled_quantity=amount,
        average_fill_price=amount,
        fee=amount,
        created_at=T0,
    )
    return [
        (topics.ORDERS, OrderUpdated.from_domain(order, at=T0)),
        (topics.ALERTS, AlertRaised(timestamp=T0, kind="trade_opened", text=text, price=amount)),
        (
            topics.REBALANCE,
            CapitalReallocated(
                timestamp=T0,
                from_bot=BotKind.AGGRESSIVE,
                to_bot=BotKind.SAFE,
                amount=amount,
                ratio=Decimal("0.5"),
                profit=amount,
                trigger_trade_id=7,
            ),
        ),
    ]


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.text(max_size=40),
    amount=st.decimals(min_value=Decimal("1e-8"), max_value=Decimal("1e9"), places=8),
    partitions=st.sampled_from([0, 4]),
)
@pytest.mark.asyncio
async def test_publish_each_with_the_rows_texts_writes_the_entries_it_encodes(
    text: str, amount: Decimal, partitions: int
) -> None:
    published = events(text, amount)
    encoded, given_ = Recording(), Recording()
    await stream_bus(encoded, partitions=partitions).publish_each(published)

    _, texts = relay.encode_each(published)
    await stream_bus(given_, partitions=partitions).publish_each(published, texts)

    assert given_.entries == encoded.entries
    assert given_.entries == [(f"p:{topic}", encode(message)) for topic, message in published]


@pytest.mark.asyncio
async def test_publish_each_refuses_texts_that_do_not_match_the_messages() -> None:
    with pytest.raises(ValueError, match="2 texts for 3 messages"):
        await stream_bus(Recording()).publish_each(events("t", Decimal(1)), ["{}", "{}"])


@pytest.mark.asyncio
async def test_the_relay_sends_the_rows_json_without_encoding_the_messages_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database, _ = await open_database("sqlite", tmp_path)
    await upgrade(database)
    recording = Recording()
    outbox = relay.Outbox(database, stream_bus(recording))
    published = events('a "quoted" text, é', Decimal("0.00012345"))
    expected = [(f"p:{topic}", encode(message)) for topic, message in published]

    def encoded_again(message: BusMessage) -> dict[str, str]:
        raise AssertionError("a message encoded again for its stream entry")

    monkeypatch.setattr("cryptotrader.bus.stream_bus.encode", encoded_again)
    try:
        async with UnitOfWork(database) as uow:
            await outbox.add(uow.session, published[:2])
            await outbox.add(uow.session, published[2:])
            await uow.commit()
        assert recording.entries == expected
        assert outbox.published == 3
    finally:
        await close_database(database, None)
