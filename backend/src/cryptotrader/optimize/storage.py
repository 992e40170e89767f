"""Where studies live: Optuna's RDB storage on PostgreSQL (shared by machines) or SQLite.

Workers beat a heartbeat while a trial runs; a worker killed mid-trial stops beating, and the
next worker to start a trial marks that trial failed and queues it again with the same
parameters (``RetryHeartbeatStaleTrialCallback``), so no trial stays stuck as running.
The application's own database is refused: studies are bulky and Optuna creates its own tables.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from cryptotrader.errors import UserInputError

if TYPE_CHECKING:
    from optuna.storages import RDBStorage

HEARTBEAT_S = 5
#: A trial silent for this many heartbeats belongs to a dead worker.
GRACE_FACTOR = 4
MAX_RETRIES = 3
CREATE_ATTEMPTS = 5
"""Opening a new storage that other processes are creating at the same moment."""


def default_storage(data_dir: Path) -> str:
    """The embedded default: a SQLite file beside the application's data."""
    return f"sqlite:///{data_dir / 'optuna.db'}"


def normalise(url: str) -> URL:
    """``url`` with the synchronous driver Optuna needs (psycopg for PostgreSQL).

    A bare path is a SQLite file.

    Raises:
        UserInputError: not a URL of a supported database.
    """
    text = url.strip()
    if "://" not in text:
        text = f"sqlite:///{Path(text).expanduser().resolve()}"
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise UserInputError(f"--storage {url!r} is not a database URL") from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise UserInputError("--storage sqlite needs a file: sqlite:///path/to/studies.db")
        return parsed.set(drivername="sqlite")
    raise UserInputError(f"--storage {backend!r} is not supported: use postgresql:// or sqlite:///")


def shown(url: str) -> str:
    """``url`` as given, its password hidden (for messages)."""
    try:
        return make_url(url).render_as_string(hide_password=True) if "://" in url else url
    except ArgumentError:
        return url


def _identity(url: URL) -> tuple[str, ...]:
    backend = url.get_backend_name()
    if backend == "sqlite":
        return ("sqlite", str(Path(url.database or "").expanduser().resolve()))
    return (backend, url.host or "localhost", str(url.port or 5432), url.database or "")


def check_not_app_database(storage: URL, app_database_url: str) -> None:
    """Refuse the application's own database as a study storage.

    Raises:
        UserInputError: both URLs name the same database.
    """
    try:
        app = make_url(app_database_url)
    except ArgumentError:
        return
    if _identity(storage) == _identity(app):
        raise UserInputError(
            "--storage is the application's own database; give studies their own "
            "(a separate PostgreSQL database, or a SQLite file such as ~/.cryptotrader/optuna.db)"
        )


def open_storage(
    url: str, *, app_database_url: str | None = None, heartbeat_s: int = HEARTBEAT_S
) -> RDBStorage:
    """Optuna's RDB storage at ``url``, with heartbeats and retries of failed trials.

    Raises:
        UserInputError: bad URL, the application's database, or a database that cannot be reached.
    """
    import optuna  # noqa: PLC0415 - deferred: optuna costs a fraction of a second to import
    from sqlalchemy import create_engine, text  # noqa: PLC0415
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

    parsed = normalise(url)
    if app_database_url:
        check_not_app_database(parsed, app_database_url)
    if parsed.get_backend_name() == "sqlite":
        folder = Path(parsed.database or "").expanduser().resolve().parent
        if not folder.is_dir():
            raise UserInputError(f"--storage {shown(url)}: folder {folder} does not exist")
        engine_kwargs: dict[str, object] = {"connect_args": {"timeout": 60}}
    else:
        engine_kwargs = {"connect_args": {"connect_timeout": 5}, "pool_pre_ping": True}
    probe = create_engine(parsed, **engine_kwargs)
    try:
        with probe.connect() as connection:
            connection.execute(text("select 1"))
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        reason = (str(cause).strip().splitlines() or [type(exc).__name__])[0]
        raise UserInputError(f"--storage {shown(url)} cannot be reached: {reason}") from None
    finally:
        probe.dispose()
    # Several processes may open a new storage at once (the API's workers at first start): one
    # creates Optuna's tables, the others fail on what it created; they open it again, made.
    for attempt in range(1, CREATE_ATTEMPTS + 1):
        try:
            with warnings.catch_warnings():  # heartbeats are experimental since Optuna 2.8
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                retry = optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRIES)
                return optuna.storages.RDBStorage(
                    parsed.render_as_string(hide_password=False),
                    engine_kwargs=engine_kwargs,
                    heartbeat_interval=heartbeat_s,
                    grace_period=GRACE_FACTOR * heartbeat_s,
                    heartbeat_stale_trial_callback=retry,
                )
        except SQLAlchemyError:
            if attempt == CREATE_ATTEMPTS:
                raise
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover
