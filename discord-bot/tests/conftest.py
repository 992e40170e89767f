"""Fixtures: the real CryptoTrader API in a subprocess, and the local Discord server.

The API runs from the repository's backend (``.venv/bin/cryptotrader``, installed by
``bin/_test-discord``) on a free port of 127.0.0.1, on a database seeded by a real replay of
stored candles (``../shared/data``); the bot under test imports nothing from it.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from tests.fake_discord import FakeDiscord

REPO = Path(__file__).resolve().parents[2]
CLI = Path(os.environ.get("CRYPTOTRADER_CLI", REPO / ".venv" / "bin" / "cryptotrader"))
DATA = REPO.parent / "shared" / "data"
CANDLES = DATA / "binance_BTC-USDT_4h.csv"
FEAR_GREED = DATA / "alternative-me_fear-greed_1d.csv"
PASSWORD = "admin-password-123"


def require_data() -> None:
    """Skip (fail under CI) when the stored candles are missing."""
    if CANDLES.exists() and FEAR_GREED.exists():
        return
    reason = f"{CANDLES} is missing (see /work/shared/data/README.md)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    """A port the OS says is free on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def api_env(home: Path) -> dict[str, str]:
    """The environment of a backend process on its own SQLite file and in-process bus."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRYPTOTRADER_", "DISCORD"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(
        CRYPTOTRADER_DATA_DIR=str(home),
        CRYPTOTRADER_RUNTIME__TIMEFRAME="4h",
        CRYPTOTRADER_API__RATE_LIMIT_PER_MINUTE="100000",
        CRYPTOTRADER_LOG_LEVEL="WARNING",
    )
    return env


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run the backend's CLI; its output, or the test fails with it."""
    done = subprocess.run(
        [str(CLI), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"cryptotrader {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


def candles_slice(home: Path, count: int) -> Path:
    """The latest ``count`` 4h candles of the stored BTC/USDT series."""
    lines = CANDLES.read_text(encoding="utf-8").splitlines()
    path = home / f"btc-4h-{count}.csv"
    path.write_text("\n".join([lines[0], *lines[-count:]]) + "\n", encoding="utf-8")
    return path


def tokens(env: dict[str, str]) -> dict[str, str]:
    """An admin and three service tokens: read+control, read only, control only."""
    cli(env, "user", "create", "admin", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    found = {}
    for name, scope in (("control", "read,control"), ("read", "read"), ("blind", "control")):
        out = cli(env, "token", "create", "--name", name, "--scope", scope, "--user", "admin")
        found[name] = out.strip().splitlines()[-1].strip()
    return found


@dataclass
class Api:
    """A running API: its URL, tokens, and the SQLite file it uses."""

    url: str
    tokens: dict[str, str]
    database: Path
    process: subprocess.Popen[bytes]


def wait_healthy(url: str, process: subprocess.Popen[bytes], within_s: float = 120.0) -> None:
    """Poll ``/health`` until it answers (the process must stay up)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "the API process exited"
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not become healthy")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process we started (by its handle)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@pytest.fixture(scope="session")
def seeded_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The API on a database where a real replay of 1500 4h candles traded."""
    require_data()
    home = tmp_path_factory.mktemp("seeded")
    env = api_env(home)
    replay = str(candles_slice(home, 1500))
    cli(env, "run", "--replay", replay, "--pair", "BTC/USDT", "--fear-greed", str(FEAR_GREED))
    found = tokens(env)
    url, process = start_api(env)
    try:
        wait_readable(url, found["read"])
        yield Api(url, found, home / "cryptotrader.db", process)
    finally:
        stop(process)


def start_api(env: dict[str, str]) -> tuple[str, subprocess.Popen[bytes]]:
    """``cryptotrader api`` on a free port of 127.0.0.1, healthy; its URL and process."""
    port = free_port()
    process = subprocess.Popen(
        [str(CLI), "api", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=sys.stderr,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
    except BaseException:
        stop(process)
        raise
    return url, process


def wait_readable(url: str, token: str, within_s: float = 180.0) -> None:
    """Poll ``/api/portfolio`` until it answers 200.

    Just after start, the API's first read of a SQLite file another process wrote can fail
    with a database error (reported to the backend); the commands are tested once it reads.
    """
    deadline = time.monotonic() + within_s
    headers = {"Authorization": f"Bearer {token}"}
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/portfolio", headers=headers, timeout=30).status_code == 200:
                return
        except httpx.TimeoutException:  # a loaded machine: ask again until the deadline
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url}/api/portfolio never answered 200")


@pytest.fixture
def live_api(tmp_path: Path) -> Iterator[Api]:
    """A replay running with its API: alerts are published while the test runs."""
    require_data()
    home = tmp_path / "live"
    home.mkdir()
    env = api_env(home)
    cli(env, "db", "upgrade")
    found = tokens(env)
    port = free_port()
    process = subprocess.Popen(
        [
            str(CLI),
            "run",
            "--replay",
            str(candles_slice(home, 3000)),
            "--pair",
            "BTC/USDT",
            "--speed",
            "144000",
            "--fear-greed",
            str(FEAR_GREED),
            "--api",
            "--api-port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=sys.stderr,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield Api(url, found, home / "cryptotrader.db", process)
    finally:
        stop(process)


@pytest.fixture
def watched_api(seeded_api: Api, tmp_path: Path) -> Iterator[Api]:
    """The API on a copy of the seeded database whose runtime died (a stale heartbeat, no clean
    stop) and whose last daily digest is two days old: its watchdog (looking every 0.2 s)
    raises ``engine_silent`` and a ``daily_digest`` at once."""
    home = tmp_path / "watched"
    home.mkdir()
    database = home / "cryptotrader.db"
    with sqlite3.connect(seeded_api.database) as source, sqlite3.connect(database) as copy:
        source.backup(copy)
    long_ago = datetime.now(UTC) - timedelta(days=2)
    beat = {
        "started_at": (long_ago - timedelta(hours=1)).isoformat(),
        "seen_at": long_ago.isoformat(),
        "stopped_at": None,
        "pid": 4242,
        "mode": "paper",
        "market": "BTC/USDT 4h from binance",
    }
    stored = f"{long_ago.replace(tzinfo=None):%Y-%m-%d %H:%M:%S.%f}"
    with sqlite3.connect(database) as db:
        for key, value in (("runtime.heartbeat", beat), ("alerts.daily_digest", {})):
            db.execute(
                "INSERT OR REPLACE INTO settings (key, value, updated_at, updated_by)"
                " VALUES (?, ?, ?, 'test')",
                (key, json.dumps(value), stored),
            )
    env = api_env(home)
    env["CRYPTOTRADER_ALERTS__CHECK_INTERVAL_S"] = "0.2"
    url, process = start_api(env)
    try:
        yield Api(url, seeded_api.tokens, database, process)
    finally:
        stop(process)


CAPTURES = Path(__file__).resolve().parents[1] / "test-output"


@pytest_asyncio.fixture
async def discord_server(request: pytest.FixtureRequest) -> AsyncIterator[FakeDiscord]:
    """The local Discord; what the bot sends is captured in ``test-output/<test>.jsonl``."""
    folder = CAPTURES / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    server = FakeDiscord(folder / "discord-capture.jsonl")
    await server.start()
    yield server
    await server.stop()


async def eventually(condition: object, within_s: float = 60.0) -> None:
    """Poll ``condition()`` until true (a deadline, never a timing assertion)."""
    async with asyncio.timeout(within_s):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.1)
