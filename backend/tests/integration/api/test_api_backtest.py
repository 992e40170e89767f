"""Backtests through the API: a real worker process, results, comparison, bad input."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from datetime import timedelta
from decimal import Decimal
from multiprocessing import get_context
from typing import Any

import pytest
import pytest_asyncio

from cryptotrader.bus import InProcessBus, topics
from cryptotrader.bus.messages import BacktestProgress
from cryptotrader.clock import TestClock
from cryptotrader.config import TradingSettings
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.engines.backtest import BacktestEngine
from cryptotrader.engines.backtest.multipair import PairSeries, PortfolioRequest, run_portfolio
from cryptotrader.engines.backtest.portfolio import PortfolioBacktest
from cryptotrader.persistence import Database
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.persistence.repositories import backtest_jobs, users
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.services.backtest_worker import start_worker
from cryptotrader.services.backtests import BacktestService
from cryptotrader.services.context import Actor, Origin, Role
from cryptotrader.strategies import create_strategy
from tests.integration.api.harness import (
    BTC,
    ApiHarness,
    Recorder,
    running_api,
    seed_candles,
    synthetic_candles,
    wait_for,
)
from tests.integration.conftest import FAST

ETH = Pair.parse("ETH/USDT")


@pytest_asyncio.fixture
async def process_api(sqlite_db: Database, clock: TestClock) -> AsyncIterator[ApiHarness]:
    """The app with a real spawned worker process for backtests."""
    await seed_candles(sqlite_db, 3000)
    bus = InProcessBus(options=FAST)
    pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"))
    try:
        async with running_api(sqlite_db, bus, clock, executor=pool) as api:
            await api.login("trader")
            yield api
    finally:
        pool.shutdown(wait=True)
        await bus.close()


async def _finished(api: ApiHarness, job: int) -> dict[str, object]:
    async with asyncio.timeout(600):  # a process pool on a loaded machine
        while True:
            status = (await api.get("trader", f"/api/backtest/{job}")).json()
            if status["status"] in ("succeeded", "failed"):
                return status  # type: ignore[no-any-return]
            await asyncio.sleep(0.1)


async def _succeeded(api: ApiHarness, path: str, body: Mapping[str, object]) -> dict[str, object]:
    """Launch a job as the trader and wait until it has succeeded; the job as then listed."""
    launched = await api.post("trader", path, json=body)
    assert launched.status_code == 202, launched.text
    job = await _finished(api, launched.json()["id"])
    assert job["status"] == "succeeded", job
    return job


async def _recorder(api: ApiHarness) -> Recorder:
    """What the API publishes on ``backtests`` from now on."""
    recorder = Recorder()
    await api.bus.subscribe(topics.BACKTESTS, group="test", consumer="t", handler=recorder.handler)
    return recorder


async def _progress(recorder: Recorder, job: object) -> list[BacktestProgress]:
    """The job's progress messages, once the last one (succeeded) has arrived."""

    def of_job() -> list[BacktestProgress]:
        found = recorder.messages.get(topics.BACKTESTS, [])
        return [m for m in found if isinstance(m, BacktestProgress) and m.job_id == job]

    async def succeeded() -> bool:
        return any(m.status == "succeeded" for m in of_job())

    await wait_for(succeeded, 120)
    return of_job()


