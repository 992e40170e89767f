"""Optimisations through the API: a study in the worker pool, progress on the bus, the report,
applying the chosen parameters to a bot (audited), and refusals before anything is queued."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cryptotrader.bus import topics
from cryptotrader.bus.messages import OptimizationProgress
from cryptotrader.persistence.repositories.audit import list_audit
from cryptotrader.persistence.uow import UnitOfWork
from tests.integration.api.harness import ApiHarness, Recorder, seed_candles, wait_for

STUDY: dict[str, Any] = {
    "pair": "BTC/USDT",
    "timeframe": "1h",
    "strategy": "sma_cross",
    "ranges": {"fast": "5:20", "slow": "25:80"},
    "trials": 6,
    "seed": 4,
    "min_trades": 1,
    "monte_carlo": 100,
}


async def _finished(api: ApiHarness, job: int) -> dict[str, Any]:
    async with asyncio.timeout(600):  # a process pool on a loaded machine
        while True:
            answer = (await api.get("trader", f"/api/optimize/{job}")).json()
            if answer["job"]["status"] in ("succeeded", "failed"):
                return answer  # type: ignore[no-any-return]
            await asyncio.sleep(0.1)


@pytest.mark.asyncio
async def test_optimize_when_launched_reports_progress_result_and_applies_to_a_bot(
    api: ApiHarness,
) -> None:
    await seed_candles(api.database, 3000)
    recorder = Recorder()
    await api.bus.subscribe(
        topics.OPTIMIZATIONS, group="test", consumer="t", handler=recorder.handler
    )
    launched = await api.post("trader", "/api/optimize", json=STUDY)
    assert launched.status_code == 202, launched.text
    job = launched.json()["id"]
    assert launched.json()["kind"] == "optimize"
    final = await _finished(api, job)
    assert final["job"]["status"] == "succeeded", final
    assert final["progress"]["trials_done"] == final["progress"]["trials_total"] == 6
    result = (await api.get("trader", f"/api/optimize/{job}/result")).json()
    study = result["study"]
    assert study["trials"]["complete"] + study["trials"]["pruned"] == 6
    best = study["chosen"][0]
    assert best["backtest"]["candles"] == 3000
    assert best["backtest"]["sharpe_ratio"] == pytest.approx(best["values"][0])
    assert result["monte_carlo"]["resampled"]["runs"] == 100

    async def published() -> list[OptimizationProgress]:
        found = recorder.messages.get(topics.OPTIMIZATIONS, [])
        return [m for m in found if m.job_id == job]

    async def succeeded() -> bool:
        return any(m.status == "succeeded" for m in await published())

    await wait_for(succeeded, 120)
    messages = await published()
    assert messages[0].status == "queued"
    assert messages[-1].trials_done == 6
    assert {m.user_id for m in messages} == {messages[0].user_id}
    done = [m.trials_done for m in messages]
    assert done == sorted(done)

    # Viewing a job is not changing a bot: a viewer may not apply.
    refused = await api.post("viewer", f"/api/optimize/{job}/apply", json={"bot": "aggressive"})
    assert refused.status_code in (403, 404)
    applied = await api.post("trader", f"/api/optimize/{job}/apply", json={"bot": "aggressive"})
    assert applied.status_code == 200, applied.text
    config = (await api.get("trader", "/api/bots/aggressive")).json()["config"]
    assert config["strategy"] == "sma_cross"
    assert config["params"] == best["params"]
    assert float(config["stop_loss"]) == pytest.approx(best["protection"]["stop_loss"])
    async with UnitOfWork(api.database) as uow:
        rows = await list_audit(session=uow.session, limit=50)
    (row,) = [r for r in rows if r.action == "optimization.apply"]  # one change, one row
    assert row.target == "bot:aggressive"
    assert row.details is not None
    assert row.details["after"]["optimization"] == job
    assert row.details["after"]["params"] == best["params"]
    wrong = await api.post(
        "trader", f"/api/optimize/{job}/apply", json={"bot": "aggressive", "trial": 999}
    )
    assert wrong.status_code == 400
    assert "not among the chosen trials" in wrong.json()["detail"]


@pytest.mark.asyncio
async def test_optimize_when_walk_forward_reports_windows(api: ApiHarness) -> None:
    await seed_candles(api.database, 3000)
    body = {**STUDY, "trials": 4, "sampler": "random",
            "walk_forward": {"train": 1200, "test": "25d"}}  # fmt: skip
    launched = await api.post("trader", "/api/optimize", json=body)
    assert launched.status_code == 202, launched.text
    job = launched.json()["id"]
    final = await _finished(api, job)
    assert final["job"]["status"] == "succeeded", final
    assert final["progress"]["windows"] == 3
    assert final["progress"]["trials_done"] == final["progress"]["trials_total"] == 12
    result = (await api.get("trader", f"/api/optimize/{job}/result")).json()
    assert result["study"] is None
    assert len(result["walk_forward"]["windows"]) == 3
    assert isinstance(result["warnings"], list)


@pytest.mark.asyncio
async def test_optimize_when_input_is_bad_is_refused_before_it_is_queued(api: ApiHarness) -> None:
    await seed_candles(api.database, 500)
    cases: list[tuple[dict[str, Any], int, str | None]] = [
        ({"ranges": {"fats": "5:9"}}, 400, "did you mean 'fast'"),
        ({"ranges": {"fast": "9:5"}}, 400, "is inverted"),
        ({"objectives": ["sharp"]}, 400, "did you mean 'sharpe'"),
        ({"walk_forward": {"train": "60d", "test": "30d"}}, 400, "do not fit the data"),
        ({"pair": "DOGE/USDT"}, 404, "no stored candles"),
        ({"sampler": "annealing"}, 422, None),
        ({"trials": 0}, 422, None),
    ]
    for change, status, words in cases:
        answer = await api.post("trader", "/api/optimize", json={**STUDY, **change})
        assert answer.status_code == status, (change, answer.text)
        if words:
            assert words in answer.json()["detail"]
    assert (await api.get("trader", "/api/optimize")).json()["count"] == 0


@pytest.mark.asyncio
async def test_optimize_when_another_user_or_the_backtest_routes_ask_it_is_not_found(
    api: ApiHarness,
) -> None:
    await seed_candles(api.database, 2000)
    job = (await api.post("trader", "/api/optimize", json={**STUDY, "trials": 2})).json()["id"]
    await _finished(api, job)
    assert (await api.get("other", f"/api/optimize/{job}")).status_code == 404
    assert (await api.get("trader", f"/api/backtest/{job}")).status_code == 404
    assert (await api.get("trader", "/api/backtest")).json()["count"] == 0
    assert (await api.get("trader", "/api/optimize")).json()["count"] == 1
