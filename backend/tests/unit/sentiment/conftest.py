"""Fixtures of the sentiment tests: fresh once-per-process notices, local servers, settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cryptotrader.clock import TestClock
from cryptotrader.sentiment import reset_notices
from tests.support.sentiment_server import LocalServer, ServerState, serve

# 2024-01-15 00:00 UTC: a fixed "now" for cache ages.
NOW_MS = 1_705_276_800_000


@pytest.fixture(autouse=True)
def _fresh_notices() -> Iterator[None]:
    """Each test sees the once-per-process notices as a new process would."""
    reset_notices()
    yield
    reset_notices()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with serve(ServerState()) as running:
        yield running


@pytest.fixture
def clock() -> TestClock:
    return TestClock(NOW_MS)


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"
