"""Bots, trades and portfolio, read from the database and controlled over the bus."""

from __future__ import annotations

import asyncio
import dataclasses
from decimal import Decimal

import numpy as np
import pytest

from cryptotrader.bus import topics
from cryptotrader.bus.messages import ControlBot
from cryptotrader.domain.enums import BotKind
from cryptotrader.domain.market import CandleArrays
from cryptotrader.domain.pairs import Pair
from cryptotrader.domain.presence import STALE_AFTER_S
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.domain.trades import Trade
from cryptotrader.engines.heartbeat import Heartbeat
from cryptotrader.persistence import SqlCandleStore, UnitOfWork
from cryptotrader.persistence.repositories import trades
from cryptotrader.persistence.repositories.audit import list_audit
from tests.integration.api.harness import ApiHarness, Recorder, wait_for


@pytest.mark.asyncio
async def test_control_when_requested_records_state_and_publishes_control_bot(
    api_any_db: ApiHarness,
) -> None:
    api = api_any_db
    recorder = Recorder()
    await api.bus.subscribe(topics.COMMANDS, group="test", consumer="t", handler=recorder.handler)
    for action in ("start", "pause", "resume", "stop"):
        answer = await api.post("trader", f"/api/bots/safe/{action}")
        assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "stopped"  # the runtime owns the real status
    assert body["requested"]["status"] == "stopped"
    assert body["requested"]["action"] == "stop"
    assert body["requested"]["by"] == "trader"

    async def four() -> bool:
        return len(recorder.messages.get(topics.COMMANDS, [])) == 4

    await wait_for(four)
    commands = recorder.messages[topics.COMMANDS]
    assert all(isinstance(c, ControlBot) for c in commands)
    assert [c.action for c in commands] == ["start", "pause", "resume", "stop"]
    assert {c.bot for c in commands} == {"safe"}
    detail = await api.get("viewer", "/api/bots/safe")
    assert detail.json()["requested"]["action"] == "stop"


@pytest.mark.asyncio
async def test_control_when_viewer_or_unknown_bot_is_refused(api: ApiHarness) -> None:
    assert (await api.post("viewer", "/api/bots/safe/start")).status_code == 403
    assert (await api.post("admin", "/api/bots/nope/start")).status_code == 422


@pytest.mark.asyncio
async def test_control_by_a_service_token_for_a_person_is_audited_with_both(
    api: ApiHarness,
) -> None:
    scopes = {"read": ["read"], "control": ["read", "control"]}
    tokens = {}
    for name, granted in scopes.items():
        created = await api.post("trader", "/auth/tokens", json={"name": name, "scopes": granted})
        assert created.status_code == 201, created.text
        tokens[name] = created.json()["token"]
    person = "discord:112233445566 (Alice\u0007)"
    for name, expected in (("read", 403), ("control", 200)):
        answer = await api.client.post(
            "/api/bots/aggressive/pause",
            headers={"Authorization": f"Bearer {tokens[name]}", "X-On-Behalf-Of": person},
        )
        assert answer.status_code == expected, answer.text
    async with UnitOfWork(api.database) as uow:
        rows = await list_audit(session=uow.session, action="bot.pause")
    assert [(row.actor, row.target) for row in rows] == [("trader/token:control", "bot:aggressive")]
    assert rows[0].details is not None
    assert rows[0].details["on_behalf_of"] == "discord:112233445566 (Alice)"


@pytest.mark.asyncio
async def test_settings_when_valid_are_stored_and_effective(api_any_db: ApiHarness) -> None:
    api = api_any_db
    answer = await api.patch(
        "trader",
        "/api/bots/aggressive/settings",
        json={"params": {"buy_threshold": 0.25}, "stop_loss": "0.015", "risk_ratio": "0.02"},
    )
    assert answer.status_code == 200, answer.text
    config = answer.json()["config"]
    assert config["strategy"] == "aggressive"
    assert config["params"]["buy_threshold"] == 0.25
    assert config["stop_loss"] == "0.015"
    assert config["take_profit"] == "0.10"  # default from the settings
    assert Decimal(config["risk_ratio"]) == Decimal("0.02")
    again = await api.get("viewer", "/api/bots/aggressive")
    assert again.json()["config"] == config


