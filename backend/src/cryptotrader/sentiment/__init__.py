"""Market sentiment: the Fear & Greed index and Google Trends interest, as dated series.

``load_sentiment`` builds the keyword dependencies of the sentiment indicators for
``default_indicators(**dependencies)``. A source that cannot be read becomes None, so its
indicator reads neutral with weight 0: sentiment is context, never a reason to stop. Each such
fallback is announced once per process on the ``cryptotrader.sentiment`` logger.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptotrader.clock import Clock, LiveClock
from cryptotrader.errors import DataValidationError, TemporaryError
from cryptotrader.sentiment._cache import reset_notices, warn_once
from cryptotrader.sentiment.series import DEFAULT_MAX_AGE, DailySeries

if TYPE_CHECKING:
    from cryptotrader.config import Settings
    from cryptotrader.sentiment.fear_greed import (
        FearGreedClient,
        load_fear_greed_csv,
        parse_fear_greed_payload,
    )
    from cryptotrader.sentiment.google_trends import GoogleTrendsClient

# The clients load on first use (PEP 562): the indicators import ``sentiment.series`` for every
# backtest, which must not pay for httpx, pandas, pytrends and requests.
_WHERE = {
    "FearGreedClient": "cryptotrader.sentiment.fear_greed",
    "load_fear_greed_csv": "cryptotrader.sentiment.fear_greed",
    "parse_fear_greed_payload": "cryptotrader.sentiment.fear_greed",
    "GoogleTrendsClient": "cryptotrader.sentiment.google_trends",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: Indicator names (and dependency keywords) fed by this package.
SENTIMENT_INDICATORS: tuple[str, ...] = ("fear_greed", "google_trends")

__all__ = [
    "DEFAULT_MAX_AGE",
    "SENTIMENT_INDICATORS",
    "DailySeries",
    "FearGreedClient",
    "GoogleTrendsClient",
    "load_fear_greed_csv",
    "load_sentiment",
    "parse_fear_greed_payload",
    "reset_notices",
]


def load_sentiment(
    settings: Settings,
    fear_greed_file: Path | None = None,
    *,
    names: Collection[str] | None = None,
    clock: Clock | None = None,
) -> dict[str, DailySeries | None]:
    """The sentiment histories, keyed by the indicator keyword that takes them.

    Args:
        settings: the application settings (sentiment section and cache directory).
        fear_greed_file: read Fear & Greed from this CSV (backtests) instead of the API.
        names: indicator names that will run; sources nobody needs are not fetched.
        clock: decides cache freshness (``LiveClock`` by default).

    Raises:
        UserInputError: ``fear_greed_file`` is missing or invalid (a bad file is the user's
            to fix; only remote sources degrade to neutral).
    """
    wanted = set(SENTIMENT_INDICATORS if names is None else names)
    now = clock or LiveClock()
    dependencies: dict[str, DailySeries | None] = {}
    if "fear_greed" in wanted:
        dependencies["fear_greed"] = _fear_greed(settings, fear_greed_file, now)
    if "google_trends" in wanted:
        from cryptotrader.sentiment.google_trends import GoogleTrendsClient  # noqa: PLC0415

        client = GoogleTrendsClient(settings.sentiment, cache_dir=settings.cache_dir, clock=now)
        dependencies["google_trends"] = client.interest_over_time()
    return dependencies


def _fear_greed(settings: Settings, path: Path | None, clock: Clock) -> DailySeries | None:
    from cryptotrader.sentiment.fear_greed import FearGreedClient, load_fear_greed_csv  # noqa: PLC0415

    if path is not None:
        return load_fear_greed_csv(path)
    client = FearGreedClient(settings.sentiment, cache_dir=settings.cache_dir, clock=clock)
    try:
        return client.history()
    except (TemporaryError, DataValidationError) as exc:
        warn_once(
            "fear_greed.unavailable",
            f"{exc}; fear_greed is neutral with weight 0 (offline, --fear-greed FILE gives the "
            "strategies their sentiment, e.g. ../shared/data/alternative-me_fear-greed_1d.csv)",
        )
        return None
