"""A loopback TCP proxy in front of a real server (Redis, PostgreSQL), to cut connections at will.

Requests always reach the server; replies can be held back (``hold``), so that a pipeline is
known to be executed by Redis but not yet answered, let through one read at a time
(``let_one_through``), and then the client's connections can be cut (``cut``): the client sees
exactly what a connection lost mid-request looks like.
"""

from __future__ import annotations

import asyncio
import contextlib


class TcpProxy:
    """Forwards 127.0.0.1:``port`` to ``host``:``target_port``; counts accepted connections."""

    def __init__(self, host: str, target_port: int) -> None:
        self._host = host
        self._target_port = target_port
        self._server: asyncio.Server | None = None
        self._open = True
        self._credits = 0
        self._gate = asyncio.Condition()
        self._writers: list[asyncio.StreamWriter] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.connections = 0
        self.port = 0

    async def start(self) -> None:
        """Listen on a free loopback port (``self.port``)."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def hold(self) -> None:
        """Keep the server's replies from reaching the clients until ``release``."""
        self._open = False

    async def release(self) -> None:
        """Let replies through again (held ones of cut connections are dropped)."""
        async with self._gate:
            self._open = True
            self._gate.notify_all()

    async def let_one_through(self) -> None:
        """While holding, let the next chunk of replies read from the server through."""
        async with self._gate:
            self._credits += 1
            self._gate.notify_all()

    async def _wait_for_gate(self) -> None:
        async with self._gate:
            await self._gate.wait_for(lambda: self._open or self._credits > 0)
            if not self._open:
                self._credits -= 1

    def cut(self) -> None:
        """Abort every open connection, on both sides."""
        writers, self._writers = self._writers, []
        for writer in writers:
            writer.transport.abort()

    async def close(self) -> None:
        """Stop listening and end every connection."""
        if self._server is not None:
            self._server.close()
        self.cut()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _accept(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        try:
            upstream_reader, upstream = await asyncio.open_connection(self._host, self._target_port)
            self._writers += [client, upstream]
            await asyncio.gather(
                self._pump(client_reader, upstream, held=False),
                self._pump(upstream_reader, client, held=True),
            )
        finally:
            self._tasks.discard(task)

    async def _pump(
        self, source: asyncio.StreamReader, target: asyncio.StreamWriter, *, held: bool
    ) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await source.read(65536):
                if held:
                    await self._wait_for_gate()
                if target.is_closing():
                    break
                target.write(data)
                await target.drain()
        target.transport.abort()
