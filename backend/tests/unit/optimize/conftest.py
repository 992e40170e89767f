"""Real BTC/USDT hourly candles for optimisation tests (a slice: tests stay quick)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cryptotrader.domain.market import CandleArrays
from cryptotrader.marketdata.io import read_ohlcv


@pytest.fixture(scope="session")
def btc_hourly(shared_data: Path) -> CandleArrays:
    """8,000 hourly candles of 2021-2022 (bull top and crash: parameters matter)."""
    arrays = read_ohlcv(shared_data / "binance_BTC-USDT_1h.csv.gz").arrays
    return arrays.slice(30_000, 38_000)
