"""The portfolio: capital and results per bot, reallocations between them, risk state.

Everything is read from the database the runtime writes (``bots``, ``trades``,
``reallocations``); nothing here moves money.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from cryptotrader.clock import Clock, LiveClock
from cryptotrader.config import Settings
from cryptotrader.domain.enums import BotKind, BotStatus, TradingMode
from cryptotrader.engines import progress
from cryptotrader.engines.bot_config import effective_config, stored_config
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import (
    bots,
    live_switch,
    reallocations,
    trade_queries,
    trades,
)
from cryptotrader.persistence.repositories.trade_queries import BotTradeFigures, PairTradeFigures
from cryptotrader.persistence.tables import BotRow, ReallocationRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.services.context import Actor, Permission
from cryptotrader.services.read_cache import ReadCache

_NO_TRADES = BotTradeFigures(Decimal(0), Decimal(0), 0, 0, 0, 0, 0, None)


@dataclass(frozen=True, slots=True)
class RiskState:
    """Where a bot's risk stands against its configured ratio."""

    base_risk_ratio: Decimal
    current_risk_ratio: Decimal
    reduction: Decimal
    """``current / base``: 1 at full risk, 0.5 after 3 losses, 0.25 after 5 (by default)."""
    losing_streak: int
    paused: bool
    realised_today: Decimal
    """Net P&L of the trades closed since 00:00 UTC."""
    daily_loss_limit: Decimal
    """The loss at which entries stop for the day: the day's starting capital times the limit."""


@dataclass(frozen=True, slots=True)
class RiskLimitsView:
    """The risk limits the runtime applies (``trading`` settings)."""

    max_open_positions: int
    max_exposure: Decimal
    daily_loss_limit: Decimal
    order_failures_to_pause: int
    on_deep_streak: str
    max_positions_per_bot: int
    max_bot_exposure: Decimal
    max_pair_exposure: Decimal


@dataclass(frozen=True, slots=True)
class PairPortfolio:
    """One bot's results on one pair, and its open position there."""

    pair: str
    realised_pnl: Decimal
    fees: Decimal
    open_trades: int
    closed_trades: int
    win_rate: float | None
    open_quantity: Decimal
    open_notional: Decimal


@dataclass(frozen=True, slots=True)
class BotPortfolio:
    """One bot's money and results (in all, and per pair)."""

    bot: BotKind
    name: str
    status: BotStatus
    capital: Decimal
    realised_pnl: Decimal
    fees: Decimal
    open_trades: int
    closed_trades: int
    win_rate: float | None
    reallocated_in: Decimal
    reallocated_out: Decimal
    risk: RiskState
    unrealised_pnl: Decimal
    """Open positions marked at their pair's last stored close, net of fees paid so far."""
    unpriced_positions: int
    """Open positions left out of ``unrealised_pnl``: no candle of their pair is stored."""
    pairs: list[PairPortfolio]


@dataclass(frozen=True, slots=True)
class ReallocationView:
    """Capital moved between bots after a winning trade."""

    id: int
    from_bot: BotKind
    to_bot: BotKind
    amount: Decimal
    ratio: Decimal
    trigger_trade_id: int | None
    at: datetime


@dataclass(frozen=True, slots=True)
class DrawdownView:
    """How far the combined equity is below its peak, as ratios of the peak.

    The equity path is the capital both bots started with, plus each closed trade's P&L in
    closing order, then the open positions marked now (reallocations move money between the
    bots, so they leave the total unchanged).
    """

    current: Decimal
    maximum: Decimal
    peak_equity: Decimal


def drawdown(start: Decimal, pnls: list[Decimal], now: Decimal) -> DrawdownView:
    """The drawdown of ``start`` then ``start + pnl...`` cumulated, ending at ``now``."""
    peak = equity = start
    deepest = Decimal(0)

    def below(value: Decimal) -> Decimal:
        return (peak - value) / peak if peak > 0 and value < peak else Decimal(0)

    for pnl in pnls:
        equity += pnl
        peak = max(peak, equity)
        deepest = max(deepest, below(equity))
    peak = max(peak, now)
    current = below(now)
    places = Decimal("0.000001")
    return DrawdownView(
        current=current.quantize(places),
        maximum=max(deepest, current).quantize(places),
        peak_equity=peak,
    )


@dataclass(frozen=True, slots=True)
class PortfolioView:
    """Both bots, their total, the latest reallocations and the trading mode."""

    bots: list[BotPortfolio]
    total_capital: Decimal
    total_realised_pnl: Decimal
    total_unrealised_pnl: Decimal
    total_equity: Decimal
    """Capital plus the open positions marked at their last close."""
    realised_today: Decimal
    """Net P&L of both bots' trades closed since 00:00 UTC."""
    drawdown: DrawdownView
    reallocations: list[ReallocationView]
    mode: TradingMode
    live_trading_enabled: bool
    limits: RiskLimitsView


