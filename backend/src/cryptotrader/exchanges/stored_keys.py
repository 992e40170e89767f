"""The exchange API keys people stored through the API, decrypted for the live exchange only.

Keys are stored encrypted (``api_keys``, Fernet with rotation: ``security.keys.KeyRing``). Only a
live runtime reads them; paper trading never does. The clear text lives in memory, inside
``ApiCredentials`` (which never shows it), and is never logged.
"""

from __future__ import annotations

from cryptotrader.config import Settings
from cryptotrader.errors import ConfigurationError
from cryptotrader.exchanges.ccxt.credentials import ApiCredentials
from cryptotrader.persistence.database import Database
from cryptotrader.persistence.repositories import api_keys
from cryptotrader.persistence.uow import UnitOfWork
from cryptotrader.security.keys import KeyRing


async def load_credentials(database: Database, settings: Settings) -> ApiCredentials:
    """The stored credentials of the configured exchange.

    Raises:
        ConfigurationError: no key is stored for it, or no encryption key is configured.
        OperationalError: the stored key cannot be decrypted with the configured keys.
    """
    exchange = settings.exchange.name
    async with UnitOfWork(database) as uow:
        row = await api_keys.get_api_key(session=uow.session, exchange=exchange)
    if row is None:
        raise ConfigurationError(
            f"no API key stored for {exchange}: store one through the API "
            f"(PUT /config/exchange-keys/{exchange}) before trading live"
        )
    clear = KeyRing(settings.security.encryption_keys).decrypt_credentials(
        row.api_key_ciphertext, row.api_secret_ciphertext, row.passphrase_ciphertext
    )
    return ApiCredentials(api_key=clear.api_key, secret=clear.api_secret, password=clear.passphrase)
