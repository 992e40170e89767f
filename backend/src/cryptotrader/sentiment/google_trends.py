"""Google Trends interest over time (pytrends), cached, and never a reason to stop trading.

Google has no official API: pytrends speaks the web page's protocol (an ``NID`` cookie from
``/explore``, a widget token from ``/api/explore``, then ``/api/widgetdata/multiline``). It is
often rate-limited or blocked, so this source degrades instead of failing: when Google cannot be
reached (or the source is disabled in settings) a stale cache is used if there is one, otherwise
the result is None (the indicator is then neutral with weight 0), and either is logged once per
process.

Timing: for the default ``today 5-y`` range Google returns one value per week, stamped with the
week's **first** day (a Sunday, 00:00). That value is only known once the week is over, so the
series built here is stamped with the week's end (the next label) plus ``lag`` (default one day,
covering Google's time-zone bucketing and late revisions); the current, partial week is dropped.

pytrends 4.9.2 with urllib3 2 and pandas 3: ``_get_data`` builds ``Retry(method_whitelist=...)``
when ``retries`` or ``backoff_factor`` > 0, a keyword urllib3 2 removed (TypeError), so both stay
0 here (the cache is the retry policy). ``interest_over_time`` works on pandas 3 for the answers
Google sends; its one hazard is ``df.fillna(False)``: if a timeline point lacks a text field,
pandas 3 warns (``Pandas4Warning``) and pandas 4 will raise TypeError, which this client reports
as an unexpected answer (neutral), not a crash.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import requests
from pytrends import exceptions as pytrends_errors
from pytrends import request as pytrends_request
from pytrends.request import TrendReq

from cryptotrader.clock import Clock
from cryptotrader.config import SentimentSettings
from cryptotrader.domain.market import IntArray
from cryptotrader.domain.timeframes import WEEK_MS
from cryptotrader.errors import (
    DataValidationError,
    NetworkUnavailableError,
    RateLimitedError,
    TemporaryError,
)
from cryptotrader.sentiment._cache import JsonCache, warn_once
from cryptotrader.sentiment.series import DailySeries

DEFAULT_TIMEFRAME = "today 5-y"
DEFAULT_LAG = timedelta(days=1)
_GOOGLE_BASE = pytrends_request.BASE_TRENDS_URL  # https://trends.google.com/trends


class _TrendReq(TrendReq):  # type: ignore[misc] # pytrends is untyped
    """pytrends pointed at ``base_url`` instead of trends.google.com.

    pytrends builds its URLs from module and class constants (``BASE_TRENDS_URL``,
    ``TrendReq.GENERAL_URL`` ...) and reads them as ``TrendReq.X``, so overriding attributes in a
    subclass would not be enough. Every API call goes through ``_get_data`` and the cookie through
    ``GetGoogleCookie``: rewriting the URL there redirects all of them, without touching globals.
    """

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        self._base_url = base_url.rstrip("/")
        super().__init__(**kwargs)  # fetches the cookie, through the override below

    def _local(self, url: str) -> str:
        if not url.startswith(_GOOGLE_BASE):
            raise RuntimeError(f"pytrends asked for an unexpected URL: {url}")
        return self._base_url + url.removeprefix(_GOOGLE_BASE)

    def GetGoogleCookie(self) -> dict[str, str]:  # noqa: N802 - pytrends' name
        """The ``NID`` cookie Google sets on the explore page (no proxy rotation)."""
        response = requests.get(
            f"{self._base_url}/explore/?geo={self.hl[-2:]}",
            timeout=self.timeout,
            **self.requests_args,
        )
        cookies = response.cookies.items()
        return {name: value for name, value in cookies if name == "NID" and value is not None}

    def _get_data(
        self, url: str, method: str = TrendReq.GET_METHOD, trim_chars: int = 0, **kwargs: Any
    ) -> Any:
        return super()._get_data(self._local(url), method=method, trim_chars=trim_chars, **kwargs)


def availability(period_starts_ms: IntArray, lag: timedelta) -> IntArray:
    """When each period's value becomes known: the next period's start, plus ``lag``.

    The last period ends one period-length after its start; the longest spacing seen is used
    (a week when there is a single point), so a month-long period is never assumed shorter.
    """
    starts = np.asarray(period_starts_ms, dtype=np.int64)
    if starts.shape[0] == 0:
        return starts
    spacing = np.diff(starts)
    last_width = int(spacing.max()) if spacing.shape[0] else WEEK_MS
    ends: IntArray = np.append(starts[1:], starts[-1] + last_width)
    lag_ms = int(lag / timedelta(milliseconds=1))
    return ends + lag_ms


def _frame_points(frame: pd.DataFrame, keyword: str) -> list[list[int]]:
    """``[[period start epoch s, value], ...]`` of the complete periods in pytrends' frame."""
    if frame.empty or keyword not in frame.columns:
        raise DataValidationError(f"Google Trends returned no data for {keyword!r}")
    complete = frame[~frame["isPartial"].astype(bool)] if "isPartial" in frame.columns else frame
    starts = complete.index.to_numpy(dtype="datetime64[s]").astype(np.int64)
    values = complete[keyword].to_numpy(dtype=np.int64)
    return [[int(s), int(v)] for s, v in zip(starts, values, strict=True)]


