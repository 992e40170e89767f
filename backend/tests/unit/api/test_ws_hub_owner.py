"""Events that name a user (optimisation progress) reach that user's sockets only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cryptotrader.api.metrics import ApiMetrics
from cryptotrader.api.ws.hub import Hub
from cryptotrader.bus import InProcessBus, topics
from cryptotrader.bus.messages import AlertRaised, OptimizationProgress
from cryptotrader.bus.protocol import Delivery
from cryptotrader.services.ephemeral import MemoryStore
from cryptotrader.services.latest_events import LatestEvents


@pytest.mark.asyncio
async def test_hub_when_event_names_a_user_delivers_it_to_that_user_only() -> None:
    bus = InProcessBus()
    hub = Hub(
        bus=bus, latest=LatestEvents(), metrics=ApiMetrics(), queue_size=8, store=MemoryStore()
    )
    alice, bob, anonymous = hub.connect(1), hub.connect(2), hub.connect()
    for client in (alice, bob, anonymous):
        client.topics.update({"optimizations", "alerts"})
    progress = OptimizationProgress(
        timestamp=datetime.now(UTC), job_id=7, user_id=1, status="running", trials_done=3,
        trials_total=10,
    )  # fmt: skip
    await hub._on_event(Delivery(topics.OPTIMIZATIONS, "g", "1-0", progress, 1))
    assert alice.queue.qsize() == 1
    assert '"job_id":7' in alice.queue.get_nowait()
    assert bob.queue.empty()
    assert anonymous.queue.empty()
    alert = AlertRaised(timestamp=datetime.now(UTC), kind="k", text="for everyone")
    await hub._on_event(Delivery(topics.ALERTS, "g", "2-0", alert, 1))
    assert alice.queue.qsize() == bob.queue.qsize() == anonymous.queue.qsize() == 1
    await bus.close()
