"""``cryptotrader bots``: each bot's state, whether a runtime drives it, its money and positions.

Read from the database the runtime writes, as the API's ``/api/bots`` and ``/api/portfolio``
show it (the same services compute the figures): a terminal sees at a glance whether the bots
are trading, without an API or a login.

``cryptotrader bots pairs BOT PAIR...`` chooses the pairs a bot opens positions on, through the
API's own service (validated, audited, published on the bus: a runtime on the same Redis applies
it at its next candle).
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cryptotrader.cli._common import App, OnceGroup, console
from cryptotrader.errors import UserInputError

if TYPE_CHECKING:
    from cryptotrader.clock import Clock
    from cryptotrader.config import Settings
    from cryptotrader.domain.enums import BotKind
    from cryptotrader.domain.presence import RuntimePresence
    from cryptotrader.domain.trades import Trade
    from cryptotrader.services.bots import BotPairsView, BotView
    from cryptotrader.services.portfolio import BotPortfolio, PortfolioView

NO_BOTS = "no bots yet: the runtime creates them on its first run (cryptotrader run)"


bots_app = App(
    cls=OnceGroup,
    invoke_without_command=True,
    help="Show each bot (state, money, positions), or choose the pairs it trades (bots pairs).",
)


@bots_app.callback()
def bots_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Show each bot: state, driven by a runtime or not, capital, P&L and open positions."""
    if ctx.invoked_subcommand is not None:
        return
    import asyncio

    from cryptotrader.clock import LiveClock
    from cryptotrader.config import load_settings

    clock = LiveClock()
    portfolio, views, positions = asyncio.run(_read(load_settings(), clock))
    presence = views[0].runtime if views else None
    driven = any(view.driven for view in views)
    now = clock.now()
    if as_json:
        payload = _json(portfolio, presence, _by_kind(views), positions)
        console.print_json(json.dumps(payload))
        return
    if not portfolio.bots:
        console.print(NO_BOTS)
        return
    console.print(_runtime_line(presence, driven, now))
    console.print(_bots_table(portfolio, _by_kind(views)))
    if any(bot.pairs for bot in portfolio.bots):
        console.print(_pairs_table(portfolio))
    if positions:
        console.print(_positions_table(positions))
    else:
        console.print("no open positions")


async def _read(
    settings: Settings, clock: Clock
) -> tuple[PortfolioView, list[BotView], list[tuple[int, Trade]]]:
    """``/api/portfolio``'s figures, ``/api/bots``' views and the open trades."""
    from cryptotrader.persistence.migrate import open_database
    from cryptotrader.persistence.repositories import trades
    from cryptotrader.persistence.uow import UnitOfWork
    from cryptotrader.services.bots import read_bots
    from cryptotrader.services.context import Actor, Role
    from cryptotrader.services.portfolio import PortfolioService

    database = await open_database(settings.database_url)
    try:
        local = Actor(user_id=0, username="cli", role=Role.VIEWER)  # reads only
        portfolio = await PortfolioService(database=database, settings=settings).portfolio(local)
        # read after the portfolio: bots are created, never deleted, so every bot it lists is here
        views = await read_bots(database, clock=clock, trading=settings.trading)
        async with UnitOfWork(database) as uow:
            positions = await trades.open_trades(session=uow.session)
        return portfolio, views, positions
    finally:
        await database.dispose()


def _by_kind(views: list[BotView]) -> dict[BotKind, BotView]:
    return {view.kind: view for view in views}


def _bots_table(portfolio: PortfolioView, views: dict[BotKind, BotView]) -> Any:
    """One column per bot (and the total), one row per figure: fits a narrow terminal."""
    from rich.table import Table

    bots = portfolio.bots
    table = Table(title=f"bots ({portfolio.mode} trading)")
    table.add_column("")
    for bot in bots:
        table.add_column(bot.bot.value, justify="right")
    table.add_column("total", justify="right")
    rows: list[tuple[str, list[str], str]] = [
        ("state", [views[b.bot].status.value for b in bots], ""),
        ("driven by a runtime", ["yes" if views[b.bot].driven else "no" for b in bots], ""),
        ("capital", [_money(b.capital) for b in bots], _money(portfolio.total_capital)),
        (
            "realised P&L",
            [f"{b.realised_pnl:+,.2f}" for b in bots],
            f"{portfolio.total_realised_pnl:+,.2f}",
        ),
        ("reallocated in", [_money(b.reallocated_in) for b in bots], ""),
        ("reallocated out", [_money(b.reallocated_out) for b in bots], ""),
        ("open positions", [str(b.open_trades) for b in bots], str(_total_open(bots))),
        ("closed trades", [str(b.closed_trades) for b in bots], ""),
        ("win rate", ["n/a" if b.win_rate is None else f"{b.win_rate:.1%}" for b in bots], ""),
        (
            "risk per trade (base)",
            [f"{b.risk.current_risk_ratio:.2%} ({b.risk.base_risk_ratio:.2%})" for b in bots],
            "",
        ),
    ]
    for label, values, total in rows:
        table.add_row(label, *values, total)
    return table


