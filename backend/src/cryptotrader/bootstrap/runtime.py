"""The runtime's composition: builds and wires clock, bus, database, exchanges and engines.

Nothing here runs at import time; ``open_runtime`` builds the exchanges and the engines too.

What gets built depends on the mode:

* **replay** (``--replay FILE``, or the synthetic market of ``demo``): a ``MarketClock`` moved by
  the candles, the series written to the candle store, the ``PaperExchange`` fed candle by
  candle;
* **paper on live data** (the default): the wall clock, candles streamed from the configured
  exchange's WebSocket (ccxt pro) where it has one, polled from its public API (ccxt)
  otherwise, the ``PaperExchange`` fed with them; every active pair of ``/config/pairs`` (or
  the ``--pair`` given), several pairs' candles grouped by candle time (``PairsLiveFeed``);
* **live** (``--live`` with the confirmation flag, ``exchange.mode = live``,
  ``trading.live_trading_enabled`` and stored API keys): the ccxt venue with the decrypted keys,
  entries also gated by the API's live-trading switch. Keys are never read otherwise.

One database holds one market's trading, or one set of markets (several pairs, traded
together: one order engine per pair, one paper account, one risk book across them): a second,
different source (another file, pair, set or timeframe, or a replay after live paper trading) is
refused rather than mixed into the same bots. Live, the exchange and the timeframe bind it: the
pairs may change from one start to the next.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack, ExitStack
from functools import partial
from typing import Any

import httpx

from cryptotrader.bus.factory import open_bus
from cryptotrader.bus.protocol import MessageBus
from cryptotrader.clock import Clock, LiveClock, MarketClock
from cryptotrader.config import Settings
from cryptotrader.domain.bots import pairs_key, stored_pairs
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.markets import MarketRules
from cryptotrader.domain.pairs import Pair
from cryptotrader.engines.decision import DecisionEngine
from cryptotrader.engines.heartbeat import Heartbeat
from cryptotrader.engines.order import OrderEngine
from cryptotrader.engines.order_deps import LiveSwitch, OrderEngineDeps, no_live_switch
from cryptotrader.engines.portfolio import PortfolioManager
from cryptotrader.engines.progress import Progress, series_key
from cryptotrader.engines.reconcile import Reconciler
from cryptotrader.engines.workers.control import ControlWorker
from cryptotrader.engines.workers.decisions import DecisionWorker
from cryptotrader.engines.workers.indicators import IndicatorWorker
from cryptotrader.engines.workers.live_pairs import LaneFactory, LivePairs
from cryptotrader.engines.workers.market_data import (
    BatchReplayFeed,
    CandleStream,
    LiveFeed,
    PairsLiveFeed,
    Publisher,
    ReplayFeed,
    Series,
    StreamFeed,
)
from cryptotrader.engines.workers.trading import TradingWorker
from cryptotrader.engines.writer_lease import WriterLease
from cryptotrader.errors import ConfigurationError, UserInputError
from cryptotrader.exchanges.base import BaseExchange
from cryptotrader.exchanges.paper import PaperExchange
from cryptotrader.monitoring.setup import open_telemetry
from cryptotrader.monitoring.telemetry import Telemetry
from cryptotrader.notify.notifier import Notifier, open_dispatcher
from cryptotrader.outbox import outbox_for
from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import open_database
from cryptotrader.persistence.repositories import live_switch, pairs
from cryptotrader.persistence.repositories import settings as stored_settings
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.retry import RetryPolicy
from cryptotrader.risk.limits import OpenPosition
from cryptotrader.risk.manager import EntryFacts, RiskLimits, RiskManager, RiskRefused
from cryptotrader.risk.reducer import RiskReducer, RiskReducerConfig
from cryptotrader.runtime import Runtime
from cryptotrader.runtime_inputs import (
    Market,
    RunOptions,
    check_live,
    check_source,
    check_warmup,
    describe_market,
    live_markets,
    release_source,
    resolve_markets,
    warmup_needed,
)
from cryptotrader.security.keys import KeyRing
from cryptotrader.sentiment import load_fear_greed_csv, load_sentiment
from cryptotrader.strategies import BaseStrategy, create_strategy

log = logging.getLogger(__name__)


async def open_runtime(settings: Settings, options: RunOptions) -> Runtime:
    """Build every engine ``options.engines`` names, connected and reconciled-ready.

    Raises:
        UserInputError: a bad file, pair or timeframe, or another source's database.
        ConfigurationError: live trading asked without every lock open.
        OperationalError: the database or Redis cannot be reached.
    """
    markets = resolve_markets(settings, options)
    check_live(settings, options)
    stack = AsyncExitStack()
    try:
        return await _build(settings, options, markets, stack)
    except BaseException:
        await stack.aclose()
        raise


async def _release_if_unused(runtime: Runtime) -> None:
    """A run that failed before its first candle (offline) leaves the database unbound."""
    if runtime.failed.is_set() and not runtime.published:
        await release_source(runtime.database)


async def _build(
    settings: Settings, options: RunOptions, markets: list[Market], stack: AsyncExitStack
) -> Runtime:
    market = markets[0]
    wanted = set(options.engines)
    process = next(iter(wanted)) if len(wanted) == 1 else "engines"
    telemetry = open_telemetry(
        settings.monitoring,
        process=process,
        stack=stack.enter_context(ExitStack()),
        serve=True,
        replay_at_full_speed=market.candles is not None and options.speed is None,
    )
    clock: Clock = LiveClock()
    if market.candles is not None:
        clock = MarketClock(min(int(m.candles.timestamps[0]) for m in markets if m.candles))
    database = await open_database(
        options.database_url or settings.database_url, inline=options.inline_database
    )
    stack.push_async_callback(database.dispose)
    markets = await live_markets(database, settings, options, markets)
    market = markets[0]
    bound_now = await check_source(database, markets, clock)
    full_speed = market.candles is not None and options.speed is None
    bus = await open_bus(settings, clock=clock, encode_acked=not full_speed)
    stack.push_async_callback(bus.close)
    venue_name = settings.exchange.name if options.live else "paper"
    series = market.series
    progress_of = partial(_progress_of, venue_name, series)
    progresses = [_progress_of(venue_name, m.series, m.series.pair) for m in markets]
    progress = progresses[0]
    outbox = outbox_for(database, bus)
    outbox.hold()  # what an earlier run left goes out first, once the consumers are subscribed
    runtime = Runtime(
        database=database, bus=bus, clock=clock, progress=progress, resources=stack,
        consumer=options.consumer, telemetry=telemetry, outbox=outbox,
        pair_progress={m.series.pair.symbol: p for m, p in zip(markets, progresses, strict=True)},
        writer_lease=_writer_lease(database, wanted, options.consumer),
    )  # fmt: skip
    if bound_now:
        stack.push_async_callback(_release_if_unused, runtime)
    await _take_writer_lease(runtime, stack)
    public = await _public_venue(settings, market, stack, wanted)
    portfolio = _portfolio(settings, database, clock)
    portfolio.outbox = outbox  # bot control and changes applied: their alerts with their audit
    if wanted & {"order", "portfolio", "indicator", "decision", "market-data"}:
        await portfolio.ensure_bots()
    strategies = (
        await _strategies(database, portfolio)
        if wanted & {"indicator", "decision", "market-data"}
        else {}
    )
    if "market-data" in wanted:
        await _market_data(
            runtime, settings, options, markets, public, strategies, bound_now, progress_of
        )
    if "indicator" in wanted:
        runtime.indicators = IndicatorWorker(
            bus=bus,
            store=SqlCandleStore(database),
            strategies=strategies,
            dependencies=_sentiment(settings, options, strategies),
            # every indicator worker applies each change to its pairs (its own group on
            # ``commands``), the first to apply it announces it
            on_applied=lambda change, candle_ms: portfolio.settings_applied(
                change, candle_ms=candle_ms, worker=options.consumer
            ),
            applied_already=lambda change: portfolio.applied_already(
                change, worker=options.consumer
            ),
        )
    if "decision" in wanted:
        engines = {
            bot: DecisionEngine(strategy=s, pair=series.pair, target_bot=bot)
            for bot, s in strategies.items()
        }
        runtime.decisions = DecisionWorker(bus=bus, engines=engines)
    if "order" in wanted:
        runtime.trading = await _trading(
            settings, options, markets, database, bus, clock, progresses, progress_of,
            portfolio, public, stack, telemetry,
        )  # fmt: skip
        runtime.heartbeat = Heartbeat(
            database,
            mode="live" if options.live else "paper",
            market=describe_market(markets),
            markets=_listed(markets),
        )
    if "portfolio" in wanted:
        runtime.control = ControlWorker(bus=bus, portfolio=portfolio)
    if "notifier" in wanted:
        runtime.notifier = await _notifier(settings, market, database, stack, telemetry)
    return runtime


async def _take_writer_lease(runtime: Runtime, stack: AsyncExitStack) -> None:
    """Hold the writer lease before anything a writer owns is loaded (paper account, positions).

    A copy that waited then loads them as the copy before it left them, not as they were when it
    started: a standby that loaded the paper account first failed its reconciliation at takeover.
    """
    if runtime.writer_lease is not None:
        await runtime.writer_lease.acquire()
        stack.push_async_callback(runtime.writer_lease.release)  # if the rest fails to build


def _writer_lease(database: Database, wanted: set[str], consumer: str) -> WriterLease | None:
    """One copy of the order and portfolio engines on a database: a second waits for the lease."""
    writers = tuple(name for name in ("order", "portfolio") if name in wanted)
    return WriterLease(database, writers, owner=consumer) if writers else None


def _progress_of(venue_name: str, series: Series, pair: Pair) -> Progress:
    """A pair's checkpoint (every pair of a run: its exchange and timeframe)."""
    key = series_key(venue_name, series.source, pair, series.timeframe)
    return Progress(key=key, timeframe=series.timeframe)


