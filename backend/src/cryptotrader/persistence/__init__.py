"""Persistence: SQLAlchemy 2 tables, Alembic migrations, unit of work, repositories.

SQLite (aiosqlite) by default, PostgreSQL (asyncpg, TimescaleDB when available) in production;
both run the same code and the same tests. The schema only changes through Alembic
(``cryptotrader db upgrade``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptotrader.persistence.candles import SqlCandleStore
    from cryptotrader.persistence.database import Database, normalise_url
    from cryptotrader.persistence.uow import UnitOfWork

# Names load on first use (PEP 562): `from cryptotrader.X.enums import ...` or a CLI's --help must
# not pay for pandas, SQLAlchemy or Alembic that other modules of the package pull in.
_WHERE = {
    "SqlCandleStore": "cryptotrader.persistence.candles",
    "Database": "cryptotrader.persistence.database",
    "normalise_url": "cryptotrader.persistence.database",
    "UnitOfWork": "cryptotrader.persistence.uow",
}

__all__ = ["Database", "SqlCandleStore", "UnitOfWork", "normalise_url"]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
