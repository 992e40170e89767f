"""RiskManager: each rule that refuses an entry, and what exits are checked against."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from cryptotrader.domain.enums import BotKind, BotStatus
from cryptotrader.domain.markets import MarketRules
from cryptotrader.risk.limits import CrossPairLimits, OpenPosition
from cryptotrader.risk.manager import EntryFacts, RiskLimits, RiskManager, RiskRefused

LIMITS = RiskLimits(
    cross=CrossPairLimits(
        max_open_positions=2,
        max_positions_per_bot=2,
        max_exposure=Decimal("0.5"),
        max_bot_exposure=Decimal(1),
        max_pair_exposure=Decimal(1),
        daily_loss_limit=Decimal("0.10"),
    ),
    live_allowed=False,
)
FACTS = EntryFacts(
    bot=BotKind.SAFE,
    pair="BTC/USDT",
    status=BotStatus.RUNNING,
    capitals={BotKind.SAFE: Decimal(1000), BotKind.AGGRESSIVE: Decimal(1000)},
    quantity=Decimal("0.005"),
    price=Decimal(40_000),
    fee_rate=Decimal("0.001"),
    rules=MarketRules(),
    book=(),
    realised_today=Decimal(0),
    live=False,
)
HELD_HERE = OpenPosition(BotKind.SAFE, "BTC/USDT", Decimal(100))
OTHER_BOT = OpenPosition(BotKind.AGGRESSIVE, "ETH/USDT", Decimal(100))


def test_check_entry_when_every_rule_passes_accepts() -> None:
    RiskManager(limits=LIMITS).check_entry(FACTS)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": BotStatus.PAUSED}, "the bot is paused"),
        ({"status": BotStatus.STOPPED}, "the bot is stopped"),
        ({"quantity": Decimal(0)}, "nothing to buy"),
        ({"quantity": Decimal("0.0001")}, "notional"),  # 4 USDT < 5 USDT minimum
        ({"quantity": Decimal("0.000015")}, "minimum"),
        ({"quantity": Decimal("0.03")}, "exceeds the bot's free capital"),  # 1200 > 1000
        ({"quantity": Decimal("0.0126")}, "allowed exposure"),  # 504 > 50% of 1000
        ({"book": (HELD_HERE,)}, "already holds a position on BTC/USDT"),
        ({"book": (OTHER_BOT, replace(OTHER_BOT, pair="SOL/USDT"))}, "limit 2"),
        (
            {
                "realised_today": Decimal(-100),
                "capitals": {BotKind.SAFE: Decimal(900), BotKind.AGGRESSIVE: Decimal(1000)},
            },
            "daily limit",
        ),
        ({"live": True}, "live trading is not enabled"),
    ],
)
def test_check_entry_when_a_rule_is_broken_refuses_with_it(
    change: dict[str, object], reason: str
) -> None:
    with pytest.raises(RiskRefused, match=reason):
        RiskManager(limits=LIMITS).check_entry(replace(FACTS, **change))  # type: ignore[arg-type]


def test_check_entry_when_today_lost_less_than_the_limit_accepts() -> None:
    capitals = {BotKind.SAFE: Decimal("900.01"), BotKind.AGGRESSIVE: Decimal(1000)}
    facts = replace(FACTS, realised_today=Decimal("-99.99"), capitals=capitals)
    RiskManager(limits=LIMITS).check_entry(facts)


def test_check_exit_when_live_only_needs_live_trading_allowed() -> None:
    RiskManager(limits=replace(LIMITS, live_allowed=True)).check_exit(live=True)
    with pytest.raises(RiskRefused):
        RiskManager(limits=LIMITS).check_exit(live=True)
    RiskManager(limits=LIMITS).check_exit(live=False)
