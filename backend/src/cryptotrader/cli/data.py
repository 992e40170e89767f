"""``cryptotrader data``: download, import and inspect candle data.

Results go to stdout, progress and notes to stderr. Bad input raises our exceptions, which
``cryptotrader.cli.main`` prints as one line with exit code 2; no command leaves a partial file.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cryptotrader.cli._common import (
    App,
    console,
    display_path,
    err_console,
    file_option,
    one_file,
    optional_file,
    parse_timeframe,
)
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import UserInputError

if TYPE_CHECKING:  # loaded when a command runs, not for --help
    from rich.progress import Progress, TaskID

    from cryptotrader.config import Settings
    from cryptotrader.domain.pairs import Pair
    from cryptotrader.exchanges.ccxt.download import (
        DownloadProgress,
        DownloadRequest,
        DownloadResult,
    )
    from cryptotrader.marketdata.importing import PreparedImport
    from cryptotrader.marketdata.io import OhlcvFile
    from cryptotrader.marketdata.sinks import CandleSink
    from cryptotrader.marketdata.store import CandleStore, StoredSeries

data_app = App(help="Download, import and inspect OHLCV candle data.", no_args_is_help=True)

_LARGEST_GAPS = 5


@data_app.command("download")
def download_command(  # typer passes options by keyword
    *,
    pair: Annotated[str, typer.Option("--pair", "-p", help="market, e.g. BTC/USDT")],
    timeframe: Annotated[
        str, typer.Option("--timeframe", "-t", help="1m 5m 15m 30m 1h 4h 1d 1w 1M")
    ],
    exchange: Annotated[
        str | None,
        typer.Option("--exchange", "-e", help="any ccxt exchange id (default: the configured one)"),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="first open time, e.g. 2024-01-01 (UTC unless an offset is given)"),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="stop before this open time (exclusive) (default: now)")
    ] = None,
    out_files: Annotated[
        list[Path] | None,
        file_option("--out", help="write a .csv/.csv.gz/.parquet file instead of the store"),
    ] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="the exchange's API root (proxy, test server)")
    ] = None,
) -> None:
    """Download closed candles from an exchange, resuming after what is already stored."""
    from cryptotrader.config import load_settings
    from cryptotrader.domain.pairs import Pair
    from cryptotrader.exchanges.ccxt.download import DownloadRequest
    from cryptotrader.marketdata.naming import exchange_name
    from cryptotrader.marketdata.sinks import FileSink

    out = optional_file("--out", out_files)
    settings = load_settings()
    request = DownloadRequest(
        pair=Pair.parse(pair),
        timeframe=Timeframe.parse(timeframe),
        since_ms=_parse_time(since, "--since"),
        until_ms=_parse_time(until, "--until"),
    )
    exchange_id = exchange_name(exchange or settings.exchange.name)
    if base_url is None and exchange_id == settings.exchange.name:
        base_url = settings.exchange.base_url  # configured for that exchange only
    if out is not None:
        sink = FileSink(out, request.timeframe)
        result = asyncio.run(_download(settings, exchange_id, base_url, request, sink))
        _print_download(result, sink)
    else:
        asyncio.run(_download_into_store(settings, exchange_id, base_url, request))


async def _download_into_store(
    settings: Settings, exchange_id: str, base_url: str | None, request: DownloadRequest
) -> None:
    from cryptotrader.marketdata.sinks import StoreSink
    from cryptotrader.persistence.candles import open_candle_store

    async with open_candle_store(settings) as store:
        sink = StoreSink(
            store, exchange=exchange_id, pair=request.pair, timeframe=request.timeframe
        )
        result = await _download(settings, exchange_id, base_url, request, sink)
    _print_download(result, sink)


async def _download(
    settings: Settings,
    exchange_id: str,
    base_url: str | None,
    request: DownloadRequest,
    sink: CandleSink,
) -> DownloadResult:
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from cryptotrader.clock import LiveClock
    from cryptotrader.exchanges.ccxt import open_exchange
    from cryptotrader.exchanges.ccxt.download import CandleDownloader

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[candles]:,} candles"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )
    title = f"{exchange_id} {request.pair} {request.timeframe}"
    task = progress.add_task(title, total=None, candles=0)
    with progress:
        async with open_exchange(
            exchange_id, base_url=base_url, timeout_s=settings.exchange.timeout_s
        ) as client:
            downloader = CandleDownloader(
                exchange=client,
                clock=LiveClock(),
                progress=lambda p: _advance(progress, task, title, p),
            )
            return await downloader.download(request, sink)


def _advance(progress: Progress, task: TaskID, title: str, state: DownloadProgress) -> None:
    description = f"{title} [yellow]{escape(state.retrying)}" if state.retrying else title
    progress.update(
        task,
        total=max(state.total_ms, 1),
        completed=state.done_ms,
        candles=state.fetched,
        description=description,
    )


def _print_download(result: DownloadResult, sink: CandleSink) -> None:
    series = f"{result.exchange} {result.pair} {result.timeframe}"
    if result.up_to_date:
        console.print(f"{series}: nothing new to download into {_where(sink)}", markup=False)
    else:
        span = f"{_when(result.first_ms)} -> {_when(result.last_ms)} UTC"
        message = f"{series}: {result.fetched:,} new candles ({span}) into {_where(sink)}"
        console.print(message, markup=False)
    for missing in result.unavailable:
        err_console.print(f"note: {result.exchange} returned {missing}", markup=False)
    if result.history_note:
        err_console.print(f"note: {result.history_note}", markup=False)


@data_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="candle file (.csv, .csv.gz, .parquet)")],
    pair: Annotated[
        str | None, typer.Option("--pair", "-p", help="(default: from the file name)")
    ] = None,
    timeframe: Annotated[
        str | None,
        typer.Option("--timeframe", "-t", help="(default: from the file name, else the spacing)"),
    ] = None,
    exchange: Annotated[
        str | None, typer.Option("--exchange", "-e", help="(default: from the file name)")
    ] = None,
) -> None:
    """Validate a candle file and store its candles (upsert: a candle already stored is replaced).

    The exchange, pair and timeframe come from options, else from a name like
    ``binance_BTC-USDT_1h.csv.gz``; the timeframe, else from the candles' spacing.
    """
    from cryptotrader.config import load_settings
    from cryptotrader.domain.pairs import Pair
    from cryptotrader.marketdata.importing import prepare_import
    from cryptotrader.marketdata.naming import exchange_name

    prepared = prepare_import(
        file,
        exchange=exchange_name(exchange) if exchange else None,
        pair=Pair.parse(pair) if pair else None,
        timeframe=parse_timeframe(timeframe),
    )
    source = prepared.source
    stored = asyncio.run(_import(load_settings(), prepared))
    console.print(
        f"imported {len(source.arrays):,} candles from {display_path(file)} into "
        f"{prepared.exchange} {prepared.pair} {prepared.timeframe}; "
        f"the store holds {stored.count:,} "
        f"({_when(stored.first_ms)} -> {_when(stored.last_ms)} UTC)",
        markup=False,
    )
    if source.gaps:
        err_console.print(f"note: {_gap_summary(source)}", markup=False)


async def _import(settings: Settings, prepared: PreparedImport) -> StoredSeries:
    from cryptotrader.persistence.candles import open_candle_store

    async with open_candle_store(settings) as store:
        return await _write_and_describe(
            store, prepared.source, prepared.exchange, prepared.pair, prepared.timeframe
        )


async def _write_and_describe(
    store: CandleStore, source: OhlcvFile, exchange: str, pair: Pair, timeframe: Timeframe
) -> StoredSeries:
    await store.write(exchange=exchange, pair=pair, timeframe=timeframe, candles=source.arrays)
    for stored in await store.series():
        if (stored.exchange, stored.pair, stored.timeframe) == (exchange, pair, timeframe):
            return stored
    raise UserInputError(f"{exchange} {pair} {timeframe}: not in the store after writing")


@data_app.command("info")
def info_command(
    file: Annotated[
        Path | None, typer.Argument(help="a candle file; without one, list the candle store")
    ] = None,
    timeframe: Annotated[
        str | None, typer.Option("--timeframe", "-t", help="(default: from the spacing)")
    ] = None,
) -> None:
    """Describe a candle file (rows, span, timeframe, gaps, prices) or list the candle store."""
    from cryptotrader.config import load_settings
    from cryptotrader.marketdata.io import read_ohlcv

    if file is None:
        _print_store(load_settings())
        return
    source = read_ohlcv(file, parse_timeframe(timeframe))
    _print_file(source)


def _print_file(source: OhlcvFile) -> None:
    frame = source.frame
    table = Table(title=escape(display_path(source.path)), show_header=False)
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("value", no_wrap=True)
    table.add_row("rows", f"{len(frame):,}")
    table.add_row("timeframe", str(source.timeframe or "unknown (irregular spacing)"))
    table.add_row("first candle", f"{frame.index[0]:%Y-%m-%d %H:%M} UTC")
    table.add_row("last candle", f"{frame.index[-1]:%Y-%m-%d %H:%M} UTC")
    table.add_row("gaps", _gap_count(source) if source.gaps else "none")
    table.add_row("price range", f"{frame['low'].min():,.8g} - {frame['high'].max():,.8g}")
    table.add_row(
        "close first/last", f"{frame['close'].iloc[0]:,.8g} / {frame['close'].iloc[-1]:,.8g}"
    )
    table.add_row("volume", f"{frame['volume'].sum():,.2f}")
    console.print(table)
    if source.gaps:
        gaps = Table(title=f"largest gaps (of {len(source.gaps)})")
        gaps.add_column("missing", justify="right")
        gaps.add_column("after (UTC)")
        gaps.add_column("next candle (UTC)")
        for gap in sorted(source.gaps, key=lambda g: (-g.missing, g.after_ms))[:_LARGEST_GAPS]:
            gaps.add_row(f"{gap.missing:,}", _when(gap.after_ms), _when(gap.before_ms))
        console.print(gaps)


async def _stored_series(settings: Settings) -> list[StoredSeries]:
    from cryptotrader.persistence.candles import open_candle_store

    async with open_candle_store(settings) as store:
        return await store.series()


def _print_store(settings: Settings) -> None:
    from cryptotrader.persistence.database import Database

    held = asyncio.run(_stored_series(settings))
    database = Database(settings.database_url).display_url
    if not held:
        console.print(f"the candle store ({database}) is empty", markup=False, soft_wrap=True)
        return
    where = escape(database)
    table = Table(title=f"candle store ({where}), times in UTC")
    for name, justify in (
        ("exchange", "left"),
        ("pair", "left"),
        ("tf", "left"),
        ("candles", "right"),
        ("first", "left"),
        ("last", "left"),
    ):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for s in held:
        table.add_row(
            s.exchange,
            str(s.pair),
            str(s.timeframe),
            f"{s.count:,}",
            _when(s.first_ms),
            _when(s.last_ms),
        )
    console.print(table)


@data_app.command("export")
def export_command(  # typer passes options by keyword
    *,
    pair: Annotated[str, typer.Option("--pair", "-p", help="market, e.g. BTC/USDT")],
    timeframe: Annotated[str, typer.Option("--timeframe", "-t", help="e.g. 1h")],
    out_files: Annotated[list[Path], file_option("--out", help="a .csv, .csv.gz or .parquet file")],
    exchange: Annotated[
        str | None, typer.Option("--exchange", "-e", help="(default: the configured one)")
    ] = None,
    since: Annotated[str | None, typer.Option(help="first open time (UTC unless offset)")] = None,
    until: Annotated[str | None, typer.Option(help="stop before this open time")] = None,
) -> None:
    """Write a stored candle series to a file that ``data import`` reads back unchanged."""
    from cryptotrader.config import load_settings
    from cryptotrader.domain.pairs import Pair
    from cryptotrader.marketdata.io import file_format
    from cryptotrader.marketdata.naming import exchange_name

    out = one_file("--out", out_files)
    settings = load_settings()
    file_format(out)  # refuse an unsupported suffix before opening the database
    key_exchange = exchange_name(exchange or settings.exchange.name)
    key_pair, tf = Pair.parse(pair), Timeframe.parse(timeframe)
    start_ms, end_ms = _parse_time(since, "--since"), _parse_time(until, "--until")
    written = asyncio.run(_export(settings, key_exchange, key_pair, tf, out, start_ms, end_ms))
    console.print(
        f"exported {written:,} {key_exchange} {key_pair} {tf} candles to {display_path(out)}",
        markup=False,
    )


async def _export(  # noqa: PLR0917 - private helper mirroring the command's options
    settings: Settings,
    exchange: str,
    pair: Pair,
    timeframe: Timeframe,
    path: Path,
    start_ms: int | None,
    end_ms: int | None,
) -> int:
    from cryptotrader.persistence.candles import open_candle_store
    from cryptotrader.persistence.export import export_candles

    async with open_candle_store(settings) as store:
        return await export_candles(
            store=store,
            exchange=exchange,
            pair=pair,
            timeframe=timeframe,
            path=path,
            start_ms=start_ms,
            end_ms=end_ms,
        )


def _gap_count(source: OhlcvFile) -> str:
    missing = sum(g.missing for g in source.gaps)
    return f"{len(source.gaps):,} gaps, {missing:,} candles missing"


def _gap_summary(source: OhlcvFile) -> str:
    largest = max(source.gaps, key=lambda g: g.missing)
    return f"{_gap_count(source)}; largest: {largest}"


def _where(sink: CandleSink) -> str:
    from cryptotrader.marketdata.sinks import FileSink

    return display_path(sink.path) if isinstance(sink, FileSink) else sink.description


def _when(timestamp_ms: int | None) -> str:
    from cryptotrader.domain.values import utc_from_ms

    return "-" if timestamp_ms is None else f"{utc_from_ms(timestamp_ms):%Y-%m-%d %H:%M}"


def _parse_time(text: str | None, option: str) -> int | None:
    """An ISO-8601 date or date-time as epoch ms; without an offset it is UTC."""
    from cryptotrader.domain.values import ms_from_utc

    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserInputError(
            f"{option}: cannot read {text!r} as a date (write 2024-01-01 or 2024-01-01T12:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return ms_from_utc(moment)
