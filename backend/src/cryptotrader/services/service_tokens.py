"""Service tokens: scoped credentials for programs such as the Discord bot.

A token acts for the user who created it, limited to its scopes (``context`` explains the
model). It is shown once, at creation; the database keeps its SHA-256 only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptotrader.clock import Clock
from cryptotrader.errors import UserInputError
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import service_tokens, users
from cryptotrader.persistence.tables import ServiceTokenRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.security.tokens import SERVICE_PREFIX, new_opaque_token, token_hash
from cryptotrader.services import audit
from cryptotrader.services.context import (
    ROLE_PERMISSIONS,
    SCOPE_PERMISSIONS,
    Actor,
    Origin,
    Permission,
    Role,
    Scope,
)
from cryptotrader.services.errors import NotFound, PermissionDenied
from cryptotrader.services.session_cache import SessionCache

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True, slots=True)
class ServiceTokenView:
    """A token's metadata (never the token)."""

    id: int
    user_id: int
    name: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


def token_view(row: ServiceTokenRow) -> ServiceTokenView:
    """The view of a token row."""
    return ServiceTokenView(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        scopes=tuple(Scope(s) for s in row.scopes.split(",") if s),
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


def parse_scopes(text: str | list[str] | tuple[str, ...]) -> tuple[Scope, ...]:
    """``read,control`` -> the scopes, in a stable order.

    Raises:
        UserInputError: empty or unknown scope.
    """
    names = text.split(",") if isinstance(text, str) else list(text)
    try:
        scopes = {Scope(name.strip()) for name in names if name.strip()}
    except ValueError:
        known = ", ".join(s.value for s in Scope)
        raise UserInputError(f"unknown scope in {names!r} (known: {known})") from None
    if not scopes:
        raise UserInputError("a service token needs at least one scope")
    return tuple(s for s in Scope if s in scopes)


class ServiceTokenService:
    """Creates, lists and revokes service tokens.

    Args:
        database: where tokens live.
        clock: creation and revocation times.
        cache: the credential cache to clear when a token is revoked.
    """

    def __init__(
        self, *, database: Database, clock: Clock, cache: SessionCache | None = None
    ) -> None:
        self._database = database
        self._clock = clock
        self._cache = cache or SessionCache(ttl_s=0)

    async def create(
        self,
        owner: Actor,
        name: str,
        scopes: tuple[Scope, ...],
        *,
        ttl: timedelta | None,
        origin: Origin,
    ) -> tuple[ServiceTokenView, str]:
        """A new token of ``owner``; returns its view and the token (shown only now).

        Raises:
            PermissionDenied: a service token tries to mint tokens, or a scope exceeds the
                owner's role.
            UserInputError: malformed name.
        """
        owner.require_person()
        if not _NAME.match(name):
            raise UserInputError("token name: 1-64 letters, digits, '_', '.' or '-'")
        allowed = ROLE_PERMISSIONS[owner.role]
        beyond = [s for s in scopes if SCOPE_PERMISSIONS[s] not in allowed]
        if beyond:
            raise PermissionDenied(f"the {owner.role} role cannot grant {beyond[0]!r}")
        token = new_opaque_token(SERVICE_PREFIX)
        now = self._clock.now()
        async with UnitOfWork(self._database) as uow:
            row = await service_tokens.add_service_token(
                session=uow.session,
                user_id=owner.user_id,
                name=name,
                token_hash=token_hash(token),
                scopes=",".join(scopes),
                created_at=now,
                expires_at=None if ttl is None else now + ttl,
            )
            view = token_view(row)
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=owner.name,
                action="token.create",
                target=f"token:{row.id}",
                after={"name": name, "scopes": list(scopes)},
            )
            await uow.commit()
        return view, token

    async def create_for(
        self, username: str, name: str, scopes: tuple[Scope, ...], *, ttl: timedelta | None
    ) -> tuple[ServiceTokenView, str]:
        """``create`` on behalf of ``username`` (the command line, trusted like the machine).

        Raises:
            NotFound: no such active user.
        """
        async with UnitOfWork(self._database, read_only=True) as uow:
            user = await users.find_user(session=uow.session, username=username)
        if user is None or not user.is_active:
            raise NotFound(f"no active user {username!r}")
        owner = Actor(user_id=user.id, username=user.username, role=Role(user.role))
        return await self.create(owner, name, scopes, ttl=ttl, origin=Origin(ip="cli"))

    async def list(self, actor: Actor, *, everyone: bool = False) -> list[ServiceTokenView]:
        """The caller's tokens; ``everyone`` (admins only) lists every user's."""
        actor.require_person()
        if everyone:
            actor.require(Permission.ADMIN)
        async with UnitOfWork(self._database, read_only=True) as uow:
            rows = await service_tokens.list_service_tokens(
                session=uow.session, user_id=None if everyone else actor.user_id
            )
        return [token_view(row) for row in rows]

    async def revoke(self, actor: Actor, token_id: int, origin: Origin) -> ServiceTokenView:
        """Revoke a token of the caller (admins: anyone's).

        Raises:
            NotFound: no such token, or another user's (for non-admins).
        """
        actor.require_person()
        async with UnitOfWork(self._database) as uow:
            row = await service_tokens.get_service_token(session=uow.session, token_id=token_id)
            may = row is not None and (
                actor.owns(row.user_id) or Permission.ADMIN in actor.permissions
            )
            if row is None or not may:
                raise NotFound("token not found")
            before = row.revoked_at
            self._cache.forget_token(token_id)
            if row.revoked_at is None:
                row.revoked_at = self._clock.now()
                await uow.session.flush()
            view = token_view(row)
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action="token.revoke",
                target=f"token:{token_id}",
                before={"revoked": before is not None},
                after={"revoked": True},
            )
            await uow.commit()
        await self._cache.announce(token_id=token_id)  # again once committed, in every process
        return view
