"""``/ws`` on a real uvicorn server on 127.0.0.1: auth, origin, subscriptions, fan-out, drops."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn
from sqlalchemy import text
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as _connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from cryptotrader.api.app import create_app
from cryptotrader.bus import InProcessBus, topics
from cryptotrader.bus.messages import AlertRaised, BotReconfigured, CandleClosed, ControlBot
from cryptotrader.clock import TestClock
from cryptotrader.domain.timeframes import Timeframe
from cryptotrader.persistence import Database
from tests.integration.api.harness import BTC, PASSWORDS, make_settings
from tests.integration.conftest import FAST

ORIGIN = "https://app.example"
LOADED_S = 60
"""HTTP timeout of the test's own requests (a login hashes with Argon2: slow on a busy machine)."""


def connect(uri: str, **kwargs: Any) -> _connect:
    """websockets' ``connect`` with a long opening handshake (its default, 10 s, is a speed check:
    a loaded machine, or a second pytest-xdist worker beside the server, is slow, not wrong)."""
    kwargs.setdefault("open_timeout", 120)
    return _connect(uri, **kwargs)


@dataclass
class LiveServer:
    base: str
    ws: str
    bus: InProcessBus
    app: Any

    async def token(self, who: str) -> str:
        async with httpx.AsyncClient(base_url=self.base, timeout=LOADED_S) as client:
            answer = await client.post(
                "/auth/login", json={"username": who, "password": PASSWORDS[who]}
            )
            return str(answer.json()["access_token"])

    async def ticket(self, who: str) -> str:
        token = await self.token(who)
        async with httpx.AsyncClient(base_url=self.base, timeout=LOADED_S) as client:
            answer = await client.post(
                "/auth/ws-ticket", headers={"Authorization": f"Bearer {token}"}
            )
            return str(answer.json()["ticket"])


@pytest_asyncio.fixture
async def server(sqlite_db: Database, clock: TestClock) -> AsyncIterator[LiveServer]:
    bus = InProcessBus(clock=clock, options=FAST)
    app = create_app(make_settings(ws_queue_size=64), database=sqlite_db, bus=bus, clock=clock)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    instance = uvicorn.Server(config)
    task = asyncio.create_task(instance.serve())
    async with asyncio.timeout(60):
        while not instance.started:  # noqa: ASYNC110 - polls state owned by another component
            await asyncio.sleep(0.02)
    port = instance.servers[0].sockets[0].getsockname()[1]
    yield LiveServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws", bus, app)
    instance.should_exit = True
    await asyncio.wait_for(task, 60)
    await bus.close()


async def _open(server: LiveServer, first: dict[str, Any], **kwargs: Any) -> ClientConnection:
    socket = await connect(server.ws, origin=ORIGIN, **kwargs)
    await socket.send(json.dumps(first))
    welcome = json.loads(await socket.recv())
    assert welcome["type"] == "welcome", welcome
    return socket


async def _subscribe(socket: ClientConnection, *wanted: str) -> None:
    await socket.send(json.dumps({"type": "subscribe", "topics": list(wanted)}))
    reply = json.loads(await socket.recv())
    assert reply == {"type": "subscribed", "topics": sorted(wanted)}


def _alert(clock: TestClock, number: int, size: int = 10) -> AlertRaised:
    return AlertRaised(timestamp=clock.now(), kind="test", text=f"{number}:" + "x" * size)


