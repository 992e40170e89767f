"""Property-based tests over the OpenAPI schema (schemathesis) against a live server.

Every operation gets generated valid and invalid requests (a few examples each, to stay fast);
the default checks must hold: no 5xx, status codes, content types, headers and bodies as the
schema documents them, and invalid input rejected. The caller is an admin, so every operation
is reachable; logging out is left out (it would end the session the other calls use).

``positive_data_acceptance`` is not run: the API checks more than the schema can say (a pair
must parse, a strategy must exist, a decimal string must be a number) and answers 400 with the
reason, which that check counts as a failure by design.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from cryptotrader.api.app import create_app
from cryptotrader.bus import InProcessBus
from cryptotrader.clock import LiveClock
from cryptotrader.persistence import Database
from cryptotrader.persistence.migrate import upgrade
from tests.integration.api.harness import (
    PASSWORDS,
    create_users,
    make_settings,
    seed_candles,
    seed_trading,
)
from tests.integration.conftest import FAST

EXCLUDED = {"auth-logout"}
EXAMPLES = 6


class ServerThread(threading.Thread):
    """uvicorn on 127.0.0.1 with its own event loop, database and bus."""

    def __init__(self, directory: Path) -> None:
        super().__init__(daemon=True)
        self.directory = directory
        self.ready = threading.Event()
        self.port = 0
        self.server: uvicorn.Server | None = None
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # noqa: BLE001 - reported by the fixture
            self.failure = exc
            self.ready.set()

    async def _serve(self) -> None:
        clock = LiveClock()
        database = Database(f"sqlite:///{self.directory / 'api.db'}")
        await upgrade(database)
        await create_users(database, clock)  # type: ignore[arg-type]
        await seed_trading(database, clock)  # type: ignore[arg-type]
        await seed_candles(database, 600)
        bus = InProcessBus(options=FAST)
        app = create_app(
            make_settings(rate_limit_per_minute=100_000, auth_rate_limit_per_minute=100_000),
            database=database,
            bus=bus,
            clock=clock,
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error")
        self.server = uvicorn.Server(config)
        serving = asyncio.create_task(self.server.serve())
        while not self.server.started and not serving.done():  # noqa: ASYNC110 - polls state owned by another component
            await asyncio.sleep(0.02)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        self.ready.set()
        await serving
        await bus.close()
        await database.dispose()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    thread = ServerThread(tmp_path_factory.mktemp("schemathesis"))
    thread.start()
    assert thread.ready.wait(60), "the server did not start"
    if thread.failure is not None:
        raise thread.failure
    yield f"http://127.0.0.1:{thread.port}"
    assert thread.server is not None
    thread.server.should_exit = True
    thread.join(15)


@pytest.fixture(scope="module")
def admin_token(live_server: str) -> str:
    answer = httpx.post(
        f"{live_server}/auth/login",
        json={"username": "admin", "password": PASSWORDS["admin"]},
        timeout=60,  # Argon2 on a loaded machine
    )
    return str(answer.json()["access_token"])


@pytest.fixture(scope="module")
def api_schema(live_server: str) -> Any:
    # requests' timeout, 10 s by default, is a speed check: a loaded machine is slow, not wrong
    return schemathesis.openapi.from_url(f"{live_server}/openapi.json", timeout=300)


def _fuzz(operation: Any, mode: GenerationMode, base_url: str, token: str) -> str | None:
    """Run a few generated cases of one operation; the first failure, as text, or None."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        phases=[Phase.generate],
    )
    def check(case: Any) -> None:
        case.call_and_validate(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
            excluded_checks=[positive_data_acceptance],
        )

    try:
        check()
    except Unsatisfiable:
        return None  # nothing to make invalid: the operation takes no input
    except Exception as exc:  # noqa: BLE001 - collected and reported together
        return f"{operation.label} [{mode}]: {' '.join(str(exc).split())[:800]}"
    return None


def test_api_when_fuzzed_conforms_to_its_schema(
    api_schema: Any, live_server: str, admin_token: str
) -> None:
    failures = []
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.definition.raw.get("operationId") in EXCLUDED:
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = _fuzz(operation, mode, live_server, admin_token)
            if failure is not None:
                failures.append(failure)
    assert operations >= 40
    assert not failures, "\n".join(failures)
