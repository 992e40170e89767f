"""People: the first admin (bootstrap from the command line), then users managed by admins."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from cryptotrader.clock import Clock
from cryptotrader.errors import UserInputError
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import service_tokens, sessions, users
from cryptotrader.persistence.tables import UserRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.security import passwords
from cryptotrader.services import audit
from cryptotrader.services.context import Actor, Origin, Permission, Role
from cryptotrader.services.errors import Conflict, NotFound, PermissionDenied
from cryptotrader.services.session_cache import SessionCache

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$")
SYSTEM_ACTOR = "system:cli"


@dataclass(frozen=True, slots=True)
class UserView:
    """A user as shown to admins and to themselves (never the hash)."""

    id: int
    username: str
    email: str | None
    role: Role
    is_active: bool
    created_at: datetime | None
    last_login_at: datetime | None


def user_view(row: UserRow) -> UserView:
    """The view of a user row."""
    return UserView(
        id=row.id,
        username=row.username,
        email=row.email,
        role=Role(row.role),
        is_active=row.is_active,
        created_at=row.created_at,
        last_login_at=row.last_login_at,
    )


def check_username(username: str) -> str:
    """Raise unless ``username`` is 3-64 letters, digits, ``_ . -``.

    Raises:
        UserInputError: the username is malformed.
    """
    if not _USERNAME.match(username):
        raise UserInputError("username: 3-64 letters, digits, '_', '.' or '-'")
    return username


class UserService:
    """Creates and manages users.

    Args:
        database: where users live.
        clock: audit times.
        cache: the credential cache to clear when a user's rights change.
    """

    def __init__(
        self, *, database: Database, clock: Clock, cache: SessionCache | None = None
    ) -> None:
        self._database = database
        self._clock = clock
        self._cache = cache or SessionCache(ttl_s=0)

    async def create_user(
        self,
        username: str,
        password: str,
        role: Role,
        *,
        email: str | None = None,
        actor: Actor | None = None,
        origin: Origin | None = None,
    ) -> UserView:
        """Create a user; without ``actor`` (the command line) only if allowed as bootstrap.

        The first user can only be an admin. Later users are created by an admin through the
        API, or from the command line (which has the machine's trust).

        Raises:
            PermissionDenied: ``actor`` is not an admin.
            UserInputError: malformed username or weak password, or a first user who is not an
                admin.
            Conflict: the username or email is taken.
        """
        if actor is not None:
            actor.require(Permission.ADMIN)
            actor.require_person()
        check_username(username)
        passwords.check_password_policy(password)
        hashed = await asyncio.to_thread(passwords.hash_password, password)
        async with UnitOfWork(self._database) as uow:
            if role is not Role.ADMIN and await users.count_users(session=uow.session) == 0:
                raise UserInputError("the first user must be an admin (--role admin)")
            try:
                row = await users.add_user(
                    session=uow.session,
                    username=username,
                    password_hash=hashed,
                    role=role.value,
                    email=email,
                )
            except IntegrityError:
                raise Conflict(f"user {username!r} (or that email) already exists") from None
            view = user_view(row)
            await audit.record(
                uow.session,
                self._clock,
                origin or Origin(),
                actor=actor.name if actor else SYSTEM_ACTOR,
                action="user.create",
                target=f"user:{row.id}",
                after={"username": username, "role": role.value},
            )
            await uow.commit()
        return view

    async def me(self, actor: Actor) -> UserView:
        """The caller's own user.

        Raises:
            PermissionDenied: a service token without the ``read`` scope.
            NotFound: the user was deleted meanwhile.
        """
        actor.require(Permission.READ)  # a control-only token acts; it reads nothing
        async with UnitOfWork(self._database, read_only=True) as uow:
            row = await users.get_user(session=uow.session, user_id=actor.user_id)
        if row is None:
            raise NotFound("user not found")
        return user_view(row)

    async def list_users(self, actor: Actor) -> list[UserView]:
        """Every user (admins only)."""
        actor.require(Permission.ADMIN)
        async with UnitOfWork(self._database, read_only=True) as uow:
            return [user_view(row) for row in await users.list_users(session=uow.session)]

    async def update_user(
        self,
        actor: Actor,
        user_id: int,
        *,
        role: Role | None,
        is_active: bool | None,
        origin: Origin,
    ) -> UserView:
        """Change a user's role or deactivate them.

        A real change of role, a deactivation and a reactivation revoke the user's login sessions
        and service tokens (a reactivated user logs in again and mints new tokens; tokens never
        come back by themselves). Setting what is already set changes nothing and revokes
        nothing (an admin PATCHing their own role to admin stays logged in).

        Raises:
            PermissionDenied: the caller is not an admin.
            NotFound: no such user.
            Conflict: an admin tries to demote or deactivate themselves, or the change would
                leave no active admin (two admins demoting each other at once: the second is
                refused).
        """
        actor.require(Permission.ADMIN)
        actor.require_person()
        if user_id == actor.user_id and (role not in (None, Role.ADMIN) or is_active is False):
            raise Conflict("admins cannot demote or deactivate themselves")
        async with UnitOfWork(self._database) as uow:
            admins = await users.lock_active_admins(session=uow.session)
            if actor.user_id not in admins:  # demoted or deactivated since it authenticated
                raise PermissionDenied("only an active admin can change users")
            row = await users.get_user(session=uow.session, user_id=user_id)
            if row is None:
                raise NotFound("user not found")
            before = {"role": row.role, "is_active": row.is_active}
            new_role = row.role if role is None else role.value
            new_active = row.is_active if is_active is None else is_active
            stays_admin = new_role == Role.ADMIN.value and new_active
            if user_id in admins and not stays_admin and len(admins) == 1:
                raise Conflict("this would leave no active admin")
            changed = new_role != row.role or new_active != row.is_active
            row.role, row.is_active = new_role, new_active
            row.is_admin = new_role == Role.ADMIN.value
            if changed:
                now = self._clock.now()
                await sessions.revoke_user_sessions(session=uow.session, user_id=user_id, at=now)
                await service_tokens.revoke_user_tokens(
                    session=uow.session, user_id=user_id, at=now
                )
                self._cache.forget_user(user_id)  # no request may re-cache them before commit
            await uow.session.flush()
            view = user_view(row)
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action="user.update",
                target=f"user:{user_id}",
                before=before,
                after={"role": row.role, "is_active": row.is_active},
            )
            await uow.commit()
        if changed:
            await self._cache.announce(user_id=user_id)
        return view
