"""What the backtest commands share: reading candles, strategies, sentiment and settings."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from cryptotrader.cli._common import err_console
from cryptotrader.config import load_settings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.backtest.simulation import Detail
from cryptotrader.errors import UserInputError
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.marketdata.naming import parse_series_name
from cryptotrader.marketdata.resample import resample
from cryptotrader.sentiment import load_sentiment
from cryptotrader.strategies import BaseStrategy

ASSUMED_PAIR = "pair not in the file name: assumed BTC/USDT (use --pair)"


@dataclass(frozen=True, slots=True)
class Candles:
    """The candles to backtest, their timeframe and pair, and the file's own candles."""

    arrays: CandleArrays
    timeframe: Timeframe
    pair: Pair
    source: CandleArrays
    source_timeframe: Timeframe | None


def load_candles(path: Path, timeframe: str | None, pair: str | None) -> Candles:
    """Read ``path`` and resample it to ``timeframe`` when given.

    The pair is ``pair``, else the file's name; else BTC/USDT, said on stderr.

    Raises:
        UserInputError: unreadable file, unknown timeframe, or none could be told.
    """
    source = read_ohlcv(path)
    target = Timeframe.parse(timeframe) if timeframe else source.timeframe
    if target is None:
        raise UserInputError(f"{path}: cannot tell the timeframe; pass --timeframe")
    arrays = source.arrays
    if target is not source.timeframe:
        if source.timeframe is None:
            raise UserInputError(f"{path}: cannot tell the file's timeframe to resample it")
        arrays = resample(arrays, source.timeframe, target)
    chosen = Pair.parse(pair) if pair else parse_series_name(path).pair
    if chosen is None:
        # Kept for files named otherwise (existing scripts and tests), but said: a silent
        # BTC/USDT would label another market's report, fees and study name as BTC/USDT.
        chosen = Pair(base="BTC", quote="USDT")
        err_console.print(f"{path.name}: {ASSUMED_PAIR}", markup=False)
    return Candles(arrays, target, chosen, source.arrays, source.timeframe)


def load_pairs(paths: Sequence[Path], timeframe: str | None, pairs: Sequence[str]) -> list[Candles]:
    """One candle series per file, each with its pair: ``pairs`` in order, else the file's name.

    Raises:
        UserInputError: ``pairs`` not one per file, a file whose pair cannot be told, or files
            of different timeframes without ``timeframe``.
    """
    if pairs and len(pairs) != len(paths):
        raise UserInputError(
            f"--pair given {len(pairs)} times for {len(paths)} --data files: give one per file, "
            "in the same order, or none to read each pair from its file name"
        )
    loaded = []
    for index, path in enumerate(paths):
        pair = Pair.parse(pairs[index]) if pairs else parse_series_name(path).pair
        if pair is None:
            raise UserInputError(
                f"{path.name}: cannot tell its pair from the file name; pass --pair once per "
                "--data, in the same order"
            )
        loaded.append(load_candles(path, timeframe, pair.symbol))
    frames = sorted({str(c.timeframe) for c in loaded})
    if len(frames) > 1:
        raise UserInputError(
            f"the files' timeframes differ ({', '.join(frames)}): pass --timeframe to resample "
            "them to one"
        )
    return loaded


def load_stored(pairs: Sequence[str], timeframe: str | None, exchange: str | None) -> list[Candles]:
    """Each pair's candles from the candle store (``data download`` / ``data import``).

    Raises:
        UserInputError: no ``timeframe``, or a pair with no stored candles at that timeframe.
    """
    import asyncio  # noqa: PLC0415 - only this input reads the database

    from cryptotrader.marketdata.naming import exchange_name  # noqa: PLC0415
    from cryptotrader.persistence.candles import open_candle_store  # noqa: PLC0415

    if timeframe is None:
        raise UserInputError("--stored needs --timeframe (the stored series' timeframe)")
    settings = load_settings()
    venue = exchange_name(exchange or settings.exchange.name)
    frame = Timeframe.parse(timeframe)
    wanted = [Pair.parse(text) for text in pairs]

    async def read() -> list[CandleArrays]:
        async with open_candle_store(settings) as store:
            return [
                await store.read_arrays(exchange=venue, pair=pair, timeframe=frame)
                for pair in wanted
            ]

    loaded = []
    for pair, arrays in zip(wanted, asyncio.run(read()), strict=True):
        if len(arrays) == 0:
            raise UserInputError(
                f"no stored candles for {venue} {pair} {frame} (data download or data import "
                "them first)"
            )
        loaded.append(Candles(arrays, frame, pair, arrays, frame))
    return loaded


def load_detail(candles: Candles, detail: str | None, detail_data: Path | None) -> Detail | None:
    """Finer candles for ``--detail``: ``--detail-data`` or the ``--data`` file itself.

    Raises:
        UserInputError: the finer candles cannot be had at that timeframe.
    """
    if detail is None:
        return None
    finer = Timeframe.parse(detail)
    if detail_data is not None:
        source = read_ohlcv(detail_data)
        arrays, timeframe = source.arrays, source.timeframe
    else:
        arrays, timeframe = candles.source, candles.source_timeframe
    if timeframe is None or not timeframe.divides(finer):
        raise UserInputError(
            f"--detail {finer}: the candles at hand ({timeframe}) cannot give {finer} candles; "
            "pass --detail-data FILE"
        )
    return Detail(resample(arrays, timeframe, finer), finer)


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """``NAME=VALUE`` options as a mapping (values are validated by the strategy).

    Raises:
        UserInputError: an option is not ``NAME=VALUE``.
    """
    params: dict[str, str] = {}
    for item in pairs:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UserInputError(f"--param {item!r}: write it NAME=VALUE")
        params[name.strip()] = value.strip()
    return params


def sentiment_for(
    strategies: Sequence[BaseStrategy[Any]], fear_greed: Path | None
) -> dict[str, Any]:
    """The Fear & Greed history when a strategy reads it (``--fear-greed`` file, else the API).

    Google Trends has no offline history: in backtests it is neutral with weight 0.
    """
    if not any(spec.name == "fear_greed" for s in strategies for spec in s.indicators):
        return {}
    return dict(load_sentiment(load_settings(), fear_greed, names=["fear_greed"]))


def decimal_option(name: str, value: str | None) -> Decimal | None:
    """A numeric option as ``Decimal`` (None stays None).

    Raises:
        UserInputError: not a number.
    """
    if value is None:
        return None
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise UserInputError(f"{name} {value!r} is not a number") from None
    if not result.is_finite():
        raise UserInputError(f"{name} {value!r} is not a finite number")
    return result


def check_output(option: str, path: Path | None) -> None:
    """Refuse a report path that cannot be written, before a long run rather than after it.

    Missing folders are fine (they are created, as ``data export`` creates them).

    Raises:
        UserInputError: the path is a folder, or its nearest existing folder is not writable.
    """
    if path is None:
        return
    if path.is_dir():
        raise UserInputError(f"{option} {path}: is a folder; give a file name")
    ancestor = path.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UserInputError(f"{option} {path}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise UserInputError(f"{option} {path}: {ancestor} is not writable")
