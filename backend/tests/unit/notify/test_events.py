"""The catalogue of notifiable alerts and how each reads, in English and French."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from cryptotrader.bus.messages import AlertRaised
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.pairs import Pair
from cryptotrader.notify.events import EVENTS, LANGUAGES, is_notifiable, render
from tests.conftest import REPO_ROOT

AT = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def alert(kind: str, **fields: object) -> AlertRaised:
    return AlertRaised(timestamp=AT, kind=kind, text=f"{kind} happened", **fields)


def test_catalogue_events_are_alert_kinds_the_platform_raises() -> None:
    catalogue = (REPO_ROOT / "docs" / "events.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_]+)`", catalogue, re.MULTILINE))
    documented |= set(re.findall(r"^\| `[a-z_]+` / `([a-z_]+)`", catalogue, re.MULTILINE))
    assert set(EVENTS) <= documented, set(EVENTS) - documented


@pytest.mark.parametrize("kind", sorted(EVENTS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_render_when_the_alert_has_no_figures_still_reads(kind: str, language: str) -> None:
    notification = render(alert(kind, bot=BotKind.SAFE), language)  # type: ignore[arg-type]
    assert notification.event == kind
    assert notification.title.strip()
    assert notification.body.strip()
    assert notification.data["alert_id"]


def test_render_trade_opened_in_both_languages() -> None:
    opened = alert(
        "trade_opened",
        bot=BotKind.SAFE,
        pair=Pair.parse("ETH/USDT"),
        price="3150.5",
        details={"quantity": "0.25", "stop_loss": "3087.49", "take_profit": "3276.52",
                 "trade_id": "7", "vote:rsi": "+0.3000"},
    )  # fmt: skip
    english = render(opened, "en")
    assert (english.title, english.body) == (
        "Safe bot bought ETH/USDT",
        "0.25 at 3,150.50 USDT · stop 3,087.49 · take-profit 3,276.52",
    )
    assert english.tag == "trade-7"
    assert "vote:rsi" not in english.data
    french = render(opened, "fr")
    assert french.title == "Bot Sécuritaire : achat ETH/USDT"


def test_render_risk_reduced_shows_ratios_as_percentages() -> None:
    reduced = alert(
        "risk_reduced",
        bot=BotKind.AGGRESSIVE,
        severity="warning",
        details={"old_risk": "0.03", "new_risk": "0.015", "reason": "3 losses in a row"},
    )
    notification = render(reduced)
    assert notification.title == "Aggressive bot: risk reduced"
    assert notification.body == "risk per trade 3% → 1.5% (3 losses in a row)"
    assert notification.severity == "warning"


def test_render_engine_silent_and_daily_digest() -> None:
    silent = alert(
        "engine_silent",
        severity="critical",
        details={"cause": "candles", "timeframe": "1h", "candles_missed": "3", "silent_s": "11000"},
    )
    assert render(silent).body == "no 1h candle for 3 timeframes"
    assert render(silent, "fr").body == "aucune bougie 1h depuis 3 périodes"
    digest = alert(
        "daily_digest",
        details={"pnl": "-12.5", "capital": "10412.3", "trades_closed": "4", "trades_opened": "5"},
    )
    assert (render(digest).title, render(digest).body) == (
        "Daily summary: P&L -12.50",
        "4 trades closed, 5 opened · capital 10,412.30",
    )


def test_only_catalogue_kinds_are_notifiable() -> None:
    assert not is_notifiable(alert("bot_settings_changed"))
    with pytest.raises(KeyError):
        render(alert("bot_settings_changed"))


def test_render_in_french_writes_numbers_the_french_way() -> None:
    closed = alert(
        "trade_closed",
        bot=BotKind.AGGRESSIVE,
        pair=Pair.parse("BTC/USDT"),
        price="67450",
        details={"pnl": "1234.5", "pnl_pct": "+2.50", "reason": "take_profit",
                 "duration_s": "200000"},
    )  # fmt: skip
    french = render(closed, "fr")
    assert french.title == "Bot agressif : vente BTC/USDT +1\u202f234,50 USDT (+2,50\u202f%)"
    assert french.body == "Objectif atteint à 67\u202f450,00 USDT, après 2 j"
    assert render(closed).body == "Take-profit hit at 67,450.00 USDT after 2 d"


def test_render_circuit_breaker_says_how_many_losses_and_what_to_do() -> None:
    tripped = alert(
        "circuit_breaker", bot=BotKind.AGGRESSIVE, severity="critical",
        details={"cause": "5 losses in a row", "losses": "5"},
    )  # fmt: skip
    assert render(tripped).body == "5 losing trades in a row; resume it by hand"
    assert render(tripped, "fr").title == "Bot agressif en pause (coupe-circuit)"
