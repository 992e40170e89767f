"""Models built from values already checked, without pydantic validating them again."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

_M = TypeVar("_M", bound=BaseModel)


def trusted(cls: type[_M], values: dict[str, Any], given: frozenset[str]) -> _M:
    """An instance of ``cls`` holding ``values`` (every field, already valid), not validated.

    ``given``: the fields validation would count as set (those not left to their default).
    ``values`` must be in the model's field order (its JSON's) and becomes the instance's
    ``__dict__``. What ``BaseModel.model_construct`` does without its per-field default
    handling (which inspects each default factory's signature at every call: slower than
    validating). For models built per order or message on the trading path; each caller's
    test checks that what it builds equals the validated model.
    """
    model: _M = object.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", set(given))
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model
