"""``cryptotrader db``: create and upgrade the database schema (Alembic migrations only)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from cryptotrader.cli._common import App, console

if TYPE_CHECKING:  # SQLAlchemy and Alembic load when a command runs, not for --help
    from cryptotrader.persistence import migrate
    from cryptotrader.persistence.database import Database

db_app = App(
    help="Create, upgrade or inspect the database schema (DATABASE_URL, default SQLite file).",
    no_args_is_help=True,
)


T = TypeVar("T")


def _with_database(action: Callable[[Database], Awaitable[T]]) -> T:
    from cryptotrader.config import load_settings
    from cryptotrader.persistence.database import Database

    async def run() -> T:
        database = Database(load_settings().database_url)
        try:
            return await action(database)
        finally:
            await database.dispose()

    return asyncio.run(run())


READER_PASSWORD_ENV = "CRYPTOTRADER_DB_READER_PASSWORD"  # noqa: S105 - a variable name


@db_app.command("upgrade")
def upgrade_command(
    revision: Annotated[str, typer.Argument(help="target revision")] = "head",
    reader: Annotated[
        str | None,
        typer.Option(
            help="then create or update this PostgreSQL login role, read-only on the trading "
            f"tables (Grafana's); its password from ${READER_PASSWORD_ENV}"
        ),
    ] = None,
) -> None:
    """Apply the migrations up to REVISION (default: the newest)."""
    import os

    from cryptotrader.errors import ConfigurationError

    password = os.environ.get(READER_PASSWORD_ENV, "")
    if reader is not None and not password:
        raise ConfigurationError(f"--reader {reader}: set {READER_PASSWORD_ENV}")
    state = _with_database(lambda db: _upgrade(db, revision, reader, password))
    console.print(f"database at revision {state.current} (newest: {state.head})")
    if reader is not None:
        console.print(f"role {reader} reads the trading tables, nothing else")


async def _upgrade(
    database: Database, revision: str, reader: str | None, password: str
) -> migrate.SchemaState:
    from cryptotrader.persistence import migrate
    from cryptotrader.persistence.reader_role import grant_reader

    await migrate.upgrade(database, revision)
    if reader is not None:
        await grant_reader(database, reader, password)
    return await migrate.schema_state(database)


@db_app.command("downgrade")
def downgrade_command(
    revision: Annotated[
        str, typer.Argument(help="target revision: an id, 'base' (drops everything) or -- -1")
    ],
) -> None:
    """Revert the migrations down to REVISION."""
    state = _with_database(lambda db: _downgrade(db, revision))
    console.print(f"database at revision {state.current or 'base (empty)'}")


async def _downgrade(database: Database, revision: str) -> migrate.SchemaState:
    from cryptotrader.persistence import migrate

    await migrate.downgrade(database, revision)
    return await migrate.schema_state(database)


@db_app.command("current")
def current_command() -> None:
    """Show the applied revision and whether migrations are pending."""
    from cryptotrader.persistence import migrate

    state = _with_database(migrate.schema_state)
    if state.current is None:
        console.print(f"empty database (newest: {state.head}); run: cryptotrader db upgrade")
    elif state.up_to_date:
        console.print(f"{state.current} (up to date)")
    else:
        console.print(f"{state.current} (newest: {state.head}; run: cryptotrader db upgrade)")
