"""Embeds: the alerts laid out as the original's, and the views of the slash commands.

Buy, sell (with P&L, reallocation and duration) and risk reduced follow the original document's
layout; everything is a pure function of API data (no I/O here).
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import ParamSpec

import discord

from cryptotrader_discord.api import (
    BacktestReportPublic,
    BotPublic,
    PortfolioPublic,
    ReallocationPublic,
    TradePublic,
)
from cryptotrader_discord.events import Alert
from cryptotrader_discord.i18n import EN, text

GREEN = discord.Colour(0x2ECC71)
RED = discord.Colour(0xE74C3C)
ORANGE = discord.Colour(0xE67E22)
BLUE = discord.Colour(0x3498DB)
GREY = discord.Colour(0x95A5A6)
_SEVERITY = {"info": BLUE, "warning": ORANGE, "critical": RED}


_NUMBER = re.compile(r"(?<![\d.,])(?:\d[\d,]*\.\d+|\d{1,3}(?:,\d{3})+(?!\d))")
P = ParamSpec("P")


def french_numbers(line: str) -> str:
    """``33,686.81`` -> ``33 686,81``: thousands apart, a decimal comma.

    Read in French, ``33,686`` would be thirty-three and a bit.
    """
    return _NUMBER.sub(lambda m: m[0].replace(",", "\u202f").replace(".", ","), line)


def localised(build: Callable[P, discord.Embed]) -> Callable[P, discord.Embed]:
    """Writes the numbers of the embed ``build`` makes the French way when its ``lang`` is fr."""
    signature = inspect.signature(build)

    @functools.wraps(build)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> discord.Embed:
        embed = build(*args, **kwargs)
        if signature.bind(*args, **kwargs).arguments.get("lang") != "fr":
            return embed
        if embed.title:
            embed.title = french_numbers(embed.title)
        if embed.description:
            embed.description = french_numbers(embed.description)
        for index, field in enumerate(embed.fields):
            embed.set_field_at(
                index,
                name=str(field.name),
                value=french_numbers(str(field.value)),
                inline=bool(field.inline),
            )
        return embed

    return wrapper


def money(value: Decimal | str | None, quote: str = "USDT") -> str:
    """``67,450.00 USDT``; ``-`` when unknown."""
    if value is None:
        return "-"
    return f"{Decimal(value):,.2f} {quote}"


def signed(value: Decimal | str, quote: str = "USDT") -> str:
    """``+150.00 USDT`` / ``-12.30 USDT``."""
    return f"{Decimal(value):+,.2f} {quote}"


def pct(value: Decimal | str | float | None, *, ratio: bool = False) -> str:
    """``+10.00%`` from a percentage (or from a ratio when ``ratio``)."""
    if value is None:
        return "-"
    number = Decimal(str(value)) * (100 if ratio else 1)
    return f"{number:+.2f}%"


def ratio(value: Decimal | str | None) -> str:
    """A fraction as a percentage, two decimals at most (``0.0075`` -> ``0.75%``)."""
    if value is None:
        return "-"
    shown = f"{Decimal(value) * 100:.2f}".rstrip("0").rstrip(".")
    return f"{shown}%"


_STREAK = re.compile(r"^(?P<count>\d+) consecutive (?P<what>wins|losses)(?P<paused>: paused)?$")


def streak_reason(reason: str, lang: str) -> str:
    """The risk reducer's reason (``3 consecutive losses``...) in ``lang``; others as they are."""
    found = _STREAK.match(reason.strip())
    if found is None:
        return reason
    key = "streak_wins" if found["what"] == "wins" else "streak_losses"
    if found["paused"]:
        key = "streak_losses_paused"
    return text(lang, key, count=found["count"])


def exit_reason(reason: str, lang: str) -> str:
    """Why a trade closed (``take_profit``...) in ``lang``; an unknown reason as it is."""
    key = f"reason_{reason}"
    return text(lang, key) if key in EN else reason


def duration(seconds: int, lang: str) -> str:
    """``3d 14h`` (``3j 14h`` in French), ``2h 05m`` under a day, ``45m`` under an hour."""
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    day = "j" if lang == "fr" else "d"
    if days:
        return f"{days}{day} {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"


def _quote(pair: str | None) -> str:
    return pair.split("/")[-1] if pair and "/" in pair else "USDT"


def _base(pair: str | None) -> str:
    return pair.split("/")[0] if pair and "/" in pair else ""


