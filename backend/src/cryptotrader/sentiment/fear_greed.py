"""Crypto Fear & Greed Index (alternative.me): the cached API client and the CSV history.

The index is published once a day, stamped 00:00 UTC. The live client asks
``GET {fear_greed_url}?limit=N&format=json`` and keeps the answer on disk for
``fear_greed_cache_ttl_s`` seconds, so repeated runs do not hit the API; when the API cannot be
reached, an older cached answer is used and the fact is logged once. Backtests read the history
from a CSV file instead (``date,timestamp,value,classification``, timestamp in epoch seconds).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cryptotrader.clock import Clock
from cryptotrader.config import SentimentSettings
from cryptotrader.errors import (
    DataValidationError,
    NetworkUnavailableError,
    RateLimitedError,
    TemporaryError,
    UserInputError,
)
from cryptotrader.sentiment._cache import JsonCache, warn_once
from cryptotrader.sentiment.series import DailySeries

_MS_PER_S = 1000
_SECONDS_MAX = 1e11  # a larger "epoch seconds" value is really milliseconds or worse
_CSV_COLUMNS = ("date", "timestamp", "value", "classification")


class _Entry(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    value: int = Field(ge=0, le=100)
    value_classification: str = ""
    timestamp: int = Field(gt=0, lt=_SECONDS_MAX)


class _Metadata(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    error: str | None = None


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    data: list[_Entry]
    metadata: _Metadata = _Metadata()


def parse_fear_greed_payload(payload: Any, source: str) -> DailySeries:
    """The series in an alternative.me ``/fng/`` answer (newest first there, oldest first here).

    Args:
        payload: the decoded JSON answer.
        source: where it came from, for error messages.

    Raises:
        DataValidationError: the API reported an error, or the answer has the wrong shape,
            a value outside 0-100, no entry, or two entries for one time.
    """
    try:
        parsed = _Payload.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "answer"
        raise DataValidationError(
            f"{source}: malformed Fear & Greed answer at {where}: {first['msg']}"
        ) from None
    if parsed.metadata.error:
        raise DataValidationError(f"{source}: Fear & Greed API error: {parsed.metadata.error}")
    if not parsed.data:
        raise DataValidationError(f"{source}: Fear & Greed answer has no data")
    entries = sorted(parsed.data, key=lambda entry: entry.timestamp)
    timestamps = np.array([e.timestamp for e in entries], dtype=np.int64) * _MS_PER_S
    if np.any(np.diff(timestamps) == 0):
        raise DataValidationError(f"{source}: Fear & Greed answer has two values for one day")
    return DailySeries(
        timestamps=timestamps,
        values=np.array([e.value for e in entries], dtype=np.float64),
        labels=tuple(e.value_classification for e in entries),
    )


class FearGreedClient:
    """Reads the index from the alternative.me API through a file cache.

    Args:
        settings: the sentiment section (URL, cache TTL, timeout).
        cache_dir: directory of the cache files (``Settings.cache_dir``).
        clock: decides whether a cached answer is still fresh.

    Example:
        >>> client = FearGreedClient(settings.sentiment, cache_dir=settings.cache_dir,
        ...                          clock=LiveClock())  # doctest: +SKIP
        >>> client.history().values[-1]  # doctest: +SKIP
        40.0
    """

    def __init__(self, settings: SentimentSettings, *, cache_dir: Path, clock: Clock) -> None:
        self._settings = settings
        self._url = settings.fear_greed_url
        self._host = httpx.URL(self._url).netloc.decode("ascii")
        self._cache = JsonCache(cache_dir, "fear_greed")
        self._clock = clock

    def history(self, limit: int = 0) -> DailySeries:
        """The latest ``limit`` days (0: the whole history, about 3,000 days).

        A cached answer younger than the TTL is returned without any request.

        Raises:
            NetworkUnavailableError: the API cannot be reached and nothing is cached; the
                message names the host.
            RateLimitedError: the API answered 429 and nothing is cached.
            DataValidationError: the API answered something that is not the index.
        """
        key = f"{self._url}?limit={limit}&format=json"
        cached = self._cache.read(key)
        if cached is not None and cached.is_fresh(
            self._clock, self._settings.fear_greed_cache_ttl_s
        ):
            return parse_fear_greed_payload(cached.payload, str(self._cache.path(key)))
        try:
            payload = self._download(limit)
        except TemporaryError as exc:
            if cached is None:
                raise
            warn_once(
                f"fear_greed.stale:{key}",
                f"{exc}; using the cached Fear & Greed index ({cached.describe()})",
            )
            return parse_fear_greed_payload(cached.payload, str(self._cache.path(key)))
        series = parse_fear_greed_payload(payload, self._host)
        self._cache.write(key, payload, self._clock.timestamp_ms())
        return series

    def _download(self, limit: int) -> Any:
        timeout = httpx.Timeout(self._settings.timeout_s)
        try:
            with httpx.Client(timeout=timeout, follow_redirects=True) as http:
                response = http.get(self._url, params={"limit": limit, "format": "json"})
        except httpx.TransportError as exc:
            raise NetworkUnavailableError(
                f"Fear & Greed API unreachable: {self._host} ({type(exc).__name__})"
            ) from exc
        if response.status_code == httpx.codes.TOO_MANY_REQUESTS:
            raise RateLimitedError(f"Fear & Greed API rate-limited: {self._host} (HTTP 429)")
        if response.status_code != httpx.codes.OK:
            raise NetworkUnavailableError(
                f"Fear & Greed API unavailable: {self._host} answered HTTP {response.status_code}"
            )
        try:
            return response.json()
        except ValueError:
            raise DataValidationError(f"{self._host}: Fear & Greed answer is not JSON") from None


def load_fear_greed_csv(path: Path | str) -> DailySeries:
    """The index history from a CSV file shaped like ``alternative-me_fear-greed_1d.csv``.

    Columns ``date,timestamp,value,classification``: ``timestamp`` is epoch seconds at 00:00 UTC
    of ``date``; ``date`` and ``classification`` are optional but checked when present.

    Raises:
        UserInputError: the file does not exist.
        DataValidationError: a column is missing or a row is invalid; the message gives the line.
    """
    source = Path(path)
    try:
        frame = pd.read_csv(source, dtype={"date": str, "classification": str})
    except FileNotFoundError:
        raise UserInputError(f"{source}: no such Fear & Greed file") from None
    except (OSError, ValueError) as exc:
        raise DataValidationError(f"{source}: cannot read as CSV ({exc})") from None
    missing = [c for c in ("timestamp", "value") if c not in frame.columns]
    if missing:
        raise DataValidationError(
            f"{source}: missing column(s) {', '.join(missing)}; expected {','.join(_CSV_COLUMNS)}"
        )
    seconds = pd.to_numeric(frame["timestamp"], errors="coerce").to_numpy(dtype=np.float64)
    values = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=np.float64)
    _check_rows(source, seconds, values)
    timestamps = seconds.astype(np.int64) * _MS_PER_S
    if "date" in frame.columns:
        _check_dates(source, timestamps, frame["date"].to_numpy(dtype=object))
    labels = None
    if "classification" in frame.columns:
        labels = tuple(str(label) for label in frame["classification"].fillna(""))
    return DailySeries(timestamps=timestamps, values=values, labels=labels)


def _fail_at(source: Path, mask: np.ndarray[Any, np.dtype[np.bool_]], reason: str) -> None:
    """Raise for the first row where ``mask`` is true (line numbers count the header)."""
    if bool(mask.any()):
        row = int(np.argmax(mask))
        raise DataValidationError(f"{source}: line {row + 2}: {reason}")


def _check_rows(source: Path, seconds: np.ndarray[Any, Any], values: np.ndarray[Any, Any]) -> None:
    if seconds.shape[0] == 0:
        raise DataValidationError(f"{source}: no rows")
    with np.errstate(invalid="ignore"):
        _fail_at(source, ~np.isfinite(seconds) | (seconds != np.floor(seconds)), "bad timestamp")
        _fail_at(
            source, (seconds <= 0) | (seconds >= _SECONDS_MAX), "timestamp must be epoch seconds"
        )
        _fail_at(source, ~((values >= 0) & (values <= 100)), "value must be a number in 0-100")
    order = np.r_[False, np.diff(seconds) <= 0]
    _fail_at(source, order, "timestamps must be strictly increasing (sorted, one row per day)")


def _check_dates(
    source: Path, timestamps_ms: np.ndarray[Any, Any], dates: np.ndarray[Any, Any]
) -> None:
    expected = timestamps_ms.astype("datetime64[ms]").astype("datetime64[D]").astype(str)
    given = np.array([str(d).strip() for d in dates], dtype=object)
    _fail_at(
        source, expected.astype(object) != given, "date does not match the timestamp's UTC day"
    )
