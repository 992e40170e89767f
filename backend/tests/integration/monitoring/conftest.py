"""A PostgreSQL database and a Redis logical database of the monitoring tests' own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.processes import migrated_postgres_database, runtime_redis

REDIS_DB = 10  # not test_engines_processes' (9): the runtime's stream names are fixed (and
# test_api_workers_monitored takes 13, test_notifier_process 11, deploy/smoke/run 12)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new PostgreSQL database, migrated, dropped afterwards."""
    with migrated_postgres_database() as url:
        yield url


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Redis, in a logical database whose runtime streams are emptied before and after."""
    with runtime_redis(REDIS_DB) as url:
        yield url
