"""Discord bot benchmarks: alert latency from the bus to Discord, /status, 100 alerts/s sustained.

Everything real but Discord: a private ``redis-server`` (the production bus), the backend's API
(``cryptotrader api``) on a database a short replay traded, the bot (discord.py) logged in to
the local Discord server of the tests, which applies Discord's rate limit to the alert channel
(5 messages per 5 s, with the real headers and 429s). Alerts are published on Redis by a
separate process (the backend's ``RedisBus``), stamped with their publish time; the Discord
server stamps each message's arrival. Same clock, one machine.

1. Latency: 30 alerts, 1.2 s apart (under the channel's rate), publish -> Discord POST received.
2. ``/status``: 20 commands, from INTERACTION_CREATE sent to the follow-up received.
3. Sustained: 100 alerts/s for 30 s (1% critical). The bot must read them all (the API drops a
   WebSocket client that falls 256 events behind), show every one (alone or in a summary),
   respect the rate limit, and drain its queue after the burst.

Run from ``discord-bot/`` (needs ``../.venv`` from ``bin/_ensure-env`` and ``../shared/data``):
``.venv/bin/python -m bench.bench_alerts``. Prints a markdown table for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.conftest import (
    FEAR_GREED,
    REPO,
    api_env,
    candles_slice,
    cli,
    free_port,
    start_api,
    stop,
    tokens,
    wait_readable,
)
from tests.fake_discord import ALERT_CHANNEL_ID, VIEWER_ROLE, FakeDiscord
from tests.harness import bot_env, running_bot

PYTHON = REPO / ".venv" / "bin" / "python"
PUBLISHER = """
import asyncio, sys, time
from datetime import UTC, datetime
from cryptotrader.bus import topics
from cryptotrader.bus.messages import AlertRaised
from cryptotrader.bus.redis_streams import RedisBus

async def main(url: str, count: int, rate: float, critical_every: int) -> None:
    bus = await RedisBus.connect(url)
    start = time.monotonic()
    for i in range(count):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        critical = critical_every > 0 and i % critical_every == critical_every - 1
        await bus.publish(topics.ALERTS, AlertRaised(
            timestamp=datetime.now(UTC),
            kind="protection_failed" if critical else "order_refused",
            severity="critical" if critical else "warning",
            text=f"bench alert {i}",
            bot="safe",
        ))
    print(f"{count / (time.monotonic() - start):.1f}")
    await bus.close()

asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])))
"""


def quantiles(values: list[float]) -> tuple[float, float, float]:
    """p50, p95, max (ms)."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000


def arrivals(server: FakeDiscord) -> list[tuple[float, dict[str, Any]]]:
    """(arrival time, embed) of every embed posted to the alert channel."""
    return [
        (at, embed)
        for at, message in server.received
        if message.kind == "channel" and str(ALERT_CHANNEL_ID) in message.path
        for embed in message.embeds
    ]


def merged_count(embed: dict[str, Any]) -> int:
    title = str(embed.get("title", ""))
    return int(title.split()[1]) if title.endswith(" more alerts") else 0


