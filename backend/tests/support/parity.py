"""What parity means: the runtime's trades against the portfolio backtest's, field by field."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from cryptotrader.domain.enums import BotKind, ExitReason, TradeStatus
from cryptotrader.domain.trades import Trade
from cryptotrader.engines.backtest import BacktestEngine
from cryptotrader.engines.backtest.multipair import (
    MultiPairResult,
    PairSeries,
    PortfolioRequest,
    run_portfolio,
)
from cryptotrader.engines.backtest.portfolio import PortfolioBacktest, PortfolioResult
from cryptotrader.marketdata.io import read_ohlcv
from cryptotrader.marketdata.naming import parse_series_name
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import trades
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.sentiment import load_fear_greed_csv
from cryptotrader.strategies import create_strategy

Row = tuple[object, ...]


def backtest(path: Path, fear_greed: Path | None = None) -> PortfolioResult:
    """Both bots' portfolio backtest with the default strategies and settings."""
    read = read_ohlcv(path)
    assert read.timeframe is not None
    dependencies = {} if fear_greed is None else {"fear_greed": load_fear_greed_csv(fear_greed)}
    engine = BacktestEngine(dependencies=dependencies)
    return PortfolioBacktest(engine=engine).run(
        read.arrays,
        read.timeframe,
        safe=create_strategy("conservative"),
        aggressive=create_strategy("aggressive"),
    )


def backtest_pairs(paths: list[Path], fear_greed: Path | None = None) -> MultiPairResult:
    """Both bots over every file's pair (named by the file), defaults as ``backtest``."""
    series = []
    timeframe = None
    for path in paths:
        read = read_ohlcv(path)
        pair = parse_series_name(path).pair
        assert read.timeframe is not None
        assert pair is not None
        timeframe = read.timeframe
        series.append(PairSeries(pair, read.arrays))
    assert timeframe is not None
    dependencies = {} if fear_greed is None else {"fear_greed": load_fear_greed_csv(fear_greed)}
    return run_portfolio(
        PortfolioRequest(
            series=tuple(series),
            timeframe=timeframe,
            safe=create_strategy("conservative"),
            aggressive=create_strategy("aggressive"),
            dependencies=dependencies,
        )
    )


def expected_pair_rows(result: MultiPairResult) -> dict[tuple[str, BotKind], list[Row]]:
    """The multi-pair backtest's trades as the runtime should hold them, per pair and bot."""
    rows: dict[tuple[str, BotKind], list[Row]] = {}
    for outcome in (result.safe, result.aggressive):
        for share in outcome.pairs:
            listed = [
                as_open(t) if t.exit_reason is ExitReason.END_OF_DATA else t for t in share.trades
            ]
            rows[share.pair.symbol, outcome.bot] = [row(t) for t in listed]
    return rows


async def stored_pair_rows(database: Database) -> dict[tuple[str, BotKind], list[Row]]:
    """The runtime's trades, oldest first, per pair and bot."""
    async with UnitOfWork(database) as uow:
        listed = await trades.list_trades(session=uow.session, limit=10**7)
    ordered = [t for _, t in sorted(listed, key=lambda item: item[0])]
    grouped: dict[tuple[str, BotKind], list[Row]] = {}
    for trade in ordered:
        grouped.setdefault((trade.pair.symbol, trade.bot), []).append(row(trade))
    return grouped


def row(trade: Trade) -> Row:
    """The fields two runs of the same trade must agree on (money at 8 decimals)."""
    pnl = trade.pnl
    return (
        trade.bot,
        trade.entry_time,
        trade.entry_price,
        trade.quantity.normalize(),
        trade.stop_loss,
        trade.take_profit,
        trade.exit_time,
        trade.exit_price,
        trade.exit_reason,
        trade.fees,
        None if pnl is None else pnl.quantize(Decimal("1e-8")),
        None if trade.confidence is None else _four(trade.confidence),
    )


def as_open(trade: Trade) -> Trade:
    """A backtest trade closed at the end of the data, as a runtime that stops there holds it:
    open, with its entry fee only."""
    entry_fee = (trade.entry_price * trade.quantity * Decimal("0.001")).quantize(
        Decimal("1e-8"), "ROUND_HALF_UP"
    )
    return Trade.model_validate(
        {
            **trade.model_dump(),
            "exit_price": None,
            "exit_time": None,
            "exit_reason": None,
            "fees": entry_fee,
            "status": TradeStatus.OPEN,
        }
    )


def expected_rows(result: PortfolioResult) -> dict[BotKind, list[Row]]:
    """The backtest's trades as the runtime should hold them."""
    rows: dict[BotKind, list[Row]] = {}
    for bot, res in ((BotKind.SAFE, result.safe), (BotKind.AGGRESSIVE, result.aggressive)):
        listed = [as_open(t) if t.exit_reason is ExitReason.END_OF_DATA else t for t in res.trades]
        rows[bot] = [row(t) for t in listed]
    return rows


async def stored_rows(database: Database) -> dict[BotKind, list[Row]]:
    """The runtime's trades, oldest first, per bot."""
    async with UnitOfWork(database) as uow:
        listed = await trades.list_trades(session=uow.session, limit=10**7)
    ordered = [t for _, t in sorted(listed, key=lambda item: item[0])]
    return {bot: [row(t) for t in ordered if t.bot is bot] for bot in BotKind}


def _four(confidence: Decimal | float) -> Decimal:
    """Confidence as stored (``trades.confidence``: 4 decimals, half-up)."""
    return Decimal(str(confidence)).quantize(Decimal("1e-4"), ROUND_HALF_UP)
