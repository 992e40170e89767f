"""Login, tokens, users and service tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from cryptotrader.api.schemas.common import Input, Schema
from cryptotrader.services.context import Role, Scope


class LoginRequest(Input):
    """Username and password."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class RefreshRequest(Input):
    """The refresh token to rotate."""

    refresh_token: str = Field(min_length=1, max_length=256)


class TokenPublic(Schema):
    """A login session's tokens: the access token lasts ``expires_in`` seconds."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type
    expires_in: int


class PasswordChange(Input):
    """The current password and the new one (12 to 256 characters)."""

    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=12, max_length=256)


class UserPublic(Schema):
    """A user (never the password hash)."""

    id: int
    username: str
    email: str | None
    role: Role
    is_active: bool
    created_at: datetime | None
    last_login_at: datetime | None


class UsersPublic(Schema):
    """Users."""

    data: list[UserPublic]
    count: int


class UserCreate(Input):
    """A new user (admins only)."""

    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]+$")
    password: str = Field(min_length=12, max_length=256)
    role: Role = Role.VIEWER
    email: str | None = Field(default=None, max_length=255)


class UserUpdate(Input):
    """Change a user's role or deactivate them; their sessions are revoked."""

    role: Role | None = None
    is_active: bool | None = None


class ServiceTokenCreate(Input):
    """A new service token: a name, its scopes, and an optional lifetime."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    scopes: list[Scope] = Field(min_length=1, max_length=2)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class ServiceTokenPublic(Schema):
    """A service token's metadata."""

    id: int
    user_id: int
    name: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ServiceTokenCreated(ServiceTokenPublic):
    """A new service token: ``token`` is shown this once and never again."""

    token: str


class ServiceTokensPublic(Schema):
    """Service tokens."""

    data: list[ServiceTokenPublic]
    count: int


class WsTicketPublic(Schema):
    """A single-use ticket to open ``/ws`` within ``expires_in`` seconds."""

    ticket: str
    expires_in: int
