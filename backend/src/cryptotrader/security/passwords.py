"""Password hashing with Argon2id (argon2-cffi's RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from cryptotrader.errors import UserInputError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256

_hasher = PasswordHasher()  # Argon2id, t=3, m=64 MiB, p=4 (argon2-cffi defaults)
# Verified against when the user does not exist, so that timing does not tell who exists.
_DUMMY_HASH = _hasher.hash("not-a-real-password-only-for-timing")


def check_password_policy(password: str) -> None:
    """Refuse passwords that are too short or too long.

    Raises:
        UserInputError: the password breaks the policy.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserInputError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserInputError(f"the password must be at most {MAX_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    """The Argon2id hash (PHC string) of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; ``None`` burns the same time and returns False."""
    try:
        _hasher.verify(password_hash or _DUMMY_HASH, password)  # raises unless it matches
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
