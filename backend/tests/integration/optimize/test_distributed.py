"""Several worker processes on one PostgreSQL study; one killed with SIGKILL mid-trial.

Its trial stops beating, is failed once silent past the grace period and run again by a
survivor with the same parameters; every worker returns only when no trial is left running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import optuna
import psycopg
import pytest
from sqlalchemy.engine import make_url

from cryptotrader.optimize.storage import open_storage
from tests.conftest import REPO_ROOT
from tests.integration.conftest import POSTGRES_URL, require_postgres

WORKERS = 3
TRIALS = 12
HEARTBEAT_S = 1
SEARCHED = {"fast", "slow"}  # the worker's search space (tests/support/optimize_worker.py)


@pytest.fixture
def study_database() -> Iterator[str]:
    """A PostgreSQL database of its own (Optuna creates its tables in it), dropped after."""
    require_postgres()
    url = make_url(POSTGRES_URL)
    name = f"optuna_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _worker(storage: str, name: str, data: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.support.optimize_worker", storage, name, str(TRIALS),
         str(HEARTBEAT_S), str(data)],
        cwd=REPO_ROOT / "backend",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def test_study_when_a_worker_is_killed_mid_trial_completes_with_no_trial_stuck(
    study_database: str, shared_data: Path
) -> None:
    name = "shared"
    storage = open_storage(study_database)  # creates the tables once, before the workers race
    workers = [
        _worker(study_database, name, shared_data / "binance_BTC-USDT_1h.csv.gz")
        for _ in range(WORKERS)
    ]
    try:
        victim: subprocess.Popen[bytes] | None = None
        killed_trial: int | None = None
        deadline = time.monotonic() + 300
        while victim is None:
            assert time.monotonic() < deadline, "no worker ever ran a trial"
            try:
                study = optuna.load_study(study_name=name, storage=storage)
            except KeyError:
                time.sleep(0.05)
                continue
            pids = {str(w.pid): w for w in workers}
            for trial in study.get_trials(states=(optuna.trial.TrialState.RUNNING,)):
                pid = str(trial.user_attrs.get("worker", "")).rpartition(":")[2]
                # Mid-trial means inside its evaluation: every parameter suggested. Killed
                # between two suggestions, the retry would sample the missing ones anew.
                if pid in pids and set(trial.params) == SEARCHED:
                    victim, killed_trial = pids[pid], trial.number
                    break
            else:
                time.sleep(0.02)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(30)
        survivors = [w for w in workers if w is not victim]
        for worker in survivors:
            _, err = worker.communicate(timeout=600)
            assert worker.returncode == 0, err.decode()
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert killed_trial is not None
    study = optuna.load_study(study_name=name, storage=storage)
    states = {t.number: t.state for t in study.trials}
    assert states[killed_trial] == optuna.trial.TrialState.FAIL
    assert not [n for n, s in states.items() if s in (optuna.trial.TrialState.RUNNING,
                                                     optuna.trial.TrialState.WAITING)]  # fmt: skip
    retried = [t for t in study.trials if t.system_attrs.get("failed_trial") == killed_trial]
    assert len(retried) == 1
    assert retried[0].state == optuna.trial.TrialState.COMPLETE
    assert retried[0].params == study.trials[killed_trial].params
    finished = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(finished) >= TRIALS
