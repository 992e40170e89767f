"""``/ws``: live events for the app and the Discord bot.

Handshake: the ``Origin`` (sent by every browser) must be the API's own (the app served at ``/``)
or in the CORS allow-list, otherwise the socket is refused before it opens. Authentication
never puts a token in the URL: send an ``Authorization: Bearer`` header on the handshake
(programs), or, after the socket opens, a first message within 10 s:
``{"type": "auth", "token": "<access or service token>"}`` or
``{"type": "auth", "ticket": "<from POST /auth/ws-ticket>"}`` (single use, 30 s).

Then: ``{"type": "subscribe", "topics": ["prices", "alerts"]}``, ``unsubscribe`` likewise,
``{"type": "ping"}``. Every event frame carries a ``cursor``; a client that reconnects sends
``{"type": "subscribe", "topics": ["alerts"], "resume": {"alerts": "<last cursor>"}}`` and first
receives the retained events it missed, then ``{"type": "replayed", ...}``, then live ones.

The server sends ``{"type": "welcome", ...}``, ``{"type": "subscribed", "topics": [...]}``,
``{"type": "event", "topic": ..., "cursor": ..., "data": <bus message>}``,
``{"type": "replayed", "topic": ..., "count": ..., "cursor": ..., "gap": ...}``,
``{"type": "pong"}`` and ``{"type": "error", "detail": ...}``. Close codes: 1008 policy
(origin, authentication, permission, rate limit, and a credential revoked while the socket is
open), 1013 the client fell too far behind.

An open socket lives as long as its login session (or service token), not its access token:
the credential is checked again every ``RECHECK_S`` seconds and at once when this process
revokes one (logout, password change, deactivation, token revocation), and the socket is
closed when it no longer holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from fastapi import WebSocket, WebSocketDisconnect
from pydantic import ValidationError

from cryptotrader.api.container import Services
from cryptotrader.api.ws.frames import (
    WS_TOPICS,
    ErrorFrame,
    PongFrame,
    SubscribedFrame,
    SubscribeFrame,
    WelcomeFrame,
)
from cryptotrader.api.ws.hub import Client
from cryptotrader.errors import AuthenticationFailed, TraderError
from cryptotrader.services.context import Actor, Permission

log = logging.getLogger(__name__)
AUTH_TIMEOUT_S = 10.0
RECHECK_S = 15.0
"""Seconds between checks that an open socket's credential still holds."""
POLICY = 1008
TOO_SLOW = 1013
CLOSE_WAIT_S = 1.0
"""How long a close waits for the peer to take the close frame: a stalled peer may never."""


async def websocket_endpoint(websocket: WebSocket) -> None:
    """Live events (see the module docstring for the protocol)."""
    services: Services = websocket.app.state.services
    origin = websocket.headers.get("origin")
    if origin is not None and not _origin_allowed(origin, websocket, services):
        await websocket.close(code=POLICY, reason="origin not allowed")
        return
    await websocket.accept()
    actor = await _authenticate(websocket, services)
    if actor is None:
        return
    client = services.hub.connect(actor.user_id)
    try:
        welcome = WelcomeFrame(user=actor.name, topics=sorted(WS_TOPICS))
        await websocket.send_text(welcome.model_dump_json())
        await _serve(websocket, client, services, actor)
    finally:
        services.hub.disconnect(client)


def _origin_allowed(origin: str, websocket: WebSocket, services: Services) -> bool:
    """The allow-list, or the socket's own origin (the page came from this server)."""
    if origin in services.settings.api.cors_origins:
        return True
    host = websocket.headers.get("host")
    return host is not None and urlsplit(origin).netloc == host


async def _authenticate(websocket: WebSocket, services: Services) -> Actor | None:
    try:
        header = websocket.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            actor = await services.auth.authenticate(header[7:].strip())
        else:
            async with asyncio.timeout(AUTH_TIMEOUT_S):
                first = await websocket.receive_json()
            actor = await _first_message(first, services)
        actor.require(Permission.READ)
    except (TraderError, TimeoutError, ValueError, KeyError, TypeError) as exc:
        reason = str(exc) if isinstance(exc, TraderError) else "authentication required"
        await _close(websocket, POLICY, reason)
        return None
    except WebSocketDisconnect:
        return None
    return actor


