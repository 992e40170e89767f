"""Which alerts become notifications, what each defaults to, and how they read (en, fr).

Every notification comes from an ``alert_raised`` on the bus (docs/events.md): its ``kind`` is
the event. The text is built from the alert's figures (money as decimal text, ratios as
percentages) in the user's language; kinds without a layout of their own use the alert's
English ``text``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from cryptotrader.bus.messages import AlertRaised
from cryptotrader.notify.channels.base import Notification

Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")


@dataclass(frozen=True, slots=True)
class EventInfo:
    """One notifiable event: what it means, and whether it is on until a user says otherwise."""

    description: str
    default: bool = True


EVENTS: dict[str, EventInfo] = {
    "trade_opened": EventInfo("a bot bought (entry filled, with its stop-loss and take-profit)"),
    "trade_closed": EventInfo("a bot sold (with the P&L)"),
    "reallocation": EventInfo("part of an aggressive win moved to the safe bot"),
    "risk_reduced": EventInfo("a losing streak cut a bot's risk"),
    "risk_restored": EventInfo("winning trades restored a bot's risk"),
    "circuit_breaker": EventInfo("a deep losing streak paused a bot"),
    "bot_paused": EventInfo("a bot was paused (by a person, or by the runtime after failures)"),
    "order_failed": EventInfo("the exchange refused an order"),
    "protection_failed": EventInfo(
        "a stop-loss could not be placed, so the position was closed at market"
    ),
    "engine_silent": EventInfo(
        "no candle arrived for several timeframes, or the trading runtime stopped beating"
    ),
    "engine_recovered": EventInfo("candles arrive again after an engine went silent"),
    "daily_digest": EventInfo("the day's summary: trades, P&L, capital"),
}
"""The catalogue, by alert kind."""

_BOT = {
    "en": {"safe": "Safe bot", "aggressive": "Aggressive bot", None: "CryptoTrader"},
    "fr": {"safe": "Bot Sécuritaire", "aggressive": "Bot agressif", None: "CryptoTrader"},
}
_REASONS = {
    "en": {"signal": "Sell signal", "stop_loss": "Stop-loss hit", "take_profit": "Take-profit hit",
           "end_of_data": "End of data", "manual": "Closed by hand",
           "protection_failed": "Closed: no stop-loss"},
    "fr": {"signal": "Signal de vente", "stop_loss": "Stop-loss touché",
           "take_profit": "Objectif atteint", "end_of_data": "Fin des données",
           "manual": "Fermé à la main", "protection_failed": "Fermé : pas de stop-loss"},
}  # fmt: skip
_TITLES = {
    "en": {
        "reallocation": "Gains moved to the safe bot",
        "risk_reduced": "{bot}: risk reduced",
        "risk_restored": "{bot}: risk restored",
        "circuit_breaker": "{bot} paused by the circuit breaker",
        "bot_paused": "{bot} paused",
        "order_failed": "{bot}: order refused by the exchange",
        "protection_failed": "{bot}: stop-loss failed, position closed",
        "engine_silent": "No market data",
        "engine_recovered": "Market data is back",
        "daily_digest": "Daily summary",
    },
    "fr": {
        "reallocation": "Gains transférés au bot Sécuritaire",
        "risk_reduced": "{bot} : risque réduit",
        "risk_restored": "{bot} : risque rétabli",
        "circuit_breaker": "{bot} en pause (coupe-circuit)",
        "bot_paused": "{bot} en pause",
        "order_failed": "{bot} : ordre refusé par la plateforme",
        "protection_failed": "{bot} : stop-loss impossible, position fermée",
        "engine_silent": "Plus de données de marché",
        "engine_recovered": "Données de marché rétablies",
        "daily_digest": "Résumé du jour",
    },
}


def is_notifiable(alert: AlertRaised) -> bool:
    """True when ``alert`` is one of the catalogue's events."""
    return alert.kind in EVENTS


def render(alert: AlertRaised, language: Language = "en") -> Notification:
    """The notification of ``alert`` in ``language``.

    Raises:
        KeyError: ``alert`` is not a catalogue event.
    """
    if alert.kind not in EVENTS:
        raise KeyError(f"{alert.kind!r} is not a notification event")
    layout = _LAYOUTS.get(alert.kind)
    if layout is not None:
        title, body = layout(alert, language)
    else:
        bot = _BOT[language][alert.bot.value if alert.bot else None]
        title, body = _TITLES[language][alert.kind].format(bot=bot), alert.text
    data = {k: v for k, v in alert.details.items() if not k.startswith("vote:")}
    if alert.bot is not None:
        data["bot"] = alert.bot.value
    if alert.pair is not None:
        data["pair"] = alert.pair.symbol
    data["alert_id"] = alert.message_id
    tag = f"trade-{data['trade_id']}" if "trade_id" in data else alert.kind
    return Notification(
        event=alert.kind, title=title, body=body, severity=alert.severity, tag=tag, data=data
    )


# --- layouts -----------------------------------------------------------------------------------


def _opened(alert: AlertRaised, language: Language) -> tuple[str, str]:
    bot = _BOT[language][alert.bot.value if alert.bot else None]
    pair = alert.pair.symbol if alert.pair else "?"
    quote = alert.pair.quote if alert.pair else ""
    d = alert.details
    price = _money(alert.price, language)
    stop, take = _money(d.get("stop_loss"), language), _money(d.get("take_profit"), language)
    if language == "fr":
        return (
            f"{bot} : achat {pair}",
            f"{d.get('quantity', '?')} à {price} {quote} · stop {stop} · objectif {take}",
        )
    return (
        f"{bot} bought {pair}",
        f"{d.get('quantity', '?')} at {price} {quote} · stop {stop} · take-profit {take}",
    )


