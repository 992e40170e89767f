"""risk.limits.entry_refusal: the limits across pairs and bots, and their invariants."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptotrader.domain.enums import BotKind
from cryptotrader.risk.limits import (
    CrossPairLimits,
    OpenPosition,
    ProposedEntry,
    entry_refusal,
    free_capital,
)

PAIRS = ("BTC/USDT", "ETH/USDT", "SOL/USDT", "ADA/USDT", "XRP/USDT")
FEE = Decimal("0.001")
LIMITS = CrossPairLimits(
    max_open_positions=4,
    max_positions_per_bot=3,
    max_exposure=Decimal("0.5"),
    max_bot_exposure=Decimal("0.9"),
    max_pair_exposure=Decimal("0.4"),
    daily_loss_limit=Decimal("0.10"),
)
CAPITALS = {BotKind.SAFE: Decimal(1000), BotKind.AGGRESSIVE: Decimal(1000)}


def refusal(
    entry: ProposedEntry,
    book: list[OpenPosition],
    *,
    limits: CrossPairLimits = LIMITS,
    capitals: dict[BotKind, Decimal] = CAPITALS,
    realised: Decimal = Decimal(0),
) -> str | None:
    return entry_refusal(
        entry, book=book, capitals=capitals, realised_today=realised, fee_rate=FEE, limits=limits
    )


def within_limits(
    book: list[OpenPosition], capitals: dict[BotKind, Decimal], limits: CrossPairLimits
) -> bool:
    """Every limit checked independently of the function, on a whole book."""
    if len(book) > limits.max_open_positions:
        return False
    for bot in BotKind:
        mine = [p for p in book if p.bot is bot]
        if len(mine) > limits.max_positions_per_bot or len({p.pair for p in mine}) < len(mine):
            return False
        held = sum((p.notional for p in mine), Decimal(0))
        if held > capitals[bot] * limits.max_bot_exposure or held * (1 + FEE) > capitals[bot]:
            return False
        if any(p.notional > capitals[bot] * limits.max_exposure for p in mine):
            return False
    total = sum(capitals.values(), Decimal(0))
    for pair in {p.pair for p in book}:
        on_pair = sum((p.notional for p in book if p.pair == pair), Decimal(0))
        if on_pair > total * limits.max_pair_exposure:
            return False
    return True


bots = st.sampled_from(list(BotKind))
pairs = st.sampled_from(PAIRS)
notionals = st.decimals(min_value=Decimal(1), max_value=Decimal(700), places=2)
entries = st.builds(ProposedEntry, bots, pairs, notionals)
capital_maps = st.fixed_dictionaries(
    {
        BotKind.SAFE: st.decimals(min_value=Decimal(100), max_value=Decimal(5000), places=2),
        BotKind.AGGRESSIVE: st.decimals(min_value=Decimal(100), max_value=Decimal(5000), places=2),
    }
)


def grow(proposals: list[ProposedEntry], capitals: dict[BotKind, Decimal]) -> list[OpenPosition]:
    """The book built by opening, in order, every proposal the function accepts."""
    book: list[OpenPosition] = []
    for entry in proposals:
        if refusal(entry, book, capitals=capitals) is None:
            book.append(OpenPosition(entry.bot, entry.pair, entry.notional))
    return book


@settings(max_examples=300, deadline=None)
@given(st.lists(entries, max_size=25), capital_maps)
def test_a_book_grown_by_accepted_entries_stays_within_every_limit(
    proposals: list[ProposedEntry], capitals: dict[BotKind, Decimal]
) -> None:
    assert within_limits(grow(proposals, capitals), capitals, LIMITS)


@settings(max_examples=300, deadline=None)
@given(st.lists(entries, max_size=12), entries, capital_maps)
def test_an_entry_is_accepted_exactly_when_the_book_with_it_is_within_the_limits(
    proposals: list[ProposedEntry], entry: ProposedEntry, capitals: dict[BotKind, Decimal]
) -> None:
    book = grow(proposals, capitals)
    after = [*book, OpenPosition(entry.bot, entry.pair, entry.notional)]
    accepted = refusal(entry, book, capitals=capitals) is None
    assert accepted == within_limits(after, capitals, LIMITS)


@settings(max_examples=200, deadline=None)
@given(st.lists(entries, max_size=12), entries, st.randoms(use_true_random=False))
def test_the_order_of_the_book_does_not_change_the_decision(
    proposals: list[ProposedEntry], entry: ProposedEntry, rnd: random.Random
) -> None:
    book = grow(proposals, CAPITALS)
    shuffled = list(book)
    rnd.shuffle(shuffled)
    assert refusal(entry, book) == refusal(entry, shuffled)


@settings(max_examples=200, deadline=None)
@given(st.lists(entries, max_size=12), entries, st.integers(min_value=0, max_value=11))
def test_closing_a_position_never_turns_an_acceptance_into_a_refusal(
    proposals: list[ProposedEntry], entry: ProposedEntry, index: int
) -> None:
    book = grow(proposals, CAPITALS)
    if refusal(entry, book) is None and book:
        fewer = book[: index % len(book)] + book[index % len(book) + 1 :]
        assert refusal(entry, fewer) is None


@settings(max_examples=200, deadline=None)
@given(entries, st.decimals(min_value=Decimal(-500), max_value=Decimal(500), places=2))
def test_the_daily_loss_refuses_exactly_from_the_limit_of_the_day_start_capital(
    entry: ProposedEntry, realised: Decimal
) -> None:
    small = replace(entry, notional=Decimal(1))
    day_start = CAPITALS[entry.bot] - realised
    reason = refusal(small, [], realised=realised)
    assert (reason is not None) == (realised < 0 and -realised >= day_start * Decimal("0.10"))


@settings(max_examples=200, deadline=None)
@given(st.lists(entries, max_size=12), bots, capital_maps)
def test_free_capital_is_the_capital_less_the_cost_of_the_bot_s_own_positions(
    proposals: list[ProposedEntry], bot: BotKind, capitals: dict[BotKind, Decimal]
) -> None:
    book = grow(proposals, capitals)
    free = free_capital(book, bot=bot, capital=capitals[bot], fee_rate=FEE)
    spent = sum((p.notional * (1 + FEE) for p in book if p.bot is bot), Decimal(0))
    assert free == capitals[bot] - spent
    assert free >= 0


@pytest.mark.parametrize(
    ("book", "entry", "reason"),
    [
        (
            [OpenPosition(BotKind.SAFE, "BTC/USDT", Decimal(10))],
            ProposedEntry(BotKind.SAFE, "BTC/USDT", Decimal(10)),
            "already holds a position on BTC/USDT",
        ),
        (
            [OpenPosition(BotKind.SAFE, p, Decimal(10)) for p in PAIRS[:3]],
            ProposedEntry(BotKind.SAFE, "XRP/USDT", Decimal(10)),
            "the bot holds 3 positions (limit 3)",
        ),
        (
            [
                *(OpenPosition(BotKind.SAFE, p, Decimal(10)) for p in PAIRS[:2]),
                *(OpenPosition(BotKind.AGGRESSIVE, p, Decimal(10)) for p in PAIRS[:2]),
            ],
            ProposedEntry(BotKind.AGGRESSIVE, "XRP/USDT", Decimal(10)),
            "4 positions open (limit 4)",
        ),
        ([], ProposedEntry(BotKind.SAFE, "BTC/USDT", Decimal(501)), "allowed exposure"),
        (
            [OpenPosition(BotKind.SAFE, "ETH/USDT", Decimal(450))],
            ProposedEntry(BotKind.SAFE, "BTC/USDT", Decimal(451)),
            "the bot's exposure 901.00000000 would exceed its limit 900",
        ),
        (
            [OpenPosition(BotKind.AGGRESSIVE, "BTC/USDT", Decimal(500))],
            ProposedEntry(BotKind.SAFE, "BTC/USDT", Decimal(301)),
            "the exposure on BTC/USDT 801.00000000 would exceed its limit 800",
        ),
        (
            [OpenPosition(BotKind.SAFE, "ETH/USDT", Decimal(500))],
            ProposedEntry(BotKind.SAFE, "BTC/USDT", Decimal(500)),
            "exceeds the bot's free capital",
        ),
    ],
)
def test_each_limit_refuses_with_its_own_reason(
    book: list[OpenPosition], entry: ProposedEntry, reason: str
) -> None:
    limits = replace(LIMITS, max_bot_exposure=Decimal(1)) if "free" in reason else LIMITS
    found = refusal(entry, book, limits=limits)
    assert found is not None
    assert reason in found


def test_one_pair_with_the_default_limits_refuses_only_a_second_position_of_the_bot() -> None:
    """One market as before: one position per bot, the whole capital available to it."""
    defaults = CrossPairLimits(4, 3, Decimal(1), Decimal(1), Decimal(1), Decimal("0.1"))
    other = [OpenPosition(BotKind.AGGRESSIVE, "BTC/USDT", Decimal(990))]
    entry = ProposedEntry(BotKind.SAFE, "BTC/USDT", Decimal(998))
    assert refusal(entry, other, limits=defaults) is None
    mine = [OpenPosition(BotKind.SAFE, "BTC/USDT", Decimal(1))]
    assert refusal(entry, mine, limits=defaults) is not None


def _refusal_walking_the_book_four_times(  # noqa: PLR0911 - the old rules, one return each
    entry: ProposedEntry,
    book: list[OpenPosition],
    capitals: dict[BotKind, Decimal],
    realised_today: Decimal,
    limits: CrossPairLimits,
) -> str | None:
    """``entry_refusal`` as it was written before it walked the book once (the reference)."""
    capital = capitals[entry.bot]
    mine = [p for p in book if p.bot is entry.bot]
    if any(p.pair == entry.pair for p in mine):
        return f"the bot already holds a position on {entry.pair}"
    if len(mine) >= limits.max_positions_per_bot:
        return f"the bot holds {len(mine)} positions (limit {limits.max_positions_per_bot})"
    if len(book) >= limits.max_open_positions:
        return f"{len(book)} positions open (limit {limits.max_open_positions})"
    cost = entry.notional * (1 + FEE)
    free = free_capital(book, bot=entry.bot, capital=capital, fee_rate=FEE)
    if cost > free:
        return f"cost {cost:.8f} exceeds the bot's free capital {free:.8f}"
    allowed = capital * limits.max_exposure
    if entry.notional > allowed:
        return f"notional {entry.notional:.8f} exceeds the allowed exposure {allowed:.8f}"
    held = sum((p.notional for p in book if p.bot is entry.bot), Decimal(0))
    if held + entry.notional > capital * limits.max_bot_exposure:
        return (
            f"the bot's exposure {held + entry.notional:.8f} would exceed its limit "
            f"{capital * limits.max_bot_exposure:.8f}"
        )
    on_pair = sum((p.notional for p in book if p.pair == entry.pair), Decimal(0))
    allowed = sum(capitals.values(), Decimal(0)) * limits.max_pair_exposure
    if on_pair + entry.notional > allowed:
        return (
            f"the exposure on {entry.pair} {on_pair + entry.notional:.8f} would exceed its "
            f"limit {allowed:.8f}"
        )
    if realised_today < 0 and -realised_today >= (capital - realised_today) * (
        limits.daily_loss_limit
    ):
        return (
            f"today's loss {-realised_today:.2f} reached the daily limit "
            f"({limits.daily_loss_limit:%} of {capital - realised_today:.2f})"
        )
    return None


@settings(max_examples=300)
@given(
    st.lists(st.builds(OpenPosition, bots, pairs, notionals), max_size=60),
    entries,
    capital_maps,
    st.decimals(min_value=Decimal(-500), max_value=Decimal(500), places=2),
    st.sampled_from([LIMITS, replace(LIMITS, max_open_positions=100, max_positions_per_bot=60)]),
)
def test_the_book_walked_once_refuses_as_the_four_walks_did_word_for_word(
    book: list[OpenPosition],
    entry: ProposedEntry,
    capitals: dict[BotKind, Decimal],
    realised_today: Decimal,
    limits: CrossPairLimits,
) -> None:
    """One pass over the book (a 50-pair batch sized each entry on ~50 positions four times)."""
    assert entry_refusal(
        entry,
        book=iter(book),  # any iterable, walked once
        capitals=capitals,
        realised_today=realised_today,
        fee_rate=FEE,
        limits=limits,
    ) == _refusal_walking_the_book_four_times(entry, book, capitals, realised_today, limits)
