"""The API's backtest pool stops without waiting for a job still running in it.

A process that shut its pool down with ``wait=False`` still joined it at exit, so a stopping API
waited for a running backtest or optimisation to finish. ``_stop_workers`` ends the workers. The
job here sleeps for an hour; the deadlines are hang guards, not timings.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

_PROBE = """
import json, sys, time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from cryptotrader.bootstrap.services import _stop_workers
from cryptotrader.services.backtest_worker import ignore_interrupts

pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=ignore_interrupts)
job = pool.submit(time.sleep, 3600)
while not job.running():
    time.sleep(0.1)
workers = list(pool._processes)
print(json.dumps(workers), flush=True)
_stop_workers(pool)
"""


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return True
    return state == "Z"


def test_stopping_the_pool_ends_a_running_job_and_the_process_exits() -> None:
    probe = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", _PROBE], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    out, err = probe.communicate(timeout=600)  # the job alone would take an hour
    assert probe.returncode == 0, err
    workers = json.loads(out)
    assert len(workers) == 1
    deadline = time.monotonic() + 120
    while not all(_gone(pid) for pid in workers):
        assert time.monotonic() < deadline, f"worker {workers} still running"
        time.sleep(0.2)
