"""``cryptotrader api``, ``cryptotrader user create`` and ``cryptotrader token create``."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from cryptotrader.cli._common import App, console, err_console, file_option, optional_file
from cryptotrader.errors import UserInputError
from cryptotrader.services.context import Role

if TYPE_CHECKING:  # the database and Argon2 load when a command runs, not for --help
    from cryptotrader.config import Settings
    from cryptotrader.persistence.database import Database
    from cryptotrader.services.users import UserView

user_app = App(help="Manage the people who may use the API.", no_args_is_help=True)
token_app = App(
    help="Manage service tokens (programs such as the Discord bot).", no_args_is_help=True
)
T = TypeVar("T")
WORKER_PING_TIMEOUT_S = 120
"""How long an API worker may leave the supervisor's ping unanswered before it is replaced."""


def api_command(
    host: Annotated[str | None, typer.Option(help="address to listen on (api.host)")] = None,
    port: Annotated[int | None, typer.Option(help="port (api.port)")] = None,
    openapi_files: Annotated[
        list[Path] | None,
        file_option("--openapi", help="write the OpenAPI schema to this file and exit"),
    ] = None,
    asyncapi_files: Annotated[
        list[Path] | None,
        file_option("--asyncapi", help="write the /ws AsyncAPI schema to this file and exit"),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1, max=64, help="worker processes (more than 1 needs REDIS_URL and PostgreSQL)"
        ),
    ] = 1,
) -> None:
    """Serve the REST and WebSocket API (uvicorn)."""
    import uvicorn

    from cryptotrader.api.app import create_app
    from cryptotrader.api.openapi import write_asyncapi, write_openapi
    from cryptotrader.api.server import bind, uvicorn_config
    from cryptotrader.config import load_settings

    openapi = optional_file("--openapi", openapi_files)
    asyncapi = optional_file("--asyncapi", asyncapi_files)
    if openapi is not None:
        write_openapi(openapi)
        console.print(f"OpenAPI schema written to {openapi}")
    if asyncapi is not None:
        write_asyncapi(asyncapi)
        console.print(f"AsyncAPI schema of /ws written to {asyncapi}")
    if openapi is not None or asyncapi is not None:
        return
    settings = load_settings()
    host, port = host or settings.api.host, port or settings.api.port
    if workers > 1:
        _serve_workers(settings, host, port, workers)
        return
    sock = bind(host, port)  # a port in use is one clear line, before anything starts
    _announce(host, sock.getsockname()[1])
    uvicorn.Server(uvicorn_config(create_app(settings), settings, host, port)).run(sockets=[sock])


def _announce(host: str, port: int) -> None:
    """Where the API answers: uvicorn says nothing of it when it is given the bound socket."""
    address = f"http://{host}:{port}"
    err_console.print(f"API: {address} (OpenAPI at {address}/docs)", highlight=False)


def _serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """Several uvicorn workers on one socket, their Prometheus metrics summed across them.

    Workers share nothing in memory: rate limits, WebSocket tickets and the event stream need
    Redis, and the database must take several writers (PostgreSQL).
    """
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from cryptotrader.api.metrics import MULTIPROCESS_ENV
    from cryptotrader.api.server import bind

    if not settings.redis_url or settings.database_url.startswith("sqlite"):
        raise UserInputError(
            "--workers > 1 needs REDIS_URL (shared rate limits and events) and a PostgreSQL "
            "DATABASE_URL (several writers); with the embedded defaults use one worker"
        )
    folder = Path(os.environ.get(MULTIPROCESS_ENV) or settings.data_dir / "prometheus-multiproc")
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):  # a previous run's values are not this run's
        stale.unlink()
    os.environ[MULTIPROCESS_ENV] = str(folder)  # read by each worker when it imports the client
    sock = bind(host, port)
    _announce(host, sock.getsockname()[1])
    config = uvicorn.Config(
        "cryptotrader.api.app:create_app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        proxy_headers=False,  # X-Forwarded-For is honoured only from api.trusted_proxies
        server_header=False,
        # uvicorn kills a worker that does not answer its ping within this many seconds and
        # starts another; its default (5 s) is shorter than a worker's imports take on a busy
        # host, so no worker ever came up (seen in deploy/smoke/run at load average 28)
        timeout_worker_healthcheck=WORKER_PING_TIMEOUT_S,
    )
    Multiprocess(config, sockets=[sock]).run()


def _with_database(action: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        from cryptotrader.config import load_settings
        from cryptotrader.persistence.migrate import open_database

        database = await open_database(load_settings().database_url)
        try:
            return await action(database)
        finally:
            await database.dispose()

    return asyncio.run(run())


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return password


@user_app.command("create")
def create_user_command(
    username: Annotated[str, typer.Argument(help="login name")],
    role: Annotated[Role, typer.Option(help="admin, trader or viewer")] = Role.ADMIN,
    email: Annotated[str | None, typer.Option(help="optional email")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Create a user; the first one must be an admin. The password is prompted (or stdin)."""
    from cryptotrader.clock import LiveClock
    from cryptotrader.services.users import UserService

    password = _read_password(password_stdin)

    async def create(db: Database) -> UserView:
        users = UserService(database=db, clock=LiveClock())
        return await users.create_user(username, password, role, email=email)

    view = _with_database(create)
    console.print(f"user {view.username} created (id {view.id}, role {view.role})")


@token_app.command("create")
def create_token_command(
    name: Annotated[str, typer.Option(help="what the token is for, e.g. discord")],
    scope: Annotated[str, typer.Option(help="comma-separated: read, control")] = "read",
    user: Annotated[
        str | None, typer.Option(help="owner (default: the only admin, if there is one)")
    ] = None,
    expires_days: Annotated[int | None, typer.Option(help="lifetime in days")] = None,
) -> None:
    """Create a service token; it is printed once, keep it secret."""
    from cryptotrader.clock import LiveClock
    from cryptotrader.services.service_tokens import ServiceTokenService, parse_scopes

    scopes = parse_scopes(scope)
    if user is None:
        raise UserInputError("--user is required: the user the token acts for")
    ttl = None if expires_days is None else timedelta(days=expires_days)

    async def create(db: Database) -> tuple[str, int]:
        tokens = ServiceTokenService(database=db, clock=LiveClock())
        view, token = await tokens.create_for(user, name, scopes, ttl=ttl)
        return token, view.id

    token, token_id = _with_database(create)
    console.print(f"service token {name!r} (id {token_id}, scopes {','.join(scopes)}):")
    print(token)  # noqa: T201 - the one time the token is shown, alone on its line for scripts
