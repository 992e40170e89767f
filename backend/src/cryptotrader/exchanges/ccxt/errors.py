"""ccxt's exceptions mapped to ours, in one table, at the edge (like httpx's ``map_exceptions``).

``map_ccxt_errors(exchange)`` wraps every ccxt call: a ccxt error leaves it as the CryptoTrader
exception for the **most specific** ccxt class in the table (the exception's MRO is walked), with
a one-line message naming the exchange, the host and what the exchange said. Callers then react
by class alone: retry a ``TemporaryError``, show a ``UserInputError``, alert on
``OperationalError``.

Order-placing calls pass ``placing=<client order id>``: an overlay table is then consulted first,
because there a failure without an answer is **ambiguous**. A timeout, a dropped connection, a
5xx or an unreadable answer becomes ``OrderOutcomeUnknown`` (look the order up by client id, never
re-send blindly); only failures where the exchange provably did not take the order stay
retryable (rate limits, maintenance, a rejected timestamp, a connection that was never opened);
a malformed order (``BadRequest``: Binance's ``-1013 Filter failure: NOTIONAL``) is an
``OrderRejected``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptotrader.errors import (
    InsufficientFunds,
    NetworkUnavailableError,
    OperationalError,
    OrderNotFound,
    OrderOutcomeUnknown,
    OrderRejected,
    RateLimitedError,
    TemporaryError,
    TraderError,
    UnknownNameError,
    UserInputError,
)

_MAX_DETAIL = 240
_URL = re.compile(r"https?://\S+")
_REQUEST_LINE = re.compile(r"^(?:GET|POST|PUT|PATCH|DELETE)\s+\S+\s+")
_STATUS = re.compile(r"^(\d{3})\b\s*")


class TimestampRejectedError(TemporaryError):
    """The exchange refused our request's timestamp or nonce (Binance ``-1021``): re-sync, retry.

    Safe to retry: the exchange rejected the request before acting on it.
    """


@dataclass(frozen=True, slots=True)
class ErrorContext:
    """What is known about a failed ccxt call, for building our message."""

    exchange_id: str
    host: str
    status: int | None
    detail: str
    retry_after_s: float | None
    timeout_s: float
    placing: str | None = None  # our client order id, on an order-placing call


Translator = Callable[[ErrorContext, BaseException], TraderError]


def _rate_limited(ctx: ErrorContext, exc: BaseException) -> TraderError:
    status = f" (HTTP {ctx.status})" if ctx.status else ""
    wait = f", asked to wait {ctx.retry_after_s:g} s" if ctx.retry_after_s is not None else ""
    return RateLimitedError(
        f"{ctx.exchange_id}: rate limited by {ctx.host}{status}{wait}: {ctx.detail}",
        retry_after_s=ctx.retry_after_s,
    )


def _timeout(ctx: ErrorContext, exc: BaseException) -> TraderError:
    return NetworkUnavailableError(
        f"{ctx.exchange_id}: {ctx.host} did not answer within {ctx.timeout_s:g} s"
    )


def _unavailable(ctx: ErrorContext, exc: BaseException) -> TraderError:
    if ctx.status is None:
        return NetworkUnavailableError(
            f"{ctx.exchange_id}: cannot reach {ctx.host} ({_network_reason(exc)})"
        )
    if ctx.status >= 500:
        return TemporaryError(
            f"{ctx.exchange_id}: {ctx.host} is unavailable (HTTP {ctx.status}): {ctx.detail}"
        )
    return OperationalError(
        f"{ctx.exchange_id}: {ctx.host} answered HTTP {ctx.status} ({ctx.detail}); "
        "is the exchange's base URL right?"
    )


def _network(ctx: ErrorContext, exc: BaseException) -> TraderError:
    return NetworkUnavailableError(f"{ctx.exchange_id}: {ctx.host}: {ctx.detail}")


def _temporary(ctx: ErrorContext, exc: BaseException) -> TraderError:
    status = f" (HTTP {ctx.status})" if ctx.status else ""
    return TemporaryError(f"{ctx.exchange_id}: {ctx.detail}{status}")


def _unknown_market(ctx: ErrorContext, exc: BaseException) -> TraderError:
    return UnknownNameError(f"{ctx.exchange_id}: unknown market: {ctx.detail}")


def _bad_request(ctx: ErrorContext, exc: BaseException) -> TraderError:
    return UserInputError(f"{ctx.exchange_id} refused the request: {ctx.detail}")


def _not_supported(ctx: ErrorContext, exc: BaseException) -> TraderError:
    return UserInputError(f"{ctx.exchange_id}: not supported: {ctx.detail}")


def _authentication(ctx: ErrorContext, exc: BaseException) -> TraderError:
    return OperationalError(f"{ctx.exchange_id}: authentication refused: {ctx.detail}")


def _insufficient_funds(ctx: ErrorContext, exc: BaseException) -> TraderError:
    return InsufficientFunds(f"{ctx.exchange_id}: insufficient funds: {ctx.detail}")


def _order_rejected(ctx: ErrorContext, exc: BaseException) -> TraderError:
    return OrderRejected(f"{ctx.exchange_id} rejected the order: {ctx.detail}")


def _operational(ctx: ErrorContext, exc: BaseException) -> TraderError:
    return OperationalError(f"{ctx.exchange_id}: {ctx.detail}")


def _order_not_found(ctx: ErrorContext, exc: BaseException) -> TraderError:
    return OrderNotFound(f"{ctx.exchange_id} does not know the order: {ctx.detail}")


def _timestamp_rejected(ctx: ErrorContext, exc: BaseException) -> TraderError:
    return TimestampRejectedError(f"{ctx.exchange_id} refused the request time: {ctx.detail}")


def _outcome_unknown(ctx: ErrorContext, exc: BaseException) -> TraderError:
    cid = ctx.placing or "?"
    if _never_sent(exc):
        # The TCP connection was never opened, so the exchange cannot have seen the order.
        return NetworkUnavailableError(
            f"{ctx.exchange_id}: cannot reach {ctx.host} ({_network_reason(exc)}); "
            f"order {cid} was not sent"
        )
    import ccxt  # noqa: PLC0415 - already imported by whoever raised a ccxt error

    if isinstance(exc, ccxt.RequestTimeout):
        what = f"no answer from {ctx.host} within {ctx.timeout_s:g} s"
    else:
        status = f"HTTP {ctx.status}: " if ctx.status else ""
        what = f"{status}{ctx.detail}"
    return OrderOutcomeUnknown(
        f"{ctx.exchange_id}: order {cid} may or may not have been placed ({what}); "
        "look it up by its client order id before sending it again",
        client_order_id=cid,
    )


@functools.cache
def _table() -> dict[type[BaseException], Translator]:
    """Map each ccxt class to its translator; looked up along the raised exception's MRO."""
    import ccxt  # noqa: PLC0415 - importing ccxt takes seconds; only pay it when it failed

    return {
        ccxt.RateLimitExceeded: _rate_limited,
        ccxt.DDoSProtection: _rate_limited,
        ccxt.RequestTimeout: _timeout,
        ccxt.OnMaintenance: _temporary,
        ccxt.ExchangeNotAvailable: _unavailable,
        ccxt.InvalidNonce: _timestamp_rejected,
        ccxt.NetworkError: _network,
        ccxt.BadSymbol: _unknown_market,
        ccxt.BadRequest: _bad_request,
        ccxt.ArgumentsRequired: _bad_request,
        ccxt.NotSupported: _not_supported,
        ccxt.AuthenticationError: _authentication,
        ccxt.InsufficientFunds: _insufficient_funds,
        ccxt.OrderNotFound: _order_not_found,
        ccxt.InvalidOrder: _order_rejected,
        ccxt.CancelPending: _temporary,
        ccxt.OperationFailed: _temporary,  # ccxt: "may be retried" (base of NetworkError)
        ccxt.BaseError: _operational,
    }


