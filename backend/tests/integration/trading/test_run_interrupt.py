"""Ctrl-C after a backtest ran through ``run --api``: the process exits, and its worker with it.

A terminal's Ctrl-C sends SIGINT to the whole foreground process group: the runtime, the API and
the backtest worker process it spawned. Before, the worker printed a ``KeyboardInterrupt``
traceback, and the exit took 4-14 s on a loaded machine (the interpreter's last garbage
collections over the whole heap; a backtest still running was awaited). No timing is asserted
here: the deadlines are hang guards, the figures are in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import httpx
import pytest

from tests.integration.trading.test_run_serves_api import CLI, PASSWORD, free_port, wait_for
from tests.support.builders import read_shared_csv

pytestmark = pytest.mark.timeout(900)
DEADLINE_S = 120.0


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc: field 4 of ``stat``, after the name)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _gone(pid: int) -> bool:
    """Ended: no such process, or a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return True
    return state == "Z"


def _poll(what: str, check: Callable[[], bool], seconds: float = DEADLINE_S) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {seconds} s")
        time.sleep(0.2)


@pytest.mark.shared_data
def test_ctrl_c_after_an_api_backtest_exits_and_ends_the_worker(
    shared_data: Path, tmp_path: Path
) -> None:
    series = tmp_path / "binance_BTC-USDT_4h.csv"
    read_shared_csv(shared_data / "binance_BTC-USDT_4h.csv", rows=600).to_csv(series, index=False)
    env = {**os.environ, "CRYPTOTRADER_DATA_DIR": str(tmp_path / "data")}
    created = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [*CLI, "user", "create", "admin", "--password-stdin"],
        input=PASSWORD,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    port = free_port()
    runner = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [*CLI, "run", "--replay", str(series), "--speed", "3600", "--api", "--api-port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(f"{base}/health", DEADLINE_S).status_code == 200
        login = httpx.post(
            f"{base}/auth/login", json={"username": "admin", "password": PASSWORD}, timeout=60
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        request = {"pair": "BTC/USDT", "timeframe": "4h", "strategy": "sma_cross"}
        launched = httpx.post(f"{base}/api/backtest", json=request, headers=headers, timeout=60)
        assert launched.status_code == 202, launched.text
        job = f"{base}/api/backtest/{launched.json()['id']}"
        status: dict[str, object] = {}

        def finished() -> bool:
            status.update(httpx.get(job, headers=headers, timeout=60).json())
            return status["status"] in ("succeeded", "failed")

        _poll("the backtest finished", finished)
        assert status["status"] == "succeeded", status
        workers = [p for p in _children(runner.pid) if "spawn_main" in _command_line(p)]
        assert workers, "the backtest ran in a worker process"
    except BaseException:
        runner.kill()
        runner.communicate(timeout=60)
        raise
    os.killpg(runner.pid, signal.SIGINT)  # Ctrl-C: the whole group
    _, err = runner.communicate(timeout=DEADLINE_S)
    assert runner.returncode == 0, err
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err
    for worker in workers:
        _poll(f"worker {worker} ended", partial(_gone, worker))
