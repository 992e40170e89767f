"""``/auth``: login, refresh, logout, password, WebSocket tickets, service tokens, users."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, status

from cryptotrader.api.deps import (
    AuthServiceDep,
    CurrentActor,
    OriginDep,
    TokenServiceDep,
    UserServiceDep,
)
from cryptotrader.api.routes import ERROR_RESPONSES, IdPath
from cryptotrader.api.schemas.auth import (
    LoginRequest,
    PasswordChange,
    RefreshRequest,
    ServiceTokenCreate,
    ServiceTokenCreated,
    ServiceTokenPublic,
    ServiceTokensPublic,
    TokenPublic,
    UserCreate,
    UserPublic,
    UsersPublic,
    UserUpdate,
    WsTicketPublic,
)

public = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)
router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)


@public.post("/login")
async def login(body: LoginRequest, auth: AuthServiceDep, origin: OriginDep) -> TokenPublic:
    """Log in: a 15-minute access token and a refresh token (rotated on every use)."""
    pair = await auth.login(body.username, body.password, origin)
    return TokenPublic.model_validate(pair)


@public.post("/refresh")
async def refresh(body: RefreshRequest, auth: AuthServiceDep, origin: OriginDep) -> TokenPublic:
    """Trade a refresh token for new tokens; a token used twice revokes its whole session."""
    pair = await auth.refresh(body.refresh_token, origin)
    return TokenPublic.model_validate(pair)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(actor: CurrentActor, auth: AuthServiceDep, origin: OriginDep) -> None:
    """End this login session: its refresh and access tokens stop working at once."""
    await auth.logout(actor, origin)


@router.post("/logout-all", status_code=status.HTTP_204_NO_CONTENT)
async def logout_everywhere(actor: CurrentActor, auth: AuthServiceDep, origin: OriginDep) -> None:
    """End every login session of yours, on every device (service tokens stay)."""
    await auth.logout_everywhere(actor, origin)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(
    body: PasswordChange, actor: CurrentActor, auth: AuthServiceDep, origin: OriginDep
) -> None:
    """Change your password; every session of yours is logged out."""
    await auth.change_password(actor, body.current_password, body.new_password, origin)


@router.get("/me")
async def read_me(actor: CurrentActor, users: UserServiceDep) -> UserPublic:
    """Who you are (the owner, for a service token)."""
    return UserPublic.model_validate(await users.me(actor))


@router.post("/ws-ticket")
async def create_ws_ticket(
    actor: CurrentActor, auth: AuthServiceDep, origin: OriginDep
) -> WsTicketPublic:
    """A single-use ticket to authenticate one ``/ws`` connection within 30 seconds."""
    ticket, expires_in = await auth.issue_ws_ticket(actor, origin)
    return WsTicketPublic(ticket=ticket, expires_in=expires_in)


@router.get("/tokens")
async def list_tokens(
    actor: CurrentActor,
    tokens: TokenServiceDep,
    everyone: Annotated[bool, Query(description="every user's tokens (admins)")] = False,
) -> ServiceTokensPublic:
    """Your service tokens (admins: everyone's with ``everyone=true``)."""
    found = await tokens.list(actor, everyone=everyone)
    data = [ServiceTokenPublic.model_validate(view) for view in found]
    return ServiceTokensPublic(data=data, count=len(data))


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
async def create_token(
    body: ServiceTokenCreate, actor: CurrentActor, tokens: TokenServiceDep, origin: OriginDep
) -> ServiceTokenCreated:
    """A service token for a program (e.g. the Discord bot); the token is shown only here."""
    ttl = None if body.expires_in_days is None else timedelta(days=body.expires_in_days)
    scopes = tuple(dict.fromkeys(body.scopes))
    view, token = await tokens.create(actor, body.name, scopes, ttl=ttl, origin=origin)
    return ServiceTokenCreated.model_validate({**_fields(view), "token": token})


@router.delete("/tokens/{token_id}")
async def revoke_token(
    token_id: IdPath, actor: CurrentActor, tokens: TokenServiceDep, origin: OriginDep
) -> ServiceTokenPublic:
    """Revoke one of your service tokens (admins: anyone's)."""
    return ServiceTokenPublic.model_validate(await tokens.revoke(actor, token_id, origin))


@router.get("/users")
async def list_users(actor: CurrentActor, users: UserServiceDep) -> UsersPublic:
    """Every user (admins)."""
    data = [UserPublic.model_validate(view) for view in await users.list_users(actor)]
    return UsersPublic(data=data, count=len(data))


@router.post("/users", status_code=status.HTTP_201_CREATED)
async def create_user(
    body: UserCreate, actor: CurrentActor, users: UserServiceDep, origin: OriginDep
) -> UserPublic:
    """Create a user (admins)."""
    view = await users.create_user(
        body.username, body.password, body.role, email=body.email, actor=actor, origin=origin
    )
    return UserPublic.model_validate(view)


@router.patch("/users/{user_id}")
async def update_user(
    user_id: IdPath, body: UserUpdate, actor: CurrentActor, users: UserServiceDep, origin: OriginDep
) -> UserPublic:
    """Change a user's role or deactivate them (admins); their sessions are revoked."""
    view = await users.update_user(
        actor, user_id, role=body.role, is_active=body.is_active, origin=origin
    )
    return UserPublic.model_validate(view)


def _fields(view: object) -> dict[str, object]:
    return ServiceTokenPublic.model_validate(view).model_dump()
