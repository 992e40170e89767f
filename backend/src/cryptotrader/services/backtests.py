"""Backtests launched through the API: queued, run in a worker pool, results kept in the database.

Optimisation jobs (kind ``optimize``, ``services.optimizations``) share this life cycle, table
and pool; each family of routes sees only its own kinds.

The launch returns at once with a job id. The candles are read from the candle store, then the
CPU work runs in an executor (a process pool by default), so the event loop never waits on it.
Jobs belong to the user who launched them: anyone else gets 404 for their ids. Jobs still
unfinished when the API stops are marked failed ("interrupted"). When an API process dies
without stopping (kill -9, a crash), its jobs' heartbeat stops: any API process running marks
them failed ``orphaned_after`` later (and at its start), so none stays "running" for ever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from cryptotrader.bus import topics
from cryptotrader.bus.messages import BacktestProgress
from cryptotrader.bus.protocol import MessageBus
from cryptotrader.clock import Clock
from cryptotrader.config import RuntimeSettings, TradingSettings
from cryptotrader.domain.market import CandleArrays
from cryptotrader.engines.backtest.job import BacktestJob, Kind, Market
from cryptotrader.errors import RateLimitedError, StrategyError, UserInputError
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import backtest_jobs
from cryptotrader.persistence.tables import BacktestRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.services import audit, backtest_worker
from cryptotrader.services.context import Actor, Origin, Permission
from cryptotrader.services.errors import Conflict, NotFound

log = logging.getLogger(__name__)
Worker = Callable[..., dict[str, Any]]
"""``(request, candles, trading settings)`` -> the job's result; a backtest worker also takes
``progress_file`` (see ``backtest_worker.progress_writer``)."""
_WORKERS: dict[str, Worker] = {
    "single": backtest_worker.run_single,
    "compare": backtest_worker.run_compare,
    "portfolio": backtest_worker.run_portfolio,
}
BACKTEST_KINDS = ("single", "compare", "portfolio")
Check = Callable[[dict[str, Any], CandleArrays], Mapping[str, Any]]
"""A kind's check of a request against its candles; returns what the job stores with the
request (an optimisation's walk-forward window count)."""


@dataclass(frozen=True, slots=True)
class BacktestJobView:
    """A job: what was asked, where it stands, and its report once done."""

    id: int
    name: str | None
    kind: str
    status: str
    request: dict[str, Any]
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any] | None

    @property
    def reports(self) -> list[dict[str, Any]]:
        """The report of each strategy (empty until the job succeeded)."""
        return list((self.result or {}).get("results", []))


def job_view(row: BacktestRow, *, with_result: bool) -> BacktestJobView:
    """The view of a job row; the (large) report only when asked."""
    return BacktestJobView(
        id=row.id,
        name=row.name,
        kind=row.kind,
        status=row.status,
        request=row.request,
        error=row.error,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        result=row.result if with_result else None,
    )


