"""``cryptotrader indicators``: every indicator over a candle file, and their latest readings."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cryptotrader.cli._common import (
    SEVERAL_PAIRS,
    console,
    err_console,
    file_option,
    one_file,
    optional_file,
    parse_timeframe,
)
from cryptotrader.domain.enums import Bias
from cryptotrader.errors import UserInputError

if TYPE_CHECKING:  # loaded when a command runs, not for --help
    from cryptotrader.domain.signals import IndicatorResult
    from cryptotrader.sentiment import DailySeries

_BIAS_STYLE = {Bias.BULLISH: "green", Bias.BEARISH: "red", Bias.NEUTRAL: "dim"}


def indicators_command(
    data_files: Annotated[
        list[Path], file_option("--data", help="candle file (.csv, .csv.gz, .parquet)")
    ],
    timeframe: Annotated[
        str | None,
        typer.Option(
            "--timeframe", "-t", help="compute on this timeframe (resampled from the file's)"
        ),
    ] = None,
    out_files: Annotated[
        list[Path] | None,
        file_option("--out", help="write every series to this .csv or .parquet"),
    ] = None,
    only: Annotated[
        str | None, typer.Option("--indicators", help="comma-separated subset, e.g. rsi,macd")
    ] = None,
    fear_greed_files: Annotated[
        list[Path] | None,
        file_option(
            "--fear-greed",
            help="Fear & Greed history CSV (date,timestamp,value,classification); "
            "default: the alternative.me API, cached",
        ),
    ] = None,
) -> None:
    """Compute every indicator on a candle file and print the latest signals."""
    from cryptotrader.indicators.engine import IndicatorEngine
    from cryptotrader.marketdata.io import file_format, read_ohlcv, write_frame
    from cryptotrader.marketdata.resample import resample

    data = one_file("--data", data_files, SEVERAL_PAIRS)
    out = optional_file("--out", out_files)
    fear_greed = optional_file("--fear-greed", fear_greed_files)
    target = parse_timeframe(timeframe)
    if out is not None:
        file_format(out)  # refuse an unsupported output type before any work
    names = [n.strip() for n in only.split(",") if n.strip()] if only else None
    source = read_ohlcv(data)
    arrays = source.arrays
    base = source.timeframe
    if target is not None and target is not base:
        if base is None:
            raise UserInputError(f"{data}: cannot tell the file's timeframe to resample it")
        arrays = resample(arrays, base, target)
    tf = target or base
    if tf is None:
        raise UserInputError(f"{data}: cannot tell the timeframe; pass --timeframe")
    if len(arrays) == 0:
        raise UserInputError(f"{data}: no complete {tf} candle in the file")
    engine = IndicatorEngine.with_default_set(names, **_sentiment(names, fear_greed))
    result = engine.compute(arrays, tf, with_strengths=False)
    if out is not None:
        write_frame(result.to_frame(), out)
    _print_signals(result, data, len(arrays))
    if out is not None:
        err_console.print(f"wrote {len(result.series)} series x {len(arrays)} candles to {out}")


def _sentiment(
    names: Sequence[str] | None, fear_greed: Path | None
) -> dict[str, DailySeries | None]:
    """Histories for the sentiment indicators; an unreachable source is one notice on stderr."""
    from cryptotrader.config import load_settings
    from cryptotrader.sentiment import load_sentiment

    with _notices_on_stderr():
        return load_sentiment(load_settings(), fear_greed, names=names)


class _NoticeHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        err_console.print(f"notice: {record.getMessage()}", markup=False, soft_wrap=True)


@contextmanager
def _notices_on_stderr() -> Iterator[None]:
    """Show the sentiment package's warnings as one-line notices, and only there."""
    logger = logging.getLogger("cryptotrader.sentiment")
    handler = _NoticeHandler(logging.WARNING)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _print_signals(result: IndicatorResult, source: Path, count: int) -> None:
    if not result.signals:
        return
    last = next(iter(result.signals.values())).timestamp
    title = f"{source.name} - {result.timeframe} - {count} candles"
    table = Table(title=f"{title} - last {last:%Y-%m-%d %H:%M} UTC")
    table.add_column("indicator")
    table.add_column("values", overflow="fold")
    table.add_column("signal")
    table.add_column("label")
    table.add_column("strength", justify="right")
    table.add_column("weight", justify="right")
    for key, signal in result.signals.items():
        shown = "  ".join(f"{name}={_number(value)}" for name, value in signal.values.items())
        style = _BIAS_STYLE[signal.signal]
        table.add_row(
            key,
            shown,
            f"[{style}]{signal.signal}[/]",
            signal.label,
            f"{signal.strength + 0.0:+.2f}",  # + 0.0 turns -0.0 into 0.0
            f"{signal.weight:g}",
        )
    console.print(table)


def _number(value: float | None) -> str:
    """Readable at a glance: prices with thousands separators, ratios with 4 significant digits."""
    if value is None:
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 1_000:
        return f"{value:,.0f}"
    if magnitude >= 1:
        return f"{value:,.2f}"
    return f"{value:.4g}"
