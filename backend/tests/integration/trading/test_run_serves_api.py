"""``cryptotrader run`` serves the API beside the engines, on the same database and bus."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.builders import read_shared_csv

pytestmark = pytest.mark.timeout(900)
CLI = [sys.executable, "-m", "cryptotrader"]
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, deadline_s: float) -> httpx.Response:
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.shared_data
def test_run_when_api_on_answers_with_the_bots_the_engines_run(
    shared_data: Path, tmp_path: Path
) -> None:
    runner, base = _start_replay_with_api(shared_data, tmp_path, {})
    try:
        assert wait_for(f"{base}/health", 60).status_code == 200
        # one /metrics for the API and the engines beside it (their candles, once some flowed)
        metrics = wait_for_text(f"{base}/metrics", "cryptotrader_engine_messages_total{", 60)
        assert "cryptotrader_api_requests_total{" in metrics
        assert 'cryptotrader_engine_messages_total{group="indicator",topic="candles"}' in metrics
        login = httpx.post(
            f"{base}/auth/login", json={"username": "admin", "password": PASSWORD}, timeout=60
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        bots = httpx.get(f"{base}/api/bots", headers=headers, timeout=60)
        assert bots.status_code == 200, bots.text
        assert {bot["kind"] for bot in bots.json()["data"]} == {"safe", "aggressive"}
        # the runtime beats: the bots are driven, since it started, by a paper runtime
        for bot in bots.json()["data"]:
            assert bot["driven"] is True, bot
            assert bot["driven_since"] == bot["runtime"]["started_at"]
            assert bot["runtime"]["mode"] == "paper"
            assert "a replay of BTC/USDT 4h from binance" in bot["runtime"]["market"]
        # and names the stored series it trades, the dashboard's market (not the newest import)
        (market,) = bots.json()["data"][0]["runtime"]["markets"]
        assert (market["pair"], market["timeframe"]) == ("BTC/USDT", "4h")
        series = httpx.get(f"{base}/api/market/series", headers=headers, timeout=60).json()
        stored = {(s["exchange"], s["pair"], s["timeframe"]) for s in series["data"]}
        assert (market["exchange"], market["pair"], market["timeframe"]) in stored
    finally:
        runner.send_signal(signal.SIGTERM)
        _, err = runner.communicate(timeout=60)
    assert runner.returncode == 0, err
    with sqlite3.connect(tmp_path / "data" / "cryptotrader.db") as connection:
        [(value,)] = connection.execute(
            "SELECT value FROM settings WHERE key = 'runtime.heartbeat'"
        ).fetchall()
    assert json.loads(value)["stopped_at"]  # a clean stop says so at once
    assert f"API: {base}" in err


def _start_replay_with_api(
    shared_data: Path, tmp_path: Path, extra_env: dict[str, str]
) -> tuple[subprocess.Popen[str], str]:
    """An admin, then ``run --replay --api`` of 600 4h candles; the runner and the API's URL."""
    series = tmp_path / "binance_BTC-USDT_4h.csv"
    read_shared_csv(shared_data / "binance_BTC-USDT_4h.csv", rows=600).to_csv(series, index=False)
    env = {**os.environ, "CRYPTOTRADER_DATA_DIR": str(tmp_path / "data"), **extra_env}
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
    # 4h candles at 72,000x real time: 0.2 s each, so the replay outlives the checks.
    runner = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [
            *CLI,
            "run",
            "--replay",
            str(series),
            "--speed",
            "72000",
            "--api",
            "--api-port",
            f"{port}",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return runner, f"http://127.0.0.1:{port}"


def wait_for_text(url: str, text: str, seconds: float) -> str:
    """The body of ``url`` once it contains ``text`` (polled with a pause)."""
    deadline = time.monotonic() + seconds
    body = ""
    while time.monotonic() < deadline:
        body = wait_for(url, seconds).text
        if text in body:
            return body
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not in {url} after {seconds} s")


@pytest.mark.shared_data
def test_run_when_api_on_answers_50_parallel_logins_and_50_bot_controls_while_trading(
    shared_data: Path, tmp_path: Path
) -> None:
    """Inside ``run --api`` on SQLite the engines write beside the API: nothing answers 503 and
    the runner never meets "database is locked" (it did, about 1 run in 5, in ``ensure_pair``)."""
    limits = {
        "CRYPTOTRADER_API__AUTH_RATE_LIMIT_PER_MINUTE": "100000",
        "CRYPTOTRADER_API__RATE_LIMIT_PER_MINUTE": "100000",
    }
    runner, base = _start_replay_with_api(shared_data, tmp_path, limits)
    try:
        assert wait_for(f"{base}/health", 60).status_code == 200
        wait_for_text(f"{base}/metrics", "cryptotrader_engine_messages_total{", 60)
        answers = asyncio.run(_burst(base))
    finally:
        runner.send_signal(signal.SIGTERM)
        _, err = runner.communicate(timeout=60)
    refused = [f"{status} {body}" for status, body in answers if status != 200]
    assert not refused, (refused, err[-3000:])
    assert runner.returncode == 0, err
    assert "database is locked" not in err


async def _burst(base: str) -> list[tuple[int, str]]:
    """50 logins and 50 bot controls at once; their status codes and bodies."""
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        login = await client.post("/auth/login", json={"username": "admin", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        actions = ("pause", "resume", "stop", "start")
        calls = [
            client.post("/auth/login", json={"username": "admin", "password": PASSWORD})
            for _ in range(50)
        ] + [
            client.post(
                f"/api/bots/{('safe', 'aggressive')[i % 2]}/{actions[i % 4]}", headers=headers
            )
            for i in range(50)
        ]
        return [(answer.status_code, answer.text) for answer in await asyncio.gather(*calls)]