class BacktestService:
    """Launches and reads backtest jobs.

    Args:
        database: jobs and the candle store.
        clock: job times.
        executor: where the CPU work runs (a process pool in production).
        trading: default protection per bot.
        heartbeat_s: seconds between heartbeats of this process's unfinished jobs.
        orphaned_after: how long a job's heartbeat may be silent before it counts as orphaned
            (several heartbeats, and more than the clock skew between API hosts).
        workers: more kinds of jobs: kind -> ``(worker, check of the request and candles)``.
        max_active_per_user: queued or running jobs (backtests and optimisations) one user may
            have at once; one user's queue must not slow everyone's reads.
        bus: where backtest progress is published (``backtests``; none: not published).
        progress_s: seconds between two readings of a running backtest's progress.
        warm_workers: how many no-op jobs (``backtest_worker.ready``) ``start`` submits: the
            pool's process count, so that a spawn pool starts (and its initializer,
            ``backtest_worker.start_worker``, warms) every worker before the first job (0: none,
            e.g. a thread pool in tests).
        runtime: the risk manager's limits a multi-pair portfolio job trades under.
    """

    def __init__(
        self,
        *,
        database: Database,
        clock: Clock,
        executor: Executor,
        trading: TradingSettings,
        heartbeat_s: float = 30.0,
        orphaned_after: timedelta = timedelta(minutes=3),
        workers: dict[str, tuple[Worker, Check]] | None = None,
        max_active_per_user: int = 4,
        bus: MessageBus | None = None,
        progress_s: float = 0.25,
        warm_workers: int = 0,
        runtime: RuntimeSettings | None = None,
    ) -> None:
        self._runtime = runtime or RuntimeSettings()
        self._warm_workers = warm_workers
        self._warming: list[asyncio.Future[int]] = []
        self._bus = bus
        self._progress_s = progress_s
        self._max_active = max_active_per_user
        self._workers: dict[str, Worker] = dict(_WORKERS)
        self._checks: dict[str, Check] = {}
        for kind, (worker, check) in (workers or {}).items():
            self._workers[kind] = worker
            self._checks[kind] = check
        self._database = database
        self._store = SqlCandleStore(database, keep=4)
        self._clock = clock
        self._executor = executor
        self._trading = trading
        self._heartbeat_s = heartbeat_s
        self._orphaned_after = orphaned_after
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._heart: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Fail the jobs of processes that died, keep this process's jobs beating, warm the pool.

        The workers' start is not awaited: the API serves at once, and a job launched meanwhile
        waits for a worker as it did before.
        """
        await self.sweep()
        loop = asyncio.get_running_loop()
        self._warming = [
            loop.run_in_executor(self._executor, backtest_worker.ready)
            for _ in range(self._warm_workers)
        ]
        for warming in self._warming:
            warming.add_done_callback(_log_warm_failure)
        self._heart = asyncio.create_task(self._beat(), name="backtest-heartbeat")

    async def sweep(self) -> int:
        """Beat for this process's jobs and fail the orphaned ones; returns how many failed."""
        now = self._clock.now()
        async with UnitOfWork(self._database) as uow:
            await backtest_jobs.beat(session=uow.session, job_ids=list(self._tasks), at=now)
            failed = await backtest_jobs.fail_orphaned(
                session=uow.session,
                silent_since=now - self._orphaned_after,
                at=now,
                reason="interrupted: the API process running it stopped",
            )
            await uow.commit()
        if failed:
            log.warning(
                "%d backtest job(s) orphaned by a stopped API process marked failed", failed
            )
        return failed

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_s)
            try:
                await self.sweep()
            except Exception:  # the database did not answer: try again at the next beat
                log.warning("backtest heartbeat failed", exc_info=True)

    async def launch(
        self, actor: Actor, kind: Kind, body: Mapping[str, Any], origin: Origin
    ) -> BacktestJobView:
        """Queue a backtest of the caller's and start it; returns at once.

        ``body`` (the API's) is read once into a ``BacktestJob``; the job stores its
        ``as_json``, which the worker reads back.

        Raises:
            UserInputError: the request is invalid.
            NotFound: no candle is stored for the market and timeframe.
            RateLimitedError: the caller already has ``max_active_per_user`` unfinished jobs.
        """
        actor.require(Permission.CONTROL)
        job = BacktestJob.from_json(kind, body, self._trading)
        candles: CandleArrays | backtest_worker.PairCandles
        if job.pairs:
            candles = tuple([(p.symbol, await self._candles(job.market.of(p))) for p in job.pairs])
        else:
            candles = await self._candles(job.market)
        return await self._queue(
            actor, kind, job.as_json(), candles, runs=job.runs(), origin=origin
        )

    async def launch_job(
        self, actor: Actor, kind: str, request: dict[str, Any], origin: Origin
    ) -> BacktestJobView:
        """Queue a job of another kind (``workers``), its request already checked; returns at once.

        ``request`` is the job's stored form, with the market it reads (``Market.from_json``).

        Raises:
            UserInputError: the request does not fit its candles (the kind's check).
            NotFound: no candle is stored for the market and timeframe.
            RateLimitedError: the caller already has ``max_active_per_user`` unfinished jobs.
        """
        actor.require(Permission.CONTROL)
        candles = await self._candles(Market.from_json(request))
        request = {**request, **self._checks[kind](request, candles)}
        return await self._queue(actor, kind, request, candles, runs=1, origin=origin)

    async def _queue(
        self,
        actor: Actor,
        kind: str,
        request: dict[str, Any],
        candles: CandleArrays | backtest_worker.PairCandles,
        *,
        runs: int,
        origin: Origin,
    ) -> BacktestJobView:
        async with UnitOfWork(self._database) as uow:
            active = await backtest_jobs.count_unfinished(
                session=uow.session, user_id=actor.user_id
            )
            if active >= self._max_active:
                raise RateLimitedError(
                    f"{active} of your jobs are queued or running (at most {self._max_active});"
                    " launch more when one has finished",
                    retry_after_s=30,
                )
            row = await backtest_jobs.add_job(
                session=uow.session,
                user_id=actor.user_id,
                kind=kind,
                request=request,
                at=self._clock.now(),
            )
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action=f"backtest.{kind}",
                target=f"backtest:{row.id}",
                after=request,
            )
            view = job_view(row, with_result=False)
            await uow.commit()
        self._tasks[view.id] = asyncio.create_task(
            self._run(view.id, kind, request, candles, runs=runs, user_id=actor.user_id),
            name=f"backtest:{view.id}",
        )
        return view

    async def _candles(self, market: Market) -> CandleArrays:
        arrays = await self._store.read_arrays(
            exchange=market.exchange,
            pair=market.pair,
            timeframe=market.timeframe,
            start_ms=_ms(market.start),
            end_ms=_ms(market.end),
        )
        if len(arrays) == 0:
            raise NotFound(
                f"no stored candles for {market.exchange} {market.pair.symbol} "
                f"{market.timeframe} in that range (import or download them first)"
            )
        return arrays

    async def _run(
        self,
        job_id: int,
        kind: str,
        request: dict[str, Any],
        candles: CandleArrays | backtest_worker.PairCandles,
        *,
        runs: int,
        user_id: int,
    ) -> None:
        count = (
            len(candles)
            if isinstance(candles, CandleArrays)
            else sum(len(arrays) for _, arrays in candles)
        )
        total = count * runs
        report = partial(self._progress, job_id, user_id, total)
        error: str | None = None
        try:
            await report("queued", 0)
            async with UnitOfWork(self._database) as uow:
                await backtest_jobs.mark_running(
                    session=uow.session, job_id=job_id, at=self._clock.now()
                )
                await uow.commit()
            await report("running", 0)
            result: dict[str, Any] | None = await self._work(kind, request, candles, report)
        except asyncio.CancelledError:
            raise
        except (UserInputError, StrategyError) as exc:
            result, error = None, str(exc)
        except Exception as exc:  # a job fails alone; the API carries on
            log.exception("backtest %d failed", job_id)
            result, error = None, f"internal error: {type(exc).__name__}"
        try:
            async with UnitOfWork(self._database) as uow:
                await backtest_jobs.finish_job(
                    session=uow.session,
                    job_id=job_id,
                    at=self._clock.now(),
                    result=result,
                    error=error,
                )
                await uow.commit()
            await report("failed" if error else "succeeded", 0 if error else total)
        finally:
            self._tasks.pop(job_id, None)

    async def _work(
        self,
        kind: str,
        request: dict[str, Any],
        candles: CandleArrays | backtest_worker.PairCandles,
        report: Callable[[str, int], Any],
    ) -> dict[str, Any]:
        """Run the worker; a backtest's progress is read from its file while it runs."""
        loop = asyncio.get_running_loop()
        if kind not in BACKTEST_KINDS or self._bus is None:
            work = partial(self._workers[kind], request, candles, self._trading)
            return await loop.run_in_executor(self._executor, work)
        with tempfile.TemporaryDirectory(prefix="backtest-") as folder:
            path = f"{folder}/progress"
            extra = {"runtime": self._runtime} if kind == "portfolio" else {}
            work = partial(
                self._workers[kind],
                request,
                candles,
                self._trading,
                progress_file=path,
                **extra,
            )
            future = loop.run_in_executor(self._executor, work)
            seen: tuple[int, int] | None = None
            while True:
                done, _ = await asyncio.wait({future}, timeout=self._progress_s)
                if done:
                    return await future
                now = backtest_worker.read_progress(path)
                if now is not None and now != seen:
                    seen = now
                    await report("running", now[0])

    async def _progress(
        self, job_id: int, user_id: int, total: int, status: str, done: int
    ) -> None:
        if self._bus is None:
            return
        message = BacktestProgress(
            timestamp=self._clock.now(),
            job_id=job_id,
            user_id=user_id,
            status=status,
            candles_done=done,
            candles_total=total,
        )
        with contextlib.suppress(Exception):  # progress is best effort; the job is not affected
            await self._bus.publish(topics.BACKTESTS, message)

    async def get(
        self,
        actor: Actor,
        job_id: int,
        *,
        with_result: bool,
        kinds: tuple[str, ...] = BACKTEST_KINDS,
    ) -> BacktestJobView:
        """One of the caller's jobs of these kinds.

        Raises:
            NotFound: no such job, another user's, or of another kind.
        """
        actor.require(Permission.READ)
        async with UnitOfWork(self._database, read_only=True) as uow:
            row = await backtest_jobs.get_job(session=uow.session, job_id=job_id)
        what = "optimization" if "optimize" in kinds else "backtest"
        if row is None or not actor.owns(row.user_id) or row.kind not in kinds:
            raise NotFound(f"{what} not found")
        return job_view(row, with_result=with_result)

    async def result(
        self, actor: Actor, job_id: int, *, kinds: tuple[str, ...] = BACKTEST_KINDS
    ) -> BacktestJobView:
        """One of the caller's finished jobs, with its reports.

        Raises:
            NotFound: no such job, or another user's.
            Conflict: the job has not succeeded (still running, or failed: the reason is given).
        """
        view = await self.get(actor, job_id, with_result=True, kinds=kinds)
        if view.status != "succeeded" or view.result is None:
            what = "optimization" if "optimize" in kinds else "backtest"
            raise Conflict(f"{what} {job_id} is {view.status}: {view.error or 'no result yet'}")
        return view

    async def list(
        self, actor: Actor, *, limit: int, offset: int, kinds: tuple[str, ...] = BACKTEST_KINDS
    ) -> tuple[list[BacktestJobView], int]:
        """The caller's jobs of these kinds, newest first, and how many they have."""
        actor.require(Permission.READ)
        async with UnitOfWork(self._database, read_only=True) as uow:
            rows, total = await backtest_jobs.list_jobs(
                session=uow.session, user_id=actor.user_id, limit=limit, offset=offset, kinds=kinds
            )
        return [job_view(row, with_result=False) for row in rows], total

    async def rename(
        self, actor: Actor, job_id: int, name: str | None, origin: Origin
    ) -> BacktestJobView:
        """Name one of the caller's backtest runs ("" or None clears the name).

        Raises:
            NotFound: no such backtest, or another user's.
        """
        actor.require(Permission.CONTROL)
        await self.get(actor, job_id, with_result=False)
        cleaned = (name or "").strip() or None
        async with UnitOfWork(self._database) as uow:
            await backtest_jobs.rename_job(session=uow.session, job_id=job_id, name=cleaned)
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action="backtest.rename",
                target=f"backtest:{job_id}",
                after={"name": cleaned},
            )
            await uow.commit()
        return await self.get(actor, job_id, with_result=False)

    async def delete(self, actor: Actor, job_id: int, origin: Origin) -> None:
        """Forget one of the caller's finished backtest runs and its report.

        Raises:
            NotFound: no such backtest, or another user's.
            Conflict: the run is still queued or running.
        """
        actor.require(Permission.CONTROL)
        view = await self.get(actor, job_id, with_result=False)
        if view.status in ("queued", "running"):
            raise Conflict(f"backtest {job_id} is {view.status}: delete it once it has finished")
        async with UnitOfWork(self._database) as uow:
            await backtest_jobs.delete_job(session=uow.session, job_id=job_id)
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action="backtest.delete",
                target=f"backtest:{job_id}",
                before={"kind": view.kind, "name": view.name, "request": view.request},
            )
            await uow.commit()

    async def wait(self, job_id: int) -> None:
        """Wait until a job launched by this process has finished (tests, shutdown)."""
        task = self._tasks.get(job_id)
        if task is not None:
            await asyncio.wait({task})

    async def close(self) -> None:
        """Cancel unfinished jobs and mark them failed."""
        if self._heart is not None:
            self._heart.cancel()
            await asyncio.gather(self._heart, return_exceptions=True)
            self._heart = None
        for warming in self._warming:
            warming.cancel()
        self._warming = []
        tasks, self._tasks = dict(self._tasks), {}
        for task in tasks.values():
            task.cancel()
        if tasks:
            await asyncio.wait(set(tasks.values()))
            async with UnitOfWork(self._database) as uow:
                await backtest_jobs.fail_unfinished(
                    session=uow.session,
                    job_ids=list(tasks),
                    at=self._clock.now(),
                    reason="interrupted: the API stopped",
                )
                await uow.commit()


def _log_warm_failure(future: asyncio.Future[int]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("backtest worker start failed", exc_info=future.exception())


def _ms(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)
