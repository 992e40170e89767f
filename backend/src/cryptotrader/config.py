"""One typed settings object, read from the environment and ``.env``.

Every variable is prefixed ``CRYPTOTRADER_`` and nested sections use ``__``
(``CRYPTOTRADER_SECURITY__JWT_SECRET``); the production URLs also accept their conventional names
``DATABASE_URL`` and ``REDIS_URL``. Embedded defaults need no service at all: a SQLite file under
the data directory, the in-process bus and paper trading. Each component receives only its own
frozen section. ``.env.example`` documents every variable.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from cryptotrader.domain.enums import BotKind, TradingMode
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.values import InputDecimal, RiskRatio, StopLoss, TakeProfit
from cryptotrader.errors import ConfigurationError, UserInputError

Environment = Literal["development", "test", "production"]

# Values that ship in examples or docs and must never protect real money.
_KNOWN_WEAK_SECRETS = frozenset(
    {"", "changethis", "change-me", "changeme", "secret", "password", "dev", "development", "test"}
)
_MIN_SECRET_LENGTH = 32
DEFAULT_JWT_SECRET = "changethis"  # noqa: S105 - the known default, refused outside development


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SecuritySettings(_Section):
    """Secrets of the API: token signing key and the keys that encrypt stored exchange API keys."""

    jwt_secret: str = DEFAULT_JWT_SECRET
    encryption_keys: tuple[str, ...] = Field(
        default=(), description="Fernet keys, newest first; older ones still decrypt (rotation)"
    )


class ExchangeSettings(_Section):
    """Which exchange, and whether orders are simulated (paper) or real (live)."""

    name: str = "binance"
    mode: TradingMode = TradingMode.PAPER
    base_url: str | None = Field(
        default=None, description="override the exchange's API root (tests, proxies)"
    )
    stream_url: str | None = Field(
        default=None,
        description="override the exchange's WebSocket root (default: base_url's host as ws)",
    )
    timeout_s: float = Field(default=10.0, gt=0)


class BotSettings(_Section):
    """Default protection and risk of one bot."""

    capital: Annotated[InputDecimal, Field(gt=0)]
    stop_loss: StopLoss
    take_profit: TakeProfit
    risk_ratio: RiskRatio


class TradingSettings(_Section):
    """The two bots and the rules between them."""

    safe: BotSettings = BotSettings(
        capital=Decimal(700),
        stop_loss=Decimal("0.02"),
        take_profit=Decimal("0.04"),
        risk_ratio=Decimal("0.01"),
    )
    aggressive: BotSettings = BotSettings(
        capital=Decimal(300),
        stop_loss=Decimal("0.02"),
        take_profit=Decimal("0.10"),
        risk_ratio=Decimal("0.03"),
    )
    reallocation_ratio: Decimal = Field(default=Decimal("0.30"), ge=Decimal("0.10"), le=1)
    live_trading_enabled: bool = False

    @model_validator(mode="after")
    def _ratio_range(self) -> Self:
        if not Decimal("0.10") <= self.reallocation_ratio <= Decimal("0.50"):
            raise ValueError("reallocation_ratio must be between 0.10 and 0.50")
        return self


class RuntimeSettings(_Section):
    """What the trading runtime trades, and the risk manager's limits (``cryptotrader run``).

    Each bot's strategy and protection are its own configuration (``bots.strategy_config``, set
    through the API; ``domain.bots``), defaulting to ``conservative`` / ``aggressive`` and the
    ``trading`` section.
    """

    pair: str = "BTC/USDT"
    timeframe: str = "1h"
    fee: Decimal = Field(default=Decimal("0.001"), ge=0, lt=Decimal("0.05"))
    slippage: Decimal = Field(default=Decimal("0.0005"), ge=0, lt=Decimal("0.05"))
    max_open_positions: int = Field(default=4, ge=1, description="across both bots and every pair")
    max_positions_per_bot: int = Field(default=3, ge=1, description="one bot, every pair")
    max_exposure: Decimal = Field(
        default=Decimal(1), gt=0, le=1, description="largest entry notional / bot capital"
    )
    max_bot_exposure: Decimal = Field(
        default=Decimal(1), gt=0, le=1, description="a bot's open notional / its capital"
    )
    max_pair_exposure: Decimal = Field(
        default=Decimal(1),
        gt=0,
        le=1,
        description="one pair's open notional (both bots) / both bots' capital",
    )
    daily_loss_limit: Decimal = Field(
        default=Decimal("0.10"), gt=0, le=1, description="a bot's UTC-day loss / its capital"
    )
    order_failures_to_pause: int = Field(default=3, ge=1, description="circuit breaker")
    on_deep_streak: Literal["quarter", "pause"] = "quarter"
    poll_interval_s: float = Field(default=10.0, gt=0, description="live candle polling")
    stream_candles: bool = Field(
        default=True, description="live candles over the exchange's WebSocket where it has one"
    )
    stream_stall_s: float = Field(
        default=60.0, gt=0, description="seconds without a streamed update before REST takes over"
    )
    history_candles: int = Field(default=1000, ge=1, le=100_000, description="loaded at start")
    pair_wait_s: float = Field(
        default=15.0,
        ge=0,
        le=3600,
        description=(
            "live, several pairs: seconds a closed candle time waits for a pair whose candle is "
            "not in yet; after that the others go without it and its candle is traded on its own"
        ),
    )
    bot_pairs: dict[BotKind, tuple[str, ...]] = Field(
        default_factory=dict,
        description=(
            "the pairs a bot opens positions on, by bot (a bot not named: every pair the runtime "
            'trades), e.g. {"safe": ["BTC/USDT", "ETH/USDT"]}'
        ),
    )

    @field_validator("bot_pairs")
    @classmethod
    def _symbols(cls, given: dict[BotKind, tuple[str, ...]]) -> dict[BotKind, tuple[str, ...]]:
        try:
            return {
                bot: tuple(sorted({Pair.parse(p).symbol for p in pairs}))
                for bot, pairs in given.items()
            }
        except UserInputError as exc:
            raise ValueError(str(exc)) from None

    def opens_on(self, bot: BotKind, symbol: str) -> bool:
        """True when ``bot`` may open a position on ``symbol`` (``bot_pairs``)."""
        chosen = self.bot_pairs.get(bot)
        return chosen is None or symbol in chosen


class SentimentSettings(_Section):
    """Fear & Greed and Google Trends sources."""

    fear_greed_url: str = "https://api.alternative.me/fng/"
    fear_greed_cache_ttl_s: int = Field(default=3600, ge=0)
    google_trends_enabled: bool = True
    google_trends_url: str = Field(
        default="https://trends.google.com/trends",
        description="Google Trends root that pytrends talks to (tests, proxies)",
    )
    google_trends_keyword: str = "bitcoin"
    google_trends_cache_ttl_s: int = Field(default=6 * 3600, ge=0)
    timeout_s: float = Field(default=10.0, gt=0)


class ApiSettings(_Section):
    """HTTP gateway."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    cors_origins: tuple[str, ...] = Field(
        default=(), description="exact origins allowed by CORS and on /ws (no wildcard)"
    )
    trusted_proxies: tuple[str, ...] = Field(
        default=(), description="proxy addresses or CIDRs whose X-Forwarded-For is believed"
    )
    rate_limit_per_minute: int = Field(default=600, ge=1, description="per user or client IP")
    auth_rate_limit_per_minute: int = Field(
        default=20, ge=1, description="login, refresh and ticket requests per client IP"
    )
    access_token_ttl_s: int = Field(default=900, ge=30, le=3600)
    refresh_token_ttl_s: int = Field(default=30 * 24 * 3600, ge=3600)
    ws_ticket_ttl_s: int = Field(default=30, ge=5, le=300)
    ws_queue_size: int = Field(default=256, ge=1, description="events buffered per WS client")
    backtest_workers: int = Field(default=1, ge=1, le=16)
    max_jobs_per_user: int = Field(
        default=4, ge=1, le=100, description="queued or running backtests/optimisations per user"
    )
    max_body_bytes: int = Field(
        default=64 * 1024, ge=1024, description="larger request bodies are refused with 413"
    )
    max_upload_bytes: int = Field(
        default=32 * 1024 * 1024,
        ge=1024,
        description="the largest candle file uploaded (POST /api/market/series); 413 above",
    )
    optimize_storage: str | None = Field(
        default=None,
        description="Optuna storage of API optimisations; default: optuna.db in the data dir",
    )
    read_cache_ttl_s: float = Field(
        default=1.0, ge=0, le=10, description="how old /api/bots and /api/portfolio may be"
    )
    database_pool_size: int = Field(
        default=5, ge=1, le=100, description="PostgreSQL connections each API process keeps open"
    )
    database_pool_overflow: int = Field(
        default=10, ge=0, le=100, description="more connections it may open under a burst"
    )
    database_pool_timeout_s: float = Field(
        default=30.0,
        ge=1,
        le=300,
        description="how long a request waits for a free connection before 503 'database busy'",
    )
    docs_enabled: bool = True
    web_dir: Path | None = Field(
        default=None,
        description="the app's web export served at / (default: the checkout's mobile/dist)",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="bearer token Prometheus must send to /metrics (unset: /metrics is open)",
    )


