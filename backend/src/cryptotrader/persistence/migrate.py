"""Run Alembic from the application: the only way the schema changes.

Used by ``cryptotrader db upgrade|downgrade|current`` and by the tests. The migrations run on
the application's own async engine (one connection, one transaction), so SQLite and PostgreSQL
go through exactly the same code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection

from cryptotrader.errors import UserInputError
from cryptotrader.persistence.database import Database, Pool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a database's schema stands against the migrations shipped with this version."""

    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        """True when every migration has been applied."""
        return self.current == self.head


def alembic_config() -> Config:
    """Alembic configuration pointing at the packaged migrations (no ``alembic.ini`` needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest revision shipped with this version."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships revisions
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def _run(connection: Connection, action: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    try:
        if action == "upgrade":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)
    except CommandError as exc:
        raise UserInputError(f"cannot {action} to {revision!r}: {exc}") from None


async def upgrade(database: Database, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (default: the newest).

    Raises:
        OperationalError: the database cannot be reached.
        UserInputError: ``revision`` is unknown.
    """
    await database.check()
    async with database.engine.begin() as connection:
        await connection.run_sync(_run, "upgrade", revision)


async def downgrade(database: Database, revision: str) -> None:
    """Revert migrations down to ``revision`` (``base`` drops everything, ``-1`` one step).

    Raises:
        OperationalError: the database cannot be reached.
        UserInputError: ``revision`` is unknown.
    """
    await database.check()
    async with database.engine.begin() as connection:
        await connection.run_sync(_run, "downgrade", revision)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def schema_state(database: Database) -> SchemaState:
    """The applied revision (None on an empty database) and the newest one.

    Raises:
        OperationalError: the database cannot be reached.
    """
    await database.check()
    async with database.engine.connect() as connection:
        current = await connection.run_sync(_current)
    return SchemaState(current=current, head=head_revision())


async def ensure_schema(database: Database) -> None:
    """Migrate the embedded SQLite file on first use; refuse a server database left behind.

    The one rule every entry point opens a database with: a fresh machine needs no setup, while
    a PostgreSQL schema changes only by an explicit ``cryptotrader db upgrade``.

    Raises:
        UserInputError: a server database is not at the newest revision.
        OperationalError: the database cannot be reached.
    """
    state = await schema_state(database)
    if state.up_to_date:
        return
    if database.dialect != "sqlite":
        raise UserInputError(
            f"database {database.display_url} is at schema {state.current or 'empty'}, not "
            f"{state.head}; run: cryptotrader db upgrade"
        )
    await upgrade(database)


async def open_database(url: str, *, inline: bool = False, pool: Pool | None = None) -> Database:
    """The database at ``url`` with its schema ensured (``inline``, ``pool``: see ``Database``).

    The caller disposes it; when the schema check fails it is disposed here.

    Raises:
        UserInputError: a server database whose schema is not current.
        OperationalError: the database cannot be reached.
    """
    database = Database(url, inline=inline, pool=pool)
    try:
        await ensure_schema(database)
    except BaseException:
        await database.dispose()
        raise
    return database
