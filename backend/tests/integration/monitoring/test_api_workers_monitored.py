"""The API with two workers: metrics summed across them, points in InfluxDB, /health's entry.

``cryptotrader api --workers 2`` (PostgreSQL, Redis) serves requests from two processes; whichever
answers ``/metrics`` reports the sum of both (prometheus_client's multiprocess mode), and so does
a real Prometheus scraping it. Request latencies reach a real influxd; when influxd stops,
``/health`` says so and still answers 200 (trading is not its business).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.monitoring_servers import Influx, free_port, influxd, poll, prometheus
from tests.support.processes import process_env

INFLUX_DB = "cryptotrader"
REQUESTS = 40
# A Redis logical database of its own, not the directory's 10 (test_engines_monitored's): the
# runtime's stream names are fixed and each test empties them, and under pytest-xdist the two
# run at the same time on different workers.
REDIS_DB = 13


def test_two_api_workers_report_one_sum_to_prometheus_and_points_to_influxdb(
    tmp_path: Path, postgres_url: str, redis_url: str
) -> None:
    port = free_port()
    folder = tmp_path / "multiproc"
    url = f"http://127.0.0.1:{port}"
    api: subprocess.Popen[bytes] | None = None
    try:
        with influxd(tmp_path / "influx") as influx:
            influx.create_database(INFLUX_DB)
            env = process_env(
                postgres_url,
                redis_url,
                tmp_path,
                PROMETHEUS_MULTIPROC_DIR=str(folder),
                CRYPTOTRADER_MONITORING__INFLUX_URL=influx.url,
                CRYPTOTRADER_MONITORING__INFLUX_FLUSH_S="0.2",
            )
            command = ["api", "--port", str(port), "--workers", "2"]
            api = subprocess.Popen(  # noqa: S603 - our own entry point, fixed arguments
                [sys.executable, "-m", "cryptotrader", *command],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=(tmp_path / "api.log").open("w"),
            )
            poll(  # two interpreters importing everything on a loaded machine: be patient
                lambda: httpx.get(f"{url}/health", timeout=60).status_code == 200,
                what="the API up",
                deadline_s=300,
            )
            log = tmp_path / "api.log"
            poll(
                lambda: log.read_text().count("Application startup complete") == 2,
                what="both workers started",
                deadline_s=300,
            )
            assert len(_worker_pids(folder)) == 2  # each keeps its values in files of its own
            for _ in range(REQUESTS):  # a new connection each: the workers share them
                assert httpx.get(f"{url}/health", timeout=60).json()["influxdb"] == "ok"
            expected = _health_count(httpx.get(f"{url}/metrics", timeout=60).text)
            assert expected >= REQUESTS  # and the readiness polls before them
            for _ in range(3):  # whichever worker answers, the sum is the same
                assert _health_count(httpx.get(f"{url}/metrics", timeout=60).text) == expected
            with prometheus(tmp_path / "prometheus", {"api": [f"127.0.0.1:{port}"]}) as prom:
                got = poll(
                    lambda: prom.value('sum(cryptotrader_api_requests_total{route="/health"})'),
                    what="the API scraped",
                )
                assert got == expected
            query = "SELECT count(seconds) FROM api_request WHERE route = '/health'"
            poll(lambda: _counted(influx, query) >= REQUESTS, what="request points in InfluxDB")
        # influxd is down now: the writer notices on its next batch, /health says so with a 200.
        body = poll(lambda: _degraded(url), what="/health reporting InfluxDB unavailable")
        assert body["database"] == "ok"
    finally:
        if api is not None:
            os.kill(api.pid, signal.SIGTERM)
            code = api.wait(timeout=120)
    assert code == 0


def _worker_pids(folder: Path) -> set[str]:
    return {m.group(1) for p in folder.glob("*.db") if (m := re.search(r"_(\d+)\.db$", p.name))}


def _health_count(text: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith("cryptotrader_api_requests_total{") and 'route="/health"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def _counted(influx: Influx, statement: str) -> int:
    series = influx.query(INFLUX_DB, statement)
    return int(series[0]["values"][0][1]) if series else 0


def _degraded(url: str) -> dict[str, str] | None:
    response = httpx.get(f"{url}/health", timeout=60)
    assert response.status_code == 200
    body: dict[str, str] = response.json()
    return body if body["influxdb"] == "unavailable" and body["status"] == "degraded" else None
