"""Candle file names: ``<exchange>_<BASE-QUOTE>_<timeframe>[_<anything>].<csv|csv.gz|parquet>``.

The convention of ``../shared/data`` (``binance_BTC-USDT_1h.csv.gz``,
``binance_BTC-USDT_1h_native-2017-2022.csv.gz``): ``data import`` reads the exchange, pair and
timeframe from such a name when they are not given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import UserInputError

_NAME = re.compile(
    r"^(?P<exchange>[A-Za-z0-9]+)_(?P<pair>[A-Za-z0-9]+-[A-Za-z0-9]+)_(?P<timeframe>\d+[A-Za-z]+)"
    r"(?:_[^.]*)?\.",
)
_EXCHANGE = re.compile(r"^[a-z0-9][a-z0-9.-]{0,63}$")


@dataclass(frozen=True, slots=True)
class SeriesName:
    """What a file name says about its candles (each part None when it says nothing)."""

    exchange: str | None
    pair: Pair | None
    timeframe: Timeframe | None


def parse_series_name(path: Path) -> SeriesName:
    """Exchange, pair and timeframe from a conventional file name; Nones when it is not one."""
    match = _NAME.match(path.name)
    if match is None:
        return SeriesName(None, None, None)
    try:
        pair = Pair.parse(match.group("pair"))
        timeframe = Timeframe.parse(match.group("timeframe"))
    except UserInputError:
        return SeriesName(None, None, None)
    return SeriesName(match.group("exchange").lower(), pair, timeframe)


def exchange_name(text: str) -> str:
    """A normalised exchange name, safe as a file-name part (``binance``, ``kraken`` ...).

    Raises:
        UserInputError: the name has characters that cannot name a series on disk.
    """
    name = text.strip().lower()
    if not _EXCHANGE.match(name):
        raise UserInputError(
            f"not an exchange name: {text!r} (lowercase letters, digits, '.' and '-' only)"
        )
    return name


def timeframe_slug(timeframe: Timeframe) -> str:
    """The timeframe as written in file names (``1mo`` for months).

    ``1M`` and ``1m`` would collide on case-insensitive file systems.
    """
    return "1mo" if timeframe is Timeframe.MO1 else timeframe.value