@functools.cache
def _placing_table() -> dict[type[BaseException], Translator]:
    """Overrides for order-placing calls, looked up (along the MRO) before ``_table``."""
    import ccxt  # noqa: PLC0415 - importing ccxt takes seconds; only pay it when it failed

    return {
        # The exchange answered and refused before acting: safe to retry with the same id.
        ccxt.RateLimitExceeded: _rate_limited,
        ccxt.DDoSProtection: _rate_limited,
        ccxt.OnMaintenance: _temporary,
        ccxt.InvalidNonce: _timestamp_rejected,
        # No usable answer (timeout, dropped connection, 5xx, unparsable): ambiguous.
        ccxt.OperationFailed: _outcome_unknown,
        # The order itself is malformed for this market: never retry as is.
        ccxt.BadSymbol: _order_rejected,
        ccxt.BadRequest: _order_rejected,
        ccxt.ArgumentsRequired: _order_rejected,
        ccxt.NotSupported: _order_rejected,
    }


def translate_ccxt_error(
    exc: BaseException,
    exchange: Any,
    *,
    placing: str | None = None,
    rejections: tuple[str, ...] = (),
) -> TraderError | None:
    """Our exception for a ccxt one (None when ``exc`` is not a ccxt error).

    Args:
        exc: the exception ccxt raised.
        exchange: the ccxt client that raised it (for its id, host and timeout).
        placing: our client order id when the call was placing an order (see the module doc).
        rejections: venue words marking an order refusal that ccxt leaves unclassified (a bare
            ``ExchangeError``, else "unknown: alert"), e.g. Kraken's ``EOrder:`` prefix.
    """
    if placing is not None and _is_refusal(exc, rejections):
        return _order_rejected(_context(exc, exchange, placing), exc)
    tables = (_placing_table(), _table()) if placing is not None else (_table(),)
    for table in tables:
        for cls in type(exc).__mro__:
            translator = table.get(cls)
            if translator is not None:
                return translator(_context(exc, exchange, placing), exc)
    return None


