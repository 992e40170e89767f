"""The ``--workers`` supervisor's exit code when it stops workers (``cli/_workers.py``)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

from cryptotrader.cli import _workers


class _Sleepers(_workers._Supervisor):
    """A supervisor whose workers are plain sleeping processes (no SIGTERM handler of their own)
    or processes that exit with ``code`` when told to stop."""

    def __init__(self, script: str) -> None:
        super().__init__("decision", [], "test")
        self.script = script

    def start(self, index: int) -> None:
        command: Sequence[str] = [sys.executable, "-c", self.script]
        self.children[index] = subprocess.Popen(command)  # noqa: S603 - a test's own command
        self.delays.setdefault(index, _workers._RESTART_S[0])


def _stop_when_started(supervisor: _workers._Supervisor, workers: int) -> None:
    deadline = time.monotonic() + 60
    while len(supervisor.children) < workers and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # every child is running its script
    supervisor.stop(signal.SIGTERM)


def _run(script: str, workers: int = 2) -> int:
    supervisor = _Sleepers(script)
    stopper = threading.Thread(target=_stop_when_started, args=(supervisor, workers))
    stopper.start()
    try:
        return supervisor.run(workers)
    finally:
        stopper.join()


def test_a_worker_ended_by_the_forwarded_signal_stopped_cleanly() -> None:
    # a worker stopped while still starting has no handler: SIGTERM ends it (-15), not an error
    assert _run("import time; time.sleep(60)") == 0


def test_a_worker_failing_while_it_stops_is_still_reported() -> None:
    script = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))\n"
        "time.sleep(60)\n"
    )
    assert _run(script) == 3
