"""Who may run what: viewers read, operators control (role ids from the configuration).

Enforced here with app-command checks (``default_permissions`` is only a hint to Discord's UI)
and again by the API through the service token's scopes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands

from cryptotrader_discord.config import BotConfig

T = TypeVar("T")


class NotAllowed(app_commands.CheckFailure):
    """The member lacks the role; ``role`` is ``viewer`` or ``operator``."""

    def __init__(self, role: str) -> None:
        super().__init__(role)
        self.role = role


def member_roles(interaction: discord.Interaction[Any]) -> set[int]:
    """The role ids of the member who invoked (none outside a guild)."""
    user = interaction.user
    return {role.id for role in user.roles} if isinstance(user, discord.Member) else set()


def may_read(config: BotConfig, roles: set[int]) -> bool:
    """Viewers and operators read; with no viewer role configured, every member does."""
    if not config.viewer_roles:
        return True
    return bool(roles & (config.viewer_roles | config.operator_roles))


def may_control(config: BotConfig, roles: set[int]) -> bool:
    """Only operators control; with no operator role configured, nobody does."""
    return bool(roles & config.operator_roles)


def _config(interaction: discord.Interaction[Any]) -> BotConfig:
    config: BotConfig = interaction.client.config
    return config


def viewer() -> Callable[[T], T]:
    """The check of read commands."""

    def predicate(interaction: discord.Interaction[Any]) -> bool:
        if interaction.guild is None or not may_read(
            _config(interaction), member_roles(interaction)
        ):
            raise NotAllowed("viewer")
        return True

    return app_commands.check(predicate)


def operator() -> Callable[[T], T]:
    """The check of control commands."""

    def predicate(interaction: discord.Interaction[Any]) -> bool:
        if interaction.guild is None or not may_control(
            _config(interaction), member_roles(interaction)
        ):
            raise NotAllowed("operator")
        return True

    return app_commands.check(predicate)


def on_behalf_of(interaction: discord.Interaction[Any]) -> str:
    """How the audit log names the Discord user behind a control: ``discord:<id> (<name>)``."""
    return f"discord:{interaction.user.id} ({interaction.user.name})"
