"""The stored live-trading switch reads as off unless an admin's record says on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import live_switch, settings
from cryptotrader.persistence.uow import UnitOfWork

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.asyncio
async def test_a_switch_never_set_is_off(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        switch = await live_switch.read_switch(session=uow.session)
    assert switch == live_switch.StoredSwitch(enabled=False, at=None, by=None)


@pytest.mark.asyncio
async def test_the_switch_reads_back_as_written(database: Database) -> None:
    async with UnitOfWork(database) as uow:
        await live_switch.write_switch(session=uow.session, enabled=True, at=AT, by="alice")
        await uow.commit()
    async with UnitOfWork(database) as uow:
        switch = await live_switch.read_switch(session=uow.session)
        raw = await settings.get_setting(session=uow.session, key=live_switch.KEY)
    assert switch == live_switch.StoredSwitch(enabled=True, at=AT, by="alice")
    assert raw == {"enabled": True, "at": AT.isoformat(), "by": "alice"}


@pytest.mark.asyncio
@pytest.mark.parametrize("value", [True, "on", ["enabled"], {"enabled": False, "at": "never"}])
async def test_a_malformed_record_reads_as_off(database: Database, value: object) -> None:
    async with UnitOfWork(database) as uow:
        await settings.put_setting(session=uow.session, key=live_switch.KEY, value=value, at=AT)
        await uow.commit()
    async with UnitOfWork(database) as uow:
        switch = await live_switch.read_switch(session=uow.session)
    assert not switch.enabled
    assert switch.at is None
