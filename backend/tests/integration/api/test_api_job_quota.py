"""Per-user quota of unfinished jobs: 30 queued backtests from one token slowed everyone.

The pool's only worker is held busy, so every launched job stays unfinished until the test lets
it go: the quota is counted on real queued/running rows, not on timing.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from cryptotrader.bus import InProcessBus
from cryptotrader.clock import TestClock
from cryptotrader.persistence import Database
from tests.integration.api.harness import make_settings, running_api, seed_candles
from tests.integration.conftest import FAST

pytestmark = pytest.mark.asyncio

QUOTA = 2
BODY = {"pair": "BTC/USDT", "timeframe": "1h", "strategy": "sma_cross"}
PORTFOLIO = {"pair": "BTC/USDT", "timeframe": "1h", "sweep": "0.1:0.5:0.1"}


async def test_jobs_beyond_the_per_user_quota_are_refused(
    sqlite_db: Database, clock: TestClock
) -> None:
    await seed_candles(sqlite_db, 300)
    release = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1)
    pool.submit(release.wait, 120)  # the worker is busy: launched jobs stay unfinished
    bus = InProcessBus(options=FAST)
    settings = make_settings(max_jobs_per_user=QUOTA)
    try:
        async with running_api(sqlite_db, bus, clock, settings=settings, executor=pool) as api:
            await api.login("trader")
            await api.login("other")
            launched = [await api.post("trader", "/api/backtest", json=BODY) for _ in range(QUOTA)]
            refused = await api.post("trader", "/api/backtest", json=BODY)
            portfolio = await api.post("trader", "/api/backtest/portfolio", json=PORTFOLIO)
            someone_else = await api.post("other", "/api/backtest", json=BODY)
            release.set()
    finally:
        release.set()
        pool.shutdown(wait=True)
        await bus.close()

    assert [answer.status_code for answer in launched] == [202] * QUOTA
    assert refused.status_code == 429, refused.text
    assert f"(at most {QUOTA})" in refused.json()["detail"]
    assert portfolio.status_code == 429, portfolio.text
    assert someone_else.status_code == 202, someone_else.text
