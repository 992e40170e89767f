"""``cryptotrader pairs``: ``/config/pairs`` from a terminal, audited and published as the API's.

Without ``REDIS_URL`` the change is stored for the next start and the command says so; with it,
``PairChanged`` is on the runtime's ``commands`` stream, where a live runtime of another process
reads it (``LivePairs``; tests/integration/trading/test_run_pairs_change_live.py).
"""

from __future__ import annotations

import asyncio
import json
from typing import cast

import pytest
from redis import Redis

from cryptotrader.bus import topics
from cryptotrader.bus.codec import decode
from cryptotrader.bus.messages import PairChanged
from cryptotrader.bus.redis_streams import DEFAULT_PREFIX
from cryptotrader.config import load_settings
from cryptotrader.persistence import Database, UnitOfWork
from cryptotrader.persistence.repositories import audit
from tests.unit.cli.test_indicators_command import run

REDIS_DB = 14  # a logical database of its own: the runtime's stream names are fixed


def _pairs(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    code, out, err = run(["pairs", *args, "--json"], capsys)
    assert code == 0, err
    pairs: list[dict[str, object]] = json.loads(out)["pairs"]
    return pairs


def _audited() -> list[tuple[str, str, str | None, object]]:
    async def read() -> list[tuple[int, str, str, str | None, object]]:
        database = Database(load_settings().database_url)
        try:
            async with UnitOfWork(database) as uow:
                rows = [
                    *await audit.list_audit(session=uow.session, action="pair.create"),
                    *await audit.list_audit(session=uow.session, action="pair.update"),
                ]
            return sorted(
                (r.id, r.actor, r.action, r.target, (r.details or {})["after"]) for r in rows
            )
        finally:
            await database.dispose()

    return [row[1:] for row in asyncio.run(read())]


def test_pairs_adds_deactivates_and_activates_audited_and_says_it_waits_for_a_restart(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["pairs"], capsys)
    assert (code, out.strip()) == (0, "no pairs yet: add one with cryptotrader pairs add BTC/USDT")
    code, out, err = run(["pairs", "add", "sol/usdt"], capsys)
    assert code == 0, err
    assert "SOL/USDT" in out
    assert "stored; no message bus is configured (REDIS_URL)" in " ".join(out.split())
    (sol,) = _pairs(capsys, "add", "BTC-USDT", "--exchange", "kraken")[:1]
    assert (sol["exchange"], sol["symbol"], sol["is_active"]) == ("kraken", "BTC/USDT", True)
    deactivated = _pairs(capsys, "deactivate", "SOL/USDT")
    assert [(p["symbol"], p["is_active"]) for p in deactivated] == [("SOL/USDT", False)]
    assert [p["symbol"] for p in _pairs(capsys, "list", "--active")] == ["BTC/USDT"]
    sol_id = deactivated[0]["id"]
    assert [p["is_active"] for p in _pairs(capsys, "activate", str(sol_id))] == [True]
    listed = _pairs(capsys, "list")
    assert [(p["exchange"], p["symbol"], p["is_active"]) for p in listed] == [
        ("binance", "SOL/USDT", True),
        ("kraken", "BTC/USDT", True),
    ]
    target = f"pair:{sol_id}"
    created = {"exchange": "binance", "symbol": "SOL/USDT", "was_active": None}  # None: new
    assert [row for row in _audited() if row[2] == target] == [
        ("cli", "pair.create", target, created),
        ("cli", "pair.update", target, {"is_active": False}),
        ("cli", "pair.update", target, {"is_active": True}),
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["add", "SOL/USDT", "--exchange", "binanse"], "unknown exchange 'binanse'"),
        (["add", "SOL/USDT", "--exchange", "not an id"], "unknown exchange 'not an id'"),
        (["add", "??"], "not a trading pair: '??'"),
        (["activate", "ETH/USDT"], "no pair ETH/USDT on binance: add it first"),
        (["deactivate", "SOL/USDT", "--exchange", "kraken"], "no pair SOL/USDT on kraken"),
        (["deactivate", "99"], "no pair with id 99"),
        (["deactivate", "SOL/USDT", "-e", "binance", "-e", "kraken"], "takes one value"),
    ],
)
def test_pairs_refuses_bad_input_in_one_line_with_exit_2_and_records_nothing(
    capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    assert _pairs(capsys, "add", "SOL/USDT")[0]["is_active"] is True
    code, _, err = run(["pairs", *args], capsys)
    assert (code, err.count("\n")) == (2, 1), err
    assert err.startswith("error: ")
    assert says in err
    assert [(p["symbol"], p["is_active"]) for p in _pairs(capsys, "list")] == [("SOL/USDT", True)]
    assert [row[1] for row in _audited()] == ["pair.create"]


def test_pairs_with_redis_publishes_the_change_for_a_running_runtime(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, redis_url: str
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    code, out, err = run(["pairs", "add", "SOL/USDT"], capsys)
    assert code == 0, err
    assert "no message bus" not in out
    (sol,) = _pairs(capsys, "deactivate", "SOL/USDT")
    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        entries = client.xrange(DEFAULT_PREFIX + topics.COMMANDS) or []
    finally:
        client.close()
    published = [decode(topics.COMMANDS, cast("dict[str, str]", f)) for _, f in entries]
    assert all(isinstance(m, PairChanged) for m in published)
    assert [
        (m.exchange, m.pair.symbol, m.active, m.requested_by)
        for m in published
        if isinstance(m, PairChanged)
    ] == [("binance", "SOL/USDT", True, "cli"), ("binance", "SOL/USDT", False, "cli")]
    assert sol["is_active"] is False
