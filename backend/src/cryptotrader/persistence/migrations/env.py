"""Alembic environment: migrates the configured database, online, with the async drivers.

``cryptotrader db upgrade`` passes an open connection in ``config.attributes["connection"]``;
the plain ``alembic`` command (run from ``backend/``) connects to ``DATABASE_URL`` or to the
settings' default SQLite file.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from cryptotrader.persistence.tables import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_standalone() -> None:
    from cryptotrader.config import load_settings  # noqa: PLC0415 - only for the alembic CLI
    from cryptotrader.persistence.database import Database  # noqa: PLC0415

    url = config.get_main_option("sqlalchemy.url") or load_settings().database_url
    database = Database(url)
    await database.check()
    try:
        async with database.engine.begin() as connection:
            await connection.run_sync(_run)
    finally:
        await database.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run them against a database")

_connection = config.attributes.get("connection")
if _connection is not None:
    _run(_connection)
else:
    asyncio.run(_run_standalone())
