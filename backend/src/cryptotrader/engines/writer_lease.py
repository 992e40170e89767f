"""The order and portfolio engines' single-writer lease, with a fencing token checked at commit.

Two copies of the order engine on one database (one started by mistake, or a replacement
started while the old one is stalled rather than dead) would send every order twice. The lease
is a row of ``engine_checkpoints`` (engine ``lease``, key the engine's name) holding its owner,
a fencing token and an expiry:

* **taking it**: in one transaction, the row is read (locked ``FOR UPDATE`` on PostgreSQL; on
  SQLite the writer lock serialises) and taken only when free or expired, with the token + 1.
  A second copy finds it held and waits, saying so once (a standby that takes over when the
  first one stops or dies: within ``ttl_s`` + ``renew_s`` after its last renewal; at once
  when the holder ran on the same host and its process is gone, as after a crash and restart);
* **renewing it** every ``renew_s`` extends the expiry if the token is still ours; when it is
  not (another took it after our renewals failed for ``ttl_s``), the engine stops;
* **the fence**: every transaction the process commits first reads the row (``FOR SHARE`` on
  PostgreSQL: a take-over waits for the transactions in flight, and they for it) and rolls back
  with ``LeaseLostError`` unless it still holds our token. A copy that lost its lease while stalled
  cannot write an order, a fill or a checkpoint, and so cannot send an order either: every order
  is written before it is sent. (On inline SQLite the rows are read again only when they may
  have changed since the last fence passed: ``_saves``.)

Expiry uses the writers' wall clocks (the database's would differ between SQLite and
PostgreSQL): machines running these engines keep their clocks synchronised (NTP), which is
far tighter than ``ttl_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.errors import OperationalError
from cryptotrader.persistence import driver
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import checkpoints
from cryptotrader.persistence.tables import EngineCheckpointRow
from cryptotrader.persistence.uow import UnitOfWork

log = logging.getLogger(__name__)

LEASE_ENGINE = "lease"
"""``engine_checkpoints.engine`` of the lease rows (their ``key``: the engine's name)."""


class LeaseLostError(OperationalError):
    """Another copy of the engine holds its lease now: this one must not write."""


class WriterLease:
    """One engine's lease on one database; ``fence`` is installed as the database's commit check.

    Args:
        database: the engine's database (its commits are fenced once the lease is held).
        names: the engines whose lease this process takes (``order``, ``portfolio``).
        owner: who holds it, as shown to the copy that waits (consumer, host, pid).
        ttl_s: how long a lease lasts without renewal.
        renew_s: how often it is renewed (and how often a waiting copy looks again).
    """

    def __init__(
        self,
        database: Database,
        names: tuple[str, ...],
        owner: str,
        *,
        ttl_s: float = 15.0,
        renew_s: float = 3.0,
    ) -> None:
        self.database = database
        self.names = names
        self.owner = f"{owner}@{socket.gethostname()}:{os.getpid()}"
        self.ttl_s = ttl_s
        self.renew_s = renew_s
        self.tokens: dict[str, int] = {}
        self._names_sql = ", ".join(f"'{name}'" for name in names)  # our own fixed names
        self.lost = asyncio.Event()
        self._renewing: asyncio.Task[None] | None = None
        self._fenced: tuple[Any, ...] | None = None
        """Inline SQLite: (connection, ``data_version``, lease saves) at the last fence passed."""

    async def acquire(self) -> None:
        """Take every lease, waiting while another copy holds one; then fence the commits.

        Once held, calling it again does nothing (the runtime takes it before it loads what a
        writer owns, and ``Runtime.start`` asks again).
        """
        if self._renewing is not None:
            return
        for name in self.names:
            said = False
            while (found := await self._take(name)) is not None:
                if not said:
                    log.warning(
                        "engine %s is held by %s (lease until %s): this copy waits and takes over "
                        "if it stops", name, found["owner"], _shown(found["expires"]),
                    )  # fmt: skip
                    said = True
                await asyncio.sleep(self.renew_s)
            log.info("engine %s: lease taken (token %d)", name, self.tokens[name])
        self.database.commit_check = self.fence
        self._renewing = asyncio.create_task(self._renew(), name="writer-lease")

    async def release(self) -> None:
        """Stop renewing and let the next copy take over at once."""
        if self._renewing is not None:
            self._renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._renewing
            self._renewing = None
        if self.database.commit_check == self.fence:
            self.database.commit_check = None
        with contextlib.suppress(Exception):
            async with UnitOfWork(self.database) as uow:
                for name, value in (await self._rows(uow.session, lock=True)).items():
                    if value.get("token") == self.tokens.get(name):
                        await self._save(uow.session, name, {**value, "expires": 0.0})
                await uow.commit()

    async def fence(self, session: AsyncSession) -> None:
        """Refuse the transaction unless it still holds every token (run before each commit).

        One plain SQL query on the transaction's connection (the tokens read by the database
        from the JSON): it runs before every commit of the process, so it must cost little.

        Raises:
            LeaseLostError: another copy took a lease.
        """
        inline = await driver.connection(session)
        if inline is not None:  # sqlite3 itself, on the loop's thread
            seen = (inline, inline.execute("PRAGMA data_version").fetchone()[0], _saves[0])
            if seen == self._fenced:
                return  # no other connection committed, nor a lease saved here, since: as it was
            sql = _FENCE_SQL["sqlite"].format(names=self._names_sql)
            await self._check(session, inline.execute(sql).fetchall())
            self._fenced = seen
            return
        connection = await session.connection()
        dialect = connection.dialect.name
        sql = _FENCE_SQL[dialect].format(names=self._names_sql)
        # the driver's own connection (SQLite: one worker call; PostgreSQL: asyncpg itself):
        # SQLAlchemy's execute costs several times the query
        rows: Any = await driver.plain_rows(session, sql)
        if rows is None:
            rows = (await connection.exec_driver_sql(sql)).all()
        await self._check(session, rows)

    async def _check(self, session: AsyncSession, rows: Any) -> None:
        """Raise ``LeaseLostError`` unless ``rows`` (name, token) are the tokens we hold."""
        held = {str(key): None if token is None else int(token) for key, token in rows}
        if held != self.tokens:
            self.lost.set()
            rows = await self._rows(session, lock=False)
            raise LeaseLostError(
                f"engines {', '.join(self.names)}: another copy took a lease "
                f"({ {n: (v.get('owner'), v.get('token')) for n, v in rows.items()} }; ours "
                f"{self.tokens}): nothing written, this copy stops"
            )

    async def _take(self, name: str) -> dict[str, Any] | None:
        """Take ``name``'s lease; None once taken, else the holder's row."""
        async with UnitOfWork(self.database) as uow:
            value = (await self._rows(uow.session, lock=True, names=(name,))).get(name)
            now = time.time()
            held = value is not None and value["expires"] > now and value["owner"] != self.owner
            if value is not None and held and not _dead_here(str(value["owner"])):
                return value
            token = (0 if value is None else int(value["token"])) + 1
            held = {"owner": self.owner, "token": token, "expires": now + self.ttl_s}
            await self._save(uow.session, name, held)
            await uow.commit()
        self.tokens[name] = token
        return None

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.renew_s)
            try:
                async with UnitOfWork(self.database) as uow:
                    rows = await self._rows(uow.session, lock=True)
                    for name, token in self.tokens.items():
                        value = rows.get(name, {})
                        if value.get("token") != token:
                            log.error("engine %s: lease taken by %s", name, value.get("owner"))
                            self.lost.set()
                            return
                        expires = time.time() + self.ttl_s
                        await self._save(uow.session, name, {**value, "expires": expires})
                    await uow.commit()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database away: the fence refuses writes if another takes over
                log.exception("writer lease not renewed")

    async def _rows(
        self, session: AsyncSession, *, lock: bool, names: tuple[str, ...] | None = None
    ) -> dict[str, dict[str, Any]]:
        statement = select(EngineCheckpointRow.key, EngineCheckpointRow.value).where(
            EngineCheckpointRow.engine == LEASE_ENGINE,
            EngineCheckpointRow.key.in_(names or self.names),
        )
        statement = statement.with_for_update(read=not lock)  # FOR UPDATE / FOR SHARE (PG)
        return {str(key): dict(value) for key, value in (await session.execute(statement)).all()}

    @staticmethod
    async def _save(session: AsyncSession, name: str, value: dict[str, Any]) -> None:
        _saves[0] += 1  # every fence of the process reads the rows again
        await checkpoints.save_checkpoint(
            session=session, engine=LEASE_ENGINE, key=name, value=value, at=datetime.now(UTC)
        )


