"""Our exceptions as HTTP answers: one status per reaction, one line of detail, never a trace.

400 bad input (schema violations are 422), 401 credentials, 403 permission, 404 not found (or
not yours), 409 conflict, 429 rate limited, 503 a backing service is down (retry). Anything
unexpected is logged with its traceback and answered 500 with no detail.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import OperationalError as DbOperationalError

from cryptotrader.errors import (
    OperationalError,
    RateLimitedError,
    StrategyError,
    TemporaryError,
    TraderError,
    UserInputError,
)
from cryptotrader.services.errors import AuthenticationFailed, Conflict, NotFound, PermissionDenied

log = logging.getLogger(__name__)

_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (AuthenticationFailed, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
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


def _answer(status: int, detail: str) -> JSONResponse:
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status in (429, 503):
        headers["Retry-After"] = "5"
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


async def _trader_error(request: Request, exc: Exception) -> JSONResponse:
    status = status_of(exc)
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc)
    return _answer(status, " ".join(str(exc).split()) or type(exc).__name__)


async def _integrity(request: Request, exc: Exception) -> JSONResponse:
    log.warning("%s %s: integrity error %s", request.method, request.url.path, type(exc).__name__)
    return _answer(409, "the change conflicts with existing data")


async def _database_down(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s: database error %s", request.method, request.url.path, type(exc).__name__)
    return _answer(503, "the database is unavailable; retry shortly")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return _answer(500, "internal error")


def install_error_handlers(app: FastAPI) -> None:
    """Map every exception type to its answer."""
    app.add_exception_handler(TraderError, _trader_error)
    app.add_exception_handler(IntegrityError, _integrity)
    app.add_exception_handler(DbOperationalError, _database_down)
    app.add_exception_handler(DBAPIError, _database_down)
    app.add_exception_handler(Exception, _unexpected)
