"""What the trading suites' local Binance servers serve (``tests.support.feeds``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cryptotrader.domain.market import CandleArrays
from tests.support.feeds import hourly_candles


@pytest.fixture
def hours(shared_data: Path) -> CandleArrays:
    """The first 400 hours of BTC/USDT."""
    return hourly_candles(shared_data)