async def publish(url: str, count: int, rate: float, critical_every: int = 0) -> float:
    """Publish ``count`` alerts at ``rate``/s from another process; the rate it achieved."""
    process = await asyncio.create_subprocess_exec(
        str(PYTHON), "-c", PUBLISHER, url, str(count), str(rate), str(critical_every),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await process.communicate()
    assert process.returncode == 0, "the publisher failed"
    return float(out.decode().strip())


async def bench(redis_url: str, api_url: str, token: str, state: Path) -> list[str]:
    server = FakeDiscord(state / "capture.jsonl")
    await server.start()
    server.limit_messages(5, 5.0)  # Discord's limit for messages in one channel
    rows: list[str] = []
    try:
        env = bot_env(server, api_url, token, state / "bot")
        async with running_bot(env) as bot:
            await bot.stream.connected.wait()
            sessions_before = bot.stream.sessions

            # 1. one alert at a time
            await publish(redis_url, 30, 1 / 1.2)
            await bot.poster.flush()
            await asyncio.sleep(0.5)
            single = [
                at - datetime.fromisoformat(embed["timestamp"]).timestamp()
                for at, embed in arrivals(server)
            ]
            p50, p95, worst = quantiles(single)
            rows.append(
                f"| alert published on the bus -> Discord POST, one at a time, p95 (n={len(single)})"
                f" | < 500 ms | **{p95:.0f} ms** (p50 {p50:.0f}, max {worst:.0f}); "
                f"p95 / target = {p95 / 500:.2f} |"
            )

            # 2. /status
            answers = []
            for _ in range(20):
                sent = time.time()
                asked = await server.invoke("status", roles=[VIEWER_ROLE])
                found = await server.wait_for(
                    lambda m, i=asked: i in m.path and m.kind == "followup", timeout=60
                )
                arrived = next(at for at, m in server.received if m is found[-1])
                answers.append(arrived - sent)
            p50, p95, worst = quantiles(answers)
            rows.append(
                f"| `/status` answered (interaction sent -> follow-up received), p95 (n=20)"
                f" | < 1 s | **{p95:.0f} ms** (p50 {p50:.0f}, max {worst:.0f}); "
                f"p95 / target = {p95 / 1000:.2f} |"
            )

            # 3. 100 alerts/s for 30 s
            before = len(server.received)
            handled_before = len(bot.poster.handled)
            backlog: list[int] = []

            async def sample() -> None:
                while True:
                    backlog.append(bot.poster.backlog)
                    await asyncio.sleep(0.5)

            sampler = asyncio.create_task(sample())
            started = time.monotonic()
            achieved = await publish(redis_url, 3000, 100.0, critical_every=100)
            published_s = time.monotonic() - started
            async with asyncio.timeout(300):
                while len(bot.poster.handled) - handled_before < 3000:
                    await asyncio.sleep(0.1)
                await bot.poster.flush()
            drained_s = time.monotonic() - started - published_s
            sampler.cancel()
            messages = [m for _, m in server.received[before:] if m.kind == "channel"]
            embeds = [e for m in messages for e in m.embeds]
            merged = sum(merged_count(e) for e in embeds)
            alone = len(embeds) - sum(1 for e in embeds if merged_count(e))
            critical = sum(1 for e in embeds if e.get("title") == "🛑 Protection failed")
            oldest = [
                at - datetime.fromisoformat(m.embeds[0]["timestamp"]).timestamp()
                for at, m in server.received[before:]
                if m.kind == "channel" and m.embeds
            ]
            refused = sum(1 for path, _ in server.refused if str(ALERT_CHANNEL_ID) in path)
            rows.append(
                f"| 100 alerts/s for 30 s from the bus (publisher achieved {achieved:.0f}/s)"
                f" | held, rate limits respected | **held**: {alone + merged} of 3000 shown "
                f"({alone} alone incl. {critical}/30 critical, {merged} in summaries) in "
                f"{len(messages)} messages; queue at most {max(backlog)} alerts, drained "
                f"{drained_s:.1f} s after the last publish; oldest alert of a message waited "
                f"at most {max(oldest):.1f} s; /ws reconnects "
                f"{bot.stream.sessions - sessions_before}; 429s answered {refused} |"
            )
    finally:
        await server.stop()
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-discord-") as folder:
        home = Path(folder)
        port = free_port()
        redis = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", folder],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        api: subprocess.Popen[bytes] | None = None
        try:
            redis_url = f"redis://127.0.0.1:{port}/0"
            env = api_env(home)
            env["REDIS_URL"] = redis_url
            env["CRYPTOTRADER_ALERTS__DIGEST_ENABLED"] = "false"
            replay = str(candles_slice(home, 400))
            cli(env, "run", "--replay", replay, "--pair", "BTC/USDT", "--fear-greed",
                str(FEAR_GREED))  # fmt: skip
            found = tokens(env)
            api_url, api = start_api(env)
            wait_readable(api_url, found["read"])
            rows = asyncio.run(bench(redis_url, api_url, found["read"], home))
        finally:
            if api is not None:
                stop(api)
            stop(redis)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, load average {load}.")  # fmt: skip
    print("| what | target | result |\n|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
