"""``cryptotrader-discord`` / ``python -m cryptotrader_discord``: check, then run.

A configuration mistake, an unreachable API or a service token that cannot read is one line on
standard error and exit code 2; never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import sys

import discord

from cryptotrader_discord.api import ApiClient, ApiError
from cryptotrader_discord.bot import TraderBot, point_at
from cryptotrader_discord.config import BotConfig, ConfigError
from cryptotrader_discord.webhook import run_webhook


async def preflight(api: ApiClient) -> None:
    """The API answers and the service token may read.

    Raises:
        ApiError: unreachable, or refused (the message says why).

    """
    try:
        await api.portfolio()
    except ApiError as exc:
        if exc.status == 403:
            raise ApiError(
                f"the service token cannot read: {exc} (give it the 'read' scope)"
            ) from None
        raise


async def serve(config: BotConfig) -> None:
    """Run the bot (or the webhook mode) until stopped."""
    point_at(config)
    api = ApiClient(config.api_url, config.service_token)
    try:
        await preflight(api)
        if config.discord_token is None:
            await run_webhook(config, api)
            return
        bot = TraderBot(config, api)
        async with bot:
            await bot.start(config.discord_token)
    finally:
        await api.aclose()


def main() -> int:
    """Entry point."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = BotConfig.from_env()
        asyncio.run(serve(config))
    except (ConfigError, ApiError, PermissionError) as exc:
        print(f"cryptotrader-discord: {exc}", file=sys.stderr)
        return 2
    except discord.LoginFailure:
        print("cryptotrader-discord: Discord refused DISCORD_TOKEN", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