def label(lang: str, key: str) -> str:
    """``Capital: `` in English, ``Capital : `` in French (a space before the colon)."""
    return label_of(lang, text(lang, key))


def label_of(lang: str, name: str) -> str:
    """``name`` followed by the colon of ``lang``."""
    return f"{name}{' : ' if lang == 'fr' else ': '}"


def bot_name(kind: str | None, lang: str) -> str:
    """The bot's name in ``lang`` (Safe / Sécuritaire, Aggressive / Agressif)."""
    return text(lang, kind) if kind in ("safe", "aggressive") else (kind or "-")


def _votes(details: dict[str, str]) -> str:
    marks = []
    for key, value in sorted(details.items()):
        if not key.startswith("vote:"):
            continue
        share = Decimal(value)
        mark = "✅" if share > 0 else ("❌" if share < 0 else "⚠️")
        marks.append(f"{key.removeprefix('vote:').upper()} {mark}")
    return " ".join(marks) or "-"


def buy_embed(alert: Alert, lang: str) -> discord.Embed:
    """🟢 BUY: pair, bot, price, quantity, SL and TP with %, risk, gain, R/R, confidence, votes."""
    quote, d = _quote(alert.pair), alert.details
    embed = discord.Embed(
        title=text(lang, "buy", pair=alert.pair, price=money(alert.price, quote)),
        colour=GREEN,
        timestamp=alert.timestamp,
    )
    embed.add_field(name=text(lang, "bot"), value=bot_name(alert.bot, lang))
    embed.add_field(
        name=text(lang, "quantity"), value=f"{d.get('quantity', '-')} {_base(alert.pair)}"
    )
    embed.add_field(
        name=text(lang, "stop_loss"),
        value=f"{money(d.get('stop_loss'), quote)} ({d.get('stop_pct', '-')}%)",
    )
    embed.add_field(
        name=text(lang, "take_profit"),
        value=f"{money(d.get('take_profit'), quote)} ({d.get('take_pct', '-')}%)",
    )
    embed.add_field(name=text(lang, "risk"), value=money(alert.risk, quote))
    embed.add_field(name=text(lang, "potential_gain"), value=money(alert.potential_gain, quote))
    rr = "-" if alert.rr_ratio is None else f"{alert.rr_ratio:.1f}"
    embed.add_field(name=text(lang, "rr"), value=rr)
    confidence = d.get("confidence")
    shown = "-" if confidence in (None, "None") else f"{float(confidence or 0):.0%}"
    embed.add_field(name=text(lang, "confidence"), value=shown)
    embed.add_field(name=text(lang, "indicators"), value=_votes(d), inline=False)
    return embed


def sell_embed(
    alert: Alert, lang: str, reallocation: ReallocationPublic | None = None
) -> discord.Embed:
    """🔴 SELL: P&L amount and %, the reallocation moved to the safe bot, the duration."""
    quote, d = _quote(alert.pair), alert.details
    embed = discord.Embed(
        title=text(
            lang,
            "sell",
            pair=alert.pair,
            price=money(alert.price, quote),
            pct=d.get("pnl_pct", "-"),
        ),
        colour=GREEN if Decimal(d.get("pnl", "0")) >= 0 else RED,
        timestamp=alert.timestamp,
    )
    embed.add_field(name=text(lang, "bot"), value=bot_name(alert.bot, lang))
    embed.add_field(
        name=text(lang, "pnl"),
        value=f"{signed(d.get('pnl', '0'), quote)} ({d.get('pnl_pct', '-')}%)",
    )
    if reallocation is not None:
        embed.add_field(
            name=text(lang, "reallocation"),
            value=text(lang, "to_safe", amount=money(reallocation.amount, quote)),
        )
    embed.add_field(
        name=text(lang, "duration"), value=duration(int(d.get("duration_s", "0")), lang)
    )
    if d.get("reason"):
        embed.add_field(name=text(lang, "reason"), value=exit_reason(d["reason"], lang))
    return embed


def risk_embed(alert: Alert, lang: str) -> discord.Embed:
    """⚠️ RISK REDUCED / ✅ RESTORED: reason, old and new risk."""
    d = alert.details
    embed = discord.Embed(
        title=text(lang, alert.kind, bot=bot_name(alert.bot, lang)),
        colour=ORANGE if alert.kind == "risk_reduced" else GREEN,
        timestamp=alert.timestamp,
    )
    reason = streak_reason(d["reason"], lang) if "reason" in d else alert.text
    embed.add_field(name=text(lang, "reason"), value=reason, inline=False)
    embed.add_field(name=text(lang, "old_risk"), value=ratio(d.get("old_risk")))
    embed.add_field(name=text(lang, "new_risk"), value=ratio(d.get("new_risk")))
    return embed


