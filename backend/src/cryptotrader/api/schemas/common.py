"""Pieces shared by every schema module."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer

Amount = Annotated[Decimal, PlainSerializer(lambda value: format(value, "f"), return_type=str)]
"""A decimal written in plain notation (``"0.00000000"``, never ``"0E-8"``)."""


class Schema(BaseModel):
    """Base of response schemas: built from service views by attribute."""

    model_config = ConfigDict(from_attributes=True)


class Input(BaseModel):
    """Base of request bodies: unknown fields are errors (a typo never passes silently)."""

    model_config = ConfigDict(extra="forbid")


class ErrorPublic(Schema):
    """Every error answer: one human-readable line."""

    detail: str
