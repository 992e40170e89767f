"""Persistence: SQLAlchemy 2 tables, Alembic migrations, unit of work, repositories.

SQLite (aiosqlite) by default, PostgreSQL (asyncpg, TimescaleDB when available) in production;
both run the same code and the same tests. The schema only changes through Alembic
(``cryptotrader db upgrade``).
"""

from cryptotrader.persistence.candles import SqlCandleStore
from cryptotrader.persistence.database import Database, normalise_url
from cryptotrader.persistence.uow import UnitOfWork

__all__ = ["Database", "SqlCandleStore", "UnitOfWork", "normalise_url"]
