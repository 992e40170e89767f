"""Running the real bot (discord.py) against the local Discord server and a real API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from cryptotrader_discord.api import ApiClient
from cryptotrader_discord.bot import TraderBot, point_at
from cryptotrader_discord.config import BotConfig
from tests.fake_discord import (
    ALERT_CHANNEL_ID,
    GUILD_ID,
    OPERATOR_ROLE,
    VIEWER_ROLE,
    FakeDiscord,
)


def bot_env(
    server: FakeDiscord, api_url: str, token: str, state: Path, **extra: str
) -> dict[str, str]:
    """The bot's environment, as an operator would write it."""
    env = {
        "DISCORD_TOKEN": "discord-test-token",
        "DISCORD_API_URL": server.api,
        "DISCORD_GATEWAY_URL": server.gateway,
        "DISCORD_GUILD_ID": str(GUILD_ID),
        "DISCORD_VIEWER_ROLES": str(VIEWER_ROLE),
        "DISCORD_OPERATOR_ROLES": str(OPERATOR_ROLE),
        "CRYPTOTRADER_API_URL": api_url,
        "CRYPTOTRADER_SERVICE_TOKEN": token,
        "ALERT_CHANNELS": f"default={ALERT_CHANNEL_ID}",
        "DISCORD_STATE_DIR": str(state),
    }
    env.update(extra)
    return env


@contextlib.asynccontextmanager
async def running_bot(env: dict[str, str], *, start_at: str = "$") -> AsyncIterator[TraderBot]:
    """The bot logged in to the local Discord, its commands registered, until the block ends."""
    config = BotConfig.from_env(env)
    point_at(config)
    api = ApiClient(config.api_url, config.service_token)
    bot = TraderBot(config, api, start_at=start_at)
    task = asyncio.create_task(bot.start(env["DISCORD_TOKEN"]))
    try:
        async with asyncio.timeout(180):  # a hang guard: a loaded machine is slow
            while not bot.is_ready():
                if task.done():
                    task.result()  # the login failed: raise why
                await asyncio.sleep(0.05)
        yield bot
    finally:
        await bot.close()
        await asyncio.gather(task, return_exceptions=True)
        await api.aclose()


def api_get(url: str, token: str, path: str) -> Any:
    """A GET on the API, as a test reads the truth."""
    answer = httpx.get(f"{url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    answer.raise_for_status()
    return answer.json()
