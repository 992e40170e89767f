"""Our client order ids: deterministic, short enough for every venue, and readable back."""

from __future__ import annotations

import re

import pytest

from cryptotrader.domain.enums import BotKind
from cryptotrader.engines import client_ids as ids

VENUE_RULE = re.compile(r"^[A-Za-z0-9_\-.]{1,36}$")  # Binance's, and domain.Order's


@pytest.mark.parametrize("bot", list(BotKind))
def test_ids_when_built_fit_the_venues_rule_and_parse_back(bot: BotKind) -> None:
    step = 4_102_444_800_000  # 2100-01-01: the longest millisecond stamps for a while
    entry = ids.decision_id(bot, step, ids.ENTRY)
    built = [
        (entry, ids.ENTRY, False),
        (ids.decision_id(bot, step, ids.EXIT), ids.EXIT, False),
        (ids.decision_id(bot, step, ids.TAKE), ids.TAKE, False),
        (ids.close_id(entry), ids.CLOSE, False),
        (f"{ids.protection_id(entry, 1)}-sl", ids.ENTRY, True),
        (f"{ids.protection_id(entry, 9)}-tp", ids.ENTRY, True),
    ]
    for coid, purpose, protection in built:
        assert VENUE_RULE.match(coid), coid
        parsed = ids.parse(coid)
        assert parsed == ids.ClientId(bot, step, purpose, protection), coid


@pytest.mark.parametrize(
    "coid", ["", "abc", "ct-x-1-e", "ct-a-12a-e", "ct-a-1-e-zz", "xx-a-1-e", "ct-a-1-e-sl-1"]
)
def test_parse_when_the_id_is_not_ours_says_none(coid: str) -> None:
    assert ids.parse(coid) is None


def test_decision_id_when_the_same_decision_is_made_again_is_the_same() -> None:
    assert ids.decision_id(BotKind.SAFE, 5, ids.ENTRY) == ids.decision_id(
        BotKind.SAFE, 5, ids.ENTRY
    )
    assert ids.decision_id(BotKind.SAFE, 5, ids.ENTRY) != ids.decision_id(
        BotKind.AGGRESSIVE, 5, ids.ENTRY
    )
