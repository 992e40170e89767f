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
    model: _M = _new(cls)
    _set_dict(model, values)
    _set_fields_set(model, set(given))
    _set_extra(model, None)
    _set_private(model, None)
    return model


_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
"""``BaseModel``'s slots written through their descriptors: ``object.__setattr__`` looked each
name up on the class first (a quarter of the call; ~20,000 calls in a replay)."""
