"""The bot: discord.py with app commands (cogs in ``cogs/``), alerts from ``/ws``, en / fr.

``run(config)`` checks the configuration against the API first (reachable, the token reads),
then connects to Discord. Discord's REST and gateway URLs come from the configuration (tests
point them at a local server that speaks Discord's protocol).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from cryptotrader_discord.alerts import AlertPoster
from cryptotrader_discord.api import ApiClient, ApiError
from cryptotrader_discord.checks import NotAllowed
from cryptotrader_discord.config import BotConfig
from cryptotrader_discord.events import AlertStream, CursorFile
from cryptotrader_discord.i18n import FR, language, text

log = logging.getLogger(__name__)
COGS = ("cryptotrader_discord.cogs.monitoring", "cryptotrader_discord.cogs.trading")


def point_at(config: BotConfig) -> None:
    """Send discord.py's REST calls and gateway connection where the configuration says."""
    discord.http.Route.BASE = config.discord_api
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.discord_gateway)


class Translator(app_commands.Translator):
    """French descriptions of the commands and their options (Discord shows the user's)."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """The French text of ``string`` when the user's client is in French."""
        if locale is not discord.Locale.french:
            return None
        key = string.extras.get("key")
        return FR.get(key) if isinstance(key, str) else None


class TraderBot(commands.Bot):
    """The Discord client: commands for members, alerts to channels.

    Args:
        config: the configuration.
        api: the API client (service token).
        start_at: where alerts start when no cursor is stored (``$``: new ones only).

    """

    def __init__(self, config: BotConfig, api: ApiClient, *, start_at: str = "$") -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            tree_cls=Tree,
        )
        self.config = config
        self.api = api
        cursors = CursorFile(config.cursor_file)
        self.poster = AlertPoster(
            api=api,
            routing=config.routing,
            send=self._send_to_channel,
            language=self.language,
            cursors=cursors,
        )
        self.stream = AlertStream(
            api_url=config.api_url,
            token=config.service_token,
            cursors=cursors,
            on_alert=self.poster.post,
            start_at=start_at,
        )
        self._stream_task: asyncio.Task[None] | None = None

    def language(self, interaction: discord.Interaction[Any] | None = None) -> str:
        """``fr`` or ``en``: the guild's locale, else the configured one."""
        if interaction is not None:
            return language(str(interaction.guild_locale or interaction.locale), self.config.locale)
        guild = self.get_guild(self.config.guild_id) if self.config.guild_id else None
        if guild is not None:
            return language(str(guild.preferred_locale), self.config.locale)
        return self.config.locale

    async def setup_hook(self) -> None:
        """Load the cogs, register the commands (in the guild: immediate), start the alerts."""
        await self.tree.set_translator(Translator())
        for cog in COGS:
            await self.load_extension(cog)
        if self.config.guild_id is not None:
            guild = discord.Object(self.config.guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()
        self._stream_task = asyncio.create_task(self._alerts(), name="alerts")

    async def _alerts(self) -> None:
        await self.wait_until_ready()
        try:
            await self.stream.run()
        except PermissionError:
            log.exception("the alert stream was refused")

    async def close(self) -> None:
        """Stop the alerts, then disconnect."""
        if self._stream_task is not None:
            self._stream_task.cancel()
            await asyncio.gather(self._stream_task, return_exceptions=True)
            await self.stream.drain()
            await self.poster.close()
        await super().close()

    async def _send_to_channel(
        self, channel_id: int | None, embeds: Sequence[discord.Embed]
    ) -> None:
        if channel_id is None:
            return
        channel = self.get_channel(channel_id) or await self.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise TypeError(f"channel {channel_id} cannot receive messages")
        await channel.send(embeds=list(embeds))


class Tree(app_commands.CommandTree[TraderBot]):
    """The command tree: every failure is an ephemeral one-liner, never a traceback."""

    async def on_error(
        self, interaction: discord.Interaction[TraderBot], error: app_commands.AppCommandError
    ) -> None:
        """Tell the member what went wrong, in their language."""
        lang = self.client.language(interaction)
        if isinstance(error, NotAllowed):
            message = text(lang, "not_allowed", role=text(lang, error.role))
        elif isinstance(error, app_commands.CommandInvokeError) and isinstance(
            error.original, ApiError
        ):
            message = text(lang, "error", error=str(error.original))
        else:
            log.error("command failed", exc_info=error)
            message = text(lang, "error", error=type(error).__name__)
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True)
        else:
            await interaction.response.send_message(message, ephemeral=True)