def _is_refusal(exc: BaseException, rejections: tuple[str, ...]) -> bool:
    import ccxt  # noqa: PLC0415 - already imported by whoever raised a ccxt error

    unclassified = type(exc) is ccxt.ExchangeError
    return unclassified and any(word in str(exc) for word in rejections)


@contextlib.contextmanager
def map_ccxt_errors(
    exchange: Any, *, placing: str | None = None, rejections: tuple[str, ...] = ()
) -> Iterator[None]:
    """Re-raise ccxt errors raised in the block as ours (see the module docstring).

    Args:
        exchange: the ccxt client called in the block.
        placing: our client order id when the block places an order: a failure that leaves
            its fate open becomes ``OrderOutcomeUnknown`` carrying that id.
        rejections: see ``translate_ccxt_error``.
    """
    try:
        yield
    except TraderError:
        raise
    except Exception as exc:
        mapped = translate_ccxt_error(exc, exchange, placing=placing, rejections=rejections)
        if mapped is None:
            raise
        raise mapped from exc


def _context(exc: BaseException, exchange: Any, placing: str | None = None) -> ErrorContext:
    exchange_id = str(getattr(exchange, "id", "exchange"))
    message = " ".join(str(exc).split())
    message = message.removeprefix(f"{exchange_id} ").strip()
    url_match = _URL.search(message)
    url = url_match.group(0) if url_match else getattr(exchange, "last_request_url", None)
    message = _REQUEST_LINE.sub("", message)
    status_match = _STATUS.match(message)
    status = int(status_match.group(1)) if status_match else None
    message = _STATUS.sub("", message, count=1)
    return ErrorContext(
        exchange_id=exchange_id,
        host=_host(url, exchange),
        status=status,
        detail=_detail(message) or type(exc).__name__,
        retry_after_s=_retry_after(exchange) if status in {418, 429} else None,
        timeout_s=float(getattr(exchange, "timeout", 10_000)) / 1000,
        placing=placing,
    )


def _host(url: object, exchange: Any) -> str:
    if not isinstance(url, str):
        urls = getattr(exchange, "urls", {}).get("api")
        url = next(iter(urls.values()), None) if isinstance(urls, dict) else urls
    netloc = urlsplit(url).netloc if isinstance(url, str) else ""
    return netloc or "the exchange"


def _detail(message: str) -> str:
    """The exchange's own words: ``msg``/``message``/``error`` of a JSON body, else the text."""
    start = min((i for i in (message.find("{"), message.find("[")) if i >= 0), default=-1)
    if start >= 0:
        with contextlib.suppress(ValueError):
            said = _said(json.loads(message[start:]))
            if said:
                return _short(said)
    return _short(message)


def _said(body: object) -> str:
    if isinstance(body, list):
        return "; ".join(str(item) for item in body if item)
    if not isinstance(body, dict):
        return ""
    for key in ("msg", "message", "error", "errors"):
        value = body.get(key)
        if value:
            said = _said(value) if isinstance(value, list | dict) else str(value)
            code = body.get("code")
            return f"{said} (code {code})" if code not in (None, "", 0) else said
    return ""


def _short(text: str) -> str:
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 3] + "..."


def _retry_after(exchange: Any) -> float | None:
    headers = getattr(exchange, "last_response_headers", None) or {}
    for name, value in headers.items():
        if str(name).lower() == "retry-after":
            with contextlib.suppress(ValueError):
                return max(0.0, float(value))
    return None


def _never_sent(exc: BaseException) -> bool:
    """True when the chained cause shows the connection was never opened (nothing was sent)."""
    import aiohttp  # noqa: PLC0415 - a ccxt dependency; only needed on this failure path

    seen: BaseException | None = exc
    for _ in range(16):  # a chain is short; the bound guards against a cycle
        if seen is None:
            break
        if isinstance(seen, aiohttp.ClientConnectorError | socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _network_reason(exc: BaseException) -> str:
    """``connection refused``, ``server disconnected`` ... from the chained low-level error."""
    seen: BaseException | None = exc.__cause__ or exc.__context__
    while seen is not None:
        errno = getattr(seen, "errno", None)
        if isinstance(errno, int) and errno > 0:
            return os.strerror(errno).lower()
        if seen.__cause__ is None and seen.__context__ is None:
            text = " ".join(str(seen).split())
            return _short(text.lower()) if text else type(seen).__name__
        seen = seen.__cause__ or seen.__context__
    return "connection failed"
