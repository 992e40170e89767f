"""The JWT signing secret: the configured one, or a generated one on a development machine.

Outside development the settings already refuse a default or short ``security.jwt_secret``.
In development the known default is never used to sign either: a random secret is generated
once into ``<data_dir>/jwt_secret`` (mode 0600) and reused, so a fresh machine works with
nothing configured and still cannot be forged with a published secret.
"""

from __future__ import annotations

import logging
import os
import secrets

from cryptotrader.config import _KNOWN_WEAK_SECRETS, _MIN_SECRET_LENGTH, Settings
from cryptotrader.errors import ConfigurationError

log = logging.getLogger(__name__)
SECRET_FILE = "jwt_secret"  # noqa: S105 - a file name, not a secret


def is_weak(secret: str) -> bool:
    """True for a known default or a secret shorter than 32 characters."""
    return secret.lower() in _KNOWN_WEAK_SECRETS or len(secret) < _MIN_SECRET_LENGTH


def signing_secret(settings: Settings) -> str:
    """The secret that signs access tokens.

    Raises:
        ConfigurationError: the configured secret is weak outside development.
    """
    configured = settings.security.jwt_secret
    if not is_weak(configured):
        return configured
    if settings.environment != "development":
        raise ConfigurationError(
            "security.jwt_secret is a default or weak secret; set CRYPTOTRADER_SECURITY__JWT_SECRET"
            f" to at least {_MIN_SECRET_LENGTH} random characters"
        )
    path = settings.data_dir / SECRET_FILE
    if path.exists():
        stored = path.read_text(encoding="utf-8").strip()
        if not is_weak(stored):
            return stored
    path.parent.mkdir(parents=True, exist_ok=True)
    generated = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(generated)
    log.warning("no JWT secret configured: generated one in %s (development only)", path)
    return generated