@pytest.mark.asyncio
async def test_backtest_when_launched_runs_in_a_worker_while_the_api_keeps_answering(
    process_api: ApiHarness,
) -> None:
    api = process_api
    launched = await api.post(
        "trader",
        "/api/backtest",
        json={
            "pair": "BTC/USDT",
            "timeframe": "1h",
            "strategy": "sma_cross",
            "params": {"fast": 10, "slow": 30},
            "initial_capital": "5000",
        },
    )
    assert launched.status_code == 202, launched.text
    job = launched.json()["id"]
    assert launched.json()["status"] == "queued"
    # While the worker process runs the job, the event loop keeps serving requests: answers
    # arrive between two "running" readings (an in-loop run would go queued -> succeeded
    # inside one request).
    served_while_running = 0
    while (await api.get("trader", f"/api/backtest/{job}")).json()["status"] in (
        "queued",
        "running",
    ):
        assert (await api.get("trader", "/api/bots")).status_code == 200
        still = (await api.get("trader", f"/api/backtest/{job}")).json()["status"]
        served_while_running += still == "running"
        await asyncio.sleep(0.02)
    assert served_while_running > 0
    status = await _finished(api, job)
    assert status["status"] == "succeeded", status
    result = (await api.get("trader", f"/api/backtest/{job}/result")).json()
    (report,) = result["results"]
    assert report["strategy"] == "sma_cross(fast=10, slow=30)"
    assert report["initial_capital"] == "5000"
    assert report["candles"] == 3000
    assert report["total_trades"] == len(report["trades"]) > 0
    assert 2 <= len(report["equity_curve"]) <= 1001
    assert report["equity_curve"][-1]["equity"]
    listed = (await api.get("trader", "/api/backtest")).json()
    assert listed["count"] == 1
    assert listed["data"][0]["id"] == job


@pytest.mark.asyncio
async def test_compare_when_launched_reports_each_strategy_side_by_side(
    process_api: ApiHarness,
) -> None:
    api = process_api
    body = {"pair": "BTC/USDT", "strategies": ["sma_cross", "conservative", "aggressive"]}
    job = (await _succeeded(api, "/api/backtest/compare", body))["id"]
    result = (await api.get("trader", f"/api/backtest/{job}/result")).json()
    assert [r["strategy"].split("(")[0] for r in result["results"]] == [
        "sma_cross",
        "conservative",
        "aggressive",
    ]


@pytest.mark.asyncio
async def test_backtest_when_input_is_bad_is_refused_before_it_is_queued(api: ApiHarness) -> None:
    await seed_candles(api.database, 100)
    cases = [
        ({"pair": "BTC/USDT", "strategy": "sma_cross", "params": {"fsat": 5}}, 400, "fast"),
        ({"pair": "BTC/USDT", "strategy": "nope"}, 400, "unknown strategy"),
        ({"pair": "DOGE/USDT", "strategy": "sma_cross"}, 404, "no stored candles"),
        ({"pair": "BTC/USDT", "strategy": "sma_cross", "fee": "0.5"}, 422, None),
    ]
    for body, status, words in cases:
        answer = await api.post("trader", "/api/backtest", json=body)
        assert answer.status_code == status, (body, answer.text)
        if words:
            assert words in answer.json()["detail"]
    assert (await api.get("trader", "/api/backtest")).json()["count"] == 0


@pytest.mark.asyncio
async def test_backtest_when_too_few_candles_fails_with_the_reason(api: ApiHarness) -> None:
    await seed_candles(api.database, 40)
    launched = await api.post(
        "trader", "/api/backtest", json={"pair": "BTC/USDT", "strategy": "sma_cross"}
    )
    job = launched.json()["id"]
    await api.app.state.services.backtests.wait(job)
    status = (await api.get("trader", f"/api/backtest/{job}")).json()
    assert status["status"] == "failed"
    assert "candles" in status["error"]
    result = await api.get("trader", f"/api/backtest/{job}/result")
    assert result.status_code == 409