@pytest.mark.asyncio
async def test_settings_when_parameter_is_unknown_or_out_of_range_are_refused(
    api: ApiHarness,
) -> None:
    typo = await api.patch(
        "trader", "/api/bots/safe/settings", json={"params": {"buy_treshold": 0.2}}
    )
    assert typo.status_code == 400
    assert "buy_threshold" in typo.json()["detail"]  # did you mean
    strategy = await api.patch("trader", "/api/bots/safe/settings", json={"strategy": "nope"})
    assert strategy.status_code == 400
    assert "unknown strategy" in strategy.json()["detail"]
    risky = await api.patch("trader", "/api/bots/safe/settings", json={"stop_loss": "1.5"})
    assert risky.status_code == 422
    extra = await api.patch("trader", "/api/bots/safe/settings", json={"leverage": 10})
    assert extra.status_code == 422
    viewer = await api.patch("viewer", "/api/bots/safe/settings", json={"stop_loss": "0.01"})
    assert viewer.status_code == 403
    unchanged = await api.get("viewer", "/api/bots/safe")
    assert unchanged.json()["config"]["stop_loss"] == "0.02"


@pytest.mark.asyncio
async def test_trades_when_filtered_and_paginated_count_all_matches(
    api_any_db: ApiHarness,
) -> None:
    api = api_any_db
    everything = (await api.get("viewer", "/api/trades")).json()
    assert everything["count"] == 4
    opened = [t["opened_at"] for t in everything["data"]]
    assert opened == sorted(opened, reverse=True)
    page = (await api.get("viewer", "/api/trades", params={"limit": 2, "offset": 1})).json()
    assert page["count"] == 4
    assert [t["id"] for t in page["data"]] == [t["id"] for t in everything["data"][1:3]]
    closed_safe = await api.get("viewer", "/api/trades", params={"bot": "safe", "status": "closed"})
    assert closed_safe.json()["count"] == 2
    assert {t["pnl"] for t in closed_safe.json()["data"]} == {"-5.60000000", "-10.60000000"}
    eth = await api.get("viewer", "/api/trades", params={"pair": "ETHUSDT"})
    assert [t["pair"] for t in eth.json()["data"]] == ["ETH/USDT"]
    since = everything["data"][1]["opened_at"]
    recent = await api.get("viewer", "/api/trades", params={"since": since})
    assert recent.json()["count"] == 2
    # by closing time (a trade opened before a period and closed inside it belongs to it)
    closed = sorted((t["closed_at"] for t in everything["data"] if t["closed_at"]), reverse=True)
    assert len(closed) >= 2
    late = await api.get("viewer", "/api/trades", params={"closed_since": closed[1]})
    assert sorted((t["closed_at"] for t in late.json()["data"]), reverse=True) == closed[:2]
    early = await api.get("viewer", "/api/trades", params={"closed_until": closed[1]})
    assert early.json()["count"] == len(closed) - 2
    assert all(t["closed_at"] < closed[1] for t in early.json()["data"])
    one = await api.get("viewer", f"/api/trades/{everything['data'][0]['id']}")
    assert one.status_code == 200
    assert "indicators" in one.json()
    assert (await api.get("viewer", "/api/trades/999999")).status_code == 404
    assert (await api.get("viewer", "/api/trades", params={"pair": "???"})).status_code == 400


