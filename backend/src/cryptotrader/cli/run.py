"""``cryptotrader run | engine | trades | demo``: the trading runtime from the command line.

``run`` starts every engine in one process on the configured database and bus: paper trading on
the exchange's live public candles by default, on a stored series with ``--replay FILE``, real
money only with ``--live --i-understand-real-money`` and every lock of the settings open.
``engine NAME`` runs one engine as its own process (Redis between them). SIGINT and SIGTERM stop
gracefully; a replay at full speed ends when its series does.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cryptotrader import collector
from cryptotrader.cli._common import (
    console,
    err_console,
    file_option,
    optional_file,
)
from cryptotrader.cli._live import LiveView, LogFormat, RunTally
from cryptotrader.domain.enums import BotKind
from cryptotrader.errors import NetworkUnavailableError, TemporaryError, UserInputError

if TYPE_CHECKING:  # the runtime, the database and pydantic load when a command runs, not for --help
    from cryptotrader.api.server import RunningApi
    from cryptotrader.config import Settings
    from cryptotrader.runtime import Runtime
    from cryptotrader.runtime_inputs import RunOptions

SpeedOpt = Annotated[
    str, typer.Option("--speed", help="replay pace: max (as fast as possible) or N x real time")
]
PairOpt = Annotated[str | None, typer.Option("--pair", help="market, e.g. BTC/USDT")]
TimeframeOpt = Annotated[str | None, typer.Option("--timeframe", "-t", help="candle timeframe")]
FearGreedOpt = Annotated[
    list[Path] | None,
    file_option("--fear-greed", help="Fear & Greed history CSV (default: the API)"),
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="no live view: the banner and the summary only")
]
LogFormatOpt = Annotated[
    str,
    typer.Option(
        "--log-format",
        help="live: progress, capital and one line per event; json: one JSON object per event "
        "on stdout (for services)",
    ),
]
_SHARED_ENGINES = ("indicator", "decision")
_OFFLINE_HINT = (
    "to trade offline, replay stored candles: cryptotrader run --replay FILE "
    "(e.g. ../shared/data/binance_BTC-USDT_1h.csv.gz), or try: cryptotrader demo"
)


def run_command(  # noqa: PLR0917 - typer maps each option to a parameter
    replay: Annotated[
        list[Path] | None,
        file_option(
            "--replay",
            help="replay this candle file instead of live data; repeat it to trade several pairs "
            "together (one file per pair, its pair told by its name)",
        ),
    ] = None,
    speed: SpeedOpt = "max",
    pair: Annotated[
        list[str] | None,
        typer.Option(
            "--pair",
            help="market, e.g. BTC/USDT; repeat it to trade several pairs on live data "
            "(default: every active pair of /config/pairs, else runtime.pair)",
        ),
    ] = None,
    timeframe: TimeframeOpt = None,
    fear_greed: FearGreedOpt = None,
    live: Annotated[bool, typer.Option("--live", help="trade real money (see --help)")] = False,
    confirm: Annotated[
        bool,
        typer.Option("--i-understand-real-money", help="confirm live trading with real money"),
    ] = False,
    api: Annotated[
        bool | None,
        typer.Option(
            "--api/--no-api",
            help="serve the REST/WebSocket API beside the engines (default: on, off for --replay)",
        ),
    ] = None,
    api_port: Annotated[
        int | None, typer.Option("--api-port", help="API port (default: api.port)")
    ] = None,
    quiet: QuietOpt = False,
    log_format: LogFormatOpt = "live",
) -> None:
    """Run the bots: paper trading on live public candles, or on a replay (--replay FILE ...).

    The API (the app's and the Discord bot's door) is served in the same process unless
    --no-api. Live trading needs --live, --i-understand-real-money, exchange.mode=live,
    trading.live_trading_enabled, API keys stored through the API, and the API's switch on.
    """
    from cryptotrader.config import load_settings
    from cryptotrader.runtime_inputs import RunOptions

    files = tuple(replay or ())
    serve = not files if api is None else api
    pairs = tuple(pair or ())
    if files and len(pairs) > 1:
        raise UserInputError(
            f"--pair with --replay names one file's pair (given {len(pairs)} times): give it "
            "once; a replay of several pairs takes one file each, its pair told by its name"
        )
    options = RunOptions(
        replay=files or None,
        speed=_speed(speed),
        pair=pairs[0] if files and pairs else None,
        pairs=() if files else pairs,
        timeframe=timeframe,
        fear_greed=optional_file("--fear-greed", fear_greed),
        live=live,
        confirm_real_money=confirm,
        inline_database=not serve,  # nothing else on the loop: SQLite without the thread hop
    )
    settings = load_settings()
    port = api_port or settings.api.port
    view = _view_mode(quiet, log_format)
    asyncio.run(
        _run(
            settings,
            options,
            _banner(settings, options),
            api_port=port if serve else None,
            view=view,
        )
    )


def engine_command(  # noqa: PLR0917 - typer maps each option to a parameter
    name: Annotated[
        str,
        typer.Argument(help="market-data, indicator, decision, order, portfolio, notifier"),
    ],
    replay: Annotated[
        list[Path] | None,
        file_option(
            "--replay",
            help="replay this candle file; repeat it for several pairs (one file per pair, as "
            "run): give every engine the same files",
        ),
    ] = None,
    speed: SpeedOpt = "max",
    pair: PairOpt = None,
    timeframe: TimeframeOpt = None,
    fear_greed: FearGreedOpt = None,
    consumer: Annotated[
        str, typer.Option("--consumer", help="this process's name in its consumer group")
    ] = "1",
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="indicator, decision: run N worker processes sharing the pairs (a dead one's "
            "pairs move to the others); N copies started by hand share them the same way",
        ),
    ] = 1,
) -> None:
    """Run one engine as its own process, against Redis (REDIS_URL) and a shared database."""
    from cryptotrader.cli._workers import import_plugins
    from cryptotrader.config import load_settings
    from cryptotrader.runtime_inputs import ENGINE_NAMES, RunOptions

    import_plugins()  # a worker of --workers N: its supervisor's plugins
    if name not in ENGINE_NAMES:
        raise UserInputError(f"unknown engine {name!r} (expected one of {', '.join(ENGINE_NAMES)})")
    if workers > 1 and name not in _SHARED_ENGINES:
        raise UserInputError(
            f"--workers: engine {name} runs as one process (only {' and '.join(_SHARED_ENGINES)} "
            "share their pairs between workers)"
        )
    files = tuple(replay or ())  # merged by candle time as run merges them
    settings = load_settings()
    if not settings.redis_url:
        raise UserInputError(
            f"engine {name} talks to the other engines over Redis: set REDIS_URL (and a shared "
            "DATABASE_URL); to run every engine in one process: cryptotrader run"
        )
    if workers > 1:
        from cryptotrader.cli._workers import supervise

        arguments = [arg for path in files for arg in ("--replay", str(path))]
        arguments += ["--speed", speed]
        arguments += [] if pair is None else ["--pair", pair]
        arguments += [] if timeframe is None else ["--timeframe", timeframe]
        arguments += [arg for path in fear_greed or () for arg in ("--fear-greed", str(path))]
        err_console.print(f"engine {name}: {workers} workers (consumers {consumer}.0 ...)")
        raise typer.Exit(supervise(name, arguments, consumer, workers))
    options = RunOptions(
        replay=files or None,
        speed=_speed(speed),
        pair=pair,
        timeframe=timeframe,
        fear_greed=optional_file("--fear-greed", fear_greed),
        engines=(name,),
        consumer=consumer,
    )
    asyncio.run(_run(settings, options, f"engine {name} (consumer {consumer})", summary=False))


def demo_command(
    candles: Annotated[int, typer.Option("--candles", min=300, help="synthetic candles")] = 3000,
    seed: Annotated[int, typer.Option("--seed", help="seed of the synthetic market")] = 7,
    speed: SpeedOpt = "max",
    quiet: QuietOpt = False,
    log_format: LogFormatOpt = "live",
) -> None:
    """Paper-trade a SYNTHETIC market (generated prices, not real ones) in a throwaway database."""
    from cryptotrader.config import load_settings
    from cryptotrader.marketdata.synthetic import synthetic_market
    from cryptotrader.runtime_inputs import RunOptions

    settings = load_settings()
    folder = settings.data_dir / "demo"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    options = RunOptions(
        candles=synthetic_market(candles, seed=seed),
        source="demo",
        speed=_speed(speed),
        database_url=f"sqlite+aiosqlite:///{folder / 'demo.db'}",
        inline_database=True,  # its own database, no API
    )
    banner = (
        f"[bold yellow]DEMO: a SYNTHETIC market ({candles} generated 1h candles, seed {seed}); "
        f"these are NOT real prices.[/] Paper trading only; database {folder / 'demo.db'}"
    )
    view = _view_mode(quiet, log_format)
    asyncio.run(_run(settings.model_copy(update={"redis_url": None}), options, banner, view=view))


def trades_command(
    bot: Annotated[str | None, typer.Option("--bot", help="safe or aggressive")] = None,
    pair: PairOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="newest N trades")] = 100,
) -> None:
    """List the stored trades, newest first (of one bot or pair with --bot, --pair)."""
    from cryptotrader.cli._tables import Column, fitted_table, trades_table
    from cryptotrader.config import load_settings
    from cryptotrader.domain.pairs import Pair

    kind = None
    if bot is not None:
        try:
            kind = BotKind(bot.strip().lower())
        except ValueError:
            raise UserInputError(f"--bot {bot!r}: expected safe or aggressive") from None
    market = None if pair is None else Pair.parse(pair)
    listed, total, by_pair = asyncio.run(_trades(load_settings(), kind, limit, market))
    if as_json:
        console.print_json(json.dumps([_trade_json(i, t) for i, t in listed]))
        return
    shown = f"the newest {len(listed):,} of {total:,}" if total > len(listed) else f"{total:,}"
    title = f"{shown} trades (newest first, times in UTC)"
    table = trades_table(title, listed, console.width)
    console.print(table)
    if by_pair:
        rows = [(kind_of.value, symbol, f) for (kind_of, symbol), f in by_pair]
        figures = [
            Column("bot", [b for b, _, _ in rows], keep=6, label=True),
            Column("pair", [p for _, p, _ in rows], keep=5, label=True),
            Column("closed", [str(f.closed_trades) for *_, f in rows], keep=4, justify="right"),
            Column("open", [str(f.open_trades) for *_, f in rows], keep=3, justify="right"),
            Column("realised P&L", [f"{f.realised_pnl:+,.2f}" for *_, f in rows], keep=9,
                   justify="right"),
            Column("fees", [f"{f.fees:,.2f}" for *_, f in rows], keep=7, justify="right"),
            Column("held", [f"{f.open_quantity.normalize():f}" for *_, f in rows], keep=2,
                   justify="right"),
        ]  # fmt: skip
        title = "P&L by pair (every trade, not only those listed)"
        pairs = fitted_table(title, figures, console.width)
        console.print(pairs)


# --- internals -----------------------------------------------------------------------------------


async def _run(
    settings: Settings,
    options: RunOptions,
    banner: str,
    *,
    summary: bool = True,
    api_port: int | None = None,
    view: LogFormat = "quiet",
) -> None:
    from cryptotrader.bootstrap.runtime import open_runtime

    runtime = await open_runtime(settings, options)
    collector.settle()  # the engines built: not walked by the start's collections either
    _warm_if_live(runtime, options)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, runtime.stop.set)
    api: RunningApi | None = None
    live = LiveView(runtime, err_console, view, _replay_total(runtime)) if summary else None
    try:
        if live is not None:
            live.listen()
        await runtime.start()
        if api_port is not None:
            api = await _serve_api(settings, runtime, api_port)
        await runtime.wait_ready()
        collector.settle()  # the start-up's objects frozen: collections short and rare
        if not runtime.failed.is_set():
            line = _market_line(runtime)
            _announce(banner if line is None else f"{banner}\n{line}", api, live)
        await _wait(runtime, settings, options)
        if live is not None:
            await live.stop()
        if summary:
            await _print_summary(runtime, None if live is None else live.tally, view)
    finally:
        if live is not None:
            await live.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        if api is not None:
            await api.stop()
        await runtime.close()


def _announce(banner: str, api: RunningApi | None, live: LiveView | None) -> None:
    """Once market data flows: what runs, where the API answers, then the live view."""
    err_console.print(banner)
    if api is not None:
        err_console.print(f"API: {api.address} (OpenAPI at {api.address}/docs)")
    if live is not None:
        live.show()


def _warm_if_live(runtime: Runtime, options: RunOptions) -> None:
    """Live, the compiled indicator loops load beside the start (``indicators.warm``).

    Not in the first candle time of many pairs; a replay never loads them.
    """
    if runtime.indicators is not None and not options.replays and options.candles is None:
        runtime.indicators.warm_in_background()


def _replayed_before(options: RunOptions) -> str:
    """Why a replay ended at once: an earlier run on this database traded every candle."""
    files = " ".join(f"--replay {file}" for file in options.replays)
    return (
        "nothing left to replay: an earlier run on this database traded every candle (a replay "
        "resumes where the last one stopped); to replay from the start, use another data "
        f"directory or DATABASE_URL, e.g. CRYPTOTRADER_DATA_DIR=DIR cryptotrader run {files}"
    )


async def _wait(runtime: Runtime, settings: Settings, options: RunOptions) -> None:
    try:
        await runtime.wait()
    except TemporaryError as exc:
        if not options.replays and options.candles is None:
            name = settings.exchange.name
            raise NetworkUnavailableError(
                f"{name} is unreachable ({exc}); {_OFFLINE_HINT}"
            ) from None
        raise
    if options.replays and not runtime.published and not runtime.stop.is_set():
        err_console.print(_replayed_before(options))


async def _serve_api(settings: Settings, runtime: Runtime, port: int) -> RunningApi:
    """The API on the runtime's database and bus; tokens and rate limits keep wall-clock time."""
    from cryptotrader.api.app import create_app
    from cryptotrader.api.server import start_beside

    app = create_app(
        settings, database=runtime.database, bus=runtime.bus, telemetry=runtime.telemetry
    )
    return await start_beside(app, settings, settings.api.host, port)


