"""``/api/market``: pairs, stored candles, latest indicator readings and signals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile, status
from pydantic import AwareDatetime

from cryptotrader.api.deps import (
    CurrentActor,
    MarketServiceDep,
    OriginDep,
    PlatformConfigServiceDep,
)
from cryptotrader.api.routes import ERROR_RESPONSES
from cryptotrader.api.schemas.config import PairPublic, PairsPublic
from cryptotrader.api.schemas.market import (
    CandlePublic,
    CandlesPublic,
    ChartMarkerPublic,
    ChartPublic,
    IndicatorReadingPublic,
    IndicatorsPublic,
    SeriesImportPublic,
    SeriesListPublic,
    SeriesPublic,
    SignalPublic,
    SignalsPublic,
)
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.values import utc_from_ms
from cryptotrader.errors import UserInputError
from cryptotrader.marketdata.store import StoredSeries
from cryptotrader.services.errors import InvalidField
from cryptotrader.services.exchange_keys import check_exchange

router = APIRouter(prefix="/api/market", tags=["market"], responses=ERROR_RESPONSES)
UPLOAD_PATH = "/api/market/series"
"""The candle upload: the edge allows it ``api.max_upload_bytes`` of body, not the default."""


class MarketQuery:
    """``exchange``, ``pair`` and ``timeframe`` query parameters, checked."""

    def __init__(
        self,
        pair: Annotated[str, Query(min_length=3, max_length=25, examples=["BTC/USDT"])],
        timeframe: Timeframe = Timeframe.H1,
        exchange: Annotated[str, Query(pattern=r"^[a-z0-9_]{2,32}$")] = "binance",
    ) -> None:
        self.exchange = check_exchange(exchange)
        self.pair = Pair.parse(pair)
        self.timeframe = timeframe


MarketDep = Annotated[MarketQuery, Depends()]


@router.get("/pairs")
async def list_market_pairs(actor: CurrentActor, platform: PlatformConfigServiceDep) -> PairsPublic:
    """The active trading pairs."""
    data = [
        PairPublic.model_validate(p) for p in await platform.list_pairs(actor, active_only=True)
    ]
    return PairsPublic(data=data, count=len(data))


@router.get("/series")
async def list_series(actor: CurrentActor, market: MarketServiceDep) -> SeriesListPublic:
    """Every stored candle series: exchange, pair, timeframe, first and last candle, count."""
    data = [_series(s) for s in await market.series(actor)]
    return SeriesListPublic(data=data, count=len(data))


@router.post(
    "/series",
    status_code=status.HTTP_201_CREATED,
    responses={413: {"description": "the file is larger than api.max_upload_bytes"}},
)
async def import_series(
    *,
    file: Annotated[
        UploadFile,
        File(
            description="candles as .csv or .csv.gz: a header with timestamp (epoch s/ms/us or "
            "ISO-8601), open, high, low, close, volume; one candle a line, oldest first"
        ),
    ],
    pair: Annotated[
        str | None, Form(min_length=3, max_length=25, description="else from the file name")
    ] = None,
    timeframe: Annotated[
        Timeframe | None, Form(description="else from the file name, else the spacing")
    ] = None,
    exchange: Annotated[
        str | None,
        Form(pattern=r"^[a-z0-9_]{2,32}$", description="else from the file name, else upload"),
    ] = None,
    actor: CurrentActor,
    market: MarketServiceDep,
    origin: OriginDep,
) -> SeriesImportPublic:
    """Store an uploaded candle file as a series the backtests can use (upsert).

    Named like ``binance_BTC-USDT_1h.csv.gz``, the file says its series; otherwise give the
    pair (and the timeframe, when the spacing does not tell it). A file breaking a rule is
    refused with 422 on ``file``, the message naming the line and the column; nothing is written.
    """
    try:
        market_pair = Pair.parse(pair) if pair else None
    except UserInputError as exc:
        raise InvalidField("pair", str(exc)) from None
    imported = await market.import_file(
        actor,
        file.file,
        file.filename or "upload.csv",
        origin,
        exchange=exchange,
        pair=market_pair,
        timeframe=timeframe,
    )
    return SeriesImportPublic(
        series=_series(imported.series),
        imported=imported.candles,
        gaps=imported.gaps,
        missing=imported.missing,
    )


def _series(stored: StoredSeries) -> SeriesPublic:
    return SeriesPublic(
        exchange=stored.exchange,
        pair=stored.pair.symbol,
        timeframe=stored.timeframe,
        first=utc_from_ms(stored.first_ms),
        last=utc_from_ms(stored.last_ms),
        count=stored.count,
    )


@router.get("/candles")
async def list_candles(
    *,
    query: MarketDep,
    actor: CurrentActor,
    market: MarketServiceDep,
    start: Annotated[AwareDatetime | None, Query(description="open time at or after")] = None,
    end: Annotated[AwareDatetime | None, Query(description="open time before")] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> CandlesPublic:
    """The newest ``limit`` stored candles of a series in the range, oldest first."""
    arrays = await market.candles(
        actor,
        exchange=query.exchange,
        pair=query.pair,
        timeframe=query.timeframe,
        start=start,
        end=end,
        limit=limit,
    )
    data = _candles(arrays)
    return CandlesPublic(
        exchange=query.exchange,
        pair=query.pair.symbol,
        timeframe=query.timeframe,
        data=data,
        count=len(data),
    )


def _candles(arrays: CandleArrays) -> list[CandlePublic]:
    return [
        CandlePublic(time=utc_from_ms(t), open=o, high=h, low=low, close=c, volume=v)
        for t, o, h, low, c, v in zip(
            arrays.timestamps.tolist(),
            arrays.open.tolist(),
            arrays.high.tolist(),
            arrays.low.tolist(),
            arrays.close.tolist(),
            arrays.volume.tolist(),
            strict=True,
        )
    ]


@router.get("/chart")
async def get_chart(
    *,
    query: MarketDep,
    actor: CurrentActor,
    market: MarketServiceDep,
    limit: Annotated[int, Query(ge=1, le=2000)] = 300,
    bot: Annotated[BotKind | None, Query(description="only this bot's trades")] = None,
) -> ChartPublic:
    """The newest ``limit`` candles, SMA/EMA/Bollinger/RSI/MACD series and the trades on them."""
    view = await market.chart(
        actor,
        exchange=query.exchange,
        pair=query.pair,
        timeframe=query.timeframe,
        limit=limit,
        bot=bot,
    )
    return ChartPublic(
        exchange=view.exchange,
        pair=view.pair,
        timeframe=view.timeframe,
        candles=_candles(view.candles),
        series=view.series,
        markers=[ChartMarkerPublic.model_validate(m, from_attributes=True) for m in view.markers],
    )


@router.get("/indicators")
async def get_indicators(
    query: MarketDep, actor: CurrentActor, market: MarketServiceDep
) -> IndicatorsPublic:
    """Every indicator's reading of the latest candle.

    The indicator engine's latest event when this process has seen one, otherwise computed on
    the stored candles.
    """
    view = await market.indicators(
        actor, exchange=query.exchange, pair=query.pair, timeframe=query.timeframe
    )
    data = [IndicatorReadingPublic.model_validate(s) for s in view.indicators.values()]
    return IndicatorsPublic(
        exchange=view.exchange,
        pair=view.pair,
        timeframe=view.timeframe,
        candle_time=view.candle_time,
        source=view.source,
        data=data,
        count=len(data),
    )


@router.get("/signals")
async def get_signals(
    query: MarketDep, actor: CurrentActor, market: MarketServiceDep
) -> SignalsPublic:
    """Each bot's latest signal.

    The decision engine's latest event when seen, otherwise the bot's configured strategy
    evaluated on the stored candles.
    """
    view = await market.signals(
        actor, exchange=query.exchange, pair=query.pair, timeframe=query.timeframe
    )
    data = [
        SignalPublic(
            bot=signal.target_bot,
            strategy=signal.strategy,
            action=signal.action,
            confidence=signal.confidence,
            score=signal.score,
            timestamp=signal.timestamp,
            source=source,
            contributions=signal.contributions,
        )
        for signal, source in view.signals
    ]
    return SignalsPublic(
        exchange=view.exchange,
        pair=view.pair,
        timeframe=view.timeframe,
        data=data,
        count=len(data),
    )