def breaker_embed(alert: Alert, lang: str) -> discord.Embed:
    """⛔ CIRCUIT BREAKER: the bot paused, and why."""
    embed = discord.Embed(
        title=text(lang, "circuit_breaker", bot=bot_name(alert.bot, lang)),
        colour=RED,
        timestamp=alert.timestamp,
    )
    cause = alert.details.get("cause")
    shown = alert.text if cause is None else streak_reason(cause, lang)
    embed.add_field(name=text(lang, "cause"), value=shown)
    return embed


def silent_embed(alert: Alert, lang: str) -> discord.Embed:
    """🔕 ENGINE SILENT / ✅ RECOVERED: why, for how long, the last beat or candle seen."""
    d, silent = alert.details, alert.kind == "engine_silent"
    embed = discord.Embed(
        title=text(lang, alert.kind), colour=RED if silent else GREEN, timestamp=alert.timestamp
    )
    if not silent:  # the cause's figures belong to the silence; a recovery says it ended
        embed.description = text(lang, "recovered_text")
    elif d.get("cause") == "heartbeat":
        cause = text(lang, "silent_heartbeat")
        embed.add_field(name=text(lang, "cause"), value=cause, inline=False)
    elif d.get("cause") == "candles":
        timeframe = d.get("timeframe", "")
        cause = text(
            lang, "silent_candles", timeframe=timeframe, count=d.get("candles_missed", "-")
        )
        embed.add_field(name=text(lang, "cause"), value=cause, inline=False)
    else:
        embed.add_field(name=text(lang, "cause"), value=alert.text, inline=False)
    if "silent_s" in d:
        key = "silent_for" if silent else "was_silent_for"
        embed.add_field(name=text(lang, key), value=duration(int(d["silent_s"]), lang))
    if silent and "last_beat" in d:
        embed.add_field(name=text(lang, "last_beat"), value=when(d["last_beat"]))
    if "last_candle_at" in d:
        embed.add_field(name=text(lang, "last_candle"), value=when(d["last_candle_at"]))
    return embed


def digest_embed(alert: Alert, lang: str) -> discord.Embed:
    """📅 DAILY DIGEST: each bot's capital, P&L, trades closed (wins / losses) and opened."""
    d = alert.details
    end = datetime.fromisoformat(d["period_end"]) if "period_end" in d else alert.timestamp
    pnl = Decimal(d.get("pnl", "0"))
    embed = discord.Embed(
        # the day the 24 h end in (a digest at 00:00 is the previous day's)
        title=text(lang, "daily_digest", day=f"{end - timedelta(microseconds=1):%Y-%m-%d}"),
        colour=GREEN if pnl >= 0 else RED,
        timestamp=alert.timestamp,
    )
    if "period_start" in d and "period_end" in d:
        embed.description = text(
            lang, "digest_period", start=when(d["period_start"]), end=when(d["period_end"])
        )
    for bot in ("safe", "aggressive"):
        if f"capital:{bot}" not in d:
            continue
        embed.add_field(
            name=bot_name(bot, lang),
            value=text(
                lang,
                "digest_bot",
                capital=money(d[f"capital:{bot}"]),
                pnl=signed(d.get(f"pnl:{bot}", "0")),
                closed=d.get(f"closed:{bot}", "0"),
                wins=d.get(f"wins:{bot}", "0"),
                losses=d.get(f"losses:{bot}", "0"),
                opened=d.get(f"opened:{bot}", "0"),
                open=d.get(f"open:{bot}", "0"),
            ),
        )
    embed.add_field(
        name=text(lang, "total"),
        value=f"{money(d.get('capital'))} ({signed(d.get('pnl', '0'))})",
        inline=False,
    )
    return embed


def when(moment: str) -> str:
    """An ISO time as ``2026-12-04 15:00 UTC``."""
    return f"{datetime.fromisoformat(moment).astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def kind_title(kind: str, lang: str) -> str:
    """The translated title of an alert kind (its name, spaced, when none is known)."""
    key = f"kind_{kind}"
    if key in EN:
        return text(lang, key)
    return text(lang, "alert", kind=kind.replace("_", " "))


