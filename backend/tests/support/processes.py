"""Real PostgreSQL and Redis for tests that run the engines or the API as separate processes.

Processes cannot share a test's schema or key prefix: they get a database of their own
(PostgreSQL) and a logical Redis database whose runtime streams are emptied before and after.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from redis import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from cryptotrader.bus import topics
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.migrate import upgrade
from tests.integration.conftest import POSTGRES_URL, REDIS_URL, require_postgres, require_redis


@contextmanager
def migrated_postgres_database() -> Iterator[str]:
    """The URL of a new PostgreSQL database, migrated, dropped afterwards."""
    require_postgres()
    name = f"ct_{uuid.uuid4().hex[:12]}"

    async def admin(statement: str) -> None:
        database = Database(POSTGRES_URL)
        try:
            async with database.engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text(statement))
        finally:
            await database.dispose()

    asyncio.run(admin(f"CREATE DATABASE {name}"))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    async def migrate() -> None:
        database = Database(url)
        await upgrade(database)
        await database.dispose()

    try:
        asyncio.run(migrate())
        yield url
    finally:
        asyncio.run(admin(f"DROP DATABASE {name} WITH (FORCE)"))


@contextmanager
def runtime_redis(logical_db: int) -> Iterator[str]:
    """The URL of a Redis logical database whose runtime streams are emptied before and after.

    The runtime's stream names are fixed: each suite running processes takes a database of its own.
    """
    require_redis()
    url = str(make_url(REDIS_URL).set(database=str(logical_db)))
    client = Redis.from_url(url)

    def clean() -> None:
        names = [t for topic in topics.ALL_TOPICS for t in (topic, topics.dead_letter_topic(topic))]
        keys = [k for pattern in names for k in client.scan_iter(match=f"*{pattern}")]
        if keys:
            client.delete(*keys)

    clean()
    try:
        yield url
    finally:
        clean()
        client.close()