async def _notifier(
    settings: Settings,
    market: Market,
    database: Database,
    stack: AsyncExitStack,
    telemetry: Telemetry,
) -> Notifier | None:
    """The notifier, on the wall clock; none for a replay (its alerts are history, not news)."""
    if market.replay:
        return None
    keys = settings.security.encryption_keys
    client = httpx.AsyncClient(timeout=settings.notify.timeout_s)
    stack.push_async_callback(client.aclose)
    clock = LiveClock()
    dispatcher = open_dispatcher(
        database=database,
        clock=clock,
        config=settings.notify,
        ring=KeyRing(keys) if keys else None,
        client=client,
        telemetry=telemetry,
    )
    return Notifier(database=database, clock=clock, dispatcher=dispatcher, config=settings.notify)


# --- the market ---------------------------------------------------------------------------------


async def _market_data(  # noqa: PLR0917 - the composition root hands each piece over
    runtime: Runtime,
    settings: Settings,
    options: RunOptions,
    markets: list[Market],
    public: BaseExchange | None,
    strategies: dict[BotKind, BaseStrategy[Any]],
    bound_now: bool,
    progress_of: Callable[[Pair], Progress],
) -> None:
    """The publishers and the feed, once every series covers the strategies' warm-up.

    Live (one pair or several) without ``--pair``, pairs join and leave while running as
    ``/config/pairs`` changes (``LivePairs``), on the same stream.
    """
    needed = warmup_needed(strategies)
    try:
        for market in markets:
            check_warmup(market, needed, settings.runtime.history_candles)
    except UserInputError:
        if bound_now:  # nothing was recorded under this market: leave the database free
            await release_source(runtime.database)
        raise
    if markets[0].candles is None:
        lane = _live_lane(settings, runtime, public, markets[0].series, needed)
        lanes = [lane(m.series.pair) for m in markets]
        runtime.publisher = lanes[0][0]
        runtime.feed = PairsLiveFeed(lanes=lanes, wait_s=settings.runtime.pair_wait_s)
        if _follows(options):
            runtime.pairs = _live_pairs(runtime, settings, markets[0], lane, progress_of)
        return
    publishers = [
        Publisher(
            bus=runtime.bus,
            store=SqlCandleStore(runtime.database),
            clock=runtime.clock,
            series=m.series,
            telemetry=runtime.telemetry,
        )
        for m in markets
    ]
    runtime.publisher = publishers[0]
    if len(markets) > 1:
        runtime.feed = BatchReplayFeed(
            lanes=[(p, m.candles) for p, m in zip(publishers, markets, strict=True) if m.candles],
            speed=options.speed,
        )
    elif markets[0].candles is not None:
        runtime.feed = ReplayFeed(candles=markets[0].candles, speed=options.speed)


