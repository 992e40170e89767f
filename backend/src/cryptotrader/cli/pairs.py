"""``cryptotrader pairs``: the markets of ``/config/pairs``, listed, added, activated, deactivated.

Through the API's own service (``PlatformConfigService``): validated, audited with the CLI as
actor, and published after the commit (``PairChanged``). A live runtime on the same Redis feeds
an activated pair from its next candle and stops feeding a deactivated one once nothing is open
on it; without ``REDIS_URL`` there is no bus between processes, so the change is stored for the
next start and the command says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cryptotrader.cli._common import App, OnceGroup, console

if TYPE_CHECKING:
    from cryptotrader.config import Settings
    from cryptotrader.services.platform_config import PairView

NOT_LIVE = (
    "stored; no message bus is configured (REDIS_URL): a running runtime of another process "
    "applies it when it restarts (or change it through the API of that runtime)"
)

NO_PAIRS = "no pairs yet: add one with cryptotrader pairs add BTC/USDT"
NO_ACTIVE = "no active pair: activate one with cryptotrader pairs activate BTC/USDT"

pairs_app = App(
    cls=OnceGroup,
    invoke_without_command=True,
    help="The pairs the bots trade (/config/pairs): list, add, activate, deactivate.",
)

ExchangeOption = Annotated[
    str | None,
    typer.Option("--exchange", "-e", help="a ccxt exchange id (default: exchange.name)"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON")]


@pairs_app.callback()
def pairs_command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List every known pair (as ``list``)."""
    if ctx.invoked_subcommand is None:
        _show(_listed(active_only=False), as_json, empty=NO_PAIRS)


@pairs_app.command("list")
def list_command(
    active: Annotated[bool, typer.Option("--active", help="only the active pairs")] = False,
    as_json: JsonOption = False,
) -> None:
    """Every known pair (or only the active ones), by exchange and symbol."""
    _show(_listed(active_only=active), as_json, empty=NO_ACTIVE if active else NO_PAIRS)


