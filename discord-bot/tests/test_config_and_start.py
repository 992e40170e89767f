"""Configuration and start: every mistake is one line on stderr and exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cryptotrader_discord import api
from cryptotrader_discord.config import BotConfig, ConfigError
from tests.conftest import REPO, Api, free_port

BASE = {"DISCORD_TOKEN": "t", "CRYPTOTRADER_SERVICE_TOKEN": "ctk_x"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "DISCORD_TOKEN is not set (or set DISCORD_WEBHOOK_URL for alerts without a bot)"),
        ({"DISCORD_TOKEN": "t"}, "CRYPTOTRADER_SERVICE_TOKEN is not set"),
        ({**BASE, "DISCORD_GUILD_ID": "abc"}, "DISCORD_GUILD_ID must be a Discord id"),
        (
            {**BASE, "DISCORD_OPERATOR_ROLES": "1,x"},
            "DISCORD_OPERATOR_ROLES must be comma-separated",
        ),
        ({**BASE, "ALERT_CHANNELS": "risk"}, "ALERT_CHANNELS entries are kind=<channel id>"),
        ({**BASE, "DISCORD_LOCALE": "de"}, "DISCORD_LOCALE must be 'en' or 'fr'"),
        (
            {**BASE, "CRYPTOTRADER_API_URL": "ftp://x"},
            "CRYPTOTRADER_API_URL must be an http(s) URL",
        ),
        ({**BASE, "DISCORD_WEBHOOK_URL": "https://x/y"}, "DISCORD_WEBHOOK_URL must look like"),
    ],
)
def test_config_when_wrong_says_which_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        BotConfig.from_env(env)
    assert str(refused.value).startswith(message)


def test_routing_by_kind_group_and_default() -> None:
    config = BotConfig.from_env(
        {**BASE, "ALERT_CHANNELS": "default=1, risk=2, digest=off, trade_closed=3"}
    )
    routing = config.routing
    assert routing.channel("trade_opened") == 1
    assert routing.channel("trade_closed") == 3
    assert routing.channel("circuit_breaker") == 2
    assert routing.channel("daily_digest") is None
    assert routing.silenced("daily_digest")
    assert not routing.silenced("engine_silent")
    failures = BotConfig.from_env({**BASE, "ALERT_CHANNELS": "default=1, failures=4"}).routing
    assert {failures.channel(k) for k in ("engine_silent", "engine_recovered", "order_failed")} == {
        4
    }


def start(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "CRYPTOTRADER"))}
    return subprocess.run(
        [sys.executable, "-m", "cryptotrader_discord", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_start_without_a_token_is_one_line_and_exit_2() -> None:
    done = start({})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "cryptotrader-discord: DISCORD_TOKEN is not set (or set DISCORD_WEBHOOK_URL for alerts "
        "without a bot)"
    ]


def test_start_when_the_api_is_unreachable_is_one_line_and_exit_2() -> None:
    done = start({**BASE, "CRYPTOTRADER_API_URL": f"http://127.0.0.1:{free_port()}"})
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert "is unreachable" in line


def test_start_with_a_token_that_cannot_read_is_one_line_and_exit_2(seeded_api: Api) -> None:
    env = {**BASE, "CRYPTOTRADER_API_URL": seeded_api.url}
    env["CRYPTOTRADER_SERVICE_TOKEN"] = seeded_api.tokens["blind"]
    done = start(env)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    line = done.stderr.strip()
    assert line.startswith("cryptotrader-discord: the service token cannot read:")
    assert "give it the 'read' scope" in line


def test_help_names_every_variable_and_needs_no_configuration() -> None:
    done = start({}, "--help")
    assert done.returncode == 0, done.stderr
    for name in ("DISCORD_TOKEN", "DISCORD_WEBHOOK_URL", "CRYPTOTRADER_SERVICE_TOKEN", "--check"):
        assert name in done.stdout


def test_check_tries_the_api_then_exits_without_connecting_to_discord(seeded_api: Api) -> None:
    env = {**BASE, "CRYPTOTRADER_API_URL": seeded_api.url}
    env["CRYPTOTRADER_SERVICE_TOKEN"] = seeded_api.tokens["read"]
    env["DISCORD_API_URL"] = f"http://127.0.0.1:{free_port()}/api/v10"  # nothing listens
    done = start(env, "--check")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"cryptotrader-discord: ready: the API at {seeded_api.url} answers and the token reads; "
        "bot account"
    )
    env["CRYPTOTRADER_SERVICE_TOKEN"] = seeded_api.tokens["blind"]
    refused = start(env, "--check")
    assert refused.returncode == 2
    assert refused.stderr.strip().startswith("cryptotrader-discord: the service token cannot read")


def _schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


def test_api_models_match_openapi() -> None:
    """The client's models name only fields the API documents, and every required one."""
    document = json.loads((REPO / "docs" / "openapi.json").read_text(encoding="utf-8"))
    for model in api.MODELS:
        schema = _schema(document, model.__name__)
        documented = set(schema["properties"])
        ours = set(model.model_fields)
        assert ours <= documented, f"{model.__name__}: {sorted(ours - documented)} not in the API"
        required_ours = {n for n, f in model.model_fields.items() if f.is_required()}
        assert required_ours <= set(schema.get("required", [])), model.__name__


def test_the_bot_imports_nothing_from_the_backend() -> None:
    source = Path(api.__file__).parent
    for path in source.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import cryptotrader\n" not in text, path
        assert "from cryptotrader." not in text, path
