"""Alerts published by a real replay run reach the local Discord as embeds, through ``/ws``;
after a restart the bot resumes from the last alert it posted: none twice, none lost."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import discord
from websockets.asyncio.client import connect

from cryptotrader_discord.alerts import AlertPoster
from cryptotrader_discord.api import ApiClient
from cryptotrader_discord.bot import point_at
from cryptotrader_discord.config import BotConfig
from cryptotrader_discord.embeds import (
    alert_embed,
    duration,
    french_numbers,
    kind_title,
    money,
    ratio,
    signed,
    streak_reason,
    when,
)
from cryptotrader_discord.events import Alert, CursorFile, ws_url
from cryptotrader_discord.i18n import EN, FR
from cryptotrader_discord.webhook import run_webhook
from tests.conftest import REPO, Api, eventually
from tests.fake_discord import ALERT_CHANNEL_ID, FakeDiscord
from tests.harness import bot_env, running_bot


@contextlib.asynccontextmanager
async def every_alert(api: Api) -> AsyncIterator[list[dict[str, Any]]]:
    """The truth: every alert the API publishes (from the oldest retained), in order."""
    seen: list[dict[str, Any]] = []

    async def read() -> None:
        headers = {"Authorization": f"Bearer {api.tokens['read']}"}
        async with connect(ws_url(api.url), additional_headers=headers) as socket:
            await socket.recv()
            await socket.send(
                json.dumps({"type": "subscribe", "topics": ["alerts"], "resume": {"alerts": "0-0"}})
            )
            async for raw in socket:
                frame = json.loads(raw)
                if frame["type"] == "event":
                    seen.append(frame["data"])

    task = asyncio.create_task(read())
    try:
        yield seen
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed.get("fields", [])}


async def test_alerts_of_a_replay_are_posted_and_resume_after_a_restart_without_gap_or_repeat(
    live_api: Api, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    env = bot_env(discord_server, live_api.url, live_api.tokens["read"], tmp_path / "state")
    async with every_alert(live_api) as truth:
        async with running_bot(env, start_at="0-0") as first:
            await eventually(lambda: first.poster.posted >= 2, within_s=240)
        before_restart = list(first.poster.handled)
        await eventually(lambda: len(truth) >= len(before_restart) + 2, within_s=240)
        async with running_bot(env, start_at="0-0") as second:
            goal = len(truth)
            await eventually(lambda: len(before_restart) + len(second.poster.handled) >= goal, 240)
        handled = before_restart + list(second.poster.handled)  # with the post a stop finished
        expected = [alert["message_id"] for alert in truth[: len(handled)]]
    assert handled == expected  # in order, none twice, none missed across the restart
    messages = [m for m in discord_server.messages if m.kind == "channel"]
    assert all(m.path.endswith(f"/channels/{ALERT_CHANNEL_ID}/messages") for m in messages)
    posted_kinds = [a["kind"] for a in truth[: len(handled)] if a["kind"] != "reallocation"]
    channel = [embed for m in messages for embed in m.embeds]  # up to 10 embeds a message
    summaries = [e for e in channel if e["title"].endswith(" more alerts")]
    merged = sum(int(e["title"].split()[1]) for e in summaries)  # a backlog is summarised
    assert len(channel) - len(summaries) + merged == len(posted_kinds)

    buys = [a for a in truth[: len(handled)] if a["kind"] == "trade_opened"]
    assert buys, [a["kind"] for a in truth]
    buy = buys[0]
    embed = next(e for e in channel if e["title"].startswith(f"🟢 BUY — {buy['pair']}"))
    assert embed["title"] == f"🟢 BUY — {buy['pair']} @ {money(buy['price'])}"
    shown = fields(embed)
    assert list(shown) == [
        "Bot",
        "Quantity",
        "Stop-Loss",
        "Take-Profit",
        "Risk",
        "Potential gain",
        "R/R ratio",
        "Confidence",
        "Indicators",
    ]
    details = buy["details"]
    assert shown["Bot"] == buy["bot"].capitalize()
    assert shown["Quantity"] == f"{details['quantity']} BTC"
    assert shown["Stop-Loss"] == f"{money(details['stop_loss'])} ({details['stop_pct']}%)"
    assert shown["Take-Profit"] == f"{money(details['take_profit'])} ({details['take_pct']}%)"
    assert shown["Risk"] == money(buy["risk"])
    assert shown["Potential gain"] == money(buy["potential_gain"])
    assert shown["R/R ratio"] == f"{Decimal(buy['rr_ratio']):.1f}"
    votes = [k.removeprefix("vote:").upper() for k in details if k.startswith("vote:")]
    assert all(name in shown["Indicators"] for name in votes)

    sells = [a for a in truth[: len(handled)] if a["kind"] == "trade_closed"]
    assert sells
    sell = sells[0]
    embed = next(e for e in channel if e["title"].startswith("🔴 SELL"))
    shown = fields(embed)
    assert shown["P&L"] == f"{signed(sell['details']['pnl'])} ({sell['details']['pnl_pct']}%)"
    moved = [
        a
        for a in truth
        if a["kind"] == "reallocation"
        and a["details"]["trigger_trade_id"] == sell["details"]["trade_id"]
    ]
    if moved:  # a winning aggressive trade: its reallocation is in the sell embed
        assert shown["Reallocation"] == f"{money(moved[0]['details']['amount'])} → Safe bot"
    closing = {
        "take_profit": ("Take-profit hit", "Objectif atteint"),
        "stop_loss": ("Stop-loss hit", "Stop-loss touché"),
        "signal": ("Sell signal", "Signal de vente"),
        "end_of_data": ("End of data", "Fin des données"),
    }
    english, french = closing[sell["details"]["reason"]]
    assert shown["Reason"] == english  # not the API's word (take_profit)
    in_french = alert_embed(Alert.model_validate(sell), "fr")
    assert {f.name: f.value for f in in_french.fields}["Raison"] == french
    reduced = [a for a in truth[: len(handled)] if a["kind"] == "risk_reduced"]
    for alert in reduced[:1]:
        embed = next(e for e in channel if e["title"].startswith("⚠️ RISK"))
        shown = fields(embed)
        losses = alert["details"]["losses"]
        assert shown["Reason"] == f"{losses} consecutive losses"
        assert shown["Old risk"] == percent(alert["details"]["old_risk"])
        assert shown["New risk"] == percent(alert["details"]["new_risk"])
        french_fields = alert_embed(Alert.model_validate(alert), "fr").fields
        assert {f.name: f.value for f in french_fields}["Raison"] == f"{losses} pertes consécutives"


def percent(fraction: str) -> str:
    """``0.03`` -> ``3%``, ``0.015`` -> ``1.5%``, ``0.0075`` -> ``0.75%`` (a halved risk exact)."""
    return f"{Decimal(fraction) * 100:f}".rstrip("0").rstrip(".") + "%"


def test_risk_ratios_keep_two_decimals_and_streak_reasons_read_in_both_languages() -> None:
    assert [ratio(v) for v in ("0.03", "0.015", "0.0075", "0.01")] == ["3%", "1.5%", "0.75%", "1%"]
    assert streak_reason("5 consecutive losses: paused", "fr") == (
        "5 pertes consécutives : bot en pause"
    )
    assert streak_reason("2 consecutive wins", "en") == "2 consecutive wins"
    assert streak_reason("2 consecutive wins", "fr") == "2 gains consécutifs"
    assert streak_reason("a reason of another shape", "fr") == "a reason of another shape"


def test_every_alert_kind_of_the_catalogue_has_a_title_in_english_and_french() -> None:
    """docs/events.md lists the kinds the backend raises: none may reach Discord untitled
    (the generic "🔔 bot pairs applied", in English in a French guild)."""
    catalogue = (REPO / "docs" / "events.md").read_text(encoding="utf-8")
    table = catalogue.split("## Alert kinds")[1].split("### ")[0]
    kinds = {
        name
        for row in table.splitlines()
        if row.startswith("| `")
        for name in re.findall(r"`([a-z_]+)`", row.split("|")[1])
    }
    assert {"trade_opened", "engine_silent", "bot_pairs_applied", "pair_refused"} <= kinds
    missing = sorted(k for k in kinds if f"kind_{k}" not in EN or f"kind_{k}" not in FR)
    assert missing == []
    for kind in kinds:
        assert kind_title(kind, "fr") != kind_title(kind, "en"), kind


async def test_webhook_mode_posts_alerts_without_a_bot_account(
    live_api: Api, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    env = bot_env(discord_server, live_api.url, live_api.tokens["read"], tmp_path / "state")
    del env["DISCORD_TOKEN"]
    env["DISCORD_WEBHOOK_URL"] = discord_server.webhook_url
    env["DISCORD_LOCALE"] = "fr"
    config = BotConfig.from_env(env)
    point_at(config)
    api = ApiClient(config.api_url, config.service_token)
    task = asyncio.create_task(run_webhook(config, api, start_at="0-0"))
    try:
        found = await discord_server.wait_for(lambda m: m.kind == "webhook", timeout=240)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await api.aclose()
    titles = [e["title"] for m in found for e in m.embeds]
    assert all(not t.startswith(("🟢 BUY", "🔴 SELL")) for t in titles)  # French: ACHAT / VENTE
    assert found[0].body["username"] == "CryptoTrader"


async def test_engine_silent_and_the_daily_digest_raised_by_the_api_are_posted_field_by_field(
    watched_api: Api, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    env = bot_env(discord_server, watched_api.url, watched_api.tokens["read"], tmp_path / "state")
    async with every_alert(watched_api) as truth:
        async with running_bot(env, start_at="0-0") as running:
            await eventually(lambda: running.poster.posted >= 2, within_s=120)
        await eventually(lambda: len(truth) >= 2, within_s=60)
    by_kind = {a["kind"]: a for a in truth}
    assert set(by_kind) == {"engine_silent", "daily_digest"}
    channel = {e["title"]: e for m in discord_server.messages for e in m.embeds}

    silent = by_kind["engine_silent"]["details"]
    embed = channel["🔕 ENGINE SILENT"]
    assert embed["color"] == 0xE74C3C
    assert fields(embed) == {
        "Cause": "The trading runtime stopped beating without stopping cleanly.",
        "Silent for": duration(int(silent["silent_s"]), "en"),
        "Last beat": when(silent["last_beat"]),
    }
    assert int(silent["silent_s"]) >= 2 * 86400  # the last beat was two days ago

    digest = by_kind["daily_digest"]["details"]
    end = datetime.fromisoformat(digest["period_end"])
    day = f"{end - timedelta(microseconds=1):%Y-%m-%d}"  # 24 h ending at 00:00: the day before
    embed = channel[f"📅 DAILY DIGEST — {day}"]
    assert embed["description"] == (
        f"From {when(digest['period_start'])} to {when(digest['period_end'])}"
    )
    shown = fields(embed)
    assert list(shown) == ["Safe", "Aggressive", "Total"]
    for bot in ("safe", "aggressive"):
        assert shown[bot.capitalize()] == (
            f"Capital: {money(digest[f'capital:{bot}'])}\n"
            f"P&L: {signed(digest[f'pnl:{bot}'])}\n"
            f"Closed: {digest[f'closed:{bot}']} ({digest[f'wins:{bot}']} ✅ / "
            f"{digest[f'losses:{bot}']} ❌)\n"
            f"Opened: {digest[f'opened:{bot}']} · open now: {digest[f'open:{bot}']}"
        )
    assert shown["Total"] == f"{money(digest['capital'])} ({signed(digest['pnl'])})"

    # The same alerts in a French guild.
    french = {a["kind"]: alert_embed(Alert.model_validate(a), "fr") for a in truth}
    assert french["engine_silent"].title == "🔕 MOTEUR SILENCIEUX"
    assert french["engine_silent"].fields[1].name == "Silencieux depuis"
    assert french["daily_digest"].title == f"📅 BILAN DU JOUR — {day}"
    assert [f.name for f in french["daily_digest"].fields] == ["Sécuritaire", "Agressif", "Total"]


def alert(kind: str, number: int, **extra: Any) -> Alert:
    fields: dict[str, Any] = {
        "message_id": f"m{number}",
        "timestamp": "2026-12-05T06:00:00+00:00",
        "kind": kind,
        "text": f"{kind} #{number}",
        "bot": "aggressive",
        **extra,
    }
    return Alert.model_validate(fields)


async def test_each_kind_goes_to_its_routed_channel_or_nowhere(tmp_path: Path) -> None:
    """ALERT_CHANNELS: a kind's own entry, then its group's, then the default; ``off`` posts
    nothing (and its cursor still moves: it is not received again after a restart)."""
    config = BotConfig.from_env(
        {
            "DISCORD_TOKEN": "t",
            "CRYPTOTRADER_SERVICE_TOKEN": "ctk_x",
            "ALERT_CHANNELS": "default=10, trades=20, trade_closed=21, risk=30, digest=off",
        }
    )
    sent: list[tuple[int | None, list[str]]] = []

    async def send(channel: int | None, embeds: Sequence[discord.Embed]) -> None:
        sent.append((channel, [str(e.title) for e in embeds]))

    api = ApiClient("http://127.0.0.1:9", "unused")  # a bot="safe" sell reads nothing
    cursors = CursorFile(tmp_path / "alerts.cursor")
    poster = AlertPoster(
        api=api, routing=config.routing, send=send, language=lambda: "en", cursors=cursors
    )
    kinds: list[tuple[str, dict[str, Any]]] = [
        ("trade_opened", {"pair": "BTC/USDT", "price": "100"}),
        ("trade_closed", {"bot": "safe", "pair": "BTC/USDT", "details": {"pnl": "1"}}),
        ("risk_reduced", {"details": {"reason": "3 consecutive losses"}}),
        ("daily_digest", {}),
        ("order_failed", {"severity": "critical"}),
    ]
    for number, (kind, extra) in enumerate(kinds, start=1):
        await poster.post(alert(kind, number, **extra), f"{number}-0")
    await eventually(lambda: poster.backlog == 0, within_s=30)
    await poster.close()
    await api.aclose()
    where = {titles[0].split(" — ")[0]: channel for channel, titles in sent}
    assert where == {
        "🟢 BUY": 20,  # its group (trades)
        "🔴 SELL": 21,  # its own entry wins over the group
        "⚠️ RISK REDUCED": 30,
        "❗ Order failed": 10,  # no entry, no group entry: the default
    }
    assert all("DAILY DIGEST" not in t for _, titles in sent for t in titles)  # off
    assert cursors.read() == "5-0"


def test_circuit_breaker_says_which_bot_and_why_in_both_languages() -> None:
    tripped = alert(
        "circuit_breaker",
        1,
        severity="critical",
        details={"cause": "5 consecutive losses: paused", "losses": "5"},
    )
    english, french = alert_embed(tripped, "en"), alert_embed(tripped, "fr")
    assert english.title == "⛔ CIRCUIT BREAKER — Aggressive bot paused"
    assert [(f.name, f.value) for f in english.fields] == [
        ("Cause", "5 consecutive losses: bot paused")
    ]
    assert french.title == "⛔ DISJONCTEUR — Bot Agressif en pause"
    assert [(f.name, f.value) for f in french.fields] == [
        ("Cause", "5 pertes consécutives : bot en pause")
    ]


def test_risk_restored_says_why_and_the_risk_before_and_after_in_both_languages() -> None:
    details = {"reason": "2 consecutive wins", "old_risk": "0.0075", "new_risk": "0.015"}
    restored = alert("risk_restored", 1, severity="warning", details=details)
    english, french = alert_embed(restored, "en"), alert_embed(restored, "fr")
    assert english.title == "✅ RISK RESTORED — Aggressive bot"
    assert [(f.name, f.value) for f in english.fields] == [
        ("Reason", "2 consecutive wins"),
        ("Old risk", "0.75%"),
        ("New risk", "1.5%"),
    ]
    assert french.title == "✅ RISQUE RÉTABLI — Bot Agressif"
    assert [(f.name, f.value) for f in french.fields] == [
        ("Raison", "2 gains consécutifs"),
        ("Ancien risque", "0,75%"),  # a decimal comma in French
        ("Nouveau risque", "1,5%"),
    ]


def test_french_embeds_write_numbers_the_french_way() -> None:
    """In French ``33,686.81`` reads as thirty-three and a bit: thousands are spaced, decimals
    follow a comma; dates, times, names and sentences are left alone."""
    cases = {
        "33,686.81 USDT (-2.00%)": "33\u202f686,81 USDT (-2,00%)",
        "+1,234,567.89 USDT": "+1\u202f234\u202f567,89 USDT",
        "0.00726 BTC": "0,00726 BTC",
        "x0.5": "x0,5",
        "2026-12-04 08:00 UTC": "2026-12-04 08:00 UTC",
        "No 4h candle arrived for 3 periods.": "No 4h candle arrived for 3 periods.",
        "EMA_50 ✅ RSI_14 ❌": "EMA_50 ✅ RSI_14 ❌",
        "`#22` · 1,013": "`#22` · 1\u202f013",
    }
    assert {k: french_numbers(k) for k in cases} == cases
    buy = alert(
        "trade_opened",
        1,
        pair="BTC/USDT",
        price="33686.81",
        details={"quantity": "0.00726", "stop_loss": "33013.08", "stop_pct": "-2.00"},
    )
    french = alert_embed(buy, "fr")
    assert french.title == "🟢 ACHAT — BTC/USDT @ 33\u202f686,81 USDT"
    shown = {f.name: f.value for f in french.fields}
    assert shown["Quantité"] == "0,00726 BTC"
    assert shown["Stop-Loss"] == "33\u202f013,08 USDT (-2,00%)"
    assert alert_embed(buy, "en").title == "🟢 BUY — BTC/USDT @ 33,686.81 USDT"


def test_engine_silent_for_candles_and_its_recovery_read_in_both_languages() -> None:
    silent = alert(
        "engine_silent",
        1,
        severity="critical",
        bot=None,
        details={
            "cause": "candles",
            "silent_s": "43200",
            "timeframe": "4h",
            "candles_missed": "3",
            "last_candle_at": "2026-12-04T08:00:00+00:00",
        },
    )
    recovered = alert(
        "engine_recovered",
        2,
        bot=None,
        details={
            "cause": "candles",
            "since": "2026-12-04T20:00:00+00:00",
            "silent_s": "50400",
            "last_candle_at": "2026-12-05T00:00:00+00:00",
        },
    )
    shown = [
        (e.title, [(f.name, f.value) for f in e.fields])
        for e in (
            alert_embed(silent, "en"),
            alert_embed(recovered, "en"),
            alert_embed(silent, "fr"),
            alert_embed(recovered, "fr"),
        )
    ]
    assert alert_embed(recovered, "en").description == "Candles arrive again."
    assert alert_embed(recovered, "fr").description == "Les bougies arrivent de nouveau."
    assert shown == [
        (
            "🔕 ENGINE SILENT",
            [
                ("Cause", "No 4h candle arrived for 3 periods."),
                ("Silent for", "12h 00m"),
                ("Last candle", "2026-12-04 08:00 UTC"),
            ],
        ),
        (
            "✅ ENGINE RECOVERED",
            [("Was silent for", "14h 00m"), ("Last candle", "2026-12-05 00:00 UTC")],
        ),
        (
            "🔕 MOTEUR SILENCIEUX",
            [
                ("Cause", "Aucune bougie 4h reçue depuis 3 périodes."),
                ("Silencieux depuis", "12h 00m"),
                ("Dernière bougie", "2026-12-04 08:00 UTC"),
            ],
        ),
        (
            "✅ MOTEUR RÉTABLI",
            [("Silencieux pendant", "14h 00m"), ("Dernière bougie", "2026-12-05 00:00 UTC")],
        ),
    ]


async def test_alerts_from_the_bot_account_follow_the_guilds_locale(
    discord_server: FakeDiscord, tmp_path: Path
) -> None:
    discord_server.guild_locale = "fr"  # the guild's preferred locale, not DISCORD_LOCALE
    env = bot_env(discord_server, "http://127.0.0.1:9", "unused", tmp_path / "state")
    async with running_bot(env) as bot:
        await bot.poster.post(alert("protection_failed", 1, severity="critical"), "1-0")
        await eventually(lambda: bot.poster.backlog == 0, within_s=60)
    [message] = [m for m in discord_server.messages if m.kind == "channel"]
    assert [e["title"] for e in message.embeds] == ["🛑 Échec de la protection"]
    assert message.embeds[0]["fields"] == [{"name": "Bot", "value": "Agressif", "inline": True}]
