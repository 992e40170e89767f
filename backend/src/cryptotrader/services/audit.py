"""Writing the audit log: one row per change, in the transaction of the change.

A row says who (``actor``), what (``action``, e.g. ``bot.pause``), on what (``target``, e.g.
``bot:safe``), when (``at``, from the injected clock), from where (``ip``), for whom when a
program acts for a person (``details.on_behalf_of``, e.g. the Discord user behind the bot's
service token), and the state before and after in ``details``. Secrets never enter
``details``: callers pass masked values.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.clock import Clock
from cryptotrader.persistence.repositories.audit import append_audit
from cryptotrader.services.context import Origin


async def record(
    session: AsyncSession,
    clock: Clock,
    origin: Origin,
    *,
    actor: str,
    action: str,
    target: str | None,
    before: Any = None,
    after: Any = None,
) -> int:
    """Append one audit row in ``session``'s transaction; returns its id.

    Args:
        session: the unit of work that makes the change (committed together).
        clock: where ``at`` comes from.
        origin: the caller's address and the request id.
        actor: who: ``Actor.name``, or the attempted username of a failed login.
        action: ``<object>.<verb>``.
        target: ``<object>:<id>``, or None.
        before: the state before the change (JSON-ready, secrets masked).
        after: the state after.
    """
    details: dict[str, Any] = {"before": before, "after": after}
    if origin.request_id is not None:
        details["request_id"] = origin.request_id
    if origin.on_behalf_of is not None:
        details["on_behalf_of"] = origin.on_behalf_of
    return await append_audit(
        session=session,
        at=clock.now(),
        actor=actor[:64],
        action=action,
        target=None if target is None else target[:128],
        details=details,
        ip=origin.ip,
    )