class MonitoringSettings(_Section):
    """Prometheus ``/metrics`` of the engine processes and the InfluxDB writer (off by default)."""

    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = Field(
        default=None, ge=0, le=65535, description="engine processes: serve /metrics on this port"
    )
    influx_url: str | None = Field(default=None, description="InfluxDB base URL (unset: off)")
    influx_database: str = Field(default="cryptotrader", min_length=1, description="or bucket")
    influx_token: SecretStr | None = None
    influx_api: Literal["v1", "v2"] = Field(
        default="v1", description="v1: /write (1.x, 2.x via DBRP, 3.x); v2: /api/v2/write"
    )
    influx_org: str | None = Field(default=None, description="InfluxDB 2.x organisation (v2)")
    influx_buffer: int = Field(default=50_000, ge=1000, description="points held at most")
    influx_batch: int = Field(default=5_000, ge=1, le=50_000, description="points per request")
    influx_flush_s: float = Field(default=1.0, gt=0, le=60)


class AlertSettings(_Section):
    """Alerts the API raises from what it watches (``services.engine_watch``, ``daily_digest``)."""

    silent_after_candles: int = Field(
        default=3, ge=1, le=1000, description="engine_silent after this many timeframes quiet"
    )
    digest_enabled: bool = True
    digest_time: time = Field(default=time(20, 0), description="UTC time of the daily digest")
    check_interval_s: float = Field(
        default=15.0, gt=0, le=3600, description="how often the watchdog and digest look"
    )


