"""A candle time's entries on every pair as one batch: decided in order, written once, sent.

One entry at a time (``Entries.open_position``) costs about six transactions, and the last pair of
a 50-pair candle time waited for every earlier pair's (docs/BENCHMARKS.md, issue 15). Here:

1. every entry is decided in the runtime's deterministic order (pairs sorted, the aggressive bot
   before the safe one), each sized and checked against the book **as it grows with the earlier
   entries of the batch**: an earlier entry counts as its fill will, quantity x the ticker's ask,
   which on the paper exchange is exactly the fill price (``exact(price x (1 + slippage))``, the
   ``Position.entry_price`` the one-at-a-time path books), so a replay decides as the backtest;
2. every order of the batch is written in one transaction, **before any is sent**;
3. they are sent together; the paper account is saved once for all of them, in the transaction
   that records its answers (``PaperExchange.unsaved`` and ``save_in``: both or neither);
4. the fills are recorded in one transaction with the protection legs of the positions they
   open (stored pending, before they are sent); the legs are placed together, and their
   acknowledgements recorded in one. On the paper exchange the legs are placed, and their
   acknowledgements recorded, in the fills' transaction itself (``_place_within``): its account
   is saved only there, so it holds the legs exactly when our records do.

A kill anywhere leaves what a kill inside one-at-a-time entries leaves: orders pending (looked up
at restart, sent again only if the exchange never received them), or positions not yet protected
(protected at restart before any new order). Entries that may already be stored (a restart inside
this candle time) and native brackets go one at a time, as before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.domain.enums import BotKind, ExitReason, OrderStatus
from cryptotrader.domain.orders import Order
from cryptotrader.domain.reports import OrderReport
from cryptotrader.domain.signals import TradingSignal
from cryptotrader.engines import client_ids
from cryptotrader.engines.order import OrderEngine
from cryptotrader.engines.order_entry import Decided, EntryReads
from cryptotrader.engines.order_events import counted_after
from cryptotrader.engines.portfolio import BotTerms
from cryptotrader.engines.positions import Position
from cryptotrader.errors import OperationalError, TraderError
from cryptotrader.exchanges.paper import PaperExchange
from cryptotrader.persistence import deferred
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.risk.limits import OpenPosition

log = logging.getLogger(__name__)
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Wanted:
    """An entry a decision asks for: the pair's engine, the signal, the candle's open time."""

    engine: OrderEngine
    signal: TradingSignal
    step_ms: int


@dataclass(slots=True)
class _Sent:
    engine: OrderEngine
    order: Order
    terms: BotTerms | None = None
    """The bot's terms the entry was decided on (its fill's levels use them: no read)."""
    report: OrderReport | None = None
    intent: dict[str, Any] | None = None
    """The decision behind the entry when this transaction wrote it unstored (``_fill_within``)."""


@dataclass(slots=True)
class _Guard:
    engine: OrderEngine
    position: Position
    base: str
    stop: Decimal
    take: Decimal
    reports: list[OrderReport] | None = None
    failed: bool = False
    """Raised rather than refused: left unprotected for the step's ``ensure_protection``."""
    legs: dict[str, Order] = field(default_factory=dict)
    """The legs this batch wrote (pending), by client id."""
    tried: bool = False
    """Placed (or tried) in the transaction that wrote the legs (``_place_within``)."""


@asynccontextmanager
async def _nothing_held() -> AsyncIterator[None]:
    yield


