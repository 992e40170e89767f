"""People and secrets: users, refresh tokens, exchange API keys (ciphertext only), audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from cryptotrader.persistence.tables.base import Base, created_at_column, updated_at_column
from cryptotrader.persistence.types import JsonDocument, UtcDateTime

# SQLite only auto-increments an INTEGER PRIMARY KEY.
_BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class UserRow(Base):
    """Someone who may log in to the API."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, server_default=true())
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    role: Mapped[str] = mapped_column(String(16), server_default="viewer")
    """``admin``, ``trader`` or ``viewer`` (``is_admin`` mirrors ``role == "admin"``)."""
    created_at: Mapped[datetime] = created_at_column()
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class RefreshTokenRow(Base):
    """A refresh token, stored as a hash; ``family_id`` links rotations to detect reuse."""

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    family_id: Mapped[str] = mapped_column(String(36), index=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ApiKeyRow(Base):
    """Exchange credentials, encrypted (Fernet tokens): the clear text is never stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exchange: Mapped[str] = mapped_column(String(32), unique=True)
    api_key_ciphertext: Mapped[str] = mapped_column(Text)
    api_secret_ciphertext: Mapped[str] = mapped_column(Text)
    passphrase_ciphertext: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
    updated_by: Mapped[str | None] = mapped_column(String(64))


class ServiceTokenRow(Base):
    """A long-lived API token for a program (the Discord bot), stored as a hash, with scopes."""

    __tablename__ = "service_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    scopes: Mapped[str] = mapped_column(String(64))
    """Comma-separated: ``read``, ``control``."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class AuditLogRow(Base):
    """One mutating action: who, what, on what, when."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "at"), Index(None, "actor", "at"))

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    ip: Mapped[str | None] = mapped_column(String(45))