def _live_lane(
    settings: Settings,
    runtime: Runtime,
    public: BaseExchange | None,
    series: Series,
    needed: int,
) -> LaneFactory:
    """What builds a live pair's publisher and feed, streamed where ccxt streams the venue.

    Every pair's feed shares one WebSocket client (one connection carries them all); polled
    where ccxt streams no candles for the venue.
    """
    assert public is not None
    stream = _stream(settings, runtime.resources) if settings.runtime.stream_candles else None

    def lane(pair: Pair) -> tuple[Publisher, LiveFeed]:
        publisher = Publisher(
            bus=runtime.bus,
            store=SqlCandleStore(runtime.database),
            clock=runtime.clock,
            series=Series(series.source, pair, series.timeframe),
            telemetry=runtime.telemetry,
        )
        feed = LiveFeed(
            venue=public,
            clock=runtime.clock,
            poll_interval_s=settings.runtime.poll_interval_s,
            history=settings.runtime.history_candles,
            min_history=needed,
        )
        return publisher, feed if stream is None else _on_stream(settings, feed, stream)

    return lane


def _follows(options: RunOptions) -> bool:
    """A live run without ``--pair`` follows ``/config/pairs`` while it runs."""
    return not options.pairs and not options.pair


def _live_pairs(
    runtime: Runtime,
    settings: Settings,
    market: Market,
    lane: LaneFactory,
    progress_of: Callable[[Pair], Progress],
) -> LivePairs:
    assert isinstance(runtime.feed, PairsLiveFeed)
    return LivePairs(
        feed=runtime.feed,
        database=runtime.database,
        bus=runtime.bus,
        clock=runtime.clock,
        exchange=market.series.source,
        quote=market.series.pair.quote,
        timeframe=market.series.timeframe,
        lane=lane,
        progress=runtime.pair_progress,
        new_progress=progress_of,
        origin=runtime.history_origin,
        poll_s=settings.runtime.poll_interval_s,
        stop=runtime.stop,
        on_fed=partial(_fed, runtime),
    )