class _Account:
    """The paper account's saves in a batch (nothing to do on another venue).

    Its changes wait while the batch's orders are sent (``held``), and are saved in the
    transaction that records the answers (``save_in``): the account and our record of what it
    answered are committed together or not at all (a crash before leaves orders pending that the
    exchange never received: looked up at restart and sent again). ``flush`` when no transaction
    follows.
    """

    def __init__(self, engine: OrderEngine) -> None:
        exchange = engine.deps.exchange
        self._paper = exchange if isinstance(exchange, PaperExchange) else None

    def held(self) -> AbstractAsyncContextManager[None]:
        return _nothing_held() if self._paper is None else self._paper.unsaved()

    async def save_in(self, session: AsyncSession) -> None:
        if self._paper is not None:
            await self._paper.save_in(session)

    async def flush(self) -> None:
        if self._paper is not None:
            await self._paper.flush()

    def places_within(self) -> bool:
        """True when orders may be sent inside the transaction that writes them (``_place_within``).

        The paper exchange, whose account lasts only as ``save_in`` commits it (it receives an
        order, as far as a crash is concerned, when its account is saved), and only while
        nobody holds its lock: a placement inside a transaction must never wait for it (the
        holder may be waiting for this transaction's writer lock to save).
        """
        return self._paper is not None and not self._paper.locked

    async def discard(self, *, markets_kept: bool = False) -> None:
        """Forget the venue's unsaved changes (the paper account as last saved)."""
        if self._paper is not None:
            await self._paper.discard(markets_kept=markets_kept)

    def fills_within(self) -> bool:
        """True when entries may be sent, and their fills recorded, as they are written.

        In the transaction that writes them (``_fill_within``): ``places_within``, and nothing
        unsaved in the account (forgetting its changes on a failure forgets only the batch's).
        """
        return self.places_within() and self._paper is not None and not self._paper.book.dirty

    def changed(self) -> bool:
        """True when the paper account has changes not saved."""
        return self._paper is not None and self._paper.book.dirty

    def hold(self) -> None:
        """Saves wait (``PaperExchange.hold``) until ``release``."""
        if self._paper is not None:
            self._paper.hold()

    def release(self) -> None:
        if self._paper is not None:
            self._paper.release()


async def open_positions(wanted: list[Wanted]) -> None:
    """Enter every ``wanted`` (in its order) that its bot may: see the module docstring.

    Errors of one entry (``TraderError``) are logged, as the trading step logs them, and the
    others go on. The events are counted (telemetry) once the batch is done (``counted_after``).
    """
    with counted_after():
        await _open_positions(wanted)


async def _open_positions(wanted: list[Wanted]) -> None:
    batch = [w for w in wanted if _enters(w)]
    if not batch:
        return
    if any(_one_at_a_time(w) for w in batch):
        for w in batch:
            await _alone(w)
        return
    sent, filled = await _decide_and_write(batch)
    if filled is None:
        await _send_entries(sent)
        return
    guards, opened = filled
    await _protect(guards, opened, _Account(batch[0].engine))


