"""A local server speaking Binance's public WebSocket market streams (kline), on 127.0.0.1.

Modelled on Binance's documentation (``wss://stream.binance.com:9443/ws``): a client subscribes
with ``{"method": "SUBSCRIBE", "params": ["btcusdt@kline_1h"], "id": 1}`` and is answered
``{"result": null, "id": 1}``; each kline update is
``{"e": "kline", "E": ..., "s": "BTCUSDT", "k": {"t", "T", "s", "i", "o", "c", "h", "l", "v",
"x", ...}}`` with the candle's whole values so far, ``x`` true on its last update. The test pushes
the updates (``push``) and can drop every connection without a close frame (``drop``), as a
network failure does. It runs its own event loop in a thread, like the REST servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from cryptotrader.domain.timeframes import Timeframe
from tests.support.exchange_server import price_text


@dataclass
class _Connection:
    socket: web.WebSocketResponse
    request: web.Request
    streams: set[str] = field(default_factory=set)


class BinanceStreamServer:
    """Binance's kline stream on ``ws://127.0.0.1:<port>/ws``."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._connections: list[_Connection] = []
        self._stopped: asyncio.Event | None = None
        self.port = 0
        self.accepted = 0
        """Connections accepted so far (a reconnect counts again)."""

    @property
    def url(self) -> str:
        """The WebSocket root to give the stream client."""
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(60):
            raise RuntimeError("the stream server did not start")

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None:
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread is not None:
            self._thread.join(60)

    def subscribers(self, stream: str) -> int:
        """Open connections subscribed to ``stream`` (``btcusdt@kline_1h``)."""
        return sum(1 for c in list(self._connections) if stream in c.streams)

    def push(
        self,
        symbol: str,
        timeframe: Timeframe,
        candle: tuple[int, float, float, float, float, float],
        *,
        closed: bool,
    ) -> int:
        """Send a kline update ``(open ms, open, high, low, close, volume)``; how many got it."""
        return int(self._call(self._push(symbol, timeframe, candle, closed)))

    def drop(self) -> int:
        """Cut every connection without a close frame; returns how many were cut."""
        return int(self._call(self._drop()))

    # --- the server's loop ---------------------------------------------------------------------

    def _call(self, coroutine: Any) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(60)

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        loop.run_until_complete(self._main(ready))
        loop.close()

    async def _main(self, ready: threading.Event) -> None:
        self._stopped = asyncio.Event()
        app = web.Application()
        app.router.add_get("/ws", self._handle)
        app.router.add_get("/ws/{stream}", self._handle)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        ready.set()
        await self._stopped.wait()
        await self._drop()
        await runner.cleanup()

    async def _handle(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        connection = _Connection(socket, request)
        self._connections.append(connection)
        self.accepted += 1
        try:
            async for message in socket:
                if message.type is not WSMsgType.TEXT:
                    continue
                await self._command(connection, message.data)
        finally:
            with contextlib.suppress(ValueError):
                self._connections.remove(connection)
        return socket

    async def _command(self, connection: _Connection, text: str) -> None:
        try:
            request = json.loads(text)
            method, params, ident = request["method"], request.get("params", []), request["id"]
        except (ValueError, KeyError, TypeError):
            await connection.socket.send_json(
                {"error": {"code": 3, "msg": "Invalid JSON: expected a request"}, "id": None}
            )
            return
        if method == "SUBSCRIBE":
            connection.streams.update(params)
            await connection.socket.send_json({"result": None, "id": ident})
        elif method == "UNSUBSCRIBE":
            connection.streams.difference_update(params)
            await connection.socket.send_json({"result": None, "id": ident})
        elif method == "LIST_SUBSCRIPTIONS":
            await connection.socket.send_json({"result": sorted(connection.streams), "id": ident})
        else:
            await connection.socket.send_json(
                {
                    "error": {"code": 2, "msg": f"Invalid request: unknown method {method}"},
                    "id": ident,
                }
            )

    async def _push(
        self,
        symbol: str,
        timeframe: Timeframe,
        candle: tuple[int, float, float, float, float, float],
        closed: bool,
    ) -> int:
        open_ms, open_, high, low, close, volume = candle
        stream = f"{symbol.lower()}@kline_{timeframe.value}"
        event = {
            "e": "kline",
            "E": open_ms + 1,
            "s": symbol,
            "k": {
                "t": open_ms,
                "T": open_ms + timeframe.milliseconds - 1,
                "s": symbol,
                "i": timeframe.value,
                "f": 100,
                "L": 200,
                "o": price_text(open_),
                "c": price_text(close),
                "h": price_text(high),
                "l": price_text(low),
                "v": price_text(volume),
                "n": 100,
                "x": closed,
                "q": "0",
                "V": "0",
                "Q": "0",
                "B": "0",
            },
        }
        sent = 0
        for connection in list(self._connections):
            if stream in connection.streams and not connection.socket.closed:
                await connection.socket.send_str(json.dumps(event))
                sent += 1
        return sent

    async def _drop(self) -> int:
        cut = 0
        for connection in list(self._connections):
            transport = connection.request.transport
            if transport is not None:
                transport.abort()
                cut += 1
        self._connections.clear()
        return cut


@contextlib.contextmanager
def streaming() -> Iterator[BinanceStreamServer]:
    """A started stream server, stopped on the way out."""
    server = BinanceStreamServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