def generic_embed(alert: Alert, lang: str) -> discord.Embed:
    """Any other alert (protection failure, bot paused...): its text, coloured by severity."""
    embed = discord.Embed(
        title=kind_title(alert.kind, lang),
        description=alert.text[:4000],
        colour=_SEVERITY[alert.severity],
        timestamp=alert.timestamp,
    )
    if alert.bot:
        embed.add_field(name=text(lang, "bot"), value=bot_name(alert.bot, lang))
    return embed


@localised
def merged_embed(alerts: Sequence[Alert], dropped: int, lang: str) -> discord.Embed:
    """🔔 N more alerts: what a channel behind Discord's rate limit grouped and dropped.

    One line per kind with its count (the sells with their summed P&L).
    """
    counts: dict[str, int] = {}
    for alert in alerts:
        counts[alert.kind] = counts.get(alert.kind, 0) + 1
    lines = [text(lang, "merged_text", count=len(alerts) + dropped)]
    for kind, count in counts.items():
        line = f"{kind_title(kind, lang)} × {count}"
        if kind == "trade_closed":
            pnl = sum(
                (Decimal(a.details.get("pnl", "0")) for a in alerts if a.kind == kind), Decimal(0)
            )
            line += f" ({text(lang, 'pnl')} {signed(pnl, _quote(alerts[0].pair))})"
        lines.append(line)
    if dropped:
        lines.append(text(lang, "merged_dropped", count=dropped))
    first = min((a.timestamp for a in alerts), default=None)
    return discord.Embed(
        title=text(lang, "merged_title", count=len(alerts) + dropped),
        description="\n".join(lines)[:4000],
        colour=GREY,
        timestamp=first,
    )


@localised
def alert_embed(
    alert: Alert, lang: str, reallocation: ReallocationPublic | None = None
) -> discord.Embed:
    """The embed of any alert."""
    if alert.kind == "trade_opened":
        return buy_embed(alert, lang)
    if alert.kind == "trade_closed":
        return sell_embed(alert, lang, reallocation)
    if alert.kind in ("risk_reduced", "risk_restored"):
        return risk_embed(alert, lang)
    if alert.kind == "circuit_breaker":
        return breaker_embed(alert, lang)
    if alert.kind in ("engine_silent", "engine_recovered"):
        return silent_embed(alert, lang)
    if alert.kind == "daily_digest":
        return digest_embed(alert, lang)
    return generic_embed(alert, lang)


# --- command views ------------------------------------------------------------------------------


def status_text(status: str, lang: str) -> str:
    """A bot's run state in ``lang`` (``running`` -> ``en marche``); unknown ones as they are."""
    key = f"status_{status}"
    return text(lang, key) if key in EN else status


def mode_text(mode: str, lang: str) -> str:
    """``paper`` / ``live`` in ``lang``."""
    key = f"mode_{mode}"
    return text(lang, key) if key in EN else mode


@localised
def status_embed(
    portfolio: PortfolioPublic, lang: str, bots: Sequence[BotPublic] = ()
) -> discord.Embed:
    """/status: each bot's run state and whether a runtime drives it, capital, P&L, positions."""
    embed = discord.Embed(
        title=text(lang, "status_title", mode=mode_text(portfolio.mode, lang)), colour=BLUE
    )
    driven = {b.kind: b.driven for b in bots}
    for bot in portfolio.bots:
        rate = "-" if bot.win_rate is None else f"{bot.win_rate:.0%}"
        lines = [
            f"{label(lang, 'capital')}{money(bot.capital)}",
            f"{label(lang, 'pnl')}{signed(bot.realised_pnl)}",
            f"{label(lang, 'open_positions')}{bot.open_trades}",
            f"{label(lang, 'win_rate')}{rate}",
        ]
        if bot.bot in driven:
            lines.append(text(lang, "driven" if driven[bot.bot] else "not_driven"))
        embed.add_field(
            name=f"{bot_name(bot.bot, lang)} ({status_text(bot.status, lang)})",
            value="\n".join(lines),
        )
    embed.add_field(
        name=text(lang, "total"),
        value=f"{money(portfolio.total_capital)} ({signed(portfolio.total_realised_pnl)})",
        inline=False,
    )
    return embed