async def _fed(runtime: Runtime, fed: list[Series]) -> None:
    """A live pair joined or left: the heartbeat names the markets traded now."""
    if runtime.heartbeat is not None:
        markets = [Market(series, None) for series in fed]
        await runtime.heartbeat.trades(market=describe_market(markets), markets=_listed(markets))


def _listed(markets: list[Market]) -> tuple[tuple[str, str, str], ...]:
    """The heartbeat's markets: each series' exchange, symbol and timeframe."""
    return tuple((m.series.source, m.series.pair.symbol, m.series.timeframe.value) for m in markets)


def _stream(settings: Settings, stack: AsyncExitStack) -> CandleStream | None:
    """The exchange's candle stream (ccxt pro), or None where ccxt streams none (polled)."""
    from cryptotrader.exchanges.ccxt.stream import (  # noqa: PLC0415 - ccxt is slow
        CcxtCandleStream,
        stream_offered,
    )

    exchange = settings.exchange
    if not stream_offered(exchange.name):
        log.info("%s streams no candles through ccxt: polling every %s s", exchange.name,
                 settings.runtime.poll_interval_s)  # fmt: skip
        return None
    stream = CcxtCandleStream(
        exchange.name,
        base_url=exchange.base_url,
        stream_url=exchange.stream_url,
        timeout_s=exchange.timeout_s,
    )
    stack.push_async_callback(stream.close)
    return stream


def _on_stream(settings: Settings, polled: LiveFeed, stream: CandleStream) -> StreamFeed:
    """``polled``'s pair over ``stream`` (several pairs share one stream: one ccxt client)."""
    return StreamFeed(
        venue=polled.venue,
        stream=stream,
        clock=polled.clock,
        poll_interval_s=polled.poll_interval_s,
        history=polled.history,
        min_history=polled.min_history,
        stall_s=settings.runtime.stream_stall_s,
    )


