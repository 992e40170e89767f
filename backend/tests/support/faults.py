"""Faults a test injects into real services: a private Redis it kills and restarts empty (here),
PostgreSQL connections it cuts (``tcp_proxy``), engine processes it kills (``fault_runs``).

The Redis is a ``redis-server`` of the test's own on a free loopback port, with no persistence
(``--save "" --appendonly no``, as the machine's own Redis): killed with SIGKILL and started
again on the same port, it comes back with no stream and no group, as a production Redis
without persistence does after a crash. Only this test's processes use it, so killing it
disturbs no other test.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from tests.conftest import require

_START_S = 30.0


def free_port() -> int:
    """A loopback port the OS says is free now (bound and released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PrivateRedis:
    """A ``redis-server`` without persistence on a loopback port, killed and restarted at will.

    Args:
        folder: its working directory (nothing is saved there; its log goes there).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    @property
    def url(self) -> str:
        """Its URL (logical database 0)."""
        return f"redis://127.0.0.1:{self.port}/0"

    binary = shutil.which("redis-server") or "redis-server"

    def arguments(self) -> list[str]:
        """Its command line: this port, loopback only, nothing saved."""
        return [
            *("--port", str(self.port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no"),
            *("--dir", str(self.folder), "--daemonize", "no"),
        ]

    def start(self) -> None:
        """Start it on its port, empty, and return once it answers ``PING``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + _START_S
        while True:
            log = (self.folder / "redis.log").open("ab")
            self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
                [self.binary, *self.arguments()],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            log.close()
            if self._answers(deadline):
                return
            # The port was still held (the killed server's socket): try again until the deadline.
            self.process.wait(timeout=10)
            assert time.monotonic() < deadline, (self.folder / "redis.log").read_text()[-2000:]
            time.sleep(0.1)

    def _answers(self, deadline: float) -> bool:
        assert self.process is not None
        client = Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    return False
                try:
                    if client.ping():
                        return True
                except RedisError:
                    time.sleep(0.02)
            raise AssertionError("the private redis-server did not answer")
        finally:
            client.close()

    def kill(self) -> None:
        """SIGKILL it (by its pid) and wait until it is gone: everything it held is lost."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def restart_empty(self) -> float:
        """Kill it and start it again on the same port, empty; the seconds it was down."""
        began = time.monotonic()
        self.kill()
        self.start()
        self.restarts += 1
        return time.monotonic() - began

    def stop(self) -> None:
        """Stop it for good (its pid only)."""
        if self.process is not None and self.process.poll() is None:
            self.kill()


@contextmanager
def private_redis(folder: Path) -> Iterator[PrivateRedis]:
    """A running ``PrivateRedis`` (skipped, or failed under CI, without ``redis-server``)."""
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    server = PrivateRedis(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
