"""The notifier inside ``cryptotrader run`` (one process, in-process bus): a person pauses a
bot, the portfolio engine announces it, the phone gets it; a replay notifies nobody."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cryptotrader.bootstrap.runtime import open_runtime
from cryptotrader.bus import topics
from cryptotrader.bus.messages import ControlBot
from cryptotrader.config import load_settings
from cryptotrader.domain.enums import BotKind
from cryptotrader.notify.platform import NOTIFICATIONS_KEY
from cryptotrader.persistence.repositories import notifications as records
from cryptotrader.persistence.repositories import settings, users
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.runtime_inputs import RunOptions
from tests.support.push_servers import expo_server

TOKEN = "ExponentPushToken[embedded-run-device]"


@pytest.mark.asyncio
@pytest.mark.timeout(900)
async def test_run_when_a_bot_is_paused_pushes_it_to_the_phone(tmp_path: Path) -> None:
    with expo_server() as expo:
        config = load_settings(
            data_dir=tmp_path, notify={"expo_push_url": expo.url, "poll_interval_s": 0.2}
        )
        runtime = await open_runtime(config, RunOptions(engines=("portfolio", "notifier")))
        try:
            async with UnitOfWork(runtime.database) as uow:
                user = await users.add_user(
                    session=uow.session, username="carol", password_hash="x", role="admin",
                    email=None,
                )  # fmt: skip
                await records.register_device(
                    session=uow.session, user_id=user.id, channel="expo", address=TOKEN
                )
                await settings.put_setting(
                    session=uow.session, key=NOTIFICATIONS_KEY, value={"push_enabled": True},
                    at=datetime.now(UTC),
                )  # fmt: skip
                await uow.commit()
            await runtime.start()
            await runtime.bus.publish(
                topics.COMMANDS,
                ControlBot(
                    timestamp=datetime.now(UTC), bot=BotKind.SAFE, action="pause",
                    requested_by="carol",
                ),
            )  # fmt: skip
            async with asyncio.timeout(60):
                while not expo.state.messages_to(TOKEN):  # noqa: ASYNC110 - a server thread
                    await asyncio.sleep(0.05)
        finally:
            await runtime.close()
    [message] = expo.state.messages_to(TOKEN)
    assert message["title"] == "Safe bot paused"
    assert message["body"] == "safe bot paused (pause by carol)"


@pytest.mark.asyncio
@pytest.mark.timeout(900)
async def test_run_when_replaying_has_no_notifier(tmp_path: Path) -> None:
    series = tmp_path / "binance_BTC-USDT_1h.csv"
    series.write_text(
        "timestamp,open,high,low,close,volume\n"
        "1700000000000,100,101,99,100.5,10\n1700003600000,100.5,102,100,101,12\n"
    )
    config = load_settings(data_dir=tmp_path)
    runtime = await open_runtime(config, RunOptions(replay=series, engines=("notifier",)))
    try:
        assert runtime.notifier is None
    finally:
        await runtime.close()
