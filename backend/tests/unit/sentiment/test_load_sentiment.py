"""load_sentiment: the indicators' dependencies, from a file, a cached source, or nothing."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from cryptotrader.clock import TestClock
from cryptotrader.config import SentimentSettings, Settings
from cryptotrader.errors import DataValidationError
from cryptotrader.sentiment import load_sentiment
from tests.support.sentiment_server import LocalServer, closed_port

pytestmark = pytest.mark.timeout(900)


def _settings(tmp_path: Path, fear_greed_url: str, trends_url: str) -> Settings:
    sentiment = SentimentSettings(
        fear_greed_url=fear_greed_url, google_trends_url=trends_url, timeout_s=30.0
    )
    return Settings(data_dir=tmp_path / "data", sentiment=sentiment)


def _offline(tmp_path: Path) -> Settings:
    port = closed_port()
    return _settings(tmp_path, f"http://127.0.0.1:{port}/fng/", f"http://127.0.0.1:{port}/trends")


def test_load_sentiment_when_offline_gives_none_and_one_notice_per_source(
    tmp_path: Path, clock: TestClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _offline(tmp_path)
    with caplog.at_level(logging.WARNING, logger="cryptotrader.sentiment"):
        first = load_sentiment(settings, clock=clock)
        second = load_sentiment(settings, clock=clock)
    assert first == second == {"fear_greed": None, "google_trends": None}
    messages = [r.getMessage() for r in caplog.records if r.name == "cryptotrader.sentiment"]
    assert len(messages) == 2
    assert any(m.startswith("Fear & Greed API unreachable: 127.0.0.1:") for m in messages)
    assert any(m.startswith("Google Trends unreachable: 127.0.0.1:") for m in messages)


def test_load_sentiment_when_file_given_reads_it_instead_of_the_api(
    tmp_path: Path, clock: TestClock
) -> None:
    path = tmp_path / "fg.csv"
    path.write_text("date,timestamp,value,classification\n2024-01-01,1704067200,65,Greed\n")
    loaded = load_sentiment(_offline(tmp_path), path, names=["fear_greed"], clock=clock)
    series = loaded["fear_greed"]
    assert series is not None
    assert series.values.tolist() == [65.0]
    assert list(loaded) == ["fear_greed"]


def test_load_sentiment_when_file_invalid_raises_instead_of_going_neutral(
    tmp_path: Path, clock: TestClock
) -> None:
    path = tmp_path / "fg.csv"
    path.write_text("date,timestamp,value,classification\n2024-01-01,1704067200,900,Greed\n")
    with pytest.raises(DataValidationError, match="line 2"):
        load_sentiment(_offline(tmp_path), path, clock=clock)


def test_load_sentiment_when_no_sentiment_indicator_wanted_fetches_nothing(
    tmp_path: Path, server: LocalServer, clock: TestClock
) -> None:
    settings = _settings(tmp_path, f"{server.url}/fng/", f"{server.url}/trends")
    assert load_sentiment(settings, names=["rsi", "macd"], clock=clock) == {}
    assert server.state.requests == []


def test_load_sentiment_when_sources_answer_uses_both(
    tmp_path: Path, server: LocalServer, clock: TestClock
) -> None:
    server.state.fear_greed = [(1_704_067_200, 30)]
    server.state.trends = [(1_704_585_600, 50, False), (1_705_190_400, 60, True)]
    settings = _settings(tmp_path, f"{server.url}/fng/", f"{server.url}/trends")
    loaded = load_sentiment(settings, clock=clock)
    fear_greed, trends = loaded["fear_greed"], loaded["google_trends"]
    assert fear_greed is not None
    assert trends is not None
    assert fear_greed.values.tolist() == [30.0]
    assert trends.values.tolist() == [50.0]
    cached = sorted(path.name.split("-")[0] for path in settings.cache_dir.iterdir())
    assert cached == ["fear_greed", "google_trends"]  # both answers cached under cache_dir
