"""Grafana's database role reads the trading tables and nothing else, on a real PostgreSQL.

Its queries fail on writes even when the session asks for read-write transactions (so the
privileges, not only ``default_transaction_read_only``, stop them), and on the tables that hold
secrets. The dashboards' own SQL runs as this role in
tests/integration/monitoring/test_dashboard_queries.py.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cryptotrader.cli import main
from cryptotrader.errors import UserInputError
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.reader_role import READER_TABLES, grant_reader
from tests.integration.conftest import POSTGRES_URL
from tests.support.processes import migrated_postgres_database
from tests.support.reader_role import PASSWORD, reader_role


async def _refused(reader: Database, statement: str) -> str:
    async with reader.engine.connect() as connection:
        await connection.execute(text("SET TRANSACTION READ WRITE"))  # as a user may
        with pytest.raises(DBAPIError) as refused:
            await connection.execute(text(statement))
        return str(refused.value.orig)


def test_reader_reads_trading_tables_and_cannot_write_or_read_secrets() -> None:
    with migrated_postgres_database() as url, reader_role(url) as (role, reader_url):

        async def scenario() -> None:
            owner = Database(url)
            await grant_reader(owner, role, PASSWORD)  # again, as at every upgrade
            await owner.dispose()
            reader = Database(reader_url)
            try:
                async with reader.engine.connect() as connection:
                    for table in READER_TABLES:
                        await connection.execute(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
                    assert await connection.scalar(text("SHOW transaction_read_only")) == "on"
                for statement in (
                    "INSERT INTO bots (type) VALUES ('safe')",
                    "UPDATE trades SET pnl = 0",
                    "DELETE FROM orders",
                    "TRUNCATE ohlcv_data",
                    "CREATE TABLE grafana_was_here (x int)",
                    "SELECT * FROM users",
                    "SELECT * FROM api_keys",
                    "SELECT * FROM refresh_tokens",
                    "SELECT * FROM service_tokens",
                ):
                    assert "permission denied" in await _refused(reader, statement), statement
            finally:
                await reader.dispose()

        asyncio.run(scenario())


def test_upgrade_with_reader_creates_the_role_and_refuses_without_a_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with migrated_postgres_database() as url, reader_role(url, grant=False) as (role, reader_url):
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.delenv("CRYPTOTRADER_DB_READER_PASSWORD", raising=False)
        with pytest.raises(SystemExit) as missing:
            main(["db", "upgrade", "--reader", role])
        assert missing.value.code != 0
        assert "set CRYPTOTRADER_DB_READER_PASSWORD" in capsys.readouterr().err

        monkeypatch.setenv("CRYPTOTRADER_DB_READER_PASSWORD", PASSWORD)
        with pytest.raises(SystemExit) as done:
            main(["db", "upgrade", "--reader", role])
        assert done.value.code == 0
        out = capsys.readouterr()
        assert f"role {role} reads the trading tables" in out.out
        assert PASSWORD not in out.out + out.err

        async def reads() -> object:
            reader = Database(reader_url)
            try:
                async with reader.engine.connect() as connection:
                    return await connection.scalar(text("SELECT count(*) FROM trades"))
            finally:
                await reader.dispose()

        assert asyncio.run(reads()) == 0


@pytest.mark.parametrize(
    ("name", "password", "reason"),
    [
        ("Grafana; DROP TABLE trades", "x", "lower-case letters"),
        ("grafana", "", "password is empty"),
    ],
)
def test_grant_reader_when_input_is_bad_says_why(name: str, password: str, reason: str) -> None:
    async def attempt() -> None:
        database = Database(POSTGRES_URL)  # refused before connecting
        try:
            with pytest.raises(UserInputError, match=reason):
                await grant_reader(database, name, password)
        finally:
            await database.dispose()

    asyncio.run(attempt())


def test_grant_reader_when_sqlite_says_it_needs_postgresql() -> None:
    async def attempt() -> None:
        database = Database("sqlite:///:memory:")
        try:
            with pytest.raises(UserInputError, match="needs PostgreSQL"):
                await grant_reader(database, "grafana", "x")
        finally:
            await database.dispose()

    asyncio.run(attempt())