@pairs_app.command("add")
def add_command(
    symbol: Annotated[str, typer.Argument(help="e.g. SOL/USDT")],
    exchange: ExchangeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a pair (or activate a known one); a live runtime trades it from its next candle."""
    from cryptotrader.config import load_settings
    from cryptotrader.domain.pairs import Pair
    from cryptotrader.exchanges.ccxt.factory import exchange_class

    settings = load_settings()
    venue = (exchange or settings.exchange.name).strip().lower()
    pair = Pair.parse(symbol)  # malformed: one line before ccxt is even imported
    exchange_class(venue)  # unknown to ccxt: one line, with the closest id
    _changed(settings, _Change(venue, pair.symbol, active=True, add=True), as_json)


@pairs_app.command("activate")
def activate_command(
    pair: Annotated[str, typer.Argument(help="its symbol (SOL/USDT) or id")],
    exchange: ExchangeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Activate a known pair; a live runtime trades it from its next candle."""
    from cryptotrader.config import load_settings

    settings = load_settings()
    _changed(settings, _Change.of(settings, pair, exchange, active=True), as_json)


@pairs_app.command("deactivate")
def deactivate_command(
    pair: Annotated[str, typer.Argument(help="its symbol (SOL/USDT) or id")],
    exchange: ExchangeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Deactivate a pair: nothing new opens on it; an open position keeps its protection."""
    from cryptotrader.config import load_settings

    settings = load_settings()
    _changed(settings, _Change.of(settings, pair, exchange, active=False), as_json)


@dataclass(frozen=True, slots=True)
class _Change:
    """What to change: a pair named by symbol on an exchange, or by id (``symbol`` None)."""

    exchange: str
    symbol: str | None
    active: bool
    add: bool = False
    pair_id: int = 0

    @classmethod
    def of(cls, settings: Settings, text: str, exchange: str | None, *, active: bool) -> _Change:
        from cryptotrader.domain.pairs import Pair

        venue = (exchange or settings.exchange.name).strip().lower()
        if text.strip().isdigit():
            return cls(venue, None, active, pair_id=int(text))
        return cls(venue, Pair.parse(text).symbol, active)


def _changed(settings: Settings, change: _Change, as_json: bool) -> None:
    import asyncio

    view, bus_kind = asyncio.run(_apply(settings, change))
    _show([view], as_json)
    if bus_kind == "memory" and not as_json:
        console.print(NOT_LIVE)


async def _apply(settings: Settings, change: _Change) -> tuple[PairView, str]:
    """Apply ``change`` through the API's service; the view and which bus carried it."""
    from cryptotrader.bootstrap.services import platform_service
    from cryptotrader.bus.factory import open_bus
    from cryptotrader.bus.memory import InProcessBus
    from cryptotrader.clock import LiveClock
    from cryptotrader.outbox import outbox_for
    from cryptotrader.persistence.migrate import open_database
    from cryptotrader.services.context import Actor, Origin, Role
    from cryptotrader.services.errors import NotFound

    database = await open_database(settings.database_url)
    clock = LiveClock()
    bus = await open_bus(settings, clock=clock)
    try:
        service = platform_service(database=database, bus=bus, clock=clock)
        local = Actor(user_id=0, username="cli", role=Role.ADMIN)  # whoever holds the database
        origin = Origin(ip="cli")
        if change.add:
            assert change.symbol is not None
            view = await service.add_pair(local, change.exchange, change.symbol, origin)
        else:
            pair_id = change.pair_id
            if change.symbol is not None:
                known = await service.list_pairs(local)
                found = [
                    p for p in known if (p.exchange, p.symbol) == (change.exchange, change.symbol)
                ]
                if not found:
                    raise NotFound(
                        f"no pair {change.symbol} on {change.exchange}: add it first "
                        f"(cryptotrader pairs add {change.symbol} --exchange {change.exchange})"
                    )
                pair_id = found[0].id
            try:
                view = await service.set_pair_active(local, pair_id, change.active, origin)
            except NotFound:
                raise NotFound(
                    f"no pair with id {pair_id} (cryptotrader pairs lists them)"
                ) from None
        return view, "memory" if isinstance(bus, InProcessBus) else "redis"
    finally:
        await outbox_for(database, bus).close()  # the rows it sent: deleted
        await bus.close()
        await database.dispose()


def _listed(*, active_only: bool) -> list[PairView]:
    import asyncio

    from cryptotrader.config import load_settings

    return asyncio.run(_read(load_settings(), active_only=active_only))


async def _read(settings: Settings, *, active_only: bool) -> list[PairView]:
    from cryptotrader.bootstrap.services import platform_service
    from cryptotrader.bus.memory import InProcessBus
    from cryptotrader.clock import LiveClock
    from cryptotrader.persistence.migrate import open_database
    from cryptotrader.services.context import Actor, Role

    database = await open_database(settings.database_url)
    clock = LiveClock()
    bus = InProcessBus(clock=clock)  # reads publish nothing
    try:
        service = platform_service(database=database, bus=bus, clock=clock)
        local = Actor(user_id=0, username="cli", role=Role.VIEWER)  # reads only
        return await service.list_pairs(local, active_only=active_only)
    finally:
        await bus.close()
        await database.dispose()


def _show(views: list[PairView], as_json: bool, *, empty: str = NO_PAIRS) -> None:
    if as_json:
        console.print_json(json.dumps({"pairs": [_json(v) for v in views]}))
        return
    if not views:
        console.print(empty)
        return
    from rich.table import Table

    table = Table()
    for column in ("id", "exchange", "pair", "active"):
        table.add_column(column, justify="right" if column == "id" else "left")
    for view in views:
        table.add_row(str(view.id), view.exchange, view.symbol, "yes" if view.is_active else "no")
    console.print(table)


def _json(view: PairView) -> dict[str, Any]:
    return {
        "id": view.id,
        "exchange": view.exchange,
        "symbol": view.symbol,
        "base": view.base,
        "quote": view.quote,
        "is_active": view.is_active,
    }
