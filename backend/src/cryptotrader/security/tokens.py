"""API credentials: signed JWT access tokens, and opaque tokens stored only as hashes.

Access tokens are HS256 JWTs (15 minutes by default) naming the user (``sub``), their login
session (``sid``, the refresh-token family) and an id (``jti``). Only HS256 is accepted, so
``alg=none`` and algorithm confusion are refused. Refresh tokens, service tokens and WebSocket
tickets are random strings; the database keeps their SHA-256 only (they carry 256 bits of
entropy, so a fast hash is enough and a leaked table cannot be replayed).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from cryptotrader.errors import AuthenticationFailed

ALGORITHM = "HS256"
ISSUER = "cryptotrader"
AUDIENCE = "cryptotrader-api"
REFRESH_PREFIX = "ctr_"
SERVICE_PREFIX = "ctk_"
TICKET_PREFIX = "ctw_"
_LEEWAY = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a verified access token says."""

    user_id: int
    session_id: str
    issued_at: datetime
    expires_at: datetime


def new_opaque_token(prefix: str) -> str:
    """A fresh random token (256 bits), with a prefix saying what it is."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 of a token, hex: what the database stores and looks up."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_session_id() -> str:
    """A login session (refresh-token family) id."""
    return str(uuid.uuid4())


class AccessTokens:
    """Issues and verifies access tokens with one secret.

    Args:
        secret: the HMAC key (``security.jwt_secret``, checked for strength at startup).
        ttl: how long a token lives.

    Example:
        >>> tokens = AccessTokens("x" * 48, timedelta(minutes=15))
        >>> from datetime import UTC
        >>> now = datetime(2026, 1, 1, tzinfo=UTC)
        >>> tokens.verify(tokens.issue(7, "s", now=now), now=now).user_id
        7
    """

    def __init__(self, secret: str, ttl: timedelta) -> None:
        self._secret = secret
        self.ttl = ttl

    def issue(self, user_id: int, session_id: str, *, now: datetime) -> str:
        """A signed token for ``user_id`` in login session ``session_id``."""
        claims = {
            "sub": str(user_id),
            "sid": session_id,
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int((now + self.ttl).timestamp()),
            "iss": ISSUER,
            "aud": AUDIENCE,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str, *, now: datetime) -> AccessClaims:
        """The claims of a valid token.

        Raises:
            AuthenticationFailed: bad signature, wrong algorithm, expired, or malformed.
        """
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={
                    "require": ["exp", "iat", "sub", "sid"],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
            user_id = int(claims["sub"])
            session_id = str(claims["sid"])
            issued = datetime.fromtimestamp(int(claims["iat"]), tz=now.tzinfo)
            expires = datetime.fromtimestamp(int(claims["exp"]), tz=now.tzinfo)
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            raise AuthenticationFailed("invalid access token") from None
        # Times are checked against the injected clock, not the wall clock (TestClock in tests).
        if expires <= now:
            raise AuthenticationFailed("access token expired")
        if issued > now + _LEEWAY:
            raise AuthenticationFailed("invalid access token")
        return AccessClaims(user_id, session_id, issued, expires)

    def subject(self, token: str) -> str | None:
        """The verified ``sub`` of a token, ignoring expiry (rate-limit keys); None if invalid."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
        except jwt.PyJWTError:
            return None
        subject = claims.get("sub")
        return subject if isinstance(subject, str) else None


def same_token(a: str, b: str) -> bool:
    """Constant-time comparison."""
    return hmac.compare_digest(a.encode(), b.encode())
