"""Optimisation jobs launched through the API: queued and run like backtest jobs, with progress.

A job runs in the backtest worker pool (``services.backtests``, kind ``optimize``); its study
lives in the Optuna storage of ``api.optimize_storage``. This process reads each of its running
jobs' progress from that storage every ``poll_s`` and publishes ``OptimizationProgress`` on the
bus (``/ws`` topic ``optimizations``, delivered to the job's owner only). Applying a result to a
bot is a separate, explicit call that goes through the bots' settings and is audited.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from cryptotrader.bus import topics
from cryptotrader.bus.messages import OptimizationProgress
from cryptotrader.bus.protocol import MessageBus
from cryptotrader.clock import Clock
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.values import DECIMAL_PLACES
from cryptotrader.errors import ConfigurationError, UserInputError
from cryptotrader.optimize.request import OptimizationRequest
from cryptotrader.optimize.storage import check_not_app_database, normalise
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import backtest_jobs
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.services import optimization_worker
from cryptotrader.services.backtests import BacktestJobView, BacktestService, Check, Worker
from cryptotrader.services.bots import BotService, BotView
from cryptotrader.services.context import Actor, Origin, Permission
from cryptotrader.services.errors import Conflict

if TYPE_CHECKING:
    from optuna.storages import RDBStorage

log = logging.getLogger(__name__)
KINDS = ("optimize",)


def job_kinds(storage: str) -> dict[str, tuple[Worker, Check]]:
    """The ``optimize`` job kind for ``BacktestService``: its worker and request check."""
    return {
        "optimize": (
            partial(optimization_worker.run_optimize, storage=storage),
            optimization_worker.check,
        )
    }


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a job is: trials finished of all, best value so far, walk-forward window."""

    trials_done: int
    trials_total: int
    best_value: float | None
    window: int | None
    windows: int | None


def _total(request: Mapping[str, Any]) -> int:
    return OptimizationRequest.from_json(request).trials * int(request.get("windows") or 1)