def _pairs_table(portfolio: PortfolioView) -> Any:
    """Each bot's results per pair (as ``/api/portfolio``'s ``pairs``)."""
    from rich.table import Table

    table = Table(title="per pair")
    for column in ("bot", "pair", "realised P&L", "fees", "closed", "open", "win rate", "held"):
        table.add_column(column, justify="left" if column in ("bot", "pair") else "right")
    for bot in portfolio.bots:
        for share in bot.pairs:
            table.add_row(
                bot.bot.value,
                share.pair,
                f"{share.realised_pnl:+,.2f}",
                _money(share.fees),
                str(share.closed_trades),
                str(share.open_trades),
                "n/a" if share.win_rate is None else f"{share.win_rate:.1%}",
                f"{share.open_quantity.normalize()}",
            )
    return table


def _total_open(bots: list[BotPortfolio]) -> int:
    return sum(b.open_trades for b in bots)


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _age(now: datetime, then: datetime) -> str:
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    if seconds < 172_800:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86_400} days ago"


def _runtime_line(presence: RuntimePresence | None, driven: bool, now: datetime) -> str:
    if presence is None:
        return "no runtime has driven the bots yet: start one with cryptotrader run"
    since = f"{presence.started_at:%Y-%m-%d %H:%M:%S} UTC"
    if driven:
        return (
            f"driven by a {presence.mode} runtime (pid {presence.pid}, {presence.market}) "
            f"since {since}; last heartbeat {_age(now, presence.seen_at)}"
        )
    if presence.stopped_at is not None:
        return (
            f"not driven: the last runtime ({presence.mode}, {presence.market}) stopped "
            f"{_age(now, presence.stopped_at)}; the states below are what it left"
        )
    return (
        f"not driven: the last runtime ({presence.mode}, pid {presence.pid}) stopped beating "
        f"{_age(now, presence.seen_at)} (killed?); the states below are what it left"
    )


def _positions_table(positions: list[tuple[int, Trade]]) -> Any:
    from rich.table import Table

    table = Table(title=f"{len(positions)} open position(s)")
    for column in ("trade", "bot", "pair", "opened (UTC)", "quantity", "entry"):
        table.add_column(column)
    table.add_column("stop-loss")
    table.add_column("take-profit")
    for trade_id, trade in positions:
        table.add_row(
            str(trade_id),
            trade.bot.value,
            trade.pair.symbol,
            f"{trade.entry_time:%Y-%m-%d %H:%M}",
            f"{trade.quantity.normalize()}",
            _money(trade.entry_price),
            "none" if trade.stop_loss is None else _money(trade.stop_loss),
            "none" if trade.take_profit is None else _money(trade.take_profit),
        )
    return table


def _bot_json(bot: BotPortfolio, view: BotView, positions: list[tuple[int, Trade]]) -> Any:
    return {
        "kind": bot.bot.value,
        "name": view.name,
        "status": view.status.value,
        "driven": view.driven,
        "capital": str(bot.capital),
        "realised_pnl": str(bot.realised_pnl),
        "fees": str(bot.fees),
        "reallocated_in": str(bot.reallocated_in),
        "reallocated_out": str(bot.reallocated_out),
        "open_trades": bot.open_trades,
        "closed_trades": bot.closed_trades,
        "win_rate": bot.win_rate,
        "risk_ratio": str(bot.risk.current_risk_ratio),
        "base_risk_ratio": str(bot.risk.base_risk_ratio),
        "pairs": [
            {
                "pair": share.pair,
                "realised_pnl": str(share.realised_pnl),
                "fees": str(share.fees),
                "open_trades": share.open_trades,
                "closed_trades": share.closed_trades,
                "win_rate": share.win_rate,
                "open_quantity": str(share.open_quantity),
            }
            for share in bot.pairs
        ],
        "open_positions": [
            {
                "id": trade_id,
                "pair": trade.pair.symbol,
                "opened_at": trade.entry_time.isoformat(),
                "quantity": str(trade.quantity),
                "entry_price": str(trade.entry_price),
                "stop_loss": None if trade.stop_loss is None else str(trade.stop_loss),
                "take_profit": None if trade.take_profit is None else str(trade.take_profit),
            }
            for trade_id, trade in positions
            if trade.bot is bot.bot
        ],
    }


