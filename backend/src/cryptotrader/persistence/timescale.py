"""TimescaleDB detection, used by the migration that creates ``ohlcv_data``.

The extension is optional: where it is installed (``docker compose`` ships it) ``ohlcv_data``
becomes a hypertable partitioned on ``time``; anywhere else, including SQLite, it stays a plain
table whose primary key (pair_id, timeframe, time) serves the same range reads.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

CHUNK_INTERVAL = "30 days"


def timescale_available(connection: Connection) -> bool:
    """True when the server can load the ``timescaledb`` extension."""
    if connection.dialect.name != "postgresql":
        return False
    found = connection.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")
    ).first()
    return found is not None


def make_hypertable(connection: Connection, table: str, time_column: str) -> bool:
    """Turn ``table`` into a hypertable when TimescaleDB can be loaded; False when it stays plain.

    A failure to load the extension (listed but not preloaded, no privilege) keeps the plain
    table and logs why, inside a savepoint so that the migration's transaction survives.
    """
    if not timescale_available(connection):
        log.info("TimescaleDB not available: %s stays a plain table", table)
        return False
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS timescaledb"))
            connection.execute(
                text(
                    "SELECT create_hypertable(:table, :column, "
                    f"chunk_time_interval => INTERVAL '{CHUNK_INTERVAL}', "
                    "migrate_data => TRUE, if_not_exists => TRUE)"
                ),
                {"table": table, "column": time_column},
            )
    except DBAPIError as exc:
        log.warning("TimescaleDB listed but unusable (%s): %s stays a plain table", exc.orig, table)
        return False
    log.info("%s is a TimescaleDB hypertable on %s", table, time_column)
    return True


def is_hypertable(connection: Connection, table: str) -> bool:
    """True when ``table`` (in the current schema) is a TimescaleDB hypertable."""
    if connection.dialect.name != "postgresql":
        return False
    installed = connection.execute(
        text("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")
    ).first()
    if installed is None:
        return False
    found = connection.execute(
        text(
            "SELECT 1 FROM timescaledb_information.hypertables "
            "WHERE hypertable_name = :table AND hypertable_schema = current_schema()"
        ),
        {"table": table},
    ).first()
    return found is not None