class _Stalled(Executor):
    """An executor whose work never finishes: a long backtest, frozen where it runs."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        return Future()


@pytest.mark.asyncio
async def test_backtest_when_its_api_process_dies_is_failed_once_its_heartbeat_stops(
    any_db: Database, clock: TestClock
) -> None:
    await seed_candles(any_db, 500)
    async with UnitOfWork(any_db) as uow:
        user = await users.find_user(session=uow.session, username="trader")
    assert user is not None
    trader = Actor(user_id=user.id, username="trader", role=Role.TRADER)
    request = {
        "pair": "BTC/USDT",
        "timeframe": "1h",
        "strategy": "sma_cross",
        "initial_capital": "1000",
        "exchange": "binance",
    }

    def service() -> BacktestService:
        return BacktestService(
            database=any_db,
            clock=clock,
            executor=_Stalled(),
            trading=TradingSettings(),
            heartbeat_s=3600,  # beats are driven by the test through sweep()
            orphaned_after=timedelta(minutes=3),
        )

    async def status(job: int) -> tuple[str, str | None]:
        async with UnitOfWork(any_db) as uow:
            row = await backtest_jobs.get_job(session=uow.session, job_id=job)
        assert row is not None
        return row.status, row.error

    dying, survivor = service(), service()
    job = (await dying.launch(trader, "single", request, Origin())).id
    async with asyncio.timeout(300):  # the launch marks it running in the background
        while await status(job) != ("running", None):  # noqa: ASYNC110 - state in the database
            await asyncio.sleep(0.02)
    minute = 60_000
    for _ in range(3):  # the process running it is alive: its beats keep the job running
        clock.advance(2 * minute)
        await dying.sweep()
        assert await survivor.sweep() == 0
    clock.advance(2 * minute)  # then it dies without a word (kill -9): no beat any more
    assert await survivor.sweep() == 0
    assert await status(job) == ("running", None)
    clock.advance(2 * minute)
    assert await survivor.sweep() == 1
    assert await status(job) == ("failed", "interrupted: the API process running it stopped")
    for task in asyncio.all_tasks():  # what the dead process left behind
        if task.get_name() == f"backtest:{job}":
            task.cancel()
    await survivor.close()


@pytest.mark.asyncio
async def test_backtest_when_running_publishes_its_candles_done_to_its_owner(
    process_api: ApiHarness,
) -> None:
    api = process_api
    recorder = await _recorder(api)
    body = {"pair": "BTC/USDT", "strategies": ["sma_cross", "aggressive"]}
    job = (await _succeeded(api, "/api/backtest/compare", body))["id"]
    messages = await _progress(recorder, job)
    assert [m.status for m in messages[:2]] == ["queued", "running"]
    assert {m.candles_total for m in messages} == {6000}  # 3000 candles x 2 strategies
    assert messages[-1].candles_done == 6000
    done = [m.candles_done for m in messages]
    assert done == sorted(done)
    assert {m.user_id for m in messages} == {messages[0].user_id}


@pytest.mark.asyncio
async def test_backtest_runs_when_renamed_and_deleted_are_kept_per_user(
    process_api: ApiHarness,
) -> None:
    api = process_api
    body = {"pair": "BTC/USDT", "strategy": "sma_cross"}
    job = (await _succeeded(api, "/api/backtest", body))["id"]
    renamed = await api.patch("trader", f"/api/backtest/{job}", json={"name": "  first try "})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "first try"
    assert (await api.get("trader", "/api/backtest")).json()["data"][0]["name"] == "first try"
    # another user neither sees, renames nor deletes it
    await api.login("other")
    await api.login("viewer")
    assert (await api.patch("other", f"/api/backtest/{job}", json={"name": "x"})).status_code == 404
    assert (await api.delete("other", f"/api/backtest/{job}")).status_code == 404
    assert (await api.delete("viewer", f"/api/backtest/{job}")).status_code == 403
    assert (await api.delete("trader", f"/api/backtest/{job}")).status_code == 204
    assert (await api.get("trader", f"/api/backtest/{job}")).status_code == 404
    assert (await api.get("trader", "/api/backtest")).json()["count"] == 0


@pytest.mark.asyncio
async def test_portfolio_sweep_when_launched_reports_each_ratio_as_the_engine_and_its_progress(
    process_api: ApiHarness,
) -> None:
    api = process_api
    recorder = await _recorder(api)
    body = {"pair": "BTC/USDT", "sweep": "0.1:0.3:0.1", "safe_capital": "800"}
    launched = await _succeeded(api, "/api/backtest/portfolio", body)
    job = launched["id"]
    assert launched["kind"] == "portfolio"
    result = (await api.get("trader", f"/api/backtest/{job}/result")).json()
    assert result["results"] == []
    runs = result["portfolio"]
    assert [r["reallocation_ratio"] for r in runs] == ["0.1", "0.2", "0.3"]
    engine = BacktestEngine(trading=api.settings.trading, pair=BTC)
    for run in runs:
        expected = PortfolioBacktest(engine=engine).run(
            synthetic_candles(3000),
            Timeframe.H1,
            safe=create_strategy("conservative"),
            aggressive=create_strategy("aggressive"),
            capital=(Decimal(800), api.settings.trading.aggressive.capital),
            reallocation_ratio=Decimal(run["reallocation_ratio"]),
        )
        assert run["final_capital"] == str(expected.combined.final_capital)
        assert run["initial_capital"] == str(Decimal(800) + api.settings.trading.aggressive.capital)
        bots = run["bots"]
        assert bots["safe"]["initial_capital"] == "800"
        assert run["total_trades"] == (
            bots["safe"]["total_trades"] + bots["aggressive"]["total_trades"]
        )
        assert 2 <= len(run["equity_curve"]) <= 1001
    assert runs[0]["reallocations"], "the aggressive bot won no trade: nothing was reallocated"
    assert {r["final_capital"] for r in runs} != {runs[0]["final_capital"]}
    listed = (await api.get("trader", "/api/backtest")).json()
    assert [j["kind"] for j in listed["data"]] == ["portfolio"]
    messages = await _progress(recorder, job)
    assert {m.candles_total for m in messages} == {9000}  # 3000 candles x 3 ratios
    assert messages[-1].candles_done == 9000


@pytest.mark.asyncio
async def test_portfolio_when_given_several_pairs_trades_them_together_as_the_multipair_engine(
    process_api: ApiHarness,
) -> None:
    api = process_api
    eth = synthetic_candles(2500, seed=11)
    await SqlCandleStore(api.database).write(
        exchange="binance", pair=ETH, timeframe=Timeframe.H1, candles=eth
    )
    recorder = await _recorder(api)
    launched = await api.post(
        "trader",
        "/api/backtest/portfolio",
        json={"pair": "BTC/USDT", "pairs": ["BTC/USDT", "ETH/USDT"], "sweep": "0.2:0.4:0.2"},
    )
    assert launched.status_code == 202, launched.text
    job = launched.json()["id"]
    assert (await _finished(api, job))["status"] == "succeeded"
    messages = await _progress(recorder, job)
    assert {m.candles_total for m in messages} == {11000}  # (3000 + 2500 candles) x 2 ratios
    assert messages[-1].candles_done == 11000
    done = [m.candles_done for m in messages]
    assert done == sorted(done)
    result = (await api.get("trader", f"/api/backtest/{job}/result")).json()
    assert result["results"] == result["portfolio"] == []
    runs = result["multipair"]
    assert [r["reallocation_ratio"] for r in runs] == ["0.2", "0.4"]
    series = (
        PairSeries(BTC, synthetic_candles(3000)),
        PairSeries(ETH, eth),
    )
    for run in runs:
        expected = run_portfolio(
            PortfolioRequest(
                series=series,
                timeframe=Timeframe.H1,
                safe=create_strategy("conservative"),
                aggressive=create_strategy("aggressive"),
                reallocation_ratio=Decimal(run["reallocation_ratio"]),
                trading=api.settings.trading,
                runtime=api.settings.runtime,
            )
        )
        assert run["pairs"] == ["BTC/USDT", "ETH/USDT"]
        assert run["final_capital"] == str(expected.combined.final_capital)
        assert set(run["buy_and_hold"]) == {"BTC/USDT", "ETH/USDT"}
        for bot in ("safe", "aggressive"):
            shares = run["bots"][bot]["pairs"]
            assert set(shares) == {"BTC/USDT", "ETH/USDT"}
            assert sum(s["total_trades"] for s in shares.values()) == len(
                run["bots"][bot]["trades"]
            )
        traded = {t["pair"] for b in run["bots"].values() for t in b["trades"]}
        assert traded == {"BTC/USDT", "ETH/USDT"}, "both pairs should trade"
    refused = await api.post(
        "trader",
        "/api/backtest/portfolio",
        json={"pair": "BTC/USDT", "pairs": ["BTC/USDT", "DOGE/USDT"]},
    )
    assert refused.status_code == 404
    assert "DOGE/USDT" in refused.json()["detail"]
    for body in (
        {"pair": "SOL/USDT", "pairs": ["BTC/USDT", "ETH/USDT"]},
        {"pair": "BTC/USDT", "pairs": ["BTC/USDT", "BTC/USDT"]},
        {"pair": "BTC/USDT", "pairs": ["BTC/USDT"]},
    ):
        answer = await api.post("trader", "/api/backtest/portfolio", json=body)
        assert answer.status_code == 422, (body, answer.text)


@pytest.mark.asyncio
async def test_portfolio_when_input_is_bad_is_refused_before_it_is_queued(api: ApiHarness) -> None:
    await seed_candles(api.database, 100)
    cases = [
        ({"pair": "BTC/USDT", "reallocation": "0.9"}, 422, None),
        ({"pair": "BTC/USDT", "sweep": "0.1-0.5"}, 422, None),
        ({"pair": "BTC/USDT", "sweep": "0.5:0.1:0.1"}, 422, "STOP >= START"),
        ({"pair": "BTC/USDT", "sweep": "0.1:0.5:0.1", "reallocation": "0.2"}, 422, "not both"),
        ({"pair": "BTC/USDT", "sweep": "0.05:0.5:0.05"}, 400, "0.10 - 0.50"),
        ({"pair": "BTC/USDT", "on_deep_streak": "stop"}, 422, None),
        ({"pair": "BTC/USDT", "safe_strategy": "nope"}, 400, "unknown strategy"),
        ({"pair": "BTC/USDT", "aggressive_capital": "0"}, 422, None),
        ({"pair": "DOGE/USDT"}, 404, "no stored candles"),
    ]
    for body, status, words in cases:
        answer = await api.post("trader", "/api/backtest/portfolio", json=body)
        assert answer.status_code == status, (body, answer.text)
        if words:
            assert words in str(answer.json()["detail"])
    assert (await api.get("trader", "/api/backtest")).json()["count"] == 0


def _worker_state() -> tuple[int, bool]:
    """In a pool worker: its process id and whether it was warmed at its start."""
    import os

    from cryptotrader.services import backtest_worker

    return os.getpid(), backtest_worker.warmed


@pytest.mark.asyncio
async def test_backtest_service_when_started_starts_and_warms_each_worker_before_any_job(
    sqlite_db: Database, clock: TestClock
) -> None:
    pool = ProcessPoolExecutor(2, mp_context=get_context("spawn"), initializer=start_worker)
    service = BacktestService(
        database=sqlite_db,
        clock=clock,
        executor=pool,
        trading=TradingSettings(),
        heartbeat_s=3600,
        warm_workers=2,
    )
    try:
        assert not pool._processes
        await service.start()
        await asyncio.gather(*service._warming)
        assert len(pool._processes) == 2  # both started at the service's start
        loop = asyncio.get_running_loop()
        states = await asyncio.gather(
            *(loop.run_in_executor(pool, _worker_state) for _ in range(6))
        )
        assert all(imported for _, imported in states)
        assert {pid for pid, _ in states} <= set(pool._processes)
    finally:
        await service.close()
        pool.shutdown(wait=True)