class GoogleTrendsClient:
    """Google Trends interest in ``settings.google_trends_keyword``, through a file cache.

    Args:
        settings: the sentiment section (URL, keyword, enabled, cache TTL, timeout).
        cache_dir: directory of the cache files (``Settings.cache_dir``).
        clock: decides whether a cached answer is still fresh.
        timeframe: pytrends' range; the default gives weekly values over five years.
        lag: extra delay after a period's end before its value is used (see the module doc).
    """

    def __init__(
        self,
        settings: SentimentSettings,
        *,
        cache_dir: Path,
        clock: Clock,
        timeframe: str = DEFAULT_TIMEFRAME,
        lag: timedelta = DEFAULT_LAG,
    ) -> None:
        self._settings = settings
        self._cache = JsonCache(cache_dir, "google_trends")
        self._clock = clock
        self._timeframe = timeframe
        self._lag = lag
        self._base_url = settings.google_trends_url.rstrip("/")

    def interest_over_time(self) -> DailySeries | None:
        """Interest (0-100) stamped with the time each value became known; None if unavailable.

        Never raises for an unreachable, rate-limiting or misbehaving Google: it says so once
        per process (``cryptotrader.sentiment`` logger) and falls back to the cache or None.
        """
        if not self._settings.google_trends_enabled:
            warn_once("google_trends.disabled", "Google Trends is disabled in settings: neutral")
            return None
        key = f"{self._base_url}|{self._settings.google_trends_keyword}|{self._timeframe}"
        cached = self._cache.read(key)
        if cached is not None and cached.is_fresh(
            self._clock, self._settings.google_trends_cache_ttl_s
        ):
            return self._series(cached.payload)
        try:
            points = self._download()
        except (TemporaryError, DataValidationError) as exc:
            if cached is not None:
                warn_once(
                    f"google_trends.stale:{key}",
                    f"{exc}; using cached Google Trends ({cached.describe()})",
                )
                return self._series(cached.payload)
            warn_once("google_trends.unavailable", f"{exc}; google_trends is neutral with weight 0")
            return None
        self._cache.write(key, points, self._clock.timestamp_ms())
        return self._series(points)

    def _series(self, points: list[list[int]]) -> DailySeries:
        starts = np.array([p[0] for p in points], dtype=np.int64) * 1000
        return DailySeries(
            timestamps=availability(starts, self._lag),
            values=np.array([p[1] for p in points], dtype=np.float64),
        )

    def _download(self) -> list[list[int]]:
        keyword = self._settings.google_trends_keyword
        host = urlsplit(self._base_url).netloc
        timeout = (self._settings.timeout_s, self._settings.timeout_s)
        try:
            trends = _TrendReq(self._base_url, hl="en-US", tz=0, timeout=timeout, retries=0)
            trends.build_payload([keyword], timeframe=self._timeframe)
            frame = trends.interest_over_time()
        except requests.RequestException as exc:
            raise NetworkUnavailableError(
                f"Google Trends unreachable: {host} ({type(exc).__name__})"
            ) from exc
        except pytrends_errors.TooManyRequestsError as exc:
            raise RateLimitedError(f"Google Trends rate-limited: {host} (HTTP 429)") from exc
        except pytrends_errors.ResponseError as exc:
            status = getattr(exc.response, "status_code", "?")
            raise NetworkUnavailableError(
                f"Google Trends unavailable: {host} answered HTTP {status}"
            ) from exc
        except (ValueError, KeyError, TypeError) as exc:  # JSON or pandas choked on the answer
            raise DataValidationError(
                f"Google Trends {host}: unexpected answer ({type(exc).__name__}: {exc})"
            ) from exc
        return _frame_points(frame, keyword)