async def _print_summary(runtime: Runtime, tally: RunTally | None, view: LogFormat) -> None:
    from rich.table import Table

    from cryptotrader.cli._live import dump_summary_json
    from cryptotrader.cli._tables import positions_table

    bots = await runtime.summary()
    positions = await _open_positions(runtime)
    if view == "json":
        rows = [
            {"bot": b.bot.value, "capital": str(b.capital), "closed": str(b.closed),
             "open": str(b.open), "pnl": str(b.pnl)}
            for b in bots
        ]  # fmt: skip
        print(dump_summary_json(rows), flush=True)  # noqa: T201 - the last event line
        return
    table = Table(title="bots")
    for column in ("bot", "capital", "closed trades", "open", "realised P&L"):
        table.add_column(column)
    for bot in bots:
        table.add_row(
            bot.bot.value, f"{bot.capital:.2f}", str(bot.closed), str(bot.open), f"{bot.pnl:+.2f}"
        )
    console.print(table)
    if tally is not None:
        console.print(
            f"this run: {tally.opened} trades opened, {tally.closed} closed, "
            f"{tally.reallocations} reallocations ({tally.moved:,.2f} moved to the safe bot), "
            f"{tally.risk_changes} risk changes"
        )
    if positions:
        held = positions_table(positions, console.width)
        console.print(held)
    else:
        console.print("no open position")


