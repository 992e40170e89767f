"""The fault runs compare alerts by what they say: a trade's row id may differ after a restart.

An order engine takes trade ids from the sequence 32 at a time, so a restarted one starts a new
block: the same trade gets another id than in the run without faults, in the details and in the
reallocation's text ("... profit, trade 127)"). A CI run failed on exactly that.
"""

from __future__ import annotations

from datetime import UTC, datetime

from cryptotrader.bus.messages import AlertRaised
from cryptotrader.domain import BotKind
from tests.support.fault_runs import alert_key


def _reallocation(trade_id: int, amount: str = "0.08751206") -> AlertRaised:
    return AlertRaised(
        timestamp=datetime(2020, 5, 15, 23, tzinfo=UTC),
        kind="reallocation",
        text=f"{amount} moved from the aggressive to the safe bot (30% of 0.29 profit, "
        f"trade {trade_id})",
        bot=BotKind.SAFE,
        details={"amount": amount, "trigger_trade_id": str(trade_id)},
    )


def test_the_same_reallocation_under_another_trade_id_says_the_same() -> None:
    assert alert_key(_reallocation(127)) == alert_key(_reallocation(157))


def test_another_amount_or_a_number_that_is_not_the_trade_id_still_differs() -> None:
    assert alert_key(_reallocation(127)) != alert_key(_reallocation(127, amount="0.08751207"))
    other = _reallocation(127).model_copy(update={"text": "12 moved (trade 1270)"})
    assert alert_key(other) != alert_key(
        _reallocation(127).model_copy(update={"text": "12 moved (trade 1271)"})
    )
