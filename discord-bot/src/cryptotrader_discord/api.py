"""A small typed client of the CryptoTrader API (REST), with the bot's service token.

The models mirror the schemas of ``docs/openapi.json`` they are named after (the test
``test_api_models_match_openapi`` fails when the API changes under them). Money stays ``Decimal``.
Every failure is an ``ApiError`` whose ``str()`` is one line fit to show to a Discord user.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

BotKind = Literal["safe", "aggressive"]
ON_BEHALF_OF = "X-On-Behalf-Of"
_T = TypeVar("_T", bound=BaseModel)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class RiskStatePublic(_Model):
    """``RiskStatePublic``."""

    base_risk_ratio: Decimal
    current_risk_ratio: Decimal
    reduction: Decimal
    losing_streak: int
    paused: bool
    realised_today: Decimal
    daily_loss_limit: Decimal


class BotPortfolioPublic(_Model):
    """``BotPortfolioPublic``."""

    bot: BotKind
    name: str
    status: str
    capital: Decimal
    realised_pnl: Decimal
    fees: Decimal
    open_trades: int
    closed_trades: int
    win_rate: float | None
    reallocated_in: Decimal
    reallocated_out: Decimal
    risk: RiskStatePublic


class ReallocationPublic(_Model):
    """``ReallocationPublic``."""

    id: int
    from_bot: BotKind
    to_bot: BotKind
    amount: Decimal
    ratio: Decimal
    trigger_trade_id: int | None
    at: datetime


class RiskLimitsPublic(_Model):
    """``RiskLimitsPublic``."""

    max_open_positions: int
    max_exposure: Decimal
    daily_loss_limit: Decimal
    order_failures_to_pause: int
    on_deep_streak: str


class PortfolioPublic(_Model):
    """``PortfolioPublic``."""

    bots: list[BotPortfolioPublic]
    total_capital: Decimal
    total_realised_pnl: Decimal
    reallocations: list[ReallocationPublic]
    mode: str
    live_trading_enabled: bool
    limits: RiskLimitsPublic


class ReallocationsPublic(_Model):
    """``ReallocationsPublic``."""

    data: list[ReallocationPublic]
    count: int


class TradePublic(_Model):
    """``TradePublic``."""

    id: int
    bot: BotKind
    pair: str
    side: str
    status: str
    entry_price: Decimal
    exit_price: Decimal | None
    quantity: Decimal
    stop_loss: Decimal | None
    take_profit: Decimal | None
    pnl: Decimal | None
    pnl_percent: Decimal | None
    exit_reason: str | None
    opened_at: datetime
    closed_at: datetime | None


class TradesPublic(_Model):
    """``TradesPublic``."""

    data: list[TradePublic]
    count: int


class RequestedStatusPublic(_Model):
    """``RequestedStatusPublic``."""

    status: str
    action: str
    by: str
    at: datetime


class BotPublic(_Model):
    """``BotPublic``."""

    kind: BotKind
    name: str
    status: str
    driven: bool
    capital: Decimal
    current_risk_ratio: Decimal
    requested: RequestedStatusPublic | None


class BotsPublic(_Model):
    """``BotsPublic``."""

    data: list[BotPublic]
    count: int


class BacktestJobPublic(_Model):
    """``BacktestJobPublic``."""

    id: int
    status: str
    error: str | None
    created_at: datetime
    finished_at: datetime | None


class EquityPointPublic(_Model):
    """``EquityPointPublic``."""

    time: datetime
    equity: Decimal


class BacktestReportPublic(_Model):
    """``BacktestReportPublic``."""

    bot: str
    strategy: str
    pair: str
    timeframe: str
    initial_capital: Decimal
    final_capital: Decimal
    net_profit: Decimal
    total_return: float | None
    total_trades: int
    win_rate: float | None
    max_drawdown: float | None
    sharpe_ratio: float | None
    profit_factor: float | None
    equity_curve: list[EquityPointPublic]


class BacktestResultPublic(_Model):
    """``BacktestResultPublic``."""

    job: BacktestJobPublic
    results: list[BacktestReportPublic]


MODELS: tuple[type[_Model], ...] = (
    RiskStatePublic,
    BotPortfolioPublic,
    ReallocationPublic,
    RiskLimitsPublic,
    PortfolioPublic,
    ReallocationsPublic,
    TradePublic,
    TradesPublic,
    RequestedStatusPublic,
    BotPublic,
    BotsPublic,
    BacktestJobPublic,
    EquityPointPublic,
    BacktestReportPublic,
    BacktestResultPublic,
)
"""The models checked against ``docs/openapi.json``."""


class ApiError(Exception):
    """The API refused or could not be reached; ``str()`` is one line, ``status`` the HTTP code."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ApiClient:
    """REST calls the bot makes, authenticated by its service token.

    Args:
        base_url: the API, e.g. ``http://127.0.0.1:8000``.
        token: a service token (``read`` for the views, ``control`` for pause / resume).
        transport: an httpx transport (tests), else a real connection pool.

    """

    def __init__(
        self, base_url: str, token: str, *, timeout_s: float = 10.0, **kwargs: Any
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}", "User-Agent": "cryptotrader-discord"},
            timeout=timeout_s,
            **kwargs,
        )

    async def aclose(self) -> None:
        """Release the connections."""
        await self._http.aclose()

    async def _call(
        self,
        model: type[_T],
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        on_behalf_of: str | None = None,
    ) -> _T:
        headers = {ON_BEHALF_OF: on_behalf_of} if on_behalf_of else None
        try:
            answer = await self._http.request(
                method, url, params=params, json=json, headers=headers
            )
        except httpx.HTTPError as exc:
            raise ApiError(
                f"the CryptoTrader API at {self._http.base_url} is unreachable: "
                f"{type(exc).__name__}"
            ) from None
        if answer.status_code >= 400:
            raise ApiError(_detail(answer), answer.status_code)
        try:
            return model.model_validate_json(answer.content)
        except ValidationError as exc:
            raise ApiError(f"unexpected answer from {url}: {exc.errors()[0]['msg']}") from None

    async def portfolio(self) -> PortfolioPublic:
        """``GET /api/portfolio``."""
        return await self._call(PortfolioPublic, "GET", "/api/portfolio")

    async def bots(self) -> BotsPublic:
        """``GET /api/bots`` (each bot's state, and whether a runtime drives it)."""
        return await self._call(BotsPublic, "GET", "/api/bots")

    async def bot(self, kind: BotKind) -> BotPublic:
        """``GET /api/bots/{bot}``."""
        return await self._call(BotPublic, "GET", f"/api/bots/{kind}")

    async def trades(
        self,
        *,
        bot: BotKind | None = None,
        status: str | None = None,
        since: datetime | None = None,
        closed_since: datetime | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> TradesPublic:
        """``GET /api/trades``, newest first; ``since`` by opening, ``closed_since`` by closing."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if bot is not None:
            params["bot"] = bot
        if status is not None:
            params["status"] = status
        if since is not None:
            params["since"] = since.isoformat()
        if closed_since is not None:
            params["closed_since"] = closed_since.isoformat()
        return await self._call(TradesPublic, "GET", "/api/trades", params=params)

    async def reallocations(self, limit: int = 20) -> ReallocationsPublic:
        """``GET /api/portfolio/reallocations``, newest first."""
        return await self._call(
            ReallocationsPublic, "GET", "/api/portfolio/reallocations", params={"limit": limit}
        )

    async def control(self, kind: BotKind, action: str, *, on_behalf_of: str) -> BotPublic:
        """``POST /api/bots/{bot}/{action}`` for a Discord user (named in the audit log)."""
        return await self._call(
            BotPublic, "POST", f"/api/bots/{kind}/{action}", on_behalf_of=on_behalf_of
        )

    async def launch_backtest(self, request: dict[str, Any], *, on_behalf_of: str) -> int:
        """``POST /api/backtest``; returns the job id."""
        job = await self._call(
            BacktestJobPublic, "POST", "/api/backtest", json=request, on_behalf_of=on_behalf_of
        )
        return job.id

    async def backtest(self, job_id: int) -> BacktestJobPublic:
        """``GET /api/backtest/{job_id}``."""
        return await self._call(BacktestJobPublic, "GET", f"/api/backtest/{job_id}")

    async def backtest_result(self, job_id: int) -> BacktestResultPublic:
        """``GET /api/backtest/{job_id}/result``."""
        return await self._call(BacktestResultPublic, "GET", f"/api/backtest/{job_id}/result")


def _detail(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        body = None
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        detail = detail[0].get("msg")
    text = str(detail) if detail else answer.reason_phrase
    return f"{text} (HTTP {answer.status_code})"
