"""Google Trends: the real pytrends against a local server speaking Google's web protocol."""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cryptotrader.clock import TestClock
from cryptotrader.config import SentimentSettings
from cryptotrader.domain.timeframes import DAY_MS, WEEK_MS
from cryptotrader.sentiment import GoogleTrendsClient
from cryptotrader.sentiment.google_trends import availability
from tests.support.sentiment_server import LocalServer, ServerState, closed_port, serve

pytestmark = pytest.mark.timeout(900)

SUNDAY_S = 1_704_585_600  # 2024-01-07 00:00 UTC, a Sunday: Google's label of that week
WEEK_S = 7 * 86_400
TTL_S = 6 * 3_600


def _client(
    url: str, cache_dir: Path, clock: TestClock, *, enabled: bool = True
) -> GoogleTrendsClient:
    settings = SentimentSettings(
        google_trends_url=f"{url}/trends",
        google_trends_enabled=enabled,
        google_trends_cache_ttl_s=TTL_S,
        timeout_s=30.0,
    )
    return GoogleTrendsClient(settings, cache_dir=cache_dir, clock=clock)


def _weeks(state: ServerState, values: list[int], *, partial_last: bool = True) -> None:
    last = len(values) - 1
    state.trends = [
        (SUNDAY_S + i * WEEK_S, v, partial_last and i == last) for i, v in enumerate(values)
    ]


def _notices(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "cryptotrader.sentiment" and text in r.getMessage()
    ]


def test_google_trends_when_server_answers_speaks_googles_protocol(
    server: LocalServer, cache_dir: Path, clock: TestClock
) -> None:
    _weeks(server.state, [20, 40, 60, 33])
    series = _client(server.url, cache_dir, clock).interest_over_time()
    assert series is not None
    assert [r.path for r in server.state.requests] == [
        "/trends/explore/",
        "/trends/api/explore",
        "/trends/api/widgetdata/multiline",
    ]
    explore, multiline = server.state.requests[1], server.state.requests[2]
    assert explore.method == "POST"
    assert '"keyword": "bitcoin"' in explore.query["req"][0]
    assert explore.query["tz"] == ["0"]
    assert multiline.cookies == "NID=511=local"  # the cookie from /explore is sent back
    assert series.values.tolist() == [20.0, 40.0, 60.0]  # the partial week is dropped


def test_google_trends_when_weekly_values_are_stamped_when_their_week_has_ended(
    server: LocalServer, cache_dir: Path, clock: TestClock
) -> None:
    _weeks(server.state, [20, 40, 60, 33])
    series = _client(server.url, cache_dir, clock).interest_over_time()
    assert series is not None
    first_week_end = (SUNDAY_S + WEEK_S) * 1000  # Sunday 2024-01-14 00:00: the next label
    expected = first_week_end + DAY_MS + WEEK_MS * np.arange(3)  # plus the default one-day lag
    assert series.timestamps.tolist() == expected.tolist()
    mid_week = SUNDAY_S * 1000 + 3 * DAY_MS
    just_before = first_week_end + DAY_MS - 1
    aligned = series.align(np.array([mid_week, just_before, first_week_end + DAY_MS]))
    assert np.isnan(aligned[:2]).all()  # the week of 2024-01-07 is not known during it
    assert aligned[2] == 20.0  # from Monday 2024-01-15 00:00


def test_availability_when_spacing_irregular_uses_the_next_label_and_the_widest_period() -> None:
    starts = np.array([0, 31 * DAY_MS, 59 * DAY_MS], dtype=np.int64)  # monthly labels
    ends = availability(starts, timedelta(0))
    assert ends.tolist() == [31 * DAY_MS, 59 * DAY_MS, 90 * DAY_MS]
    single = availability(np.array([0], dtype=np.int64), timedelta(hours=1))
    assert single.tolist() == [WEEK_MS + 3_600_000]


def test_google_trends_when_cache_fresh_does_not_reach_the_server(
    server: LocalServer, cache_dir: Path, clock: TestClock
) -> None:
    _weeks(server.state, [20, 40, 60])
    first = _client(server.url, cache_dir, clock).interest_over_time()
    clock.advance(TTL_S * 1000 - 1)
    second = _client(server.url, cache_dir, clock).interest_over_time()
    assert len(server.state.requests) == 3  # one handshake and one data request, once
    assert first is not None
    assert second is not None
    np.testing.assert_array_equal(first.values, second.values)
    np.testing.assert_array_equal(first.timestamps, second.timestamps)


def test_google_trends_when_ttl_expired_fetches_again(
    server: LocalServer, cache_dir: Path, clock: TestClock
) -> None:
    _weeks(server.state, [20, 40, 60])
    client = _client(server.url, cache_dir, clock)
    client.interest_over_time()
    _weeks(server.state, [20, 40, 60, 80])
    clock.advance(TTL_S * 1000)
    series = client.interest_over_time()
    assert len(server.state.requests) == 6
    assert series is not None
    assert series.values.tolist() == [20.0, 40.0, 60.0]


