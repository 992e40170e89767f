"""Our exceptions as HTTP answers: one status per reaction, one line of detail, never a trace.

400 bad input (schema violations, and a field a service refuses, are 422), 401 credentials,
403 permission, 404 not found (or not yours), 409 conflict, 429 rate limited, 503 a backing
service is down (retry). Anything unexpected is logged with its traceback and answered 500 with
no detail.

A 422 names the field and the rule, never the submitted value: that value may be a password or an
API secret, and it may not even be printable (a lone surrogate, ``NaN``) - echoing it is how a bad
login used to become a 500.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import OperationalError as DbOperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from cryptotrader.errors import (
    AuthenticationFailed,
    OperationalError,
    RateLimitedError,
    StrategyError,
    TemporaryError,
    TraderError,
    UserInputError,
)
from cryptotrader.services.errors import Conflict, InvalidField, NotFound, PermissionDenied

log = logging.getLogger(__name__)

_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (AuthenticationFailed, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidField, 422),
    (UserInputError, 400),
    (RateLimitedError, 429),
    (TemporaryError, 503),
    (OperationalError, 503),
    (StrategyError, 500),
)


def status_of(exc: Exception) -> int:
    """The HTTP status of one of our exceptions."""
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 500


_MAX_TEXT = 200
_MAX_ERRORS = 20


def printable(text: str, limit: int = _MAX_TEXT) -> str:
    """``text`` safe to encode as UTF-8 JSON: lone surrogates and NUL escaped, at most ``limit``."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic's errors as ``{loc, msg, type}``: the input and its context are left out."""
    answer: list[dict[str, Any]] = []
    for error in errors[:_MAX_ERRORS]:
        loc = [part if isinstance(part, int) else printable(str(part), 64) for part in error["loc"]]
        answer.append({"loc": loc, "msg": printable(str(error["msg"])), "type": str(error["type"])})
    return answer


def _answer(status: int, detail: str, retry_after_s: float | None = None) -> JSONResponse:
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status in (429, 503):
        headers["Retry-After"] = str(max(1, math.ceil(retry_after_s or 5)))
    return JSONResponse({"detail": printable(detail, 500)}, status_code=status, headers=headers)


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": validation_errors(exc.errors())}, status_code=422)


async def _invalid_field(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidField)
    error = {"loc": ["body", exc.field], "msg": printable(str(exc), 500), "type": "value_error"}
    return JSONResponse({"detail": [error]}, status_code=422)


async def _trader_error(request: Request, exc: Exception) -> JSONResponse:
    status = status_of(exc)
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc)
    wait = exc.retry_after_s if isinstance(exc, RateLimitedError) else None
    return _answer(status, " ".join(str(exc).split()) or type(exc).__name__, wait)


async def _integrity(request: Request, exc: Exception) -> JSONResponse:
    log.warning("%s %s: integrity error %s", request.method, request.url.path, type(exc).__name__)
    return _answer(409, "the change conflicts with existing data")


async def _database_down(request: Request, exc: Exception) -> JSONResponse:
    # An operational failure's own message says which it was ("database is locked",
    # "connection refused"). Other errors' messages may quote a value, and SQLAlchemy's text
    # adds the statement's parameters (a token's hash): those are named by class only.
    orig = getattr(exc, "orig", None)
    cause = type(exc).__name__
    if isinstance(exc, DbOperationalError) and orig is not None:
        cause = f"{cause} ({type(orig).__name__}: {orig})"
    log.error("%s %s: database error %s", request.method, request.url.path, cause)
    return _answer(503, "the database is unavailable; retry shortly")


_POOL_LIMITS = re.compile(r"size (\d+) overflow (\d+) reached.*timeout ([\d.]+)")


async def _database_busy(request: Request, exc: Exception) -> JSONResponse:
    """Every pooled connection stayed in use past the pool's wait: busy, not down."""
    found = _POOL_LIMITS.search(str(exc))
    pool = (
        f"all {int(found[1]) + int(found[2])} connections stayed in use for {float(found[3]):g} s"
        if found
        else "every connection stayed in use past the wait"
    )
    log.warning("%s %s: database pool exhausted (%s)", request.method, request.url.path, pool)
    return _answer(
        503,
        f"the database is busy ({pool}; CRYPTOTRADER_API__DATABASE_POOL_SIZE / _TIMEOUT_S); "
        "retry shortly",
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return _answer(500, "internal error")


def install_error_handlers(app: FastAPI) -> None:
    """Map every exception type to its answer."""
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(InvalidField, _invalid_field)
    app.add_exception_handler(TraderError, _trader_error)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(DbOperationalError, _database_down)
    app.add_exception_handler(DBAPIError, _database_down)
    app.add_exception_handler(PoolTimeoutError, _database_busy)
    app.add_exception_handler(Exception, _unexpected)