class PortfolioService:
    """Reads the portfolio.

    Args:
        database: what the runtime records.
        settings: default risk per bot and the trading mode.
        cache: the read cache shared with the bot service.
    """

    def __init__(
        self,
        *,
        database: Database,
        settings: Settings,
        cache: ReadCache | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._database = database
        self._settings = settings
        self._clock = clock or LiveClock()
        self._cache = cache or ReadCache(ttl_s=0)

    async def portfolio(self, actor: Actor) -> PortfolioView:
        """The whole portfolio with the 10 latest reallocations (from the read cache when fresh)."""
        actor.require(Permission.READ)
        return await self._cache.get_or_load("portfolio", self._load)

    async def _load(self, recent: int = 10) -> PortfolioView:
        async with UnitOfWork(self._database, read_only=True) as uow:
            rows = await bots.list_bots(session=uow.session)
            figures = await trade_queries.bot_figures(session=uow.session)
            per_pair = await trade_queries.pair_figures(session=uow.session)
            moved = await trade_queries.reallocation_totals(session=uow.session)
            latest = await reallocations.list_reallocations(session=uow.session, limit=recent)
            live = (await live_switch.read_switch(session=uow.session)).enabled
            positions = await trade_queries.open_positions_marked(
                session=uow.session, traded=await progress.traded_series(uow.session)
            )
            closed_pnls = await trade_queries.closed_pnl_in_order(session=uow.session)
            day = self._clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
            today = {
                row.id: await trades.realised_since(
                    session=uow.session, bot=row.type, since=day, bot_id=row.id
                )
                for row in rows
            }
        kinds = {row.id: row.type for row in rows}
        views = [
            self._bot(
                row,
                figures.get(row.id, _NO_TRADES),
                moved,
                today[row.id],
                [p for p in positions if p.bot_id == row.id],
                pairs=[_pair(s, f) for (bot_id, s), f in per_pair.items() if bot_id == row.id],
            )
            for row in rows
        ]
        limits = self._settings.runtime
        capital = sum((v.capital for v in views), Decimal(0))
        realised = sum((v.realised_pnl for v in views), Decimal(0))
        unrealised = sum((v.unrealised_pnl for v in views), Decimal(0))
        return PortfolioView(
            bots=views,
            total_capital=capital,
            total_realised_pnl=realised,
            total_unrealised_pnl=unrealised,
            total_equity=capital + unrealised,
            realised_today=sum(today.values(), Decimal(0)),
            drawdown=drawdown(capital - realised, closed_pnls, capital + unrealised),
            reallocations=[_reallocation(r, kinds) for r in latest if r.from_bot_id in kinds],
            mode=self._settings.exchange.mode,
            live_trading_enabled=live,
            limits=RiskLimitsView(
                max_open_positions=limits.max_open_positions,
                max_exposure=limits.max_exposure,
                daily_loss_limit=limits.daily_loss_limit,
                order_failures_to_pause=limits.order_failures_to_pause,
                on_deep_streak=limits.on_deep_streak,
                max_positions_per_bot=limits.max_positions_per_bot,
                max_bot_exposure=limits.max_bot_exposure,
                max_pair_exposure=limits.max_pair_exposure,
            ),
        )

    async def reallocations(
        self, actor: Actor, *, limit: int, offset: int
    ) -> tuple[list[ReallocationView], int]:
        """One page of reallocations, newest first, and how many there are."""
        actor.require(Permission.READ)
        async with UnitOfWork(self._database, read_only=True) as uow:
            kinds = await bots.bot_ids(session=uow.session)
            by_id = {row_id: kind for kind, row_id in kinds.items()}
            total = (
                await uow.session.execute(select(func.count()).select_from(ReallocationRow))
            ).scalar_one()
            rows = await uow.session.execute(
                select(ReallocationRow)
                .order_by(ReallocationRow.created_at.desc(), ReallocationRow.id.desc())
                .limit(limit)
                .offset(offset)
            )
            found = list(rows.scalars())
        return [_reallocation(r, by_id) for r in found], int(total)

    def _bot(
        self,
        row: BotRow,
        figures: BotTradeFigures,
        moved: dict[tuple[int, str], Decimal],
        realised_today: Decimal,
        positions: list[trade_queries.MarkedPosition],
        *,
        pairs: list[PairPortfolio],
    ) -> BotPortfolio:
        config = effective_config(stored_config(row), row.type, self._settings.trading)
        base = config.risk_ratio
        closed = figures.closed_trades
        return BotPortfolio(
            bot=row.type,
            name=row.name,
            status=row.status,
            capital=row.capital,
            realised_pnl=figures.realised_pnl,
            fees=figures.fees,
            open_trades=figures.open_trades,
            closed_trades=closed,
            win_rate=figures.wins / closed if closed else None,
            reallocated_in=moved.get((row.id, "in"), Decimal(0)),
            reallocated_out=moved.get((row.id, "out"), Decimal(0)),
            unrealised_pnl=sum(
                (p.unrealised_pnl for p in positions if p.unrealised_pnl is not None), Decimal(0)
            ),
            unpriced_positions=sum(1 for p in positions if p.mark is None),
            risk=RiskState(
                base_risk_ratio=base,
                current_risk_ratio=row.current_risk_ratio,
                reduction=(row.current_risk_ratio / base).quantize(Decimal("0.0001")),
                losing_streak=figures.losing_streak,
                paused=row.status is BotStatus.PAUSED,
                realised_today=realised_today,
                daily_loss_limit=(
                    (row.capital - realised_today) * self._settings.runtime.daily_loss_limit
                ).quantize(Decimal("0.01")),
            ),
            pairs=pairs,
        )


def _pair(symbol: str, figures: PairTradeFigures) -> PairPortfolio:
    closed = figures.closed_trades
    return PairPortfolio(
        pair=symbol,
        realised_pnl=figures.realised_pnl,
        fees=figures.fees,
        open_trades=figures.open_trades,
        closed_trades=closed,
        win_rate=figures.wins / closed if closed else None,
        open_quantity=figures.open_quantity,
        open_notional=figures.open_notional,
    )


def _reallocation(row: ReallocationRow, kinds: dict[int, BotKind]) -> ReallocationView:
    return ReallocationView(
        id=row.id,
        from_bot=kinds[row.from_bot_id],
        to_bot=kinds[row.to_bot_id],
        amount=row.amount,
        ratio=row.ratio_applied,
        trigger_trade_id=row.trigger_trade_id,
        at=row.created_at,
    )
