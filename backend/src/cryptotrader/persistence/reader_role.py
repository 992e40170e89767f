"""A PostgreSQL login role that can only read the trading tables: Grafana's, not the app's.

Grafana's PostgreSQL datasource runs whatever SQL a dashboard editor types; with the
application's user it could change orders or read password hashes. Its role reads only
``READER_TABLES`` (no users, tokens or exchange keys), holds no other privilege, and every
transaction it opens is read-only. ``cryptotrader db upgrade --reader NAME`` (the compose stack's
migration step) creates or updates it after the migrations, so a table a new version adds to
``READER_TABLES`` is granted at the next upgrade.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from cryptotrader.errors import OperationalError, UserInputError
from cryptotrader.persistence.database import Database

READER_TABLES = (
    "bots",
    "trading_pairs",
    "trades",
    "reallocations",
    "orders",
    "order_fills",
    "ohlcv_data",
)
"""What dashboards may read: trading history and candles; never users, tokens, keys or audit."""

_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _literal(value: str) -> str:
    """A SQL string literal (``CREATE ROLE ... PASSWORD`` takes no bind parameter)."""
    if "\x00" in value:
        raise UserInputError("the reader role's password contains a NUL character")
    return "'" + value.replace("'", "''") + "'"


async def grant_reader(database: Database, name: str, password: str) -> None:
    """Create or update ``name`` as a read-only login role on ``database``'s schema.

    Idempotent: run at every upgrade, it resets the password and the grants.

    Raises:
        UserInputError: not PostgreSQL, a role name that is not a plain identifier, an empty
            password, or ``name`` is the application's own user.
        OperationalError: the database refused (e.g. the application's user may not create
            roles); the message never quotes the password.
    """
    if database.dialect != "postgresql":
        raise UserInputError("a read-only database role needs PostgreSQL (DATABASE_URL)")
    if not _ROLE_NAME.fullmatch(name):
        raise UserInputError(f"reader role {name!r}: use lower-case letters, digits and _")
    if not password:
        raise UserInputError(f"reader role {name!r}: its password is empty")
    if name == database.url.username:
        raise UserInputError(f"reader role {name!r} is the application's own user")
    schema = database.schema or "public"
    try:
        async with database.engine.begin() as connection:
            await _create_or_update(connection, name, password)
            await _grant(connection, name, schema)
    except DBAPIError as exc:  # its message quotes the statement: the password's among them
        reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        raise OperationalError(f"cannot set up the reader role {name}: {reason}") from None


async def _create_or_update(connection: AsyncConnection, name: str, password: str) -> None:
    exists = await connection.scalar(
        text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}
    )
    verb = "ALTER" if exists else "CREATE"
    attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT"
    await connection.execute(text(f"{verb} ROLE {name} WITH {attributes}"))
    await connection.exec_driver_sql(f"ALTER ROLE {name} PASSWORD {_literal(password)}")
    await connection.execute(text(f"ALTER ROLE {name} SET default_transaction_read_only = on"))


async def _grant(connection: AsyncConnection, name: str, schema: str) -> None:
    database_name = await connection.scalar(text("SELECT current_database()"))
    statements = [
        f'GRANT CONNECT ON DATABASE "{database_name}" TO {name}',
        f'REVOKE CREATE ON SCHEMA "{schema}" FROM {name}',
        f'GRANT USAGE ON SCHEMA "{schema}" TO {name}',
        f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM {name}',
        f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA "{schema}" FROM {name}',
    ]
    statements += [f'GRANT SELECT ON "{schema}".{table} TO {name}' for table in READER_TABLES]
    for statement in statements:
        await connection.execute(text(statement))
