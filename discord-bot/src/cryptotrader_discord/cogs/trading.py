"""Control commands (operator role): /pause and /resume with a confirmation button; /backtest.

Every control reaches the API with the Discord user in ``X-On-Behalf-Of`` (the audit log names
them); the API checks the service token's ``control`` scope as well.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from cryptotrader_discord import checks
from cryptotrader_discord.api import ApiError, BotKind
from cryptotrader_discord.chart import equity_png
from cryptotrader_discord.cogs.monitoring import BOT_CHOICES, d
from cryptotrader_discord.embeds import backtest_embed, bot_name, label_of, status_text
from cryptotrader_discord.i18n import text

if TYPE_CHECKING:
    from cryptotrader_discord.bot import TraderBot

log = logging.getLogger(__name__)
Action = Literal["pause", "resume"]
PERIODS = {"1m": 30, "3m": 91, "6m": 182, "1y": 365}
BACKTEST_DEADLINE_S = 1800.0


class ConfirmView(discord.ui.View):
    """Confirm / Cancel, answered only by the member who asked (still an operator).

    Unanswered after ``TIMEOUT_S``, the question says so and loses its buttons (a press on a
    dead button would be Discord's "This interaction failed").
    """

    TIMEOUT_S = 60.0

    def __init__(
        self, bot: TraderBot, asker: int, kinds: tuple[BotKind, ...], action: Action, lang: str
    ) -> None:
        super().__init__(timeout=self.TIMEOUT_S)
        self.bot, self.asker, self.kinds, self.action, self.lang = bot, asker, kinds, action, lang
        self.confirm.label = text(lang, "confirm")
        self.cancel.label = text(lang, "cancel")
        self.question: discord.Interaction[Any] | None = None
        """The slash command's interaction, whose reply holds the buttons."""

    async def on_timeout(self) -> None:
        """Nothing was sent to the API: say so in place of the buttons."""
        if self.question is None:
            return
        try:
            await self.question.edit_original_response(
                content=text(self.lang, "expired"), view=None
            )
        except discord.HTTPException:  # the message is gone, or its token expired
            log.info("an expired confirmation could not be edited")

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Only the asker, still an operator, may press; anyone else is told so, privately."""
        if interaction.user.id == self.asker and checks.may_control(
            self.bot.config, checks.member_roles(interaction)
        ):
            return True
        lang = self.bot.language(interaction)
        await interaction.response.send_message(text(lang, "not_yours"), ephemeral=True)
        return False

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[ConfirmView]
    ) -> None:
        """Ask the API (once per bot), then say what it did."""
        self.stop()
        who = checks.on_behalf_of(interaction)
        states: list[str] = []  # "Safe: paused" per bot done
        try:
            for kind in self.kinds:
                done = await self.bot.api.control(kind, self.action, on_behalf_of=who)
                state = status_text(
                    done.requested.status if done.requested else done.status, self.lang
                )
                states.append(f"{label_of(self.lang, bot_name(kind, self.lang))}{state}")
        except ApiError as exc:
            message = text(self.lang, "error", error=str(exc))
            if exc.status == 403:
                message = text(self.lang, "no_control_scope", error=f"HTTP {exc.status}")
            if states:  # the bots done before the refusal
                message = f"{' · '.join(states)}\n{message}"
        else:
            user = interaction.user.mention
            if len(self.kinds) == 1:
                message = text(
                    self.lang,
                    f"did_{self.action}",
                    bot=bot_name(self.kinds[0], self.lang),
                    user=user,
                    status=state,
                )
            else:
                status = " · ".join(states)
                message = text(self.lang, f"did_{self.action}_both", user=user, status=status)
        await interaction.response.edit_message(content=message, view=None)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[ConfirmView]
    ) -> None:
        """Nothing is sent to the API."""
        self.stop()
        await interaction.response.edit_message(content=text(self.lang, "cancelled"), view=None)


class Trading(commands.Cog):
    """The control commands."""

    def __init__(self, bot: TraderBot) -> None:
        self.bot = bot
        self._jobs: set[asyncio.Task[None]] = set()

    async def _ask(
        self, interaction: discord.Interaction[Any], kind: BotKind | None, action: Action
    ) -> None:
        lang = self.bot.language(interaction)
        kinds: tuple[BotKind, ...] = ("safe", "aggressive") if kind is None else (kind,)
        view = ConfirmView(self.bot, interaction.user.id, kinds, action, lang)
        if kind is None:
            question = text(lang, f"ask_{action}_both")
        else:
            question = text(lang, f"ask_{action}", bot=bot_name(kind, lang))
        await interaction.response.send_message(question, view=view, ephemeral=True)
        view.question = interaction

    @app_commands.command(
        name=d("cmd_pause", "pause"),
        description=d("desc_pause", "Pause a bot, or both (operators)"),
    )
    @app_commands.rename(bot=d("opt_bot", "bot"))
    @app_commands.describe(bot=d("optdesc_bot_both", "safe or aggressive (both when omitted)"))
    @app_commands.choices(bot=BOT_CHOICES)
    @checks.operator()
    async def pause(
        self,
        interaction: discord.Interaction[Any],
        bot: Literal["safe", "aggressive"] | None = None,
    ) -> None:
        """/pause [bot]: one bot, or both when omitted."""
        await self._ask(interaction, bot, "pause")

    @app_commands.command(
        name=d("cmd_resume", "resume"),
        description=d("desc_resume", "Resume a bot, or both (operators)"),
    )
    @app_commands.rename(bot=d("opt_bot", "bot"))
    @app_commands.describe(bot=d("optdesc_bot_both", "safe or aggressive (both when omitted)"))
    @app_commands.choices(bot=BOT_CHOICES)
    @checks.operator()
    async def resume(
        self,
        interaction: discord.Interaction[Any],
        bot: Literal["safe", "aggressive"] | None = None,
    ) -> None:
        """/resume [bot]: one bot, or both when omitted."""
        await self._ask(interaction, bot, "resume")

    @app_commands.command(
        name=d("cmd_backtest", "backtest"),
        description=d("desc_backtest", "Run a backtest; the result is posted here when done"),
    )
    @app_commands.rename(
        pair=d("opt_pair", "pair"),
        strategy=d("opt_strategy", "strategy"),
        timeframe=d("opt_timeframe", "timeframe"),
        period=d("opt_period", "period"),
        end=d("opt_end", "end"),
    )
    @app_commands.describe(
        pair=d("optdesc_pair", "e.g. BTC/USDT"),
        strategy=d("optdesc_strategy", "conservative, aggressive... (default: conservative)"),
        timeframe=d("optdesc_timeframe", "candle duration"),
        period=d("optdesc_period", "how far back: 1m, 3m, 6m or 1y"),
        end=d("optdesc_end", "the last day, YYYY-MM-DD (default: now)"),
    )
    @checks.operator()
    async def backtest(
        self,
        interaction: discord.Interaction[Any],
        pair: str,
        strategy: str = "conservative",
        timeframe: Literal["15m", "1h", "4h", "1d"] = "1h",
        period: Literal["1m", "3m", "6m", "1y"] = "3m",
        end: str | None = None,
    ) -> None:
        """/backtest pair [strategy] [timeframe] [period] [end]: deferred; result posted later."""
        lang = self.bot.language(interaction)
        try:
            last = (
                datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
                if end is None
                else datetime.strptime(end, "%Y-%m-%d").replace(tzinfo=UTC)
            )
        except ValueError:
            message = text(lang, "error", error=f"end {end!r}: write YYYY-MM-DD")
            await interaction.response.send_message(message, ephemeral=True)
            return
        await interaction.response.defer(thinking=True)
        request: dict[str, str] = {
            "pair": pair,
            "strategy": strategy,
            "timeframe": timeframe,
            "start": (last - timedelta(days=PERIODS[period])).isoformat(),
            "end": last.isoformat(),
            "initial_capital": "1000",
        }
        if self.bot.config.backtest_exchange is not None:
            request["exchange"] = self.bot.config.backtest_exchange
        job = await self.bot.api.launch_backtest(
            request, on_behalf_of=checks.on_behalf_of(interaction)
        )
        await interaction.followup.send(text(lang, "backtest_started", job=job, pair=pair))
        channel = interaction.channel
        if isinstance(channel, discord.abc.Messageable):
            task = asyncio.create_task(self._deliver(job, channel, lang))
            self._jobs.add(task)
            task.add_done_callback(self._jobs.discard)

    async def _deliver(self, job: int, channel: discord.abc.Messageable, lang: str) -> None:
        """Wait for the job, then post its result with the equity curve."""
        try:
            async with asyncio.timeout(BACKTEST_DEADLINE_S):
                while (state := await self.bot.api.backtest(job)).status in ("queued", "running"):  # noqa: ASYNC110 - the job runs in the API
                    await asyncio.sleep(1.0)
            if state.status != "succeeded":
                await channel.send(text(lang, "backtest_failed", job=job, error=state.error))
                return
            result = await self.bot.api.backtest_result(job)
        except (ApiError, TimeoutError) as exc:
            await channel.send(text(lang, "backtest_failed", job=job, error=str(exc) or "timeout"))
            return
        for report in result.results:
            embed = backtest_embed(job, report, lang)
            points = [p.equity for p in report.equity_curve]
            if len(points) >= 2:
                name = f"backtest-{job}-{report.bot}.png"
                strategy = report.strategy.split("(")[0]
                title = (
                    f"Backtest #{job} - {report.pair} {report.timeframe} ({strategy}), {report.bot}"
                )
                first, last = report.equity_curve[0].time, report.equity_curve[-1].time
                span = (f"{first:%Y-%m-%d}", f"{last:%Y-%m-%d}")
                image = equity_png(points, title=title, span=span)  # no emoji in the PNG font
                embed.set_image(url=f"attachment://{name}")
                await channel.send(embed=embed, file=discord.File(io.BytesIO(image), name))
            else:
                await channel.send(embed=embed)


async def setup(bot: TraderBot) -> None:
    """discord.py's extension entry point."""
    await bot.add_cog(Trading(bot))
