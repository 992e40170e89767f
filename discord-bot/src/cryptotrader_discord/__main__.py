"""``cryptotrader-discord`` / ``python -m cryptotrader_discord``: check, then run.

A configuration mistake, an unreachable API or a service token that cannot read is one line on
standard error and exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
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


HELP = """\
The CryptoTrader Discord bot: slash commands and alerts, a client of the CryptoTrader API.
Configured by the environment (discord-bot/README.md):
  DISCORD_TOKEN               the bot account's token (commands and alerts)
  DISCORD_WEBHOOK_URL         alerts only, through a webhook, when DISCORD_TOKEN is not set
  CRYPTOTRADER_API_URL        the API (default http://127.0.0.1:8000)
  CRYPTOTRADER_SERVICE_TOKEN  a service token: 'read' (views, alerts), 'control' (pause, resume)
  DISCORD_GUILD_ID            the guild whose commands are registered at once
  DISCORD_VIEWER_ROLES        role ids allowed to read (comma-separated; empty: every member)
  DISCORD_OPERATOR_ROLES      role ids allowed to control (empty: nobody)
  ALERT_CHANNELS              routing: kind=<channel id> or kind=off, groups, default
  DISCORD_LOCALE              en or fr when the guild's locale is unknown (webhook mode)
  DISCORD_STATE_DIR           where alerts.cursor (the last alert posted) is kept
A configuration mistake, an unreachable API or a token that cannot read: one line, exit 2."""


def arguments(argv: list[str] | None) -> argparse.Namespace:
    """``--check`` (the configuration and the API, then exit), ``--help``."""
    parser = argparse.ArgumentParser(
        prog="cryptotrader-discord",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="check the configuration, that the API answers and the token reads; then exit "
        "(0: ready) without connecting to Discord",
    )
    return parser.parse_args(argv)


async def check(config: BotConfig) -> str:
    """The configuration works against the API; a one-line summary.

    Raises:
        ApiError: unreachable, or the token cannot read.

    """
    api = ApiClient(config.api_url, config.service_token)
    try:
        await preflight(api)
    finally:
        await api.aclose()
    hook = config.webhook
    mode = "bot account" if config.discord_token or hook is None else f"webhook {hook.id}"
    return f"ready: the API at {config.api_url} answers and the token reads; {mode}"


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    options = arguments(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    try:
        config = BotConfig.from_env()
        if options.check:
            print(f"cryptotrader-discord: {asyncio.run(check(config))}")
            return 0
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
