"""Slash commands travel as Discord delivers them: the local Discord server sends
``INTERACTION_CREATE`` on the gateway, discord.py's real client runs the command against the
real API, and the replies (embeds, buttons) come back to the server's REST endpoints."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cryptotrader_discord.api import ApiClient, BotsPublic, PortfolioPublic, TradePublic
from cryptotrader_discord.cogs.monitoring import profit_rows
from cryptotrader_discord.cogs.trading import ConfirmView
from cryptotrader_discord.embeds import money, profit_embed, ratio, signed, status_embed
from cryptotrader_discord.i18n import FR
from tests.conftest import Api
from tests.fake_discord import OPERATOR_ROLE, VIEWER_ROLE, Captured, FakeDiscord
from tests.harness import api_get, bot_env, running_bot


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed.get("fields", [])}


def of(interaction_id: str) -> Any:
    """Messages answering ``interaction_id`` (callback, then follow-ups by its token)."""
    return lambda m: interaction_id in m.path


def audit_rows(database: Path, action: str) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as db:
        return list(db.execute("SELECT actor, details FROM audit_log WHERE action = ?", (action,)))


async def answered(server: FakeDiscord, interaction_id: str, kind: str) -> Captured:
    found = await server.wait_for(lambda m: interaction_id in m.path and m.kind == kind)
    return found[-1]


async def test_status_answers_with_both_bots_figures_from_the_api(
    seeded_api: Api, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    env = bot_env(discord_server, seeded_api.url, seeded_api.tokens["control"], tmp_path)
    async with running_bot(env):
        asked = await discord_server.invoke("status", roles=[VIEWER_ROLE])
        deferred = await answered(discord_server, asked, "callback")
        assert deferred.body["type"] == 5  # deferred: "thinking"
        reply = await answered(discord_server, asked, "followup")
        pressed = await discord_server.press(reply, "Refresh", roles=[VIEWER_ROLE])
        refreshed = await answered(discord_server, pressed, "callback")
    assert refreshed.body["type"] == 7  # the message is edited in place, figures read again
    assert refreshed.body["data"]["embeds"] == reply.embeds  # nothing traded in between
    truth = api_get(seeded_api.url, seeded_api.tokens["read"], "/api/portfolio")
    driven = {
        b["kind"]: b["driven"]
        for b in api_get(seeded_api.url, seeded_api.tokens["read"], "/api/bots")["data"]
    }
    [embed] = reply.embeds
    assert embed["title"] == "📊 Bots — paper"
    shown = fields(embed)
    assert driven == {"safe": False, "aggressive": False}  # the replay that traded has ended
    for bot in truth["bots"]:
        name = "Safe" if bot["bot"] == "safe" else "Aggressive"
        value = shown[f"{name} ({bot['status']})"]
        assert f"Capital: {money(bot['capital'])}" in value
        assert f"P&L: {signed(bot['realised_pnl'])}" in value
        assert f"Open positions: {bot['open_trades']}" in value
        assert value.endswith(
            "✅ driven by the trading runtime"
            if driven[bot["bot"]]
            else "⚠️ not driven: no trading runtime applies this state, nothing trades"
        )
    assert shown["Total"] == (
        f"{money(truth['total_capital'])} ({signed(truth['total_realised_pnl'])})"
    )
    buttons = [c for row in reply.body["components"] for c in row["components"]]
    assert [b["label"] for b in buttons] == ["Refresh"]


async def test_trades_lists_the_latest_trades_of_one_bot(
    seeded_api: Api, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    env = bot_env(discord_server, seeded_api.url, seeded_api.tokens["read"], tmp_path)
    async with running_bot(env):
        asked = await discord_server.invoke(
            "trades", {"bot": "aggressive", "n": 3}, roles=[VIEWER_ROLE]
        )
        reply = await answered(discord_server, asked, "followup")
    truth = api_get(seeded_api.url, seeded_api.tokens["read"], "/api/trades?bot=aggressive&limit=3")
    lines = reply.embeds[0]["description"].splitlines()
    assert [line.split("`")[1] for line in lines] == [f"#{t['id']}" for t in truth["data"]]
    assert all("Aggressive · BTC/USDT" in line for line in lines)


async def test_risk_shows_ratio_streak_level_daily_loss_and_limits(
    seeded_api: Api, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    env = bot_env(discord_server, seeded_api.url, seeded_api.tokens["read"], tmp_path)
    async with running_bot(env):
        asked = await discord_server.invoke("risk", roles=[OPERATOR_ROLE])
        reply = await answered(discord_server, asked, "followup")
    truth = api_get(seeded_api.url, seeded_api.tokens["read"], "/api/portfolio")
    shown = fields(reply.embeds[0])
    safe = next(b for b in truth["bots"] if b["bot"] == "safe")
    value = shown[f"Safe ({safe['status']})"]
    assert f"Losing streak: {safe['risk']['losing_streak']}" in value
    assert f"Risk ratio: {Decimal(safe['risk']['current_risk_ratio']):.2%}" in value
    assert f"-{money(safe['risk']['daily_loss_limit'])}" in value
    assert f"max {truth['limits']['max_open_positions']} positions" in shown["Limits"]


async def test_profit_by_month_adds_up_the_closed_trades(
    seeded_api: Api, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    env = bot_env(discord_server, seeded_api.url, seeded_api.tokens["read"], tmp_path)
    async with running_bot(env):
        asked = await discord_server.invoke("profit", {"period": "month"}, roles=[VIEWER_ROLE])
        reply = await answered(discord_server, asked, "followup")
    table = reply.embeds[0]["description"].strip("`\n").splitlines()
    assert table[0].split() == ["Period", "P&L", "Trades"]
    assert len(table) == 8  # header + 6 months + total
    assert table[-1].split()[0] == "Total"


async def test_profit_rows_count_each_trade_in_the_day_week_or_month_it_closed(
    seeded_api: Api,
) -> None:
    """Against the real API: a trade opened before the oldest period shown and closed inside it
    counts there (the API filters by closing time); every row adds up the trades it holds."""
    api = ApiClient(seeded_api.url, seeded_api.tokens["read"])
    try:
        everything: list[TradePublic] = []
        while True:
            page = await api.trades(status="closed", limit=200, offset=len(everything))
            everything += page.data
            if not page.data or len(everything) >= page.count:
                break
        spanning = next(
            t
            for t in everything
            if t.closed_at is not None and t.closed_at.date() > t.opened_at.date()
        )
        assert spanning.closed_at is not None
        closed_day = spanning.closed_at.replace(hour=0, minute=0, second=0, microsecond=0)
        for period, now in (
            ("day", closed_day + timedelta(days=6, hours=12)),  # the oldest of 7 days
            ("week", closed_day + timedelta(days=2 - closed_day.weekday(), weeks=3)),  # a Wednesday
            ("month", (closed_day.replace(day=1) + timedelta(days=32 * 5)).replace(day=3)),
        ):
            rows = await profit_rows(api, period, now)  # type: ignore[arg-type]
            assert len(rows) == {"day": 7, "week": 4, "month": 6}[period]
            starts = [r.start for r in rows]
            assert starts == sorted(starts, reverse=True)
            if period == "week":
                assert all(s.weekday() == 0 for s in starts)
            if period == "month":
                assert all(s.day == 1 for s in starts)
            oldest = rows[-1]
            assert oldest.start <= spanning.closed_at < rows[-2].start
            assert spanning.opened_at < oldest.start or period != "day"
            for index, row in enumerate(rows):
                end = rows[index - 1].start if index else None
                inside = [
                    t
                    for t in everything
                    if t.closed_at is not None
                    and row.start <= t.closed_at
                    and (end is None or t.closed_at < end)
                ]
                assert (row.trades, row.pnl) == (
                    len(inside),
                    sum((t.pnl or Decimal(0) for t in inside), Decimal(0)),
                ), (period, row)
            assert oldest.trades >= 1
            table = profit_embed(rows, period, "fr").description or ""
            total = table.strip("`\n").splitlines()[-1].split()
            assert total[0] == "Total"
            assert total[-1] == str(sum(r.trades for r in rows))
    finally:
        await api.aclose()


async def test_a_member_without_the_role_is_refused_ephemerally_and_nothing_reaches_the_api(
    seeded_api: Api, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    env = bot_env(discord_server, seeded_api.url, seeded_api.tokens["control"], tmp_path)
    before = audit_rows(seeded_api.database, "bot.pause")
    async with running_bot(env):
        asked = await discord_server.invoke("status", roles=[])
        refusal = await answered(discord_server, asked, "callback")
        assert refusal.content == "You need the viewer role for this command."
        assert refusal.flags & 64  # ephemeral
        paused = await discord_server.invoke("pause", {"bot": "safe"}, roles=[VIEWER_ROLE])
        refusal = await answered(discord_server, paused, "callback")
        assert refusal.content == "You need the operator role for this command."
        assert refusal.flags & 64
    assert audit_rows(seeded_api.database, "bot.pause") == before


async def test_pause_asks_for_confirmation_then_the_api_audits_the_discord_user(
    seeded_api: Api, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    env = bot_env(discord_server, seeded_api.url, seeded_api.tokens["control"], tmp_path)
    async with running_bot(env):
        asked = await discord_server.invoke(
            "pause", {"bot": "aggressive"}, roles=[OPERATOR_ROLE], member_id=4242, member_name="bob"
        )
        question = await answered(discord_server, asked, "callback")
        assert question.content == "Pause the Aggressive bot?"
        assert question.flags & 64
        pressed = await discord_server.press(
            question, "Confirm", roles=[OPERATOR_ROLE], member_id=4242, member_name="bob"
        )
        done = await answered(discord_server, pressed, "callback")
        assert done.body["type"] == 7  # the question is replaced by the outcome
        assert done.body["data"]["content"].startswith("Aggressive bot: pause requested by <@4242>")
        resumed = await discord_server.invoke(
            "resume",
            {"bot": "aggressive"},
            roles=[OPERATOR_ROLE],
            member_id=4242,
            member_name="bob",
        )
        question = await answered(discord_server, resumed, "callback")
        pressed = await discord_server.press(
            question, "Confirm", roles=[OPERATOR_ROLE], member_id=4242
        )
        await answered(discord_server, pressed, "callback")
    rows = audit_rows(seeded_api.database, "bot.pause")
    actor, details = rows[-1]
    assert actor == "admin/token:control"
    assert '"on_behalf_of": "discord:4242 (bob)"' in details
    bot = api_get(seeded_api.url, seeded_api.tokens["read"], "/api/bots/aggressive")
    assert bot["requested"]["action"] == "resume"


async def test_pause_without_a_bot_pauses_both_and_only_the_asker_may_confirm(
    seeded_api: Api, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    env = bot_env(discord_server, seeded_api.url, seeded_api.tokens["control"], tmp_path)
    before = audit_rows(seeded_api.database, "bot.pause")
    async with running_bot(env):
        asked = await discord_server.invoke(
            "pause", roles=[OPERATOR_ROLE], member_id=4343, member_name="carol"
        )
        question = await answered(discord_server, asked, "callback")
        assert question.content == "Pause both bots?"
        assert question.flags & 64
        # another operator presses the asker's button: told so privately, nothing is sent
        other = await discord_server.press(
            question, "Confirm", roles=[OPERATOR_ROLE], member_id=4444, member_name="dave"
        )
        refusal = await answered(discord_server, other, "callback")
        assert refusal.content == "Only the member who asked may answer, with the operator role."
        assert refusal.flags & 64
        assert audit_rows(seeded_api.database, "bot.pause") == before
        pressed = await discord_server.press(
            question, "Confirm", roles=[OPERATOR_ROLE], member_id=4343, member_name="carol"
        )
        done = await answered(discord_server, pressed, "callback")
        assert done.body["data"]["content"] == (
            "Both bots: pause requested by <@4343> (Safe: paused · Aggressive: paused)."
        )
        resumed = await discord_server.invoke("resume", roles=[OPERATOR_ROLE], member_id=4343)
        question = await answered(discord_server, resumed, "callback")
        assert question.content == "Resume both bots?"
        pressed = await discord_server.press(
            question, "Confirm", roles=[OPERATOR_ROLE], member_id=4343
        )
        done = await answered(discord_server, pressed, "callback")
        assert done.body["data"]["content"].startswith("Both bots: resume requested by <@4343>")
    added = audit_rows(seeded_api.database, "bot.pause")[len(before) :]
    assert len(added) == 2  # one per bot, each naming the Discord user
    assert all('"on_behalf_of": "discord:4343 (carol)"' in details for _, details in added)
    for kind in ("safe", "aggressive"):
        bot = api_get(seeded_api.url, seeded_api.tokens["read"], f"/api/bots/{kind}")
        assert bot["requested"]["action"] == "resume"


async def test_an_unanswered_confirmation_expires_and_sends_nothing(
    seeded_api: Api,
    discord_server: FakeDiscord,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ConfirmView, "TIMEOUT_S", 0.5)
    before = audit_rows(seeded_api.database, "bot.resume")
    env = bot_env(discord_server, seeded_api.url, seeded_api.tokens["control"], tmp_path)
    async with running_bot(env):
        asked = await discord_server.invoke("resume", {"bot": "safe"}, roles=[OPERATOR_ROLE])
        question = await answered(discord_server, asked, "callback")
        assert question.content == "Resume the Safe bot?"
        [expired] = await discord_server.wait_for(lambda m: m.kind == "edit")
    assert expired.path.endswith(f"itoken-{asked}/messages/@original")
    assert expired.body["content"] == "No answer: nothing was done."
    assert expired.body["components"] == []  # the buttons are gone
    assert audit_rows(seeded_api.database, "bot.resume") == before


async def test_cancel_sends_nothing_and_a_read_only_token_cannot_pause(
    seeded_api: Api, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    before = audit_rows(seeded_api.database, "bot.pause")
    env = bot_env(discord_server, seeded_api.url, seeded_api.tokens["read"], tmp_path)
    async with running_bot(env):
        asked = await discord_server.invoke("pause", {"bot": "safe"}, roles=[OPERATOR_ROLE])
        question = await answered(discord_server, asked, "callback")
        pressed = await discord_server.press(question, "Cancel", roles=[OPERATOR_ROLE])
        cancelled = await answered(discord_server, pressed, "callback")
        assert cancelled.body["data"]["content"] == "Cancelled."
        asked = await discord_server.invoke("pause", {"bot": "safe"}, roles=[OPERATOR_ROLE])
        question = await answered(discord_server, asked, "callback")
        pressed = await discord_server.press(question, "Confirm", roles=[OPERATOR_ROLE])
        refused = await answered(discord_server, pressed, "callback")
        assert refused.body["data"]["content"] == (
            "⚠️ The bot's service token may not control the bots: give it the 'control' scope "
            "(HTTP 403)."
        )
    assert audit_rows(seeded_api.database, "bot.pause") == before


async def test_a_french_guild_gets_french_embeds(
    seeded_api: Api, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    discord_server.guild_locale = "fr"
    env = bot_env(discord_server, seeded_api.url, seeded_api.tokens["read"], tmp_path)
    async with running_bot(env):
        asked = await discord_server.invoke("risk", roles=[VIEWER_ROLE], locale="fr")
        reply = await answered(discord_server, asked, "followup")
        helped = await discord_server.invoke("help", roles=[VIEWER_ROLE], locale="fr")
        shown = await answered(discord_server, helped, "callback")
        asked = await discord_server.invoke("status", roles=[VIEWER_ROLE], locale="fr")
        status = await answered(discord_server, asked, "followup")
    truth = api_get(seeded_api.url, seeded_api.tokens["read"], "/api/portfolio")
    french = {"running": "en marche", "paused": "en pause", "stopped": "arrêté"}
    names = [f["name"] for f in status.embeds[0]["fields"]]
    assert names == [
        f"{'Sécuritaire' if b['bot'] == 'safe' else 'Agressif'} ({french[b['status']]})"
        for b in truth["bots"]
    ] + ["Total"]
    assert status.embeds[0]["title"] == "📊 Bots — simulation"
    capital = status.embeds[0]["fields"][0]["value"].splitlines()[0]
    assert re.fullmatch(r"Capital : \d{1,3}(\u202f\d{3})*,\d{2} USDT", capital), capital
    ratio_line = reply.embeds[0]["fields"][0]["value"].splitlines()[0]
    assert re.fullmatch(r"Ratio de risque : \d+,\d{2}% / \d+,\d{2}%", ratio_line), ratio_line
    assert "non piloté" in status.embeds[0]["fields"][0]["value"]
    assert reply.embeds[0]["title"] == "🛡️ Risque"
    assert any("Pertes consécutives" in f["value"] for f in reply.embeds[0]["fields"])
    assert shown.embeds[0]["title"] == "❓ Commandes CryptoTrader"
    helped_with = shown.embeds[0]["description"]
    for name in ("status", "trades", "risk", "profit", "resume"):  # as a French client shows them
        assert f"`/{FR[f'cmd_{name}']}" in helped_with
    command = next(c for c in discord_server.commands if c["name"] == "status")
    assert command["description_localizations"]["fr"].startswith("Les deux bots")


async def test_backtest_is_deferred_then_posts_its_result_with_the_equity_curve(
    seeded_api: Api, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    env = bot_env(
        discord_server,
        seeded_api.url,
        seeded_api.tokens["control"],
        tmp_path,
        BACKTEST_EXCHANGE="replay",  # the seeded replay stored its candles under this name
    )
    async with running_bot(env):
        asked = await discord_server.invoke(
            "backtest",
            {
                "pair": "BTC/USDT",
                "strategy": "aggressive",
                "timeframe": "4h",
                "period": "6m",
                "end": "2022-10-01",
            },
            roles=[OPERATOR_ROLE],
        )
        deferred = await answered(discord_server, asked, "callback")
        assert deferred.body["type"] == 5
        started = await answered(discord_server, asked, "followup")
        job = started.content.split("#")[1].split(" ")[0]
        assert (
            started.content
            == f"Backtest #{job} of BTC/USDT started; the result will be posted here."
        )
        [result] = await discord_server.wait_for(
            lambda m: m.kind == "channel" and bool(m.embeds), timeout=300
        )
    truth = api_get(seeded_api.url, seeded_api.tokens["read"], f"/api/backtest/{job}/result")
    report = truth["results"][0]
    embed = result.embeds[0]
    assert embed["title"] == f"🧪 Backtest #{job} — BTC/USDT 4h (aggressive)"
    assert fields(embed)["Net profit"] == signed(report["net_profit"])
    assert fields(embed)["Trades"] == str(report["total_trades"])
    assert report["total_trades"] > 0  # a curve that moves
    assert fields(embed)["Max drawdown"] == ratio(str(abs(Decimal(str(report["max_drawdown"])))))
    assert not fields(embed)["Max drawdown"].startswith(("+", "-"))
    assert embed["image"]["url"] == f"attachment://backtest-{job}-{report['bot']}.png"
    [png] = result.files
    assert Path(png).read_bytes().startswith(b"\x89PNG")
    actor, details = audit_rows(seeded_api.database, "backtest.single")[-1]
    assert actor == "admin/token:control"
    assert '"on_behalf_of": "discord:500 (alice)"' in details


async def test_backtest_with_a_bad_end_date_is_an_ephemeral_one_liner(
    seeded_api: Api, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    env = bot_env(discord_server, seeded_api.url, seeded_api.tokens["control"], tmp_path)
    async with running_bot(env):
        asked = await discord_server.invoke(
            "backtest", {"pair": "BTC/USDT", "end": "yesterday"}, roles=[OPERATOR_ROLE]
        )
        refusal = await answered(discord_server, asked, "callback")
    assert refusal.content == "⚠️ end 'yesterday': write YYYY-MM-DD"
    assert refusal.flags & 64


NAME = re.compile(r"^[-_\w]{1,32}$")


async def test_commands_are_registered_with_french_names_descriptions_options_and_choices(
    seeded_api: Api, discord_server: FakeDiscord, tmp_path: Path
) -> None:
    env = bot_env(discord_server, seeded_api.url, seeded_api.tokens["read"], tmp_path)
    async with running_bot(env):
        pass
    registered = {c["name"]: c for c in discord_server.commands}
    assert set(registered) == {
        "status", "trades", "risk", "pause", "resume", "backtest", "profit", "help"
    }  # fmt: skip
    for name, command in registered.items():
        french = command["name_localizations"]["fr"]
        assert french == FR[f"cmd_{name}"]
        assert NAME.match(french)  # what Discord accepts: a word of up to 32, lower case
        assert french == french.lower()
        assert command["description_localizations"]["fr"] == FR[f"desc_{name}"]
        assert 1 <= len(command["description_localizations"]["fr"]) <= 100
        for option in command.get("options", []):
            assert option["name_localizations"]["fr"] == FR[f"opt_{option['name']}"]
            assert NAME.match(option["name_localizations"]["fr"])
            localised = option["description_localizations"]["fr"]
            assert localised in {v for k, v in FR.items() if k.startswith("optdesc_")}
            assert 1 <= len(localised) <= 100
            for choice in option.get("choices", []):
                if option["name"] == "bot" or (option["name"] == "period" and name == "profit"):
                    assert choice["name_localizations"]["fr"] == FR[choice["value"]]
    assert registered["status"]["name_localizations"] == {"fr": "statut"}
    trades = {o["name"]: o for o in registered["trades"]["options"]}
    assert trades["n"]["name_localizations"] == {"fr": "nombre"}
    assert [c["name_localizations"]["fr"] for c in trades["bot"]["choices"]] == [
        "Sécuritaire",
        "Agressif",
    ]
    assert [c["name"] for c in trades["bot"]["choices"]] == ["Safe", "Aggressive"]


def test_status_embed_says_driven_when_a_runtime_drives_the_bot(seeded_api: Api) -> None:
    portfolio = PortfolioPublic.model_validate(
        api_get(seeded_api.url, seeded_api.tokens["read"], "/api/portfolio")
    )
    bots = BotsPublic.model_validate(
        api_get(seeded_api.url, seeded_api.tokens["read"], "/api/bots")
    )
    driving = [b.model_copy(update={"driven": b.kind == "safe"}) for b in bots.data]
    for lang, driven, idle in (
        ("en", "✅ driven by the trading runtime", "⚠️ not driven"),
        ("fr", "✅ piloté par le runtime de trading", "⚠️ non piloté"),
    ):
        shown = [str(f.value) for f in status_embed(portfolio, lang, driving).fields]
        safe = next(i for i, b in enumerate(portfolio.bots) if b.bot == "safe")
        assert shown[safe].endswith(driven)
        assert shown[1 - safe].splitlines()[-1].startswith(idle)