async def _open_positions(runtime: Runtime) -> list[Any]:
    from cryptotrader.domain.enums import TradeStatus
    from cryptotrader.persistence.repositories import trades as trade_rows
    from cryptotrader.persistence.uow import UnitOfWork

    async with UnitOfWork(runtime.database) as uow:
        listed = await trade_rows.list_trades(
            session=uow.session, status=TradeStatus.OPEN, limit=1000
        )
    return [trade for _, trade in listed]


def _replay_total(runtime: Runtime) -> int | None:
    from cryptotrader.engines.workers.market_data import ReplayFeed

    feed = runtime.feed
    return feed.total if isinstance(feed, ReplayFeed) else None


def _view_mode(quiet: bool, log_format: str) -> LogFormat:
    chosen = log_format.strip().lower()
    if chosen not in ("live", "json"):
        raise UserInputError(f"--log-format {log_format!r}: expected live or json")
    if chosen == "json":
        return "json"
    return "quiet" if quiet else "live"


async def _trades(
    settings: Settings, bot: BotKind | None, limit: int, pair: Any
) -> tuple[list[tuple[int, Any]], int, list[tuple[tuple[BotKind, str], Any]]]:
    """The newest trades, how many match, and each bot's figures per pair (same filters)."""
    from cryptotrader.persistence.migrate import open_database
    from cryptotrader.persistence.repositories import bots as bot_rows
    from cryptotrader.persistence.repositories import trade_queries
    from cryptotrader.persistence.repositories import trades as trade_rows
    from cryptotrader.persistence.uow import UnitOfWork

    database = await open_database(settings.database_url)
    try:
        async with UnitOfWork(database) as uow:
            session = uow.session
            listed = await trade_rows.list_trades(session=session, bot=bot, limit=limit, pair=pair)
            total = await trade_rows.count_trades(session=session, bot=bot, pair=pair)
            kinds = {
                row_id: kind for kind, row_id in (await bot_rows.bot_ids(session=session)).items()
            }
            by_pair = [
                ((kinds[bot_id], symbol), figures)
                for (bot_id, symbol), figures in (
                    await trade_queries.pair_figures(session=session)
                ).items()
                if (bot is None or kinds[bot_id] is bot) and (pair is None or symbol == pair.symbol)
            ]
            return listed, total, by_pair
    finally:
        await database.dispose()


