"""Exchange API keys: stored encrypted (MultiFernet), shown masked, rotated on demand.

Keys belong to the platform (one trading account per exchange, used by the bots), not to a
user; only admins, logged in as people, may see their masks, store, delete or re-encrypt them.
Clear text goes in once, through ``put``, and only the live exchange ever decrypts it
(``load_credentials``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from cryptotrader.clock import Clock
from cryptotrader.errors import UserInputError
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import api_keys
from cryptotrader.persistence.tables import ApiKeyRow
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.security.keys import ExchangeCredentials, KeyRing, mask
from cryptotrader.services import audit
from cryptotrader.services.context import Actor, Origin, Permission
from cryptotrader.services.errors import Conflict, NotFound
from cryptotrader.services.notification_secrets import rotate_notification_secrets

_EXCHANGE = re.compile(r"^[a-z0-9_]{2,32}$")


@dataclass(frozen=True, slots=True)
class ApiKeyView:
    """A stored key as anyone may see it: masked."""

    exchange: str
    api_key_masked: str
    has_passphrase: bool
    current_encryption: bool
    created_at: datetime
    updated_at: datetime
    updated_by: str | None


def check_exchange(exchange: str) -> str:
    """A ccxt exchange id (lowercase letters, digits, ``_``).

    Raises:
        UserInputError: malformed id.
    """
    if not _EXCHANGE.match(exchange):
        raise UserInputError(f"not an exchange id: {exchange!r} (e.g. binance, kraken)")
    return exchange


async def load_credentials(database: Database, ring: KeyRing, exchange: str) -> ExchangeCredentials:
    """Decrypted credentials of ``exchange``, for the live exchange client only.

    Raises:
        NotFound: no key stored for ``exchange``.
        OperationalError: it cannot be decrypted with the configured keys.
    """
    async with UnitOfWork(database, read_only=True) as uow:
        row = await api_keys.get_api_key(session=uow.session, exchange=exchange)
    if row is None:
        raise NotFound(f"no API key stored for {exchange}")
    return ring.decrypt_credentials(
        row.api_key_ciphertext, row.api_secret_ciphertext, row.passphrase_ciphertext
    )


class ExchangeKeyService:
    """Manages the stored exchange keys.

    Args:
        database: the ``api_keys`` table.
        clock: audit times.
        ring: the encryption keys; None when none are configured (storing is then refused).
    """

    def __init__(self, *, database: Database, clock: Clock, ring: KeyRing | None) -> None:
        self._database = database
        self._clock = clock
        self._ring = ring

    def _require_ring(self) -> KeyRing:
        if self._ring is None:
            raise Conflict(
                "no encryption keys configured: set CRYPTOTRADER_SECURITY__ENCRYPTION_KEYS first"
            )
        return self._ring

    def _view(self, row: ApiKeyRow) -> ApiKeyView:
        shown = "…"
        current = False
        if self._ring is not None:
            shown = mask(self._ring.decrypt(row.api_key_ciphertext))
            current = self._ring.is_current(row.api_key_ciphertext)
        return ApiKeyView(
            exchange=row.exchange,
            api_key_masked=shown,
            has_passphrase=row.passphrase_ciphertext is not None,
            current_encryption=current,
            created_at=row.created_at,
            updated_at=row.updated_at,
            updated_by=row.updated_by,
        )

    async def list(self, actor: Actor) -> list[ApiKeyView]:
        """Every stored key, masked."""
        actor.require(Permission.ADMIN)
        actor.require_person()
        async with UnitOfWork(self._database, read_only=True) as uow:
            return [self._view(row) for row in await api_keys.list_api_keys(session=uow.session)]

    async def put(
        self, actor: Actor, exchange: str, credentials: ExchangeCredentials, origin: Origin
    ) -> ApiKeyView:
        """Store (or replace) the key of ``exchange``, encrypted with the newest key.

        Raises:
            Conflict: no encryption key is configured.
        """
        actor.require(Permission.ADMIN)
        actor.require_person()
        ring = self._require_ring()
        check_exchange(exchange)
        async with UnitOfWork(self._database) as uow:
            replaced = await api_keys.put_api_key(
                session=uow.session,
                exchange=exchange,
                ciphertexts=ring.encrypt_credentials(credentials),
                updated_by=actor.name[:64],
            )
            row = await api_keys.get_api_key(session=uow.session, exchange=exchange)
            assert row is not None
            await uow.session.refresh(row)
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action="exchange_key.replace" if replaced else "exchange_key.create",
                target=f"exchange:{exchange}",
                after={
                    "api_key": mask(credentials.api_key),
                    "has_passphrase": credentials.passphrase is not None,
                },
            )
            view = self._view(row)
            await uow.commit()
        return view

    async def delete(self, actor: Actor, exchange: str, origin: Origin) -> None:
        """Forget the key of ``exchange``.

        Raises:
            NotFound: none stored.
        """
        actor.require(Permission.ADMIN)
        actor.require_person()
        async with UnitOfWork(self._database) as uow:
            if not await api_keys.delete_api_key(session=uow.session, exchange=exchange):
                raise NotFound(f"no API key stored for {exchange}")
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action="exchange_key.delete",
                target=f"exchange:{exchange}",
            )
            await uow.commit()

    async def rotate(self, actor: Actor, origin: Origin) -> int:
        """Re-encrypt every stored secret with the newest encryption key; returns how many changed.

        Every exchange key and the notification secrets (Discord webhook, VAPID private key,
        ntfy tokens): after this, the older encryption keys can be
        removed from the configuration.

        Raises:
            Conflict: no encryption key is configured.
            OperationalError: a key cannot be decrypted with the configured keys.
        """
        actor.require(Permission.ADMIN)
        actor.require_person()
        ring = self._require_ring()
        async with UnitOfWork(self._database) as uow:
            changed = 0
            for row in await api_keys.list_api_keys(session=uow.session, lock=True):
                if ring.is_current(row.api_key_ciphertext) and ring.is_current(
                    row.api_secret_ciphertext
                ):
                    continue
                row.api_key_ciphertext = ring.rotate(row.api_key_ciphertext)
                row.api_secret_ciphertext = ring.rotate(row.api_secret_ciphertext)
                if row.passphrase_ciphertext is not None:
                    row.passphrase_ciphertext = ring.rotate(row.passphrase_ciphertext)
                row.updated_by = actor.name[:64]
                changed += 1
            changed += await rotate_notification_secrets(
                uow.session, ring, at=self._clock.now(), by=actor.name
            )
            await uow.session.flush()
            await audit.record(
                uow.session,
                self._clock,
                origin,
                actor=actor.name,
                action="exchange_key.rotate",
                target=None,
                after={"re_encrypted": changed},
            )
            await uow.commit()
        return changed
