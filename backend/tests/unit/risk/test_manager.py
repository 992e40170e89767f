"""RiskManager: each rule that refuses an entry, and what exits are checked against."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from cryptotrader.domain.enums import BotKind, BotStatus
from cryptotrader.domain.markets import MarketRules
from cryptotrader.risk.manager import EntryFacts, RiskLimits, RiskManager, RiskRefused

LIMITS = RiskLimits(
    max_open_positions=2,
    max_exposure=Decimal("0.5"),
    daily_loss_limit=Decimal("0.10"),
    live_allowed=False,
)
FACTS = EntryFacts(
    bot=BotKind.SAFE,
    status=BotStatus.RUNNING,
    capital=Decimal(1000),
    quantity=Decimal("0.005"),
    price=Decimal(40_000),
    fee_rate=Decimal("0.001"),
    rules=MarketRules(),
    bot_positions=0,
    open_positions=0,
    realised_today=Decimal(0),
    live=False,
)


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
        ({"quantity": Decimal("0.03")}, "exceeds the bot's capital"),  # 1200 > 1000
        ({"quantity": Decimal("0.0126")}, "allowed exposure"),  # 504 > 50% of 1000
        ({"bot_positions": 1}, "already holds a position"),
        ({"open_positions": 2}, "limit 2"),
        ({"realised_today": Decimal(-100), "capital": Decimal(900)}, "daily limit"),
        ({"live": True}, "live trading is not enabled"),
    ],
)
def test_check_entry_when_a_rule_is_broken_refuses_with_it(
    change: dict[str, object], reason: str
) -> None:
    with pytest.raises(RiskRefused, match=reason):
        RiskManager(limits=LIMITS).check_entry(replace(FACTS, **change))  # type: ignore[arg-type]


def test_check_entry_when_today_lost_less_than_the_limit_accepts() -> None:
    facts = replace(FACTS, realised_today=Decimal("-99.99"), capital=Decimal("900.01"))
    RiskManager(limits=LIMITS).check_entry(facts)


def test_check_exit_when_live_only_needs_live_trading_allowed() -> None:
    RiskManager(limits=replace(LIMITS, live_allowed=True)).check_exit(live=True)
    with pytest.raises(RiskRefused):
        RiskManager(limits=LIMITS).check_exit(live=True)
    RiskManager(limits=LIMITS).check_exit(live=False)
