"""Settings: embedded defaults, production URLs, and refusal of weak secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from cryptotrader.config import ApiSettings, load_settings
from cryptotrader.domain import TradingMode
from cryptotrader.errors import ConfigurationError


def test_settings_when_nothing_configured_use_embedded_defaults(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'cryptotrader.db'}"
    assert settings.bus_backend == "memory"
    assert settings.exchange.mode is TradingMode.PAPER
    assert settings.trading.live_trading_enabled is False


def test_settings_when_conventional_urls_set_use_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u@db/trading")
    monkeypatch.setenv("REDIS_URL", "redis://redis:6379/0")
    settings = load_settings()
    assert settings.database_url == "postgresql+asyncpg://u@db/trading"
    assert settings.bus_backend == "redis"


def test_settings_when_nested_variable_set_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRYPTOTRADER_TRADING__REALLOCATION_RATIO", "0.4")
    assert str(load_settings().trading.reallocation_ratio) == "0.4"


def test_settings_when_reallocation_out_of_range_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRYPTOTRADER_TRADING__REALLOCATION_RATIO", "0.9")
    with pytest.raises(ConfigurationError, match=r"between 0\.10 and 0\.50"):
        load_settings()


@pytest.mark.parametrize("secret", ["changethis", "short-but-not-default"])
def test_settings_when_weak_secret_outside_development_refused(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv("CRYPTOTRADER_ENVIRONMENT", "production")
    monkeypatch.setenv("CRYPTOTRADER_SECURITY__JWT_SECRET", secret)
    with pytest.raises(ConfigurationError, match="weak secret"):
        load_settings()


def test_settings_when_strong_secret_in_production_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRYPTOTRADER_ENVIRONMENT", "production")
    monkeypatch.setenv("CRYPTOTRADER_SECURITY__JWT_SECRET", "x" * 16 + "Yz0-" * 8)
    assert load_settings().environment == "production"


def test_settings_when_metrics_token_is_short_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRYPTOTRADER_API__METRICS_TOKEN", "prometheus")
    with pytest.raises(ConfigurationError, match=r"api\.metrics_token must be at least 32"):
        load_settings()


def test_settings_when_env_file_present_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("CRYPTOTRADER_EXCHANGE__NAME=kraken\n")
    assert load_settings().exchange.name == "kraken"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("database_pool_timeout_s", 0),
        ("database_pool_timeout_s", 301),
        ("database_pool_size", 0),
        ("database_pool_size", 101),
        ("database_pool_overflow", -1),
    ],
)
def test_database_pool_settings_out_of_bounds_are_refused(name: str, value: float) -> None:
    with pytest.raises(ValidationError, match=name):
        ApiSettings.model_validate({name: value})
