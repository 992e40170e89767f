"""The ``--workers`` supervisor's exit code when it stops workers (``cli/_workers.py``)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from cryptotrader.cli import _workers


class _Sleepers(_workers._Supervisor):
    """A supervisor whose workers run ``script``, which creates the file named by its argument
    once it is ready to be stopped."""

    def __init__(self, script: str, folder: Path) -> None:
        super().__init__("decision", [], "test")
        self.script, self.folder = script, folder

    def start(self, index: int) -> None:
        ready = str(self.folder / f"ready-{index}")
        command: Sequence[str] = [sys.executable, "-c", self.script, ready]
        self.children[index] = subprocess.Popen(command)  # noqa: S603 - a test's own command
        self.delays.setdefault(index, _workers._RESTART_S[0])


def _stop_when_ready(supervisor: _Sleepers, workers: int) -> None:
    deadline = time.monotonic() + 120
    while len(list(supervisor.folder.glob("ready-*"))) < workers:
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.05)
    supervisor.stop(signal.SIGTERM)


def _run(script: str, folder: Path, workers: int = 2) -> int:
    supervisor = _Sleepers(script, folder)
    stopper = threading.Thread(target=_stop_when_ready, args=(supervisor, workers))
    stopper.start()
    try:
        return supervisor.run(workers)
    finally:
        stopper.join()


def test_a_worker_ended_by_the_forwarded_signal_stopped_cleanly(tmp_path: Path) -> None:
    # a worker stopped while still starting has no handler: SIGTERM ends it (-15), not an error
    script = "import pathlib, sys, time; pathlib.Path(sys.argv[1]).touch(); time.sleep(60)"
    assert _run(script, tmp_path) == 0


def test_a_worker_failing_while_it_stops_is_still_reported(tmp_path: Path) -> None:
    script = (
        "import pathlib, signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))\n"
        "pathlib.Path(sys.argv[1]).touch()  # ready: the handler is in place\n"
        "time.sleep(60)\n"
    )
    assert _run(script, tmp_path) == 3
