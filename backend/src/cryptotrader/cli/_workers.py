"""``cryptotrader engine indicator|decision --workers N``: N worker processes under one command.

Each worker is the same ``engine NAME`` command in a process of its own, named
``<consumer>.<i>`` in its consumer groups; the workers share the pairs through the bus's
partition leases (``bus.partitions``), exactly as N copies started by hand on one machine or
several would. This process only starts them, restarts one that dies (the others hold its
pairs meanwhile: within ``PartitionOptions.lease_ms`` + a tick), forwards SIGINT/SIGTERM, and
exits once every worker has stopped: 0 when each stopped cleanly. A worker that the forwarded
signal ended before it had installed its own handler (a restart still starting) stopped cleanly
too: it had taken nothing it would not be given again. Worker ``i`` serves ``/metrics`` on the
configured port + ``i``.

A worker knows the strategies and indicators this process knows: the modules outside the
package that registered some (a program that imports its own plugin, then runs the command, as
``bench/runtime_flip`` is used) are named to each worker, which imports them before it starts
(``PLUGINS_VARIABLE``); ``-m cryptotrader`` alone would not.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType

from cryptotrader.errors import UserInputError
from cryptotrader.indicators import available_indicators, indicator_class
from cryptotrader.strategies import available_strategies, strategy_class

log = logging.getLogger(__name__)

PORT_VARIABLE = "CRYPTOTRADER_MONITORING__METRICS_PORT"
PLUGINS_VARIABLE = "CRYPTOTRADER_WORKER_PLUGINS"
"""The plugin modules a worker imports first, comma-separated (set by its supervisor)."""
_POLL_S = 0.2
_RESTART_S = (1.0, 30.0)
"""A worker that dies is started again after 1 s, doubling up to 30 s while it keeps dying."""
_REFUSED = 2
"""A worker's exit code for bad input or settings: starting it again would fail the same way."""


def worker_command(name: str, arguments: Sequence[str], consumer: str) -> list[str]:
    """The command line of one worker (``arguments``: the options other than the consumer)."""
    engine = [sys.executable, "-m", "cryptotrader", "engine", name]
    return [*engine, *arguments, "--consumer", consumer]


def plugin_modules() -> list[str]:
    """The modules outside the package whose strategies or indicators are registered here."""
    modules = {strategy_class(name).__module__ for name in available_strategies()}
    modules |= {indicator_class(name).__module__ for name in available_indicators()}
    return sorted(m for m in modules if m.partition(".")[0] not in {"cryptotrader", "__main__"})


def import_plugins() -> None:
    """Import the plugin modules the supervisor named (a worker, before anything else).

    Raises:
        UserInputError: a module cannot be imported.
    """
    for module in filter(None, os.environ.get(PLUGINS_VARIABLE, "").split(",")):
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise UserInputError(f"plugin module {module!r} cannot be imported: {error}") from None


def supervise(name: str, arguments: Sequence[str], consumer: str, workers: int) -> int:
    """Run ``workers`` workers of engine ``name`` until stopped; the exit code to return."""
    supervisor = _Supervisor(name, arguments, consumer)
    previous = {s: signal.signal(s, supervisor.stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        return supervisor.run(workers)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class _Supervisor:
    def __init__(self, name: str, arguments: Sequence[str], consumer: str) -> None:
        self.name, self.arguments, self.consumer = name, arguments, consumer
        self.port = os.environ.get(PORT_VARIABLE)
        self.plugins = ",".join(plugin_modules())
        self.stopping = False
        self.forwarded: int | None = None
        """The signal forwarded to the workers, once stopping."""
        self.children: dict[int, subprocess.Popen[bytes]] = {}
        self.delays: dict[int, float] = {}
        self.restart_at: dict[int, float] = {}
        self.codes: dict[int, int] = {}

    def start(self, index: int) -> None:
        env = dict(os.environ)
        if self.port:
            env[PORT_VARIABLE] = str(int(self.port) + index)
        if self.plugins:
            env[PLUGINS_VARIABLE] = self.plugins
        command = worker_command(self.name, self.arguments, f"{self.consumer}.{index}")
        self.children[index] = subprocess.Popen(command, env=env)  # noqa: S603 - our own
        self.delays.setdefault(index, _RESTART_S[0])

    def stop(self, signum: int, _frame: FrameType | None = None) -> None:
        self.stopping = True
        self.forwarded = signum
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signum)

    def run(self, workers: int) -> int:
        for index in range(workers):
            self.start(index)
        while len(self.codes) < len(self.children):
            for index, child in self.children.items():
                code = child.poll()
                if code is not None and index not in self.restart_at and index not in self.codes:
                    self.exited(index, code)
            for index, when in list(self.restart_at.items()):
                if self.stopping:
                    self.codes[index] = self.children[index].returncode or 0
                    del self.restart_at[index]
                elif time.monotonic() >= when:
                    del self.restart_at[index]
                    self.start(index)
            time.sleep(_POLL_S)
        return max(self.codes.values(), key=abs)

    def exited(self, index: int, code: int) -> None:
        if self.stopping or code == _REFUSED:
            # a worker still starting has no handler yet: the forwarded signal ends it (code -N)
            self.codes[index] = 0 if self.stopping and code == -(self.forwarded or 0) else code
            if not self.stopping:  # bad input or settings: the others would fail the same way
                self.stop(signal.SIGTERM)
            return
        delay = self.delays[index]
        log.warning(
            "engine %s worker %s.%d exited with %d: started again in %.0f s",
            self.name, self.consumer, index, code, delay,
        )  # fmt: skip
        self.restart_at[index] = time.monotonic() + delay
        self.delays[index] = min(delay * 2, _RESTART_S[1])