@pytest.mark.asyncio
async def test_portfolio_when_read_adds_up_capital_pnl_reallocations_and_risk(
    api_any_db: ApiHarness,
) -> None:
    api = api_any_db
    body = (await api.get("viewer", "/api/portfolio")).json()
    by_bot = {b["bot"]: b for b in body["bots"]}
    assert body["total_capital"] == "1000.00000000"  # 702.82 + 297.18: money is conserved
    assert by_bot["safe"]["capital"] == "702.82000000"
    assert by_bot["aggressive"]["realised_pnl"] == "9.40000000"
    assert by_bot["safe"]["realised_pnl"] == "-16.20000000"
    assert body["total_realised_pnl"] == "-6.80000000"
    assert by_bot["safe"]["open_trades"] == 1
    assert by_bot["safe"]["risk"]["losing_streak"] == 2
    assert by_bot["safe"]["risk"]["reduction"] == "0.5000"  # 0.005 of a configured 0.01
    assert by_bot["aggressive"]["win_rate"] == 1.0
    assert by_bot["safe"]["reallocated_in"] == "2.82000000"
    assert by_bot["aggressive"]["reallocated_out"] == "2.82000000"
    assert [r["amount"] for r in body["reallocations"]] == ["2.82000000"]
    assert body["mode"] == "paper"
    assert body["live_trading_enabled"] is False
    assert Decimal(by_bot["safe"]["risk"]["realised_today"]) == 0  # the trades closed days ago
    assert by_bot["safe"]["risk"]["daily_loss_limit"] == "70.28"  # 10% of 702.82
    assert body["limits"] == {
        "max_open_positions": 4,
        "max_positions_per_bot": 3,
        "max_exposure": "1",
        "max_bot_exposure": "1",
        "max_pair_exposure": "1",
        "daily_loss_limit": "0.10",
        "order_failures_to_pause": 3,
        "on_deep_streak": "quarter",
    }
    # the open ETH position has no stored candle yet: left out of the unrealised P&L, and said so
    assert Decimal(by_bot["safe"]["unrealised_pnl"]) == 0
    assert by_bot["safe"]["unpriced_positions"] == 1
    assert body["total_equity"] == "1000.00000000"
    assert Decimal(body["realised_today"]) == 0
    # equity 1006.80 at the start, +9.40 (peak 1016.20), -5.60, -10.60: 1000.00 now
    assert body["drawdown"] == {
        "current": "0.015942",
        "maximum": "0.015942",
        "peak_equity": "1016.20000000",
    }
    listed = (await api.get("viewer", "/api/portfolio/reallocations")).json()
    assert listed["count"] == 1
    assert listed["data"][0]["trigger_trade_id"] is not None


@pytest.mark.asyncio
async def test_bots_when_many_requests_run_concurrently_all_succeed(api: ApiHarness) -> None:
    answers = await asyncio.gather(*(api.get("viewer", "/api/bots") for _ in range(50)))
    assert {a.status_code for a in answers} == {200}
    assert {a.json()["count"] for a in answers} == {2}


@pytest.mark.asyncio
async def test_bots_when_no_runtime_beats_are_not_driven_whatever_their_status(
    api_any_db: ApiHarness,
) -> None:
    api = api_any_db

    async def safe() -> dict[str, object]:
        answer = await api.get("viewer", "/api/bots/safe")
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    never = await safe()
    assert (never["driven"], never["driven_since"], never["runtime"]) == (False, None, None)

    beating = Heartbeat(api.database, mode="paper", market="live BTC/USDT 1h from binance")
    beating.presence = dataclasses.replace(
        beating.presence, started_at=api.clock.now(), seen_at=api.clock.now()
    )
    await beating.write()
    driven = await safe()
    assert driven["driven"] is True
    assert driven["driven_since"] == driven["runtime"]["started_at"]  # type: ignore[index]
    assert driven["runtime"]["mode"] == "paper"  # type: ignore[index]
    assert (await api.get("viewer", "/api/bots")).json()["data"][0]["driven"] is True

    api.clock.advance(int(STALE_AFTER_S * 1000) + 1)  # the beats stopped: killed, or hung
    stale = await safe()
    assert (stale["driven"], stale["driven_since"]) == (False, None)
    assert stale["runtime"]["seen_at"] == driven["runtime"]["seen_at"]  # type: ignore[index]

    beating.presence = dataclasses.replace(
        beating.presence, seen_at=api.clock.now(), stopped_at=api.clock.now()
    )
    await beating.write()  # a clean stop is not driving either
    assert (await safe())["driven"] is False


@pytest.mark.asyncio
async def test_portfolio_when_a_candle_prices_the_open_position_marks_it_and_the_drawdown(
    api_any_db: ApiHarness,
) -> None:
    api = api_any_db
    stamps = np.array([1_700_000_000_000, 1_700_003_600_000], dtype=np.int64)
    closes = np.array([1990.0, 2100.5])
    await SqlCandleStore(api.database).write(
        exchange="binance",
        pair=Pair(base="ETH", quote="USDT"),
        timeframe=Timeframe.H1,
        candles=CandleArrays(stamps, closes, closes, closes, closes, np.ones(2)),
    )
    body = (await api.get("viewer", "/api/portfolio")).json()
    by_bot = {b["bot"]: b for b in body["bots"]}
    # 0.5 ETH bought at 2000, marked at the newest close 2100.5
    assert by_bot["safe"]["unrealised_pnl"] == "50.25000000"
    assert by_bot["safe"]["unpriced_positions"] == 0
    assert body["total_unrealised_pnl"] == "50.25000000"
    assert body["total_equity"] == "1050.25000000"
    assert body["drawdown"]["current"] == "0.000000"  # above the old peak
    assert body["drawdown"]["maximum"] == "0.015942"
    assert body["drawdown"]["peak_equity"] == "1050.25000000"


