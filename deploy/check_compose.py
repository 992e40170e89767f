#!/usr/bin/env python3
"""Checks of the resolved compose file (``docker compose config --format json`` on stdin).

What a careful operator expects and YAML alone does not enforce: ports published on 127.0.0.1
only, every dependency waiting on a condition, the engines and the API started after the one-shot
migration, Grafana on a read-only database role of its own, a healthcheck on every
long-running service, images pinned (no ``latest`` for third
parties), data on named volumes, the backend never running as root.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ENGINES = ("market-data", "indicator", "decision", "order", "portfolio", "notifier")
OURS = ("migrate", "api", *ENGINES, "discord-bot")
NO_HEALTHCHECK = ("migrate", "discord-bot")
"""One-shot, and a bot that serves no port (nothing waits on it; restart covers a crash)."""


def problems(config: dict) -> list[str]:  # type: ignore[type-arg]
    found = []
    services = config["services"]
    for name in ("db", "redis", "api", "influxdb", "prometheus", "grafana", *ENGINES):
        if name not in services:
            found.append(f"service {name} missing")
    for name, service in services.items():
        for port in service.get("ports", []):
            if port.get("host_ip") != "127.0.0.1":
                found.append(f"{name}: port {port.get('published')} not bound to 127.0.0.1")
        for dependency, spec in service.get("depends_on", {}).items():
            if spec.get("condition") not in {"service_healthy", "service_completed_successfully"}:
                found.append(f"{name}: depends on {dependency} without a health condition")
        if name not in NO_HEALTHCHECK and "healthcheck" not in service:
            found.append(f"{name}: no healthcheck")
        image = service.get("image", "")
        if name not in OURS and (":" not in image or image.endswith(":latest")):
            found.append(f"{name}: image {image!r} not pinned")
        for volume in service.get("volumes", []):
            if volume["type"] == "volume" and volume["source"] not in config.get("volumes", {}):
                found.append(f"{name}: volume {volume['source']} not declared")
    for name in ("api", *ENGINES):
        wait = services.get(name, {}).get("depends_on", {}).get("migrate", {})
        if wait.get("condition") != "service_completed_successfully":
            found.append(f"{name}: does not wait for the migration")
    found += _grafana_reads_with_its_own_role(services)
    found += _discord_bot_takes_its_settings(services)
    return found


BOT_CONFIG = Path(__file__).resolve().parents[1] / "discord-bot/src/cryptotrader_discord/config.py"
BOT_FIXED = {"DISCORD_API_URL", "DISCORD_GATEWAY_URL", "DISCORD_STATE_DIR"}
"""Discord's own URLs (tests point them elsewhere) and the image's state directory."""


def _discord_bot_takes_its_settings(services: dict) -> list[str]:  # type: ignore[type-arg]
    """Every variable the bot reads (its config.py) can be set through the compose file."""
    source = BOT_CONFIG.read_text(encoding="utf-8")
    read = set(re.findall(r'env(?:\.get\(|, )"([A-Z][A-Z0-9_]+)"', source)) - BOT_FIXED
    given = set(services.get("discord-bot", {}).get("environment", {}))
    return [f"discord-bot: {name} cannot be set (not in its environment)" for name in sorted(read - given)]


def _grafana_reads_with_its_own_role(services: dict) -> list[str]:  # type: ignore[type-arg]
    """Grafana's PostgreSQL user is the read-only role the migration makes, not the app's."""
    user = services.get("grafana", {}).get("environment", {}).get("GRAFANA_DB_USER")
    owner = services.get("db", {}).get("environment", {}).get("POSTGRES_USER")
    command = services.get("migrate", {}).get("command", [])
    if user is None or user == owner:
        return [f"grafana: reads PostgreSQL as {user!r}, not a read-only role of its own"]
    if command[-2:] != ["--reader", user]:
        return [f"migrate: does not create Grafana's read-only role {user!r} ({command})"]
    return []


def main() -> int:
    found = problems(json.load(sys.stdin))
    for problem in found:
        print(f"compose: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
