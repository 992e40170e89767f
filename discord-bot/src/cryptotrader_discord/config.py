"""Configuration from the environment: one clear line per mistake, nothing read elsewhere.

``DISCORD_TOKEN`` runs the bot account (slash commands and alerts); without it,
``DISCORD_WEBHOOK_URL`` alone runs the webhook-only mode (alerts, no commands). Channel routing:
``ALERT_CHANNELS="trade_opened=111,trade_closed=111,risk=222,digest=off,default=111"``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DISCORD_API = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg/"
ALERT_GROUPS: dict[str, tuple[str, ...]] = {
    "trades": ("trade_opened", "trade_closed", "reallocation"),
    "risk": ("risk_reduced", "risk_restored", "circuit_breaker", "bot_paused"),
    "failures": (
        "protection_failed",
        "order_failed",
        "reconciliation_failed",
        "unknown_order",
        "engine_silent",
        "engine_recovered",  # beside the silence it ends
        "message_dead_lettered",
        "events_lost",
    ),
    "digest": ("daily_digest",),
}
"""Names that route several alert kinds at once (a kind's own entry wins)."""
_WEBHOOK = re.compile(r"/webhooks/(?P<id>[0-9]{5,20})/(?P<token>[A-Za-z0-9_.\-]+)/?$")


class ConfigError(ValueError):
    """A configuration mistake; ``str()`` is the one line to print."""


@dataclass(frozen=True, slots=True)
class Routing:
    """Which channel each alert kind goes to; None means off."""

    channels: Mapping[str, int | None]
    default: int | None

    def channel(self, kind: str) -> int | None:
        """The channel of ``kind``: its own entry, then its group's, then the default."""
        if kind in self.channels:
            return self.channels[kind]
        for group, kinds in ALERT_GROUPS.items():
            if kind in kinds and group in self.channels:
                return self.channels[group]
        return self.default

    def silenced(self, kind: str) -> bool:
        """True when ``kind`` is set to ``off`` (itself, its group, or the default)."""
        if kind in self.channels:
            return self.channels[kind] is None
        for group, kinds in ALERT_GROUPS.items():
            if kind in kinds and group in self.channels:
                return self.channels[group] is None
        return self.default is None and "default" in self.explicit

    explicit: frozenset[str] = frozenset()
    """Names given in ``ALERT_CHANNELS`` (to tell ``default=off`` from no default)."""


@dataclass(frozen=True, slots=True)
class Webhook:
    """A Discord webhook: its id and token (from its URL)."""

    id: int
    token: str


@dataclass(frozen=True, slots=True)
class BotConfig:
    """Everything the bot needs; see ``from_env``."""

    api_url: str
    service_token: str
    discord_token: str | None = None
    webhook: Webhook | None = None
    guild_id: int | None = None
    viewer_roles: frozenset[int] = frozenset()
    operator_roles: frozenset[int] = frozenset()
    routing: Routing = field(default_factory=lambda: Routing({}, None))
    state_dir: Path = Path(".")
    locale: str = "en"
    backtest_exchange: str | None = None
    """The exchange whose stored candles /backtest uses (None: the API's default)."""
    discord_api: str = DISCORD_API
    discord_gateway: str = DISCORD_GATEWAY

    @property
    def cursor_file(self) -> Path:
        """Where the cursor of the last alert posted is kept (resume after a restart)."""
        return self.state_dir / "alerts.cursor"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BotConfig:
        """Read the configuration.

        Raises:
            ConfigError: a variable is missing or malformed (the message names it).

        """
        env = os.environ if env is None else env
        discord_token = env.get("DISCORD_TOKEN") or None
        webhook_url = env.get("DISCORD_WEBHOOK_URL") or None
        if discord_token is None and webhook_url is None:
            raise ConfigError(
                "DISCORD_TOKEN is not set (or set DISCORD_WEBHOOK_URL for alerts without a bot)"
            )
        service_token = env.get("CRYPTOTRADER_SERVICE_TOKEN", "")
        if not service_token:
            raise ConfigError(
                "CRYPTOTRADER_SERVICE_TOKEN is not set: create one with "
                "`cryptotrader token create --name discord --scope read,control`"
            )
        api_url = env.get("CRYPTOTRADER_API_URL", "http://127.0.0.1:8000").rstrip("/")
        if not api_url.startswith(("http://", "https://")):
            raise ConfigError(f"CRYPTOTRADER_API_URL must be an http(s) URL, not {api_url!r}")
        locale = env.get("DISCORD_LOCALE", "en")
        if locale not in ("en", "fr"):
            raise ConfigError(f"DISCORD_LOCALE must be 'en' or 'fr', not {locale!r}")
        return cls(
            api_url=api_url,
            service_token=service_token,
            discord_token=discord_token,
            webhook=None if webhook_url is None else _webhook(webhook_url),
            guild_id=_snowflake(env, "DISCORD_GUILD_ID"),
            viewer_roles=_roles(env, "DISCORD_VIEWER_ROLES"),
            operator_roles=_roles(env, "DISCORD_OPERATOR_ROLES"),
            routing=_routing(env.get("ALERT_CHANNELS", "")),
            state_dir=Path(env.get("DISCORD_STATE_DIR", ".")),
            locale=locale,
            backtest_exchange=env.get("BACKTEST_EXCHANGE") or None,
            discord_api=env.get("DISCORD_API_URL", DISCORD_API).rstrip("/"),
            discord_gateway=env.get("DISCORD_GATEWAY_URL", DISCORD_GATEWAY),
        )


def _snowflake(env: Mapping[str, str], name: str) -> int | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ConfigError(f"{name} must be a Discord id (digits), not {value!r}")
    return int(value)


def _roles(env: Mapping[str, str], name: str) -> frozenset[int]:
    parts = [part.strip() for part in env.get(name, "").split(",") if part.strip()]
    bad = [part for part in parts if not part.isdigit()]
    if bad:
        raise ConfigError(f"{name} must be comma-separated role ids, not {bad[0]!r}")
    return frozenset(int(part) for part in parts)


def _routing(text: str) -> Routing:
    channels: dict[str, int | None] = {}
    default: int | None = None
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not (value.isdigit() or value == "off"):
            raise ConfigError(
                f"ALERT_CHANNELS entries are kind=<channel id> or kind=off, not {item!r}"
            )
        channel = None if value == "off" else int(value)
        if name == "default":
            default = channel
        else:
            channels[name] = channel
    names = frozenset(channels) | ({"default"} if "default=" in text.replace(" ", "") else set())
    return Routing(channels, default, names)


def _webhook(url: str) -> Webhook:
    found = _WEBHOOK.search(url)
    if found is None:
        raise ConfigError("DISCORD_WEBHOOK_URL must look like .../api/webhooks/<id>/<token>")
    return Webhook(int(found["id"]), found["token"])
