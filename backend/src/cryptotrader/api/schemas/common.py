"""Pieces shared by every schema module."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer, model_validator

Amount = Annotated[Decimal, PlainSerializer(lambda value: format(value, "f"), return_type=str)]
"""A decimal written in plain notation (``"0.00000000"``, never ``"0E-8"``)."""


class Schema(BaseModel):
    """Base of response schemas: built from service views by attribute."""

    model_config = ConfigDict(from_attributes=True)


_UNSAFE_TEXT = re.compile("[\x00\ud800-\udfff]")
_MAX_DEPTH = 32


def _check_text(value: Any, depth: int = 0) -> None:
    """Refuse NUL and lone surrogates anywhere in a body, keys included.

    Neither is text: PostgreSQL refuses NUL (the error looked like a database outage) and a lone
    surrogate cannot be encoded as UTF-8 (answers, logs and the database all fail on it).
    """
    if depth > _MAX_DEPTH:
        raise ValueError(f"the body nests deeper than {_MAX_DEPTH} levels")
    if isinstance(value, str):
        if _UNSAFE_TEXT.search(value):
            raise ValueError("text must not contain NUL characters or unpaired UTF-16 surrogates")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, depth + 1)
            _check_text(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_text(item, depth + 1)


class Input(BaseModel):
    """Base of request bodies: unknown fields are errors (a typo never passes silently).

    No string anywhere in the body may hold NUL or an unpaired surrogate.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _text_only(cls, data: Any) -> Any:
        _check_text(data)
        return data


class ErrorPublic(Schema):
    """Every error answer: one human-readable line."""

    detail: str
