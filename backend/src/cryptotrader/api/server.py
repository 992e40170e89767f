"""Serving the API with uvicorn: on its own (``cryptotrader api``) or beside the engines (``run``).

Beside the engines the process's signals belong to the trading runtime (it stops gracefully
first), so the embedded server installs no signal handlers of its own, and the listening socket
is bound before anything starts so that a port in use is one clear error, not uvicorn's exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from cryptotrader.config import Settings
from cryptotrader.errors import UserInputError


class _EmbeddedServer(uvicorn.Server):
    """uvicorn that leaves SIGINT/SIGTERM to its host process."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Install nothing: the host process stops the server through ``should_exit``."""
        yield


def uvicorn_config(app: FastAPI, settings: Settings, host: str, port: int) -> uvicorn.Config:
    """The server settings every way of serving the API shares."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        proxy_headers=False,  # X-Forwarded-For is honoured only from api.trusted_proxies
        server_header=False,
    )


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``.

    Raises:
        UserInputError: the address is in use or cannot be bound.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UserInputError(
            f"cannot serve the API on {host}:{port}: {exc.strerror or exc}"
            " (set --api-port or CRYPTOTRADER_API__PORT, or --no-api)"
        ) from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


@dataclass
class RunningApi:
    """An API server running as a task of the current event loop."""

    server: uvicorn.Server
    task: asyncio.Task[None]
    address: str

    async def stop(self) -> None:
        """Stop accepting, finish the requests in flight, run the app's shutdown."""
        self.server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


async def start_beside(app: FastAPI, settings: Settings, host: str, port: int) -> RunningApi:
    """Serve ``app`` in this event loop until ``RunningApi.stop`` (the host owns the signals).

    Raises:
        UserInputError: the port is in use.
        RuntimeError: the server did not start (its log says why).
    """
    sock = bind(host, port)
    server = _EmbeddedServer(uvicorn_config(app, settings, host, port))
    task = asyncio.create_task(server.serve(sockets=[sock]), name="api-server")
    while not server.started and not task.done():  # noqa: ASYNC110 - uvicorn exposes a bool only
        await asyncio.sleep(0.02)
    if task.done():
        sock.close()
        task.result()  # re-raises what went wrong
        raise RuntimeError("the API server stopped during startup")
    bound_port = sock.getsockname()[1]  # the real one when ``port`` is 0
    return RunningApi(server=server, task=task, address=f"http://{host}:{bound_port}")
