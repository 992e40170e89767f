"""Exchange API keys at rest: Fernet encryption with key rotation (MultiFernet), and masking.

The encryption keys come from ``security.encryption_keys`` (newest first). The newest encrypts;
every key decrypts, so an operator rotates by putting a new key first, calling ``rotate`` (or
``POST /config/exchange-keys/rotate``) to re-encrypt everything with it, then dropping the old
key. Clear text is never logged and never leaves through the API: only ``mask`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from cryptotrader.errors import ConfigurationError, OperationalError

_SHOWN = 4
_MIN_MASKED = 12


@dataclass(frozen=True, slots=True)
class ExchangeCredentials:
    """Clear-text credentials of one exchange account; ``repr`` never shows them."""

    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    passphrase: str | None = field(default=None, repr=False)


def mask(secret: str) -> str:
    """``abcd…wxyz``: enough to recognise a key, never enough to use it.

    Example:
        >>> mask("AKIA1234567890WXYZ")
        'AKIA…WXYZ'
        >>> mask("short")
        '…'
    """
    if len(secret) < _MIN_MASKED:
        return "…"
    return f"{secret[:_SHOWN]}…{secret[-_SHOWN:]}"


class KeyRing:
    """Encrypts with the newest key, decrypts with any (``MultiFernet``).

    Args:
        keys: URL-safe base64 Fernet keys, newest first.

    Raises:
        ConfigurationError: no key, or one is not a valid Fernet key (the message says which,
            never the key itself).

    Example:
        >>> ring = KeyRing([Fernet.generate_key().decode()])
        >>> ring.decrypt(ring.encrypt("secret"))
        'secret'
    """

    def __init__(self, keys: tuple[str, ...] | list[str]) -> None:
        if not keys:
            raise ConfigurationError(
                "no encryption key: set CRYPTOTRADER_SECURITY__ENCRYPTION_KEYS (generate one with "
                "python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            )
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode()))
            except (ValueError, TypeError):
                raise ConfigurationError(
                    f"security.encryption_keys: key {position} is not a valid Fernet key "
                    "(32 url-safe base64-encoded bytes)"
                ) from None
        self._fernet = MultiFernet(fernets)
        self._newest = fernets[0]

    def encrypt(self, clear: str) -> str:
        """The Fernet token of ``clear`` under the newest key."""
        return self._fernet.encrypt(clear.encode()).decode()

    def decrypt(self, token: str) -> str:
        """The clear text of a token made with any key of the ring.

        Raises:
            OperationalError: no key of the ring decrypts it (a key was removed too early, or the
                ciphertext is corrupt).
        """
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise OperationalError(
                "a stored secret cannot be decrypted with the configured encryption keys "
                "(was its key removed before rotation?)"
            ) from None

    def rotate(self, token: str) -> str:
        """The same secret re-encrypted under the newest key.

        Raises:
            OperationalError: no key of the ring decrypts it.
        """
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise OperationalError(
                "a stored secret cannot be decrypted with the configured encryption keys"
            ) from None

    def is_current(self, token: str) -> bool:
        """True when ``token`` is already encrypted under the newest key."""
        try:
            self._newest.decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def encrypt_credentials(self, credentials: ExchangeCredentials) -> tuple[str, str, str | None]:
        """``(api_key, api_secret, passphrase)`` ciphertexts, for ``api_keys``."""
        passphrase = credentials.passphrase
        return (
            self.encrypt(credentials.api_key),
            self.encrypt(credentials.api_secret),
            None if passphrase is None else self.encrypt(passphrase),
        )

    def decrypt_credentials(
        self, api_key: str, api_secret: str, passphrase: str | None
    ) -> ExchangeCredentials:
        """The clear credentials of one ``api_keys`` row (for the live exchange only).

        Raises:
            OperationalError: a ciphertext cannot be decrypted.
        """
        return ExchangeCredentials(
            api_key=self.decrypt(api_key),
            api_secret=self.decrypt(api_secret),
            passphrase=None if passphrase is None else self.decrypt(passphrase),
        )