async def _public_venue(
    settings: Settings, market: Market, stack: AsyncExitStack, wanted: set[str]
) -> BaseExchange | None:
    """The exchange's public API, for live candles (never with keys)."""
    if market.replay or not wanted & {"market-data", "order"}:
        return None
    from cryptotrader.exchanges.ccxt.venues import create_venue  # noqa: PLC0415 - ccxt is slow

    venue = create_venue(
        settings.exchange.name,
        credentials=None,
        clock=LiveClock(),
        retry=RetryPolicy(),
        base_url=settings.exchange.base_url,
        timeout_s=settings.exchange.timeout_s,
    )
    stack.push_async_callback(venue.close)
    return venue


# --- trading -------------------------------------------------------------------------------------


def _portfolio(settings: Settings, database: Database, clock: Clock) -> PortfolioManager:
    reducer = RiskReducer(RiskReducerConfig(on_deep_streak=settings.runtime.on_deep_streak))
    return PortfolioManager(
        database=database, clock=clock, trading=settings.trading, reducer=reducer
    )


async def _trading(  # noqa: PLR0917 - the composition root hands each piece over
    settings: Settings,
    options: RunOptions,
    markets: list[Market],
    database: Database,
    bus: MessageBus,
    clock: Clock,
    progresses: list[Progress],
    progress_of: Callable[[Pair], Progress],
    portfolio: PortfolioManager,
    public: BaseExchange | None,
    stack: AsyncExitStack,
    telemetry: Telemetry,
) -> TradingWorker:
    """One order engine per pair: one exchange (one paper account), one risk book across them.

    Live, a pair fed while running gets its order engine on the same book when its first
    decisions come (``TradingWorker.new_lane``).
    """
    runtime = settings.runtime
    market = markets[0]
    pair = market.series.pair
    exchange: BaseExchange
    feed: PaperExchange | None = None
    live_switch: LiveSwitch = no_live_switch
    if options.live:
        exchange = await _live_venue(settings, database, stack)
        if not exchange.capabilities.native_stop_loss:
            raise ConfigurationError(
                f"{exchange.name} holds no stop orders; watching stop-losses in the engine is not "
                "implemented, so it cannot be traded live (every position would be closed at once)"
            )
        live_switch = _switch_reader(database)
    else:
        capital = settings.trading.safe.capital + settings.trading.aggressive.capital
        feed = exchange = PaperExchange(
            database=database,
            clock=clock,
            fee=runtime.fee,
            slippage=runtime.slippage,
            rules=MarketRules(),
            initial_balances={pair.quote: capital},
            market_data=public,
        )
        await feed.start()
    engines: list[OrderEngine] = []
    risk = RiskManager(limits=RiskLimits.from_settings(runtime, live_allowed=options.live))

    def book() -> tuple[OpenPosition, ...]:
        return tuple(p for engine in engines for p in engine.state.book())

    def engine(pair: Pair, progress: Progress) -> OrderEngine:
        deps = OrderEngineDeps(
            database=database,
            exchange=exchange,
            portfolio=portfolio,
            risk=risk,
            bus=bus,
            clock=clock,
            progress=progress,
            pair=pair,
            venue=exchange.name if options.live else "paper",
            fee_rate=runtime.fee,
            live=options.live,
            live_switch=live_switch,
            failures_to_pause=runtime.order_failures_to_pause,
            telemetry=telemetry,
            book=book,
        )
        built = OrderEngine(deps=deps)
        engines.append(built)
        return built

    async def new_lane(pair: Pair) -> tuple[OrderEngine, Reconciler]:
        built = engine(pair, progress_of(pair))
        return built, Reconciler(engine=built)

    for one, progress in zip(markets, progresses, strict=True):
        engine(one.series.pair, progress)
    return TradingWorker(
        lanes=[(engine, Reconciler(engine=engine)) for engine in engines],
        feed=feed,
        clock=clock,
        max_decision_age_ms=None if market.replay else market.series.timeframe.milliseconds,
        entries_allowed=_active_pairs(database, markets),
        bot_pairs=await _bot_pairs(database, runtime.bot_pairs),
        default_pairs=runtime.bot_pairs,
        on_pairs_applied=lambda change, candle_ms, chosen, untraded: portfolio.pairs_applied(
            change, candle_ms=candle_ms, pairs=chosen, untraded=untraded
        ),
        pairs_applied_already=portfolio.applied_already,
        on_entries_changed=lambda opened, closed, untraded, candle_ms: portfolio.entries_changed(
            opened=opened,
            closed=closed,
            untraded=untraded,
            traded=tuple(m.series.pair.symbol for m in markets),
            replay=market.replay,
            candle_ms=candle_ms,
            follows=not market.replay and _follows(options),
        ),
        new_lane=None if market.replay else new_lane,
    )


