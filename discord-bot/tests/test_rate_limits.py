"""A burst of alerts against a local Discord that rate-limits as Discord does (buckets with
``X-RateLimit-*`` headers, 429 with ``retry_after``, a global 429): taking an alert never waits
for Discord, critical alerts are posted one embed each, the rest is packed ten to a message or
merged into summaries, nothing is lost, and the buckets are respected."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import discord

from cryptotrader_discord.alerts import AlertPoster, CursorTracker
from cryptotrader_discord.api import ApiClient
from cryptotrader_discord.bot import point_at
from cryptotrader_discord.config import BotConfig
from cryptotrader_discord.events import Alert, CursorFile
from tests.conftest import eventually
from tests.fake_discord import ALERT_CHANNEL_ID, WEBHOOK_ID, WEBHOOK_TOKEN, FakeDiscord
from tests.harness import bot_env, running_bot

BURST = 300
LIMIT, WINDOW_S = 5, 2.0


def burst() -> list[Alert]:
    """Alerts of the kinds a busy replay raises, with a protection failure every 30th."""
    kinds = itertools.cycle(
        [
            ("trade_opened", "info", {"quantity": "0.01", "stop_loss": "59000", "stop_pct": "-2"}),
            ("trade_closed", "info", {"pnl": "1.5", "pnl_pct": "0.5", "duration_s": "3600"}),
            ("order_refused", "warning", {}),
        ]
    )
    alerts = []
    for index in range(BURST):
        kind, severity, details = next(kinds)
        if index % 30 == 29:
            kind, severity, details = "protection_failed", "critical", {}
        alerts.append(
            Alert(
                message_id=f"m{index}",
                timestamp=datetime.now(UTC),
                kind=kind,
                severity=severity,  # type: ignore[arg-type]
                text=f"{kind} #{index}",
                bot="safe",
                pair="BTC/USDT",
                price="60000",  # type: ignore[arg-type]
                details=details,
            )
        )
    return alerts


def summary_count(embed: dict[str, Any]) -> int:
    return int(embed["title"].split()[1]) if embed["title"].endswith(" more alerts") else 0


def shown(embeds: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(alerts shown alone, alerts counted in summaries, critical alerts shown alone)."""
    merged = sum(summary_count(e) for e in embeds)
    alone = sum(1 for e in embeds if not summary_count(e))
    critical = sum(1 for e in embeds if e["title"] == "🛑 Protection failed")
    return alone, merged, critical


async def test_a_burst_is_packed_and_merged_within_the_rate_limits_and_nothing_is_lost(
    discord_server: FakeDiscord, tmp_path: Path
) -> None:
    discord_server.limit_messages(LIMIT, WINDOW_S)
    discord_server.refuse_globally(1)
    env = bot_env(discord_server, "http://127.0.0.1:9", "unused", tmp_path / "state")
    del env["DISCORD_TOKEN"]
    env["DISCORD_WEBHOOK_URL"] = discord_server.webhook_url
    config = BotConfig.from_env(env)
    point_at(config)
    cursors = CursorFile(tmp_path / "cursor")
    api = ApiClient(config.api_url, config.service_token)  # read only for aggressive sells
    async with aiohttp.ClientSession() as session:
        hook = discord.Webhook.partial(WEBHOOK_ID, WEBHOOK_TOKEN, session=session)

        async def send(channel: int | None, embeds: Sequence[discord.Embed]) -> None:
            await hook.send(embeds=list(embeds), username="CryptoTrader", wait=True)

        poster = AlertPoster(
            api=api,
            routing=config.routing,
            send=send,
            language=lambda: "en",
            webhook=True,
            cursors=cursors,
        )
        alerts = burst()
        for index, alert in enumerate(alerts):
            await poster.post(alert, f"{index + 1}-0")
        assert poster.backlog == BURST  # taken, none posted yet: taking never waits
        await eventually(lambda: poster.backlog == 0, within_s=180)
        await poster.close()
    await api.aclose()

    received = [(at, m) for at, m in discord_server.received if m.kind == "webhook"]
    embeds = [e for _, m in received for e in m.embeds]
    alone, merged, critical = shown(embeds)
    assert critical == BURST // 30  # each alone, never merged
    assert alone + merged == BURST == poster.posted  # every alert shown once
    assert merged > 0  # behind the limit: the backlog was summarised
    assert len(received) < BURST // 5
    assert all(len(m.embeds) <= 10 for _, m in received)
    assert sorted(poster.handled, key=lambda i: int(i[1:])) == [a.message_id for a in alerts]
    assert cursors.read() == f"{BURST}-0"
    webhook = f"/api/v10/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}"
    assert (webhook, True) in discord_server.refused  # the global 429 was waited out


async def test_the_bot_account_posts_a_burst_to_its_channel_within_the_bucket_and_a_global_429(
    discord_server: FakeDiscord, tmp_path: Path
) -> None:
    discord_server.limit_messages(1, 1.0)
    discord_server.refuse_globally(1)
    # No API behind: the alert stream keeps retrying it; the alerts are handed to the poster
    # a little apart, so that messages go out while more come in and the bucket runs dry.
    env = bot_env(discord_server, "http://127.0.0.1:9", "unused", tmp_path / "state")
    alerts = burst()[:90]
    async with running_bot(env) as bot:
        for index, alert in enumerate(alerts):
            await bot.poster.post(alert, f"{index + 1}-0")
            await asyncio.sleep(0.01)
        await eventually(lambda: bot.poster.backlog == 0, within_s=180)
        handled = list(bot.poster.handled)
    messages = [m for m in discord_server.messages if m.kind == "channel"]
    assert all(m.path.endswith(f"/channels/{ALERT_CHANNEL_ID}/messages") for m in messages)
    alone, merged, critical = shown([e for m in messages for e in m.embeds])
    assert (alone + merged, critical) == (90, 3)
    assert handled == [a.message_id for a in alerts]
    assert any(is_global for _, is_global in discord_server.refused)
    assert all(1 <= len(m.embeds) <= 10 for m in messages)
    assert CursorFile(tmp_path / "state" / "alerts.cursor").read() == "90-0"


async def test_cursor_tracker_moves_only_over_alerts_handled_in_order(tmp_path: Path) -> None:
    cursors = CursorFile(tmp_path / "cursor")
    tracker = CursorTracker(cursors)
    first, second, third = tracker.add(), tracker.add(), tracker.add()
    tracker.done(second, "2-0")
    assert cursors.read() is None  # the first is still being posted (another channel)
    tracker.done(first, "1-0")
    assert cursors.read() == "2-0"
    tracker.done(third, None)  # an unreadable alert: nothing to store, nothing to wait for
    assert cursors.read() == "2-0"
    assert tracker.idle.is_set()