@localised
def trades_embed(trades: Sequence[TradePublic], lang: str) -> discord.Embed:
    """/trades: the latest trades, one line each."""
    embed = discord.Embed(title=text(lang, "trades_title"), colour=BLUE)
    if not trades:
        embed.description = text(lang, "no_trades")
        return embed
    lines = []
    for trade in trades:
        quote = _quote(trade.pair)
        result = (
            text(lang, "trade_open")
            if trade.pnl is None
            else f"{signed(trade.pnl, quote)} ({pct(trade.pnl_percent)})"
        )
        lines.append(
            f"`#{trade.id}` {bot_name(trade.bot, lang)} · {trade.pair} · "
            f"{trade.quantity.normalize()} @ {money(trade.entry_price, quote)} → {result}"
        )
    embed.description = "\n".join(lines)[:4000]
    return embed


@localised
def risk_view_embed(portfolio: PortfolioPublic, lang: str) -> discord.Embed:
    """/risk: risk ratio, streak, reducer level, daily loss against its limit, limits."""
    embed = discord.Embed(title=text(lang, "risk_title"), colour=ORANGE)
    for bot in portfolio.bots:
        risk = bot.risk
        embed.add_field(
            name=f"{bot_name(bot.bot, lang)} ({status_text(bot.status, lang)})",
            value=(
                f"{label(lang, 'risk_ratio')}{risk.current_risk_ratio:.2%} "
                f"/ {risk.base_risk_ratio:.2%}\n"
                f"{label(lang, 'streak')}{risk.losing_streak}\n"
                f"{label(lang, 'level')}x{risk.reduction.normalize()}\n"
                f"{label(lang, 'daily_loss')}{signed(risk.realised_today)} "
                f"/ -{money(risk.daily_loss_limit)}"
            ),
        )
    limits = portfolio.limits
    embed.add_field(
        name=text(lang, "limits"),
        value=text(
            lang,
            "limits_text",
            positions=limits.max_open_positions,
            exposure=f"{limits.max_exposure:.0%}",
            daily=f"{limits.daily_loss_limit:.0%}",
            failures=limits.order_failures_to_pause,
            streak=text(lang, f"deep_{limits.on_deep_streak}")
            if f"deep_{limits.on_deep_streak}" in EN
            else limits.on_deep_streak,
        ),
        inline=False,
    )
    return embed


@dataclass(frozen=True, slots=True)
class ProfitRow:
    """One period of /profit."""

    start: datetime
    pnl: Decimal
    trades: int


@localised
def profit_embed(rows: Sequence[ProfitRow], period: str, lang: str) -> discord.Embed:
    """/profit: a table of P&L and trade count per day, week or month."""
    embed = discord.Embed(title=text(lang, "profit_title", period=text(lang, period)), colour=BLUE)
    header = f"{text(lang, 'period'):<12}{text(lang, 'pnl'):>16}{text(lang, 'trades'):>8}"
    lines = [header]
    shape = "%Y-%m" if period == "month" else "%Y-%m-%d"  # a week by its Monday
    for row in rows:
        lines.append(f"{row.start.strftime(shape):<12}{signed(row.pnl):>16}{row.trades:>8}")
    pnl = sum((row.pnl for row in rows), Decimal(0))
    count = sum(row.trades for row in rows)
    lines.append(f"{text(lang, 'total'):<12}{signed(pnl):>16}{count:>8}")
    embed.description = "```\n" + "\n".join(lines) + "\n```"
    return embed


@localised
def backtest_embed(job: int, report: BacktestReportPublic, lang: str) -> discord.Embed:
    """The result of /backtest (the equity curve is attached as an image)."""
    embed = discord.Embed(
        title=text(
            lang,
            "backtest_title",
            job=job,
            pair=report.pair,
            timeframe=report.timeframe,
            strategy=report.strategy.split("(")[0],  # the name, without its parameters
        ),
        colour=GREEN if report.net_profit >= 0 else RED,
    )
    embed.add_field(name=text(lang, "net_profit"), value=signed(report.net_profit))
    embed.add_field(name=text(lang, "return"), value=pct(report.total_return, ratio=True))
    embed.add_field(name=text(lang, "trades"), value=str(report.total_trades))
    rate = "-" if report.win_rate is None else f"{report.win_rate:.0%}"
    embed.add_field(name=text(lang, "win_rate"), value=rate)
    drawdown = "-" if report.max_drawdown is None else ratio(str(abs(report.max_drawdown)))
    embed.add_field(name=text(lang, "drawdown"), value=drawdown)
    sharpe = "-" if report.sharpe_ratio is None else f"{report.sharpe_ratio:.2f}"
    embed.add_field(name=text(lang, "sharpe"), value=sharpe)
    return embed
