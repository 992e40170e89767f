"""Logging in and staying logged in: passwords, access and refresh tokens, WebSocket tickets.

* ``login`` checks the Argon2id hash (in a thread: hashing is deliberately slow) and opens a
  login session: a refresh-token family, and a 15-minute access token naming it.
* ``refresh`` rotates: the presented refresh token is spent and a new one of the same family is
  returned. Presenting a spent token again means it was stolen (or replayed): the whole family is
  revoked, so the thief and the victim are both logged out of that session.
* ``logout`` revokes the session; ``change_password`` revokes every session and service token
  of the user. An access token is only accepted while its session is live, so both take effect
  at once.
* A WebSocket ticket is a single-use random string valid a few seconds, for clients that cannot
  send headers on the WebSocket handshake; the token never appears in a URL.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.clock import Clock
from cryptotrader.errors import AuthenticationFailed
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import service_tokens, sessions, users
from cryptotrader.persistence.tables import ServiceTokenRow, UserRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.security import passwords
from cryptotrader.security.tokens import (
    REFRESH_PREFIX,
    SERVICE_PREFIX,
    TICKET_PREFIX,
    AccessTokens,
    new_opaque_token,
    new_session_id,
    token_hash,
)
from cryptotrader.services import audit
from cryptotrader.services.context import Actor, Origin, Permission, Role, Scope
from cryptotrader.services.ephemeral import EphemeralStore
from cryptotrader.services.login_throttle import LoginThrottle
from cryptotrader.services.session_cache import SessionCache

log = logging.getLogger(__name__)
_TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class TokenPair:
    """What a login or a refresh returns."""

    access_token: str
    refresh_token: str
    expires_in: int


def person(user: UserRow, session_id: str | None = None) -> Actor:
    """The actor of a logged-in person."""
    return Actor(
        user_id=user.id, username=user.username, role=Role(user.role), session_id=session_id
    )


def token_actor(token: ServiceTokenRow, user: UserRow) -> Actor:
    """The actor of a service token of ``user``."""
    return Actor(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        scopes=frozenset(Scope(s) for s in token.scopes.split(",") if s),
        token_id=token.id,
        token_name=token.name,
    )


class AuthService:
    """Credentials in, actors out.

    Args:
        database: users, sessions and service tokens.
        clock: token times and audit times.
        access_tokens: signs and verifies access tokens.
        refresh_ttl: lifetime of a refresh token (renewed on each rotation).
        store: where WebSocket tickets live (shared by every API process in production).
        ticket_ttl_s: lifetime of a WebSocket ticket.
        cache: remembers live credentials for a second (none by default).
    """

    def __init__(
        self,
        *,
        database: Database,
        clock: Clock,
        access_tokens: AccessTokens,
        refresh_ttl: timedelta,
        store: EphemeralStore,
        ticket_ttl_s: int,
        cache: SessionCache | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self._access = access_tokens
        self._refresh_ttl = refresh_ttl
        self._store = store
        self._ticket_ttl_s = ticket_ttl_s
        self._cache = cache or SessionCache(ttl_s=0)
        self._throttle = LoginThrottle(store)

    async def login(self, username: str, password: str, origin: Origin) -> TokenPair:
        """Open a login session.

        Raises:
            AuthenticationFailed: unknown user, wrong password or deactivated user (one message
                for all three); the attempt is audited.
        """
        await self._throttle.check(username, origin.ip)
        async with UnitOfWork(self._database, read_only=True) as reading:
            user = await users.find_user(session=reading.session, username=username)
        hashed = user.password_hash if user is not None else None
        # Outside any transaction: Argon2 is deliberately slow; no writer waits for a hash.
        valid = await asyncio.to_thread(passwords.verify_password, hashed, password)
        refused = user is None or not valid or not user.is_active
        if refused:
            await self._throttle.failed(username)
        async with UnitOfWork(self._database) as uow:
            if user is None or refused:
                await audit.record(
                    uow.session,
                    self._clock,
                    origin,
                    actor=username,
                    action="auth.login_failed",
                    target=None,
                )
                await uow.commit()
                log.warning("failed login for %r from %s", username[:64], origin.ip)
                raise AuthenticationFailed("wrong username or password")
            pair = await self._open_session(uow, user)
            await users.touch_login(session=uow.session, user_id=user.id, at=self._clock.now())
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=user.username,
                action="auth.login",
                target=f"user:{user.id}",
            )
            await uow.commit()
        await self._throttle.succeeded(username, origin.ip)
        return pair

    async def _open_session(
        self, uow: UnitOfWork, user: UserRow, family: str | None = None
    ) -> TokenPair:
        now = self._clock.now()
        family = family or new_session_id()
        refresh = new_opaque_token(REFRESH_PREFIX)
        await sessions.add_refresh_token(
            session=uow.session,
            user_id=user.id,
            token_hash=token_hash(refresh),
            family_id=family,
            issued_at=now,
            expires_at=now + self._refresh_ttl,
        )
        access = self._access.issue(user.id, family, now=now)
        return TokenPair(access, refresh, int(self._access.ttl.total_seconds()))

    async def refresh(self, refresh_token: str, origin: Origin) -> TokenPair:
        """Rotate a refresh token.

        Raises:
            AuthenticationFailed: unknown, expired or revoked token, or the user is gone; a
                spent token revokes its whole family (audited as ``auth.refresh_reused``).
        """
        now = self._clock.now()
        async with UnitOfWork(self._database) as uow:
            row = await sessions.find_refresh_token(
                session=uow.session, token_hash=token_hash(refresh_token)
            )
            if row is None:
                raise AuthenticationFailed("invalid refresh token")
            user = await users.get_user(session=uow.session, user_id=row.user_id)
            name = user.username if user is not None else str(row.user_id)
            spent = row.revoked_at is not None or not await sessions.spend_refresh_token(
                session=uow.session, token_id=row.id, at=now
            )
            if spent:
                revoked = await sessions.revoke_family(
                    session=uow.session, family_id=row.family_id, at=now
                )
                await audit.record(
                    uow.session,
                    self._clock,
                    origin,
                    actor=name,
                    action="auth.refresh_reused",
                    target=f"session:{row.family_id}",
                    after={"revoked_tokens": revoked},
                )
                await uow.commit()
                await self._cache.announce(session_id=row.family_id)
                log.warning("refresh token reuse for %s: session revoked", name)
                raise AuthenticationFailed("refresh token already used: session revoked")
            if row.expires_at <= now or user is None or not user.is_active:
                raise AuthenticationFailed("refresh token expired")
            pair = await self._open_session(uow, user, row.family_id)
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=name,
                action="auth.refresh",
                target=f"session:{row.family_id}",
            )
            await uow.commit()
        return pair

    async def logout(self, actor: Actor, origin: Origin) -> None:
        """Revoke the caller's login session (its refresh tokens and access tokens)."""
        actor.require_person()
        family = actor.session_id or ""
        self._cache.forget_session(actor.session_id)
        await self._revoke(
            actor,
            origin,
            "auth.logout",
            f"session:{actor.session_id}",
            lambda session, at: sessions.revoke_family(session=session, family_id=family, at=at),
        )
        # Again once committed, and in every API process.
        await self._cache.announce(session_id=actor.session_id)

    async def logout_everywhere(self, actor: Actor, origin: Origin) -> int:
        """Revoke every login session of the caller (each device signs in again).

        Service tokens stay: they are revoked one by one, so "log out everywhere" does not
        silently cut the Discord bot off. Returns how many tokens were revoked.
        """
        actor.require_person()
        user_id = actor.user_id
        self._cache.forget_user(user_id)
        revoked = await self._revoke(
            actor,
            origin,
            "auth.logout_everywhere",
            f"user:{user_id}",
            lambda session, at: sessions.revoke_user_sessions(
                session=session, user_id=user_id, at=at
            ),
        )
        await self._cache.announce(user_id=user_id)
        return revoked

    async def _revoke(
        self,
        actor: Actor,
        origin: Origin,
        action: str,
        target: str,
        revoke: Callable[[AsyncSession, datetime], Awaitable[int]],
    ) -> int:
        """Revoke tokens and audit how many, in one transaction; returns how many."""
        async with UnitOfWork(self._database) as uow:
            revoked = await revoke(uow.session, self._clock.now())
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action=action,
                target=target,
                after={"revoked_tokens": revoked},
            )
            await uow.commit()
        return revoked

    async def change_password(self, actor: Actor, current: str, new: str, origin: Origin) -> None:
        """Replace the caller's password; log them out everywhere, revoke their service tokens.

        Raises:
            AuthenticationFailed: ``current`` is wrong.
            UserInputError: ``new`` breaks the password policy.
        """
        actor.require_person()
        passwords.check_password_policy(new)
        async with UnitOfWork(self._database, read_only=True) as reading:
            user = await users.get_user(session=reading.session, user_id=actor.user_id)
        account = user.username if user is not None else f"#{actor.user_id}"
        await self._throttle.check(account, None)  # a stolen token gets no known-address pass
        hashed = user.password_hash if user is not None else None
        if not await asyncio.to_thread(passwords.verify_password, hashed, current):
            await self._throttle.failed(account)
            raise AuthenticationFailed("the current password is wrong")
        new_hash = await asyncio.to_thread(passwords.hash_password, new)
        async with UnitOfWork(self._database) as uow:
            await users.set_password(
                session=uow.session, user_id=actor.user_id, password_hash=new_hash
            )
            now = self._clock.now()
            revoked = await sessions.revoke_user_sessions(
                session=uow.session, user_id=actor.user_id, at=now
            )
            # A service token acts with its owner's rights: whoever stole the password may
            # have minted one, so none survives the change.
            tokens = await service_tokens.revoke_user_tokens(
                session=uow.session, user_id=actor.user_id, at=now
            )
            self._cache.forget_user(actor.user_id)
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action="auth.password_change",
                target=f"user:{actor.user_id}",
                after={"revoked_tokens": revoked, "revoked_service_tokens": tokens},
            )
            await uow.commit()
        await self._cache.announce(user_id=actor.user_id)

    async def authenticate(self, credential: str) -> Actor:
        """The actor behind an access token or a service token.

        Raises:
            AuthenticationFailed: invalid, expired or revoked credential, or inactive user.
        """
        since = self._cache.generation  # an answer straddling a revocation is not remembered
        if credential.startswith(SERVICE_PREFIX):
            key = token_hash(credential)
            return self._cache.get(key) or await self._service_actor(key, since)
        now = self._clock.now()
        claims = self._access.verify(credential, now=now)  # signature and expiry, every time
        key = f"{claims.user_id}:{claims.session_id}"
        remembered = self._cache.get(key)
        if remembered is not None:
            return remembered
        async with UnitOfWork(self._database, read_only=True) as uow:
            user = await sessions.session_user(
                session=uow.session, user_id=claims.user_id, family_id=claims.session_id, now=now
            )
        if user is None:
            raise AuthenticationFailed("session revoked or user deactivated")
        actor = person(user, claims.session_id)
        self._cache.put(key, actor, since)
        return actor

    async def _service_actor(self, key: str, since: int) -> Actor:
        """The token's owner, read without the writer lock: a bot's requests are reads.

        Until 2026-12-05 the lookup opened a writing unit of work, so every request of a
        service token (the Discord bot's, each second once the cache expired) queued for the
        writer lock behind the trading engine's transactions, and answered 503 when it could
        not get it.
        """
        now = self._clock.now()
        async with UnitOfWork(self._database, read_only=True) as uow:
            found = await service_tokens.live_token_owner(
                session=uow.session, token_hash=key, now=now
            )
        if found is None:
            raise AuthenticationFailed("invalid or revoked service token")
        token, user = found
        if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
            await self._touch(token.id, now)
        actor = token_actor(token, user)
        self._cache.put(key, actor, since)
        return actor

    async def _touch(self, token_id: int, now: datetime) -> None:
        """Record when a token was last used (its owner sees it), at most every 5 minutes.

        It is a note, not a check: when it cannot be written (the database busy or down for
        writes), the request it belongs to still goes on, and the next one tries again.
        """
        try:
            async with UnitOfWork(self._database) as uow:
                await service_tokens.touch_service_token(
                    session=uow.session, token_id=token_id, at=now
                )
                await uow.commit()
        except DBAPIError as exc:
            log.warning(
                "service token %s: its last use was not recorded (%s)",
                token_id,
                type(exc.orig).__name__,
            )

    def rate_key(self, credential: str | None) -> str | None:
        """``user:<id>`` for a correctly signed access token (expired or not), else None."""
        if not credential or credential.startswith(SERVICE_PREFIX):
            return None
        subject = self._access.subject(credential)
        return None if subject is None else f"user:{subject}"

    async def issue_ws_ticket(self, actor: Actor, origin: Origin) -> tuple[str, int]:
        """A single-use ticket opening one WebSocket as ``actor``; returns it and its lifetime.

        Raises:
            PermissionDenied: the caller may not read (a control-only service token): the
                socket streams events, and would refuse it anyway.
        """
        actor.require(Permission.READ)
        ticket = new_opaque_token(TICKET_PREFIX)
        identity = {"user_id": actor.user_id, "token_id": actor.token_id, "sid": actor.session_id}
        await self._store.put(
            f"ws-ticket:{token_hash(ticket)}", json.dumps(identity), self._ticket_ttl_s
        )
        async with UnitOfWork(self._database) as uow:
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action="auth.ws_ticket",
                target=f"user:{actor.user_id}",
            )
            await uow.commit()
        return ticket, self._ticket_ttl_s

    async def redeem_ws_ticket(self, ticket: str) -> Actor:
        """The actor a ticket was issued to; the ticket is spent.

        Raises:
            AuthenticationFailed: unknown, expired or already used ticket, or the session or
                token behind it was revoked since.
        """
        stored = await self._store.take(f"ws-ticket:{token_hash(ticket)}")
        if stored is None:
            raise AuthenticationFailed("invalid or expired WebSocket ticket")
        identity = json.loads(stored)
        token_id = identity["token_id"]
        return await self._live(
            user_id=int(identity["user_id"]),
            token_id=None if token_id is None else int(token_id),
            session_id=None if identity["sid"] is None else str(identity["sid"]),
        )

    async def recheck(self, actor: Actor) -> Actor:
        """``actor`` as it stands now, for a long-lived connection (an open WebSocket).

        Raises:
            AuthenticationFailed: its login session or service token was revoked, or the user
                deactivated, since it authenticated.
        """
        return await self._live(
            user_id=actor.user_id, token_id=actor.token_id, session_id=actor.session_id
        )

    async def revoked(self) -> None:
        """Return at the next revocation made by this process."""
        await self._cache.revoked()

    async def _live(self, *, user_id: int, token_id: int | None, session_id: str | None) -> Actor:
        now = self._clock.now()
        async with UnitOfWork(self._database, read_only=True) as uow:
            if token_id is not None:
                token = await service_tokens.get_service_token(
                    session=uow.session, token_id=token_id
                )
                if token is None or token.revoked_at is not None:
                    raise AuthenticationFailed("service token revoked")
                if token.expires_at is not None and token.expires_at <= now:
                    raise AuthenticationFailed("service token expired")
                user = await users.get_user(session=uow.session, user_id=token.user_id)
                if user is None or not user.is_active:
                    raise AuthenticationFailed("user deactivated")
                return token_actor(token, user)
            live = await sessions.session_user(
                session=uow.session,
                user_id=user_id,
                family_id=session_id or "",
                now=now,
            )
        if live is None:
            raise AuthenticationFailed("session revoked")
        return person(live, session_id)