def _json(
    portfolio: PortfolioView,
    presence: RuntimePresence | None,
    views: dict[BotKind, BotView],
    positions: list[tuple[int, Trade]],
) -> dict[str, Any]:
    driven = any(view.driven for view in views.values())
    return {
        "mode": str(portfolio.mode),
        "runtime": None if presence is None else presence.to_json(),
        "driven": driven,
        "driven_since": presence.started_at.isoformat() if driven and presence else None,
        "bots": [_bot_json(bot, views[bot.bot], positions) for bot in portfolio.bots],
        "total_capital": str(portfolio.total_capital),
        "total_realised_pnl": str(portfolio.total_realised_pnl),
    }


@bots_app.command("pairs")
def pairs_command(
    bot: Annotated[
        str | None, typer.Argument(help="safe or aggressive (none: show both bots' pairs)")
    ] = None,
    pairs: Annotated[
        list[str] | None,
        typer.Argument(help="the pairs it opens positions on, e.g. BTC/USDT ETH/USDT"),
    ] = None,
    default: Annotated[
        bool,
        typer.Option("--default", help="back to the default: every active pair"),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Show or choose the pairs a bot opens positions on (default: every active pair).

    A running runtime on the same Redis applies a change at its next candle; a pair taken off
    opens nothing new, and its open position keeps its protection until it closes.
    """
    import asyncio

    from cryptotrader.config import load_settings
    from cryptotrader.domain.enums import BotKind

    kinds = list(BotKind)
    if bot is not None:
        try:
            kinds = [BotKind(bot.lower())]
        except ValueError:
            raise UserInputError(f"unknown bot {bot!r} (expected safe or aggressive)") from None
    if pairs and default:
        raise UserInputError("give pairs or --default, not both")
    change = bool(pairs) or default
    if change and bot is None:
        raise UserInputError("name the bot whose pairs change: bots pairs safe BTC/USDT ...")
    settings = load_settings()
    views, bus_kind = asyncio.run(
        _pairs(settings, kinds, list(pairs or []) if change and not default else None, change)
    )
    if as_json:
        console.print_json(json.dumps({"bots": [_pairs_json(v) for v in views]}))
    else:
        for view in views:
            console.print(_pairs_line(view))
    if change and bus_kind == "memory":
        console.print(
            "stored; no message bus is configured (REDIS_URL): a running runtime of another "
            "process applies it when it restarts (or change it through the API of that runtime)"
        )


async def _pairs(
    settings: Settings, kinds: list[BotKind], chosen: list[str] | None, change: bool
) -> tuple[list[BotPairsView], str]:
    """Each bot's pairs, after setting ``kinds[0]``'s to ``chosen`` when ``change``."""
    from cryptotrader.bootstrap.services import bot_service
    from cryptotrader.bus.factory import open_bus
    from cryptotrader.bus.memory import InProcessBus
    from cryptotrader.clock import LiveClock
    from cryptotrader.outbox import outbox_for
    from cryptotrader.persistence.migrate import open_database
    from cryptotrader.services.context import Actor, Origin, Role

    database = await open_database(settings.database_url)
    clock = LiveClock()
    bus = await open_bus(settings, clock=clock) if change else InProcessBus(clock=clock)
    try:
        service = bot_service(settings, database=database, bus=bus, clock=clock)
        local = Actor(user_id=0, username="cli", role=Role.ADMIN)  # whoever holds the database
        if change:
            await service.set_pairs(local, kinds[0], chosen, Origin(ip="cli"))
        views = [await service.pairs(local, kind) for kind in kinds]
        return views, "memory" if isinstance(bus, InProcessBus) else "redis"
    finally:
        await outbox_for(database, bus).close()  # the rows it sent: deleted
        await bus.close()
        await database.dispose()


def _pairs_line(view: BotPairsView) -> str:
    trading = ", ".join(view.trading) or "none"
    if view.chosen is not None:
        how = f"chosen: {', '.join(view.chosen)}"
    elif view.default is not None:
        how = f"runtime.bot_pairs: {', '.join(view.default)}"
    else:
        how = "default: every active pair"
    return f"{view.bot.value}: opens positions on {trading} ({how})"


def _pairs_json(view: BotPairsView) -> dict[str, Any]:
    return {
        "bot": view.bot.value,
        "chosen": None if view.chosen is None else list(view.chosen),
        "default": None if view.default is None else list(view.default),
        "trading": list(view.trading),
    }
