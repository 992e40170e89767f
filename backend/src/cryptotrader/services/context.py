"""Who is calling, with which rights, from where: passed to every service method.

Ownership and authorization model:

* **Roles** (``users.role``): ``viewer`` reads; ``trader`` also controls bots, edits bot
  settings and trading pairs, and runs backtests; ``admin`` also manages users, exchange API
  keys, notification settings and the live-trading switch.
* **Service tokens** act for the user who created them, limited to their scopes: ``read``
  (every GET) and ``control`` (bot start/stop/pause/resume and backtest launches). A service
  token can never change configuration, credentials, users or tokens, whatever its owner's role.
* **Shared objects**: bots, trades, portfolio, market data and configuration belong to the
  platform (one trading account); any role that has the permission acts on them.
* **Owned objects**: backtests, service tokens and login sessions belong to the user who created
  them. Another user's id answers 404, exactly like an id that does not exist (its existence
  is not revealed); admins may list and revoke anyone's service tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from cryptotrader.services.errors import PermissionDenied


class Role(StrEnum):
    """What a person may do."""

    VIEWER = "viewer"
    TRADER = "trader"
    ADMIN = "admin"


class Scope(StrEnum):
    """What a service token may do (within its owner's role)."""

    READ = "read"
    CONTROL = "control"


class Permission(StrEnum):
    """One kind of action; each service method requires one."""

    READ = "read"
    CONTROL = "control"
    CONFIGURE = "configure"
    ADMIN = "admin"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.TRADER: frozenset({Permission.READ, Permission.CONTROL, Permission.CONFIGURE}),
    Role.ADMIN: frozenset(Permission),
}
SCOPE_PERMISSIONS: dict[Scope, Permission] = {
    Scope.READ: Permission.READ,
    Scope.CONTROL: Permission.CONTROL,
}


@dataclass(frozen=True, slots=True)
class Actor:
    """An authenticated caller: a person (``token_id`` None) or a service token.

    ``session_id`` is the login session (refresh-token family) of a person's access token.
    """

    user_id: int
    username: str
    role: Role
    scopes: frozenset[Scope] | None = None
    token_id: int | None = None
    token_name: str | None = None
    session_id: str | None = None

    @property
    def is_service(self) -> bool:
        """True for a service token."""
        return self.token_id is not None

    @property
    def name(self) -> str:
        """How the audit log names the caller: ``alice`` or ``alice/token:discord``."""
        if self.token_name is None:
            return self.username
        return f"{self.username}/token:{self.token_name}"[:64]

    @property
    def permissions(self) -> frozenset[Permission]:
        """What this caller may do."""
        allowed = ROLE_PERMISSIONS[self.role]
        if self.scopes is None:
            return allowed
        return allowed & frozenset(SCOPE_PERMISSIONS[s] for s in self.scopes)

    def require(self, permission: Permission) -> None:
        """Raise unless the caller has ``permission``.

        Raises:
            PermissionDenied: the role or the token's scopes do not allow it.
        """
        if permission not in self.permissions:
            what = "this token's scopes do" if self.is_service else f"the {self.role} role does"
            raise PermissionDenied(f"{what} not allow '{permission}' actions")

    def require_person(self) -> None:
        """Raise when a service token tries a person-only action (credentials, tokens).

        Raises:
            PermissionDenied: the caller is a service token.
        """
        if self.is_service:
            raise PermissionDenied("service tokens cannot do this; log in as a person")

    def owns(self, user_id: int) -> bool:
        """True when the object of ``user_id`` is the caller's."""
        return self.user_id == user_id


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a request came from, for the audit log: client address and request id."""

    ip: str | None = None
    request_id: str | None = field(default=None)
    on_behalf_of: str | None = None
    """Who a client program acted for (``X-On-Behalf-Of``: e.g. the Discord user behind a
    service token), as that program says; the audit log records it next to the actor."""
