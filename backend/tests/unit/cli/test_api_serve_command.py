"""``cryptotrader api``: it says where it answers before it serves."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from tests.support.monitoring_servers import free_port
from tests.unit.cli.test_indicators_command import run


def test_api_when_serving_prints_its_address_and_docs_first(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import uvicorn

    served: list[int] = []

    def serve(_server: Any, sockets: list[socket.socket]) -> None:
        served.append(sockets[0].getsockname()[1])  # bound already: clients queue, none refused

    monkeypatch.setattr(uvicorn.Server, "run", serve)
    port = free_port()
    code, _, err = run(["api", "--host", "127.0.0.1", "--port", str(port)], capsys)
    assert code == 0, err
    assert served == [port]
    address = f"http://127.0.0.1:{port}"
    assert f"API: {address} (OpenAPI at {address}/docs)" in err