_saves = [0]
"""Lease rows saved by this process (``WriterLease._save``, the only writer of those rows).

On inline SQLite a fence reads the rows again only when they may have changed: SQLite's
``PRAGMA data_version`` changes when another connection (another process) commits, and this
count when a lease of this process saved one (on the same connection, which ``data_version``
does not see). The read is skipped otherwise: ~4,400 commits of a replay, each with a JSON
query before (about 3 % of the trading worker's time)."""

_FENCE_SQL = {  # fixed names of our own engines: no input reaches these
    "sqlite": (
        "SELECT key, json_extract(value, '$.token') FROM engine_checkpoints "  # noqa: S608
        f"WHERE engine = '{LEASE_ENGINE}' AND key IN ({{names}})"
    ),
    "postgresql": (
        "SELECT key, (value->>'token')::bigint FROM engine_checkpoints "  # noqa: S608
        f"WHERE engine = '{LEASE_ENGINE}' AND key IN ({{names}}) FOR SHARE"
    ),
}
"""The lease tokens, read in the transaction about to commit (``FOR SHARE``: see the module)."""


def _dead_here(owner: str) -> bool:
    """True when ``owner`` ran on this host and its process is gone (no need to wait it out)."""
    _, _, where = owner.rpartition("@")
    host, _, pid = where.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    return False


def _shown(expires: float) -> str:
    return datetime.fromtimestamp(expires, UTC).strftime("%H:%M:%S UTC")