@pytest.mark.asyncio
async def test_ws_when_origin_is_not_allowed_is_refused_at_the_handshake(
    server: LiveServer,
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await connect(server.ws, origin="https://evil.example")
    assert refused.value.response.status_code == 403


@pytest.mark.asyncio
async def test_ws_from_the_app_served_by_this_server_is_accepted(server: LiveServer) -> None:
    own = server.base  # the page came from this server: same scheme, host and port
    socket = await connect(server.ws, origin=own)
    await socket.send(json.dumps({"type": "auth", "ticket": await server.ticket("viewer")}))
    assert json.loads(await socket.recv())["type"] == "welcome"
    await socket.close()
    port = server.base.rsplit(":", 1)[1]
    with pytest.raises(InvalidStatus):  # another port on the same host is another origin
        await connect(server.ws, origin=f"http://127.0.0.1:{int(port) + 1}")


@pytest.mark.asyncio
async def test_ws_when_not_authenticated_closes_with_policy_violation(
    server: LiveServer,
) -> None:
    for first in ({"type": "subscribe", "topics": ["alerts"]}, {"type": "auth", "token": "bad"}):
        socket = await connect(server.ws, origin=ORIGIN)
        await socket.send(json.dumps(first))
        with pytest.raises(ConnectionClosed) as closed:
            await socket.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1008


@pytest.mark.asyncio
async def test_ws_when_ticket_is_used_twice_the_second_is_refused(
    server: LiveServer, clock: TestClock
) -> None:
    ticket = await server.ticket("viewer")
    socket = await _open(server, {"type": "auth", "ticket": ticket})
    await _subscribe(socket, "alerts")
    await server.bus.publish(topics.ALERTS, _alert(clock, 1))
    event = json.loads(await asyncio.wait_for(socket.recv(), 60))
    assert event["type"] == "event"
    assert event["topic"] == "alerts"
    assert event["data"]["text"].startswith("1:")
    await socket.close()
    again = await connect(server.ws, origin=ORIGIN)
    await again.send(json.dumps({"type": "auth", "ticket": ticket}))
    with pytest.raises(ConnectionClosed) as closed:
        await again.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1008


@pytest.mark.asyncio
async def test_ws_when_subscribed_receives_only_its_topics_from_the_bus(
    server: LiveServer, clock: TestClock
) -> None:
    token = await server.token("viewer")
    prices = await _open(server, {"type": "auth", "token": token})
    await _subscribe(prices, "prices")
    header = await connect(  # a program authenticates with a header, no first message
        server.ws, additional_headers={"Authorization": f"Bearer {token}"}
    )
    assert json.loads(await header.recv())["type"] == "welcome"
    await _subscribe(header, "alerts")
    candle = CandleClosed(
        timestamp=clock.now(),
        exchange="binance",
        pair=BTC,
        timeframe=Timeframe.H1,
        open_time=clock.now(),
        open=Decimal(1),
        high=Decimal(2),
        low=Decimal("0.5"),
        close=Decimal("1.5"),
        volume=Decimal(10),
    )
    await server.bus.publish(topics.CANDLES, candle)
    await server.bus.publish(topics.ALERTS, _alert(clock, 2))
    got_price = json.loads(await asyncio.wait_for(prices.recv(), 60))
    got_alert = json.loads(await asyncio.wait_for(header.recv(), 60))
    assert got_price["topic"] == "prices"
    assert got_price["data"]["close"] == "1.5"
    assert got_alert["topic"] == "alerts"
    await prices.send(json.dumps({"type": "ping"}))
    assert json.loads(await asyncio.wait_for(prices.recv(), 60)) == {"type": "pong"}  # no alert
    await prices.send(json.dumps({"type": "subscribe", "topics": ["nope"]}))
    assert json.loads(await prices.recv())["type"] == "error"
    await prices.close()
    await header.close()


async def _stalled_client(
    server: LiveServer, token: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A WebSocket client written by hand that subscribes to alerts and then never reads.

    Its receive buffer is small, so the server's socket fills after a few MB at most.
    """
    port = int(server.base.rsplit(":", 1)[1])
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16_384)
    raw.setblocking(False)
    await asyncio.get_running_loop().sock_connect(raw, ("127.0.0.1", port))
    reader, writer = await asyncio.open_connection(sock=raw)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Authorization: Bearer {token}\r\n\r\n"
        ).encode()
    )
    assert b" 101 " in await reader.readuntil(b"\r\n\r\n")
    payload = json.dumps({"type": "subscribe", "topics": ["alerts"]}).encode()
    mask = os.urandom(4)
    masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
    writer.write(bytes([0x81, 0x80 | len(payload)]) + mask + masked)
    await writer.drain()
    seen = b""
    while b"subscribed" not in seen:  # welcome, then the subscription's answer
        seen += await reader.read(1024)
    return reader, writer  # the writer must live on: dropping it closes the connection


@pytest.mark.asyncio
async def test_ws_when_a_client_is_slow_it_is_dropped_and_the_fast_one_gets_everything(
    server: LiveServer, clock: TestClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptotrader.api.ws import endpoint

    # the server gives a dropped client's close frame 1 s to leave; this test reads it, but a
    # loaded machine may take longer than that to drain the megabytes before it
    monkeypatch.setattr(endpoint, "CLOSE_WAIT_S", 120.0)
    token = await server.token("viewer")
    fast = await _open(server, {"type": "auth", "token": token})
    await _subscribe(fast, "alerts")
    stalled, keep_open = await _stalled_client(server, token)
    count = 300
    received: list[str] = []

    async def read_fast() -> None:
        while len(received) < count:
            received.append(json.loads(await fast.recv())["data"]["text"].split(":")[0])

    reader = asyncio.create_task(read_fast())
    metrics = server.app.state.services.metrics
    tail = b""

    async def read_stalled() -> None:
        """Once dropped: what was buffered, then the close frame."""
        nonlocal tail
        while chunk := await stalled.read(1 << 20):
            tail = (tail + chunk)[-64:]

    drain: asyncio.Task[None] | None = None
    for number in range(count):  # ~15 MB: more than the stalled socket can hold
        await server.bus.publish(topics.ALERTS, _alert(clock, number, size=50_000))
        if drain is None and metrics.ws_dropped._value.get():
            drain = asyncio.create_task(read_stalled())
        if number % 10 == 9:  # a live feed that the fast client keeps up with, however slow the
            async with asyncio.timeout(120):  # machine: never more than half its queue behind
                while len(received) <= number - 32:  # noqa: ASYNC110 - read by another task
                    await asyncio.sleep(0.005)
    async with asyncio.timeout(120):  # the last frames may be what drops it
        while not metrics.ws_dropped._value.get():  # noqa: ASYNC110 - the hub's counter
            await asyncio.sleep(0.005)
    drain = drain or asyncio.create_task(read_stalled())
    await asyncio.wait_for(reader, 120)
    assert received == [str(n) for n in range(count)]
    assert metrics.ws_dropped._value.get() == 1
    assert server.app.state.services.hub.clients == 1
    await asyncio.wait_for(drain, 120)
    assert b"\x88" in tail
    assert (1013).to_bytes(2, "big") in tail
    keep_open.close()
    await fast.close()


async def _read_until_closed(socket: ClientConnection) -> None:
    while True:
        await socket.recv()


async def _closed_code(socket: ClientConnection) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(_read_until_closed(socket), 60)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


@pytest.mark.asyncio
async def test_ws_when_its_session_logs_out_it_is_closed_at_once(server: LiveServer) -> None:
    token = await server.token("viewer")
    socket = await _open(server, {"type": "auth", "token": token})
    other = await _open(server, {"type": "auth", "token": await server.token("viewer")})
    async with httpx.AsyncClient(base_url=server.base, timeout=LOADED_S) as client:
        answer = await client.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 204
    assert await _closed_code(socket) == (1008, "session revoked")
    await other.send(json.dumps({"type": "ping"}))  # another login session of the same user
    assert json.loads(await asyncio.wait_for(other.recv(), 60)) == {"type": "pong"}
    await other.close()


@pytest.mark.asyncio
async def test_ws_when_revoked_by_another_process_is_closed_at_the_next_check(
    server: LiveServer, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptotrader.api.ws import endpoint

    monkeypatch.setattr(endpoint, "RECHECK_S", 0.2)
    async with httpx.AsyncClient(base_url=server.base, timeout=LOADED_S) as client:
        login = await client.post(
            "/auth/login", json={"username": "admin", "password": PASSWORDS["admin"]}
        )
        created = await client.post(
            "/auth/tokens",
            json={"name": "discord", "scopes": ["read"]},
            headers={"Authorization": f"Bearer {login.json()['access_token']}"},
        )
    assert created.status_code == 201, created.text
    socket = await _open(server, {"type": "auth", "token": created.json()["token"]})
    async with sqlite_db.engine.begin() as connection:  # as another API process would
        await connection.execute(
            text("UPDATE service_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE id = :id"),
            {"id": created.json()["id"]},
        )
    assert await _closed_code(socket) == (1008, "service token revoked")


# --- resume: a client that reconnects with the cursor of the last event it handled gets what
# it missed, in order, then live events, and never one twice.


async def _next(socket: ClientConnection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), 60))
    return frame


async def _texts(socket: ClientConnection, count: int) -> list[tuple[str, str]]:
    frames = [await _next(socket) for _ in range(count)]
    assert all(frame["type"] == "event" for frame in frames), frames
    return [(frame["cursor"], frame["data"]["text"]) for frame in frames]


@pytest.mark.asyncio
async def test_ws_resume_replays_what_was_missed_then_live_events_once(
    server: LiveServer, clock: TestClock
) -> None:
    token = await server.token("viewer")
    first = await _open(server, {"type": "auth", "token": token})
    await first.send(json.dumps({"type": "subscribe", "topics": ["alerts"]}))
    assert (await _next(first))["type"] == "subscribed"
    ids = [await server.bus.publish(topics.ALERTS, _alert(clock, n, 1)) for n in range(2)]
    seen = await _texts(first, 2)
    assert [cursor for cursor, _ in seen] == ids
    await first.close()

    missed = [await server.bus.publish(topics.ALERTS, _alert(clock, n, 1)) for n in range(2, 5)]
    again = await _open(server, {"type": "auth", "token": token})
    resume = {"type": "subscribe", "topics": ["alerts"], "resume": {"alerts": seen[-1][0]}}
    await again.send(json.dumps(resume))
    assert await _next(again) == {"type": "subscribed", "topics": ["alerts"]}
    replayed = await _texts(again, 3)
    assert replayed == [(cursor, f"{n}:x") for n, cursor in zip(range(2, 5), missed, strict=True)]
    done = await _next(again)
    assert done == {
        "type": "replayed",
        "topic": "alerts",
        "count": 3,
        "cursor": missed[-1],
        "gap": False,
    }
    live = await server.bus.publish(topics.ALERTS, _alert(clock, 5, 1))
    assert await _texts(again, 1) == [(live, "5:x")]
    await again.send(json.dumps({"type": "ping"}))
    assert (await _next(again))["type"] == "pong"  # nothing was sent twice before it
    await again.close()


@pytest.mark.asyncio
async def test_ws_resume_while_events_keep_coming_misses_none_and_repeats_none(
    server: LiveServer, clock: TestClock
) -> None:
    token = await server.token("viewer")
    before = [await server.bus.publish(topics.ALERTS, _alert(clock, n, 1)) for n in range(50)]
    socket = await _open(server, {"type": "auth", "token": token})
    resume = {"type": "subscribe", "topics": ["alerts"], "resume": {"alerts": before[9]}}
    await socket.send(json.dumps(resume))

    async def keep_publishing() -> None:
        for n in range(50, 100):
            await server.bus.publish(topics.ALERTS, _alert(clock, n, 1))
            await asyncio.sleep(0)

    publisher = asyncio.create_task(keep_publishing())
    texts: list[str] = []
    async with asyncio.timeout(120):
        while len(texts) < 90:
            frame = await _next(socket)
            if frame["type"] == "event":
                texts.append(frame["data"]["text"])
    await publisher
    assert texts == [f"{n}:x" for n in range(10, 100)]
    await socket.send(json.dumps({"type": "ping"}))
    while (frame := await _next(socket))["type"] != "pong":
        assert frame["type"] in ("subscribed", "replayed"), frame
    await socket.close()


@pytest.mark.asyncio
async def test_ws_resume_with_a_bad_cursor_or_an_unsubscribed_topic_is_an_error_frame(
    server: LiveServer,
) -> None:
    socket = await _open(server, {"type": "auth", "token": await server.token("viewer")})
    await socket.send(
        json.dumps({"type": "subscribe", "topics": ["alerts"], "resume": {"alerts": "soon"}})
    )
    refused = await _next(socket)
    assert refused["type"] == "error"
    assert "resume.alerts" in refused["detail"]
    await socket.send(
        json.dumps({"type": "subscribe", "topics": ["alerts"], "resume": {"trades": "1-0"}})
    )
    assert (await _next(socket))["detail"] == "resume names topics not subscribed: ['trades']"
    await socket.close()


@pytest.mark.asyncio
async def test_ws_bot_status_carries_controls_never_the_engines_strategy_changes(
    server: LiveServer, clock: TestClock
) -> None:
    """``commands`` also carries ``BotReconfigured`` to the indicator engine: not a /ws event."""
    socket = await _open(server, {"type": "auth", "token": await server.token("viewer")})
    await _subscribe(socket, "bot_status")
    internal = BotReconfigured(
        timestamp=clock.now(), bot="aggressive", strategy="sma_cross", requested_by="alice"
    )
    await server.bus.publish(topics.COMMANDS, internal)
    control = ControlBot(timestamp=clock.now(), bot="safe", action="pause", requested_by="bob")
    await server.bus.publish(topics.COMMANDS, control)
    got = json.loads(await asyncio.wait_for(socket.recv(), 60))
    assert (got["topic"], got["data"]["type"]) == ("bot_status", "control_bot")
    await socket.send(
        json.dumps({"type": "subscribe", "topics": ["bot_status"], "resume": {"bot_status": "0-0"}})
    )
    frames: list[dict[str, Any]] = []
    while not frames or frames[-1]["type"] != "replayed":
        frames.append(json.loads(await asyncio.wait_for(socket.recv(), 60)))
    events = [f["data"]["type"] for f in frames if f["type"] == "event"]
    assert events == ["control_bot"]  # the replay skips it too
    await socket.close()
