"""A candle file made ready for the store: what ``data import`` and the API's upload share.

The series it goes to (exchange, pair, timeframe) comes from what the caller gives, else from a
conventional file name (``binance_BTC-USDT_1h.csv.gz``), the timeframe else from the candles'
spacing. The candles must be that timeframe apart and aligned on its boundaries, or the file is
refused naming the line at fault, before anything is written.
"""

from __future__ import annotations

import gzip
import re
import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.errors import DataValidationError, UserInputError
from cryptotrader.marketdata.io import OhlcvFile, file_format, read_ohlcv
from cryptotrader.marketdata.naming import parse_series_name
from cryptotrader.marketdata.validation import infer_timeframe, validate_alignment


class UnknownSeriesError(UserInputError):
    """The file name does not say which series, and neither did the caller."""

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True, slots=True)
class PreparedImport:
    """A validated file and the series its candles go to."""

    source: OhlcvFile
    exchange: str
    pair: Pair
    timeframe: Timeframe


@dataclass(frozen=True, slots=True)
class ImportNames:
    """How the caller names the three choices in its messages (CLI options, form fields)."""

    exchange: str = "--exchange"
    pair: str = "--pair"
    timeframe: str = "--timeframe"


def prepare_import(
    path: Path,
    *,
    exchange: str | None = None,
    pair: Pair | None = None,
    timeframe: Timeframe | None = None,
    default_exchange: str | None = None,
    names: ImportNames | None = None,
) -> PreparedImport:
    """Read and validate ``path`` and tell which series it fills.

    Args:
        path: a candle file; its name may carry the exchange, pair and timeframe.
        exchange: normalised exchange name (see ``naming.exchange_name``); else the file name's,
            else ``default_exchange``.
        pair: else the file name's.
        timeframe: else the file name's, else the candles' spacing.
        default_exchange: the exchange when neither the caller nor the name gives one.
        names: how the messages name the missing choices.

    Raises:
        UnknownSeriesError: the series cannot be told (the message says what to give).
        DataValidationError: the content breaks a rule; the message names the line.
    """
    names = names or ImportNames()
    named = parse_series_name(path)
    tf = timeframe or named.timeframe
    source = read_ohlcv(path, tf)
    tf = tf or source.timeframe
    key_pair = pair or named.pair
    key_exchange = exchange or named.exchange or default_exchange
    if tf is None or key_pair is None or key_exchange is None:
        missing = [
            name
            for name, value in (
                (names.exchange, key_exchange),
                (names.pair, key_pair),
                (names.timeframe, tf),
            )
            if value is None
        ]
        message = f"{path}: cannot tell from the file name; pass {' '.join(missing)}"
        raise UnknownSeriesError(message, missing)
    check_timeframe(source, tf, names.timeframe)
    return PreparedImport(source=source, exchange=key_exchange, pair=key_pair, timeframe=tf)


def check_timeframe(source: OhlcvFile, timeframe: Timeframe, option: str = "--timeframe") -> None:
    """Refuse candles stored under the wrong timeframe, whatever the store checks itself.

    Raises:
        DataValidationError: the spacing is another timeframe, or a candle is off its boundary.
    """
    timestamps = source.arrays.timestamps
    spacing = infer_timeframe(timestamps)
    if spacing is not None and spacing is not timeframe:
        raise DataValidationError(
            f"{source.path}: candles are {spacing} apart, not {timeframe}; check {option}"
        )
    row_label, first_row = ("line", 2) if file_format(source.path) == "csv" else ("row", 1)
    validate_alignment(timestamps, timeframe, str(source.path), row_label, first_row)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_CHUNK = 1 << 20


def stage_csv(stream: BinaryIO, name: str, directory: Path, *, max_bytes: int) -> Path:
    """Copy a received ``.csv`` or ``.csv.gz`` into ``directory`` as a plain CSV; its path.

    The copy keeps the file's own name (made safe for a path, ``.gz`` dropped), so that the
    series can still be told from it. A gzip is decompressed here, at most ``max_bytes`` of it:
    a small archive must not be able to fill the disk or the memory of the reader.

    Raises:
        UserInputError: not a .csv/.csv.gz name, or larger than ``max_bytes`` once decompressed.
        DataValidationError: a .gz that is not a valid gzip.
    """
    safe = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).lstrip(".")[-120:]
    lowered = safe.lower()
    if not lowered.endswith((".csv", ".csv.gz")):
        raise UserInputError(f"{name}: not a candle file (send a .csv or .csv.gz)")
    packed = lowered.endswith(".gz")
    target = directory / (safe[:-3] if packed else safe)
    with target.open("wb") as out:
        if not packed:
            shutil.copyfileobj(stream, out, _CHUNK)
            return target
        written = 0
        try:
            with gzip.GzipFile(fileobj=stream, mode="rb") as unpacked:
                while chunk := unpacked.read(_CHUNK):
                    written += len(chunk)
                    if written > max_bytes:
                        raise UserInputError(
                            f"{name}: more than {max_bytes:,} bytes once decompressed"
                        )
                    out.write(chunk)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise DataValidationError(f"{name}: not a valid gzip file ({exc})") from None
    return target
