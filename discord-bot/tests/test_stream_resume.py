"""A lost ``/ws`` connection resumes after the last alert received, not the last one posted:
alerts still queued for Discord are neither asked for again (posted twice) nor lost."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

from cryptotrader_discord.events import Alert, AlertStream, CursorFile
from tests.conftest import eventually


def event(number: int) -> str:
    data = {
        "type": "alert_raised",
        "message_id": f"m{number}",
        "timestamp": datetime.now(UTC).isoformat(),
        "kind": "order_refused",
        "severity": "warning",
        "text": f"alert {number}",
    }
    return json.dumps({"type": "event", "topic": "alerts", "cursor": f"{number}-0", "data": data})


async def test_a_lost_connection_resumes_after_the_last_alert_received(tmp_path: Path) -> None:
    subscribes: list[dict[str, Any]] = []

    async def api(socket: ServerConnection) -> None:  # the API's /ws, as far as the bot sees it
        await socket.send(json.dumps({"type": "welcome"}))
        subscribes.append(json.loads(await socket.recv()))
        if len(subscribes) == 1:
            for number in (1, 2):
                await socket.send(event(number))
            await socket.close()  # the connection is lost
        else:
            await socket.wait_closed()

    taken: list[str | None] = []

    async def queue(alert: Alert | None, cursor: str | None) -> None:
        taken.append(cursor)  # queued for Discord, not posted: the stored cursor stays put

    cursors = CursorFile(tmp_path / "alerts.cursor")
    async with serve(api, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        stream = AlertStream(
            api_url=f"http://127.0.0.1:{port}",
            token="token",
            cursors=cursors,
            on_alert=queue,
            start_at="0-0",
        )
        task = asyncio.create_task(stream.run())
        try:
            await eventually(lambda: len(subscribes) == 2, within_s=60)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    assert taken == ["1-0", "2-0"]
    assert subscribes[0]["resume"] == {"alerts": "0-0"}
    assert subscribes[1]["resume"] == {"alerts": "2-0"}  # not "0-0": 1 and 2 are not asked twice
    assert cursors.read() is None  # nothing was posted: a restart would receive them again
    assert stream.sessions == 2