async def _send_entries(sent: list[_Sent]) -> None:
    """Send the written entries together, record their fills, place their protections."""
    if not sent:
        return
    account = _Account(sent[0].engine)
    async with account.held():
        outcomes = await _outcomes([s.engine.sender.send(s.order) for s in sent])
    try:
        for s, outcome in zip(sent, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                _log_or_raise(s.engine, s.order.client_order_id, outcome)
            else:
                s.report = outcome
        guards, opened = await _record_fills([s for s in sent if s.report is not None], account)
    finally:
        await account.flush()  # saved by _record_fills' transaction unless it did not commit
    await _protect(guards, opened, account)


def _enters(w: Wanted) -> bool:
    state = w.engine.state
    return w.signal.target_bot not in state.positions and state.trading_allowed


def _one_at_a_time(w: Wanted) -> bool:
    """A restart inside this candle time (the entry may be stored), or a native bracket."""
    return (
        w.step_ms <= w.engine.state.checked_through_ms
        or w.engine.deps.exchange.capabilities.native_bracket
    )


async def _alone(w: Wanted) -> None:
    try:
        await w.engine.open_position(w.signal, step_ms=w.step_ms)
    except TraderError as exc:
        _log_or_raise(w.engine, str(w.signal.target_bot), exc)


async def _commit(uow: UnitOfWork) -> None:
    """Run the transaction's queued writes (one statement per kind: ``deferred``), commit it."""
    await deferred.flush(uow.session)
    await uow.commit()


async def _outcomes(calls: list[Coroutine[Any, Any, _T]]) -> list[_T | BaseException]:
    """``asyncio.gather(*calls, return_exceptions=True)``; a single call awaited as it is.

    One call (a replay's usual single entry or exit) needs no task and no turns of the event
    loop (a gather's task, its done callback and the caller's wake-up: ~3 loop turns per call).
    Its ``Exception`` is returned as gather would; a cancellation still cancels.
    """
    if len(calls) == 1:
        try:
            return [await calls[0]]
        except Exception as exc:  # noqa: BLE001 - returned as gather returns it
            return [exc]
    return list(await asyncio.gather(*calls, return_exceptions=True))


def _log_or_raise(engine: OrderEngine, what: str, exc: BaseException) -> None:
    if not isinstance(exc, TraderError):
        raise exc
    log.error("entry %s %s: %s", engine.deps.pair.symbol, what, exc)


_Filled = tuple[list[_Guard], list[tuple[OrderEngine, Position]]]
"""What ``_record_fills`` returns: the protections stored, the other positions to protect."""


async def _decide_and_write(batch: list[Wanted]) -> tuple[list[_Sent], _Filled | None]:
    """Decide each entry on the book grown by the earlier ones; write them in one transaction.

    Returns the entries written, to send; or, when they were sent and their fills recorded in
    that transaction (``_fill_within``, the paper exchange), what ``_record_fills`` returns.
    """
    first = batch[0].engine.deps
    for w in batch:
        await w.engine.store.row_ids()  # looked up once per engine, outside the transaction
    account = _Account(batch[0].engine)
    within = account.fills_within()
    filled: list[_Sent] | None = None
    recorded: list[tuple[_Sent, Position | None, _Guard | None]] = []
    guards: list[_Guard] = []
    if within:
        account.hold()  # nothing sent inside is saved but by save_in in this transaction
    try:
        async with UnitOfWork(first.database) as uow, deferred.defer(uow.session):
            decided, reads, written = await _decide_in(uow.session, batch, intents=not within)
            if written and within:
                filled = await _fill_within(uow.session, decided, reads, account, recorded, guards)
            if written:
                await _commit(uow)
        if within and filled is None and account.changed():  # to send as usual: forget any sent
            await account.discard(markets_kept=True)  # the account was clean before (trading on)
    except BaseException:
        if within and account.changed():  # orders the venue holds must not outlive this
            await account.discard(markets_kept=True)  # transaction (_fill_within); clean before
        raise
    finally:
        if within:
            account.release()
    if filled is None:
        return await _announced(decided, reads), None
    return filled, (guards, _fills_recorded(recorded))


async def _fill_within(  # noqa: PLR0917 - the transaction's parts
    session: AsyncSession,
    decided: list[tuple[OrderEngine, Decided]],
    reads: EntryReads,
    account: _Account,
    recorded: list[tuple[_Sent, Position | None, _Guard | None]],
    guards: list[_Guard],
) -> list[_Sent] | None:
    """Send the entries ``session`` wrote, and record their fills (``_record_fills``) in it.

    On the paper exchange only (``_Account.fills_within``), with the account held by the
    caller. The crash-safety argument is ``_place_within``'s: the paper exchange holds an order,
    for a restart, once its account is saved, and it is saved only by ``save_in`` in this very
    transaction, which also writes the entries. After a crash the exchange holds the entries
    exactly when our records do; if the transaction fails, the caller forgets the account's
    unsaved changes (``_Account.discard``, what a crash leaves).

    The decisions are not stored (``Entries.write(intent=False)``): the stored decision is read
    only when an entry's first fill opens its trade (``OrderStore.take_intent``), and here that
    fill is recorded, from the decision in memory, in the transaction that writes the entry:
    no restart can find the entry without its trade. Each is stored as before when this
    returns None: a refusal in the batch (said after the commit, between the entries and their
    fills, as before), the paper account's lock taken meanwhile, or an entry not filled at once
    or not sent (refused, failed: nothing recorded, nothing counted; the caller forgets the
    account's changes and the entries are sent again as usual, once committed, which records
    and counts what happens).
    The events are those of a fill recorded apart, in the same order, in one outbox row.
    """
    sent = [
        _Sent(engine, one.order, reads.known_terms(one.bot), intent=one.intent)
        for engine, one in decided
        if one.order is not None
    ]
    if account.places_within() and all(one.refused is None for _, one in decided):
        for s in sent:  # the paper account's lock is free (checked just now), never awaited
            s.report = await s.engine.sender.send_within(s.order)
            if s.report is None or s.report.status is not OrderStatus.FILLED:
                break
        else:
            await _fills_in(session, sent, account, recorded, guards, [])
            return sent
    for s in sent:
        assert s.intent is not None
        await s.engine.store.remember_intent(s.order, s.intent, session=session)
    return None


async def _decide_in(
    session: AsyncSession, batch: list[Wanted], *, intents: bool = True
) -> tuple[list[tuple[OrderEngine, Decided]], EntryReads, bool]:
    """Decide and write ``batch`` in ``session`` (the engines' row ids known); True if written.

    ``intents``: False to leave the decisions unstored (``_fill_within``).
    """
    decided: list[tuple[OrderEngine, Decided]] = []
    grown: list[OpenPosition] = []
    books: dict[int, tuple[OpenPosition, ...]] = {}
    """The open positions as the batch starts, by book (one for every pair of a runtime): no
    entry of the batch changes them, so each is read once, not once per entry."""
    reads = EntryReads(batch[0].engine.deps.portfolio)
    for w in batch:
        engine = w.engine
        coid = client_ids.decision_id(
            w.signal.target_bot, engine.deps.pair.symbol, w.step_ms, client_ids.ENTRY
        )
        source = engine.entries.book_source
        book = books.get(id(source))
        if book is None:
            book = books[id(source)] = source()
        try:
            one = await engine.entries.decide(
                session, w.signal, coid, reads=reads, book=(*book, *grown)
            )
        except TraderError as exc:  # e.g. no price yet: this entry only
            _log_or_raise(engine, coid, exc)
            continue
        decided.append((engine, one))
        if one.order is None:
            continue
        await engine.entries.write(session, one, await engine.store.row_ids(), intent=intents)
        grown.append(OpenPosition(one.bot, engine.deps.pair.symbol, one.order.quantity * one.price))
    return decided, reads, bool(grown)


async def _announced(decided: list[tuple[OrderEngine, Decided]], reads: EntryReads) -> list[_Sent]:
    """Once the entries' transaction is over: refusals said; the entries written, to send."""
    for engine, one in decided:
        await engine.entries.announce(one)
    return [
        _Sent(engine, one.order, reads.known_terms(one.bot))
        for engine, one in decided
        if one.order is not None
    ]


async def _record_fills(
    sent: list[_Sent], account: _Account
) -> tuple[list[_Guard], list[tuple[OrderEngine, Position]]]:
    """Record the entries' reports and the protections of the positions they open, at once.

    One transaction; the legs are written pending, before they are sent, as always. On the
    paper exchange they are also placed, and its answers recorded, in this transaction
    (``_place_within``: one commit, not two). Returns the protections stored (those not
    placed yet are to place) and the other positions that need protecting (none in a replay:
    a batch only opens positions; kept for a fill that grows one).
    """
    if not sent:
        return [], []
    recorded: list[tuple[_Sent, Position | None, _Guard | None]] = []
    guards: list[_Guard] = []
    placing: list[bool] = []
    try:
        async with UnitOfWork(sent[0].engine.deps.database) as uow, deferred.defer(uow.session):
            await _fills_in(uow.session, sent, account, recorded, guards, placing)
            await _commit(uow)
    except BaseException:
        if placing:  # legs the venue holds must not outlive this transaction: see _place_within
            await account.discard()
        raise
    return guards, _fills_recorded(recorded)


async def _fills_in(  # noqa: PLR0917 - the transaction's parts
    session: AsyncSession,
    sent: list[_Sent],
    account: _Account,
    recorded: list[tuple[_Sent, Position | None, _Guard | None]],
    guards: list[_Guard],
    placing: list[bool],
) -> None:
    """``_record_fills``' transaction up to its commit.

    The fills recorded (into ``recorded``), the legs stored (into ``guards``; on the paper
    exchange placed too, ``placing`` then non-empty), the account saved.
    """
    for s in sent:
        position, guard = await _record_fill(session, s)
        if guard is not None:
            guards.append(guard)
        recorded.append((s, position, guard))
    if guards and account.places_within():
        placing.append(True)
        await _place_within(session, guards, account)
    await account.save_in(session)  # after the legs: the account holding them


def _fills_recorded(
    recorded: list[tuple[_Sent, Position | None, _Guard | None]],
) -> list[tuple[OrderEngine, Position]]:
    """After ``_record_fills`` committed: the positions held; those that still need a protection.

    A position whose legs were placed with its fill (``_place_within``) is protected now.
    """
    opened = []
    for s, position, guard in recorded:
        s.engine.recorder.entry_recorded(s.order, position)
        if guard is not None:
            if guard.tried and guard.reports is not None:
                guard.position.protection = guard.base
                guard.position.protected = guard.position.quantity
            continue
        held = s.engine.state.positions.get(s.order.bot)
        if held is not None and held.unprotected:
            opened.append((s.engine, held))
    return opened


async def _record_fill(session: AsyncSession, s: _Sent) -> tuple[Position | None, _Guard | None]:
    """Record one entry's report; the legs (pending) of the position it opens, if it does."""
    assert s.report is not None
    engine = s.engine
    position = await engine.recorder.record_entry_in(
        session,
        s.order,
        s.report,
        terms=s.terms,
        written=None if s.intent is None else s.order,  # written by this transaction
        intent=s.intent,
    )
    if not _opened(engine, position):
        return position, None
    assert position is not None
    assert position.stop is not None
    assert position.take is not None
    base = client_ids.protection_id(position.entry_id, 1)
    guard = _Guard(engine, position, base, position.stop, position.take)
    ids = await engine.store.row_ids()
    legs = await engine.protection.store_legs_in(
        session, position, base, guard.stop, guard.take, ids
    )
    guard.legs = {leg.client_order_id: leg for leg in legs}
    return position, guard


async def _place_within(session: AsyncSession, guards: list[_Guard], account: _Account) -> None:
    """Place the legs written in ``session``'s transaction, and record the answers in it.

    On the paper exchange only (``_Account.places_within``). The crash-safety argument: the
    paper exchange holds an order, for a restart, once its account is saved; inside ``held``
    nothing is saved until ``save_in`` in this very transaction, which also writes the legs
    (pending, then open). So after a crash the exchange holds the legs exactly when our records
    do (both or neither, as for the entries' fills in the same transaction): it never holds an
    order the database did not write (``test_crash_safety``'s check). If the transaction fails,
    the caller discards the account's unsaved changes (``_Account.discard``: the account as
    last saved, what a crash leaves); saving them later would keep legs we never wrote. The
    events are those of a placement recorded apart (the legs pending, then open), in the same
    order, in one outbox row.

    The paper exchange fills nothing when a protection is placed (a candle or a price does):
    its answers only open the legs, so nothing closes a position that is not held yet.
    """
    outcomes: list[list[OrderReport] | BaseException | None] = []
    async with account.held():
        for g in guards:  # one after the other: the paper account's lock is free, never awaited
            try:
                outcomes.append(await g.engine.protection.place(g.position, g.base, g.stop, g.take))
            except Exception as exc:  # noqa: BLE001 - as _outcomes returns it
                outcomes.append(exc)
    for g, outcome in zip(guards, outcomes, strict=True):
        g.tried = True
        if isinstance(outcome, BaseException):
            _log_or_raise(g.engine, g.base, outcome)
            g.failed = True
            continue
        g.reports = outcome
        if outcome is None:
            continue  # refused: closed at market once this transaction is committed
        if any(r.status is not OrderStatus.OPEN or r.filled for r in outcome):
            raise OperationalError(f"protection {g.base} filled as it was placed")
        g.position.version += 1
        recorder = g.engine.recorder
        await recorder.apply_in(session, recorder.parsed(outcome), None, written=g.legs)


def _opened(engine: OrderEngine, position: Position | None) -> bool:
    """True for a position this fill opens (not held yet): its levels come with it."""
    return (
        position is not None
        and engine.state.positions.get(position.bot) is None
        and position.version == 0
        and position.protection is None
        and position.stop is not None
        and position.take is not None
    )


async def _protect(
    guards: list[_Guard], opened: list[tuple[OrderEngine, Position]], account: _Account
) -> None:
    """Place the stored protections (and store any other), record the answers in one.

    Those placed with their legs' write already (``_Guard.tried``) are not placed again; any of
    them refused is closed at market here, as the others.
    """
    others = []
    for engine, position in opened:
        if position.protection is not None:  # a grown position: re-placed one at a time
            await engine.protect(position)
            continue
        base = client_ids.protection_id(position.entry_id, position.version + 1)
        stop, take = await engine.protection.levels(position)
        others.append(_Guard(engine, position, base, stop, take))
    if others:
        await _store_guards(others)
    guards = guards + others
    placing = [g for g in guards if not g.tried]  # the others were with their legs' write
    if placing:
        await _place(placing, account)
    for g in guards:
        unplaced = g.reports is None and not g.failed
        if unplaced and g.engine.state.positions.get(g.position.bot) is g.position:
            await g.engine.protection.close_unprotected(
                g.position, "its stop-loss could not be placed"
            )


async def _place(guards: list[_Guard], account: _Account) -> None:
    """Place the stored protections together; record the answers in one transaction."""
    async with account.held():
        outcomes = await _outcomes(
            [g.engine.protection.place(g.position, g.base, g.stop, g.take) for g in guards]
        )
    try:
        for g, outcome in zip(guards, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                _log_or_raise(g.engine, g.base, outcome)
                g.failed = True
            else:
                g.reports = outcome
        await _record_guards([g for g in guards if g.reports is not None], account)
    finally:
        await account.flush()  # saved by _record_guards' transaction unless it did not commit


async def _store_guards(guards: list[_Guard]) -> None:
    async with UnitOfWork(guards[0].engine.deps.database) as uow, deferred.defer(uow.session):
        for g in guards:
            ids = await g.engine.store.row_ids()
            await g.engine.protection.store_legs_in(
                uow.session, g.position, g.base, g.stop, g.take, ids
            )
        await _commit(uow)


async def _record_guards(placed: list[_Guard], account: _Account) -> None:
    if not placed:
        return
    applied = []
    async with UnitOfWork(placed[0].engine.deps.database) as uow, deferred.defer(uow.session):
        await account.save_in(uow.session)
        for g in placed:
            assert g.reports is not None
            g.position.version += 1
            g.position.stop, g.position.take = g.stop, g.take
            recorder = g.engine.recorder
            applied.append(
                (g, await recorder.apply_in(uow.session, recorder.parsed(g.reports), None))
            )
        await _commit(uow)
    for g, closed in applied:
        g.engine.recorder.applied(closed)
        g.position.protection, g.position.protected = g.base, g.position.quantity


# --- exits ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exit:
    """A position a decision sells: the pair's engine, the bot, the sale's client id."""

    engine: OrderEngine
    bot: BotKind
    client_order_id: str
    step_ms: int


@dataclass(slots=True)
class _Sale:
    exit: Exit
    position: Position
    legs: list[OrderReport]
    order: Order | None = None
    report: OrderReport | None = None
    raised: bool = False


Then = Callable[[set[str]], list[Wanted]]
"""The entries wanted once the exits are done, given the pairs where an exit failed."""


async def close_positions(exits: list[Exit], then: Then | None = None) -> set[str]:
    """Sell every position of ``exits`` at market, in their order; the pairs where one failed.

    Like ``OrderEngine.close_position`` one at a time, in four moves for the whole batch: every
    protection canceled (the paper account saved once), the cancels recorded and the sales
    written in one transaction, the sales sent together, their fills recorded and settled in one
    transaction, in the batch's order (a reallocation follows the same order as one at a time).
    A restart inside this candle time and venues that cancel and sell in one request
    (``atomic_exit``) go one at a time.

    ``then``: the candle time's entries, entered (``open_positions``) once the exits are done.
    When every sale filled and closed its position and the entries go as a batch, the
    transaction that records the sales also decides and writes the entries (``_sales_then``):
    one commit fewer before the last pair's order, the entries decided on what the sales' own
    commit would have left. The events are counted (telemetry) once both are done.
    """
    with counted_after():
        return await _close_positions(exits, then)


async def _close_positions(exits: list[Exit], then: Then | None) -> set[str]:
    batch = [x for x in exits if x.bot in x.engine.state.positions]
    failed: set[str] = set()
    if not batch or any(_exit_alone(x) for x in batch):
        if batch:
            failed = await _exits_one_at_a_time(batch)
        if then is not None:
            await open_positions(then(failed))
        return failed
    account = _Account(batch[0].engine)
    selling = await _sell(batch, account, failed)
    entered: _Entered | None = None
    try:
        sold = [s for s in selling if s.report is not None]
        if then is not None and sold and len(sold) == len(selling):
            entered = await _sales_then(sold, account, then, failed)
        else:
            await _record_sales(sold, account)
    finally:
        await account.flush()  # saved by the sales' transaction unless it did not commit
    if entered is not None and entered.sent is not None:  # every sale closed its position
        await _send_entries(entered.sent)
        return failed
    for s in selling:
        if not s.raised:  # raised: trading stopped until reconciliation, as one at a time
            await s.exit.engine.reprotect_unsold(s.exit.bot, ExitReason.SIGNAL)
    if then is not None:
        await open_positions(then(failed) if entered is None else entered.wanted)
    return failed


async def _sell(batch: list[Exit], account: _Account, failed: set[str]) -> list[_Sale]:
    """Cancel the protections, write the sales, send them together; the sales sent.

    Their reports are on them (``raised``: the send failed). The paper account's changes since
    the sales' transaction wait for the transaction that records them (or the caller's flush).
    """
    try:
        sales = await _cancel_protections(batch, account, failed)
        selling = await _write_sales(sales, account)
    finally:
        await account.flush()  # saved by _write_sales' transaction unless it did not commit
    async with account.held():
        outcomes = await _outcomes(
            [s.exit.engine.sender.send(s.order) for s in selling if s.order is not None]
        )
    try:
        for s, outcome in zip(selling, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                _log_or_raise(s.exit.engine, s.exit.client_order_id, outcome)
                failed.add(s.exit.engine.deps.pair.symbol)
                s.raised = True
            else:
                s.report = outcome
    except BaseException:
        await account.flush()
        raise
    return selling


@dataclass(slots=True)
class _Entered:
    wanted: list[Wanted]
    """What ``then`` asked (entered apart when ``sent`` is None)."""
    sent: list[_Sent] | None = None
    """The entries decided and written with the sales, to send (None: not done with them)."""


async def _sales_then(
    sold: list[_Sale], account: _Account, then: Then, failed: set[str]
) -> _Entered | None:
    """Record the sales (``_record_sales``), then decide and write the entries in its transaction.

    None when a sale did not close its position (its record committed alone).

    The entries see what they would after the sales' own commit: the positions sold gone from
    the engines (dropped before the commit: a failure there stops the runtime, which reads its
    positions again at restart), the bots' capital settled (the transaction's ``BotLedger``),
    the closed trades' P&L in the daily loss (``PortfolioManager.day_realised``: the day's sum
    grown by this transaction's settlements, or read after its rows are flushed). Nothing the
    entries read comes from the rows the sales wrote, so both are written by one flush (one
    worker call and one outbox row fewer).
    Entries that cannot go as a batch here (one at a time, or an engine's row ids not looked up
    yet, which would write beside this transaction) are left to ``open_positions`` after it.
    """
    first = sold[0].exit.engine
    async with UnitOfWork(first.deps.database) as uow, deferred.defer(uow.session):
        await account.save_in(uow.session)
        applied = []
        for s in sold:
            recorder = s.exit.engine.recorder
            assert s.report is not None
            reports = recorder.parsed([s.report])
            applied.append((s, await recorder.apply_in(uow.session, reports, ExitReason.SIGNAL)))
        if not all(s.exit.bot in closed for s, closed in applied):
            await _commit(uow)
            for s, closed in applied:
                s.exit.engine.recorder.applied(closed)
            return None
        for s, closed in applied:  # as after the commit (see the docstring)
            s.exit.engine.recorder.applied(closed)
        entered = _Entered(then(failed))
        batch = [w for w in entered.wanted if _enters(w)]
        joined = all(w.engine.store.ids_known and not _one_at_a_time(w) for w in batch)
        if not batch or not joined:
            await _commit(uow)
            return entered
        decided, reads, _ = await _decide_in(uow.session, batch)
        await _commit(uow)
    entered.sent = await _announced(decided, reads)
    return entered


async def _exits_one_at_a_time(batch: list[Exit]) -> set[str]:
    failed: set[str] = set()
    for x in batch:
        try:
            await x.engine.close_position(
                x.bot, reason=ExitReason.SIGNAL, client_order_id=x.client_order_id
            )
        except TraderError as exc:
            _log_or_raise(x.engine, x.client_order_id, exc)
            failed.add(x.engine.deps.pair.symbol)
    return failed


async def _cancel_protections(
    batch: list[Exit], account: _Account, failed: set[str]
) -> list[_Sale]:
    """Cancel every position's protection at the exchange (recorded with the sales)."""
    sales: list[_Sale] = []
    async with account.held():
        for x in batch:
            position = x.engine.state.positions[x.bot]
            try:
                legs = await x.engine.protection.cancel_legs(position)
            except TraderError as exc:
                _log_or_raise(x.engine, x.client_order_id, exc)
                failed.add(x.engine.deps.pair.symbol)
                continue
            sales.append(_Sale(x, position, legs))
    return sales


def _exit_alone(x: Exit) -> bool:
    """A restart inside this candle time (the sale may be stored), or an atomic exit."""
    position = x.engine.state.positions[x.bot]
    atomic = x.engine.deps.exchange.capabilities.atomic_exit and position.protection is not None
    return atomic or x.step_ms <= x.engine.state.checked_through_ms


async def _write_sales(sales: list[_Sale], account: _Account) -> list[_Sale]:
    """Record the canceled protections and write the sales, in one transaction; those to send.

    A position whose protection had filled is closed by that fill: nothing to sell.
    """
    if not sales:
        return []
    for s in sales:
        await s.exit.engine.store.row_ids()
    recorded = []
    async with UnitOfWork(sales[0].exit.engine.deps.database) as uow, deferred.defer(uow.session):
        await account.save_in(uow.session)
        for s in sales:
            engine = s.exit.engine
            closed = await engine.recorder.apply_in(
                uow.session, engine.recorder.parsed(s.legs), None
            )
            if s.exit.bot not in closed:
                s.order = engine.sale(s.position, s.exit.client_order_id)
                await engine.store.write_new(
                    uow.session, s.order, await engine.store.row_ids(), trade_id=s.position.trade_id
                )
            recorded.append((s, closed))
        await _commit(uow)
    selling = []
    for s, closed in recorded:
        engine = s.exit.engine
        engine.recorder.applied(closed)
        if engine.protection.canceled(s.position) and s.order is not None:
            selling.append(s)
    return selling


async def _record_sales(sold: list[_Sale], account: _Account) -> None:
    """Record the sales' reports, close and settle their trades, in one transaction, in order."""
    if not sold:
        return
    applied = []
    async with UnitOfWork(sold[0].exit.engine.deps.database) as uow, deferred.defer(uow.session):
        await account.save_in(uow.session)
        for s in sold:
            assert s.report is not None
            recorder = s.exit.engine.recorder
            applied.append(
                (
                    s,
                    await recorder.apply_in(
                        uow.session, recorder.parsed([s.report]), ExitReason.SIGNAL
                    ),
                )
            )
        await _commit(uow)
    for s, closed in applied:
        s.exit.engine.recorder.applied(closed)