class NotifySettings(_Section):
    """The notifier's push providers and its retry policy (per-user channels live in the DB)."""

    expo_push_url: str = Field(
        default="https://exp.host/--/api/v2/push", description="Expo push API root"
    )
    expo_access_token: SecretStr | None = None
    vapid_subject: str = Field(
        default="mailto:admin@localhost",
        pattern=r"^(mailto:.+@.+|https://.+)$",
        description="Web Push VAPID contact (mailto: or https:)",
    )
    timeout_s: float = Field(default=10.0, gt=0, le=120)
    max_attempts: int = Field(default=8, ge=1, le=50)
    retry_base_s: float = Field(default=5.0, gt=0)
    retry_max_s: float = Field(default=1800.0, gt=0)
    max_age_s: int = Field(default=6 * 3600, ge=60, description="older alerts are not pushed")
    poll_interval_s: float = Field(default=2.0, gt=0, le=60)
    allow_http_push_endpoints: bool = Field(
        default=False, description="accept http:// Web Push endpoints (local tests only)"
    )


class Settings(BaseSettings):
    """All of CryptoTrader's configuration.

    Example:
        >>> Settings(data_dir=Path("/tmp/ct")).database_url
        'sqlite+aiosqlite:////tmp/ct/cryptotrader.db'
    """

    model_config = SettingsConfigDict(
        env_prefix="CRYPTOTRADER_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    environment: Environment = "development"
    data_dir: Path = Field(default_factory=lambda: Path.home() / ".cryptotrader")
    database_url_override: str | None = Field(
        default=None,
        validation_alias=AliasChoices("CRYPTOTRADER_DATABASE_URL", "DATABASE_URL"),
    )
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("CRYPTOTRADER_REDIS_URL", "REDIS_URL")
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    bus_partitions: int = Field(
        default=16,
        ge=0,
        le=1024,
        description="work streams per partitioned channel on Redis (indicator and decision "
        "workers share the pairs by them; 0: none). The same in every process; change it only "
        "with the pipeline drained",
    )
    security: SecuritySettings = SecuritySettings()
    exchange: ExchangeSettings = ExchangeSettings()
    trading: TradingSettings = TradingSettings()
    runtime: RuntimeSettings = RuntimeSettings()
    sentiment: SentimentSettings = SentimentSettings()
    api: ApiSettings = ApiSettings()
    monitoring: MonitoringSettings = MonitoringSettings()
    alerts: AlertSettings = AlertSettings()
    notify: NotifySettings = NotifySettings()

    @property
    def database_url(self) -> str:
        """``DATABASE_URL`` when set, else a SQLite file in the data directory."""
        if self.database_url_override:
            return self.database_url_override
        return f"sqlite+aiosqlite:///{self.data_dir / 'cryptotrader.db'}"

    @property
    def bus_backend(self) -> Literal["memory", "redis"]:
        """Redis Streams when ``REDIS_URL`` is set, else the in-process bus."""
        return "redis" if self.redis_url else "memory"

    def live_locks_closed(self) -> list[str]:
        """The settings' own locks before real money still closed, with their variables.

        ``exchange.mode = live`` and ``trading.live_trading_enabled``: the runtime
        (``runtime_inputs.check_live``) and the API's live-trading state
        (``services.live_trading``) both list these, beside their own locks (the command's flag;
        the keys, the stored API key and the admin's switch).
        """
        closed = []
        if self.exchange.mode is not TradingMode.LIVE:
            closed.append("exchange.mode = live, not paper (CRYPTOTRADER_EXCHANGE__MODE=live)")
        if not self.trading.live_trading_enabled:
            closed.append(
                "trading.live_trading_enabled (CRYPTOTRADER_TRADING__LIVE_TRADING_ENABLED)"
            )
        return closed

    @property
    def cache_dir(self) -> Path:
        """Where HTTP answers (Fear & Greed, Google Trends) are cached."""
        return self.data_dir / "cache"

    @model_validator(mode="after")
    def _refuse_weak_secrets(self) -> Self:
        metrics = self.api.metrics_token
        if metrics is not None and len(metrics.get_secret_value()) < _MIN_SECRET_LENGTH:
            raise ValueError(
                f"api.metrics_token must be at least {_MIN_SECRET_LENGTH} random characters"
            )
        if self.environment == "development":
            return self
        secret = self.security.jwt_secret
        if secret.lower() in _KNOWN_WEAK_SECRETS or len(secret) < _MIN_SECRET_LENGTH:
            raise ValueError(
                f"security.jwt_secret is a default or weak secret; set CRYPTOTRADER_SECURITY__"
                f"JWT_SECRET to at least {_MIN_SECRET_LENGTH} random characters outside development"
                " (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if self.exchange.mode is TradingMode.LIVE and not self.security.encryption_keys:
            raise ValueError("live trading needs CRYPTOTRADER_SECURITY__ENCRYPTION_KEYS")
        return self


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment and ``.env``; ``overrides`` win.

    Raises:
        ConfigurationError: a value is invalid or unsafe; the message names the variable.
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigurationError(f"invalid configuration ({where}): {message}") from None
