"""Grafana's read-only PostgreSQL role on a test database, removed afterwards."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url

from cryptotrader.persistence.database import Database
from cryptotrader.persistence.reader_role import grant_reader

PASSWORD = "it's-a-test-password"  # a quote inside: the literal must be escaped


@contextmanager
def reader_role(url: str, *, grant: bool = True) -> Iterator[tuple[str, str]]:
    """(role name, URL connecting as it) on the database at ``url``; the role is dropped after.

    With ``grant=False`` the role is only named: the test creates it (``db upgrade --reader``).
    """
    name = f"grafana_t_{uuid.uuid4().hex[:10]}"

    async def run(action: str) -> None:
        owner = Database(url)
        try:
            if action == "grant":
                await grant_reader(owner, name, PASSWORD)
                return
            async with owner.engine.begin() as connection:
                found = text("SELECT 1 FROM pg_roles WHERE rolname = :name")
                if not await connection.scalar(found, {"name": name}):
                    return
                await connection.execute(text(f"DROP OWNED BY {name}"))
                await connection.execute(text(f"DROP ROLE {name}"))
        finally:
            await owner.dispose()

    if grant:
        asyncio.run(run("grant"))
    try:
        yield name, make_url(url).set(username=name, password=PASSWORD).render_as_string(False)
    finally:
        asyncio.run(run("drop"))
