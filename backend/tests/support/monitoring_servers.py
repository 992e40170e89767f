"""Real InfluxDB and Prometheus servers on loopback for tests, each stopped by its pid.

Debian's ``influxd`` (1.x: the v1 write API that 2.x and 3.x also take, and InfluxQL to read
back) and ``prometheus`` run with a configuration and data folder of the test's, on free ports.
Under CI a missing binary fails the test; elsewhere it skips with the reason.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import require

_START_S = 60.0


def free_port() -> int:
    """A port the OS says is free now (bound and released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def poll(check: Callable[[], Any], *, what: str, deadline_s: float = _START_S) -> Any:
    """``check()``'s first truthy result, polled with a pause, or an AssertionError at the end."""
    deadline = time.monotonic() + deadline_s
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (httpx.HTTPError, OSError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(0.2)
    raise AssertionError(f"{what}: still {last!r} after {deadline_s} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@dataclass
class Influx:
    """A running influxd: its URL, and InfluxQL to read back."""

    url: str
    process: subprocess.Popen[bytes]

    def query(self, database: str, statement: str) -> list[dict[str, Any]]:
        """The series of an InfluxQL query (``[]`` when it matched nothing)."""
        response = httpx.get(
            f"{self.url}/query", params={"db": database, "q": statement, "epoch": "ms"}, timeout=60
        )
        response.raise_for_status()
        result = response.json()["results"][0]
        assert "error" not in result, result
        series: list[dict[str, Any]] = result.get("series", [])
        return series

    def create_database(self, name: str) -> None:
        """``CREATE DATABASE`` (1.x; a 2.x bucket or 3.x database is made by their tools)."""
        statement = f'CREATE DATABASE "{name}"'
        httpx.post(f"{self.url}/query", params={"q": statement}, timeout=60).raise_for_status()


@contextmanager
def influxd(folder: Path, *, port: int | None = None) -> Iterator[Influx]:
    """A private influxd on loopback (``port``: a chosen one, else a free one)."""
    binary = shutil.which("influxd")
    require(binary is not None, "influxd not installed (apt-get install influxdb)")
    assert binary is not None
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    config = folder / "influxdb.conf"
    config.write_text(
        f"""reporting-disabled = true
bind-address = "127.0.0.1:{free_port()}"
[meta]
  dir = "{folder / "meta"}"
[data]
  dir = "{folder / "data"}"
  wal-dir = "{folder / "wal"}"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:{port}"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
"""
    )
    log = (folder / "influxd.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own config
        [binary, "-config", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    server = Influx(url=f"http://127.0.0.1:{port}", process=process)
    try:
        poll(
            lambda: process.poll() is None and httpx.get(f"{server.url}/ping").status_code == 204,
            what="influxd ready",
        )
        yield server
    finally:
        _stop(process)
        log.close()


@dataclass
class Prometheus:
    """A running Prometheus: its URL, and the HTTP API to query it."""

    url: str

    def query(self, expression: str) -> list[dict[str, Any]]:
        """An instant query's vector."""
        response = httpx.get(f"{self.url}/api/v1/query", params={"query": expression}, timeout=60)
        response.raise_for_status()
        body = response.json()
        assert body["status"] == "success", body
        result: list[dict[str, Any]] = body["data"]["result"]
        return result

    def value(self, expression: str) -> float | None:
        """The single value of a query, or None when it has no sample."""
        result = self.query(expression)
        return float(result[0]["value"][1]) if result else None

    def targets(self) -> list[dict[str, Any]]:
        """The active scrape targets."""
        response = httpx.get(f"{self.url}/api/v1/targets", timeout=60)
        response.raise_for_status()
        targets: list[dict[str, Any]] = response.json()["data"]["activeTargets"]
        return targets


@contextmanager
def prometheus(folder: Path, jobs: dict[str, list[str]]) -> Iterator[Prometheus]:
    """A private Prometheus scraping ``jobs`` (name -> ``host:port`` targets) every second."""
    binary = shutil.which("prometheus")
    require(binary is not None, "prometheus not installed (apt-get install prometheus)")
    assert binary is not None
    folder.mkdir(parents=True, exist_ok=True)
    scrape = "".join(
        f"  - job_name: {name}\n    static_configs:\n      - targets: {targets!r}\n"
        for name, targets in jobs.items()
    )
    config = folder / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n" + scrape
    )
    port = free_port()
    log = (folder / "prometheus.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own config
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Prometheus(url=f"http://127.0.0.1:{port}")
    try:
        poll(
            lambda: (
                process.poll() is None and httpx.get(f"{server.url}/-/ready").status_code == 200
            ),
            what="prometheus ready",
        )
        yield server
    finally:
        _stop(process)
        log.close()