def _trade_json(trade_id: int, trade: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": trade_id, **trade.model_dump(mode="json")}
    data["pair"] = trade.pair.symbol
    data["pnl"] = None if trade.pnl is None else str(trade.pnl)
    return data


def _speed(text: str) -> float | None:
    if text.strip().lower() == "max":
        return None
    try:
        value = float(text)
    except ValueError:
        raise UserInputError(f"--speed {text!r}: write max or a number, e.g. 60") from None
    if not value > 0:
        raise UserInputError(f"--speed {text!r}: must be > 0")
    return value


def _banner(settings: Settings, options: RunOptions) -> str:
    pace = "at full speed" if options.speed is None else f"at {options.speed:g}x real time"
    if options.replays:
        names = ", ".join(str(p) for p in options.replays)
        return f"paper trading on a replay of {names} {pace} (no real money)"
    if options.live:
        return f"[bold red]LIVE trading on {settings.exchange.name}: REAL MONEY[/]"
    return (
        f"paper trading on {settings.exchange.name}'s live public candles (no real money); "
        "Ctrl-C stops"
    )


def _market_line(runtime: Runtime) -> str | None:
    """Live: the pairs traded (several: grouped by candle time), once they are known."""
    from cryptotrader.engines.workers.market_data import PairsLiveFeed

    feed = runtime.feed
    if not isinstance(feed, PairsLiveFeed):
        return None
    symbols = ", ".join(p.series.pair.symbol for p in feed.publishers)
    timeframe = feed.publishers[0].series.timeframe
    return f"pairs: {symbols} ({timeframe}; a late pair is waited for {feed.wait_s:g} s)"