def _closed(alert: AlertRaised, language: Language) -> tuple[str, str]:
    bot = _BOT[language][alert.bot.value if alert.bot else None]
    pair = alert.pair.symbol if alert.pair else "?"
    quote = alert.pair.quote if alert.pair else ""
    d = alert.details
    pnl = _signed(d.get("pnl"), language)
    pct = d.get("pnl_pct", "?")
    held = _duration(d.get("duration_s"), language)
    reason = d.get("reason", "")
    reason = _REASONS[language].get(reason, reason)
    price = _money(alert.price, language)
    if language == "fr":
        return (
            f"{bot} : vente {pair} {pnl} {quote} ({pct.replace('.', ',')}\u202f%)",
            f"{reason} à {price} {quote}, après {held}",
        )
    return (
        f"{bot} sold {pair}: {pnl} {quote} ({pct}%)",
        f"{reason} at {price} {quote} after {held}",
    )


def _reallocated(alert: AlertRaised, language: Language) -> tuple[str, str]:
    amount = _money(alert.details.get("amount"), language)
    trade = alert.details.get("trigger_trade_id", "?")
    if language == "fr":
        return _TITLES["fr"]["reallocation"], f"{amount} transférés (trade {trade})"
    return _TITLES["en"]["reallocation"], f"{amount} moved (trade {trade})"


def _risk(alert: AlertRaised, language: Language) -> tuple[str, str]:
    bot = _BOT[language][alert.bot.value if alert.bot else None]
    d = alert.details
    old, new = _percent(d.get("old_risk"), language), _percent(d.get("new_risk"), language)
    title = _TITLES[language][alert.kind].format(bot=bot)
    if language == "fr":
        return title, f"risque par trade {old} → {new} ({d.get('reason', '')})"
    return title, f"risk per trade {old} → {new} ({d.get('reason', '')})"


def _breaker(alert: AlertRaised, language: Language) -> tuple[str, str]:
    bot = _BOT[language][alert.bot.value if alert.bot else None]
    title = _TITLES[language]["circuit_breaker"].format(bot=bot)
    losses = alert.details.get("losses")
    if losses is None:
        return title, alert.text
    if language == "fr":
        return title, f"{losses} trades perdants d'affilée ; reprise à la main (Reprendre)"
    return title, f"{losses} losing trades in a row; resume it by hand"


def _silent(alert: AlertRaised, language: Language) -> tuple[str, str]:
    d = alert.details
    title = _TITLES[language]["engine_silent"]
    if d.get("cause") == "candles":
        timeframe, missed = d.get("timeframe", "?"), d.get("candles_missed", "?")
        if language == "fr":
            return title, f"aucune bougie {timeframe} depuis {missed} périodes"
        return title, f"no {timeframe} candle for {missed} timeframes"
    if language == "fr":
        return title, "le moteur de trading s'est arrêté sans arrêt propre"
    return title, "the trading runtime stopped without a clean stop"


def _recovered(alert: AlertRaised, language: Language) -> tuple[str, str]:
    title = _TITLES[language]["engine_recovered"]
    return title, ("les bougies arrivent de nouveau" if language == "fr" else alert.text)


def _digest(alert: AlertRaised, language: Language) -> tuple[str, str]:
    d = alert.details
    pnl, capital = _signed(d.get("pnl"), language), _money(d.get("capital"), language)
    closed, opened = d.get("trades_closed", "?"), d.get("trades_opened", "?")
    if language == "fr":
        return (
            f"Résumé du jour : P&L {pnl}",
            f"{closed} trades clôturés, {opened} ouverts · capital {capital}",
        )
    return (
        f"Daily summary: P&L {pnl}",
        f"{closed} trades closed, {opened} opened · capital {capital}",
    )


_LAYOUTS: dict[str, Callable[[AlertRaised, Language], tuple[str, str]]] = {
    "circuit_breaker": _breaker,
    "engine_silent": _silent,
    "engine_recovered": _recovered,
    "daily_digest": _digest,
    "trade_opened": _opened,
    "trade_closed": _closed,
    "reallocation": _reallocated,
    "risk_reduced": _risk,
    "risk_restored": _risk,
}


def _decimal(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _local(text: str, language: Language) -> str:
    """``12,345.67`` in English, ``12 345,67`` in French (narrow no-break space)."""
    if language == "fr":
        return text.replace(",", "\u202f").replace(".", ",")
    return text


def _money(value: object, language: Language = "en") -> str:
    number = _decimal(value)
    return "?" if number is None else _local(f"{number:,.2f}", language)


def _signed(value: object, language: Language = "en") -> str:
    number = _decimal(value)
    return "?" if number is None else _local(f"{number:+,.2f}", language)


def _percent(value: object, language: Language = "en") -> str:
    number = _decimal(value)
    if number is None:
        return "?"
    shown = _local(f"{(number * 100).normalize():f}", language)
    return f"{shown}\u202f%" if language == "fr" else f"{shown}%"


def _duration(value: str | None, language: Language) -> str:
    seconds = int(value) if value and value.isdigit() else 0
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours >= 48:
        return f"{hours // 24} j" if language == "fr" else f"{hours // 24} d"
    if hours:
        return f"{hours} h {minutes:02d}" if language == "fr" else f"{hours} h {minutes:02d} min"
    return f"{minutes} min"
