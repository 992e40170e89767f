"""Errors raised by the services; the API maps each to one HTTP status."""

from __future__ import annotations

from cryptotrader.errors import TemporaryError, TraderError, UserInputError


class PermissionDenied(TraderError):  # noqa: N818
    """The caller is known but may not do this (HTTP 403)."""


class NotFound(UserInputError):  # noqa: N818
    """No such object, or not one the caller may see (HTTP 404)."""


class Conflict(UserInputError):  # noqa: N818
    """The request contradicts the current state (HTTP 409)."""


class InvalidField(UserInputError):  # noqa: N818
    """A submitted field's value breaks a rule the schema cannot check (HTTP 422).

    Answered like a schema violation, with the field's name: the app shows it on that field.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class Unavailable(TemporaryError):  # noqa: N818
    """A backing service (database, Redis, bus) cannot be reached; retry later (HTTP 503)."""
