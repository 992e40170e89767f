"""Read commands (viewer role): /status, /trades, /risk, /profit, /help; refresh buttons."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from cryptotrader_discord import checks
from cryptotrader_discord.api import ApiClient, TradePublic
from cryptotrader_discord.embeds import (
    BLUE,
    ProfitRow,
    profit_embed,
    risk_view_embed,
    status_embed,
    trades_embed,
)
from cryptotrader_discord.i18n import text

if TYPE_CHECKING:
    from cryptotrader_discord.bot import TraderBot

Render = Callable[[], Awaitable[discord.Embed]]
Period = Literal["day", "week", "month"]
_ROWS = {"day": 7, "week": 4, "month": 6}


def d(key: str, english: str) -> locale_str:
    """A text Discord shows (a name, a description, a choice), translated by ``key``."""
    return locale_str(english, key=key)


BOT_CHOICES = [
    app_commands.Choice(name=d("safe", "Safe"), value="safe"),
    app_commands.Choice(name=d("aggressive", "Aggressive"), value="aggressive"),
]


class RefreshView(discord.ui.View):
    """A button that renders the embed again from the API."""

    def __init__(self, render: Render, label: str) -> None:
        super().__init__(timeout=600)
        self._render = render
        self.refresh.label = label

    @discord.ui.button(label="Refresh", emoji="🔄", style=discord.ButtonStyle.secondary)
    async def refresh(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[RefreshView]
    ) -> None:
        """Edit the message with fresh figures."""
        await interaction.response.edit_message(embed=await self._render(), view=self)


async def profit_rows(api: ApiClient, period: Period, now: datetime) -> list[ProfitRow]:
    """P&L and count of the trades closed in each of the latest days, weeks or months.

    A trade counts in the period it closed in (opened before it or not).
    """
    starts = _starts(period, now)
    closed: list[TradePublic] = []
    offset = 0
    while True:
        page = await api.trades(status="closed", closed_since=starts[-1], limit=200, offset=offset)
        closed += page.data
        offset += len(page.data)
        if not page.data or offset >= page.count:
            break
    rows = []
    for index, start in enumerate(starts):
        end = starts[index - 1] if index else None
        inside = [
            t
            for t in closed
            if t.closed_at is not None
            and t.closed_at >= start
            and (end is None or t.closed_at < end)
        ]
        total = sum((t.pnl or Decimal(0) for t in inside), Decimal(0))
        rows.append(ProfitRow(start=start, pnl=total, trades=len(inside)))
    return rows


def _starts(period: Period, now: datetime) -> list[datetime]:
    """Start of the current period and of the previous ones, newest first (UTC)."""
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "day":
        return [day - timedelta(days=i) for i in range(_ROWS["day"])]
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        return [monday - timedelta(weeks=i) for i in range(_ROWS["week"])]
    first = day.replace(day=1)
    starts = [first]
    for _ in range(_ROWS["month"] - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        starts.append(first)
    return starts


class Monitoring(commands.Cog):
    """The read commands."""

    def __init__(self, bot: TraderBot) -> None:
        self.bot = bot

    async def _reply(
        self, interaction: discord.Interaction[Any], render: Render, refresh: bool = True
    ) -> None:
        await interaction.response.defer(thinking=True)
        embed = await render()
        lang = self.bot.language(interaction)
        if refresh:
            view = RefreshView(render, text(lang, "refresh"))
            await interaction.followup.send(embed=embed, view=view)
        else:
            await interaction.followup.send(embed=embed)

    @app_commands.command(
        name=d("cmd_status", "status"),
        description=d("desc_status", "Both bots: capital, P&L, open positions"),
    )
    @checks.viewer()
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        """/status."""
        lang = self.bot.language(interaction)

        async def render() -> discord.Embed:
            portfolio, bots = await asyncio.gather(self.bot.api.portfolio(), self.bot.api.bots())
            return status_embed(portfolio, lang, bots.data)

        await self._reply(interaction, render)

    @app_commands.command(
        name=d("cmd_trades", "trades"), description=d("desc_trades", "Latest trades")
    )
    @app_commands.rename(bot=d("opt_bot", "bot"), n=d("opt_n", "n"))
    @app_commands.describe(
        bot=d("optdesc_bot_both", "safe or aggressive (both when omitted)"),
        n=d("optdesc_n", "how many (1-25)"),
    )
    @app_commands.choices(bot=BOT_CHOICES)
    @checks.viewer()
    async def trades(
        self,
        interaction: discord.Interaction[Any],
        bot: Literal["safe", "aggressive"] | None = None,
        n: app_commands.Range[int, 1, 25] = 10,
    ) -> None:
        """/trades [bot] [n]."""
        lang = self.bot.language(interaction)

        async def render() -> discord.Embed:
            page = await self.bot.api.trades(bot=bot, limit=n)
            return trades_embed(page.data, lang)

        await self._reply(interaction, render)

    @app_commands.command(
        name=d("cmd_risk", "risk"),
        description=d("desc_risk", "Risk ratio, losing streak, reducer level, daily loss, limits"),
    )
    @checks.viewer()
    async def risk(self, interaction: discord.Interaction[Any]) -> None:
        """/risk."""
        lang = self.bot.language(interaction)

        async def render() -> discord.Embed:
            return risk_view_embed(await self.bot.api.portfolio(), lang)

        await self._reply(interaction, render)

    @app_commands.command(
        name=d("cmd_profit", "profit"),
        description=d("desc_profit", "Profit per day, week or month"),
    )
    @app_commands.rename(period=d("opt_period", "period"))
    @app_commands.describe(period=d("optdesc_period_profit", "day, week or month"))
    @app_commands.choices(
        period=[app_commands.Choice(name=d(p, p), value=p) for p in ("day", "week", "month")]
    )
    @checks.viewer()
    async def profit(self, interaction: discord.Interaction[Any], period: Period = "day") -> None:
        """/profit [period]."""
        lang = self.bot.language(interaction)

        async def render() -> discord.Embed:
            rows = await profit_rows(self.bot.api, period, datetime.now(UTC))
            return profit_embed(rows, period, lang)

        await self._reply(interaction, render)

    @app_commands.command(
        name=d("cmd_help", "help"), description=d("desc_help", "What the bot can do")
    )
    async def help(self, interaction: discord.Interaction[Any]) -> None:
        """/help."""
        lang = self.bot.language(interaction)
        embed = discord.Embed(
            title=text(lang, "help_title"), description=text(lang, "help_text"), colour=BLUE
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: TraderBot) -> None:
    """discord.py's extension entry point."""
    await bot.add_cog(Monitoring(bot))
