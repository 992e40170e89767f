"""Webhook-only mode: alerts posted through a Discord webhook, no bot account, no commands."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import aiohttp
import discord

from cryptotrader_discord.alerts import AlertPoster
from cryptotrader_discord.api import ApiClient
from cryptotrader_discord.config import BotConfig
from cryptotrader_discord.events import AlertStream, CursorFile

log = logging.getLogger(__name__)


async def run_webhook(config: BotConfig, api: ApiClient, *, start_at: str = "$") -> None:
    """Post alerts to ``config.webhook`` until cancelled."""
    assert config.webhook is not None
    async with aiohttp.ClientSession() as session:
        hook = discord.Webhook.partial(config.webhook.id, config.webhook.token, session=session)

        async def send(channel: int | None, embeds: Sequence[discord.Embed]) -> None:
            await hook.send(embeds=list(embeds), username="CryptoTrader", wait=True)

        cursors = CursorFile(config.cursor_file)
        poster = AlertPoster(
            api=api,
            routing=config.routing,
            send=send,
            language=lambda: config.locale,
            webhook=True,
            cursors=cursors,
        )
        stream = AlertStream(
            api_url=config.api_url,
            token=config.service_token,
            cursors=cursors,
            on_alert=poster.post,
            start_at=start_at,
        )
        log.info("webhook mode: alerts from %s to webhook %s", config.api_url, config.webhook.id)
        try:
            await stream.run()
        finally:
            await stream.drain()
            await poster.close()
