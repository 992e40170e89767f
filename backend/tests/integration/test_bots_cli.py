"""``cryptotrader bots``: the bots as the database has them, and whether a runtime drives them."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from cryptotrader.clock import TestClock
from cryptotrader.config import load_settings
from cryptotrader.domain.presence import HEARTBEAT_KEY, RuntimePresence
from cryptotrader.persistence import Database, UnitOfWork
from cryptotrader.persistence.migrate import upgrade
from cryptotrader.persistence.repositories import audit, settings
from tests.integration.api.harness import seed_trading
from tests.unit.cli.test_indicators_command import run

MARKET = "BTC/USDT 1h from binance"


def _seed(*, seen_ago: timedelta | None, stopped: bool = False) -> None:
    """Bots, trades (one open) and a reallocation; a heartbeat ``seen_ago`` (None: none)."""

    async def seed() -> None:
        database = Database(load_settings().database_url)
        await upgrade(database)
        await seed_trading(database, TestClock(1_770_820_200_000))
        if seen_ago is not None:
            now = datetime.now(UTC)
            presence = RuntimePresence(
                started_at=now - seen_ago - timedelta(hours=2),
                seen_at=now - seen_ago,
                stopped_at=now - seen_ago if stopped else None,
                pid=4242,
                mode="paper",
                market=MARKET,
            )
            async with UnitOfWork(database) as uow:
                await settings.put_setting(
                    session=uow.session,
                    key=HEARTBEAT_KEY,
                    value=presence.to_json(),
                    at=now,
                    updated_by="runtime",
                )
                await uow.commit()
        await database.dispose()

    asyncio.run(seed())


def test_bots_before_any_runtime_says_there_are_none_yet(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["bots"], capsys)
    assert code == 0
    assert "no bots yet" in out
    code, out, _ = run(["bots", "--json"], capsys)
    assert json.loads(out)["bots"] == []
    assert json.loads(out)["runtime"] is None


def test_bots_when_a_runtime_beats_shows_them_driven_with_money_and_positions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _seed(seen_ago=timedelta(seconds=2))
    code, out, err = run(["bots", "--json"], capsys)
    assert code == 0, err
    report = json.loads(out)
    assert report["driven"] is True
    assert report["runtime"]["pid"] == 4242
    assert report["driven_since"] == report["runtime"]["started_at"]
    by_kind = {bot["kind"]: bot for bot in report["bots"]}
    safe, aggressive = by_kind["safe"], by_kind["aggressive"]
    assert safe["driven"] is True
    assert (safe["open_trades"], safe["closed_trades"]) == (1, 2)
    assert (aggressive["open_trades"], aggressive["closed_trades"]) == (0, 1)
    # money as text, exact: the seed's two losses (-5 and -10) and its win (+10), 0.6 fees each
    assert Decimal(safe["realised_pnl"]) == Decimal("-16.2")
    assert Decimal(aggressive["realised_pnl"]) == Decimal("9.4")
    assert Decimal(report["total_realised_pnl"]) == Decimal("-6.8")
    assert Decimal(safe["capital"]) == Decimal("702.82")  # 700 and the reallocation
    assert Decimal(safe["reallocated_in"]) == Decimal(aggressive["reallocated_out"])
    assert Decimal(safe["reallocated_in"]) == Decimal("2.82")
    (position,) = safe["open_positions"]
    assert position["pair"] == "ETH/USDT"
    assert position["entry_price"].startswith("2000")
    assert aggressive["open_positions"] == []
    by_pair = {p["pair"]: p for p in safe["pairs"]}  # P&L per pair: the two losses on BTC/USDT
    assert Decimal(by_pair["BTC/USDT"]["realised_pnl"]) == Decimal("-16.2")
    assert (by_pair["BTC/USDT"]["closed_trades"], by_pair["ETH/USDT"]["open_trades"]) == (2, 1)
    assert [p["pair"] for p in aggressive["pairs"]] == ["BTC/USDT"]
    code, out, _ = run(["bots"], capsys)
    assert code == 0
    assert f"driven by a paper runtime (pid 4242, {MARKET})" in out
    assert "last heartbeat" in out
    assert "driven by a runtime" in out
    assert "1 open position(s)" in out
    assert "per pair" in out
    assert "-16.20" in out
    assert "ETH/USDT" in out


@pytest.mark.parametrize(
    ("stopped", "says"),
    [(True, "not driven: the last runtime (paper, "), (False, "stopped beating")],
)
def test_bots_when_the_runtime_stopped_or_went_silent_says_they_are_not_driven(
    capsys: pytest.CaptureFixture[str], stopped: bool, says: str
) -> None:
    _seed(seen_ago=timedelta(hours=3), stopped=stopped)
    code, out, _ = run(["bots", "--json"], capsys)
    assert code == 0
    report = json.loads(out)
    assert report["driven"] is False
    assert report["driven_since"] is None
    assert {bot["driven"] for bot in report["bots"]} == {False}
    code, out, _ = run(["bots"], capsys)
    assert says in " ".join(out.split())
    assert "3 h ago" in out


def test_bots_pairs_chooses_a_bots_pairs_audits_it_and_refuses_bad_input_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _seed(seen_ago=None)  # BTC/USDT and ETH/USDT known to /config/pairs (from the trades)
    code, out, err = run(["bots", "pairs", "safe", "eth/usdt"], capsys)
    assert code == 0, err
    assert "safe: opens positions on ETH/USDT (chosen: ETH/USDT)" in out
    assert "no message bus is configured" in " ".join(out.split())  # said, not hidden
    code, out, _ = run(["bots", "pairs", "--json"], capsys)
    by_bot = {b["bot"]: b for b in json.loads(out)["bots"]}
    assert by_bot["safe"]["chosen"] == ["ETH/USDT"]
    assert by_bot["aggressive"] == {
        "bot": "aggressive",
        "chosen": None,
        "default": None,
        "trading": ["BTC/USDT", "ETH/USDT"],
    }
    code, out, err = run(["bots", "pairs", "safe", "XRP/USDT"], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("error: unknown pair XRP/USDT: add it through /config/pairs first")
    for args, says in (
        (["bots", "pairs", "bob", "BTC/USDT"], "unknown bot 'bob'"),
        (["bots", "pairs", "safe", "BTC/USDT", "--default"], "pairs or --default, not both"),
        (["bots", "pairs", "safe", "--default", "--default"], "--default is a switch"),
    ):
        code, _, err = run(args, capsys)
        assert (code, err.count("\n")) == (2, 1), args
        assert says in err, args
    code, out, _ = run(["bots", "pairs", "safe", "--default"], capsys)
    assert code == 0
    assert "safe: opens positions on BTC/USDT, ETH/USDT (default: every active pair)" in out

    async def audited() -> list[tuple[int, str, object]]:
        database = Database(load_settings().database_url)
        try:
            async with UnitOfWork(database) as uow:
                rows = await audit.list_audit(session=uow.session, action="bot.pairs")
            return sorted((r.id, r.actor, (r.details or {})["after"]) for r in rows)
        finally:
            await database.dispose()

    assert [(actor, after) for _, actor, after in asyncio.run(audited())] == [
        ("cli", {"pairs": ["ETH/USDT"]}),
        ("cli", {"pairs": None}),
    ]
