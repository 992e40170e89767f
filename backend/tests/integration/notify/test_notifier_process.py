"""``cryptotrader engine notifier`` as its own process (the compose deployment): it reads the
alerts other processes publish on Redis and pushes them, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cryptotrader.bus import RedisBus, topics
from cryptotrader.bus.messages import AlertRaised
from cryptotrader.clock import LiveClock
from cryptotrader.domain.enums import BotKind
from cryptotrader.notify.platform import NOTIFICATIONS_KEY
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import notifications as records
from cryptotrader.persistence.repositories import settings, users
from cryptotrader.persistence.uow import UnitOfWork
from tests.support.processes import ENGINE_CLI, process_env
from tests.support.push_servers import expo_server

REDIS_DB = 11  # a logical database of its own: the runtime's stream names are fixed
TOKEN = "ExponentPushToken[process-test-device]"


async def _seed(url: str) -> None:
    database = Database(url)
    try:
        async with UnitOfWork(database) as uow:
            user = await users.add_user(
                session=uow.session, username="bob", password_hash="x", role="trader", email=None
            )
            await records.register_device(
                session=uow.session, user_id=user.id, channel="expo", address=TOKEN
            )
            await settings.put_setting(
                session=uow.session,
                key=NOTIFICATIONS_KEY,
                value={"push_enabled": True},
                at=datetime.now(UTC),
            )
            await uow.commit()
    finally:
        await database.dispose()


async def _publish(url: str) -> None:
    bus = await RedisBus.connect(url, clock=LiveClock())
    try:
        alert = AlertRaised(
            timestamp=datetime.now(UTC),
            kind="circuit_breaker",
            severity="critical",
            text="aggressive bot paused: 5 losses in a row",
            bot=BotKind.AGGRESSIVE,
            details={"cause": "5 losses in a row", "losses": "5"},
        )
        await bus.publish(topics.ALERTS, alert)
    finally:
        await bus.close()


@pytest.mark.timeout(900)
def test_engine_notifier_when_run_as_a_process_pushes_the_alerts_of_others(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    asyncio.run(_seed(postgres_url))
    with expo_server() as expo:
        env = process_env(
            postgres_url, redis_url, tmp_path, CRYPTOTRADER_NOTIFY__EXPO_PUSH_URL=expo.url
        )
        process = subprocess.Popen(  # noqa: S603 - our own entry point, fixed arguments
            [*ENGINE_CLI, "notifier"], env=env, stderr=subprocess.PIPE, text=True
        )
        try:
            assert process.stderr is not None
            deadline = time.monotonic() + 300
            line = ""
            while "engine notifier" not in line:
                assert time.monotonic() < deadline, "the notifier never started"
                line = process.stderr.readline()
                assert line or process.poll() is None, process.stderr.read()
            asyncio.run(_publish(redis_url))
            deadline = time.monotonic() + 180  # a process on a loaded machine
            while not expo.state.messages_to(TOKEN):
                assert time.monotonic() < deadline, "nothing pushed"
                time.sleep(0.05)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=120)
        assert code == 0
    [message] = expo.state.messages_to(TOKEN)
    assert message["title"] == "Aggressive bot paused by the circuit breaker"
    assert message["body"] == "5 losing trades in a row; resume it by hand"
    assert message["priority"] == "high"
