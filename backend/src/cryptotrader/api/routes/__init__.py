"""One router per resource; auth is attached where the router is included (``app.py``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from cryptotrader.api.schemas.common import ErrorPublic

MAX_ID = 2_147_483_647
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A row id in a path: positive and within a 32-bit integer (both databases)."""
Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="rows to skip")]

_ERRORS = {
    400: "Bad input (the detail says what and where)",
    401: "Missing, invalid, expired or revoked credentials",
    403: "The role or the token's scopes do not allow this",
    404: "No such object, or not one of yours",
    409: "Conflicts with the current state",
    429: "Rate limit exceeded (see Retry-After)",
    503: "A backing service is unavailable; retry (see Retry-After)",
}

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorPublic, "description": text} for status, text in _ERRORS.items()
}
"""Every error answer, documented once for every route."""
