"""Exchange API keys: ciphertexts only (``security.keys`` encrypts and decrypts)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from cryptotrader.persistence.tables import ApiKeyRow


async def get_api_key(
    *, session: AsyncSession, exchange: str, lock: bool = False
) -> ApiKeyRow | None:
    """The stored key of ``exchange``, or None."""
    statement = select(ApiKeyRow).where(ApiKeyRow.exchange == exchange)
    if lock:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def list_api_keys(*, session: AsyncSession, lock: bool = False) -> list[ApiKeyRow]:
    """Every stored key, by exchange."""
    statement = select(ApiKeyRow).order_by(ApiKeyRow.exchange)
    if lock:
        statement = statement.with_for_update()
    return list((await session.execute(statement)).scalars())


async def put_api_key(
    *,
    session: AsyncSession,
    exchange: str,
    ciphertexts: tuple[str, str, str | None],
    updated_by: str,
) -> bool:
    """Create or replace the key of ``exchange``; True when it replaced one."""
    api_key, api_secret, passphrase = ciphertexts
    row = await get_api_key(session=session, exchange=exchange, lock=True)
    replaced = row is not None
    if row is None:
        row = ApiKeyRow(exchange=exchange)
        session.add(row)
    row.api_key_ciphertext = api_key
    row.api_secret_ciphertext = api_secret
    row.passphrase_ciphertext = passphrase
    row.updated_by = updated_by
    await session.flush()
    return replaced


async def delete_api_key(*, session: AsyncSession, exchange: str) -> bool:
    """Forget the key of ``exchange``; False when there was none."""
    result = await session.execute(delete(ApiKeyRow).where(ApiKeyRow.exchange == exchange))
    return bool(getattr(result, "rowcount", 0))
