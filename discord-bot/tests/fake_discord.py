"""A local server on 127.0.0.1 that speaks Discord's REST API (v10) and gateway protocol.

Enough of both for discord.py's real client: login (``/users/@me``), command registration,
the gateway (hello, identify, ready, guild create, heartbeat ack, resume, dispatch of
``INTERACTION_CREATE``), interaction callbacks (with ``with_response``), follow-ups and edits,
channel messages and webhooks, JSON or multipart (attachments). Every message it receives is
recorded in ``messages`` and appended to ``capture`` (one JSON document per line), so a test
reads the embeds as a Discord user would see them.

Rate limits, as Discord applies them, when ``limit_messages(count, per_s)`` switched them on:
each channel's and each webhook's message route is a bucket of ``count`` messages per ``per_s``
seconds; every answer carries ``X-RateLimit-Limit / -Remaining / -Reset / -Reset-After /
-Bucket / -Scope``, and a message over the limit is refused with 429, ``Retry-After``, ``Via``
(discord.py takes a 429 without it for a Cloudflare ban) and the JSON body ``{"message",
"retry_after", "global"}``. ``refuse_globally(n)`` answers the next ``n`` message requests with
the global 429 (``X-RateLimit-Global: true``). A refused message is not recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import math
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

APP_ID = 900000000000000001
BOT_ID = APP_ID
GUILD_ID = 900000000000000010
CHANNEL_ID = 900000000000000020
ALERT_CHANNEL_ID = 900000000000000021
VIEWER_ROLE = 900000000000000030
OPERATOR_ROLE = 900000000000000031
WEBHOOK_ID = 900000000000000040
WEBHOOK_TOKEN = "webhook-token-abc"
TIMESTAMP = "2026-12-04T12:00:00.000000+00:00"
_ids = itertools.count(910000000000000000)


def snowflake() -> str:
    """A new unique id."""
    return str(next(_ids))


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    """A Discord user object."""
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


@dataclass
class Captured:
    """One message the bot sent: where (``kind``, ``channel_id``) and what."""

    kind: str
    path: str
    body: dict[str, Any]
    files: list[str] = field(default_factory=list)
    id: str = field(default_factory=snowflake)

    @property
    def embeds(self) -> list[dict[str, Any]]:
        """The embeds of the message (of the ``data`` of an interaction callback)."""
        data = self.body.get("data", self.body) if self.kind == "callback" else self.body
        return list((data or {}).get("embeds") or [])

    @property
    def content(self) -> str:
        """The text of the message."""
        data = self.body.get("data", self.body) if self.kind == "callback" else self.body
        return str((data or {}).get("content") or "")

    @property
    def flags(self) -> int:
        """Message flags (64: ephemeral)."""
        data = self.body.get("data", self.body) if self.kind == "callback" else self.body
        return int((data or {}).get("flags") or 0)


class FakeDiscord:
    """The server. ``start()`` binds a free port; ``api``/``gateway`` are its URLs."""

    def __init__(self, capture: Path, *, guild_locale: str = "en-US") -> None:
        self.capture = capture
        self.guild_locale = guild_locale
        self.messages: list[Captured] = []
        self.commands: list[dict[str, Any]] = []
        self.identified = asyncio.Event()
        self.changed = asyncio.Event()
        self._sockets: list[web.WebSocketResponse] = []
        self._seq = 0
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.heartbeats = 0
        self._limit: tuple[int, float] | None = None
        self._hits: dict[str, deque[float]] = {}
        self._global_refusals = 0
        self.refused: list[tuple[str, bool]] = []
        """Every 429 answered: (path, global)."""
        self.received: list[tuple[float, Captured]] = []
        """Each recorded message with the wall-clock time it arrived (benchmarks)."""

    def limit_messages(self, count: int, per_s: float) -> None:
        """Rate-limit each channel's and webhook's messages: ``count`` per ``per_s`` seconds."""
        self._limit = (count, per_s)

    def refuse_globally(self, count: int) -> None:
        """Answer the next ``count`` message requests with Discord's global 429."""
        self._global_refusals = count

    @property
    def api(self) -> str:
        """The REST base URL (what ``DISCORD_API_URL`` takes)."""
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway(self) -> str:
        """The gateway URL (what ``DISCORD_GATEWAY_URL`` takes)."""
        return f"ws://127.0.0.1:{self.port}/gateway/"

    @property
    def webhook_url(self) -> str:
        """A webhook URL on this server."""
        return f"{self.api}/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}"

    async def start(self) -> None:
        """Listen on 127.0.0.1, on a port the OS picks."""
        app = web.Application()
        r = app.router
        r.add_get("/gateway/", self._gateway)
        r.add_get("/api/v10/gateway", self._gateway_url)
        r.add_get("/api/v10/gateway/bot", self._gateway_url)
        r.add_get("/api/v10/users/@me", self._me)
        r.add_get("/api/v10/oauth2/applications/@me", self._application)
        r.add_get("/api/v10/applications/@me", self._application)
        r.add_put("/api/v10/applications/{app}/guilds/{guild}/commands", self._register)
        r.add_put("/api/v10/applications/{app}/commands", self._register)
        r.add_post("/api/v10/interactions/{id}/{token}/callback", self._callback)
        r.add_post("/api/v10/webhooks/{id}/{token}", self._webhook)
        r.add_patch("/api/v10/webhooks/{id}/{token}/messages/{message}", self._edit)
        r.add_post("/api/v10/channels/{channel}/messages", self._channel_message)
        r.add_get("/api/v10/channels/{channel}", self._channel)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server: Any = site._server
        self.port = int(server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Close the sockets and the server."""
        for socket in list(self._sockets):
            with contextlib.suppress(Exception):
                await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests do -------------------------------------------------------------------------

    async def wait_for(self, predicate: Any, timeout: float = 120.0) -> list[Captured]:
        """Wait until the captured messages satisfy ``predicate`` (returns the matching ones)."""
        async with asyncio.timeout(timeout):
            while True:
                found = [m for m in self.messages if predicate(m)]
                if found:
                    return found
                self.changed.clear()
                await self.changed.wait()

    async def invoke(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        roles: list[int] | None = None,
        member_id: int = 500,
        member_name: str = "alice",
        locale: str = "en-US",
    ) -> str:
        """Deliver a slash command as Discord does (``INTERACTION_CREATE``); returns its id."""
        command = next((c for c in self.commands if c["name"] == name), None)
        assert command is not None, f"/{name} was not registered"
        data = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "guild_id": str(GUILD_ID),
            "options": [
                {"name": key, "type": _option_type(command, key), "value": value}
                for key, value in (options or {}).items()
            ],
        }
        return await self._interaction(2, data, roles, member_id, member_name, locale)

    async def press(
        self,
        message: Captured,
        label: str,
        *,
        roles: list[int] | None = None,
        member_id: int = 500,
        member_name: str = "alice",
    ) -> str:
        """Press the button labelled ``label`` of ``message`` (a component interaction)."""
        data = (
            message.body.get("data", message.body) if message.kind == "callback" else message.body
        )
        buttons = [c for row in data.get("components", []) for c in row["components"]]
        button = next(b for b in buttons if b.get("label") == label)
        payload = {"custom_id": button["custom_id"], "component_type": 2}
        return await self._interaction(
            3, payload, roles, member_id, member_name, "en-US", message=self._message(message)
        )

    def write_capture(self) -> None:
        """Rewrite the capture file (one JSON line per message)."""
        lines = [
            json.dumps(
                {"kind": m.kind, "path": m.path, "id": m.id, "body": m.body, "files": m.files}
            )
            for m in self.messages
        ]
        self.capture.write_text("\n".join(lines) + "\n", encoding="utf-8")

    # --- gateway -------------------------------------------------------------------------------

    async def _gateway_url(self, request: web.Request) -> web.Response:
        return _json(
            {
                "url": self.gateway,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        try:
            async for message in socket:
                if message.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(message.data)
                op = payload.get("op")
                if op == 1:
                    self.heartbeats += 1
                    await socket.send_json({"op": 11, "d": None, "s": None, "t": None})
                elif op == 2:
                    await self._dispatch(socket, "READY", self._ready())
                    await self._dispatch(socket, "GUILD_CREATE", self._guild())
                    self.identified.set()
                elif op == 6:
                    await self._dispatch(socket, "RESUMED", {})
        finally:
            self._sockets.remove(socket)
        return socket

    async def _dispatch(self, socket: web.WebSocketResponse, event: str, data: Any) -> None:
        self._seq += 1
        await socket.send_json({"op": 0, "t": event, "s": self._seq, "d": data})

    def _ready(self) -> dict[str, Any]:
        return {
            "v": 10,
            "user": user(BOT_ID, "CryptoTrader", bot=True),
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": "session-1",
            "resume_gateway_url": self.gateway,
            "shard": [0, 1],
            "application": {"id": str(APP_ID), "flags": 0},
            "private_channels": [],
        }

    def _guild(self) -> dict[str, Any]:
        def role(role_id: int, name: str, position: int) -> dict[str, Any]:
            return {
                "id": str(role_id),
                "name": name,
                "permissions": "0",
                "position": position,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }

        def channel(channel_id: int, name: str, position: int) -> dict[str, Any]:
            return {
                "id": str(channel_id),
                "type": 0,
                "name": name,
                "position": position,
                "guild_id": str(GUILD_ID),
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
                "topic": None,
                "rate_limit_per_user": 0,
            }

        return {
            "id": str(GUILD_ID),
            "name": "Traders",
            "icon": None,
            "owner_id": "1",
            "preferred_locale": self.guild_locale,
            "features": [],
            "roles": [
                role(GUILD_ID, "@everyone", 0),
                role(VIEWER_ROLE, "viewer", 1),
                role(OPERATOR_ROLE, "operator", 2),
            ],
            "channels": [channel(CHANNEL_ID, "trading", 0), channel(ALERT_CHANNEL_ID, "alerts", 1)],
            "emojis": [],
            "stickers": [],
            "members": [],
            "member_count": 3,
            "large": False,
            "unavailable": False,
            "voice_states": [],
            "presences": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "joined_at": TIMESTAMP,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "nsfw_level": 0,
            "system_channel_flags": 0,
        }

    async def _interaction(
        self,
        kind: int,
        data: dict[str, Any],
        roles: list[int] | None,
        member_id: int,
        member_name: str,
        locale: str,
        message: dict[str, Any] | None = None,
    ) -> str:
        interaction_id = snowflake()
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": str(APP_ID),
            "type": kind,
            "token": f"itoken-{interaction_id}",
            "version": 1,
            "data": data,
            "guild_id": str(GUILD_ID),
            "channel_id": str(CHANNEL_ID),
            "channel": {
                "id": str(CHANNEL_ID),
                "type": 0,
                "name": "trading",
                "guild_id": str(GUILD_ID),
            },
            "member": {
                "user": user(member_id, member_name),
                "roles": [str(r) for r in roles or []],
                "joined_at": TIMESTAMP,
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": "0",
            },
            "locale": locale,
            "guild_locale": self.guild_locale,
            "app_permissions": "0",
            "attachment_size_limit": 10 * 1024 * 1024,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0,
        }
        if message is not None:
            payload["message"] = message
        for socket in self._sockets:
            await self._dispatch(socket, "INTERACTION_CREATE", payload)
        return interaction_id

    # --- REST ----------------------------------------------------------------------------------

    async def _me(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != "Bot discord-test-token":
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        return _json(user(BOT_ID, "CryptoTrader", bot=True))

    async def _application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": str(APP_ID),
                "name": "CryptoTrader",
                "icon": None,
                "description": "",
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": user(1, "owner"),
                "flags": 0,
                "team": None,
                "summary": "",
            }
        )

    def _ratelimit(self, request: web.Request) -> tuple[web.Response | None, dict[str, str]]:
        """(a 429 to answer, or None; the rate-limit headers of the answer)."""
        if self._global_refusals > 0:
            self._global_refusals -= 1
            retry = 0.3
            self.refused.append((request.path, True))
            headers = {
                "Retry-After": "1",
                "X-RateLimit-Global": "true",
                "X-RateLimit-Scope": "global",
                "Via": "1.1 google",
            }
            body = {"message": "You are being rate limited.", "retry_after": retry, "global": True}
            return _json(body, status=429, headers=headers), {}
        if self._limit is None:
            return None, {}
        count, per_s = self._limit
        now = time.monotonic()
        hits = self._hits.setdefault(request.path, deque())
        while hits and now - hits[0] >= per_s:
            hits.popleft()
        reset_after = per_s - (now - hits[0]) if hits else per_s
        headers = {
            "X-RateLimit-Limit": str(count),
            "X-RateLimit-Bucket": hashlib.sha1(request.path.encode()).hexdigest()[:16],
            "X-RateLimit-Scope": "user",
        }
        if len(hits) >= count:
            self.refused.append((request.path, False))
            headers |= {
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "Retry-After": str(math.ceil(reset_after)),
                "Via": "1.1 google",
            }
            body = {
                "message": "You are being rate limited.",
                "retry_after": round(reset_after, 3),
                "global": False,
            }
            return _json(body, status=429, headers=headers), {}
        hits.append(now)
        reset_after = per_s - (now - hits[0])
        headers |= {
            "X-RateLimit-Remaining": str(count - len(hits)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        }
        return None, headers

    async def _register(self, request: web.Request) -> web.Response:
        commands = await request.json()
        self.commands = [
            {**c, "id": snowflake(), "application_id": str(APP_ID), "version": "1"}
            for c in commands
        ]
        return _json(self.commands)

    async def _body(self, request: web.Request) -> tuple[dict[str, Any], list[str]]:
        if request.content_type.startswith("multipart/"):
            body: dict[str, Any] = {}
            files: list[str] = []
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    content = await part.read()
                    saved = self.capture.with_name(part.filename or f"{part.name}.bin")
                    saved.write_bytes(content)
                    files.append(str(saved))
            return body, files
        return await request.json(), []

    def _record(
        self, kind: str, request: web.Request, body: dict[str, Any], files: list[str]
    ) -> Captured:
        captured = Captured(kind=kind, path=request.path, body=body, files=files)
        self.received.append((time.time(), captured))
        self.messages.append(captured)
        self.write_capture()
        self.changed.set()
        return captured

    def _message(self, captured: Captured, channel_id: int = CHANNEL_ID) -> dict[str, Any]:
        data = (
            captured.body.get("data", captured.body)
            if captured.kind == "callback"
            else captured.body
        )
        return {
            "id": captured.id,
            "channel_id": str(channel_id),
            "guild_id": str(GUILD_ID),
            "author": user(BOT_ID, "CryptoTrader", bot=True),
            "content": data.get("content") or "",
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": data.get("embeds") or [],
            "components": data.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": data.get("flags") or 0,
            "webhook_id": str(APP_ID) if captured.kind != "channel" else None,
        }

    async def _callback(self, request: web.Request) -> web.Response:
        body, files = await self._body(request)
        captured = self._record("callback", request, body, files)
        interaction = {
            "id": request.match_info["id"],
            "type": 2,
            "response_message_id": captured.id,
            "response_message_loading": body.get("type") == 5,
            "response_message_ephemeral": bool((body.get("data") or {}).get("flags", 0) & 64),
        }
        answer: dict[str, Any] = {"interaction": interaction}
        if body.get("type") in (4, 7):
            answer["resource"] = {"type": body["type"], "message": self._message(captured)}
        return _json(answer)

    async def _webhook(self, request: web.Request) -> web.Response:
        kind = "webhook" if request.match_info["id"] == str(WEBHOOK_ID) else "followup"
        refusal, headers = self._ratelimit(request) if kind == "webhook" else (None, {})
        if refusal is not None:
            return refusal
        body, files = await self._body(request)
        captured = self._record(kind, request, body, files)
        return _json(self._message(captured), headers=headers)

    async def _edit(self, request: web.Request) -> web.Response:
        body, files = await self._body(request)
        captured = self._record("edit", request, body, files)
        return _json(self._message(captured))

    async def _channel_message(self, request: web.Request) -> web.Response:
        refusal, headers = self._ratelimit(request)
        if refusal is not None:
            return refusal
        body, files = await self._body(request)
        captured = self._record("channel", request, body, files)
        captured.body["channel_id"] = request.match_info["channel"]
        return _json(self._message(captured, int(request.match_info["channel"])), headers=headers)

    async def _channel(self, request: web.Request) -> web.Response:
        channel_id = request.match_info["channel"]
        return _json(
            {
                "id": channel_id,
                "type": 0,
                "name": "alerts",
                "guild_id": str(GUILD_ID),
                "position": 1,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
            }
        )


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON answer as Discord sends it (discord.py wants exactly ``application/json``)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def _option_type(command: dict[str, Any], name: str) -> int:
    for option in command.get("options", []):
        if option["name"] == name:
            return int(option["type"])
    raise AssertionError(f"/{command['name']} has no option {name!r}")
