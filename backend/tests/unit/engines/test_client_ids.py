"""Our client order ids: deterministic, short enough for every venue, and readable back."""

from __future__ import annotations

import re

import pytest

from cryptotrader.domain.enums import BotKind
from cryptotrader.engines import client_ids as ids

VENUE_RULE = re.compile(r"^[A-Za-z0-9_\-.]{1,36}$")  # Binance's, and domain.Order's


SYMBOLS = ["BTC/USDT", "ETH/BTC", "1000SATS/USDT", "DOGE/USDC", "A/B"]


@pytest.mark.parametrize("bot", list(BotKind))
@pytest.mark.parametrize("symbol", SYMBOLS)
def test_ids_when_built_fit_the_venues_rule_and_parse_back(bot: BotKind, symbol: str) -> None:
    step = 4_102_444_800_000  # 2100-01-01: the longest millisecond stamps for a while
    entry = ids.decision_id(bot, symbol, step, ids.ENTRY)
    built = [
        (entry, ids.ENTRY, False),
        (ids.decision_id(bot, symbol, step, ids.EXIT), ids.EXIT, False),
        (ids.decision_id(bot, symbol, step, ids.TAKE), ids.TAKE, False),
        (ids.close_id(entry), ids.CLOSE, False),
        (f"{ids.protection_id(entry, 1)}-sl", ids.ENTRY, True),
        (f"{ids.protection_id(entry, 99)}-tp", ids.ENTRY, True),
    ]
    code = ids.pair_code(symbol)
    for coid, purpose, protection in built:
        assert VENUE_RULE.match(coid), coid
        parsed = ids.parse(coid)
        assert parsed == ids.ClientId(bot, step, purpose, protection, code), coid
        assert ids.belongs_to(coid, symbol)


def test_ids_of_two_pairs_at_the_same_candle_differ_and_belong_each_to_its_pair() -> None:
    made = {
        ids.decision_id(bot, symbol, 1_704_067_200_000, purpose)
        for bot in BotKind
        for symbol in SYMBOLS
        for purpose in (ids.ENTRY, ids.EXIT, ids.TAKE)
    }
    assert len(made) == len(BotKind) * len(SYMBOLS) * 3
    btc = ids.decision_id(BotKind.SAFE, "BTC/USDT", 5, ids.ENTRY)
    assert not ids.belongs_to(btc, "ETH/USDT")
    assert ids.pair_code("1000SATS/USDT") != ids.pair_code("1000SHIB/USDT")


@pytest.mark.parametrize(
    "coid",
    ["ct-s-1704067200000-e", "ct-a-1704067200000-x", "ct-s-1704067200000-e2-sl", "ct-a-1-e-c"],
)
def test_ids_written_before_pairs_were_named_parse_with_no_pair_and_belong_to_any(
    coid: str,
) -> None:
    parsed = ids.parse(coid)
    assert parsed is not None
    assert parsed.pair is None
    assert ids.belongs_to(coid, "ETH/USDT")


@pytest.mark.parametrize(
    "coid",
    [
        "",
        "abc",
        "ct-x-1-e",
        "ct-a-12a-e",
        "ct-a-1-e-zz",
        "xx-a-1-e",
        "ct-a-1-e-sl-1",
        "ct-a-BTCUSDT-e",
        "ct-a-BTC_USDT-1-e",
        "ct-a-ABCDEFGHIJK-1-e",
        "ct-a-BTCUSDT-1-e-sl-1",
    ],
)
def test_parse_when_the_id_is_not_ours_says_none(coid: str) -> None:
    assert ids.parse(coid) is None


def test_decision_id_when_the_same_decision_is_made_again_is_the_same() -> None:
    def made(bot: BotKind) -> str:
        return ids.decision_id(bot, "BTC/USDT", 5, ids.ENTRY)

    assert made(BotKind.SAFE) == made(BotKind.SAFE)
    assert made(BotKind.SAFE) != made(BotKind.AGGRESSIVE)
