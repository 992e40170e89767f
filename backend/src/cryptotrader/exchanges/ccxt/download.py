"""Download OHLCV candles from any ccxt exchange into a candle store or a file.

How a download runs:

1. **Check** the exchange serves candles (``has['fetchOHLCV']``) of that timeframe, load its spot
   markets, and check the pair is one of them (``UnknownNameError`` with a "did you mean").
2. **Plan** from what the sink already holds: only the candles before its first one (when
   ``since`` asks for older history) and after its last one are fetched, so nothing stored is
   downloaded twice and nothing is duplicated. Without ``since``, a new series starts at the
   beginning of the exchange's history (``since=0``) and an existing one simply continues.
3. **Page** through ``fetch_ohlcv(symbol, timeframe, since, limit)`` with the exchange's largest
   page (ccxt's ``features``), each page starting after the last candle of the one before, until
   the end of the plan, an empty page, or a page without anything new.
4. **Closed candles only**: ``until`` is exclusive, and a candle is kept only when its bucket has
   closed by the injected ``Clock``'s now; the still-forming candle every exchange returns last
   is dropped, never stored as if it were final.
5. **Errors** are mapped once at the ccxt edge (``map_ccxt_errors``); temporary ones (rate limits,
   network) are retried by a bounded ``RetryPolicy``, honouring ``Retry-After``.

Exchanges serve limited history, and that is reported, not hidden: the result's ``unavailable``
spans say which asked-for open times the exchange returned nothing for: before its first candle
(a pair listed later, an outage, or a venue that keeps a short window) and after its last one
when a page came back empty early (a delisted pair; or an exchange whose candle endpoint answers
a fixed time window, which ends the download at the first window without any candle). Kraken's
public OHLC endpoint is the known extreme: it keeps only the latest 720 candles of each interval
and ignores an older ``since``, so from Kraken only about 720 candles back can be downloaded
(12 hours of 1m candles, 30 days of 1h candles); ``KNOWN_HISTORY_LIMITS`` adds that explanation.

The library never prints; progress goes to an optional callback (the CLI draws a rich bar).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from cryptotrader.clock import Clock
from cryptotrader.domain.market import OHLCV_COLUMNS, CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.errors import TemporaryError, UnknownNameError, UserInputError
from cryptotrader.exchanges.ccxt import CcxtExchange, map_ccxt_errors
from cryptotrader.marketdata.sinks import CandleSink
from cryptotrader.marketdata.validation import validate_alignment, validate_arrays
from cryptotrader.retry import RetryPolicy, retry_async

T = TypeVar("T")

KNOWN_HISTORY_LIMITS: dict[str, str] = {
    "kraken": "kraken's public OHLC endpoint serves only the latest 720 candles of a timeframe",
}
"""Venues whose public candle history is capped, and how (shown with unavailable spans)."""

FLUSH_EVERY = 100_000
"""Candles kept in memory before they are handed to the sink."""


@dataclass(frozen=True, slots=True)
class DownloadRequest:
    """Which candles to download; ``until_ms`` is exclusive (open time < until)."""

    pair: Pair
    timeframe: Timeframe
    since_ms: int | None = None
    until_ms: int | None = None


@dataclass(frozen=True, slots=True)
class DownloadProgress:
    """How far a download is: ``done_ms`` of ``total_ms`` of time covered, ``fetched`` candles."""

    done_ms: int
    total_ms: int
    fetched: int
    retrying: str | None = None  # set while waiting to retry: why and how long


@dataclass(frozen=True, slots=True)
class Unavailable:
    """Open times ``[from_ms, to_ms)`` that were asked for and the exchange had no candle for."""

    from_ms: int
    to_ms: int

    def __str__(self) -> str:
        start, end = utc_from_ms(self.from_ms), utc_from_ms(self.to_ms)
        return f"no candles from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC"


@dataclass(frozen=True, slots=True)
class DownloadResult:
    """What a download did."""

    exchange: str
    pair: Pair
    timeframe: Timeframe
    fetched: int
    first_ms: int | None
    last_ms: int | None
    unavailable: list[Unavailable] = field(default_factory=list)
    history_note: str | None = None

    @property
    def up_to_date(self) -> bool:
        """True when there was nothing new to download."""
        return self.fetched == 0


ProgressCallback = Callable[[DownloadProgress], None]


@dataclass(frozen=True, slots=True)
class _Fetched:
    """What paging through ``[lo, hi)`` got: first and last open time, and where it stopped."""

    lo: int
    hi: int
    first_ms: int | None
    last_ms: int | None
    stopped_ms: int
    tf: Timeframe

    def unavailable(self, request: DownloadRequest) -> list[Unavailable]:
        """The asked-for spans the exchange had nothing for, at the start and at the end."""
        spans: list[Unavailable] = []
        from_beginning = self.lo == 0 and request.since_ms is None
        head_end = self.hi if self.first_ms is None else self.first_ms
        if not from_beginning and head_end > _first_open(self.tf, self.lo):
            spans.append(Unavailable(self.lo, head_end))
        if self.first_ms is not None and self.stopped_ms < self.hi:
            spans.append(Unavailable(self.stopped_ms, self.hi))
        return spans


class CandleDownloader:
    """Downloads closed candles of one exchange (see the module docstring).

    One download at a time per instance: ``download`` keeps its progress on ``self``.
    """

    def __init__(
        self,
        *,
        exchange: CcxtExchange,
        clock: Clock,
        retry: RetryPolicy | None = None,
        progress: ProgressCallback | None = None,
        flush_every: int = FLUSH_EVERY,
    ) -> None:
        self._exchange = exchange
        self._clock = clock
        self._retry = retry or RetryPolicy()
        self._progress = progress
        self._flush_every = flush_every
        self._pending: list[CandleArrays] = []
        self._done_ms = 0
        self._total_ms = 0
        self._fetched = 0

    async def download(self, request: DownloadRequest, sink: CandleSink) -> DownloadResult:
        """Fetch what ``sink`` lacks of ``request`` and write it; see the module docstring.

        Raises:
            UnknownNameError: the exchange has no such market.
            UserInputError: the exchange has no candles of this timeframe, or the range is empty.
            NetworkUnavailableError: the exchange could not be reached, after retries.
            RateLimitedError: the exchange kept refusing for rate limits, after retries.
            DataValidationError: the exchange sent a candle breaking an OHLCV rule.
        """
        symbol = await self._prepare(request)
        end = _end_ms(request, self._clock.timestamp_ms())
        ranges = _plan(request, await sink.bounds(), end)
        self._total_ms = sum(hi - lo for lo, hi in ranges)
        self._done_ms, self._fetched, self._pending = 0, 0, []
        fetched: list[_Fetched] = []
        try:
            for lo, hi in ranges:
                fetched.append(await self._fetch_range(symbol, request.timeframe, lo, hi, sink))
        except BaseException as exc:
            await self._flush_after_failure(sink, exc)
            raise
        await self._flush(sink)
        await sink.commit()
        return self._result(request, fetched)

    def _result(self, request: DownloadRequest, fetched: list[_Fetched]) -> DownloadResult:
        unavailable = [gap for f in fetched for gap in f.unavailable(request)]
        return DownloadResult(
            exchange=self._exchange.id,
            pair=request.pair,
            timeframe=request.timeframe,
            fetched=self._fetched,
            first_ms=min((f.first_ms for f in fetched if f.first_ms is not None), default=None),
            last_ms=max((f.last_ms for f in fetched if f.last_ms is not None), default=None),
            unavailable=unavailable,
            history_note=KNOWN_HISTORY_LIMITS.get(self._exchange.id) if unavailable else None,
        )

    # ------------------------------------------------------------------ steps

    async def _prepare(self, request: DownloadRequest) -> str:
        exchange, tf = self._exchange, request.timeframe
        if not exchange.has.get("fetchOHLCV"):
            raise UserInputError(f"{exchange.id} does not serve candles (no fetchOHLCV in ccxt)")
        if exchange.timeframes and tf.ccxt not in exchange.timeframes:
            offered = ", ".join(exchange.timeframes)
            raise UserInputError(f"{exchange.id} has no {tf} candles (it offers {offered})")
        since, until = request.since_ms, request.until_ms
        if since is not None and until is not None and until <= since:
            raise UserInputError("--until must be later than --since")
        markets = await self._call(exchange.load_markets)
        symbol = request.pair.symbol
        if symbol not in markets:
            raise UnknownNameError(f"{exchange.id} has no market {symbol}{_hint(symbol, markets)}")
        return symbol

    async def _fetch_range(
        self, symbol: str, tf: Timeframe, lo: int, hi: int, sink: CandleSink
    ) -> _Fetched:
        """Page through open times ``[lo, hi)``."""
        limit = _page_limit(self._exchange)
        source = f"{self._exchange.id} {symbol} {tf} candles"
        since, first, last = lo, None, None
        while since < hi:
            fetch = functools.partial(self._exchange.fetch_ohlcv, symbol, tf.ccxt, since, limit)
            candles = _page(await self._call(fetch), since, hi, source, tf)
            if len(candles) == 0:
                break
            if first is None:
                first = int(candles.timestamps[0])
                self._total_ms -= first - lo  # progress counts from the first candle there is
            last = int(candles.timestamps[-1])
            await self._keep(candles, sink)
            since = int(tf.bucket_end(candles.timestamps[-1:])[0])
            self._report(done=min(since, hi) - first)
        self._done_ms += hi - (lo if first is None else first)
        self._report(done=0)
        return _Fetched(lo=lo, hi=hi, first_ms=first, last_ms=last, stopped_ms=since, tf=tf)

    async def _call(self, call: Callable[[], Awaitable[T]]) -> T:
        async def attempt() -> T:
            with map_ccxt_errors(self._exchange):
                return await call()

        return await retry_async(attempt, policy=self._retry, on_retry=self._on_retry)

    # ------------------------------------------------------------------ buffering

    async def _keep(self, candles: CandleArrays, sink: CandleSink) -> None:
        self._pending.append(candles)
        self._fetched += len(candles)
        if sum(len(c) for c in self._pending) >= self._flush_every:
            await self._flush(sink)

    async def _flush(self, sink: CandleSink) -> None:
        if not self._pending:
            return
        chunk = _concat(self._pending)
        self._pending = []
        await sink.write(chunk)

    async def _flush_after_failure(self, sink: CandleSink, failure: BaseException) -> None:
        """Hand over what was fetched (a store keeps it; a file sink drops it without commit)."""
        try:
            await self._flush(sink)
        except Exception as exc:  # noqa: BLE001 - the original failure is the one to raise
            failure.add_note(f"also failed to save the candles fetched so far: {exc}")

    # ------------------------------------------------------------------ progress

    def _report(self, *, done: int, retrying: str | None = None) -> None:
        if self._progress is not None:
            done_ms = min(self._total_ms, self._done_ms + done)
            self._progress(DownloadProgress(done_ms, self._total_ms, self._fetched, retrying))

    def _on_retry(self, attempt: int, error: TemporaryError, wait_s: float) -> None:
        self._report(done=0, retrying=f"{error} - retry {attempt} in {wait_s:.1f} s")


def _end_ms(request: DownloadRequest, now_ms: int) -> int:
    """Exclusive bound on open times: ``until``, but never the still-forming candle."""
    forming = int(request.timeframe.bucket_start(np.array([now_ms], dtype=np.int64))[0])
    return forming if request.until_ms is None else min(request.until_ms, forming)


def _plan(
    request: DownloadRequest, held: tuple[int, int] | None, end: int
) -> list[tuple[int, int]]:
    """The ``[lo, hi)`` open-time ranges to fetch, oldest first, skipping what is held."""
    since = request.since_ms
    if held is None:
        lo = 0 if since is None else since
        return [(lo, end)] if lo < end else []
    first, last = held
    ranges: list[tuple[int, int]] = []
    if since is not None and since < first:
        ranges.append((since, min(first, end)))
    after_last = int(request.timeframe.bucket_end(np.array([last], dtype=np.int64))[0])
    lo = after_last if since is None else max(since, after_last)
    if lo < end:
        ranges.append((lo, end))
    return [(lo, hi) for lo, hi in ranges if lo < hi]


def _first_open(tf: Timeframe, at_ms: int) -> int:
    """The first candle open time at or after ``at_ms``."""
    before = tf.bucket_start(np.array([at_ms - 1], dtype=np.int64))
    return int(tf.bucket_end(before)[0])


def _page(rows: list[list[Any]], lo: int, hi: int, source: str, tf: Timeframe) -> CandleArrays:
    """The rows of one page with ``lo <= open time < hi`` as sorted, unique, valid candles."""
    if not rows:
        return _concat([])
    ts = np.array([row[0] for row in rows], dtype=np.int64)
    values = np.array([row[1:6] for row in rows], dtype=np.float64)
    order = np.argsort(ts, kind="stable")
    ts, values = ts[order], values[order]
    keep = np.r_[ts[1:] != ts[:-1], True] & (ts >= lo) & (ts < hi)
    ts, values = ts[keep], values[keep]
    candles = CandleArrays(ts, *(np.ascontiguousarray(values[:, i]) for i in range(5)))
    validate_arrays(candles, source)
    validate_alignment(candles.timestamps, tf, source)
    return candles


def _page_limit(exchange: CcxtExchange) -> int | None:
    """The largest page the exchange serves, from ccxt's ``features``; its default otherwise."""
    spot = (exchange.features or {}).get("spot") or {}
    limit = (spot.get("fetchOHLCV") or {}).get("limit")
    return limit if isinstance(limit, int) and limit > 0 else None


def _concat(chunks: list[CandleArrays]) -> CandleArrays:
    if len(chunks) == 1:
        return chunks[0]
    ts = [c.timestamps for c in chunks] or [np.empty(0, dtype=np.int64)]
    columns = [[getattr(c, name) for c in chunks] or [np.empty(0)] for name in OHLCV_COLUMNS]
    return CandleArrays(np.concatenate(ts), *(np.concatenate(col) for col in columns))


def _hint(symbol: str, markets: dict[str, Any]) -> str:
    spot = [s for s, m in markets.items() if isinstance(m, dict) and m.get("spot", True)]
    close = difflib.get_close_matches(symbol, spot, n=1, cutoff=0.5)
    return f"; did you mean {close[0]!r}?" if close else ""