def test_google_trends_when_unreachable_is_none_and_says_so_once(
    cache_dir: Path, clock: TestClock, caplog: pytest.LogCaptureFixture
) -> None:
    port = closed_port()
    client = _client(f"http://127.0.0.1:{port}", cache_dir, clock)
    with caplog.at_level(logging.WARNING, logger="cryptotrader.sentiment"):
        assert client.interest_over_time() is None
        assert client.interest_over_time() is None
        assert _client(f"http://127.0.0.1:{port}", cache_dir, clock).interest_over_time() is None
    (notice,) = _notices(caplog, "Google Trends")
    assert f"unreachable: 127.0.0.1:{port}" in notice
    assert "neutral with weight 0" in notice


def test_google_trends_when_disabled_is_none_without_any_request(
    server: LocalServer, cache_dir: Path, clock: TestClock, caplog: pytest.LogCaptureFixture
) -> None:
    _weeks(server.state, [20, 40])
    client = _client(server.url, cache_dir, clock, enabled=False)
    with caplog.at_level(logging.WARNING, logger="cryptotrader.sentiment"):
        assert client.interest_over_time() is None
        assert client.interest_over_time() is None
    assert server.state.requests == []
    assert len(_notices(caplog, "disabled")) == 1


def test_google_trends_when_server_down_uses_stale_cache_and_says_so_once(
    cache_dir: Path, clock: TestClock, caplog: pytest.LogCaptureFixture
) -> None:
    state = ServerState()
    _weeks(state, [20, 40, 60])
    with serve(state) as running:
        url = running.url
        _client(url, cache_dir, clock).interest_over_time()
    clock.advance(10 * TTL_S * 1000)
    with caplog.at_level(logging.WARNING, logger="cryptotrader.sentiment"):
        first = _client(url, cache_dir, clock).interest_over_time()
        second = _client(url, cache_dir, clock).interest_over_time()
    assert first is not None
    assert second is not None
    assert first.values.tolist() == second.values.tolist() == [20.0, 40.0]
    assert len(_notices(caplog, "using cached Google Trends")) == 1


@pytest.mark.parametrize("case", [(429, "rate-limited"), (500, "answered HTTP 500")])
def test_google_trends_when_google_refuses_is_none_and_says_why(
    server: LocalServer,
    cache_dir: Path,
    clock: TestClock,
    caplog: pytest.LogCaptureFixture,
    case: tuple[int, str],
) -> None:
    server.state.status, text = case
    with caplog.at_level(logging.WARNING, logger="cryptotrader.sentiment"):
        assert _client(server.url, cache_dir, clock).interest_over_time() is None
    (notice,) = _notices(caplog, "Google Trends")
    assert text in notice


def test_google_trends_when_answer_is_not_googles_format_is_none(
    server: LocalServer, cache_dir: Path, clock: TestClock, caplog: pytest.LogCaptureFixture
) -> None:
    server.state.raw_body = b')]}\'\n{"no_widgets": []}'
    with caplog.at_level(logging.WARNING, logger="cryptotrader.sentiment"):
        assert _client(server.url, cache_dir, clock).interest_over_time() is None
    (notice,) = _notices(caplog, "Google Trends")
    assert "unexpected answer" in notice


def test_google_trends_when_keyword_has_no_data_is_none(
    server: LocalServer, cache_dir: Path, clock: TestClock, caplog: pytest.LogCaptureFixture
) -> None:
    server.state.trends = []
    with caplog.at_level(logging.WARNING, logger="cryptotrader.sentiment"):
        assert _client(server.url, cache_dir, clock).interest_over_time() is None
    assert "no data for 'bitcoin'" in _notices(caplog, "Google Trends")[0]


def test_pytrends_when_answer_is_complete_runs_on_pandas_3_without_warnings(
    server: LocalServer, cache_dir: Path, clock: TestClock
) -> None:
    _weeks(server.state, [20, 40, 60, 33])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a pandas deprecation inside pytrends would fail here
        series = _client(server.url, cache_dir, clock).interest_over_time()
    assert series is not None
    assert series.values.tolist() == [20.0, 40.0, 60.0]


def test_pytrends_when_a_point_lacks_a_text_field_warns_in_fillna_on_pandas_3(
    server: LocalServer, cache_dir: Path, clock: TestClock
) -> None:
    """Pins pytrends 4.9's one pandas 3 hazard: ``df.fillna(False)`` in interest_over_time.

    pandas 3 stores text as ``str`` dtype; filling a missing text cell with ``False`` warns
    (Pandas4Warning) and will raise TypeError in pandas 4, which the client then reports as an
    unexpected answer (neutral). Google sends every field today, so this needs a doctored answer.
    """
    _weeks(server.state, [20, 40, 60, 33])
    server.state.trends_drop_field = "formattedAxisTime"
    with pytest.warns(pd.errors.Pandas4Warning, match="fill value for str dtype"):
        series = _client(server.url, cache_dir, clock).interest_over_time()
    assert series is not None
    assert series.values.tolist() == [20.0, 40.0, 60.0]
