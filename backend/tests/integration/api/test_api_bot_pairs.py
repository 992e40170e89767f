"""``/api/bots/{bot}/pairs``: the pairs a bot opens positions on, validated, audited, published."""

from __future__ import annotations

import pytest

from cryptotrader.bus import topics
from cryptotrader.bus.messages import BotPairsChanged
from cryptotrader.persistence import UnitOfWork
from cryptotrader.persistence.repositories.audit import list_audit
from tests.integration.api.harness import ApiHarness, Recorder, wait_for


@pytest.mark.asyncio
async def test_pairs_when_chosen_are_stored_audited_published_and_shown(
    api_any_db: ApiHarness,
) -> None:
    api = api_any_db
    recorder = Recorder()
    await api.bus.subscribe(topics.COMMANDS, group="test", consumer="t", handler=recorder.handler)
    before = await api.get("viewer", "/api/bots/safe/pairs")
    assert before.status_code == 200, before.text
    assert before.json() == {
        "bot": "safe",
        "chosen": None,
        "default": None,
        "trading": ["BTC/USDT", "ETH/USDT"],  # every active pair of /config/pairs
    }
    answer = await api.put("trader", "/api/bots/safe/pairs", json={"pairs": ["eth/usdt"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["chosen"] == ["ETH/USDT"]
    assert answer.json()["trading"] == ["ETH/USDT"]
    assert (await api.get("viewer", "/api/bots/safe")).json()["pairs"] == ["ETH/USDT"]
    assert (await api.get("viewer", "/api/bots/aggressive")).json()["pairs"] is None
    cleared = await api.put("trader", "/api/bots/safe/pairs", json={"pairs": None})
    assert cleared.json()["chosen"] is None
    assert cleared.json()["trading"] == ["BTC/USDT", "ETH/USDT"]

    async def two() -> bool:
        return len(recorder.messages.get(topics.COMMANDS, [])) == 2

    await wait_for(two)
    sent = [m for m in recorder.messages[topics.COMMANDS] if isinstance(m, BotPairsChanged)]
    assert [
        (m.bot, None if m.pairs is None else [p.symbol for p in m.pairs], m.requested_by)
        for m in sent
    ] == [("safe", ["ETH/USDT"], "trader"), ("safe", None, "trader")]
    async with UnitOfWork(api.database) as uow:
        rows = await list_audit(session=uow.session, action="bot.pairs")
    assert [(r.actor, r.target) for r in rows] == [("trader", "bot:safe")] * 2
    changes = sorted(
        ((r.id, (r.details or {})["before"], (r.details or {})["after"]) for r in rows),
    )
    assert [change[1:] for change in changes] == [
        ({"pairs": None}, {"pairs": ["ETH/USDT"]}),
        ({"pairs": ["ETH/USDT"]}, {"pairs": None}),
    ]


@pytest.mark.asyncio
async def test_pairs_when_unknown_empty_malformed_or_from_a_viewer_are_refused(
    api: ApiHarness,
) -> None:
    unknown = await api.put("trader", "/api/bots/safe/pairs", json={"pairs": ["XRP/USDT"]})
    assert unknown.status_code == 422, unknown.text
    (error,) = unknown.json()["detail"]
    assert error["loc"] == ["body", "pairs"]
    assert "unknown pair XRP/USDT" in error["msg"]
    assert "known: BTC/USDT, ETH/USDT" in error["msg"]
    empty = await api.put("trader", "/api/bots/safe/pairs", json={"pairs": []})
    assert empty.status_code == 422
    assert "at least one pair" in empty.json()["detail"][0]["msg"]
    malformed = await api.put("trader", "/api/bots/safe/pairs", json={"pairs": ["BTC/"]})
    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["loc"] == ["body", "pairs"]
    assert "not a trading pair" in malformed.json()["detail"][0]["msg"]
    viewer = await api.put("viewer", "/api/bots/safe/pairs", json={"pairs": None})
    assert viewer.status_code == 403
    nobody = await api.put("trader", "/api/bots/nope/pairs", json={"pairs": None})
    assert nobody.status_code == 422
    missing = await api.put("trader", "/api/bots/safe/pairs", json={})
    assert missing.status_code == 422
    assert (await api.get("viewer", "/api/bots/safe")).json()["pairs"] is None  # nothing stored
    async with UnitOfWork(api.database) as uow:
        assert await list_audit(session=uow.session, action="bot.pairs") == []