async def _bot_pairs(
    database: Database, default: dict[BotKind, tuple[str, ...]]
) -> dict[BotKind, tuple[str, ...]]:
    """Each bot's pairs at start: chosen through the API or the CLI, else ``runtime.bot_pairs``."""
    chosen = dict(default)
    async with UnitOfWork(database) as uow:
        for bot in BotKind:
            key = pairs_key(bot)
            stored = stored_pairs(await stored_settings.get_setting(session=uow.session, key=key))
            if stored is not None:
                chosen[bot] = stored
    return chosen


def _active_pairs(database: Database, markets: list[Market]) -> Callable[[], Awaitable[set[str]]]:
    """The active pairs of the markets' exchanges, read at each run of candles.

    A traded pair is active unless deactivated through ``/config/pairs``: deactivated while
    running, it opens nothing new from its next candle on, its open position keeping its
    protection and its exits until it closes. Active pairs this runtime has no candles for are
    listed too (the trading worker names them: a replay trades only the pairs of its files).
    """
    sources = {m.series.source for m in markets}

    async def read() -> set[str]:
        async with UnitOfWork(database) as uow:
            inactive = await pairs.inactive_pairs(session=uow.session)
            listed = {
                symbol
                for source in sources
                for symbol in await pairs.active_pairs(session=uow.session, exchange=source)
            }
        traded = {
            m.series.pair.symbol
            for m in markets
            if (m.series.source, m.series.pair.symbol) not in inactive
        }
        return traded | listed

    return read


async def _live_venue(
    settings: Settings, database: Database, stack: AsyncExitStack
) -> BaseExchange:
    from cryptotrader.exchanges.ccxt.venues import create_venue  # noqa: PLC0415 - ccxt is slow
    from cryptotrader.exchanges.stored_keys import load_credentials  # noqa: PLC0415

    venue = create_venue(
        settings.exchange.name,
        credentials=await load_credentials(database, settings),
        clock=LiveClock(),
        retry=RetryPolicy(),
        base_url=settings.exchange.base_url,
        timeout_s=settings.exchange.timeout_s,
    )
    stack.push_async_callback(venue.close)
    return venue


def _switch_reader(database: Database) -> LiveSwitch:
    async def read(facts: EntryFacts) -> None:
        async with UnitOfWork(database) as uow:
            switch = await live_switch.read_switch(session=uow.session)
        if not switch.enabled:
            raise RiskRefused("the live-trading switch is off (an admin turns it on in the API)")

    return read


# --- strategies and their inputs -----------------------------------------------------------------


async def _strategies(
    database: Database, portfolio: PortfolioManager
) -> dict[BotKind, BaseStrategy[Any]]:
    """Each bot's strategy, from its stored configuration (defaults: conservative, aggressive)."""
    chosen: dict[BotKind, BaseStrategy[Any]] = {}
    async with UnitOfWork(database) as uow:
        for bot in BotKind:
            terms = await portfolio.terms(bot, session=uow.session)
            chosen[bot] = create_strategy(terms.strategy, terms.params)
    return chosen


def _sentiment(
    settings: Settings, options: RunOptions, strategies: dict[BotKind, BaseStrategy[Any]]
) -> dict[str, Any]:
    """The Fear & Greed history when a strategy reads it (as ``backtest`` loads it)."""
    if not any(spec.name == "fear_greed" for s in strategies.values() for spec in s.indicators):
        return {}
    if options.fear_greed is not None:
        return {"fear_greed": load_fear_greed_csv(options.fear_greed)}
    return dict(load_sentiment(settings, None, names=["fear_greed"]))
