"""Database URLs and connection failures: one clear line, never a traceback."""

from __future__ import annotations

import pytest

from cryptotrader.cli import main
from cryptotrader.errors import ConfigurationError, OperationalError
from cryptotrader.persistence import Database, normalise_url
from cryptotrader.persistence.migrate import head_revision, upgrade

CLOSED_PORT_URL = "postgresql://trader:s3cret@127.0.0.1:9/test"  # port 9 (discard): nobody listens


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite+aiosqlite:////tmp/x.db"),
    ],
)
def test_normalise_url_when_conventional_spelling_selects_the_async_driver(
    given: str, expected: str
) -> None:
    assert normalise_url(given).render_as_string(hide_password=False) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("mysql://u@h/db", "unsupported database 'mysql'"),
        ("postgresql+psycopg2://u@h/db", "is not async"),
        ("not a url", "not a database URL"),
    ],
)
def test_database_when_url_is_unusable_raises_configuration_error(url: str, reason: str) -> None:
    with pytest.raises(ConfigurationError, match=reason):
        Database(url)


@pytest.mark.asyncio
async def test_check_when_server_is_unreachable_raises_one_line_without_password() -> None:
    database = Database(CLOSED_PORT_URL)

    with pytest.raises(OperationalError) as caught:
        await upgrade(database)

    message = str(caught.value)
    assert "\n" not in message
    assert "cannot be reached" in message
    assert "127.0.0.1:9" in message
    assert "s3cret" not in message
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    await database.dispose()


def test_cli_when_database_is_unreachable_prints_one_line_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", CLOSED_PORT_URL)

    with pytest.raises(SystemExit) as exited:
        main(["db", "upgrade"])

    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: database postgresql+asyncpg://trader:***@127.0.0.1:9/test")
    assert "Traceback" not in err


def test_cli_db_when_run_on_the_default_sqlite_file_upgrades_reports_and_downgrades(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def run(*argv: str) -> str:
        with pytest.raises(SystemExit) as exited:
            main(list(argv))
        assert exited.value.code == 0
        return capsys.readouterr().out

    assert "empty database" in run("db", "current")
    head = head_revision()
    assert f"database at revision {head}" in run("db", "upgrade")
    assert f"{head} (up to date)" in run("db", "current")
    assert "base (empty)" in run("db", "downgrade", "base")
    assert "empty database" in run("db", "current")