class OptimizationService:
    """Launches, reads and applies optimisation jobs.

    Args:
        backtests: the job machinery (queue, worker pool, heartbeats) shared with backtests.
        bots: where an applied result goes.
        database: the jobs.
        bus: where progress is published.
        clock: message times.
        storage: the Optuna storage URL of the studies.
        app_database_url: refused as ``storage``.
        poll_s: seconds between progress reads.
    """

    def __init__(
        self,
        *,
        backtests: BacktestService,
        bots: BotService,
        database: Database,
        bus: MessageBus,
        clock: Clock,
        storage: str,
        app_database_url: str,
        poll_s: float = 1.0,
    ) -> None:
        try:
            check_not_app_database(normalise(storage), app_database_url)
        except UserInputError as exc:
            raise ConfigurationError(f"api.optimize_storage: {exc}") from None
        self._backtests = backtests
        self._bots = bots
        self._database = database
        self._bus = bus
        self._clock = clock
        self._storage_url = storage
        self._storage: RDBStorage | None = None
        self._poll_s = poll_s
        self._jobs: dict[int, tuple[int, dict[str, Any]]] = {}
        self._last: dict[int, tuple[object, ...]] = {}
        self._poller: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Create the study tables (once, before any worker races to) and start the progress."""
        try:
            await asyncio.to_thread(self._open)
        except UserInputError as exc:  # jobs will fail with the reason; the API still serves
            log.warning("optimisation storage unavailable: %s", exc)
        self._poller = asyncio.create_task(self._poll(), name="optimization-progress")

    async def close(self) -> None:
        """Stop publishing progress (the jobs themselves stop with the backtest service)."""
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None

    def _open(self) -> RDBStorage:
        if self._storage is None:
            from cryptotrader.optimize.storage import open_storage  # noqa: PLC0415 - optuna

            self._storage = open_storage(self._storage_url)
        return self._storage

    async def launch(
        self, actor: Actor, body: Mapping[str, Any], origin: Origin
    ) -> BacktestJobView:
        """Queue an optimisation of the caller's and start it; returns at once.

        ``body``: the request's fields (``OptimizationRequest.as_json`` names) and the stored
        candles it runs on (``exchange``, ``start``, ``end``). The job stores the request's
        JSON form, which its worker reads back.

        Raises:
            UserInputError: bad request, or windows that do not fit the candles.
            NotFound: no stored candles for the market.
        """
        asked = replace(OptimizationRequest.from_json(body), study=f"api-{uuid.uuid4().hex[:16]}")
        asked.validate()  # refused before queueing
        candles = {k: body.get(k) for k in ("exchange", "start", "end")}
        request = {**candles, **asked.as_json()}
        view = await self._backtests.launch_job(actor, "optimize", request, origin)
        self._jobs[view.id] = (actor.user_id, view.request)
        await self._publish(view.id, actor.user_id, view.status, view.request)
        return view

    async def get(self, actor: Actor, job_id: int) -> tuple[BacktestJobView, Progress]:
        """One of the caller's jobs and its progress (read from the study storage).

        Raises:
            NotFound: no such job, or another user's.
        """
        view = await self._backtests.get(actor, job_id, with_result=False, kinds=KINDS)
        return view, await self._progress(view.request)

    async def list(
        self, actor: Actor, *, limit: int, offset: int
    ) -> tuple[list[BacktestJobView], int]:
        """The caller's optimisation jobs, newest first."""
        return await self._backtests.list(actor, limit=limit, offset=offset, kinds=KINDS)

    async def result(self, actor: Actor, job_id: int) -> BacktestJobView:
        """A finished job with its report.

        Raises:
            NotFound: no such job. Conflict: not finished, or failed (with the reason).
        """
        return await self._backtests.result(actor, job_id, kinds=KINDS)

    async def apply(
        self, actor: Actor, job_id: int, bot: BotKind, trial: int | None, origin: Origin
    ) -> BotView:
        """Give ``bot`` the strategy, parameters and protection of a chosen trial.

        The best trial (first of the Pareto front), or ``trial`` among the chosen ones; for a
        walk-forward, the last window's choice (trained on the most recent candles).

        Raises:
            NotFound: no such job or bot. Conflict: not finished. UserInputError: no such trial.
        """
        actor.require(Permission.CONFIGURE)
        view = await self.result(actor, job_id)
        strategy = OptimizationRequest.from_json(view.request).strategy
        changes = _chosen(strategy, view.result or {}, trial)
        return await self._bots.update_settings(
            actor,
            bot,
            changes,
            origin,
            action="optimization.apply",
            cause={"optimization": job_id, "trial": trial},
        )

    async def _progress(self, request: Mapping[str, Any]) -> Progress:
        from cryptotrader.optimize.study import progress_of  # noqa: PLC0415 - optuna

        windows = request.get("windows")
        names = OptimizationRequest.from_json(request).study_names(windows)
        try:
            storage = await asyncio.to_thread(self._open)
            found = await asyncio.to_thread(progress_of, storage, names)
        except UserInputError as exc:
            log.warning("optimisation progress unavailable: %s", exc)
            return Progress(0, _total(request), None, None, windows)
        return Progress(
            found.trials_done,
            _total(request),
            found.best_value,
            found.window if windows else None,
            windows,
        )

    async def _publish(
        self, job_id: int, user_id: int, status: str, request: dict[str, Any]
    ) -> None:
        progress = await self._progress(request)
        key = (status, progress)
        if self._last.get(job_id) == key:
            return
        self._last[job_id] = key
        message = OptimizationProgress(
            timestamp=self._clock.now(), job_id=job_id, user_id=user_id,
            status=status,
            trials_done=progress.trials_done, trials_total=progress.trials_total,
            best_value=progress.best_value, window=progress.window, windows=progress.windows,
        )  # fmt: skip
        try:
            await self._bus.publish(topics.OPTIMIZATIONS, message)
        except Exception:  # progress is best effort; the job and its result are not affected
            log.warning("publishing optimisation progress failed", exc_info=True)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self._poll_s)
            for job_id, (user_id, request) in list(self._jobs.items()):
                try:
                    status = await self._status(job_id)
                    await self._publish(job_id, user_id, status, request)
                except asyncio.CancelledError:
                    # close() cancels the poller: stop (swallowing it looped for ever, and
                    # close() with it); a cancellation meant for an inner call only skips a job
                    task = asyncio.current_task()
                    if task is not None and task.cancelling():
                        raise
                    continue
                except Exception:  # the next poll tries again
                    log.warning("optimisation %d progress failed", job_id, exc_info=True)
                    continue
                if status in ("succeeded", "failed"):
                    self._jobs.pop(job_id, None)
                    self._last.pop(job_id, None)

    async def _status(self, job_id: int) -> str:
        async with UnitOfWork(self._database, read_only=True) as uow:
            row = await backtest_jobs.get_job(session=uow.session, job_id=job_id)
        return "failed" if row is None else row.status


def _chosen(strategy: str, result: dict[str, Any], trial: int | None) -> dict[str, Any]:
    """Bot settings changes from a report's chosen trial."""
    if result.get("walk_forward"):
        if trial is not None:
            raise UserInputError("a walk-forward result applies its last window's choice: no trial")
        latest = result["walk_forward"]["windows"][-1]
        params, protection = latest["params"], latest["protection"]
    else:
        chosen = (result.get("study") or {}).get("chosen") or []
        if not chosen:
            raise Conflict("this optimisation found no feasible trial: nothing to apply")
        picked = chosen[0] if trial is None else next(
            (c for c in chosen if c["number"] == trial), None
        )  # fmt: skip
        if picked is None:
            numbers = ", ".join(str(c["number"]) for c in chosen)
            raise UserInputError(f"trial {trial} is not among the chosen trials ({numbers})")
        params, protection = picked["params"], picked["protection"]
    return {
        "strategy": strategy,
        "params": params,
        **{k: _settable(v) for k, v in protection.items()},
    }


def _settable(value: float | str) -> str:
    """A trial's protection value at the precision bot settings take (the database's scale)."""
    exact = Decimal(str(value)).quantize(Decimal(1).scaleb(-DECIMAL_PLACES))
    return format(exact, "f")
