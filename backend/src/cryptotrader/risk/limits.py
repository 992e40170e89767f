"""The risk limits across pairs and bots: one pure rule for the runtime and the backtest.

DESIGN.md "Risk": every entry is checked against the open positions of both bots on every pair
(the *book*): open positions per bot and overall, exposure per entry, per bot and per pair, and
the bot's loss of the current UTC day. The runtime's ``RiskManager`` and the multi-pair portfolio
backtest both call ``entry_refusal`` with the book as they hold it, so that a replay and a
backtest refuse the same entries (docs/runtime.md, "Parity with the backtest").

Money is ``Decimal``: a position's notional is its quantity times its entry price (the fill), and
what it cost the bot is that notional plus the entry fee (``fee_rate``).

* A bot holds at most one position per pair, ``max_positions_per_bot`` in all, and both bots
  ``max_open_positions`` together.
* An entry's cost (notional plus fee) fits in the bot's free capital: its capital less what its
  open positions cost (``free_capital``; for one pair, the whole capital, as before).
* An entry's notional is at most ``max_exposure`` x the bot's capital; the bot's open notional
  with the entry at most ``max_bot_exposure`` x its capital; the pair's open notional (both
  bots) with the entry at most ``max_pair_exposure`` x both bots' capital.
* A bot whose realised loss since 00:00 UTC reached ``daily_loss_limit`` x its capital at the
  start of the day opens nothing more that day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from cryptotrader.config import RuntimeSettings
from cryptotrader.domain.enums import BotKind


@dataclass(frozen=True, slots=True)
class OpenPosition:
    """One open position of the book: whose, on which pair, and its notional at entry."""

    bot: BotKind
    pair: str
    notional: Decimal


@dataclass(frozen=True, slots=True)
class CrossPairLimits:
    """The limits (``runtime`` settings); the ratios are fractions of capital."""

    max_open_positions: int
    max_positions_per_bot: int
    max_exposure: Decimal
    max_bot_exposure: Decimal
    max_pair_exposure: Decimal
    daily_loss_limit: Decimal

    @classmethod
    def from_settings(cls, runtime: RuntimeSettings) -> CrossPairLimits:
        """The limits configured in ``runtime``."""
        return cls(
            max_open_positions=runtime.max_open_positions,
            max_positions_per_bot=runtime.max_positions_per_bot,
            max_exposure=runtime.max_exposure,
            max_bot_exposure=runtime.max_bot_exposure,
            max_pair_exposure=runtime.max_pair_exposure,
            daily_loss_limit=runtime.daily_loss_limit,
        )


@dataclass(frozen=True, slots=True)
class ProposedEntry:
    """An entry about to be sent: the bot, the pair, and its notional (quantity x price)."""

    bot: BotKind
    pair: str
    notional: Decimal


def free_capital(
    book: Iterable[OpenPosition], *, bot: BotKind, capital: Decimal, fee_rate: Decimal
) -> Decimal:
    """The bot's capital less what its open positions cost (notional plus entry fee).

    Sizing caps an entry by it ("capped by available capital", DESIGN.md); with no open position
    it is the capital.

    Example:
        >>> book = [OpenPosition(BotKind.SAFE, "BTC/USDT", Decimal(400))]
        >>> free_capital(book, bot=BotKind.SAFE, capital=Decimal(1000), fee_rate=Decimal("0.001"))
        Decimal('599.600')
    """
    spent = sum((p.notional for p in book if p.bot is bot), Decimal(0))
    return capital - spent * (1 + fee_rate)


def entry_refusal(
    entry: ProposedEntry,
    *,
    book: Iterable[OpenPosition],
    capitals: Mapping[BotKind, Decimal],
    realised_today: Decimal,
    fee_rate: Decimal,
    limits: CrossPairLimits,
) -> str | None:
    """Why ``entry`` must not be opened given the open ``book``, or None when it may.

    Args:
        entry: the proposed entry.
        book: every open position, of both bots on every pair (order does not matter).
        capitals: each bot's capital (both bots: the pair limit is on their total).
        realised_today: the entry bot's net P&L of trades closed since 00:00 UTC of the day
            being traded.
        fee_rate: the entry fee as a fraction of the notional.
        limits: the limits.

    Example:
        >>> limits = CrossPairLimits(4, 3, Decimal(1), Decimal(1), Decimal(1), Decimal("0.1"))
        >>> caps = {BotKind.SAFE: Decimal(1000), BotKind.AGGRESSIVE: Decimal(1000)}
        >>> held = [OpenPosition(BotKind.SAFE, "BTC/USDT", Decimal(900))]
        >>> entry_refusal(ProposedEntry(BotKind.SAFE, "ETH/USDT", Decimal(50)), book=held,
        ...               capitals=caps, realised_today=Decimal(0), fee_rate=Decimal(0),
        ...               limits=limits) is None
        True
        >>> entry_refusal(ProposedEntry(BotKind.SAFE, "BTC/USDT", Decimal(50)), book=held,
        ...               capitals=caps, realised_today=Decimal(0), fee_rate=Decimal(0),
        ...               limits=limits)
        'the bot already holds a position on BTC/USDT'
    """
    capital = capitals[entry.bot]
    bot, pair = entry.bot, entry.pair
    count = mine = 0
    holds_pair = False
    held = on_pair = Decimal(0)
    for p in book:  # once, in order: each sum adds the same terms in the same order as before
        count += 1
        if p.bot is bot:
            mine += 1
            held += p.notional
            if p.pair == pair:
                holds_pair = True
        if p.pair == pair:
            on_pair += p.notional
    return (
        _positions(entry, count, mine, holds_pair, limits)
        or _exposure(entry, held, capital, fee_rate, limits)
        or _pair_exposure(entry, on_pair, capitals, limits)
        or _daily_loss(capital, realised_today, limits)
    )


def _positions(
    entry: ProposedEntry, count: int, mine: int, holds_pair: bool, limits: CrossPairLimits
) -> str | None:
    """``count`` positions open, ``mine`` of the entry's bot (``holds_pair``: one on its pair)."""
    if holds_pair:
        return f"the bot already holds a position on {entry.pair}"
    if mine >= limits.max_positions_per_bot:
        return f"the bot holds {mine} positions (limit {limits.max_positions_per_bot})"
    if count >= limits.max_open_positions:
        return f"{count} positions open (limit {limits.max_open_positions})"
    return None