async def _first_message(first: Any, services: Services) -> Actor:
    if not isinstance(first, dict) or first.get("type") != "auth":
        raise ValueError("the first message must be {'type': 'auth', ...}")
    if isinstance(first.get("ticket"), str):
        return await services.auth.redeem_ws_ticket(first["ticket"])
    if isinstance(first.get("token"), str):
        return await services.auth.authenticate(first["token"])
    raise ValueError("auth needs a 'token' or a 'ticket'")


async def _serve(websocket: WebSocket, client: Client, services: Services, actor: Actor) -> None:
    sender = asyncio.create_task(_send(websocket, client))
    receiver = asyncio.create_task(_receive(websocket, client, services))
    dropped = asyncio.create_task(client.dropped.wait())
    revoked = asyncio.create_task(_watch(services, actor))
    tasks = (sender, receiver, dropped, revoked)
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if revoked in done:
        await _close(websocket, POLICY, revoked.result())
    elif dropped in done:
        await _close(websocket, TOO_SLOW, "too slow: events were dropped")


async def _watch(services: Services, actor: Actor) -> str:
    """Return why the socket must close once its credential no longer holds."""
    while True:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(RECHECK_S):
                await services.auth.revoked()
        try:
            await services.auth.recheck(actor)
        except AuthenticationFailed as exc:  # revoked, deactivated, expired
            return str(exc)
        except Exception:  # the database did not answer: keep the socket, check again later
            log.warning("re-checking a WebSocket's credential failed", exc_info=True)


async def _send(websocket: WebSocket, client: Client) -> None:
    while True:
        frame = await client.queue.get()
        await websocket.send_text(frame)


async def _receive(websocket: WebSocket, client: Client, services: Services) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            text = await websocket.receive_text()
            resume: dict[str, str] = {}
            reply = _handle(text, client, resume)
            await client.queue.put(reply.model_dump_json())
            for topic, after in resume.items():
                replayed = await services.hub.replay(client, topic, after)
                await client.queue.put(replayed.model_dump_json())


def _handle(
    text: str, client: Client, resume: dict[str, str]
) -> ErrorFrame | PongFrame | SubscribedFrame:
    """Apply one client frame; fills ``resume`` with the topics to replay (held from now)."""
    try:
        message = json.loads(text)
        kind = message["type"]
    except (ValueError, KeyError, TypeError):
        return ErrorFrame(detail="messages are JSON objects with a 'type'")
    if kind == "ping":
        return PongFrame()
    if kind not in ("subscribe", "unsubscribe"):
        return ErrorFrame(detail=f"unknown message type {kind!r}")
    wanted = _topics(message)
    if isinstance(wanted, ErrorFrame):
        return wanted
    refused = _resume(message, wanted, client, resume) if kind == "subscribe" else None
    if refused is not None:
        return refused
    if kind == "subscribe":
        client.topics.update(wanted)
    else:
        client.topics.difference_update(wanted)
    return SubscribedFrame(topics=sorted(client.topics))


def _topics(message: Any) -> list[str] | ErrorFrame:
    wanted = message.get("topics")
    if not isinstance(wanted, list) or not all(isinstance(t, str) for t in wanted):
        return ErrorFrame(detail="'topics' must be a list of topic names")
    unknown = sorted(set(wanted) - set(WS_TOPICS))
    if unknown:
        return ErrorFrame(detail=f"unknown topics {unknown}; known: {sorted(WS_TOPICS)}")
    return wanted


def _resume(
    message: Any, wanted: list[str], client: Client, resume: dict[str, str]
) -> ErrorFrame | None:
    """Hold the live events of the topics to resume (replayed once subscribed)."""
    try:
        asked = SubscribeFrame.model_validate(message).resume or {}
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return ErrorFrame(detail=f"invalid subscribe ({where}): {first['msg']}")
    outside = sorted(set(asked) - set(wanted))
    if outside:
        return ErrorFrame(detail=f"resume names topics not subscribed: {outside}")
    for topic, after in asked.items():
        client.held[topic] = []
        resume[topic] = after
    return None


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(Exception):
        async with asyncio.timeout(CLOSE_WAIT_S):
            await websocket.close(code=code, reason=reason[:120])
