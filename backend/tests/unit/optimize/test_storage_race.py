"""Several processes opening one new Optuna storage at the same moment all get it.

The API's workers do this at the first start of a fresh stack (``api --workers 2``): before,
one of them failed on the ``alembic_version`` row the other had just written, and uvicorn then
stopped the whole API (seen in deploy/smoke/run).
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from cryptotrader.optimize.storage import open_storage

PROCESSES = 4


def _open(path: str, barrier: Barrier, results: multiprocessing.Queue[str]) -> None:
    barrier.wait()
    try:
        open_storage(f"sqlite:///{path}").get_all_studies()
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - the test reports what failed
        results.put(f"{type(exc).__name__}: {exc}".splitlines()[0])


@pytest.mark.timeout(900)
def test_processes_opening_a_new_storage_at_once_all_succeed(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    for round_ in range(3):  # a race: several fresh files to give it chances to happen
        path = str(tmp_path / f"optuna-{round_}.db")
        barrier = context.Barrier(PROCESSES)
        results: multiprocessing.Queue[str] = context.Queue()
        workers = [
            context.Process(target=_open, args=(path, barrier, results)) for _ in range(PROCESSES)
        ]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=600) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        assert outcomes == ["ok"] * PROCESSES, outcomes
