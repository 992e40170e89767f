"""API credentials that never show: not in reprs, logs nor error messages.

``ApiCredentials`` masks itself in ``repr``/``str``. ``SecretRedactor`` is a logging filter put on
the logger a ccxt client writes to (ccxt logs every request's headers, API key included, at DEBUG
level) and applied to our own error messages, replacing each secret by ``***``.
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass, field

from cryptotrader.errors import ConfigurationError

REDACTED = "***"


@dataclass(frozen=True, slots=True)
class ApiCredentials:
    """An exchange API key and secret (and the passphrase some exchanges add).

    Example:
        >>> ApiCredentials(api_key="k3y", secret="s3cret")
        ApiCredentials(api_key='***', secret='***')
    """

    api_key: str = field(repr=False)
    secret: str = field(repr=False)
    password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.api_key or not self.secret:
            raise ConfigurationError("an exchange API key and secret must both be set")

    def __repr__(self) -> str:
        return f"ApiCredentials(api_key={REDACTED!r}, secret={REDACTED!r})"

    def __str__(self) -> str:
        return repr(self)

    def secrets(self) -> tuple[str, ...]:
        """Every sensitive string, longest first (so that overlapping ones redact fully)."""
        values = [self.api_key, self.secret, *([self.password] if self.password else [])]
        return tuple(sorted(values, key=len, reverse=True))

    def require_base64_secret(self, exchange_id: str) -> None:
        """Refuse a secret that is not base64 (Kraken signs with the decoded secret).

        Raises:
            ConfigurationError: the secret does not decode; the message never quotes it.
        """
        try:
            base64.b64decode(self.secret, validate=True)
        except (binascii.Error, ValueError):
            raise ConfigurationError(
                f"the {exchange_id} API secret must be base64, as {exchange_id} issues it"
            ) from None


class SecretRedactor(logging.Filter):
    """Replaces secrets by ``***`` in log records and in any text given to ``redact``."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)

    def redact(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with the secrets removed; never drops a record."""
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