async def _write_closes(api: ApiHarness, exchange: str, symbol: str, *closes: float) -> None:
    stamps = 1_700_000_000_000 + 3_600_000 * np.arange(len(closes), dtype=np.int64)
    prices = np.array(closes)
    await SqlCandleStore(api.database).write(
        exchange=exchange,
        pair=Pair.parse(symbol),
        timeframe=Timeframe.H1,
        candles=CandleArrays(stamps, prices, prices, prices, prices, np.ones(len(closes))),
    )


@pytest.mark.asyncio
async def test_portfolio_prices_a_paper_position_from_its_symbols_candles_on_another_venue(
    api_any_db: ApiHarness,
) -> None:
    api = api_any_db
    # a paper run records its trades under ``paper``, its candles under their source
    async with UnitOfWork(api.database) as uow:
        paper = Trade(
            bot=BotKind.AGGRESSIVE,
            pair=Pair.parse("BTC/USDT"),
            quantity=Decimal("0.01"),
            entry_price=Decimal(30000),
            entry_time=api.clock.now(),
            fees=Decimal("0.3"),
        )
        await trades.add_trade(session=uow.session, trade=paper, exchange="paper")
        await uow.commit()
    await _write_closes(api, "binance", "BTC/USDT", 30500.0, 31000.0)
    # the binance ETH position: its own venue's close first, though kraken's candle is newer
    await _write_closes(api, "binance", "ETH/USDT", 1990.0, 2100.5)
    await _write_closes(api, "kraken", "ETH/USDT", 1.0, 2.0, 3.0)
    body = (await api.get("viewer", "/api/portfolio")).json()
    by_bot = {b["bot"]: b for b in body["bots"]}
    # (31000 - 30000) x 0.01 - 0.3 paid
    assert by_bot["aggressive"]["unrealised_pnl"] == "9.70000000"
    assert by_bot["aggressive"]["unpriced_positions"] == 0
    assert by_bot["safe"]["unrealised_pnl"] == "50.25000000"  # 0.5 x (2100.5 - 2000)
    assert body["total_unrealised_pnl"] == "59.95000000"


@pytest.mark.asyncio
async def test_portfolio_per_pair_splits_each_bots_results_and_open_positions(
    api_any_db: ApiHarness,
) -> None:
    body = (await api_any_db.get("viewer", "/api/portfolio")).json()
    by_bot = {b["bot"]: {p["pair"]: p for p in b["pairs"]} for b in body["bots"]}
    assert set(by_bot["safe"]) == {"BTC/USDT", "ETH/USDT"}
    btc, eth = by_bot["safe"]["BTC/USDT"], by_bot["safe"]["ETH/USDT"]
    assert (btc["closed_trades"], btc["open_trades"]) == (2, 0)
    assert Decimal(btc["realised_pnl"]) == Decimal("-16.2")  # the bot's whole P&L: BTC only
    assert Decimal(btc["fees"]) == Decimal("1.2")
    assert btc["win_rate"] == 0.0
    assert Decimal(btc["open_quantity"]) == 0
    assert (eth["closed_trades"], eth["open_trades"]) == (0, 1)
    assert Decimal(eth["open_quantity"]) == Decimal("0.5")
    assert Decimal(eth["open_notional"]) == Decimal(1000)  # 0.5 x 2000
    assert eth["win_rate"] is None
    assert list(by_bot["aggressive"]) == ["BTC/USDT"]
    assert Decimal(by_bot["aggressive"]["BTC/USDT"]["realised_pnl"]) == Decimal("9.4")
    # the pairs add up to the bot's figures
    for bot in body["bots"]:
        assert sum(Decimal(p["realised_pnl"]) for p in bot["pairs"]) == Decimal(bot["realised_pnl"])
        assert sum(p["open_trades"] for p in bot["pairs"]) == bot["open_trades"]