def _exposure(
    entry: ProposedEntry,
    held: Decimal,
    capital: Decimal,
    fee_rate: Decimal,
    limits: CrossPairLimits,
) -> str | None:
    """``held``: the notional of the bot's open positions (``free_capital``'s sum)."""
    cost = entry.notional * (1 + fee_rate)
    free = capital - held * (1 + fee_rate)
    if cost > free:
        return f"cost {cost:.8f} exceeds the bot's free capital {free:.8f}"
    allowed = capital * limits.max_exposure
    if entry.notional > allowed:
        return f"notional {entry.notional:.8f} exceeds the allowed exposure {allowed:.8f}"
    bot_allowed = capital * limits.max_bot_exposure
    if held + entry.notional > bot_allowed:
        return (
            f"the bot's exposure {held + entry.notional:.8f} would exceed its limit "
            f"{bot_allowed:.8f}"
        )
    return None


def _pair_exposure(
    entry: ProposedEntry,
    on_pair: Decimal,
    capitals: Mapping[BotKind, Decimal],
    limits: CrossPairLimits,
) -> str | None:
    """``on_pair``: the notional of every open position on the entry's pair (both bots)."""
    allowed = sum(capitals.values(), Decimal(0)) * limits.max_pair_exposure
    if on_pair + entry.notional > allowed:
        return (
            f"the exposure on {entry.pair} {on_pair + entry.notional:.8f} would exceed its "
            f"limit {allowed:.8f}"
        )
    return None


def _daily_loss(capital: Decimal, realised_today: Decimal, limits: CrossPairLimits) -> str | None:
    if realised_today >= 0:
        return None
    day_start = capital - realised_today
    if -realised_today >= day_start * limits.daily_loss_limit:
        return (
            f"today's loss {-realised_today:.2f} reached the daily limit "
            f"({limits.daily_loss_limit:%} of {day_start:.2f})"
        )
    return None
